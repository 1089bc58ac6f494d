// Part timers: start, pause, resume, extra time, credited fault time and end are durable events; the
// remaining time is always derived from them (src-shared/timer.ts), so a restart shows the right time.
// The events of each part are also kept in memory (the station is their only writer); the service
// drops the memory whenever a transaction fails, so it never holds what was not committed.
import { StationError } from '../../../src-shared/errors.ts';
import type { Part } from '../../../src-shared/content/schema.ts';
import { deriveTimer, type TimerEvent, type TimerEventKind, type TimerState } from '../../../src-shared/rules/timer.ts';
import type { PreparedQuery, StationDatabase, Tx } from '../database.ts';
import type { TimerEventsTable } from '../tables.ts';
import type { Outbox } from './outbox.ts';

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

export class Timers {
  private readonly outbox: Outbox;
  private readonly memory = new Map<string, TimerEvent[]>();
  private readonly select: PreparedQuery<{ attemptId: string; partId: string }, TimerEvent>;
  private readonly insert: PreparedQuery<Omit<TimerEventsTable, 'event_id'>, unknown>;

  constructor(db: StationDatabase, outbox: Outbox) {
    this.outbox = outbox;
    this.select = db.prepared<{ attemptId: string; partId: string }, TimerEvent>((p) =>
      db.q
        .selectFrom('timer_events')
        .select(['kind', 'at', 'amount_ms as amountMs'])
        .where('attempt_id', '=', p.attemptId)
        .where('part_id', '=', p.partId)
        .orderBy('event_id'),
    );
    this.insert = db.prepared<Omit<TimerEventsTable, 'event_id'>>((p) =>
      db.q.insertInto('timer_events').values({ attempt_id: p.attempt_id, part_id: p.part_id, kind: p.kind, at: p.at, amount_ms: p.amount_ms, reason: p.reason }),
    );
  }

  forget(): void {
    this.memory.clear();
  }

  events(attemptId: string, partId: string): TimerEvent[] {
    const key = `${attemptId}\u0000${partId}`;
    let events = this.memory.get(key);
    if (!events) {
      events = this.select.all({ attemptId, partId });
      this.memory.set(key, events);
    }
    return events;
  }

  state(attemptId: string, part: Part, now: number): TimerState {
    return deriveTimer(part.timeLimitSeconds * 1000, this.events(attemptId, part.id), now);
  }

  /** Append a timer event if the part's state allows it. */
  record(tx: Tx, change: TimerChange, now: Date): TimerState {
    const before = this.state(change.attemptId, change.part, now.getTime());
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
    const result = this.insert.run(row);
    this.outbox.append(tx, 'timer.event', change.attemptId, { attemptId: change.attemptId, eventId: Number(result.lastInsertRowid), partId: row.part_id, kind: row.kind, at: row.at, amountMs: row.amount_ms, reason: row.reason }, now);
    this.events(change.attemptId, change.part.id).push({ kind: row.kind, at: row.at, amountMs: row.amount_ms });
    return this.state(change.attemptId, change.part, now.getTime());
  }
}
