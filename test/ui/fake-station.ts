// The third implementation of StationApi (after the service over IPC and over HTTP): in memory, for
// component tests. It keeps the station's rules that the UI relies on (a save is acknowledged once per
// clientSaveId, an answer must fit its item and its part must be running, plays are counted and
// refused beyond the limit and the audio leaves once per play, a play whose audio failed to start is
// handed back under the station's rule (src-shared/rules/plays.ts), part timers start and end, a speaking
// take is limited, stored in order and refuses segments once closed, the identity can be declined
// only before any part began and that ends the screen's token, a paused part keeps its time and
// refuses plays, new takes, ending it and, after a grace, saves; one chief invigilator signs in and
// out with a username and password; the console's account administration and audit are the real
// station's only) and can be switched to stop
// acknowledging, as a station that hangs or has gone away. pause() and resume() are the invigilator's,
// advance() moves its clock on. test/station/fake-vs-service.test.ts runs
// one table of scenarios against this fake and against the real StationService, so the two agree.
// It runs in the page (jsdom) and in Node alike.
import { canonicalJson } from '../../src-shared/canonical-json.ts';
import { isAnswered, responseMismatch } from '../../src-shared/content/responses.ts';
import { CONTENT_FORMAT_VERSION, ExamContent, findItem, findStimulus, referencedMedia } from '../../src-shared/content/schema.ts';
import { StationError } from '../../src-shared/errors.ts';
import { rightsOf } from '../../src-shared/rules/staff.ts';
import { playReturn, type PlayRecord } from '../../src-shared/rules/plays.ts';
import { takesUsed, type TakeInterruption } from '../../src-shared/rules/takes.ts';
import { deriveTimer, type TimerEvent } from '../../src-shared/rules/timer.ts';
import type { IncidentKind } from '../../src-shared/contracts/events.ts';
import type { AttemptView, StationApi, StationInput, StationOutput } from '../../src-shared/contracts/station-api.ts';
import { StationUnreachable } from '../../src-renderer/station/client.ts';

export const ATTEMPT_ID = '6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b';
export const PACKAGE_ID = '0b5e8f5a-1111-4222-8333-944455556666';
export const CANDIDATE_TOKEN = 'fake-candidate-token-0123456789abcdefghij';
/** What a screen holds once the invigilator opened the attempt for it. */
export const SEAT = { attemptId: ATTEMPT_ID, candidateToken: CANDIDATE_TOKEN };
/** The fake's one staff account, a chief invigilator. */
export const STAFF = { username: 'vaditajs', password: 'Eksamens-2026' } as const;
const STAFF_TOKEN = 'staff-token-for-tests-000';
/** The bytes of the listening audio media/a1.opus (the real station's test package carries the same). */
export const LISTENING_AUDIO = new Uint8Array([79, 103, 103, 83, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8]);

/**
 * The small test the fake serves, as its author writes it (answers on the objective items): a
 * listening part with a play-limited recording, a writing part and a speaking part with two takes.
 * The real station in the scenario table is given a package built from exactly this source.
 */
export function testExamSource(overrides: { pastePolicy?: 'allow' | 'block' } = {}): Record<string, unknown> {
  return {
    formatVersion: CONTENT_FORMAT_VERSION,
    examId: 'ui-test',
    kind: 'state-language',
    level: { level: 'A', degree: 2 },
    language: 'lv',
    title: 'Mazais tests',
    pastePolicy: overrides.pastePolicy ?? 'block',
    parts: [
      {
        id: 'p-l',
        kind: 'listening',
        title: 'Klausīšanās',
        timeLimitSeconds: 600,
        tasks: [
          {
            id: 't-l1',
            title: 'Paziņojums',
            stimuli: [{ type: 'audio', id: 'a1', media: 'media/a1.opus', playLimit: 2, durationSeconds: 10 }],
            items: [
              { id: 'l-q1', type: 'single-choice', prompt: 'Uz kurieni?', points: 1, options: [{ id: 'a', text: 'Uz Rīgu' }, { id: 'b', text: 'Uz Cēsīm' }], answer: 'a' },
              { id: 'l-q2', type: 'true-false-not-given', statement: 'Vilciens kavējas.', points: 1, answer: 'true' },
              { id: 'l-q3', type: 'short-text', prompt: 'Kas jāņem līdzi?', points: 1, maxLength: 40, answer: ['pasi', 'pase'] },
            ],
          },
        ],
      },
      {
        id: 'p-w',
        kind: 'writing',
        title: 'Rakstīšana',
        timeLimitSeconds: 900,
        tasks: [{ id: 't-w1', title: 'Īsziņa', items: [{ id: 'w-q1', type: 'extended-writing', prompt: 'Jūsu īsziņa:', points: 4, minWords: 3, maxWords: 5 }] }],
      },
      {
        id: 'p-s',
        kind: 'speaking',
        title: 'Runāšana',
        timeLimitSeconds: 600,
        tasks: [
          {
            id: 't-s1',
            title: 'Par sevi',
            items: [{ id: 's-q1', type: 'speaking', prompt: 'Pastāstiet par savu ģimeni.', points: 5, preparationSeconds: 2, responseSeconds: 5, recordingsAllowed: 2 }],
          },
        ],
      },
    ],
  };
}

