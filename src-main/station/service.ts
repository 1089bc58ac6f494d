// The station service: the one implementation of the station API, plain Node (no electron). Every
// method that changes something runs in one IMMEDIATE transaction that also appends its outbox event,
// and returns only after the commit, so its reply is the acknowledgement the UI may show as "saved".
// Staff methods need the token of a named person signed in on the calling screen (not a candidate's)
// and the right the method needs (src-shared/contracts/staff-rights.ts); what they do is attributed
// to that person in the events, the room log and the audit log. Candidate methods need the candidate
// token the station handed to the screen the attempt was opened for.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { CodedError, isCodedError, StationError } from '../../src-shared/errors.ts';
import { findStimulus, type ExamContent, type Part } from '../../src-shared/content/schema.ts';
import { accommodationExtraMs, accommodationReason, parseAccommodations } from '../../src-shared/rules/accommodations.ts';
import type { StaffMethod } from '../../src-shared/contracts/staff-rights.ts';
import { holdsRight } from '../../src-shared/rules/staff.ts';
import {
  CANDIDATE_TIMER_KINDS,
  IN_PROCESS_CALLER,
  SEAT_HEARTBEAT_MS,
  type Caller,
  type IdentityDeclineReason,
  type StationHost,
  type StationInput,
  type StationOutput,
  type PackageImportJob,
  type PackageImportResult,
  type StationRole,
} from '../../src-shared/contracts/station-api.ts';
import type { TrustList } from '../../src-shared/node/package/keys.ts';
import type { PurgeAnswer, SealAnswer } from '../../src-shared/contracts/room-protocol.ts';
import { openPackageFile } from '../../src-shared/node/package/package-file.ts';
import { openStationDatabase, storageError, type OpenOptions, type StationDatabase, type Tx } from './database.ts';
import type { CentralControl } from './central-control.ts';
import { driveOf, listDrives, USB_FOLDER } from './removable-drives.ts';
import { SEAT_ACKED_SEQ_META } from './tables.ts';
import { carryOutPurge, planPurge } from './session-purge.ts';
import type { RoomControl } from './room-control.ts';
import { RoomStaff } from './room-staff.ts';
import type { HandReason } from '../../src-shared/contracts/room-protocol.ts';
import { diskError, LINUX_MEDIA_ROOTS, PackageIntake, type PackageSourceRoots } from './package-intake.ts';
import { TrustKeeper } from './trust-keeper.ts';
import { CandidateScreens } from './screens.ts';
import { Answers } from './records/answers.ts';
import { AuditLog } from './records/audit.ts';
import { Attempts } from './records/attempts.ts';
import { Recordings, segmentHash } from './records/audio.ts';
import { Outbox } from './records/outbox.ts';
import { bufferSource, PackageStore, type ByteSource } from './records/packages.ts';
import { Plays } from './records/plays.ts';
import { RoomLog } from './records/room-log.ts';
import { CheckIns } from './records/check-ins.ts';
import { RoomAssignments } from './records/room-assignments.ts';
import { SeatAssignmentRecord } from './records/seat-assignment.ts';
import { rosterRows } from './roster-view.ts';
import { maskPersonalCode } from '../../src-shared/rules/personal-code.ts';
import { AssignParams, type RoomCommand, type SeatState } from '../../src-shared/contracts/room-protocol.ts';
import { listCandidates, loadRoster, type RosterInput } from './records/roster.ts';
import { Timers } from './records/timers.ts';
import { SessionSeals } from './session-seal.ts';
import { rebuildHandedOver, startOfHandedOver } from './records/hand-over.ts';
import type { HandOver } from '../../src-shared/contracts/hand-over.ts';
import { loadCommonPasswords, PASSWORD_HASH_PARAMS, SOURCE_COMMON_PASSWORDS, type ScryptParams } from './passwords.ts';
import { DEFAULT_STAFF_LOCK_MS, StaffDesk, type FirstChief, type StaffActor } from './staff.ts';

export type { StationRole };

/** A seat silent for longer than this was interrupted; the silence beyond one beat is credited. */
const SEAT_GAP_MS = 3 * SEAT_HEARTBEAT_MS;

/** Who an incident the candidate's own screen reports is recorded as. */
const CANDIDATE_ACTOR = 'candidate';

/** The incident note for each thing a candidate can say is not theirs on the identity screen. */
const IDENTITY_NOTES: Record<IdentityDeclineReason, string> = {
  'not-me': 'the candidate declined the details on the identity screen: they are not their details',
  name: 'the candidate declined the details on the identity screen: the name is not theirs',
  'personal-code': 'the candidate declined the details on the identity screen: the personal code is not theirs',
  level: 'the candidate declined the details on the identity screen: the level is not the one they sit',
};

/** The largest package file a station imports (the central API accepts up to 1 GiB). */
export const DEFAULT_MAX_PACKAGE_BYTES = 1024 * 1024 * 1024;

export interface StationOptions {
  dbPath: string;
  role: StationRole;
  venueCode: string;
  trust: TrustList;
  appVersion?: string;
  now?: () => Date;
  /** How often the station notes it is alive, so the time it was down can be credited after a crash. */
  heartbeatMs?: number;
  open?: OpenOptions;
  /** The first chief invigilator, made when the station has no staff account yet (IT policy file, the demo, tests). */
  firstChief?: FirstChief;
  /** Inactivity after which a staff session locks (default 5 minutes). */
  staffLockMs?: number;
  /** scrypt parameters for new password and PIN hashes (default PASSWORD_HASH_PARAMS; tests use cheaper ones). */
  staffHashParams?: ScryptParams;
  /** The shipped list of common passwords (default: the one in the source tree's assets). */
  commonPasswordsFile?: string;
  maxPackageBytes?: number;
  /** Where package files are looked for on removable media (default: Linux's mount folders, no IT folder). */
  packageSources?: PackageSourceRoots;
  /** Accepted trust-list updates (default: trust-updates beside the database). */
  trustUpdatesDir?: string;
  /** Package uploads under way (default: package-uploads beside the database); emptied at every start. */
  uploadsDir?: string;
  /**
   * The id the station's events carry, taken by a new database: its key's device id (openStation), which
   * the room checks every pushed event against. A random one when not given (tests of a lone station).
   */
  deviceId?: string;
}

const MEDIA_TYPES: Record<string, string> = {
  '.opus': 'audio/ogg; codecs=opus',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
};

type Seat = { attemptId: string; candidateToken: string };

/** What the seat's station says of its candidate in each heartbeat (src-main/host/room.ts adds the rest). */
export interface SeatReportOfStation {
  attemptId: string;
  candidateId: string;
  partId: string | null;
  remainingMs: number | null;
  paused: boolean;
  screen: NonNullable<SeatState['attempt']>['screen'];
  declineReason?: IdentityDeclineReason;
  /** Whether the room's start (or the candidate's own) has reached the seat. */
  started: boolean;
  hand: { reason: HandReason; at: number } | null;
}

/** The screen a call comes from; a call from inside the station's process is its own one screen. */
const clientOf = (caller: Caller | undefined): string => caller?.clientId ?? IN_PROCESS_CALLER.clientId;

function readDeviceId(db: StationDatabase, wanted: string | undefined): string {
  return db.transaction(() => {
    const known = db.get(db.q.selectFrom('meta').select('value').where('key', '=', 'device_id'));
    if (known) return known.value;
    const id = wanted ?? randomUUID();
    db.run(db.q.insertInto('meta').values({ key: 'device_id', value: id }));
    return id;
  });
}

export class StationService implements StationHost {
  readonly db: StationDatabase;
  readonly deviceId: string;
  private readonly options: StationOptions;
  private readonly now: () => Date;
  private readonly packages: PackageStore;
  /** The station's event stream: the room protocol pushes it (a seat) or relays into it (a hub). */
  readonly outbox: Outbox;
  private readonly timers: Timers;
  private readonly attempts: Attempts;
  private readonly answers: Answers;
  private readonly recordings: Recordings;
  private readonly plays: Plays;
  private readonly roomLog: RoomLog;
  private readonly checkIns: CheckIns;
  private readonly assignments: RoomAssignments;
  private readonly seatAssignment: SeatAssignmentRecord;
  private readonly audit: AuditLog;
  private readonly seals: SessionSeals;
  private readonly staff: StaffDesk;
  private readonly screens = new CandidateScreens();
  private readonly roomStaff: RoomStaff;
  /** The trust list in effect: the one given at start, then the signed updates accepted since. */
  private readonly trust: TrustKeeper;
  private readonly intake: PackageIntake<StaffActor>;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(options: StationOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.db = openStationDatabase(options.dbPath, options.open);
    try {
      this.deviceId = readDeviceId(this.db, options.deviceId);
      this.packages = new PackageStore(this.db);
      const dataDir = dirname(options.dbPath);
      this.trust = new TrustKeeper(options.trust, options.trustUpdatesDir ?? join(dataDir, 'trust-updates'));
      this.intake = new PackageIntake<StaffActor>({
        dir: options.uploadsDir ?? join(dataDir, 'package-uploads'),
        maxBytes: options.maxPackageBytes ?? DEFAULT_MAX_PACKAGE_BYTES,
        roots: options.packageSources ?? { mediaRoots: LINUX_MEDIA_ROOTS, folders: [] },
        store: this.packages,
        verify: () => this.verifyOptions(),
        ended: (job, actor) => this.recordImportEnd(job, actor),
      });
      this.outbox = new Outbox(this.db, this.deviceId);
      this.timers = new Timers(this.db, this.outbox);
      this.attempts = new Attempts(this.db, this.outbox, this.timers);
      this.answers = new Answers(this.db, this.outbox, this.attempts, this.timers);
      this.recordings = new Recordings(this.db, this.outbox, this.attempts, this.timers, this.now());
      this.plays = new Plays(this.db, this.outbox);
      this.roomLog = new RoomLog(this.db, this.outbox);
      this.checkIns = new CheckIns(this.db);
      this.assignments = new RoomAssignments(this.db);
      this.seatAssignment = new SeatAssignmentRecord(this.db);
      this.audit = new AuditLog(this.db);
      this.seals = new SessionSeals(this.db, this.deviceId);
      this.outbox.guard = this.seals.guard;
      this.staff = new StaffDesk(this.db, this.audit, {
        commonPasswords: loadCommonPasswords(options.commonPasswordsFile ?? SOURCE_COMMON_PASSWORDS),
        hashParams: options.staffHashParams ?? PASSWORD_HASH_PARAMS,
        lockAfterMs: options.staffLockMs ?? DEFAULT_STAFF_LOCK_MS,
        tx: (fn) => this.tx(fn),
      });
      this.roomStaff = new RoomStaff({
        db: this.db,
        now: this.now,
        desk: () => {
          const desk = this.requireRoom().desk;
          if (!desk) throw new StationError('ROOM_NOT_AVAILABLE', 'the room is controlled from its hub');
          return desk;
        },
        audit: (actor, action, target, details) => this.recordAction(actor, action, target, details),
        setMeta: (key, value) => this.tx((tx) => this.setMeta(tx, key, value)),
        meta: (key) => this.meta(key),
        incident: (actor, incident) =>
          this.tx((tx) => {
            const recorded = this.roomLog.recordIncident(tx, incident, actor.username, this.now());
            this.staff.recordAction(tx, actor, 'incident.recorded', recorded.incidentId, { sessionId: incident.sessionId, candidateId: incident.candidateId ?? null, attemptId: null, kind: incident.kind }, this.now());
            return recorded;
          }),
        remove: (actor, candidateId, note) =>
          this.tx((tx) => {
            const now = this.now();
            this.roomLog.markAttendance(tx, candidateId, 'removed', actor.username, now);
            const { sessionId } = listCandidates(this.db).find((c) => c.candidateId === candidateId)!;
            const recorded = this.roomLog.recordIncident(tx, { sessionId, candidateId, kind: 'candidate-removed', note }, actor.username, now);
            this.staff.recordAction(tx, actor, 'candidate.removed', candidateId, { sessionId, incidentId: recorded.incidentId }, now);
            return recorded;
          }),
      });
      if (options.firstChief) this.staff.createConfiguredChief(options.firstChief, this.now().getTime());
      this.recoverAtStart();
      const beat = options.heartbeatMs ?? 2000;
      if (beat > 0) {
        this.heartbeat = setInterval(() => this.beat(), beat);
        this.heartbeat.unref();
      }
    } catch (error) {
      this.db.close();
      throw storageError(error);
    }
  }

