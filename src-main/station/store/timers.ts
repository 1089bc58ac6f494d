// Part timers: start, pause, resume, extra time, credited fault time and end are durable events; the
// remaining time is always derived from them (src-shared/timer.ts), so a restart shows the right time.
import { StationError } from '../../../src-shared/errors.ts';
import type { Part } from '../../../src-shared/content/schema.ts';
import { deriveTimer, type TimerEvent, type TimerEventKind, type TimerState } from '../../../src-shared/timer.ts';
import type { StationDatabase } from '../database.ts';
import { appendEvent } from './outbox.ts';

export function timerEvents(db: StationDatabase, attemptId: string, partId: string): TimerEvent[] {
  return db
    .all(db.q.selectFrom('timer_events').select(['kind', 'at', 'amount_ms']).where('attempt_id', '=', attemptId).where('part_id', '=', partId).orderBy('event_id'))
    .map((row) => ({ kind: row.kind, at: row.at, amountMs: row.amount_ms }));
}

export function partTimer(db: StationDatabase, attemptId: string, part: Part, now: number): TimerState {
  return deriveTimer(part.timeLimitSeconds * 1000, timerEvents(db, attemptId, part.id), now);
}

const allowed: Record<TimerEventKind, TimerState['status'][]> = {
  start: ['not-started'],
  pause: ['running'],
  resume: ['paused'],
  extend: ['not-started', 'running', 'paused', 'expired'],
  credit: ['not-started', 'running', 'paused', 'expired'],
  end: ['running', 'paused', 'expired'],
};

export interface TimerChange {
  attemptId: string;
  part: Part;
  kind: TimerEventKind;
  amountMs?: number | undefined;
  reason?: string | undefined;
}

/** Append a timer event if the part's state allows it. Runs inside the caller's transaction. */
export function recordTimerEvent(db: StationDatabase, deviceId: string, change: TimerChange, now: Date): TimerState {
  const before = partTimer(db, change.attemptId, change.part, now.getTime());
  if (!allowed[change.kind].includes(before.status)) {
    throw new StationError('TIMER_TRANSITION', `cannot ${change.kind} a part that is ${before.status}`);
  }
  if ((change.kind === 'extend' || change.kind === 'credit') && !change.amountMs) {
    throw new StationError('VALIDATION_FAILED', `${change.kind} needs amountMs`);
  }
  const row = {
    attempt_id: change.attemptId,
    part_id: change.part.id,
    kind: change.kind,
    at: now.getTime(),
    amount_ms: change.amountMs ?? null,
    reason: change.reason ?? null,
  };
  const result = db.run(db.q.insertInto('timer_events').values(row));
  appendEvent(db, deviceId, 'timer.event', change.attemptId, { eventId: Number(result.lastInsertRowid), partId: row.part_id, kind: row.kind, at: row.at, amountMs: row.amount_ms, reason: row.reason }, now);
  return partTimer(db, change.attemptId, change.part, now.getTime());
}
