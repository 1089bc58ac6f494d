// Part timers as the station reports them. The browser never decides how much time is left: it shows
// the station's deadline counted down on its own clock (corrected by the station's time) and takes a
// fresh reading with every heartbeat.
import { createStore } from 'zustand/vanilla';
import type { StationOutput } from '../../src-shared/contracts/station-api.ts';

export type PartTimer = StationOutput<'getTimer'>;

export interface TimerStoreState {
  parts: Record<string, PartTimer>;
  /** Station clock minus this clock, from the last heartbeat. */
  offsetMs: number;
  /** Time credited by the station for the last interruption, for a notice; 0 when none. */
  creditedMs: number;
  setParts(parts: { partId: string; timer: PartTimer }[], serverTime?: number): void;
  setPart(partId: string, timer: PartTimer): void;
  noteCredit(ms: number): void;
}

export function createTimerStore(now: () => number = Date.now) {
  return createStore<TimerStoreState>()((set) => ({
    parts: {},
    offsetMs: 0,
    creditedMs: 0,
    setParts: (parts, serverTime) =>
      set((s) => ({
        parts: Object.fromEntries(parts.map((p) => [p.partId, p.timer])),
        offsetMs: serverTime === undefined ? s.offsetMs : serverTime - now(),
      })),
    setPart: (partId, timer) => set((s) => ({ parts: { ...s.parts, [partId]: timer } })),
    noteCredit: (creditedMs) => set({ creditedMs }),
  }));
}

/** Milliseconds left on a part timer at this moment. */
export function remainingMs(timer: PartTimer | undefined, offsetMs: number, now: number = Date.now()): number {
  if (!timer) return 0;
  if (timer.status === 'running' && timer.deadline !== null) return Math.max(0, timer.deadline - (now + offsetMs));
  return timer.remainingMs;
}

export function formatClock(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(h > 0 ? 2 : 1, '0');
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}
