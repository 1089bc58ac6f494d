// The candidate's attempt: which test, who, which screen, which part and item, flags for review, and
// the steps before the first part. The attempt itself (answers, timers, position) lives in the station;
// this store keeps only what the screen needs plus the few things that are the screen's own (flags,
// the pre-test steps done), which survive a reload in localStorage.
import type { HandReason } from '../../src-shared/contracts/room-protocol.ts';
import { createStore } from 'zustand/vanilla';
import type { ExamContent } from '../../src-shared/content/schema.ts';
import type { BilingualText } from '../../src-shared/errors.ts';
import type { AttemptView, Authorisation, CandidateView, IdentityDeclineReason, SeatCredentials, StationOutput } from '../../src-shared/contracts/station-api.ts';
import type { TextKey } from '../text.ts';

export type Screen = 'loading' | 'staff' | 'waiting' | 'identity' | 'awaiting-authorisation' | 'instructions' | 'equipment' | 'part-intro' | 'part' | 'end';

export interface Preflight {
  identity: boolean;
  instructions: boolean;
  equipment: boolean;
  /** null until checked; false keeps the speaking part closed until the invigilator helps. */
  micOk: boolean | null;
}

export interface AttemptStoreState {
  attemptId: string | null;
  /** The secret that lets this screen act for the candidate (from openAttempt); kept with the attempt id. */
  candidateToken: string | null;
  content: ExamContent | null;
  candidate: CandidateView | null;
  view: AttemptView | null;
  screen: Screen;
  partId: string | null;
  itemId: string | null;
  flags: Record<string, true>;
  preflight: Preflight;
  /** A one-off message for the candidate (time up, time credited). */
  notice: TextKey | null;
  /** An error the candidate met, in both languages. */
  error: BilingualText | null;
  /** The candidate said the details shown were not theirs: the staff step says whose and why. */
  handedBack: { name: string; reason: IdentityDeclineReason } | null;
  /** On a room's seat: its label (claimSeat), and why the screen waits, while it does. */
  seatLabel: string | null;
  waiting: NonNullable<StationOutput<'claimSeat'>['waiting']> | 'start' | null;
  /** Whether the invigilator must still authorise the candidate at this seat (from the station). */
  authorisation: Authorisation | null;
  /** The invigilator's latest message from the hub, and the one the candidate has closed (shown until then). */
  roomMessage: { id: string; text: string } | null;
  closedMessageId: string | null;
  /** The invigilator locked this seat from the hub, with the reason they gave. */
  locked: { reason: string | null } | null;
  /** A seat whose room has not started yet: the candidate waits for the invigilator's start. */
  waitingForStart: boolean;
  /** A room's seat working without its hub (the station's heartbeat says so): told calmly, nothing stops. */
  hubOffline: boolean;
  /** This screen is a seat of a room (a hub's console sees its raised hand); a solo station is not. */
  inRoom: boolean;
  /** The candidate's raised hand, until the invigilator acknowledges it at the hub. */
  hand: { reason: HandReason; at: number } | null;
}

const SEAT_KEY = 'exam-station.seat';
const storage = (): Storage | undefined => globalThis.localStorage;

/** The screen's attempt and token from the store, or null when no attempt is open here. */
export function seatOf(state: Pick<AttemptStoreState, 'attemptId' | 'candidateToken'>): SeatCredentials | null {
  return state.attemptId && state.candidateToken ? { attemptId: state.attemptId, candidateToken: state.candidateToken } : null;
}

export const seatMemory = {
  /** The attempt this screen was opened for, kept across reloads. */
  seat(): SeatCredentials | null {
    try {
      const raw = JSON.parse(storage()?.getItem(SEAT_KEY) ?? 'null') as Partial<SeatCredentials> | null;
      return typeof raw?.attemptId === 'string' && typeof raw.candidateToken === 'string' ? { attemptId: raw.attemptId, candidateToken: raw.candidateToken } : null;
    } catch {
      return null; // an unreadable entry is the same as none: the invigilator opens the attempt again
    }
  },
  setSeat(seat: SeatCredentials | null): void {
    if (seat) storage()?.setItem(SEAT_KEY, JSON.stringify(seat));
    else storage()?.removeItem(SEAT_KEY);
  },
  flags(attemptId: string): Record<string, true> {
    try {
      return JSON.parse(storage()?.getItem(`exam-station.flags.${attemptId}`) ?? '{}') as Record<string, true>;
    } catch {
      return {};
    }
  },
  setFlags(attemptId: string, flags: Record<string, true>): void {
    storage()?.setItem(`exam-station.flags.${attemptId}`, JSON.stringify(flags));
  },
  preflight(attemptId: string): Preflight {
    const none: Preflight = { identity: false, instructions: false, equipment: false, micOk: null };
    try {
      return { ...none, ...(JSON.parse(storage()?.getItem(`exam-station.preflight.${attemptId}`) ?? '{}') as Partial<Preflight>) };
    } catch {
      return none;
    }
  },
  setPreflight(attemptId: string, preflight: Preflight): void {
    storage()?.setItem(`exam-station.preflight.${attemptId}`, JSON.stringify(preflight));
  },
};

export function createAttemptStore() {
  return createStore<AttemptStoreState>()(() => ({
    attemptId: null,
    candidateToken: null,
    content: null,
    candidate: null,
    view: null,
    screen: 'loading',
    partId: null,
    itemId: null,
    flags: {},
    preflight: { identity: false, instructions: false, equipment: false, micOk: null },
    notice: null,
    error: null,
    handedBack: null,
    seatLabel: null,
    waiting: null,
    authorisation: null,
    roomMessage: null,
    closedMessageId: null,
    locked: null,
    waitingForStart: false,
    hubOffline: false,
    inRoom: false,
    hand: null,
  }));
}
