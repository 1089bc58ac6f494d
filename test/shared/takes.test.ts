// The takes rule as the candidate's screen reads it (src-shared/rules/takes.ts): how many takes are
// left, with a take still open counted as the station will close it when the next one starts.
import { describe, expect, it } from 'vitest';
import { takesLeft } from '../../src-shared/rules/takes.ts';

const finished = { closed: true, interruption: null };
const cutBySeat = { closed: true, interruption: 'seat-restart' as const };
const cutByStation = { closed: true, interruption: 'station-restart' as const };
const open = { closed: false, interruption: null };

describe('the takes left on a speaking item', () => {
  it('counts finished takes and every take cut off by the seat after the first, never one cut off by the station', () => {
    expect(takesLeft(2, [])).toBe(2);
    expect(takesLeft(2, [finished])).toBe(1);
    expect(takesLeft(2, [cutBySeat])).toBe(2);
    expect(takesLeft(2, [cutBySeat, cutBySeat])).toBe(1);
    expect(takesLeft(2, [cutByStation, cutByStation, finished])).toBe(1);
    expect(takesLeft(2, [finished, finished, finished])).toBe(0);
  });

  it('counts a take still open as cut off by the seat, so a second one left open uses a take', () => {
    expect(takesLeft(2, [open])).toBe(2);
    expect(takesLeft(2, [cutBySeat, open])).toBe(1);
    expect(takesLeft(2, [finished, cutBySeat, open])).toBe(0);
  });
});
