// The candidate's answers and whether the station has acknowledged them. An edit is sent at once when
// nothing is in flight for its item; edits made while a save is in flight are folded into one follow-up
// (at most one save in flight per item, the latest value wins). An edit the station has not
// acknowledged stays in memory and is retried with the same clientSaveId until it is acknowledged.
// An edit refused because the invigilator paused the part is held, calmly, and sent again once the
// part resumes (the screen learns that from the heartbeat and calls sendHeld).
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ResponseValue } from '../../src-shared/content/responses.ts';
import { StationError, type BilingualText, type ErrorCode } from '../../src-shared/errors.ts';
import type { AttemptView, SeatCredentials, StationApi } from '../../src-shared/contracts/station-api.ts';

/** An edit unacknowledged for this long turns the indicator to "not saved, call the invigilator". */
export const UNACKED_ALARM_MS = 2000;
const CHECK_EVERY_MS = 250;
const RETRY_MS = [250, 500, 1000, 2000];

/** 'waiting': held by a pause, to be sent when the part resumes. */
export type SaveIndicator = 'saved' | 'saving' | 'waiting' | 'not-saved';

export interface AnswersState {
  values: Record<string, ResponseValue>;
  /** Items whose latest edit is not yet acknowledged. */
  unsaved: Record<string, true>;
  indicator: SaveIndicator;
  /** A refusal by the station (e.g. time is up), in both languages. */
  refusal: BilingualText | null;
  /** Acknowledgements received; observers (the UI benchmark) watch it change. */
  acks: number;
}

/**
 * Station refusals that a retry cannot fix. PART_PAUSED is not one: the part resumes, and then the
 * same save is taken.
 */
const FINAL_REFUSALS: ErrorCode[] = ['ATTEMPT_CLOSED', 'TIME_UP', 'PART_NOT_STARTED', 'RESPONSE_SHAPE', 'ITEM_UNKNOWN', 'VALIDATION_FAILED', 'NOT_FOUND', 'SAVE_ID_REUSED', 'CANDIDATE_TOKEN_WRONG', 'ATTEMPT_MOVED'];

interface Edit {
  value: ResponseValue;
  /** When the oldest unacknowledged edit folded into this one was made. */
  since: number;
  clientSaveId?: string;
}

interface ItemSaves {
  pending: Edit | null;
  inFlight: Edit | null;
  failures: number;
  retry: ReturnType<typeof setTimeout> | null;
  refused: boolean;
  /** Refused PART_PAUSED: nothing is sent until sendHeld(). */
  held: boolean;
}

export interface AnswerSaver {
  store: StoreApi<AnswersState>;
  load(attempt: AttemptView): void;
  edit(itemId: string, value: ResponseValue): void;
  /** Resolves once every edit of these items is acknowledged (or refused for good). */
  whenSaved(itemIds: string[]): Promise<void>;
  /** Station reachability from other calls (heartbeats), shown by the same indicator. */
  setStationReachable(reachable: boolean): void;
  /** The paused part resumed: send the edits held since the station refused them PART_PAUSED. */
  sendHeld(): void;
  dispose(): void;
}

