import { describe, expect, it } from 'vitest';
import { deriveTimer } from '../../src-shared/rules/timer.ts';

const limit = 10 * 60_000;

describe('timer derived from events', () => {
  it('is not started without a start event', () => {
    expect(deriveTimer(limit, [], 1000)).toMatchObject({ status: 'not-started', remainingMs: limit, deadline: null });
  });

  it('runs from the start and stops counting during a pause', () => {
    const events = [
      { kind: 'start' as const, at: 0 },
      { kind: 'pause' as const, at: 60_000 },
      { kind: 'resume' as const, at: 120_000 },
    ];
    expect(deriveTimer(limit, events, 90_000)).toMatchObject({ status: 'paused', elapsedMs: 60_000, remainingMs: limit - 60_000 });
    expect(deriveTimer(limit, events, 180_000)).toMatchObject({ status: 'running', elapsedMs: 120_000, remainingMs: limit - 120_000, deadline: 180_000 + limit - 120_000 });
  });

  it('adds extra time and credited fault time, and says how much was credited', () => {
    const events = [
      { kind: 'start' as const, at: 0 },
      { kind: 'extend' as const, at: 10, amountMs: 5 * 60_000 },
      { kind: 'credit' as const, at: 20, amountMs: 30_000 },
    ];
    expect(deriveTimer(limit, events, limit)).toMatchObject({ remainingMs: 5 * 60_000 + 30_000, addedMs: 5 * 60_000 + 30_000, creditedMs: 30_000 });
  });

  it('expires at the limit and freezes at the end', () => {
    expect(deriveTimer(limit, [{ kind: 'start', at: 0 }], limit + 1)).toMatchObject({ status: 'expired', remainingMs: 0 });
    const ended = deriveTimer(limit, [{ kind: 'start', at: 0 }, { kind: 'end', at: 1000 }, { kind: 'resume', at: 2000 }], 5000);
    expect(ended).toMatchObject({ status: 'ended', elapsedMs: 1000 });
  });

  it('orders events by time, not by arrival', () => {
    const state = deriveTimer(limit, [{ kind: 'pause', at: 1000 }, { kind: 'start', at: 0 }], 5000);
    expect(state).toMatchObject({ status: 'paused', elapsedMs: 1000 });
  });
});