/** The test as a venue gets it: the source without its answers. */
export function testContent(overrides: { pastePolicy?: 'allow' | 'block' } = {}): ExamContent {
  return ExamContent.parse(testExamSource(overrides));
}

type Mode = 'up' | 'hang' | 'unreachable';

interface Revision {
  itemId: string;
  value: StationInput<'saveResponse'>['value'];
  clientSaveId: string;
  revision: number;
  savedAt: string;
  seq: number;
}

/** A speaking take as the fake holds it. */
export interface FakeTake {
  recordingId: string;
  itemId: string;
  take: number;
  mimeType: string;
  segments: { data: Uint8Array; sha256: string; durationMs: number }[];
  closed: boolean;
  interruption: TakeInterruption | null;
  sha256: string | null;
}

export async function sha256Hex(data: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new Uint8Array(data));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

type TimerStatus = StationOutput<'getTimer'>['status'];

/** The timer actions a candidate may take, from the states the station allows them in. */
const CANDIDATE_TIMER_FROM: Record<'start' | 'end', TimerStatus[]> = {
  start: ['not-started'],
  end: ['running', 'expired'],
};

/** The invigilator's timer actions, from the states the station allows them in. */
const STAFF_TIMER_FROM: Record<StationInput<'staffTimerEvent'>['kind'], TimerStatus[]> = {
  pause: ['running'],
  resume: ['paused'],
  extend: ['not-started', 'running', 'paused', 'expired'],
  credit: ['not-started', 'running', 'paused', 'expired'],
  end: ['running', 'paused', 'expired'],
};

/** A save on its way when the invigilator paused is still taken this long after (the station's DEADLINE_GRACE_MS). */
export const PAUSE_GRACE_MS = 5000;

export class FakeStation implements StationApi {
  content: ExamContent;
  mode: Mode = 'up';
  status: 'open' | 'submitted' = 'open';
  /** Every saveResponse call as it arrived, acknowledged or not. */
  readonly saveCalls: StationInput<'saveResponse'>[] = [];
  readonly revisions: Revision[] = [];
  /** Plays that count (granted, not handed back), by stimulus id; a test may set plays used before the screen loaded. */
  plays = new Map<string, number>();
  /** Every play granted through this fake, by stimulus id, for the hand-back rule. */
  private granted = new Map<string, PlayRecord[]>();
  /** Granted plays whose audio has not been fetched yet: their numbers, by stimulus id. */
  private unfetched = new Map<string, number[]>();
  /** Every returnAudioPlay call as it arrived. */
  readonly returnCalls: StationInput<'returnAudioPlay'>[] = [];
  /** How far this station's clock is ahead of the machine's (advance()). */
  private offsetMs = 0;
  /** Speaking takes in the order they were started. */
  readonly takes: FakeTake[] = [];
  /** Every appendAudioSegment call as it arrived. */
  readonly segmentCalls: StationInput<'appendAudioSegment'>[] = [];
  position: { partId: string | null; itemId: string | null } = { partId: null, itemId: null };
  /** The grace for saves after a pause; a test sets 0 for a save that arrives after it. */
  pauseGraceMs = PAUSE_GRACE_MS;
  timers = new Map<string, TimerEvent[]>();
  private seq = 0;
  private hung: { reject: (e: Error) => void }[] = [];

  /** The candidate on the roster; a test gives a pupil at a centralized exam no level. */
  candidate: StationOutput<'getCandidate'> = {
    candidateId: 'C-1',
    sessionId: 'DEMO-ui-test',
    givenName: 'Anna',
    familyName: 'Bērziņa',
    maskedPersonalCode: '15****-***40',
    level: 'A2',
    attendance: 'present',
    accommodation: null,
  };