/** `onPaused`: a save was refused because the part is paused (the screen may want to know at once). */
export function createAnswerSaver(station: StationApi, seat: () => SeatCredentials | null, now: () => number = Date.now, onPaused?: () => void): AnswerSaver {
  const store = createStore<AnswersState>()(() => ({ values: {}, unsaved: {}, indicator: 'saved', refusal: null, acks: 0 }));
  const saves = new Map<string, ItemSaves>();
  const waiters: { itemIds: string[]; resolve: () => void }[] = [];
  let stationReachable = true;
  let ticker: ReturnType<typeof setInterval> | null = null;

  const entry = (itemId: string): ItemSaves => {
    let found = saves.get(itemId);
    if (!found) {
      found = { pending: null, inFlight: null, failures: 0, retry: null, refused: false, held: false };
      saves.set(itemId, found);
    }
    return found;
  };

  const settled = (itemId: string): boolean => {
    const s = saves.get(itemId);
    return !s || (s.pending === null && s.inFlight === null);
  };

  const recompute = (): void => {
    const t = now();
    let busy = false;
    let waiting = false;
    let alarm = !stationReachable;
    const unsaved: Record<string, true> = {};
    for (const [itemId, s] of saves) {
      if (s.refused) alarm = true;
      const oldest = Math.min(s.pending?.since ?? Infinity, s.inFlight?.since ?? Infinity);
      if (oldest === Infinity) continue;
      busy = true;
      unsaved[itemId] = true;
      // A held edit is not late: the invigilator paused the part, and it goes as soon as it resumes.
      if (s.held) waiting = true;
      else if (s.failures > 0 || t - oldest > UNACKED_ALARM_MS) alarm = true;
    }
    const indicator: SaveIndicator = alarm ? 'not-saved' : waiting ? 'waiting' : busy ? 'saving' : 'saved';
    // Only a real change is published: every subscriber re-renders on a new object.
    const before = store.getState();
    const sameUnsaved = Object.keys(before.unsaved).length === Object.keys(unsaved).length && Object.keys(unsaved).every((k) => before.unsaved[k]);
    if (before.indicator !== indicator || !sameUnsaved) store.setState(sameUnsaved ? { indicator } : { indicator, unsaved });
    if (busy && ticker === null) ticker = setInterval(recompute, CHECK_EVERY_MS);
    if (!busy && ticker !== null) {
      clearInterval(ticker);
      ticker = null;
    }
    for (const waiter of [...waiters]) {
      if (waiter.itemIds.every(settled)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  const pump = (itemId: string): void => {
    const s = entry(itemId);
    const credentials = seat();
    if (s.inFlight || !s.pending || s.retry || s.held || !credentials) return;
    const sent: Edit = { ...s.pending, clientSaveId: s.pending.clientSaveId ?? crypto.randomUUID() };
    s.pending = null;
    s.inFlight = sent;
    station.saveResponse({ ...credentials, itemId, value: sent.value, clientSaveId: sent.clientSaveId as string }).then(
      () => {
        s.inFlight = null;
        s.failures = 0;
        s.refused = false;
        store.setState((st) => ({ acks: st.acks + 1, refusal: [...saves.values()].some((x) => x.refused) ? st.refusal : null }));
        pump(itemId);
        recompute();
      },
      (error: unknown) => {
        s.inFlight = null;
        if (error instanceof StationError && FINAL_REFUSALS.includes(error.code)) {
          // Retrying cannot help; the edit stays on screen and the candidate is told what happened.
          s.refused = true;
          console.error('answer refused by the station', itemId, error.code, error.detail);
          store.setState({ refusal: error.text });
          pump(itemId);
          recompute();
          return;
        }
        if (error instanceof StationError && error.code === 'PART_PAUSED') {
          // Kept as it was sent (a newer edit replaces it) and held until the part resumes.
          if (!s.pending) s.pending = sent;
          else s.pending.since = Math.min(s.pending.since, sent.since);
          s.held = true;
          s.failures = 0;
          onPaused?.();
          recompute();
          return;
        }
        // Unreachable or a storage fault: keep the edit and retry. A newer edit replaces the value
        // (with a new clientSaveId); otherwise the same clientSaveId is re-sent so no revision doubles.
        if (!s.pending) s.pending = sent;
        else s.pending.since = Math.min(s.pending.since, sent.since);
        s.failures += 1;
        const delay = RETRY_MS[Math.min(s.failures - 1, RETRY_MS.length - 1)] ?? 2000;
        s.retry = setTimeout(() => {
          s.retry = null;
          pump(itemId);
        }, delay);
        recompute();
      },
    );
  };

  return {
    store,
    load(attempt) {
      const values: Record<string, ResponseValue> = {};
      for (const r of attempt.responses) values[r.itemId] = r.value;
      // Unacknowledged edits in memory are newer than what the station holds.
      for (const [itemId, s] of saves) {
        const mine = s.pending?.value ?? s.inFlight?.value;
        if (mine) values[itemId] = mine;
      }
      store.setState({ values });
    },
    edit(itemId, value) {
      const s = entry(itemId);
      s.pending = { value, since: s.pending?.since ?? now() };
      s.refused = false;
      store.setState((st) => ({ values: { ...st.values, [itemId]: value } }));
      pump(itemId);
      recompute();
    },
    whenSaved(itemIds) {
      return new Promise<void>((resolve) => {
        waiters.push({ itemIds, resolve });
        recompute();
      });
    },
    setStationReachable(reachable) {
      if (stationReachable === reachable) return;
      stationReachable = reachable;
      recompute();
    },
    sendHeld() {
      for (const [itemId, s] of saves) {
        if (!s.held) continue;
        s.held = false;
        // Time held by the pause is not time unacknowledged.
        if (s.pending) s.pending.since = now();
        pump(itemId);
      }
      recompute();
    },
    dispose() {
      if (ticker) clearInterval(ticker);
      for (const s of saves.values()) if (s.retry) clearTimeout(s.retry);
    },
  };
}
