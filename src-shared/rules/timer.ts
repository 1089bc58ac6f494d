// The time rule: a part's remaining time is derived from its timer events, never kept in a browser.
// A restart shows the right time because the events are durable; time lost to a fault is credited
// by an explicit event so the protocol can show it.

export const TIMER_EVENT_KINDS = ['start', 'pause', 'resume', 'extend', 'credit', 'end'] as const;
export type TimerEventKind = (typeof TIMER_EVENT_KINDS)[number];

export interface TimerEvent {
  kind: TimerEventKind;
  /** Milliseconds since the epoch, station clock. */
  at: number;
  /** For extend and credit: the time added. */
  amountMs?: number | null;
}

export type TimerStatus = 'not-started' | 'running' | 'paused' | 'ended' | 'expired';

export interface TimerState {
  status: TimerStatus;
  limitMs: number;
  /** Extra time granted by the invigilator plus time credited for faults. */
  addedMs: number;
  creditedMs: number;
  elapsedMs: number;
  remainingMs: number;
  /** When the time would run out if nothing else happens; null unless running. */
  deadline: number | null;
  /** When the pause in effect began (station clock); null unless paused. */
  pausedAt: number | null;
}

export function deriveTimer(limitMs: number, events: readonly TimerEvent[], now: number): TimerState {
  let runningSince: number | null = null;
  let elapsed = 0;
  let added = 0;
  let credited = 0;
  let started = false;
  let ended = false;
  let pausedAt: number | null = null;
  // Events stamped after `now` have not happened yet from this reader's point of view.
  const ordered = events.filter((e) => e.at <= now).sort((a, b) => a.at - b.at);
  for (const event of ordered) {
    if (ended) break;
    switch (event.kind) {
      case 'start':
      case 'resume':
        if (event.kind === 'start') started = true;
        if (started && runningSince === null) runningSince = event.at;
        pausedAt = null;
        break;
      case 'pause':
        if (runningSince !== null) {
          elapsed += Math.max(0, event.at - runningSince);
          runningSince = null;
          pausedAt = event.at;
        }
        break;
      case 'extend':
        added += Math.max(0, event.amountMs ?? 0);
        break;
      case 'credit':
        credited += Math.max(0, event.amountMs ?? 0);
        break;
      case 'end':
        if (runningSince !== null) elapsed += Math.max(0, event.at - runningSince);
        runningSince = null;
        ended = true;
        break;
    }
  }
  if (runningSince !== null) elapsed += Math.max(0, now - runningSince);
  const total = limitMs + added + credited;
  const remaining = Math.max(0, total - elapsed);
  const status: TimerStatus = ended ? 'ended' : !started ? 'not-started' : remaining === 0 ? 'expired' : runningSince !== null ? 'running' : 'paused';
  return {
    status,
    limitMs,
    addedMs: added + credited,
    creditedMs: credited,
    elapsedMs: elapsed,
    remainingMs: remaining,
    deadline: status === 'running' ? now + remaining : null,
    pausedAt: status === 'paused' ? pausedAt : null,
  };
}
