// The third implementation of StationApi (after the service over IPC and over HTTP): in memory, for
// component tests. It keeps the station's rules that the UI relies on (a save is acknowledged once per
// clientSaveId, an answer must fit its item and its part must be running, plays are counted and
// refused beyond the limit and the audio leaves once per play, a play whose audio failed to start is
// handed back under the station's rule (src-shared/rules/plays.ts), part timers start and end, a speaking
// take is limited, stored in order and refuses segments once closed, the identity can be declined
// only before any part began and that ends the screen's token, a paused part keeps its time and
// refuses plays, new takes, ending it and, after a grace, saves; one chief invigilator signs in and
// out with a username and password; check-in needs both checks before "present", and seating refuses
// as the station does (unchecked, absent or removed candidates, unknown, unpaired or silent seats, a
// taken seat, a candidate seated already); a room's seat hands its kiosk the assigned candidate once and
// holds the first part until the invigilator authorised them; the console's account administration and
// audit are the real station's only); it locks and is unlocked with a PIN (the third wrong one ends the
// session); a package upload takes its chunks in order and a chunk sent again once, and ends in an
// import job that refuses a file that is not a package, as files on removable media do; the hub's link
// to the centre (`central`, any state a test assigns: enrolled or not, work to send, transfers, a last
// problem, revoked, sessions and receipts) with enrolment by one code, a sync pass that a test can hold,
// a session's purge (only once complete), removable drives with an export and an import of the centre's
// receipts (`usbDrives`, `waitingForAudio`, `usbImport`; a drive taken away is USB_DRIVE_GONE; held by `holdCentreWork`),
// and the rights table's central.sync and central.enrol for the roles a test gives (`staffRoles`); and it can be switched to stop
// acknowledging, as a station that hangs or has gone away. pause() and resume() are the invigilator's,
// advance() moves its clock on. test/station/fake-vs-service.test.ts runs
// one table of scenarios against this fake and against the real StationService, so the two agree.
// It runs in the page (jsdom) and in Node alike.
import { canonicalJson } from '../../src-shared/canonical-json.ts';
import { isAnswered, responseMismatch } from '../../src-shared/content/responses.ts';
import { CONTENT_FORMAT_VERSION, ExamContent, findItem, findStimulus, referencedMedia } from '../../src-shared/content/schema.ts';
import { StationError, type ErrorCode } from '../../src-shared/errors.ts';
import { holdsRight, rightsOf, STAFF_ROLE_NAMES, type StaffRight, type StaffRole } from '../../src-shared/rules/staff.ts';
import { rolesWith } from '../../src-shared/contracts/staff-rights.ts';
import { playReturn, type PlayRecord } from '../../src-shared/rules/plays.ts';
import { takesUsed, type TakeInterruption } from '../../src-shared/rules/takes.ts';
import { deriveTimer, type TimerEvent } from '../../src-shared/rules/timer.ts';
import type { IncidentKind } from '../../src-shared/contracts/events.ts';
import { PACKAGE_CHUNK_BYTES, type AttemptView, type Authorisation, type PackageImportJob, type PackageSource, type RosterRow, type StationApi, type StationInput, type StationOutput } from '../../src-shared/contracts/station-api.ts';
import { parseAccommodations } from '../../src-shared/rules/accommodations.ts';
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
  /** The candidate's registered extra time (per cent), as the station reads the roster. */
  extraTimePercent: number | null = null;
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
      extraTimePercent: this.extraTimePercent,
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

  /** The station's role; a test makes it a seat (with `seatRoom`) for the seat's set-up screen. */
  role: StationOutput<'getStatus'>['role'] = 'solo';
  async getStatus(): Promise<StationOutput<'getStatus'>> {
    return { deviceId: 'fake', role: this.role, appVersion: 'test', schemaVersion: 0, lastSeq: this.seq, staffSetUp: true };
  }
  /** Whether the chief is signed in (the fake has one screen and one session at a time). */
  signedIn = false;
  /** The signed-in person's roles; a test makes them centre staff, IT or an invigilator to see what each may do. */
  staffRoles: StaffRole[] = ['chief-invigilator'];
  private staffSession(): StationOutput<'getStaffSession'> {
    const roles = [...this.staffRoles];
    return {
      account: { accountId: '7d0c4f1e-2b3a-4c5d-8e9f-a0b1c2d3e4f5', username: STAFF.username, displayName: 'Demo Vadītājs', roles, disabled: false, mustChangePassword: false, hasPin: this.pin !== null, createdBy: '(it-policy)', createdAt: new Date(0).toISOString() },
      rights: rightsOf(roles),
      expiresAt: new Date(this.now() + 8 * 3600_000).toISOString(),
      locked: this.staffLocked,
      lockAfterMs: 5 * 60_000,
      mustChangePassword: false,
    };
  }
  private requireSession(staffToken: string): void {
    if (!this.signedIn || staffToken !== STAFF_TOKEN) throw new StationError('STAFF_REQUIRED');
  }
  /** As the station: a signed-in person without the right is refused, naming the roles that would do. */
  private requireRight(staffToken: string, right: StaffRight): void {
    this.requireSession(staffToken);
    if (!holdsRight(this.staffRoles, right)) {
      const names = rolesWith(right).map((r) => STAFF_ROLE_NAMES[r]);
      throw new StationError('STAFF_ROLE_MISSING', `needs ${right}`, { params: { roles: { lv: names.map((n) => n.lv).join(', '), en: names.map((n) => n.en).join(', ') } } });
    }
  }
  async staffSignIn(input: StationInput<'staffSignIn'>): Promise<StationOutput<'staffSignIn'>> {
    if (input.username.toLowerCase() !== STAFF.username || input.password !== STAFF.password) throw new StationError('STAFF_SIGN_IN_WRONG');
    this.signedIn = true;
    this.staffLocked = false;
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
  /** Locked by the person or, as the station does after inactivity, by lockNow(). */
  staffLocked = false;
  /** The chief's PIN (none: unlocking is STAFF_PIN_NOT_SET, as on a station). */
  pin: string | null = null;
  private pinFailures = 0;
  /** The station's inactivity lock, now. */
  lockNow(): void {
    this.staffLocked = true;
  }
  async staffLock(input: StationInput<'staffLock'>): Promise<StationOutput<'staffLock'>> {
    this.requireSession(input.staffToken);
    this.staffLocked = true;
    return { ok: true };
  }
  /** The station's rule: the PIN re-opens the session; the third wrong one ends it. */
  async staffUnlock(input: StationInput<'staffUnlock'>): Promise<StationOutput<'staffUnlock'>> {
    this.requireSession(input.staffToken);
    if (this.pin === null) throw new StationError('STAFF_PIN_NOT_SET');
    if (input.pin !== this.pin) {
      this.pinFailures += 1;
      if (this.pinFailures >= 3) {
        this.signedIn = false;
        this.pinFailures = 0;
        throw new StationError('STAFF_SESSION_ENDED');
      }
      throw new StationError('STAFF_PIN_WRONG');
    }
    this.pinFailures = 0;
    this.staffLocked = false;
    return this.staffSession();
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
  // ---- package import: uploads in chunks and files on removable media, each ending in a job -------
  /** The station's limit on a package file. */
  maxPackageBytes = 1024 * 1024 * 1024;
  /** What listPackageSources finds (a test puts entries here). */
  removable: (PackageSource & { bytes: Uint8Array })[] = [];
  /** Jobs stay running until finishImports() while this is set, so a test sees the progress. */
  holdImports = false;
  private uploads = new Map<string, { bytes: Uint8Array[]; size: number; received: number; hashes: string[]; fileName: string }>();
  private jobs = new Map<string, { view: PackageImportJob; bytes: Uint8Array }>();
  private finishedUploads = new Map<string, string>();
  /** The packages imported through uploads and removable media, by file name. */
  imported: string[] = [];
  private requireOpenSession(staffToken: string): void {
    this.requireSession(staffToken);
    if (this.staffLocked) throw new StationError('STAFF_SESSION_LOCKED');
  }
  async beginPackageUpload(input: StationInput<'beginPackageUpload'>): Promise<StationOutput<'beginPackageUpload'>> {
    this.requireOpenSession(input.staffToken);
    if (input.size > this.maxPackageBytes) throw new StationError('PACKAGE_TOO_LARGE', `${input.size} bytes`);
    this.uploads.clear();
    const uploadId = crypto.randomUUID();
    this.uploads.set(uploadId, { bytes: [], size: input.size, received: 0, hashes: [], fileName: input.fileName.split(/[\\/]/).pop()! });
    return { uploadId, chunkBytes: PACKAGE_CHUNK_BYTES, maxBytes: this.maxPackageBytes };
  }
  private upload(uploadId: string) {
    const upload = this.uploads.get(uploadId);
    if (!upload) throw new StationError('UPLOAD_NOT_FOUND', uploadId);
    return upload;
  }
  async appendPackageChunk(input: StationInput<'appendPackageChunk'>): Promise<StationOutput<'appendPackageChunk'>> {
    this.requireOpenSession(input.staffToken);
    await this.gate();
    const upload = this.upload(input.uploadId);
    const hash = await sha256Hex(input.data);
    if (hash !== input.sha256) throw new StationError('UPLOAD_CHUNK_CHECKSUM_MISMATCH', `chunk ${input.index}`);
    const reply = (duplicate: boolean) => ({ uploadId: input.uploadId, index: input.index, receivedBytes: upload.received, size: upload.size, duplicate });
    const earlier = upload.hashes[input.index];
    if (earlier !== undefined) {
      if (earlier !== hash) throw new StationError('UPLOAD_CHUNK_CONFLICT', `chunk ${input.index}`);
      return reply(true);
    }
    if (input.index !== upload.hashes.length) throw new StationError('UPLOAD_CHUNK_OUT_OF_ORDER', `chunk ${input.index}`);
    if (upload.received + input.data.byteLength > upload.size) throw new StationError('UPLOAD_TOO_LARGE');
    upload.bytes.push(new Uint8Array(input.data));
    upload.hashes.push(hash);
    upload.received += input.data.byteLength;
    return reply(false);
  }
  async cancelPackageUpload(input: StationInput<'cancelPackageUpload'>): Promise<StationOutput<'cancelPackageUpload'>> {
    this.requireOpenSession(input.staffToken);
    this.upload(input.uploadId);
    this.uploads.delete(input.uploadId);
    return { ok: true };
  }
  async finishPackageUpload(input: StationInput<'finishPackageUpload'>): Promise<StationOutput<'finishPackageUpload'>> {
    this.requireOpenSession(input.staffToken);
    // Sent again after a lost reply: the job it already became.
    const earlier = this.jobs.get(this.finishedUploads.get(input.uploadId) ?? '');
    if (earlier) return { ...earlier.view };
    const upload = this.upload(input.uploadId);
    if (upload.received !== upload.size) throw new StationError('UPLOAD_INCOMPLETE', `${upload.received} of ${upload.size}`);
    this.uploads.delete(input.uploadId);
    const bytes = new Uint8Array(upload.size);
    let at = 0;
    for (const chunk of upload.bytes) {
      bytes.set(chunk, at);
      at += chunk.byteLength;
    }
    const job = this.startJob(upload.fileName, bytes);
    this.finishedUploads.set(input.uploadId, job.jobId);
    return job;
  }
  async listPackageSources(input: StationInput<'listPackageSources'>): Promise<StationOutput<'listPackageSources'>> {
    this.requireOpenSession(input.staffToken);
    return this.removable.map(({ bytes: _bytes, ...source }) => source);
  }
  async importPackageSource(input: StationInput<'importPackageSource'>): Promise<StationOutput<'importPackageSource'>> {
    this.requireOpenSession(input.staffToken);
    const source = this.removable.find((s) => s.sourceId === input.sourceId);
    if (!source) throw new StationError('PACKAGE_SOURCE_GONE', input.sourceId);
    return this.startJob(source.fileName, source.bytes);
  }
  /** A job starts running (as the station's does: its first step comes after the reply). */
  private startJob(fileName: string, bytes: Uint8Array): PackageImportJob {
    const view: PackageImportJob = { jobId: crypto.randomUUID(), fileName, state: 'running', doneBytes: 0, totalBytes: bytes.byteLength, result: null, error: null };
    this.jobs.set(view.jobId, { view, bytes });
    return { ...view };
  }
  /**
   * Ends a running job as the station would: a file that is not a package (its first bytes are not
   * the package magic) is PACKAGE_MALFORMED; otherwise the fake's one package is imported.
   */
  private endJob(job: { view: PackageImportJob; bytes: Uint8Array }): void {
    if (job.view.state !== 'running') return;
    const magic = new TextDecoder().decode(job.bytes.subarray(0, 8));
    if (magic !== 'EXSTPKG1') {
      const error = new StationError('PACKAGE_MALFORMED', 'not an exam package');
      Object.assign(job.view, { state: 'failed', error: { code: error.code, message: error.text, detail: 'not an exam package' } });
      return;
    }
    const already = this.imported.includes(job.view.fileName);
    if (!already) this.imported.push(job.view.fileName);
    const summary = { packageId: PACKAGE_ID, examId: 'ui-test', examVersion: 1, title: this.content.title, venue: 'DEMO01', validFrom: '', validUntil: '', importedAt: '', unlocked: false };
    Object.assign(job.view, { state: 'done', doneBytes: job.view.totalBytes, result: { summary, alreadyImported: already } });
  }
  /** Held jobs: half-way now (`finish`: to their end). */
  finishImports(finish = true): void {
    for (const job of this.jobs.values()) {
      if (finish) this.endJob(job);
      else if (job.view.state === 'running') job.view.doneBytes = Math.floor(job.view.totalBytes / 2);
    }
  }
  async getPackageImport(input: StationInput<'getPackageImport'>): Promise<StationOutput<'getPackageImport'>> {
    this.requireOpenSession(input.staffToken);
    const job = this.jobs.get(input.jobId);
    if (!job) throw new StationError('NOT_FOUND', `import ${input.jobId}`);
    if (!this.holdImports) this.endJob(job);
    return { ...job.view };
  }
  async cancelPackageImport(input: StationInput<'cancelPackageImport'>): Promise<StationOutput<'cancelPackageImport'>> {
    this.requireOpenSession(input.staffToken);
    const job = this.jobs.get(input.jobId);
    if (!job) throw new StationError('NOT_FOUND', `import ${input.jobId}`);
    if (job.view.state === 'running') {
      const error = new StationError('IMPORT_CANCELLED');
      Object.assign(job.view, { state: 'cancelled', error: { code: error.code, message: error.text } });
    }
    return { ...job.view };
  }
  /** The trust list in effect: the shipped one (the fake takes no update). */
  trustList: StationOutput<'getTrustList'> = { sequence: 0, issuedAt: null, keys: [{ keyId: 'visc-2026', status: 'active' }] };
  async getTrustList(input: StationInput<'getTrustList'>): Promise<StationOutput<'getTrustList'>> {
    this.requireOpenSession(input.staffToken);
    return this.trustList;
  }
  async applyTrustUpdate(input: StationInput<'applyTrustUpdate'>): Promise<StationOutput<'applyTrustUpdate'>> {
    this.requireOpenSession(input.staffToken);
    throw new StationError('TRUST_UPDATE_INVALID', 'the fake station verifies no signature');
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
    if (this.seatPlan) this.seatPlan.handedBack = true;
    this.seq += 1;
    return { incidentId: crypto.randomUUID(), at: new Date().toISOString() };
  }
  async getExamContent(input: StationInput<'getExamContent'>): Promise<StationOutput<'getExamContent'>> {
    this.seat(input);
    await this.gate();
    this.requireOpen();
    if (this.contentLocked) throw new StationError('PACKAGE_LOCKED');
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

  /** A seat whose room has not started yet (the room's 'start' command has not come): no part begins. */
  waitingForStart = false;
  /** A room's seat without its hub link. */
  hubOffline = false;
  /** The candidate's raised hand, until the invigilator acknowledges it at the hub. */
  hand: { reason: StationInput<'raiseHand'>['reason']; at: number } | null = null;

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
    if (this.contentLocked) throw new StationError('PACKAGE_LOCKED');
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
    if (input.kind === 'start' && this.authorisation === 'needed') throw new StationError('CANDIDATE_NOT_AUTHORISED', input.partId);
    if (input.kind === 'start' && this.waitingForStart) throw new StationError('ROOM_NOT_STARTED', input.partId);
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
    const parts = this.contentLocked ? [] : this.content.parts.map((p) => ({ partId: p.id, timer: this.timer(p.id) }));
    return { parts, creditedMs: 0, serverTime: this.now(), roomMessage: this.roomMessage, locked: this.locked, authorisation: this.authorisation, waitingForStart: this.waitingForStart, hand: this.hand, hubOffline: this.hubOffline };
  }
  async getTimer(input: StationInput<'getTimer'>): Promise<StationOutput<'getTimer'>> {
    this.seat(input);
    return this.timer(input.partId);
  }
  async readOutbox(): Promise<StationOutput<'readOutbox'>> {
    return [];
  }
  /** The room of a seat (role 'seat'): paired or not, and with which hub; null for a solo station. */
  seatRoom: { paired: boolean; label: string | null; hubDeviceId: string | null; rejoin?: 'requested' | 'refused' | null } | null = null;
  /** What the seat has found on the LAN, for listDiscoveredHubs. */
  discovered: StationOutput<'listDiscoveredHubs'> = { browsing: true, hubs: [], error: null };
  /** The refusal the next pairWithHub calls get (a wrong code ...), or null to pair. */
  pairRefusal: ErrorCode | null = null;
  readonly pairCalls: StationInput<'pairWithHub'>[] = [];
  // The candidate's screens run on a solo station here: no room around it, as StationService without one.
  /**
   * The hub's link to the centre, as the centre page sees it: not enrolled until enrolAtCentre. A test
   * puts it in any state by assigning it (enrolledCentral() gives an enrolled one to start from).
   */
  central: StationOutput<'getCentralSync'> = notEnrolledCentral();
  /** The one-time code the fake centre takes at enrolment; any other is ENROLLMENT_CODE_INVALID. */
  centralCode = 'K7QM-2XWP-9RTA-4HVE-N3WD';
  /** Whether the fake centre can be reached: enrolment then fails, and a pass ends in CENTRAL_UNREACHABLE. */
  centralReachable = true;
  /** Each session's receipts, for listCentralReceipts. */
  centralReceipts: Record<string, StationOutput<'listCentralReceipts'>> = {};
  /** Every enrolAtCentre and syncWithCentre call as it arrived (without the token). */
  readonly centralCalls: [string, unknown][] = [];
  /** While set, a sync pass does not end until releaseSync(). */
  holdSync = false;
  private heldSyncs: (() => void)[] = [];

  /** Ends the sync passes that holdSync kept running. */
  releaseSync(): void {
    this.holdSync = false;
    for (const end of this.heldSyncs.splice(0)) end();
  }

  async getCentralSync(input: StationInput<'getCentralSync'>): Promise<StationOutput<'getCentralSync'>> {
    await this.gate();
    this.requireRight(input.staffToken, 'central.sync');
    return structuredClone(this.central);
  }

  async enrolAtCentre(input: StationInput<'enrolAtCentre'>): Promise<StationOutput<'enrolAtCentre'>> {
    this.requireRight(input.staffToken, 'central.enrol');
    this.centralCalls.push(['enrolAtCentre', { centralUrl: input.centralUrl, code: input.code }]);
    if (this.central.enrolled) throw new StationError('CENTRAL_ALREADY_ENROLLED');
    if (!this.centralReachable) throw new StationError('CENTRAL_UNREACHABLE', `connect ECONNREFUSED ${input.centralUrl}`);
    if (input.code.trim() !== this.centralCode) throw new StationError('ENROLLMENT_CODE_INVALID');
    this.central = { ...this.central, enrolled: true, centralUrl: input.centralUrl, deviceId: '00000000-0000-4000-8000-000000000001', venueCode: 'RIX01', lastContactAt: new Date(this.now()).toISOString() };
    return structuredClone(this.central);
  }

  /** A pass as the sync client makes one: a problem of the pass is in the view's lastError, not thrown. */
  async syncWithCentre(input: StationInput<'syncWithCentre'>): Promise<StationOutput<'syncWithCentre'>> {
    this.requireRight(input.staffToken, 'central.sync');
    this.centralCalls.push(['syncWithCentre', {}]);
    if (!this.central.enrolled) throw new StationError('CENTRAL_NOT_ENROLLED');
    if (this.holdSync) await new Promise<void>((end) => this.heldSyncs.push(end));
    const at = new Date(this.now()).toISOString();
    if (this.central.revoked) {
      this.central = { ...this.central, lastError: { code: 'DEVICE_REVOKED', message: new StationError('DEVICE_REVOKED').text, detail: 'refused by the centre', at } };
    } else if (!this.centralReachable) {
      this.central = { ...this.central, lastError: { code: 'CENTRAL_UNREACHABLE', message: new StationError('CENTRAL_UNREACHABLE').text, detail: 'connect ECONNREFUSED', at } };
    } else {
      this.central = { ...this.central, eventsToSend: 0, oldestUnsentAt: null, audioBytesToSend: 0, recordingsToSend: 0, transfers: [], lastError: null, lastContactAt: at };
    }
    return structuredClone(this.central);
  }

  /** Every purgeSession, exportForCentre and importFromCentre call as it arrived (without the token). */
  readonly centreWorkCalls: [string, string][] = [];
  /** While set, a purge, an export or an import does not end until releaseCentreWork(). */
  holdCentreWork = false;
  private heldCentreWork: (() => void)[] = [];

  /** Ends the purges, exports and imports that holdCentreWork kept running. */
  releaseCentreWork(): void {
    this.holdCentreWork = false;
    for (const end of this.heldCentreWork.splice(0)) end();
  }

  private async centreWork(method: string, arg: string): Promise<void> {
    this.centreWorkCalls.push([method, arg]);
    if (this.holdCentreWork) await new Promise<void>((end) => this.heldCentreWork.push(end));
  }

  /** What a purge deleted here, per kind, for a session of `candidates` (a test may assign its own). */
  purgeItems = (candidates: number): StationOutput<'purgeSession'>['items'] => [
    { kind: 'candidates', count: candidates, sha256: 'a'.repeat(64) },
    { kind: 'responses', count: 31 * candidates, sha256: 'b'.repeat(64) },
    { kind: 'recordings', count: 2 * candidates, sha256: 'c'.repeat(64), bytes: 2 * candidates * 1536 * 1024 },
    { kind: 'incidents', count: 0, sha256: 'd'.repeat(64) },
  ];
  /** The room's seats a purge asks to delete their copy. */
  purgeSeatsAsked = 0;

  /**
   * As the station: only a session the view calls complete (over, every receipt matching) and not purged
   * yet; its certificate then waits to be sent (certificatesUnsent 1) until a test says the centre has it.
   */
  async purgeSession(input: StationInput<'purgeSession'>): Promise<StationOutput<'purgeSession'>> {
    this.requireRight(input.staffToken, 'data.purge');
    await this.centreWork('purgeSession', input.sessionId);
    const session = this.central.sessions.find((s) => s.sessionId === input.sessionId);
    if (!session) throw new StationError('NOT_FOUND', `session ${input.sessionId}`);
    if (!session.complete || session.purgedAt) throw new StationError('PURGE_NOT_CONFIRMED', `session ${input.sessionId}`);
    session.purgedAt = new Date(this.now()).toISOString();
    session.certificatesUnsent = 1;
    return { sessionId: input.sessionId, certificateId: '00000000-0000-4000-8000-0000000000cc', items: this.purgeItems(session.candidates), seatsAsked: this.purgeSeatsAsked };
  }

  /** The removable drives the centre page offers for a USB export (none until a test puts one in). */
  usbDrives: StationOutput<'listUsbDrives'> = [];
  /** How many recordings' audio the seats have not handed to the hub yet: an export goes without it. */
  waitingForAudio = 0;
  /** What importFromCentre reads from a drive: the centre's receipts per session and the files it skipped. */
  usbImport: StationOutput<'importFromCentre'> = { sessions: [], skipped: [] };

  async listUsbDrives(input: StationInput<'listUsbDrives'>): Promise<StationOutput<'listUsbDrives'>> {
    this.requireRight(input.staffToken, 'central.sync');
    return structuredClone(this.usbDrives);
  }

  /** What the hub has not sent, and the certificates not yet at the centre; a drive no longer listed is USB_DRIVE_GONE. */
  async exportForCentre(input: StationInput<'exportForCentre'>): Promise<StationOutput<'exportForCentre'>> {
    this.requireRight(input.staffToken, 'central.sync');
    await this.centreWork('exportForCentre', input.driveId);
    if (!this.usbDrives.some((d) => d.driveId === input.driveId)) throw new StationError('USB_DRIVE_GONE', input.driveId);
    const unsent = this.central.sessions.reduce((n, s) => n + s.certificatesUnsent, 0);
    const bytes = 4096 + this.central.audioBytesToSend;
    return { fileName: 'RIX01-20261202T090000Z-00000000.estransfer', bytes, sha256: '0'.repeat(64), events: this.central.eventsToSend, recordings: this.central.recordingsToSend, waitingForAudio: this.waitingForAudio, certificates: unsent };
  }

  async importFromCentre(input: StationInput<'importFromCentre'>): Promise<StationOutput<'importFromCentre'>> {
    this.requireRight(input.staffToken, 'central.sync');
    await this.centreWork('importFromCentre', input.driveId);
    if (!this.usbDrives.some((d) => d.driveId === input.driveId)) throw new StationError('USB_DRIVE_GONE', input.driveId);
    return structuredClone(this.usbImport);
  }

  async listCentralReceipts(input: StationInput<'listCentralReceipts'>): Promise<StationOutput<'listCentralReceipts'>> {
    this.requireRight(input.staffToken, 'central.sync');
    return structuredClone(this.centralReceipts[input.sessionId] ?? []);
  }

  async getRoom(input?: StationInput<'getRoom'>): Promise<StationOutput<'getRoom'>> {
    if (!this.seatRoom) return { role: 'solo', notice: 'a solo station has no room', hub: null, seat: null };
    if (input) this.requireSession(input.staffToken);
    const { paired, label, hubDeviceId, rejoin = null } = this.seatRoom;
    return {
      role: 'seat',
      notice: paired ? null : 'this seat is not paired with a hub yet',
      hub: null,
      seat: { paired, label, hubDeviceId, connected: paired && !rejoin, ackedSeq: 0, backlogEvents: 0, audioBytesPending: 0, clockOffsetMs: null, alarm: rejoin ? 'SEAT_REJOIN_REQUESTED' : null, rejoin },
    };
  }
  async listDiscoveredHubs(input: StationInput<'listDiscoveredHubs'>): Promise<StationOutput<'listDiscoveredHubs'>> {
    this.requireSession(input.staffToken);
    if (!this.seatRoom) throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
    return this.seatRoom.paired ? { browsing: false, hubs: [], error: null } : this.discovered;
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
  async decideSeatRequest(_input?: StationInput<'decideSeatRequest'>): Promise<StationOutput<'decideSeatRequest'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async pairWithHub(input: StationInput<'pairWithHub'>): Promise<StationOutput<'pairWithHub'>> {
    if (!this.seatRoom) throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
    this.requireSession(input.staffToken);
    this.pairCalls.push(input);
    if (this.pairRefusal) throw new StationError(this.pairRefusal);
    this.seatRoom = { paired: true, label: input.label, hubDeviceId: input.hubDeviceId ?? 'HUBTYPED' };
    return this.getRoom();
  }
  // Sessions are ended and sealed at a hub; a solo station has no room for it.
  async getSealStatus(_input?: StationInput<'getSealStatus'>): Promise<StationOutput<'getSealStatus'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async endSession(_input?: StationInput<'endSession'>): Promise<StationOutput<'endSession'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async sealSession(_input?: StationInput<'sealSession'>): Promise<StationOutput<'sealSession'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async accountForSeat(_input?: StationInput<'accountForSeat'>): Promise<StationOutput<'accountForSeat'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async getRoomProtocol(_input?: StationInput<'getRoomProtocol'>): Promise<StationOutput<'getRoomProtocol'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async raiseHand(input: StationInput<'raiseHand'>): Promise<StationOutput<'raiseHand'>> {
    await this.gate();
    this.seat(input);
    this.requireOpen();
    this.hand = { reason: input.reason, at: this.now() };
    return this.hand;
  }
  // The room controls are a hub's (test/ui/console.test.tsx has one); the fake is a solo station.
  async getRoomControls(): Promise<StationOutput<'getRoomControls'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async releaseKey(_input?: StationInput<'releaseKey'>): Promise<StationOutput<'releaseKey'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async setTwoPersonRelease(_input?: StationInput<'setTwoPersonRelease'>): Promise<StationOutput<'setTwoPersonRelease'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async roomCommand(_input?: StationInput<'roomCommand'>): Promise<StationOutput<'roomCommand'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async settleLostTime(_input?: StationInput<'settleLostTime'>): Promise<StationOutput<'settleLostTime'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async acknowledgeHand(_input?: StationInput<'acknowledgeHand'>): Promise<StationOutput<'acknowledgeHand'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async recordRoomIncident(_input?: StationInput<'recordRoomIncident'>): Promise<StationOutput<'recordRoomIncident'>> {
    throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
  }
  async removeCandidate(_input?: StationInput<'removeCandidate'>): Promise<StationOutput<'removeCandidate'>> {
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


  // ---- check-in and the seat plan (the hub's console), and the seat's kiosk ----------------------

  /** On a room's seat: the invigilator must authorise the candidate before the instructions. */
  authorisation: Authorisation = 'not-needed';
  /** A seat's pre-staged package whose key the hub has not released yet: no attempt view, no content, no parts in the heartbeat. */
  contentLocked = false;
  /** On a seat: its label and the candidate the hub assigned (null: none yet). */
  seatPlan: { label: string; assigned: boolean; claimed: boolean; handedBack: boolean } | null = null;
  /** The roster beyond the one candidate of the attempt (a test adds candidates). */
  others: StationOutput<'getCandidate'>[] = [];
  /** When the session starts (ms): a check-in after it is late. Like the real station's roster, in the past. */
  sessionStartsAt = Date.parse('2026-01-05T09:00:00+02:00');
  readonly checks = new Map<string, { idDocument: { by: string; at: string } | null; personalCode: { by: string; at: string } | null; late: boolean; checkedInAt: string | null }>();
  readonly assignments = new Map<string, { deviceId: string; packageId: string; assignedBy: string; assignedAt: string; authorised: { by: string; at: string } | null }>();

  private rosterCandidates(): StationOutput<'getCandidate'>[] {
    return [this.candidate, ...this.others];
  }

  private rosterCandidate(candidateId: string): StationOutput<'getCandidate'> {
    const found = this.rosterCandidates().find((c) => c.candidateId === candidateId);
    if (!found) throw new StationError('NOT_FOUND', `candidate ${candidateId}`);
    return found;
  }

  private async rows(): Promise<RosterRow[]> {
    const room = await this.getRoom();
    const seats = room.hub?.seats ?? [];
    return this.rosterCandidates().map((c): RosterRow => {
      const check = this.checks.get(c.candidateId);
      const assigned = this.assignments.get(c.candidateId);
      const seen = assigned ? seats.find((s) => s.deviceId === assigned.deviceId) : undefined;
      const reported = seen?.state?.attempt?.candidateId === c.candidateId ? seen.state.attempt : null;
      const screen = reported?.screen ?? null;
      const state =
        c.attendance !== 'present'
          ? c.attendance === 'expected'
            ? 'expected'
            : c.attendance
          : screen === 'finished'
            ? 'finished'
            : screen === 'part' || screen === 'paused' || screen === 'part-intro'
              ? 'working'
              : assigned
                ? 'seated'
                : 'checked-in';
      const stage = screen === null || screen === 'staff' ? null : screen === 'identity' || screen === 'awaiting-authorisation' || screen === 'identity-declined' ? screen : 'authorised';
      return {
        ...c,
        state,
        idDocumentSeen: check?.idDocument ?? null,
        personalCodeChecked: check?.personalCode ?? null,
        checkedInAt: c.attendance === 'present' ? (check?.checkedInAt ?? null) : null,
        late: check?.late ?? false,
        accommodations: parseAccommodations(c.accommodation),
        seat: assigned
          ? { ...assigned, label: seen?.label ?? null, stage, declineReason: stage === 'identity-declined' ? (reported?.declineReason ?? null) : null, refused: null }
          : null,
      };
    });
  }

  private async row(candidateId: string): Promise<RosterRow> {
    return (await this.rows()).find((r) => r.candidateId === candidateId)!;
  }

  private setAttendance(candidateId: string, attendance: StationOutput<'getCandidate'>['attendance']): void {
    if (candidateId === this.candidate.candidateId) this.candidate = { ...this.candidate, attendance };
    else this.others = this.others.map((c) => (c.candidateId === candidateId ? { ...c, attendance } : c));
  }

  async getRoster(): Promise<StationOutput<'getRoster'>> {
    return this.rows();
  }
  async recordCheckInStep(input: StationInput<'recordCheckInStep'>): Promise<StationOutput<'recordCheckInStep'>> {
    this.rosterCandidate(input.candidateId);
    const check = this.checks.get(input.candidateId) ?? { idDocument: null, personalCode: null, late: false, checkedInAt: null };
    const done = { by: STAFF.username, at: new Date(this.now()).toISOString() };
    if (input.step === 'id-document') check.idDocument ??= done;
    else check.personalCode ??= done;
    this.checks.set(input.candidateId, check);
    return this.row(input.candidateId);
  }
  async checkInCandidate(input: StationInput<'checkInCandidate'>): Promise<StationOutput<'checkInCandidate'>> {
    const candidate = this.rosterCandidate(input.candidateId);
    if (candidate.attendance === 'removed') throw new StationError('CANDIDATE_REMOVED');
    const check = this.checks.get(input.candidateId) ?? { idDocument: null, personalCode: null, late: false, checkedInAt: null };
    if (input.status === 'present' && (!check.idDocument || !check.personalCode)) throw new StationError('CHECK_IN_INCOMPLETE');
    if (input.status === 'absent' && this.assignments.has(input.candidateId)) throw new StationError('CANDIDATE_SEATED');
    if (input.status === 'present' && candidate.attendance !== 'present') {
      check.late = this.now() > this.sessionStartsAt;
      check.checkedInAt = new Date(this.now()).toISOString();
    }
    if (input.status === 'absent') check.late = false;
    this.checks.set(input.candidateId, check);
    this.setAttendance(input.candidateId, input.status);
    return this.row(input.candidateId);
  }
  async assignSeat(input: StationInput<'assignSeat'>): Promise<StationOutput<'assignSeat'>> {
    const candidate = this.rosterCandidate(input.candidateId);
    if (candidate.attendance === 'removed') throw new StationError('CANDIDATE_REMOVED');
    if (candidate.attendance === 'absent') throw new StationError('CANDIDATE_ABSENT');
    if (candidate.attendance !== 'present') throw new StationError('CANDIDATE_NOT_CHECKED_IN');
    const room = await this.getRoom();
    if (!room.hub) throw new StationError('ROOM_NOT_AVAILABLE', 'this station is solo');
    const seat = room.hub.seats.find((s) => s.deviceId === input.deviceId);
    if (!seat) throw new StationError('SEAT_UNKNOWN', input.deviceId);
    if (seat.revoked) throw new StationError('SEAT_UNPAIRED');
    if (seat.presence === 'missing') throw new StationError('SEAT_NOT_CONNECTED');
    const taken = [...this.assignments].find(([, a]) => a.deviceId === input.deviceId);
    if (taken && taken[0] !== input.candidateId) throw new StationError('SEAT_TAKEN');
    const mine = this.assignments.get(input.candidateId);
    if (mine && mine.deviceId !== input.deviceId) throw new StationError('CANDIDATE_SEATED');
    if (!mine) this.assignments.set(input.candidateId, { deviceId: input.deviceId, packageId: input.packageId, assignedBy: STAFF.username, assignedAt: new Date(this.now()).toISOString(), authorised: null });
    return this.row(input.candidateId);
  }
  async unassignSeat(input: StationInput<'unassignSeat'>): Promise<StationOutput<'unassignSeat'>> {
    if (!this.assignments.has(input.candidateId)) throw new StationError('CANDIDATE_NOT_SEATED');
    if ((await this.row(input.candidateId)).state !== 'seated') throw new StationError('CANDIDATE_STARTED');
    this.assignments.delete(input.candidateId);
    return this.row(input.candidateId);
  }
  async authoriseCandidate(input: StationInput<'authoriseCandidate'>): Promise<StationOutput<'authoriseCandidate'>> {
    const mine = this.assignments.get(input.candidateId);
    if (!mine) throw new StationError('CANDIDATE_NOT_SEATED');
    const stage = (await this.row(input.candidateId)).seat?.stage ?? null;
    if (stage !== 'awaiting-authorisation' && stage !== 'authorised') throw new StationError('IDENTITY_NOT_CONFIRMED');
    mine.authorised = { by: STAFF.username, at: new Date(this.now()).toISOString() };
    return this.row(input.candidateId);
  }
  async claimSeat(): Promise<StationOutput<'claimSeat'>> {
    await this.gate();
    if (this.role !== 'seat' || !this.seatPlan) throw new StationError('ROOM_NOT_AVAILABLE', `this station is ${this.role}`);
    const plan = this.seatPlan;
    if (!plan.assigned) return { label: plan.label, seat: null, waiting: 'no-candidate' };
    if (plan.handedBack) return { label: plan.label, seat: null, waiting: 'handed-back' };
    if (plan.claimed) return { label: plan.label, seat: null, waiting: 'claimed' };
    plan.claimed = true;
    this.token = CANDIDATE_TOKEN;
    return { label: plan.label, seat: { attemptId: ATTEMPT_ID, candidateToken: CANDIDATE_TOKEN }, waiting: null };
  }
  async confirmIdentity(input: StationInput<'confirmIdentity'>): Promise<StationOutput<'confirmIdentity'>> {
    this.seat(input);
    await this.gate();
    return { authorisation: this.authorisation };
  }

  /** The hub seats the candidate at this seat (an 'assign' command carried out); its kiosk then claims them. */
  assignHere(label: string): void {
    this.role = 'seat';
    this.seatPlan = { label, assigned: true, claimed: false, handedBack: false };
    this.authorisation = 'needed';
    this.token = null;
  }

  /** The invigilator authorised the candidate from the console ('authorise' carried out on the seat). */
  authorise(): void {
    this.authorisation = 'authorised';
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

/** A hub not enrolled with the centre: what getCentralSync says before enrolAtCentre. */
export function notEnrolledCentral(): StationOutput<'getCentralSync'> {
  return {
    enrolled: false,
    centralUrl: null,
    deviceId: null,
    venueCode: null,
    revoked: false,
    lastContactAt: null,
    clockOffsetMs: 0,
    eventsToSend: 0,
    oldestUnsentAt: null,
    audioBytesToSend: 0,
    recordingsToSend: 0,
    newFromCentre: { sessions: 0, candidates: 0, packages: 0 },
    transfers: [],
    lastError: null,
    sessions: [],
  };
}

/** A hub enrolled at venue RIX01 that has just been in touch with nothing to send; `more` changes any of it. */
export function enrolledCentral(more: Partial<StationOutput<'getCentralSync'>> = {}): StationOutput<'getCentralSync'> {
  return {
    ...notEnrolledCentral(),
    enrolled: true,
    centralUrl: 'https://centrs.example.lv',
    deviceId: '00000000-0000-4000-8000-000000000001',
    venueCode: 'RIX01',
    lastContactAt: new Date().toISOString(),
    ...more,
  };
}