  constructor(content: ExamContent = testContent()) {
    this.content = content;
  }

  /** The station's clock. */
  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Let `ms` pass on the station's clock. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  /** The station comes back: calls that hung fail (as a reset connection does) and new calls succeed. */
  comeBack(): void {
    this.mode = 'up';
    for (const h of this.hung.splice(0)) h.reject(new StationUnreachable('connection reset'));
  }

  private async gate(): Promise<void> {
    if (this.mode === 'unreachable') throw new StationUnreachable('station did not answer');
    if (this.mode === 'hang') await new Promise<void>((_resolve, reject) => this.hung.push({ reject }));
  }

  private timer(partId: string): StationOutput<'getTimer'> {
    const part = this.content.parts.find((p) => p.id === partId);
    if (!part) throw new StationError('NOT_FOUND', `part ${partId}`);
    return deriveTimer(part.timeLimitSeconds * 1000, this.timers.get(partId) ?? [], this.now());
  }

  /** The token the station holds for the attempt; another screen opening it changes it (moved()), declining the identity ends it (null). */
  token: string | null = CANDIDATE_TOKEN;
  /** Incidents recorded, in order (the candidate's screen records one when it declines the identity). */
  readonly incidents: { kind: IncidentKind; attemptId: string; note: string }[] = [];

  /** The invigilator opened the attempt on another screen: this screen's token stops working. */
  moved(): void {
    this.token = 'another-screen-token-0123456789abcdefghijk';
  }

  /** The hub moved the candidate to another seat (move-out): every candidate call is ATTEMPT_MOVED. */
  movedOut = false;

  /** The station's rule: a candidate call names an attempt it knows and carries the token the screen was given. */
  private seat(input: { attemptId: string; candidateToken: string }): void {
    if (input.attemptId !== ATTEMPT_ID) throw new StationError('NOT_FOUND', `attempt ${input.attemptId}`);
    if (input.candidateToken !== this.token) throw new StationError('CANDIDATE_TOKEN_WRONG');
    if (this.movedOut) throw new StationError('ATTEMPT_MOVED');
  }

  private requireOpen(): void {
    if (this.status !== 'open') throw new StationError('ATTEMPT_CLOSED', `attempt ${ATTEMPT_ID} is ${this.status}`);
  }

  private take(recordingId: string): FakeTake {
    const take = this.takes.find((t) => t.recordingId === recordingId);
    if (!take) throw new StationError('NOT_FOUND', `recording ${recordingId}`);
    return take;
  }

  private async closeTake(take: FakeTake, interruption: TakeInterruption | null): Promise<StationOutput<'closeRecording'>> {
    const audio = concat(take.segments.map((s) => s.data));
    if (!take.closed) {
      take.sha256 = await sha256Hex(audio);
      take.closed = true;
      take.interruption = interruption;
    }
    return { recordingId: take.recordingId, segmentCount: take.segments.length, durationMs: durationOf(take), sha256: take.sha256!, bytes: audio.byteLength };
  }

  private view(): AttemptView {
    const latest = new Map<string, Revision>();
    for (const r of this.revisions) latest.set(r.itemId, r);
    return {
      attemptId: ATTEMPT_ID,
      candidateId: 'C-1',
      packageId: PACKAGE_ID,
      status: this.status,
      openedAt: new Date(0).toISOString(),
      position: this.position,
      responses: [...latest.values()].sort((a, b) => (a.itemId < b.itemId ? -1 : 1)).map((r) => ({ itemId: r.itemId, revision: r.revision, value: r.value, savedAt: r.savedAt })),
      parts: this.content.parts.map((p) => {
        const timer = this.timer(p.id);
        const items = p.tasks.flatMap((t) => t.items);
        const answered = items.filter((i) => isAnswered(i, latest.get(i.id)?.value)).length;
        return { partId: p.id, title: p.title, timer, submitted: timer.status === 'ended', items: items.length, answered };
      }),
      // As the station's: a recording none of whose plays counts is not named.
      audioPlays: Object.fromEntries([...this.plays].filter(([, n]) => n > 0)),
      recordings: [...this.takes]
        .sort((a, b) => (a.itemId === b.itemId ? a.take - b.take : a.itemId < b.itemId ? -1 : 1))
        .map((t) => ({
          recordingId: t.recordingId,
          itemId: t.itemId,
          take: t.take,
          segmentCount: t.segments.length,
          durationMs: durationOf(t),
          closed: t.closed,
          interrupted: t.interruption !== null,
          interruption: t.interruption,
          sha256: t.sha256,
        })),
    };
  }