  // ---- infrastructure -------------------------------------------------------------------------

  /**
   * Run `fn` in one IMMEDIATE transaction; SQLite failures become errors a person can act on. What the
   * stores keep in memory is dropped when a transaction fails, so memory never holds uncommitted state.
   */
  private readonly commitListeners = new Set<() => void>();

  /** Called after every committed change (the seat's link pushes it then, not at its next beat). */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** The latest write that failed for want of storage (a full disk, an I/O error), until a write succeeds again. */
  private storageTrouble: string | null = null;

  /** What a seat's heartbeat says when its own storage failed: the code first, so the console can name it. */
  storageAlarm(): string | null {
    return this.storageTrouble;
  }

  private tx<T>(fn: (tx: Tx) => T): T {
    let result: T;
    try {
      result = this.db.transaction(fn);
    } catch (error) {
      this.timers.forget();
      this.attempts.forget();
      this.answers.forget();
      this.outbox.forget();
      this.seals.forget();
      const failure = storageError(error);
      if (isCodedError(failure) && (failure.code === 'DISK_FULL' || failure.code === 'STORAGE_IO')) this.storageTrouble = `${failure.code}: ${failure.detail ?? ''}`.slice(0, 200);
      throw failure;
    }
    this.storageTrouble = null;
    // After the commit, and never inside the caller's reply: a listener only schedules its work.
    if (this.commitListeners.size > 0) setImmediate(() => this.commitListeners.forEach((listener) => listener()));
    return result;
  }

  private meta(key: string): string | undefined {
    return this.db.get(this.db.q.selectFrom('meta').select('value').where('key', '=', key))?.value;
  }

