// One candidate seat's state and the actions that move it: the four domain stores (attempt, answers,
// audio, timer) around one StationApi, handed to the screens through React context. Every action goes
// through the station; the stores only mirror what it acknowledged plus the screen's own choices.
import type { HandReason } from '../../src-shared/contracts/room-protocol.ts';
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import { listItems, usesSound, type Part } from '../../src-shared/content/schema.ts';
import { StationError, type BilingualText } from '../../src-shared/errors.ts';
import { SEAT_HEARTBEAT_MS, type AttemptView, type IdentityDeclineReason, type SeatCredentials, type StationApi, type StationOutput } from '../../src-shared/contracts/station-api.ts';
import { createAnswerSaver, type AnswerSaver, type AnswersState } from './answers.ts';
import { createAttemptStore, seatMemory, seatOf, type AttemptStoreState, type Preflight } from './attempt.ts';
import { createAudioStore, type AudioStoreState } from './audio.ts';
import { createTimerStore, type TimerStoreState } from './timer.ts';

const UNREACHABLE: BilingualText = new StationError('STATION_UNREACHABLE').text;

/** What a person is told about a failed call: the station's own words, or "no connection". */
export function errorText(error: unknown): BilingualText {
  if (error instanceof StationError) return error.text;
  return UNREACHABLE;
}

export interface Exam {
  station: StationApi;
  attempt: StoreApi<AttemptStoreState>;
  answers: AnswerSaver;
  audio: StoreApi<AudioStoreState>;
  timer: StoreApi<TimerStoreState>;
  /**
   * Load the seat's attempt (from localStorage), or show the invigilator step; a room's seat (a kiosk)
   * instead waits for the candidate its hub assigns and takes the credentials from its station.
   */
  boot(): Promise<void>;
  /** The invigilator opened an attempt for the candidate on this seat (openAttempt's reply). */
  adopt(opened: StationOutput<'openAttempt'>): Promise<void>;
  /** Reload the attempt from the station and choose the screen it belongs on. */
  resume(seat: SeatCredentials): Promise<void>;
  updatePreflight(change: Partial<Preflight>): void;
  /** The candidate says the details are theirs; on a room's seat the invigilator then authorises them. */
  confirmIdentity(): Promise<void>;
  /** The details shown are not the candidate's: the station records why and the screen goes back to the staff step. */
  declineIdentity(reason: IdentityDeclineReason): Promise<void>;
  startPart(partId: string): Promise<void>;
  goToItem(itemId: string): void;
  toggleFlag(itemId: string): void;
  /** End the part (after every edit is acknowledged) and move on. */
  submitPart(partId: string, reason?: 'time-up'): Promise<void>;
  clearSeat(): void;
  dispose(): void;
  /** The candidate raises their hand with a reason; the hub's console shows it until an invigilator sees it. */
  raiseHand(reason: HandReason): Promise<void>;
}

/** How often a room's seat with no candidate asks its station whether the hub assigned one. */
export const CLAIM_POLL_MS = 2000;

export interface ExamOptions {
  /** A room's seat: no invigilator step on this screen; the candidate comes from the hub (claimSeat). */
  kiosk?: boolean;
}