  async getStatus(): Promise<StationOutput<'getStatus'>> {
    return { deviceId: 'fake', role: 'solo', appVersion: 'test', schemaVersion: 0, lastSeq: this.seq, staffSetUp: true };
  }
  /** Whether the chief is signed in (the fake has one screen and one session at a time). */
  signedIn = false;
  private staffSession(): StationOutput<'getStaffSession'> {
    const roles = ['chief-invigilator' as const];
    return {
      account: { accountId: '7d0c4f1e-2b3a-4c5d-8e9f-a0b1c2d3e4f5', username: STAFF.username, displayName: 'Demo Vadītājs', roles, disabled: false, mustChangePassword: false, hasPin: false, createdBy: '(it-policy)', createdAt: new Date(0).toISOString() },
      rights: rightsOf(roles),
      expiresAt: new Date(this.now() + 8 * 3600_000).toISOString(),
      locked: false,
      lockAfterMs: 5 * 60_000,
      mustChangePassword: false,
    };
  }
  private requireSession(staffToken: string): void {
    if (!this.signedIn || staffToken !== STAFF_TOKEN) throw new StationError('STAFF_REQUIRED');
  }
  async staffSignIn(input: StationInput<'staffSignIn'>): Promise<StationOutput<'staffSignIn'>> {
    if (input.username.toLowerCase() !== STAFF.username || input.password !== STAFF.password) throw new StationError('STAFF_SIGN_IN_WRONG');
    this.signedIn = true;
    const session = this.staffSession();
    return { staffToken: STAFF_TOKEN, expiresAt: session.expiresAt, session };
  }
  async staffSignOut(input: StationInput<'staffSignOut'>): Promise<StationOutput<'staffSignOut'>> {
    this.requireSession(input.staffToken);
    this.signedIn = false;
    return { ok: true };
  }
  async getStaffSession(input: StationInput<'getStaffSession'>): Promise<StationOutput<'getStaffSession'>> {
    this.requireSession(input.staffToken);
    return this.staffSession();
  }
  // The console's methods: the fake serves the candidate's screen and the staff step only.
  private notInFake(method: string): never {
    throw new StationError('NOT_FOUND', `the fake station has no ${method}`);
  }
  async setUpFirstChief(): Promise<StationOutput<'setUpFirstChief'>> {
    throw new StationError('STAFF_ALREADY_SET_UP');
  }
  async staffLock(): Promise<StationOutput<'staffLock'>> {
    return this.notInFake('staffLock');
  }
  async staffUnlock(): Promise<StationOutput<'staffUnlock'>> {
    return this.notInFake('staffUnlock');
  }
  async changeOwnPassword(): Promise<StationOutput<'changeOwnPassword'>> {
    return this.notInFake('changeOwnPassword');
  }
  async setOwnPin(): Promise<StationOutput<'setOwnPin'>> {
    return this.notInFake('setOwnPin');
  }
  async listStaffAccounts(): Promise<StationOutput<'listStaffAccounts'>> {
    return this.notInFake('listStaffAccounts');
  }
  async createStaffAccount(): Promise<StationOutput<'createStaffAccount'>> {
    return this.notInFake('createStaffAccount');
  }
  async disableStaffAccount(): Promise<StationOutput<'disableStaffAccount'>> {
    return this.notInFake('disableStaffAccount');
  }
  async enableStaffAccount(): Promise<StationOutput<'enableStaffAccount'>> {
    return this.notInFake('enableStaffAccount');
  }
  async grantStaffRole(): Promise<StationOutput<'grantStaffRole'>> {
    return this.notInFake('grantStaffRole');
  }
  async withdrawStaffRole(): Promise<StationOutput<'withdrawStaffRole'>> {
    return this.notInFake('withdrawStaffRole');
  }
  async resetStaffPassword(): Promise<StationOutput<'resetStaffPassword'>> {
    return this.notInFake('resetStaffPassword');
  }
  async listAudit(): Promise<StationOutput<'listAudit'>> {
    return this.notInFake('listAudit');
  }
  async verifyAudit(): Promise<StationOutput<'verifyAudit'>> {
    return this.notInFake('verifyAudit');
  }
  async importPackage(): Promise<StationOutput<'importPackage'>> {
    throw new StationError('FILE_UNREADABLE');
  }
  async listPackages(): Promise<StationOutput<'listPackages'>> {
    return [{ packageId: PACKAGE_ID, examId: 'ui-test', examVersion: 1, title: this.content.title, venue: 'DEMO01', validFrom: '', validUntil: '', importedAt: '', unlocked: false }];
  }
  async unlockPackage(): Promise<StationOutput<'unlockPackage'>> {
    return { ...(await this.listPackages())[0]!, unlocked: true };
  }
  async declineIdentity(input: StationInput<'declineIdentity'>): Promise<StationOutput<'declineIdentity'>> {
    this.seat(input);
    await this.gate();
    this.requireOpen();
    const begun = this.content.parts.filter((p) => this.timer(p.id).status !== 'not-started');
    if (begun.length > 0) throw new StationError('ATTEMPT_STARTED', `${begun.map((p) => p.id).join(', ')} begun`);
    this.incidents.push({ kind: 'candidate-identity', attemptId: ATTEMPT_ID, note: `declined: ${input.reason}` });
    // No screen holds a token now: the attempt waits, open and not started, to be opened again.
    this.token = null;
    this.seq += 1;
    return { incidentId: crypto.randomUUID(), at: new Date().toISOString() };
  }
  async getExamContent(input: StationInput<'getExamContent'>): Promise<StationOutput<'getExamContent'>> {
    this.seat(input);
    await this.gate();
    this.requireOpen();
    return this.content;
  }
  async getMedia(input: StationInput<'getMedia'>): Promise<StationOutput<'getMedia'>> {
    this.seat(input);
    this.requireOpen();
    if (!referencedMedia(this.content).includes(input.path)) throw new StationError('NOT_FOUND', input.path);
    // The audio of a play-limited stimulus leaves once per granted play.
    const stimuli = this.content.parts.flatMap((p) => p.tasks.flatMap((t) => t.stimuli.filter((s) => s.type === 'audio' && s.media === input.path).map((s) => s.id)));
    if (stimuli.length > 0) {
      const granted = stimuli.find((id) => (this.unfetched.get(id)?.length ?? 0) > 0);
      if (granted === undefined) throw new StationError('MEDIA_NOT_GRANTED', `${input.path}: no granted play is waiting for it`);
      this.unfetched.get(granted)!.shift();
    }
    return { mimeType: input.path.endsWith('.opus') ? 'audio/ogg; codecs=opus' : 'application/octet-stream', data: new Uint8Array(LISTENING_AUDIO) };
  }
  async listCandidates(): Promise<StationOutput<'listCandidates'>> {
    return [await this.getCandidate()];
  }
  /** Opening the attempt (again) on this screen resumes it and hands the screen the token. */
  async openAttempt(): Promise<StationOutput<'openAttempt'>> {
    this.token = CANDIDATE_TOKEN;
    return { ...this.view(), candidateToken: CANDIDATE_TOKEN };
  }
  async staffTimerEvent(input: StationInput<'staffTimerEvent'>): Promise<StationOutput<'staffTimerEvent'>> {
    const status = this.timer(input.partId).status;
    this.requireOpen();
    if (!STAFF_TIMER_FROM[input.kind].includes(status)) throw new StationError('TIMER_TRANSITION', `cannot ${input.kind} a part that is ${status}`);
    if ((input.kind === 'extend' || input.kind === 'credit') && !input.amountMs) throw new StationError('VALIDATION_FAILED', `${input.kind} needs amountMs`);
    this.timers.set(input.partId, [...(this.timers.get(input.partId) ?? []), { kind: input.kind, at: this.now(), amountMs: input.amountMs ?? null }]);
    this.seq += 1;
    return this.timer(input.partId);
  }