  private setMeta(_tx: Tx, key: string, value: string): void {
    this.db.run(this.db.q.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })));
  }

  private beat(): void {
    try {
      this.tx((tx) => this.setMeta(tx, 'alive_at', String(this.now().getTime())));
      // Between calls is when the WAL is copied into the database: a candidate's save then seldom
      // carries SQLite's own checkpoint.
      this.db.checkpointIdle();
    } catch (error) {
      // A failed heartbeat only makes a later fault credit less precise; it must not stop the exam.
      console.error('station heartbeat failed:', (error as Error).message);
    }
  }

  /**
   * At every start: takes of submitted attempts left open are closed with their audio; after a crash
   * or power cut, running parts are credited with the time the station was down. A take of an open
   * attempt stays open: a screen that kept recording through the restart goes on appending to it.
   */
  private recoverAtStart(): void {
    this.packages.removeInterruptedImports();
    this.intake.removeLeftovers();
    this.tx((tx) => {
      const clean = this.meta('clean_stop') === '1';
      const aliveAt = Number(this.meta('alive_at') ?? 0);
      const now = this.now();
      this.setMeta(tx, 'clean_stop', '0');
      this.setMeta(tx, 'alive_at', String(now.getTime()));
      // A moved candidate's takes stay as they were: nothing new is written for that attempt here.
      const open = new Set([...this.attempts.openIds().map((a) => a.attemptId), ...this.attempts.movedOutIds()]);
      for (const take of this.db.all(this.db.q.selectFrom('recordings').select(['recording_id', 'attempt_id']).where('closed_at', 'is', null))) {
        if (!open.has(take.attempt_id)) this.recordings.close(tx, take.recording_id, now, 'submitted');
      }
      if (clean || aliveAt === 0 || now.getTime() <= aliveAt) return;
      for (const attempt of this.attempts.openIds()) {
        let content: ExamContent;
        try {
          content = this.packages.open(attempt.packageId).content;
        } catch (error) {
          // A locked package has no running timers. Anything else (a damaged package row) is a fault
          // that must not be hidden: the start fails with it.
          if (error instanceof CodedError && error.code === 'PACKAGE_LOCKED') continue;
          throw error;
        }
        for (const part of content.parts) {
          // A part running now was running since its last start or resume; the time from the later of
          // that and the last sign of life is time the candidate could not work.
          if (this.timers.state(attempt.attemptId, part, now.getTime()).status !== 'running') continue;
          const runningSince = Math.max(...this.timers.events(attempt.attemptId, part.id).filter((e) => e.kind === 'start' || e.kind === 'resume').map((e) => e.at));
          const partLostMs = now.getTime() - Math.max(aliveAt, runningSince);
          if (partLostMs <= 0) continue;
          const reason = `station restart: ${Math.round(partLostMs / 1000)} s lost while the station was down`;
          this.timers.record(tx, { attemptId: attempt.attemptId, part, kind: 'credit', amountMs: partLostMs, reason }, now);
        }
      }
    });
  }

  /**
   * Close the database. A deliberate stop is marked clean, so the next start credits nothing; a stop
   * forced by a fault (the supervisor went away) is not: the next start credits the time it was down.
   */
  close(options: { clean?: boolean } = {}): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (!this.db.sqlite.open) return;
    this.intake.close();
    try {
      this.tx((tx) => {
        this.setMeta(tx, 'clean_stop', options.clean === false ? '0' : '1');
        this.setMeta(tx, 'alive_at', String(this.now().getTime()));
      });
    } catch (error) {
      // Without the mark the next start treats this stop as a crash and credits the gap: safe side.
      console.error('station: could not mark a clean stop:', (error as Error).message);
    } finally {
      this.db.close();
    }
  }

  private content(packageId: string): ExamContent {
    return this.packages.open(packageId).content;
  }

  /**
   * The content, or null while its key has not been released (a seat's pre-staged package before the
   * start): a locked package has no part running, so there is no time to credit or report.
   */
  private contentIfUnlocked(packageId: string): ExamContent | null {
    try {
      return this.content(packageId);
    } catch (error) {
      if (error instanceof CodedError && error.code === 'PACKAGE_LOCKED') return null;
      throw error;
    }
  }

  private contentOfAttempt(attemptId: string): ExamContent {
    return this.content(this.attempts.facts(attemptId).packageId);
  }

  private part(content: ExamContent, partId: string): Part {
    const part = content.parts.find((p) => p.id === partId);
    if (!part) throw new StationError('NOT_FOUND', `part ${partId}`);
    return part;
  }

  private view(content: ExamContent, attemptId: string, now: Date): StationOutput<'getAttempt'> {
    return this.attempts.view(content, attemptId, now, this.plays.counts(attemptId));
  }

  /**
   * A candidate call: the screen must hold the attempt's token. The call is a sign of life; if the
   * screen had been silent for longer than a few heartbeats while the attempt was open, running parts
   * are credited with the silence. Returns the time credited (ms).
   */
  private seat(input: Seat, caller: Caller | undefined): number {
    const facts = this.attempts.requireToken(input.attemptId, input.candidateToken);
    // The candidate was moved to another seat: this screen is told so, whatever it asks.
    if (facts.movedOut) throw new StationError('ATTEMPT_MOVED', `attempt ${input.attemptId} was moved to another seat`);
    this.resumeHandedOver(input.attemptId);
    this.screens.bind(caller, input.attemptId);
    const now = this.now();
    const previous = this.screens.signOfLife(input.attemptId, now.getTime());
    if (previous === undefined || facts.status !== 'open' || now.getTime() - previous <= SEAT_GAP_MS) return 0;
    const content = this.contentIfUnlocked(facts.packageId);
    if (!content) return 0;
    let creditedMs = 0;
    this.tx((tx) => {
      for (const part of content.parts) {
        // Only the time the part's clock ran during the silence was lost (not a pause), less one beat.
        const before = this.timers.state(input.attemptId, part, previous);
        const after = this.timers.state(input.attemptId, part, now.getTime());
        if (after.status === 'ended' || after.status === 'not-started') continue;
        const lostMs = after.elapsedMs - before.elapsedMs - SEAT_HEARTBEAT_MS;
        if (lostMs <= 0) continue;
        const reason = `seat interrupted: ${Math.round(lostMs / 1000)} s without the candidate screen`;
        this.timers.record(tx, { attemptId: input.attemptId, part, kind: 'credit', amountMs: lostMs, reason }, now);
        creditedMs = Math.max(creditedMs, lostMs);
      }
    });
    return creditedMs;
  }

  /**
   * A staff call: never from a candidate's screen, by the person signed in on this screen, holding the
   * right the call needs. Returns who it is, for the records the call writes.
   */
  private requireStaff<M extends StaffMethod>(method: M, input: StationInput<M> & { staffToken: string }, caller: Caller | undefined): StaffActor {
    this.refuseCandidateScreen(caller);
    return this.staff.authorize(method, input, this.now().getTime(), clientOf(caller));
  }

  private refuseCandidateScreen(caller: Caller | undefined): void {
    this.screens.refuseStaffOnCandidateScreen(caller, (id) => this.attempts.isOpen(id));
  }

  private nowMs = (): number => this.now().getTime();


  /** Sessions and candidates from the central API (or the demo seed), checked whole. Not a renderer method. */
  loadRoster(roster: RosterInput): { sessions: number; candidates: number } {
    try {
      return loadRoster(this.db, roster);
    } catch (error) {
      throw storageError(error);
    }
  }

  /** The whole recording as one file, for upload and for checks. */
  recordingFile(recordingId: string): Buffer {
    return this.recordings.bytes(recordingId);
  }

  /** The whole audio of a closed take as this station holds it: its own, or a seat's relayed to this hub. */
  audioOf(recordingId: string): Buffer | null {
    const own = this.recordings.bytes(recordingId);
    if (own.length > 0) return own;
    const relayed = this.db.all(this.db.q.selectFrom('seat_audio').select('data').where('recording_id', '=', recordingId).orderBy('idx'));
    return relayed.length > 0 ? Buffer.concat(relayed.map((s) => s.data)) : null;
  }

  /** A package file the sync client downloaded from the centre and checked by its hash. Not a renderer method. */
  importPackageFile(path: string): PackageImportResult {
    const file = openPackageFile(path, this.options.maxPackageBytes ?? DEFAULT_MAX_PACKAGE_BYTES);
    try {
      return this.importFrom(file);
    } finally {
      file.close();
    }
  }

  /** A package file's bytes held in memory (the demo's own samples). Not a renderer method. */
  importPackageBytes(file: Buffer): PackageImportResult {
    return this.importFrom(bufferSource(file));
  }

  private verifyOptions() {
    return { trust: this.trust.list, venue: this.options.venueCode, now: this.now() };
  }

  private importFrom(source: ByteSource): PackageImportResult {
    try {
      return this.packages.import(source, this.verifyOptions());
    } catch (error) {
      throw storageError(error);
    }
  }

  // ---- the station API ------------------------------------------------------------------------

  async getStatus(): Promise<StationOutput<'getStatus'>> {
    return {
      deviceId: this.deviceId,
      role: this.options.role,
      appVersion: this.options.appVersion ?? '0.0.0',
      schemaVersion: this.db.schemaVersion,
      lastSeq: this.outbox.lastSeq(),
      staffSetUp: this.staff.hasAccounts(),
    };
  }

  // ---- staff accounts and sessions --------------------------------------------------------------

  async setUpFirstChief(input: StationInput<'setUpFirstChief'>, caller?: Caller): Promise<StationOutput<'setUpFirstChief'>> {
    this.refuseCandidateScreen(caller);
    return this.staff.setUpFirstChief(input, this.nowMs);
  }

  async staffSignIn(input: StationInput<'staffSignIn'>, caller?: Caller): Promise<StationOutput<'staffSignIn'>> {
    this.refuseCandidateScreen(caller);
    return this.staff.signIn(input, this.nowMs, clientOf(caller));
  }

  async staffSignOut(input: StationInput<'staffSignOut'>, caller?: Caller): Promise<StationOutput<'staffSignOut'>> {
    this.refuseCandidateScreen(caller);
    this.staff.signOut(input.staffToken, this.nowMs(), clientOf(caller));
    return { ok: true };
  }

  async staffLock(input: StationInput<'staffLock'>, caller?: Caller): Promise<StationOutput<'staffLock'>> {
    this.refuseCandidateScreen(caller);
    this.staff.lock(input.staffToken, this.nowMs(), clientOf(caller));
    return { ok: true };
  }

  async staffUnlock(input: StationInput<'staffUnlock'>, caller?: Caller): Promise<StationOutput<'staffUnlock'>> {
    this.refuseCandidateScreen(caller);
    return this.staff.unlock(input, this.nowMs, clientOf(caller));
  }

  async getStaffSession(input: StationInput<'getStaffSession'>, caller?: Caller): Promise<StationOutput<'getStaffSession'>> {
    this.refuseCandidateScreen(caller);
    return this.staff.describe(input.staffToken, this.nowMs(), clientOf(caller));
  }

  async changeOwnPassword(input: StationInput<'changeOwnPassword'>, caller?: Caller): Promise<StationOutput<'changeOwnPassword'>> {
    const actor = this.requireStaff('changeOwnPassword', input, caller);
    return this.staff.changeOwnPassword(input, actor, this.nowMs, clientOf(caller));
  }

  async setOwnPin(input: StationInput<'setOwnPin'>, caller?: Caller): Promise<StationOutput<'setOwnPin'>> {
    const actor = this.requireStaff('setOwnPin', input, caller);
    return this.staff.setOwnPin(input, actor, this.nowMs, clientOf(caller));
  }

  async listStaffAccounts(input: StationInput<'listStaffAccounts'>, caller?: Caller): Promise<StationOutput<'listStaffAccounts'>> {
    this.requireStaff('listStaffAccounts', input, caller);
    return this.staff.list();
  }

  async createStaffAccount(input: StationInput<'createStaffAccount'>, caller?: Caller): Promise<StationOutput<'createStaffAccount'>> {
    const actor = this.requireStaff('createStaffAccount', input, caller);
    return this.staff.create(input, actor, this.nowMs);
  }

  async disableStaffAccount(input: StationInput<'disableStaffAccount'>, caller?: Caller): Promise<StationOutput<'disableStaffAccount'>> {
    const actor = this.requireStaff('disableStaffAccount', input, caller);
    return this.staff.disable(input, actor, this.nowMs());
  }

  async enableStaffAccount(input: StationInput<'enableStaffAccount'>, caller?: Caller): Promise<StationOutput<'enableStaffAccount'>> {
    const actor = this.requireStaff('enableStaffAccount', input, caller);
    return this.staff.enable(input, actor, this.nowMs());
  }

  async grantStaffRole(input: StationInput<'grantStaffRole'>, caller?: Caller): Promise<StationOutput<'grantStaffRole'>> {
    const actor = this.requireStaff('grantStaffRole', input, caller);
    return this.staff.grantRole(input, actor, this.nowMs());
  }

  async withdrawStaffRole(input: StationInput<'withdrawStaffRole'>, caller?: Caller): Promise<StationOutput<'withdrawStaffRole'>> {
    const actor = this.requireStaff('withdrawStaffRole', input, caller);
    return this.staff.withdrawRole(input, actor, this.nowMs());
  }

  async resetStaffPassword(input: StationInput<'resetStaffPassword'>, caller?: Caller): Promise<StationOutput<'resetStaffPassword'>> {
    const actor = this.requireStaff('resetStaffPassword', input, caller);
    return this.staff.resetPassword(input, actor, this.nowMs);
  }

  async listAudit(input: StationInput<'listAudit'>, caller?: Caller): Promise<StationOutput<'listAudit'>> {
    this.requireStaff('listAudit', input, caller);
    return this.audit.read(input.afterSeq ?? 0, input.limit ?? 500);
  }

  async verifyAudit(input: StationInput<'verifyAudit'>, caller?: Caller): Promise<StationOutput<'verifyAudit'>> {
    this.requireStaff('verifyAudit', input, caller);
    return this.audit.verify();
  }

  /** Record a staff action done outside one transaction (an import, an unlock), once it succeeded. */
  private recordAction(actor: StaffActor, action: string, target: string | null, details: Record<string, unknown>): void {
    this.tx((tx) => this.staff.recordAction(tx, actor, action, target, details, this.now()));
  }

  // ---- the invigilator's and centre staff's work ------------------------------------------------

  /**
   * A package file on this machine's disk, by path: for tools, tests and scripts in the station's own
   * process. Not a method of the station API, so no screen can name a path: a screen uploads the bytes
   * of the file its person picked, or picks one of the files listPackageSources found.
   */
  async importPackage(input: { staffToken: string; path: string }, caller?: Caller): Promise<PackageImportResult> {
    // The right of an upload (package.import): the same import, only from a file this process names.
    const actor = this.requireStaff('beginPackageUpload', { staffToken: input.staffToken, fileName: basename(input.path), size: 1 }, caller);
    const file = openPackageFile(input.path, this.options.maxPackageBytes ?? DEFAULT_MAX_PACKAGE_BYTES);
    let imported: PackageImportResult;
    try {
      imported = this.importFrom(file);
    } finally {
      file.close();
    }
    this.recordAction(actor, 'package.imported', imported.summary.packageId, { examId: imported.summary.examId, title: imported.summary.title, alreadyImported: imported.alreadyImported });
    return imported;
  }

  async beginPackageUpload(input: StationInput<'beginPackageUpload'>, caller?: Caller): Promise<StationOutput<'beginPackageUpload'>> {
    const actor = this.requireStaff('beginPackageUpload', input, caller);
    let begun: StationOutput<'beginPackageUpload'>;
    try {
      begun = this.intake.begin(clientOf(caller), input.fileName, input.size);
    } catch (error) {
      throw diskError(error);
    }
    this.recordAction(actor, 'package.upload.begun', begun.uploadId, { fileName: input.fileName, size: input.size });
    return begun;
  }

  /** Part of the upload its beginning recorded: a chunk is checked against the right, not audited one by one. */
  async appendPackageChunk(input: StationInput<'appendPackageChunk'>, caller?: Caller): Promise<StationOutput<'appendPackageChunk'>> {
    this.requireStaff('appendPackageChunk', input, caller);
    try {
      return this.intake.append(clientOf(caller), input);
    } catch (error) {
      throw diskError(error);
    }
  }

  async finishPackageUpload(input: StationInput<'finishPackageUpload'>, caller?: Caller): Promise<StationOutput<'finishPackageUpload'>> {
    const actor = this.requireStaff('finishPackageUpload', input, caller);
    try {
      return this.intake.finish(clientOf(caller), input.uploadId, actor);
    } catch (error) {
      throw diskError(error);
    }
  }

  async cancelPackageUpload(input: StationInput<'cancelPackageUpload'>, caller?: Caller): Promise<StationOutput<'cancelPackageUpload'>> {
    const actor = this.requireStaff('cancelPackageUpload', input, caller);
    this.intake.cancelUpload(clientOf(caller), input.uploadId);
    this.recordAction(actor, 'package.upload.cancelled', input.uploadId, {});
    return { ok: true };
  }

  async listPackageSources(input: StationInput<'listPackageSources'>, caller?: Caller): Promise<StationOutput<'listPackageSources'>> {
    this.requireStaff('listPackageSources', input, caller);
    return this.intake.listSources();
  }

  async importPackageSource(input: StationInput<'importPackageSource'>, caller?: Caller): Promise<StationOutput<'importPackageSource'>> {
    const actor = this.requireStaff('importPackageSource', input, caller);
    const job = this.intake.importSource(clientOf(caller), input.sourceId, actor);
    this.recordAction(actor, 'package.import.begun', job.jobId, { from: 'removable-media', fileName: job.fileName, size: job.totalBytes });
    return job;
  }

  async getPackageImport(input: StationInput<'getPackageImport'>, caller?: Caller): Promise<StationOutput<'getPackageImport'>> {
    this.requireStaff('getPackageImport', input, caller);
    return this.intake.status(clientOf(caller), input.jobId);
  }

  async cancelPackageImport(input: StationInput<'cancelPackageImport'>, caller?: Caller): Promise<StationOutput<'cancelPackageImport'>> {
    this.requireStaff('cancelPackageImport', input, caller);
    return this.intake.cancel(clientOf(caller), input.jobId);
  }

  /** Resolves when the import job has ended (tests; a screen polls getPackageImport). */
  packageImportSettled(jobId: string): Promise<PackageImportJob> {
    return this.intake.settled(jobId);
  }

  private recordImportEnd(job: PackageImportJob, actor: StaffActor): void {
    const details = { fileName: job.fileName, ...(job.result ? { examId: job.result.summary.examId, title: job.result.summary.title, alreadyImported: job.result.alreadyImported } : {}), ...(job.error ? { code: job.error.code } : {}) };
    this.recordAction(actor, job.state === 'done' ? 'package.imported' : `package.import.${job.state}`, job.result?.summary.packageId ?? job.jobId, details);
  }

  async getTrustList(input: StationInput<'getTrustList'>, caller?: Caller): Promise<StationOutput<'getTrustList'>> {
    this.requireStaff('getTrustList', input, caller);
    return this.trust.view();
  }

  async applyTrustUpdate(input: StationInput<'applyTrustUpdate'>, caller?: Caller): Promise<StationOutput<'applyTrustUpdate'>> {
    const actor = this.requireStaff('applyTrustUpdate', input, caller);
    const before = this.trust.view().sequence;
    let view: StationOutput<'applyTrustUpdate'>;
    try {
      view = this.trust.apply(input.data);
    } catch (error) {
      this.recordAction(actor, 'trust.update.refused', null, { code: error instanceof CodedError ? error.code : 'INTERNAL', sequence: before });
      throw diskError(error);
    }
    this.recordAction(actor, 'trust.updated', String(view.sequence), { from: before, keys: view.keys });
    return view;
  }

  async listPackages(input: StationInput<'listPackages'>, caller?: Caller): Promise<StationOutput<'listPackages'>> {
    this.requireStaff('listPackages', input, caller);
    return this.packages.list();
  }

  async unlockPackage(input: StationInput<'unlockPackage'>, caller?: Caller): Promise<StationOutput<'unlockPackage'>> {
    const actor = this.requireStaff('unlockPackage', input, caller);
    let unlocked: StationOutput<'unlockPackage'>;
    try {
      unlocked = this.packages.unlock(input.packageId, input.key, this.options.venueCode, this.now());
    } catch (error) {
      throw storageError(error);
    }
    this.recordAction(actor, 'package.unlocked', input.packageId, { examId: unlocked.examId });
    return unlocked;
  }

  async listCandidates(input: StationInput<'listCandidates'>, caller?: Caller): Promise<StationOutput<'listCandidates'>> {
    this.requireStaff('listCandidates', input, caller);
    return listCandidates(this.db, input.sessionId);
  }

  async openAttempt(input: StationInput<'openAttempt'>, caller?: Caller): Promise<StationOutput<'openAttempt'>> {
    const actor = this.requireStaff('openAttempt', input, caller);
    const content = this.content(input.packageId);
    const now = this.now();
    const { attemptId, candidateToken } = this.tx((tx) => {
      const id = this.attempts.open(tx, input.candidateId, input.packageId, now);
      // The invigilator seats the candidate at this screen: they are present.
      const { attendance } = this.attempts.candidate(id);
      if (attendance !== 'present') this.roomLog.markAttendance(tx, input.candidateId, 'present', actor.username, now);
      this.staff.recordAction(tx, actor, 'attempt.opened', id, { candidateId: input.candidateId, packageId: input.packageId }, now);
      return { attemptId: id, candidateToken: this.attempts.issueToken(tx, id) };
    });
    this.screens.bind(caller, attemptId);
    this.screens.forgetAttempt(attemptId);
    return { ...this.view(content, attemptId, now), candidateToken };
  }

  async staffTimerEvent(input: StationInput<'staffTimerEvent'>, caller?: Caller): Promise<StationOutput<'staffTimerEvent'>> {
    // Extra time names its grounds; the contract says so, and so does the station for callers in its process.
    if (input.kind === 'extend' && input.grounds === undefined) throw new StationError('VALIDATION_FAILED', 'extra time names its grounds (accommodation or incident)');
    const actor = this.requireStaff('staffTimerEvent', input, caller);
    const part = this.part(this.contentOfAttempt(input.attemptId), input.partId);
    const now = this.now();
    return this.tx((tx) => {
      this.attempts.requireOpen(input.attemptId);
      const state = this.timers.record(tx, { attemptId: input.attemptId, part, kind: input.kind, amountMs: input.amountMs, reason: input.reason }, now);
      const details = { partId: input.partId, amountMs: input.amountMs ?? null, reason: input.reason ?? null, ...(input.grounds ? { grounds: input.grounds } : {}) };
      this.staff.recordAction(tx, actor, `timer.${input.kind}`, input.attemptId, details, now);
      return state;
    });
  }

  async markAttendance(input: StationInput<'markAttendance'>, caller?: Caller): Promise<StationOutput<'markAttendance'>> {
    const actor = this.requireStaff('markAttendance', input, caller);
    const now = this.now();
    this.tx((tx) => {
      this.roomLog.markAttendance(tx, input.candidateId, input.status, actor.username, now);
      this.staff.recordAction(tx, actor, 'attendance.marked', input.candidateId, { status: input.status }, now);
    });
    const candidate = listCandidates(this.db).find((c) => c.candidateId === input.candidateId);
    if (!candidate) throw new StationError('NOT_FOUND', `candidate ${input.candidateId}`);
    return candidate;
  }

  async recordIncident(input: StationInput<'recordIncident'>, caller?: Caller): Promise<StationOutput<'recordIncident'>> {
    const actor = this.requireStaff('recordIncident', input, caller);
    const now = this.now();
    return this.tx((tx) => {
      const recorded = this.roomLog.recordIncident(tx, input, actor.username, now);
      this.staff.recordAction(tx, actor, 'incident.recorded', recorded.incidentId, { sessionId: input.sessionId, candidateId: input.candidateId ?? null, attemptId: input.attemptId ?? null, kind: input.kind }, now);
      return recorded;
    });
  }

  async readOutbox(input: StationInput<'readOutbox'>, caller?: Caller): Promise<StationOutput<'readOutbox'>> {
    const actor = this.requireStaff('readOutbox', input, caller);
    const events = this.outbox.read(input.afterSeq, input.limit ?? 500);
    // Every candidate's answers leave the station this way: who read them is recorded.
    this.recordAction(actor, 'outbox.read', null, { afterSeq: input.afterSeq, events: events.length, lastSeq: events.at(-1)?.seq ?? null });
    return events;
  }

  async getCandidate(input: StationInput<'getCandidate'>, caller?: Caller): Promise<StationOutput<'getCandidate'>> {
    this.seat(input, caller);
    return this.attempts.candidate(input.attemptId);
  }

  async declineIdentity(input: StationInput<'declineIdentity'>, caller?: Caller): Promise<StationOutput<'declineIdentity'>> {
    this.seat(input, caller);
    const content = this.contentOfAttempt(input.attemptId);
    const now = this.now();
    const incident = this.tx((tx) => {
      this.attempts.requireOpen(input.attemptId);
      // Once a part has begun the identity screen is behind the candidate: what is wrong then is the
      // invigilator's to record, and the attempt is not handed back.
      const begun = content.parts.filter((part) => this.timers.state(input.attemptId, part, now.getTime()).status !== 'not-started');
      if (begun.length > 0) throw new StationError('ATTEMPT_STARTED', `${begun.map((p) => p.id).join(', ')} begun`);
      const { sessionId } = this.attempts.candidate(input.attemptId);
      const recorded = this.roomLog.recordIncident(tx, { sessionId, attemptId: input.attemptId, kind: 'candidate-identity', note: IDENTITY_NOTES[input.reason] }, CANDIDATE_ACTOR, now);
      this.attempts.endToken(tx, input.attemptId);
      // On a room's seat the hub sees the "No" in the seat's next heartbeat, next to that seat.
      if (this.seatAssignment.ofAttempt(input.attemptId)) this.seatAssignment.decline(tx, input.reason);
      return recorded;
    });
    // No screen holds the attempt now: this one is no longer a candidate screen, so the invigilator can
    // sign in on it and open the attempt again for the right person (which resumes it).
    this.screens.release(input.attemptId);
    return incident;
  }

  async getExamContent(input: StationInput<'getExamContent'>, caller?: Caller): Promise<StationOutput<'getExamContent'>> {
    this.seat(input, caller);
    return this.content(this.attempts.requireOpen(input.attemptId).packageId);
  }

  async getMedia(input: StationInput<'getMedia'>, caller?: Caller): Promise<StationOutput<'getMedia'>> {
    this.seat(input, caller);
    const { packageId } = this.attempts.requireOpen(input.attemptId);
    const opened = this.packages.open(packageId);
    if (!opened.mediaPaths.has(input.path)) throw new StationError('NOT_FOUND', input.path);
    // Read before the play is marked as used: a damaged package refuses without spending the play.
    const media = opened.readMedia(input.path)!;
    this.tx((tx) => this.plays.release(tx, opened.content, input.attemptId, input.path, this.now()));
    return { mimeType: MEDIA_TYPES[extname(input.path).toLowerCase()] ?? 'application/octet-stream', data: new Uint8Array(media) };
  }

  async finishAttempt(input: StationInput<'finishAttempt'>, caller?: Caller): Promise<StationOutput<'finishAttempt'>> {
    this.seat(input, caller);
    const content = this.contentOfAttempt(input.attemptId);
    const now = this.now();
    this.tx((tx) => {
      // A take still open (the recorder cut off by the end) is closed with its audio before submission.
      if (this.attempts.isOpen(input.attemptId)) this.recordings.closeOpenTakes(tx, 'submitted', now, input.attemptId);
      this.attempts.finish(tx, content, input.attemptId, now);
    });
    return this.view(content, input.attemptId, now);
  }

  async getAttempt(input: StationInput<'getAttempt'>, caller?: Caller): Promise<StationOutput<'getAttempt'>> {
    this.seat(input, caller);
    return this.view(this.contentOfAttempt(input.attemptId), input.attemptId, this.now());
  }

  async setPosition(input: StationInput<'setPosition'>, caller?: Caller): Promise<StationOutput<'setPosition'>> {
    this.seat(input, caller);
    this.tx((tx) => this.attempts.setPosition(tx, input.attemptId, input.partId, input.itemId));
    return { ok: true };
  }

  async saveResponse(input: StationInput<'saveResponse'>, caller?: Caller): Promise<StationOutput<'saveResponse'>> {
    this.seat(input, caller);
    const content = this.contentOfAttempt(input.attemptId);
    try {
      return this.tx((tx) => this.answers.save(tx, content, input, this.now()));
    } catch (error) {
      // A retried save (second click, resend after a lost reply) gets the acknowledgement it already had.
      const earlier = this.answers.earlierAck(input);
      if (earlier) return earlier;
      throw error;
    }
  }

  async startRecording(input: StationInput<'startRecording'>, caller?: Caller): Promise<StationOutput<'startRecording'>> {
    this.seat(input, caller);
    this.requireUnlocked();
    const content = this.contentOfAttempt(input.attemptId);
    return this.tx((tx) => this.recordings.start(tx, content, input.attemptId, input.itemId, input.mimeType, this.now()));
  }

  async appendAudioSegment(input: StationInput<'appendAudioSegment'>, caller?: Caller): Promise<StationOutput<'appendAudioSegment'>> {
    this.seat(input, caller);
    // Hash outside the transaction: a damaged segment is refused before the database is touched.
    if (segmentHash(input.data) !== input.sha256) throw new StationError('SEGMENT_HASH_MISMATCH', `segment ${input.index}`);
    return this.tx((tx) => this.recordings.append(tx, input, this.now()));
  }

  async closeRecording(input: StationInput<'closeRecording'>, caller?: Caller): Promise<StationOutput<'closeRecording'>> {
    this.seat(input, caller);
    return this.tx((tx) => this.recordings.close(tx, input.recordingId, this.now(), null, input.attemptId, input.segmentCount));
  }

  async grantAudioPlay(input: StationInput<'grantAudioPlay'>, caller?: Caller): Promise<StationOutput<'grantAudioPlay'>> {
    this.seat(input, caller);
    this.requireUnlocked();
    const content = this.contentOfAttempt(input.attemptId);
    const found = findStimulus(content, input.stimulusId);
    if (!found || found.stimulus.type !== 'audio') throw new StationError('NOT_FOUND', `audio ${input.stimulusId}`);
    const playLimit = found.stimulus.playLimit;
    const now = this.now();
    return this.tx((tx) => {
      this.attempts.requireOpen(input.attemptId);
      const timer = this.timers.state(input.attemptId, found.part, now.getTime());
      if (timer.status !== 'running') throw new StationError(timer.status === 'not-started' ? 'PART_NOT_STARTED' : timer.status === 'paused' ? 'PART_PAUSED' : 'ATTEMPT_CLOSED', found.part.id);
      return this.plays.grant(tx, input.attemptId, input.stimulusId, playLimit, now);
    });
  }

  async returnAudioPlay(input: StationInput<'returnAudioPlay'>, caller?: Caller): Promise<StationOutput<'returnAudioPlay'>> {
    this.seat(input, caller);
    const content = this.contentOfAttempt(input.attemptId);
    const found = findStimulus(content, input.stimulusId);
    if (!found || found.stimulus.type !== 'audio') throw new StationError('NOT_FOUND', `audio ${input.stimulusId}`);
    const playLimit = found.stimulus.playLimit;
    const now = this.now();
    return this.tx((tx) => {
      this.attempts.requireOpen(input.attemptId);
      // A pause may fall between the grant and the failed start; after the part's end no play matters.
      const status = this.timers.state(input.attemptId, found.part, now.getTime()).status;
      if (status !== 'running' && status !== 'paused') throw new StationError(status === 'not-started' ? 'PART_NOT_STARTED' : 'ATTEMPT_CLOSED', found.part.id);
      return this.plays.giveBack(tx, input.attemptId, input.stimulusId, input.play, playLimit, now);
    });
  }

  async recordTimerEvent(input: StationInput<'recordTimerEvent'>, caller?: Caller): Promise<StationOutput<'recordTimerEvent'>> {
    this.seat(input, caller);
    this.requireUnlocked();
    if (!(CANDIDATE_TIMER_KINDS as readonly string[]).includes(input.kind)) throw new StationError('STAFF_REQUIRED', `${input.kind} is the invigilator's`);
    if (input.kind === 'start' && this.authorisationOf(input.attemptId) === 'needed') throw new StationError('CANDIDATE_NOT_AUTHORISED', input.partId);
    if (input.kind === 'start' && this.waitingForStart(input.attemptId)) throw new StationError('ROOM_NOT_STARTED', `${input.partId}: the room's start has not reached this seat`);
    const part = this.part(this.contentOfAttempt(input.attemptId), input.partId);
    return this.tx((tx) => {
      this.attempts.requireOpen(input.attemptId);
      // A paused part is the invigilator's until they resume it: the candidate cannot end it.
      if (input.kind === 'end' && this.timers.state(input.attemptId, part, this.now().getTime()).status === 'paused') throw new StationError('PART_PAUSED', part.id);
      const state = this.timers.record(tx, { attemptId: input.attemptId, part, kind: input.kind }, this.now());
      if (input.kind !== 'start') return state;
      // A registered extra-time accommodation is given with the start, in the same transaction, with
      // the document behind it as the reason: nobody has to remember it, and the protocol shows it.
      const registered = this.attempts.accommodation(input.attemptId);
      const accommodations = parseAccommodations(registered.text);
      const extraMs = accommodationExtraMs(part.timeLimitSeconds * 1000, accommodations);
      if (extraMs === 0) return state;
      return this.timers.record(tx, { attemptId: input.attemptId, part, kind: 'extend', amountMs: extraMs, reason: accommodationReason(accommodations, registered.docNo, registered.docDate) }, this.now());
    });
  }

  async seatHeartbeat(input: StationInput<'seatHeartbeat'>, caller?: Caller): Promise<StationOutput<'seatHeartbeat'>> {
    const creditedMs = this.seat(input, caller);
    // Before the key is released (a seat waiting for the start) the heartbeat still carries the room's word.
    const content = this.contentIfUnlocked(this.attempts.facts(input.attemptId).packageId);
    const now = this.now();
    const parts = (content?.parts ?? []).map((part) => ({ partId: part.id, timer: this.timers.state(input.attemptId, part, now.getTime()) }));
    return { parts, creditedMs, serverTime: now.getTime(), roomMessage: this.roomMessageNow(), locked: this.roomLockNow(), authorisation: this.authorisationOf(input.attemptId), waitingForStart: this.waitingForStart(input.attemptId), hand: this.raisedHand(), hubOffline: this.hubOffline() };
  }

  async getTimer(input: StationInput<'getTimer'>, caller?: Caller): Promise<StationOutput<'getTimer'>> {
    this.seat(input, caller);
    const part = this.part(this.contentOfAttempt(input.attemptId), input.partId);
    return this.timers.state(input.attemptId, part, this.now().getTime());
  }

  // ---- the room's commands, on a seat (src-main/seat-link/apply-command.ts) ----------------------
  // Not methods of the station API: only the seat's link to its hub calls them, for commands the hub
  // (its invigilator, signed in there) issued; the link has stored each command before it comes here.

  /** The open attempts on this station, with their candidate (a seat has at most one). */
  roomAttempts(): { attemptId: string; packageId: string; candidateId: string }[] {
    return this.attempts.openIds().map((a) => ({ ...a, candidateId: this.attempts.candidate(a.attemptId).candidateId }));
  }

  /**
   * The invigilator's timer action from the hub on one part of an attempt, attributed to `issuedBy`.
   * Without a part, the part the action fits: the running one for pause, extend and end, the paused
   * one for resume; with none such, nothing to do (a room-wide pause skips a seat between parts).
   */
  roomTimer(input: { attemptId: string; partId: string | null; kind: 'pause' | 'resume' | 'extend' | 'credit' | 'end'; amountMs?: number; reason: string | null }): { partId: string | null } {
    const content = this.contentOfAttempt(input.attemptId);
    const now = this.now();
    return this.tx((tx) => {
      this.attempts.requireOpen(input.attemptId);
      const wanted = input.kind === 'resume' ? 'paused' : 'running';
      const part = input.partId ? this.part(content, input.partId) : content.parts.find((p) => this.timers.state(input.attemptId, p, now.getTime()).status === wanted);
      if (!part) return { partId: null };
      this.timers.record(tx, { attemptId: input.attemptId, part, kind: input.kind, amountMs: input.amountMs, reason: input.reason ?? undefined }, now);
      return { partId: part.id };
    });
  }

  /**
   * The end of a session for the room, on this seat: every open take of the session's attempts is
   * closed, every part begun is ended, and an attempt with every part ended is submitted. A part never
   * begun stays so: after the seal nothing of the session can begin.
   */
  roomEndSession(input: { sessionId: string; reason: string | null }): void {
    const now = this.now();
    this.tx((tx) => {
      for (const attempt of this.sessionAttempts(input.sessionId)) {
        const content = this.content(attempt.packageId);
        this.recordings.closeOpenTakes(tx, 'submitted', now, attempt.attemptId);
        for (const part of content.parts) {
          const status = this.timers.state(attempt.attemptId, part, now.getTime()).status;
          if (status === 'running' || status === 'paused' || status === 'expired') this.timers.record(tx, { attemptId: attempt.attemptId, part, kind: 'end', reason: input.reason ?? undefined }, now);
        }
        if (content.parts.every((part) => this.timers.state(attempt.attemptId, part, now.getTime()).status === 'ended')) this.attempts.finish(tx, content, attempt.attemptId, now);
      }
    });
  }

  /** The open attempts of a session's candidates on this station. */
  private sessionAttempts(sessionId: string): { attemptId: string; packageId: string }[] {
    return this.roomAttempts().filter((a) => this.attempts.candidate(a.attemptId).sessionId === sessionId);
  }

  /**
   * The hub's seal of a session, on this seat: refused while a part of it runs or a take is open
   * (SESSION_NOT_ENDED); else the seat's final digest, kept, and from then on the session takes no
   * writes here. Asked again, the same answer.
   */
  roomSeal(input: { sessionId: string; cmdId: string }): SealAnswer {
    const now = this.now();
    return this.tx((tx) => {
      const sealed = this.seals.seatAnswer(input.sessionId);
      if (sealed) return sealed;
      for (const attempt of this.sessionAttempts(input.sessionId)) {
        const content = this.content(attempt.packageId);
        const live = content.parts.filter((part) => ['running', 'paused'].includes(this.timers.state(attempt.attemptId, part, now.getTime()).status));
        if (live.length > 0) throw new StationError('SESSION_NOT_ENDED', `${live.map((p) => p.id).join(', ')} of attempt ${attempt.attemptId}`);
        const open = this.db.get(this.db.q.selectFrom('recordings').select('recording_id').where('attempt_id', '=', attempt.attemptId).where('closed_at', 'is', null));
        if (open) throw new StationError('SESSION_NOT_ENDED', `take ${open.recording_id} is open`);
      }
      return this.seals.sealSeat(tx, input.sessionId, input.cmdId, now);
    });
  }

  /**
   * The room's purge, on a seat: the centre confirmed the session, so the seat deletes what it holds of
   * it (its candidate, attempt, answers, audio and events) and answers what it deleted as manifests.
   * Refused while the hub has not acknowledged every event of the session this seat wrote: nothing the
   * hub does not hold is ever deleted.
   */
  roomPurge(input: { sessionId: string }): PurgeAnswer {
    const acked = Number(this.db.get(this.db.q.selectFrom('meta').select('value').where('key', '=', SEAT_ACKED_SEQ_META))?.value ?? 0);
    return this.tx(() => {
      const plan = planPurge(this.db, input.sessionId);
      const newest = Math.max(0, ...plan.eventSeqs);
      if (newest > acked) throw new StationError('PURGE_NOT_CONFIRMED', `this seat holds events of ${input.sessionId} up to ${newest}; the hub has acknowledged ${acked}`);
      carryOutPurge(this.db, plan, this.outbox.lastSeq());
      this.outbox.forget();
      return { deviceId: this.deviceId, sessionId: input.sessionId, deletedAt: this.now().toISOString(), items: plan.items };
    });
  }

  /**
   * The room's move-out: the candidate of this seat was moved to another seat. Their attempt stops here
   * (its screen is told, nothing new is written for it); what this seat wrote of it before still goes
   * to the hub, which keeps what came after the move flagged. Nothing to do if the seat has no such attempt.
   */
  roomMoveOut(input: { candidateId: string | null; cmdId: string; at: number }): { attemptIds: string[] } {
    const moved = this.roomAttempts().filter((a) => input.candidateId === null || a.candidateId === input.candidateId);
    const assigned = this.seatAssignment.current();
    this.tx((tx) => {
      for (const attempt of moved) this.attempts.markMovedOut(tx, attempt.attemptId, input.cmdId, input.at);
      // The seat is free of them: its kiosk has no candidate to hand, and the hub may seat another here.
      if (assigned && moved.some((a) => a.attemptId === assigned.attemptId)) this.seatAssignment.clear(tx);
    });
    return { attemptIds: moved.map((a) => a.attemptId) };
  }

  /**
   * A moved candidate's hand-over from the hub (src-main/seat-link/hand-over.ts): the attempt rebuilt
   * from what the hub acknowledged, takes left open closed (cut off by the old seat, so they do not
   * count), commands the old seat carried out kept as carried out. The timers, as after a fault: the
   * time a running part's clock ran from the old seat's last sign of life to now, less one beat, is
   * credited (as seat() credits a silent screen), and the part is paused until the candidate's screen
   * is at this seat (its first call resumes it), so the walk over costs nothing. The candidate is then
   * seated here: their identity and authorisation carried over, so the kiosk screen takes the attempt
   * (claimSeat) and goes straight on; and they are past the start gate if the room's start let them
   * through before (startOfHandedOver). A hand-over taken already is a no-op.
   */
  roomHandOver(handOver: HandOver): { attemptId: string; creditedMs: number; alreadyApplied: boolean } {
    if (this.db.get(this.db.q.selectFrom('seat_hand_overs').select('move_id').where('move_id', '=', handOver.moveId))) return { attemptId: handOver.attemptId, creditedMs: 0, alreadyApplied: true };
    const content = this.content(handOver.packageId);
    const now = this.now();
    let creditedMs = 0;
    this.tx((tx) => {
      const rebuilt = rebuildHandedOver(this.db, tx, handOver, now);
      // The rows were written around the stores: whatever they remembered of other attempts is read again.
      this.timers.forget();
      this.attempts.forget();
      this.answers.forget();
      for (const recordingId of rebuilt.openTakes) this.recordings.close(tx, recordingId, now, 'station-restart');
      for (const command of handOver.settledCommands) {
        this.db.run(
          this.db.q
            .insertInto('seat_commands')
            .values({ cmd_id: command.cmdId, term: command.term, room_seq: command.roomSeq, command_json: JSON.stringify(command), received_at: now.toISOString(), status: 'applied', code: null, detail: `carried out at ${handOver.from.deviceId}, before the move`, applied_at: now.toISOString() })
            .onConflict((oc) => oc.column('cmd_id').doNothing()),
        );
      }
      const startedAt = startOfHandedOver(this.db, tx, handOver);
      if (startedAt !== null) this.roomStart({ candidateId: handOver.candidate.candidateId, at: startedAt });
      this.seatAssignment.assign(tx, { candidateId: handOver.candidate.candidateId, attemptId: handOver.attemptId, packageId: handOver.packageId, cmdId: handOver.moveId, by: handOver.movedBy, authorised: handOver.authorised }, now);
      const lastSeen = handOver.from.lastSeenAt ?? handOver.movedAt;
      const paused: string[] = [];
      for (const part of content.parts) {
        const before = this.timers.state(handOver.attemptId, part, lastSeen);
        const after = this.timers.state(handOver.attemptId, part, now.getTime());
        if (after.status === 'ended' || after.status === 'not-started') continue;
        const lostMs = after.elapsedMs - before.elapsedMs - SEAT_HEARTBEAT_MS;
        if (lostMs > 0) {
          const reason = `moved to another seat: ${Math.round(lostMs / 1000)} s from the old seat's last sign of life to the hand-over`;
          this.timers.record(tx, { attemptId: handOver.attemptId, part, kind: 'credit', amountMs: lostMs, reason }, now);
          creditedMs = Math.max(creditedMs, lostMs);
        }
        if (this.timers.state(handOver.attemptId, part, now.getTime()).status !== 'running') continue;
        this.timers.record(tx, { attemptId: handOver.attemptId, part, kind: 'pause', reason: 'moved to another seat: until the candidate is at this seat' }, now);
        paused.push(part.id);
      }
      this.db.run(this.db.q.updateTable('seat_hand_overs').set({ paused_parts: JSON.stringify(paused) }).where('move_id', '=', handOver.moveId));
    });
    this.awaitingCandidate = undefined;
    return { attemptId: handOver.attemptId, creditedMs, alreadyApplied: false };
  }

  /** Handed-over attempts whose parts wait for the candidate's screen: attempt → hand-over, read on first use. */
  private awaitingCandidate: Map<string, { moveId: string; parts: string[] }> | undefined;

  /** The candidate's screen is at this seat: the parts a hand-over paused for the walk over run again. */
  private resumeHandedOver(attemptId: string): void {
    this.awaitingCandidate ??= new Map(
      this.db
        .all(this.db.q.selectFrom('seat_hand_overs').select(['move_id', 'attempt_id', 'paused_parts']).where('resumed_at', 'is', null))
        .map((r) => [r.attempt_id, { moveId: r.move_id, parts: JSON.parse(r.paused_parts) as string[] }]),
    );
    const waiting = this.awaitingCandidate.get(attemptId);
    if (!waiting) return;
    const content = this.contentOfAttempt(attemptId);
    const now = this.now();
    this.tx((tx) => {
      for (const partId of waiting.parts) {
        const part = this.part(content, partId);
        if (this.timers.state(attemptId, part, now.getTime()).status === 'paused') this.timers.record(tx, { attemptId, part, kind: 'resume', reason: 'the moved candidate is at this seat' }, now);
      }
      this.db.run(this.db.q.updateTable('seat_hand_overs').set({ resumed_at: now.toISOString() }).where('move_id', '=', waiting.moveId));
    });
    this.awaitingCandidate.delete(attemptId);
  }

  /** The content key released by the hub at the start. */
  roomUnlock(packageId: string, key: string): void {
    try {
      this.packages.unlock(packageId, key, this.options.venueCode, this.now());
    } catch (error) {
      throw storageError(error);
    }
  }

  /**
   * What a seat's heartbeat says of its candidate: the assigned attempt (or the open one), its running
   * (or paused) part and time left, and the screen: before the first part, how far the candidate has
   * come with the identity screen and the invigilator's authorisation.
   */
  roomSeatReport(): SeatReportOfStation | null {
    const assigned = this.seatAssignment.current();
    const open = assigned && this.attempts.isOpen(assigned.attemptId) ? { attemptId: assigned.attemptId, candidateId: assigned.candidateId } : this.roomAttempts()[0];
    if (!open) return null;
    const now = this.now().getTime();
    const report = (partId: string | null, remainingMs: number | null, paused: boolean): SeatReportOfStation => {
      const base = { attemptId: open.attemptId, candidateId: open.candidateId, partId, remainingMs, paused, started: !this.waitingForStart(open.attemptId), hand: this.raisedHand() };
      if (partId === null && assigned?.attemptId === open.attemptId && !this.attemptBegun(open.attemptId)) {
        if (assigned.declineReason) return { ...base, screen: 'identity-declined', declineReason: assigned.declineReason };
        return { ...base, screen: !assigned.identityConfirmed ? 'identity' : !assigned.authorised ? 'awaiting-authorisation' : 'instructions' };
      }
      return { ...base, screen: paused ? 'paused' : partId ? 'part' : 'staff' };
    };
    let content: ExamContent;
    try {
      content = this.contentOfAttempt(open.attemptId);
    } catch {
      return report(null, null, false);
    }
    for (const part of content.parts) {
      const timer = this.timers.state(open.attemptId, part, now);
      if (timer.status === 'running' || timer.status === 'paused') return report(part.id, timer.remainingMs, timer.status === 'paused');
    }
    return report(null, null, false);
  }

  /** Whether any part of the attempt has begun, from its timer events (the content may still be locked). */
  private attemptBegun(attemptId: string): boolean {
    return Boolean(this.db.get(this.db.q.selectFrom('timer_events').select('attempt_id').where('attempt_id', '=', attemptId).where('kind', '=', 'start').limit(1)));
  }

  /** On a room's seat the assigned candidate needs the invigilator's authorisation before the test; elsewhere nobody does. */
  private authorisationOf(attemptId: string): 'not-needed' | 'needed' | 'authorised' {
    const assigned = this.seatAssignment.ofAttempt(attemptId);
    if (!assigned) return 'not-needed';
    return assigned.authorised ? 'authorised' : 'needed';
  }

  /** The hub seats a candidate here ('assign'): the seat keeps their roster row and opens their attempt itself. */
  roomAssign(command: RoomCommand): void {
    const parsed = AssignParams.safeParse(command.params);
    if (!parsed.success) throw new StationError('VALIDATION_FAILED', `an assignment carries the candidate, their session and the package: ${parsed.error.issues[0]?.path.join('.')}`);
    const params = parsed.data;
    const current = this.seatAssignment.current();
    if (current && current.candidateId !== params.candidate.candidateId) throw new StationError('SEAT_TAKEN', `${current.candidateId} is seated here`);
    if (!this.packages.list().some((p) => p.packageId === params.packageId)) throw new StationError('PACKAGE_NOT_ON_SEAT', params.packageId);
    const now = this.now();
    this.tx((tx) => {
      this.seatAssignment.storeCandidate(tx, params);
      const attemptId = this.attempts.open(tx, params.candidate.candidateId, params.packageId, now);
      // Handed anew (the screen lost the candidate, or they said No): no earlier screen acts for them now.
      if (current) this.attempts.endToken(tx, current.attemptId);
      if (current?.attemptId === attemptId) this.seatAssignment.handAgain(tx, command.cmdId);
      else this.seatAssignment.assign(tx, { candidateId: params.candidate.candidateId, attemptId, packageId: params.packageId, cmdId: command.cmdId, by: command.issuedBy }, now);
    });
    if (current) this.screens.release(current.attemptId);
  }

  /** The hub takes the candidate off this seat ('unassign'), only before they began. */
  roomUnassign(command: RoomCommand): void {
    const current = this.seatAssignment.current();
    if (!current || (typeof command.params.candidateId === 'string' && command.params.candidateId !== current.candidateId)) return;
    if (this.attemptBegun(current.attemptId)) throw new StationError('CANDIDATE_STARTED', current.attemptId);
    this.tx((tx) => {
      this.attempts.endToken(tx, current.attemptId);
      this.seatAssignment.clear(tx);
    });
    this.screens.release(current.attemptId);
  }

  /** The invigilator authorises the candidate here ('authorise'), once they confirmed their identity. */
  roomAuthorise(command: RoomCommand): void {
    const current = this.seatAssignment.current();
    if (!current || (typeof command.params.candidateId === 'string' && command.params.candidateId !== current.candidateId)) throw new StationError('CANDIDATE_NOT_SEATED', String(command.params.candidateId ?? ''));
    if (!current.identityConfirmed) throw new StationError('IDENTITY_NOT_CONFIRMED', current.candidateId);
    this.tx((tx) => this.seatAssignment.authorise(tx, command.issuedBy, new Date(command.effectiveAt)));
  }

  // ---- the hub's link to the central API (the link itself is src-main/sync/) -------------------------

  private central: CentralControl | null = null;

  /** The sync client of a hub (or a solo station); a seat has none. */
  attachCentral(control: CentralControl | null): void {
    this.central = control;
  }

  private requireCentral(): CentralControl {
    if (!this.central) throw new StationError('CENTRAL_LINK_NOT_AVAILABLE', `this station is ${this.options.role}`);
    return this.central;
  }

  async getCentralSync(input: StationInput<'getCentralSync'>, caller?: Caller): Promise<StationOutput<'getCentralSync'>> {
    this.requireStaff('getCentralSync', input, caller);
    return this.requireCentral().status();
  }

  async enrolAtCentre(input: StationInput<'enrolAtCentre'>, caller?: Caller): Promise<StationOutput<'enrolAtCentre'>> {
    const actor = this.requireStaff('enrolAtCentre', input, caller);
    const central = this.requireCentral();
    const enrolled = await central.enrol({ centralUrl: input.centralUrl, code: input.code, name: `${this.options.venueCode} ${this.options.role} ${this.deviceId}` });
    this.recordAction(actor, 'central.enrolled', enrolled.deviceId, { centralUrl: input.centralUrl, venueCode: enrolled.venueCode });
    void central.syncNow();
    return central.status();
  }

  async syncWithCentre(input: StationInput<'syncWithCentre'>, caller?: Caller): Promise<StationOutput<'syncWithCentre'>> {
    this.requireStaff('syncWithCentre', input, caller);
    const central = this.requireCentral();
    await central.syncNow();
    return central.status();
  }

  /**
   * Delete a session's personal data, answers and audio once the centre confirmed all of it (the sync
   * client checks and writes the signed deletion certificate), then tell every seat of the room to
   * delete its copy; each seat's answer becomes a certificate of its own (src-main/sync).
   */
  async purgeSession(input: StationInput<'purgeSession'>, caller?: Caller): Promise<StationOutput<'purgeSession'>> {
    const actor = this.requireStaff('purgeSession', input, caller);
    const central = this.requireCentral();
    const signed = await central.purgeSession(input.sessionId, actor.username);
    this.recordAction(actor, 'session.purged', input.sessionId, { certificateId: signed.certificate.certificateId, items: signed.certificate.stations[0]?.items.map((i) => `${i.kind}:${i.count}`) });
    let seats = 0;
    if (this.room?.desk && this.options.role === 'hub') {
      this.room.issueCommand({ target: { kind: 'room' }, type: 'purge', params: { sessionId: input.sessionId }, reason: 'the centre confirmed the session', issuedBy: actor.username });
      seats = this.room.status().hub?.seats.filter((s) => !s.revoked).length ?? 0;
    }
    return { sessionId: input.sessionId, certificateId: signed.certificate.certificateId, items: signed.certificate.stations[0]?.items ?? [], seatsAsked: seats };
  }

  private driveRoots() {
    return this.options.packageSources ?? { mediaRoots: LINUX_MEDIA_ROOTS, folders: [] };
  }

  async listUsbDrives(input: StationInput<'listUsbDrives'>, caller?: Caller): Promise<StationOutput<'listUsbDrives'>> {
    this.requireStaff('listUsbDrives', input, caller);
    return listDrives(this.driveRoots()).map(({ driveId, volume, freeBytes }) => ({ driveId, volume, freeBytes }));
  }

  async exportForCentre(input: StationInput<'exportForCentre'>, caller?: Caller): Promise<StationOutput<'exportForCentre'>> {
    const actor = this.requireStaff('exportForCentre', input, caller);
    const central = this.requireCentral();
    const folder = join(driveOf(this.driveRoots(), input.driveId).path, USB_FOLDER);
    let written;
    let certificates;
    try {
      mkdirSync(folder, { recursive: true });
      written = await central.exportForCentre(folder);
      certificates = central.exportCertificates(folder);
    } catch (error) {
      throw diskError(error);
    }
    this.recordAction(actor, 'central.exported', basename(written.file), { sha256: written.sha256, bytes: written.bytes, events: written.events, recordings: written.recordings, certificates: certificates.length });
    return { fileName: basename(written.file), bytes: written.bytes, sha256: written.sha256, events: written.events, recordings: written.recordings, waitingForAudio: written.waitingForAudio.length, certificates: certificates.length };
  }

  async importFromCentre(input: StationInput<'importFromCentre'>, caller?: Caller): Promise<StationOutput<'importFromCentre'>> {
    const actor = this.requireStaff('importFromCentre', input, caller);
    const central = this.requireCentral();
    const folder = join(driveOf(this.driveRoots(), input.driveId).path, USB_FOLDER);
    const sessions: StationOutput<'importFromCentre'>['sessions'] = [];
    const skipped: StationOutput<'importFromCentre'>['skipped'] = [];
    const files = existsSync(folder) ? readdirSync(folder).filter((f) => f.toLowerCase().endsWith('.json') && !f.startsWith('deletion-')).sort() : [];
    for (const fileName of files) {
      try {
        const bundle = JSON.parse(readFileSync(join(folder, fileName), 'utf8')) as unknown;
        sessions.push(await central.importReceipts(bundle));
      } catch (error) {
        const coded = error instanceof CodedError ? error : new StationError('CENTRAL_REPLY_INVALID', `${fileName}: ${(error as Error).message}`);
        skipped.push({ fileName, code: coded.code, message: coded.text });
      }
    }
    this.recordAction(actor, 'central.receipts-imported', null, { sessions: sessions.map((s) => `${s.sessionId}:${s.matching}/${s.receipts}`), skipped: skipped.map((s) => s.fileName) });
    return { sessions, skipped };
  }

  async listCentralReceipts(input: StationInput<'listCentralReceipts'>, caller?: Caller): Promise<StationOutput<'listCentralReceipts'>> {
    this.requireStaff('listCentralReceipts', input, caller);
    const central = this.requireCentral();
    const candidates = this.db.all(this.db.q.selectFrom('candidates').select(['candidate_id', 'given_name', 'family_name']).where('session_id', '=', input.sessionId).orderBy('family_name').orderBy('given_name'));
    return candidates.map((c) => {
      const held = central.receiptOf(c.candidate_id);
      const r = held?.signed.receipt;
      const recordings = r?.attempts.flatMap((a) => a.recordings) ?? [];
      return {
        candidateId: c.candidate_id,
        givenName: c.given_name,
        familyName: c.family_name,
        receiptId: r?.receiptId ?? null,
        issuedAt: r?.issuedAt ?? null,
        keyId: held?.signed.keyId ?? null,
        matches: held?.matches ?? false,
        problems: held?.problems ?? [],
        attempts: r?.attempts.length ?? 0,
        responses: r?.attempts.reduce((n, a) => n + a.responses.length, 0) ?? 0,
        recordings: recordings.length,
        audioReceived: recordings.filter((x) => x.audioReceived).length,
        incidents: r?.incidents.length ?? 0,
        attendance: r?.attendance?.status ?? null,
      };
    });
  }

  // ---- the room (staff methods; the room itself is src-main/host/room.ts) ------------------------

  private room: RoomControl | null = null;
  private roomNotice: string | null = null;

  /** The room started around this station, or why there is none (shown by getRoom). */
  attachRoom(control: RoomControl | null, notice: string | null = null): void {
    this.room = control;
    this.roomNotice = notice;
  }

  private requireRoom(): RoomControl {
    if (!this.room) throw new StationError('ROOM_NOT_AVAILABLE', this.roomNotice ?? `this station is ${this.options.role}`);
    return this.room;
  }

  async getRoom(input: StationInput<'getRoom'>, caller?: Caller): Promise<StationOutput<'getRoom'>> {
    const actor = this.requireStaff('getRoom', input, caller);
    if (this.room) {
      const status = this.room.status();
      // The pairing code is for those who may pair seats (chief invigilator, IT), not every invigilator.
      if (status.hub && !holdsRight(actor.roles, 'seats.pair')) return { ...status, hub: { ...status.hub, pairing: { ...status.hub.pairing, code: null } } };
      return status;
    }
    return { role: this.options.role, notice: this.roomNotice ?? (this.options.role === 'solo' ? 'a solo station has no room' : 'the room has not started'), hub: null, seat: null };
  }

  async openPairing(input: StationInput<'openPairing'>, caller?: Caller): Promise<StationOutput<'openPairing'>> {
    const actor = this.requireStaff('openPairing', input, caller);
    const code = this.requireRoom().openPairing();
    this.recordAction(actor, 'room.pairing.open', null, { expiresAt: code.expiresAt });
    return code;
  }

  async closePairing(input: StationInput<'closePairing'>, caller?: Caller): Promise<StationOutput<'closePairing'>> {
    const actor = this.requireStaff('closePairing', input, caller);
    this.requireRoom().closePairing();
    this.recordAction(actor, 'room.pairing.close', null, {});
    return { ok: true };
  }

  async revokeSeat(input: StationInput<'revokeSeat'>, caller?: Caller): Promise<StationOutput<'revokeSeat'>> {
    const actor = this.requireStaff('revokeSeat', input, caller);
    this.requireRoom().revokeSeat(input.deviceId);
    this.recordAction(actor, 'room.seat.revoke', input.deviceId, {});
    return { ok: true };
  }

  async decideSeatRequest(input: StationInput<'decideSeatRequest'>, caller?: Caller): Promise<StationOutput<'decideSeatRequest'>> {
    const actor = this.requireStaff('decideSeatRequest', input, caller);
    const room = this.requireRoom();
    if (!room.decideSeatRequest) throw new StationError('ROOM_NOT_AVAILABLE', 'seats are let in at the hub');
    await room.decideSeatRequest(input.deviceId, input.decision);
    this.recordAction(actor, input.decision === 'accept' ? 'room.seat.request.accept' : 'room.seat.request.refuse', input.deviceId, {});
    return { ok: true };
  }

  async pairWithHub(input: StationInput<'pairWithHub'>, caller?: Caller): Promise<StationOutput<'pairWithHub'>> {
    const actor = this.requireStaff('pairWithHub', input, caller);
    const { staffToken: _token, ...pairing } = input;
    const status = await this.requireRoom().pairWithHub(pairing);
    this.recordAction(actor, 'room.paired', status.seat?.hubDeviceId ?? null, { host: input.host, port: input.port, label: input.label, found: input.hubDeviceId !== undefined });
    return status;
  }

  // ---- check-in and the seat plan (a hub's console; docs/room.md) --------------------------------

  private roster(sessionId?: string): StationOutput<'getRoster'> {
    return rosterRows({ db: this.db, checkIns: this.checkIns, assignments: this.assignments, seats: this.room?.status().hub?.seats ?? [], sessionId });
  }

  private rosterRow(candidateId: string): StationOutput<'recordCheckInStep'> {
    const row = this.roster().find((r) => r.candidateId === candidateId);
    if (!row) throw new StationError('NOT_FOUND', `candidate ${candidateId}`);
    return row;
  }

  private candidateRow(candidateId: string) {
    const row = this.db.get(this.db.q.selectFrom('candidates').selectAll().where('candidate_id', '=', candidateId));
    if (!row) throw new StationError('NOT_FOUND', `candidate ${candidateId}`);
    return row;
  }

  async getRoster(input: StationInput<'getRoster'>, caller?: Caller): Promise<StationOutput<'getRoster'>> {
    this.requireStaff('getRoster', input, caller);
    return this.roster(input.sessionId);
  }

  async recordCheckInStep(input: StationInput<'recordCheckInStep'>, caller?: Caller): Promise<StationOutput<'recordCheckInStep'>> {
    const actor = this.requireStaff('recordCheckInStep', input, caller);
    this.candidateRow(input.candidateId);
    const now = this.now();
    this.tx((tx) => {
      this.checkIns.record(tx, input.candidateId, input.step, actor.username, now);
      this.staff.recordAction(tx, actor, `check-in.${input.step}`, input.candidateId, {}, now);
    });
    return this.rosterRow(input.candidateId);
  }

  async checkInCandidate(input: StationInput<'checkInCandidate'>, caller?: Caller): Promise<StationOutput<'checkInCandidate'>> {
    const actor = this.requireStaff('checkInCandidate', input, caller);
    const row = this.candidateRow(input.candidateId);
    if (row.attendance === 'removed') throw new StationError('CANDIDATE_REMOVED', input.candidateId);
    const now = this.now();
    if (input.status === 'present') {
      const check = this.checkIns.of(input.candidateId);
      const missing = [check.idDocument ? null : 'the ID document', check.personalCode ? null : 'the personal code'].filter(Boolean);
      if (missing.length > 0) throw new StationError('CHECK_IN_INCOMPLETE', `not yet: ${missing.join(', ')}`);
    } else {
      const seated = this.assignments.ofCandidate(input.candidateId);
      if (seated) throw new StationError('CANDIDATE_SEATED', seated.deviceId);
    }
    this.tx((tx) => {
      if (input.status === 'present' && row.attendance !== 'present') {
        const session = this.db.get(this.db.q.selectFrom('sessions').select('starts_at').where('session_id', '=', row.session_id));
        const lateMs = session ? now.getTime() - Date.parse(session.starts_at) : 0;
        this.checkIns.setLate(tx, input.candidateId, lateMs > 0);
        // A candidate who came late is present, with a candidate-late incident saying when (events.ts).
        if (lateMs > 0) {
          this.roomLog.recordIncident(tx, { sessionId: row.session_id, candidateId: input.candidateId, kind: 'candidate-late', note: `checked in at ${now.toISOString()}, ${Math.ceil(lateMs / 60_000)} min after the session's start` }, actor.username, now);
        }
      }
      if (input.status === 'absent') this.checkIns.setLate(tx, input.candidateId, false);
      this.roomLog.markAttendance(tx, input.candidateId, input.status, actor.username, now);
      this.staff.recordAction(tx, actor, 'attendance.marked', input.candidateId, { status: input.status }, now);
    });
    return this.rosterRow(input.candidateId);
  }

  async assignSeat(input: StationInput<'assignSeat'>, caller?: Caller): Promise<StationOutput<'assignSeat'>> {
    const actor = this.requireStaff('assignSeat', input, caller);
    const row = this.candidateRow(input.candidateId);
    if (row.attendance === 'removed') throw new StationError('CANDIDATE_REMOVED', input.candidateId);
    if (row.attendance === 'absent') throw new StationError('CANDIDATE_ABSENT', input.candidateId);
    if (row.attendance !== 'present') throw new StationError('CANDIDATE_NOT_CHECKED_IN', input.candidateId);
    const room = this.requireRoom();
    const seat = room.status().hub?.seats.find((s) => s.deviceId === input.deviceId);
    if (!seat) throw new StationError('SEAT_UNKNOWN', input.deviceId);
    if (seat.revoked) throw new StationError('SEAT_UNPAIRED', seat.label ?? input.deviceId);
    if (seat.presence === 'missing') throw new StationError('SEAT_NOT_CONNECTED', seat.label ?? input.deviceId);
    const taken = this.assignments.atSeat(input.deviceId);
    if (taken && taken.candidateId !== input.candidateId) throw new StationError('SEAT_TAKEN', `${seat.label ?? input.deviceId}: ${taken.candidateId}`);
    const mine = this.assignments.ofCandidate(input.candidateId);
    if (mine && mine.deviceId !== input.deviceId) throw new StationError('CANDIDATE_SEATED', mine.deviceId);
    const packageId = mine?.packageId ?? input.packageId;
    if (!this.packages.list().some((p) => p.packageId === packageId)) throw new StationError('NOT_FOUND', `package ${packageId}`);
    const session = this.db.get(this.db.q.selectFrom('sessions').selectAll().where('session_id', '=', row.session_id))!;
    const params: AssignParams = {
      packageId,
      session: { sessionId: session.session_id, examId: session.exam_id, venueCode: session.venue_code, venueName: session.venue_name, room: session.room, startsAt: session.starts_at, endsAt: session.ends_at },
      candidate: {
        candidateId: row.candidate_id,
        sessionId: row.session_id,
        givenName: row.given_name,
        familyName: row.family_name,
        maskedPersonalCode: maskPersonalCode(row.personal_code),
        level: row.level,
        accommodation: row.accommodation,
        accommodationDocNo: row.accommodation_doc_no,
        accommodationDocDate: row.accommodation_doc_date,
      },
    };
    const now = this.now();
    this.tx((tx) => {
      // Issued in the transaction that keeps the assignment: a seat never holds a candidate the hub has not seated there.
      const command = room.issueCommand({ target: { kind: 'seat', deviceId: input.deviceId }, type: 'assign', params, issuedBy: actor.username });
      if (mine) this.assignments.resent(tx, mine.assignmentId, command.cmdId);
      else this.assignments.add(tx, { candidateId: input.candidateId, deviceId: input.deviceId, packageId, by: actor.username, cmdId: command.cmdId }, now);
      this.staff.recordAction(tx, actor, mine ? 'seat.handed-again' : 'seat.assigned', input.candidateId, { deviceId: input.deviceId, label: seat.label, packageId }, now);
    });
    return this.rosterRow(input.candidateId);
  }

  async unassignSeat(input: StationInput<'unassignSeat'>, caller?: Caller): Promise<StationOutput<'unassignSeat'>> {
    const actor = this.requireStaff('unassignSeat', input, caller);
    const mine = this.assignments.ofCandidate(input.candidateId);
    if (!mine) throw new StationError('CANDIDATE_NOT_SEATED', input.candidateId);
    if (this.rosterRow(input.candidateId).state !== 'seated') throw new StationError('CANDIDATE_STARTED', input.candidateId);
    const room = this.requireRoom();
    const now = this.now();
    this.tx((tx) => {
      room.issueCommand({ target: { kind: 'seat', deviceId: mine.deviceId }, type: 'unassign', params: { candidateId: input.candidateId }, issuedBy: actor.username });
      this.assignments.end(tx, mine.assignmentId, actor.username, now);
      this.staff.recordAction(tx, actor, 'seat.unassigned', input.candidateId, { deviceId: mine.deviceId }, now);
    });
    return this.rosterRow(input.candidateId);
  }

  async authoriseCandidate(input: StationInput<'authoriseCandidate'>, caller?: Caller): Promise<StationOutput<'authoriseCandidate'>> {
    const actor = this.requireStaff('authoriseCandidate', input, caller);
    const mine = this.assignments.ofCandidate(input.candidateId);
    if (!mine) throw new StationError('CANDIDATE_NOT_SEATED', input.candidateId);
    const stage = this.rosterRow(input.candidateId).seat?.stage ?? null;
    // The invigilator authorises the person the seat shows as having confirmed: never ahead of the seat.
    if (stage !== 'awaiting-authorisation' && stage !== 'authorised') throw new StationError('IDENTITY_NOT_CONFIRMED', `${input.candidateId}: the seat reports ${stage ?? 'nothing yet'}`);
    const room = this.requireRoom();
    const now = this.now();
    this.tx((tx) => {
      room.issueCommand({ target: { kind: 'seat', deviceId: mine.deviceId }, type: 'authorise', params: { candidateId: input.candidateId }, issuedBy: actor.username });
      this.assignments.authorise(tx, mine.assignmentId, actor.username, now);
      this.staff.recordAction(tx, actor, 'seat.authorised', input.candidateId, { deviceId: mine.deviceId }, now);
    });
    return this.rosterRow(input.candidateId);
  }

  /** The seat's kiosk screen asks for its candidate; see the contract. */
  async claimSeat(_input: StationInput<'claimSeat'>, caller?: Caller): Promise<StationOutput<'claimSeat'>> {
    if (this.options.role !== 'seat') throw new StationError('ROOM_NOT_AVAILABLE', `only a seat is handed its candidate by a hub; this station is ${this.options.role}`);
    const label = this.room?.status().seat?.label ?? null;
    const current = this.seatAssignment.current();
    if (!current) return { label, seat: null, waiting: 'no-candidate' };
    if (current.declineReason) return { label, seat: null, waiting: 'handed-back' };
    if (current.claimed) return { label, seat: null, waiting: 'claimed' };
    const candidateToken = this.tx((tx) => {
      this.seatAssignment.claim(tx, this.now());
      return this.attempts.issueToken(tx, current.attemptId);
    });
    this.screens.bind(caller, current.attemptId);
    this.screens.forgetAttempt(current.attemptId);
    return { label, seat: { attemptId: current.attemptId, candidateToken }, waiting: null };
  }

  async confirmIdentity(input: StationInput<'confirmIdentity'>, caller?: Caller): Promise<StationOutput<'confirmIdentity'>> {
    this.seat(input, caller);
    if (this.seatAssignment.ofAttempt(input.attemptId)) this.tx((tx) => this.seatAssignment.confirmIdentity(tx, this.now()));
    return { authorisation: this.authorisationOf(input.attemptId) };
  }

  // ---- the end and seal of a session (a hub's, src-main/lan/room-seal.ts) ---------------------------

  private requireSeal(): NonNullable<RoomControl['seal']> {
    const seal = this.requireRoom().seal;
    if (!seal) throw new StationError('ROOM_NOT_AVAILABLE', 'sessions are ended and sealed at the hub');
    return seal;
  }

  /** The hub sealed a session: from now on this station writes nothing of it. */
  noteSessionSealed(sessionId: string): void {
    this.seals.noteSealed(sessionId);
  }

  async getSealStatus(input: StationInput<'getSealStatus'>, caller?: Caller): Promise<StationOutput<'getSealStatus'>> {
    this.requireStaff('getSealStatus', input, caller);
    return this.requireSeal().status(input.sessionId);
  }

  // The seal's own actions write their audit entries in their own transactions (the seal's entry must be
  // the room log's head when the hub signs it), so these do not record them a second time.
  async endSession(input: StationInput<'endSession'>, caller?: Caller): Promise<StationOutput<'endSession'>> {
    const actor = this.requireStaff('endSession', input, caller);
    return this.requireSeal().end(input.sessionId, actor.username, input.reason ?? null);
  }

  async sealSession(input: StationInput<'sealSession'>, caller?: Caller): Promise<StationOutput<'sealSession'>> {
    const actor = this.requireStaff('sealSession', input, caller);
    return this.requireSeal().seal(input.sessionId, actor.username);
  }

  async accountForSeat(input: StationInput<'accountForSeat'>, caller?: Caller): Promise<StationOutput<'accountForSeat'>> {
    const actor = this.requireStaff('accountForSeat', input, caller);
    return this.requireSeal().account(input.sessionId, input.deviceId, input.reason.trim(), actor.username);
  }

  async getRoomProtocol(input: StationInput<'getRoomProtocol'>, caller?: Caller): Promise<StationOutput<'getRoomProtocol'>> {
    const actor = this.requireStaff('getRoomProtocol', input, caller);
    const data = await this.requireSeal().protocol(input.sessionId, actor.username);
    return { fileName: `protokols-${input.sessionId}.pdf`, mimeType: 'application/pdf', data };
  }

  /** A read, as getRoom: checked against the rights table, not written to the audit log. */
  async listDiscoveredHubs(input: StationInput<'listDiscoveredHubs'>, caller?: Caller): Promise<StationOutput<'listDiscoveredHubs'>> {
    this.requireStaff('listDiscoveredHubs', input, caller);
    return this.requireRoom().discoveredHubs();
  }

  async moveCandidate(input: StationInput<'moveCandidate'>, caller?: Caller): Promise<StationOutput<'moveCandidate'>> {
    const actor = this.requireStaff('moveCandidate', input, caller);
    const move = this.requireRoom().moveCandidate({ candidateId: input.candidateId, toDeviceId: input.toDeviceId, reason: input.reason, movedBy: actor.username });
    this.recordAction(actor, 'room.candidate.move', input.candidateId, { moveId: move.moveId, attemptId: move.attemptId, from: move.fromDeviceId, to: move.toDeviceId, reason: input.reason });
    return move;
  }

  /** The invigilator's message from the hub, shown on the seat's screen until another replaces it. */
  roomMessage(message: { id: string; text: string; at: number }): void {
    this.tx((tx) => this.setMeta(tx, 'room_message', JSON.stringify(message)));
    this.roomMessageCache = message;
  }

  private roomMessageCache: { id: string; text: string; at: number } | null | undefined;

  private roomMessageNow(): { id: string; text: string; at: number } | null {
    if (this.roomMessageCache === undefined) {
      const stored = this.meta('room_message');
      this.roomMessageCache = stored ? (JSON.parse(stored) as { id: string; text: string; at: number }) : null;
    }
    return this.roomMessageCache;
  }

  /**
   * The invigilator locks this seat from the hub (or unlocks it). While locked the candidate's screen is
   * covered and nothing new begins (a part, a play, a take); an answer on its way is still kept, so a
   * lock loses nothing. The part's time runs on: to stop it, the invigilator pauses.
   */
  roomLock(lock: { reason: string | null; at: number } | null): void {
    this.tx((tx) => (lock ? this.setMeta(tx, 'room_lock', JSON.stringify(lock)) : this.db.run(this.db.q.deleteFrom('meta').where('key', '=', 'room_lock'))));
    this.roomLockCache = lock;
  }

  private roomLockCache: { reason: string | null; at: number } | null | undefined;

  private roomLockNow(): { reason: string | null; at: number } | null {
    if (this.roomLockCache === undefined) {
      const stored = this.meta('room_lock');
      this.roomLockCache = stored ? (JSON.parse(stored) as { reason: string | null; at: number }) : null;
    }
    return this.roomLockCache;
  }

  private requireUnlocked(): void {
    const lock = this.roomLockNow();
    if (lock) throw new StationError('SEAT_LOCKED', lock.reason ?? undefined);
  }

  // ---- the start gate and the raised hand, on a seat --------------------------------------------

  /**
   * The room's start (or one candidate's, for one who came late) has reached this seat: the candidates
   * with an attempt open here may begin their parts. Kept in the seat's database, so a restart keeps it.
   * A candidate seated after the room's start needs a start of their own.
   */
  roomStart(start: { candidateId: string | null; at: number }): void {
    const started = this.startedCandidates();
    const now = start.candidateId ? [start.candidateId] : this.roomAttempts().map((a) => a.candidateId);
    for (const id of now) started[id] ??= start.at;
    this.tx((tx) => this.setMeta(tx, 'room_started', JSON.stringify(started)));
  }

  private startedCandidates(): Record<string, number> {
    const stored = this.meta('room_started');
    return stored ? (JSON.parse(stored) as Record<string, number>) : {};
  }

  /** Only a seat waits for its room's start; a solo station (and a hub) has no gate. */
  private waitingForStart(attemptId: string): boolean {
    if (this.options.role !== 'seat') return false;
    return !Object.hasOwn(this.startedCandidates(), this.attempts.candidate(attemptId).candidateId);
  }

  /** A paired seat whose link to its hub is down now (a solo station and a hub have no hub to lose). */
  private hubOffline(): boolean {
    if (this.options.role !== 'seat') return false;
    const seat = this.room?.status().seat;
    return Boolean(seat?.paired) && !seat!.connected;
  }

  async raiseHand(input: StationInput<'raiseHand'>, caller?: Caller): Promise<StationOutput<'raiseHand'>> {
    this.seat(input, caller);
    this.attempts.requireOpen(input.attemptId);
    const hand = { reason: input.reason, at: this.now().getTime() };
    this.tx((tx) => this.setMeta(tx, 'raised_hand', JSON.stringify(hand)));
    return hand;
  }

  private raisedHand(): { reason: HandReason; at: number } | null {
    const stored = this.meta('raised_hand');
    return stored ? (JSON.parse(stored) as { reason: HandReason; at: number }) : null;
  }

  /** An invigilator saw the hand raised at `at`: it goes down (a hand raised again since stays up). */
  roomHandAck(at: number): void {
    if (this.raisedHand()?.at !== at) return;
    this.tx(() => this.db.run(this.db.q.deleteFrom('meta').where('key', '=', 'raised_hand')));
  }

  // ---- the room controls, on a hub (src-main/station/room-staff.ts) -------------------------------

  async getRoomControls(input: StationInput<'getRoomControls'>, caller?: Caller): Promise<StationOutput<'getRoomControls'>> {
    this.requireStaff('getRoomControls', input, caller);
    return this.roomStaff.controls();
  }

  async releaseKey(input: StationInput<'releaseKey'>, caller?: Caller): Promise<StationOutput<'releaseKey'>> {
    return this.roomStaff.releaseKey(this.requireStaff('releaseKey', input, caller), input);
  }

  async setTwoPersonRelease(input: StationInput<'setTwoPersonRelease'>, caller?: Caller): Promise<StationOutput<'setTwoPersonRelease'>> {
    return this.roomStaff.setTwoPersonRelease(this.requireStaff('setTwoPersonRelease', input, caller), input);
  }

  async roomCommand(input: StationInput<'roomCommand'>, caller?: Caller): Promise<StationOutput<'roomCommand'>> {
    return this.roomStaff.roomCommand(this.requireStaff('roomCommand', input, caller), input);
  }

  async settleLostTime(input: StationInput<'settleLostTime'>, caller?: Caller): Promise<StationOutput<'settleLostTime'>> {
    return this.roomStaff.settleLostTime(this.requireStaff('settleLostTime', input, caller), input);
  }

  async acknowledgeHand(input: StationInput<'acknowledgeHand'>, caller?: Caller): Promise<StationOutput<'acknowledgeHand'>> {
    return this.roomStaff.acknowledgeHand(this.requireStaff('acknowledgeHand', input, caller), input);
  }

  async recordRoomIncident(input: StationInput<'recordRoomIncident'>, caller?: Caller): Promise<StationOutput<'recordRoomIncident'>> {
    return this.roomStaff.recordRoomIncident(this.requireStaff('recordRoomIncident', input, caller), input);
  }

  async removeCandidate(input: StationInput<'removeCandidate'>, caller?: Caller): Promise<StationOutput<'removeCandidate'>> {
    return this.roomStaff.removeCandidate(this.requireStaff('removeCandidate', input, caller), input, Boolean(this.room?.desk));
  }
}