export function createExam(station: StationApi, options: ExamOptions = {}): Exam {
  const attempt = createAttemptStore();
  const currentId = (): string | null => attempt.getState().attemptId;
  const currentSeat = (): SeatCredentials | null => seatOf(attempt.getState());
  // A save refused because the part is paused: ask the station at once instead of at the next beat.
  const answers = createAnswerSaver(station, currentSeat, Date.now, () => void beat());
  const audio = createAudioStore();
  const timer = createTimerStore();
  let heartbeat: ReturnType<typeof setInterval> | null = null;
  let claimTimer: ReturnType<typeof setTimeout> | null = null;
  let disposed = false;

  const fail = (error: unknown): void => {
    console.error('station call failed', error);
    attempt.setState({ error: errorText(error) });
  };

  const beat = async (): Promise<void> => {
    const seat = currentSeat();
    if (!seat) return;
    try {
      const reply = await station.seatHeartbeat(seat);
      timer.getState().setParts(reply.parts, reply.serverTime);
      // The invigilator resumed (or no part is paused): edits held by the pause go now.
      if (!reply.parts.some((p) => p.timer.status === 'paused')) answers.sendHeld();
      if ((reply.locked?.reason ?? null) !== (attempt.getState().locked?.reason ?? null) || Boolean(reply.locked) !== Boolean(attempt.getState().locked)) {
        attempt.setState({ locked: reply.locked ? { reason: reply.locked.reason } : null });
      }
      if ((reply.hand?.at ?? null) !== (attempt.getState().hand?.at ?? null)) attempt.setState({ hand: reply.hand });
      if (reply.waitingForStart !== attempt.getState().waitingForStart) attempt.setState({ waitingForStart: reply.waitingForStart });
      if (reply.hubOffline !== attempt.getState().hubOffline) attempt.setState({ hubOffline: reply.hubOffline });
      if (reply.roomMessage && reply.roomMessage.id !== attempt.getState().roomMessage?.id) attempt.setState({ roomMessage: { id: reply.roomMessage.id, text: reply.roomMessage.text } });
      // The key came (the heartbeat has the parts now): load the test, which was waiting for it.
      if (options.kiosk && attempt.getState().view === null && reply.parts.length > 0) void exam.resume(seat);
      if (reply.authorisation !== attempt.getState().authorisation) {
        attempt.setState({ authorisation: reply.authorisation });
        // The invigilator authorised the candidate: on from "awaiting authorisation" to the instructions.
        if (attempt.getState().screen === 'awaiting-authorisation') void placeScreen();
      }
      if (reply.creditedMs > 0) {
        timer.getState().noteCredit(reply.creditedMs);
        attempt.setState({ notice: 'timeAdded' });
      }
      answers.setStationReachable(true);
    } catch (error) {
      if (error instanceof StationError && (error.code === 'CANDIDATE_TOKEN_WRONG' || error.code === 'ATTEMPT_MOVED')) {
        // The invigilator opened this attempt on another screen, or moved the candidate to another seat:
        // this one goes back to the staff step and says why.
        exam.clearSeat();
        attempt.setState({ error: error.text });
        return;
      }
      if (error instanceof StationError) console.error('heartbeat refused', error.code, error.detail);
      answers.setStationReachable(false);
    }
  };

  const startHeartbeat = (beatNow = true): void => {
    if (heartbeat) return;
    if (beatNow) void beat();
    heartbeat = setInterval(() => void beat(), SEAT_HEARTBEAT_MS);
  };
  // Without heartbeats the seat no longer hears whether its hub is back: the offline note goes with them.
  const stopHeartbeat = (): void => {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
    if (attempt.getState().hubOffline) attempt.setState({ hubOffline: false });
  };

  const applyView = (view: AttemptView): void => {
    attempt.setState({ view });
    answers.load(view);
    audio.getState().loadTakes(view.recordings);
    timer.getState().setParts(view.parts.map((p) => ({ partId: p.partId, timer: p.timer })));
  };

  const partEnded = (view: AttemptView, part: Part): boolean => view.parts.find((p) => p.partId === part.id)?.submitted ?? false;

  const placeScreen = async (): Promise<void> => {
    const { view, content, preflight, candidate } = attempt.getState();
    if (!view) {
      // A room's seat before the key is released: the candidate's details and the invigilator's
      // authorisation need no content; the test itself waits for the start.
      if (options.kiosk && candidate) {
        const waitsForInvigilator = attempt.getState().authorisation === 'needed';
        if (!preflight.identity) attempt.setState({ screen: 'identity' });
        else if (waitsForInvigilator) attempt.setState({ screen: 'awaiting-authorisation' });
        else attempt.setState({ screen: 'waiting', waiting: 'start' });
      }
      return;
    }
    if (view.status !== 'open') {
      stopHeartbeat();
      attempt.setState({ screen: 'end', partId: null });
      return;
    }
    if (!content) return;
    const next = content.parts.find((p) => !partEnded(view, p));
    if (!next) {
      const seat = currentSeat();
      if (!seat) return;
      const finished = await station.finishAttempt(seat);
      applyView(finished);
      stopHeartbeat();
      attempt.setState({ screen: 'end', partId: null });
      return;
    }
    const status = view.parts.find((p) => p.partId === next.id)?.timer.status;
    if (status && status !== 'not-started') {
      const items = next.tasks.flatMap((t) => t.items);
      const at = items.find((i) => i.id === view.position.itemId) ?? items[0];
      attempt.setState({ screen: 'part', partId: next.id, itemId: at?.id ?? null });
      return;
    }
    // Once a part has begun the steps before the test are behind the candidate, even on another seat.
    const begun = view.parts.some((p) => p.timer.status !== 'not-started');
    // A test with nothing to hear or say (a written exam) has no equipment to check.
    const equipment = !preflight.equipment && usesSound(content);
    const waitsForInvigilator = attempt.getState().authorisation === 'needed';
    const screen = begun ? 'part-intro' : !preflight.identity ? 'identity' : waitsForInvigilator ? 'awaiting-authorisation' : !preflight.instructions ? 'instructions' : equipment ? 'equipment' : 'part-intro';
    attempt.setState({ screen, partId: next.id, itemId: null });
  };

  /** On a room's seat, a package whose key has not been released yet is no error: null. Anything else is. */
  const lockedOnSeat = (error: unknown): null => {
    if (options.kiosk && error instanceof StationError && error.code === 'PACKAGE_LOCKED') return null;
    throw error;
  };

  /**
   * A room's seat waits for its candidate: it asks its station until the hub has assigned one, then takes
   * the credentials (handed to one screen once) and loads the attempt as after a reload.
   */
  const claim = async (): Promise<void> => {
    if (claimTimer) clearTimeout(claimTimer);
    claimTimer = null;
    if (disposed) return;
    try {
      const claimed = await station.claimSeat({});
      attempt.setState({ seatLabel: claimed.label });
      if (claimed.seat) {
        seatMemory.setSeat(claimed.seat);
        attempt.setState({ waiting: null });
        await exam.boot();
        return;
      }
      attempt.setState({ screen: 'waiting', waiting: claimed.waiting ?? 'no-candidate' });
    } catch (error) {
      // The station is restarting or cannot be reached: the screen keeps waiting and asks again.
      console.error('claimSeat failed', error);
      attempt.setState({ screen: 'waiting' });
    }
    if (!disposed) claimTimer = setTimeout(() => void claim(), CLAIM_POLL_MS);
  };

  const exam: Exam = {
    station,
    attempt,
    answers,
    audio,
    timer,
    async boot() {
      const seat = seatMemory.seat();
      if (!seat) {
        if (options.kiosk) return claim();
        attempt.setState({ screen: 'staff' });
        return;
      }
      try {
        await exam.resume(seat);
      } catch (error) {
        if (error instanceof StationError && (error.code === 'NOT_FOUND' || error.code === 'CANDIDATE_TOKEN_WRONG' || error.code === 'ATTEMPT_MOVED')) {
          // The attempt is not on this station (a new data folder), continues on another screen or at
          // another seat: the invigilator starts again here.
          seatMemory.setSeat(null);
          attempt.setState({ screen: options.kiosk ? 'waiting' : 'staff', error: error.code === 'NOT_FOUND' ? null : error.text });
          if (options.kiosk) return claim();
          return;
        }
        fail(error);
        // Try again shortly: the station may be restarting.
        setTimeout(() => void exam.boot(), 1500);
      }
    },
    async adopt(opened) {
      const seat = { attemptId: opened.attemptId, candidateToken: opened.candidateToken };
      seatMemory.setSeat(seat);
      attempt.setState({ handedBack: null });
      await exam.resume(seat);
    },
    async resume(seat) {
      const { attemptId } = seat;
      const [view, candidate] = await Promise.all([station.getAttempt(seat).catch((error: unknown) => lockedOnSeat(error)), station.getCandidate(seat)]);
      if (view === null) {
        // The seat's package waits for its key (released at the start): the steps before the test go on.
        attempt.setState({ attemptId, candidateToken: seat.candidateToken, content: null, candidate, view: null, flags: seatMemory.flags(attemptId), preflight: seatMemory.preflight(attemptId), error: null });
        await beat();
        await placeScreen();
        startHeartbeat(false);
        return;
      }
      // The content is served only while the attempt is open; a submitted one shows its end screen.
      const content = view.status === 'open' ? await station.getExamContent(seat) : null;
      attempt.setState({
        attemptId,
        candidateToken: seat.candidateToken,
        content,
        candidate,
        flags: seatMemory.flags(attemptId),
        preflight: seatMemory.preflight(attemptId),
        error: null,
      });
      applyView(view);
      // On a room's seat the first beat says whether the invigilator must still authorise the candidate,
      // before the screen is chosen.
      const beaten = options.kiosk === true && view.status === 'open';
      if (beaten) await beat();
      await placeScreen();
      if (attempt.getState().screen !== 'end') startHeartbeat(!beaten);
    },
    async confirmIdentity() {
      const seat = currentSeat();
      if (!seat) return;
      try {
        const { authorisation } = await station.confirmIdentity(seat);
        attempt.setState({ authorisation });
      } catch (error) {
        return fail(error);
      }
      exam.updatePreflight({ identity: true });
    },
    updatePreflight(change) {
      const id = currentId();
      if (!id) return;
      const preflight = { ...attempt.getState().preflight, ...change };
      seatMemory.setPreflight(id, preflight);
      attempt.setState({ preflight });
      void placeScreen();
    },
    async declineIdentity(reason) {
      const seat = currentSeat();
      const candidate = attempt.getState().candidate;
      if (!seat) return;
      try {
        await station.declineIdentity({ ...seat, reason });
      } catch (error) {
        return fail(error);
      }
      // The station ended this screen's token: it is the invigilator's screen again.
      exam.clearSeat();
      attempt.setState({ handedBack: { name: candidate ? `${candidate.givenName} ${candidate.familyName}` : '', reason } });
    },
    async startPart(partId) {
      const seat = currentSeat();
      if (!seat) return;
      try {
        const state = await station.recordTimerEvent({ ...seat, partId, kind: 'start' });
        timer.getState().setPart(partId, state);
      } catch (error) {
        // The room's start has not reached this seat yet: the screen waits for it calmly, no error.
        if (error instanceof StationError && error.code === 'ROOM_NOT_STARTED') {
          attempt.setState({ waitingForStart: true });
          return;
        }
        // A second click (or a reload between start and screen) finds the part already running.
        if (!(error instanceof StationError && error.code === 'TIMER_TRANSITION')) return fail(error);
      }
      let view: AttemptView;
      try {
        view = await station.getAttempt(seat);
      } catch (error) {
        return fail(error);
      }
      applyView(view);
      const first = attempt.getState().content?.parts.find((p) => p.id === partId)?.tasks[0]?.items[0];
      // What was said about the part before ("time up", time credited) is behind the candidate now.
      attempt.setState({ screen: 'part', partId, itemId: first?.id ?? null, error: null, notice: null });
      if (first) exam.goToItem(first.id);
    },
    goToItem(itemId) {
      const { partId, itemId: from } = attempt.getState();
      const seat = currentSeat();
      // An error met on one item (a play, a take, a submission that failed) is not about the next.
      attempt.setState(itemId === from ? { itemId } : { itemId, error: null });
      if (partId && seat) {
        station.setPosition({ ...seat, partId, itemId }).catch((error: unknown) => console.error('position not stored', error));
      }
    },
    toggleFlag(itemId) {
      const id = currentId();
      if (!id) return;
      const flags = { ...attempt.getState().flags };
      if (flags[itemId]) delete flags[itemId];
      else flags[itemId] = true;
      seatMemory.setFlags(id, flags);
      attempt.setState({ flags });
    },
    async submitPart(partId, reason) {
      const seat = currentSeat();
      const content = attempt.getState().content;
      if (!seat || !content) return;
      const part = content.parts.find((p) => p.id === partId);
      if (!part) return;
      await answers.whenSaved(listItems(content).filter((e) => e.part.id === partId).map((e) => e.item.id));
      try {
        const state = await station.recordTimerEvent({ ...seat, partId, kind: 'end' });
        timer.getState().setPart(partId, state);
      } catch (error) {
        if (!(error instanceof StationError && error.code === 'TIMER_TRANSITION')) {
          fail(error);
          throw error;
        }
      }
      applyView(await station.getAttempt(seat));
      attempt.setState({ notice: reason === 'time-up' ? 'timeUp' : null, error: null });
      await placeScreen();
    },
    async raiseHand(reason) {
      const seat = currentSeat();
      if (!seat) return;
      try {
        attempt.setState({ hand: await station.raiseHand({ ...seat, reason }) });
      } catch (error) {
        fail(error);
      }
    },
    clearSeat() {
      stopHeartbeat();
      seatMemory.setSeat(null);
      attempt.setState({ attemptId: null, candidateToken: null, content: null, candidate: null, view: null, screen: options.kiosk ? 'waiting' : 'staff', partId: null, itemId: null, flags: {}, notice: null, error: null, handedBack: null, authorisation: null, hand: null, waitingForStart: false, hubOffline: false });
      // A room's seat has no invigilator step: it waits for the candidate its hub assigns next.
      if (options.kiosk) void claim();
    },
    dispose() {
      disposed = true;
      if (claimTimer) clearTimeout(claimTimer);
      stopHeartbeat();
      answers.dispose();
    },
  };
  return exam;
}

export const ExamContext = createContext<Exam | null>(null);

export function useExam(): Exam {
  const exam = useContext(ExamContext);
  if (!exam) throw new Error('useExam outside <ExamContext>');
  return exam;
}

export function useAttempt<T>(select: (s: AttemptStoreState) => T): T {
  return useStore(useExam().attempt, select);
}
export function useAnswers<T>(select: (s: AnswersState) => T): T {
  return useStore(useExam().answers.store, select);
}
export function useAudio<T>(select: (s: AudioStoreState) => T): T {
  return useStore(useExam().audio, select);
}
export function useTimers<T>(select: (s: TimerStoreState) => T): T {
  return useStore(useExam().timer, select);
}