  /** The invigilator's latest message from the hub (a room command), as the seat's station keeps it. */
  roomMessage: { id: string; text: string; at: number } | null = null;
  /** The invigilator locked the seat from the hub (the screen is covered; nothing new begins). */
  locked: { reason: string | null; at: number } | null = null;

  private requireUnlocked(): void {
    if (this.locked) throw new StationError('SEAT_LOCKED', this.locked.reason ?? undefined);
  }

  /** The invigilator pauses the part (as from their desk). */
  pause(partId: string): Promise<StationOutput<'staffTimerEvent'>> {
    return this.staffTimerEvent({ staffToken: STAFF_TOKEN, attemptId: ATTEMPT_ID, partId, kind: 'pause' });
  }

  /** The invigilator resumes the part. */
  resume(partId: string): Promise<StationOutput<'staffTimerEvent'>> {
    return this.staffTimerEvent({ staffToken: STAFF_TOKEN, attemptId: ATTEMPT_ID, partId, kind: 'resume' });
  }
  async getCandidate(): Promise<StationOutput<'getCandidate'>> {
    return this.candidate;
  }
  async finishAttempt(input: StationInput<'finishAttempt'>): Promise<StationOutput<'finishAttempt'>> {
    this.seat(input);
    if (this.status === 'submitted') return this.view();
    const unfinished = this.content.parts.filter((p) => this.timer(p.id).status !== 'ended');
    if (unfinished.length > 0) throw new StationError('ATTEMPT_UNFINISHED', unfinished.map((p) => p.id).join(', '));
    // A take the end cut off is closed with its audio before the attempt is submitted.
    for (const take of this.takes.filter((t) => !t.closed)) await this.closeTake(take, 'submitted');
    this.status = 'submitted';
    this.seq += 1;
    return this.view();
  }
  async getAttempt(input: StationInput<'getAttempt'>): Promise<StationOutput<'getAttempt'>> {
    this.seat(input);
    await this.gate();
    return this.view();
  }
  async setPosition(input: StationInput<'setPosition'>): Promise<StationOutput<'setPosition'>> {
    await this.gate();
    this.seat(input);
    this.requireOpen();
    this.position = { partId: input.partId, itemId: input.itemId };
    return { ok: true };
  }
  async saveResponse(input: StationInput<'saveResponse'>): Promise<StationOutput<'saveResponse'>> {
    this.saveCalls.push(input);
    this.seat(input);
    await this.gate();
    // A retried save (same clientSaveId, same answer) gets the acknowledgement it already had, whatever
    // has happened since; the same id with another answer is refused.
    const earlier = this.revisions.find((r) => r.clientSaveId === input.clientSaveId);
    if (earlier) {
      if (earlier.itemId !== input.itemId || canonicalJson(earlier.value) !== canonicalJson(input.value)) throw new StationError('SAVE_ID_REUSED');
      return { itemId: earlier.itemId, revision: earlier.revision, savedAt: earlier.savedAt, seq: earlier.seq };
    }
    this.requireOpen();
    const found = findItem(this.content, input.itemId);
    if (!found) throw new StationError('ITEM_UNKNOWN', input.itemId);
    const mismatch = responseMismatch(found.item, input.value);
    if (mismatch) throw new StationError('RESPONSE_SHAPE', mismatch);
    const timer = this.timer(found.part.id);
    const status = timer.status;
    if (status === 'ended') throw new StationError('ATTEMPT_CLOSED', `part ${found.part.id} has ended`);
    if (status === 'not-started') throw new StationError('PART_NOT_STARTED', found.part.id);
    // A save on its way when the invigilator paused is still taken; then nothing until the resume.
    if (status === 'paused' && this.now() - (timer.pausedAt ?? 0) > this.pauseGraceMs) throw new StationError('PART_PAUSED', found.part.id);
    const revision = this.revisions.filter((r) => r.itemId === input.itemId).length + 1;
    const saved: Revision = { itemId: input.itemId, value: input.value, clientSaveId: input.clientSaveId, revision, savedAt: new Date().toISOString(), seq: (this.seq += 1) };
    this.revisions.push(saved);
    return { itemId: saved.itemId, revision, savedAt: saved.savedAt, seq: saved.seq };
  }
  async startRecording(input: StationInput<'startRecording'>): Promise<StationOutput<'startRecording'>> {
    this.seat(input);
    await this.gate();
    this.requireUnlocked();
    this.requireOpen();
    const found = findItem(this.content, input.itemId);
    if (!found || found.item.type !== 'speaking') throw new StationError('ITEM_UNKNOWN', `${input.itemId} is not a speaking item of this test`);
    const status = this.timer(found.part.id).status;
    if (status === 'ended') throw new StationError('ATTEMPT_CLOSED', `part ${found.part.id} has ended`);
    if (status === 'not-started') throw new StationError('PART_NOT_STARTED', found.part.id);
    // A take already under way may finish; a new one waits for the resume.
    if (status === 'paused') throw new StationError('PART_PAUSED', found.part.id);
    const earlier = this.takes.filter((t) => t.itemId === input.itemId);
    // A take left unfinished was cut off by the seat (a reload): it is closed with what it has. This
    // fake never restarts, so no take is ever cut off by the station.
    const unfinished = earlier.filter((t) => !t.closed);
    const used = takesUsed(earlier.map((t) => ({ interruption: t.closed ? t.interruption : 'seat-restart' })));
    if (used >= found.item.recordingsAllowed) throw new StationError('RECORDING_LIMIT', `${used} of ${found.item.recordingsAllowed} used`);
    for (const take of unfinished) await this.closeTake(take, 'seat-restart');
    const take: FakeTake = { recordingId: crypto.randomUUID(), itemId: input.itemId, take: earlier.length + 1, mimeType: input.mimeType, segments: [], closed: false, interruption: null, sha256: null };
    this.takes.push(take);
    this.seq += 1;
    const interruptedTake = unfinished[unfinished.length - 1]?.take;
    return interruptedTake === undefined ? { recordingId: take.recordingId, take: take.take, segmentCount: 0 } : { recordingId: take.recordingId, take: take.take, segmentCount: 0, interruptedTake };
  }
  async appendAudioSegment(input: StationInput<'appendAudioSegment'>): Promise<StationOutput<'appendAudioSegment'>> {
    this.segmentCalls.push(input);
    this.seat(input);
    await this.gate();
    if ((await sha256Hex(input.data)) !== input.sha256) throw new StationError('SEGMENT_HASH_MISMATCH', `segment ${input.index}`);
    const take = this.take(input.recordingId);
    const ack = (duplicate: boolean): StationOutput<'appendAudioSegment'> => ({ recordingId: take.recordingId, index: input.index, segmentCount: take.segments.length, durationMs: durationOf(take), duplicate });
    // A resend of a stored segment is acknowledged again; other content under its index, or a gap, is refused.
    const stored = take.segments[input.index];
    if (stored) {
      if (stored.sha256 === input.sha256) return ack(true);
      throw new StationError('SEGMENT_OUT_OF_ORDER', `segment ${input.index} is already stored with other content`);
    }
    if (take.closed) throw new StationError('RECORDING_CLOSED', take.recordingId);
    if (input.index > take.segments.length) throw new StationError('SEGMENT_OUT_OF_ORDER', `expected segment ${take.segments.length}, got ${input.index}`);
    this.requireOpen();
    take.segments.push({ data: new Uint8Array(input.data), sha256: input.sha256, durationMs: input.durationMs });
    this.seq += 1;
    return ack(false);
  }
  async closeRecording(input: StationInput<'closeRecording'>): Promise<StationOutput<'closeRecording'>> {
    this.seat(input);
    await this.gate();
    const take = this.take(input.recordingId);
    if (!take.closed) this.requireOpen();
    if (!take.closed && input.segmentCount !== undefined && take.segments.length < input.segmentCount) {
      throw new StationError('RECORDING_INCOMPLETE', `${take.segments.length} of ${input.segmentCount} segments are stored`);
    }
    return this.closeTake(take, null);
  }
  async grantAudioPlay(input: StationInput<'grantAudioPlay'>): Promise<StationOutput<'grantAudioPlay'>> {
    this.seat(input);
    await this.gate();
    this.requireUnlocked();
    const found = findStimulus(this.content, input.stimulusId);
    if (!found || found.stimulus.type !== 'audio') throw new StationError('NOT_FOUND', `audio ${input.stimulusId}`);
    const playLimit = found.stimulus.playLimit;
    this.requireOpen();
    const status = this.timer(found.part.id).status;
    if (status !== 'running') throw new StationError(status === 'not-started' ? 'PART_NOT_STARTED' : status === 'paused' ? 'PART_PAUSED' : 'ATTEMPT_CLOSED', found.part.id);
    const used = this.plays.get(input.stimulusId) ?? 0;
    if (used >= playLimit) throw new StationError('PLAY_LIMIT', `${used} of ${playLimit} plays used`);
    const log = this.granted.get(input.stimulusId) ?? [];
    // Numbers stay unique: one above the highest granted, handed-back ones too.
    const play = Math.max(used, ...log.map((p) => p.play)) + 1;
    this.granted.set(input.stimulusId, [...log, { play, grantedAt: this.now(), returned: false }]);
    this.plays.set(input.stimulusId, used + 1);
    this.unfetched.set(input.stimulusId, [...(this.unfetched.get(input.stimulusId) ?? []), play]);
    this.seq += 1;
    return { stimulusId: input.stimulusId, play, playLimit, remaining: playLimit - used - 1 };
  }
  async returnAudioPlay(input: StationInput<'returnAudioPlay'>): Promise<StationOutput<'returnAudioPlay'>> {
    this.returnCalls.push(input);
    this.seat(input);
    await this.gate();
    const found = findStimulus(this.content, input.stimulusId);
    if (!found || found.stimulus.type !== 'audio') throw new StationError('NOT_FOUND', `audio ${input.stimulusId}`);
    const playLimit = found.stimulus.playLimit;
    this.requireOpen();
    const status = this.timer(found.part.id).status;
    if (status !== 'running' && status !== 'paused') throw new StationError(status === 'not-started' ? 'PART_NOT_STARTED' : 'ATTEMPT_CLOSED', found.part.id);
    const log = this.granted.get(input.stimulusId) ?? [];
    const decided = playReturn(log, input.play, this.now());
    if (decided.verdict === 'refused') throw new StationError('PLAY_NOT_RETURNABLE', decided.why);
    if (decided.verdict === 'return') {
      this.granted.set(input.stimulusId, log.map((p) => (p.play === input.play ? { ...p, returned: true } : p)));
      this.plays.set(input.stimulusId, (this.plays.get(input.stimulusId) ?? 1) - 1);
      this.unfetched.set(input.stimulusId, (this.unfetched.get(input.stimulusId) ?? []).filter((n) => n !== input.play));
      this.seq += 1;
    }
    return { stimulusId: input.stimulusId, play: input.play, playLimit, remaining: playLimit - (this.plays.get(input.stimulusId) ?? 0) };
  }
  async recordTimerEvent(input: StationInput<'recordTimerEvent'>): Promise<StationOutput<'recordTimerEvent'>> {
    await this.gate();
    this.seat(input);
    this.requireUnlocked();
    const status = this.timer(input.partId).status;
    this.requireOpen();
    // A paused part is the invigilator's until they resume it: the candidate cannot end it.
    if (input.kind === 'end' && status === 'paused') throw new StationError('PART_PAUSED', input.partId);
    if (!CANDIDATE_TIMER_FROM[input.kind].includes(status)) throw new StationError('TIMER_TRANSITION', `cannot ${input.kind} a part that is ${status}`);
    this.timers.set(input.partId, [...(this.timers.get(input.partId) ?? []), { kind: input.kind, at: this.now() }]);
    this.seq += 1;
    return this.timer(input.partId);
  }
  async seatHeartbeat(input: StationInput<'seatHeartbeat'>): Promise<StationOutput<'seatHeartbeat'>> {
    await this.gate();
    this.seat(input);
    return { parts: this.content.parts.map((p) => ({ partId: p.id, timer: this.timer(p.id) })), creditedMs: 0, serverTime: this.now(), roomMessage: this.roomMessage, locked: this.locked };
  }
  async getTimer(input: StationInput<'getTimer'>): Promise<StationOutput<'getTimer'>> {
    this.seat(input);
    return this.timer(input.partId);
  }
  async readOutbox(): Promise<StationOutput<'readOutbox'>> {
    return [];
  }
  // The candidate's screens run on a solo station here: no room around it, as StationService without one.
  async getRoom(): Promise<StationOutput<'getRoom'>> {
    return { role: 'solo', notice: 'a solo station has no room', hub: null, seat: null };
  }
  async openPairing(): Promise<StationOutput<'openPairing'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async closePairing(): Promise<StationOutput<'closePairing'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async revokeSeat(_input?: StationInput<'revokeSeat'>): Promise<StationOutput<'revokeSeat'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async pairWithHub(): Promise<StationOutput<'pairWithHub'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async moveCandidate(_input?: StationInput<'moveCandidate'>): Promise<StationOutput<'moveCandidate'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async markAttendance(): Promise<StationOutput<'markAttendance'>> {
    return this.getCandidate();
  }
  async recordIncident(): Promise<StationOutput<'recordIncident'>> {
    return { incidentId: '7d1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5c', at: new Date().toISOString() };
  }

  /** Put the attempt in a part that has begun, on an item, as after a reload. */
  inPart(partId: string, itemId: string): this {
    this.timers.set(partId, [{ kind: 'start', at: this.now() }]);
    this.position = { partId, itemId };
    for (const p of this.content.parts) {
      if (p.id === partId) break;
      this.timers.set(p.id, [
        { kind: 'start', at: this.now() - 1000 },
        { kind: 'end', at: this.now() - 500 },
      ]);
    }
    return this;
  }
}

function durationOf(take: FakeTake): number {
  return take.segments.reduce((ms, s) => ms + s.durationMs, 0);
}
