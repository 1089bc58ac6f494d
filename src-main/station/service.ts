// The station service: the one implementation of the station API, plain Node (no electron). Every
// method that changes something runs in one IMMEDIATE transaction that also appends its outbox event,
// and returns only after the commit, so its reply is the acknowledgement the UI may show as "saved".
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { StationError } from '../../src-shared/errors.ts';
import { findStimulus, type ExamContent, type Part } from '../../src-shared/content/schema.ts';
import type { StationApi, StationInput, StationOutput } from '../../src-shared/station-api.ts';
import type { TrustList } from '../package/keys.ts';
import { openStationDatabase, storageError, type OpenOptions, type StationDatabase } from './database.ts';
import { Answers } from './store/answers.ts';
import { Attempts } from './store/attempts.ts';
import { Recordings, segmentHash } from './store/audio.ts';
import { Outbox } from './store/outbox.ts';
import { PackageStore } from './store/packages.ts';
import { listCandidates, loadRoster, type RosterInput } from './store/roster.ts';
import { Timers } from './store/timers.ts';
import { StaffDesk } from './staff.ts';
import { CANDIDATE_TIMER_KINDS, SEAT_HEARTBEAT_MS } from '../../src-shared/station-api.ts';

/** A seat silent for longer than this was interrupted; the silence beyond one beat is credited. */
const SEAT_GAP_MS = 3 * SEAT_HEARTBEAT_MS;

export type StationRole = 'hub' | 'seat' | 'solo';

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
  /** Sets the staff PIN when the station has none yet (first set-up, the demo). */
  initialStaffPin?: string;
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

function readDeviceId(db: StationDatabase): string {
  return db.transaction(() => {
    const known = db.get(db.q.selectFrom('meta').select('value').where('key', '=', 'device_id'));
    if (known) return known.value;
    const id = randomUUID();
    db.run(db.q.insertInto('meta').values({ key: 'device_id', value: id }));
    return id;
  });
}

export class StationService implements StationApi {
  readonly db: StationDatabase;
  readonly deviceId: string;
  private readonly options: StationOptions;
  private readonly now: () => Date;
  private readonly packages: PackageStore;
  private readonly outbox: Outbox;
  private readonly timers: Timers;
  private readonly attempts: Attempts;
  private readonly answers: Answers;
  private readonly recordings: Recordings;
  private readonly staff: StaffDesk;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly seatBeats = new Map<string, number>();

  constructor(options: StationOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.db = openStationDatabase(options.dbPath, options.open);
    try {
      this.deviceId = readDeviceId(this.db);
      this.packages = new PackageStore(this.db);
      this.outbox = new Outbox(this.db, this.deviceId);
      this.timers = new Timers(this.db, this.outbox);
      this.attempts = new Attempts(this.db, this.outbox, this.timers);
      this.answers = new Answers(this.db, this.outbox, this.attempts, this.timers);
      this.recordings = new Recordings(this.db, this.outbox, this.attempts, this.timers);
      this.staff = new StaffDesk(this.db);
      if (options.initialStaffPin && !this.staff.hasPin()) this.staff.setPin(options.initialStaffPin);
      this.recoverFromUncleanStop();
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
  private tx<T>(fn: () => T): T {
    try {
      return this.db.transaction(fn);
    } catch (error) {
      this.timers.forget();
      this.attempts.forget();
      this.answers.forget();
      throw storageError(error);
    }
  }

  private meta(key: string): string | undefined {
    return this.db.get(this.db.q.selectFrom('meta').select('value').where('key', '=', key))?.value;
  }

  private setMeta(key: string, value: string): void {
    this.db.run(this.db.q.insertInto('meta').values({ key, value }).onConflict((oc) => oc.column('key').doUpdateSet({ value })));
  }

  private beat(): void {
    try {
      this.tx(() => this.setMeta('alive_at', String(this.now().getTime())));
    } catch (error) {
      // A failed heartbeat only makes a later fault credit less precise; it must not stop the exam.
      console.error('station heartbeat failed:', (error as Error).message);
    }
  }

  /** After a crash or power cut, credit running parts with the time the station was down. */
  private recoverFromUncleanStop(): void {
    this.tx(() => {
      const clean = this.meta('clean_stop') === '1';
      const aliveAt = Number(this.meta('alive_at') ?? 0);
      const now = this.now();
      this.setMeta('clean_stop', '0');
      this.setMeta('alive_at', String(now.getTime()));
      if (clean || aliveAt === 0) return;
      if (now.getTime() <= aliveAt) return;
      for (const attempt of this.attempts.openIds()) {
        let content: ExamContent;
        try {
          content = this.packages.open(attempt.packageId).content;
        } catch {
          continue; // a locked package has no running timers
        }
        for (const part of content.parts) {
          // A part running now was running since its last start or resume; the time from the later of
          // that and the last sign of life is time the candidate could not work.
          if (this.timers.state(attempt.attemptId, part, now.getTime()).status !== 'running') continue;
          const runningSince = Math.max(...this.timers.events(attempt.attemptId, part.id).filter((e) => e.kind === 'start' || e.kind === 'resume').map((e) => e.at));
          const partLostMs = now.getTime() - Math.max(aliveAt, runningSince);
          if (partLostMs <= 0) continue;
          const reason = `station restart: ${Math.round(partLostMs / 1000)} s lost while the station was down`;
          this.timers.record({ attemptId: attempt.attemptId, part, kind: 'credit', amountMs: partLostMs, reason }, now);
        }
      }
    });
  }

  close(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (!this.db.sqlite.open) return;
    try {
      this.tx(() => {
        this.setMeta('clean_stop', '1');
        this.setMeta('alive_at', String(this.now().getTime()));
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

  private contentOfAttempt(attemptId: string): ExamContent {
    return this.content(this.attempts.facts(attemptId).packageId);
  }

  private part(content: ExamContent, partId: string): Part {
    const part = content.parts.find((p) => p.id === partId);
    if (!part) throw new StationError('NOT_FOUND', `part ${partId}`);
    return part;
  }

  /** Sessions and candidates from the central API (or the demo seed). Not a renderer method. */
  loadRoster(roster: RosterInput): void {
    try {
      loadRoster(this.db, roster);
    } catch (error) {
      throw storageError(error);
    }
  }

  /** The whole recording as one file, for upload and for checks. */
  recordingFile(recordingId: string): Buffer {
    return this.recordings.bytes(recordingId);
  }

  importPackageBytes(file: Buffer): StationOutput<'importPackage'> {
    try {
      return this.packages.import(file, { trust: this.options.trust, venue: this.options.venueCode, now: this.now() });
    } catch (error) {
      throw storageError(error);
    }
  }

  // ---- the station API ------------------------------------------------------------------------

  async getStatus(): Promise<StationOutput<'getStatus'>> {
    return { deviceId: this.deviceId, role: this.options.role, appVersion: this.options.appVersion ?? '0.0.0', schemaVersion: this.db.schemaVersion, lastSeq: this.outbox.lastSeq() };
  }

  async staffSignIn(input: StationInput<'staffSignIn'>): Promise<StationOutput<'staffSignIn'>> {
    return this.staff.signIn(input.pin, this.now().getTime());
  }

  private requireStaff(staffToken: string | undefined): void {
    this.staff.require(staffToken, this.now().getTime());
  }

  async importPackage(input: StationInput<'importPackage'>): Promise<StationOutput<'importPackage'>> {
    this.requireStaff(input.staffToken);
    let file: Buffer;
    try {
      file = readFileSync(input.path);
    } catch (error) {
      throw new StationError('FILE_UNREADABLE', `${input.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return this.importPackageBytes(file);
  }

  async listPackages(): Promise<StationOutput<'listPackages'>> {
    return this.packages.list();
  }

  async unlockPackage(input: StationInput<'unlockPackage'>): Promise<StationOutput<'unlockPackage'>> {
    this.requireStaff(input.staffToken);
    try {
      return this.packages.unlock(input.packageId, input.key, this.options.venueCode, this.now());
    } catch (error) {
      throw storageError(error);
    }
  }

  async getExamContent(input: StationInput<'getExamContent'>): Promise<StationOutput<'getExamContent'>> {
    return this.content(input.packageId);
  }

  async getMedia(input: StationInput<'getMedia'>): Promise<StationOutput<'getMedia'>> {
    const media = this.packages.open(input.packageId).media.get(input.path);
    if (!media) throw new StationError('NOT_FOUND', input.path);
    return { mimeType: MEDIA_TYPES[extname(input.path).toLowerCase()] ?? 'application/octet-stream', data: new Uint8Array(media) };
  }

  async listCandidates(input: StationInput<'listCandidates'>): Promise<StationOutput<'listCandidates'>> {
    this.requireStaff(input.staffToken);
    return listCandidates(this.db, input.sessionId);
  }

  async openAttempt(input: StationInput<'openAttempt'>): Promise<StationOutput<'openAttempt'>> {
    this.requireStaff(input.staffToken);
    const content = this.content(input.packageId);
    const now = this.now();
    const attemptId = this.tx(() => this.attempts.open(input.candidateId, input.packageId, now));
    return this.attempts.view(content, attemptId, now);
  }

  async getCandidate(input: StationInput<'getCandidate'>): Promise<StationOutput<'getCandidate'>> {
    return this.attempts.candidate(input.attemptId);
  }

  async finishAttempt(input: StationInput<'finishAttempt'>): Promise<StationOutput<'finishAttempt'>> {
    const content = this.contentOfAttempt(input.attemptId);
    const now = this.now();
    this.tx(() => this.attempts.finish(content, input.attemptId, now));
    return this.attempts.view(content, input.attemptId, now);
  }

  async getAttempt(input: StationInput<'getAttempt'>): Promise<StationOutput<'getAttempt'>> {
    return this.attempts.view(this.contentOfAttempt(input.attemptId), input.attemptId, this.now());
  }

  async setPosition(input: StationInput<'setPosition'>): Promise<StationOutput<'setPosition'>> {
    this.tx(() => this.attempts.setPosition(input.attemptId, input.partId, input.itemId));
    return { ok: true };
  }

  async saveResponse(input: StationInput<'saveResponse'>): Promise<StationOutput<'saveResponse'>> {
    const content = this.contentOfAttempt(input.attemptId);
    try {
      return this.tx(() => this.answers.save(content, input, this.now()));
    } catch (error) {
      // A retried save (second click, resend after a lost reply) gets the acknowledgement it already had.
      const earlier = this.answers.earlierAck(input);
      if (earlier) return earlier;
      throw error;
    }
  }

  async startRecording(input: StationInput<'startRecording'>): Promise<StationOutput<'startRecording'>> {
    const content = this.contentOfAttempt(input.attemptId);
    return this.tx(() => this.recordings.start(content, input.attemptId, input.itemId, input.mimeType, this.now()));
  }

  async appendAudioSegment(input: StationInput<'appendAudioSegment'>): Promise<StationOutput<'appendAudioSegment'>> {
    // Hash outside the transaction: a damaged segment is refused before the database is touched.
    if (segmentHash(input.data) !== input.sha256) throw new StationError('SEGMENT_HASH_MISMATCH', `segment ${input.index}`);
    return this.tx(() => this.recordings.append(input, this.now()));
  }

  async closeRecording(input: StationInput<'closeRecording'>): Promise<StationOutput<'closeRecording'>> {
    return this.tx(() => this.recordings.close(input.recordingId, this.now()));
  }

  async grantAudioPlay(input: StationInput<'grantAudioPlay'>): Promise<StationOutput<'grantAudioPlay'>> {
    const content = this.contentOfAttempt(input.attemptId);
    const found = findStimulus(content, input.stimulusId);
    if (!found || found.stimulus.type !== 'audio') throw new StationError('NOT_FOUND', `audio ${input.stimulusId}`);
    const playLimit = found.stimulus.playLimit;
    const now = this.now();
    return this.tx(() => {
      this.attempts.requireOpen(input.attemptId);
      const timer = this.timers.state(input.attemptId, found.part, now.getTime());
      if (timer.status !== 'running') throw new StationError(timer.status === 'not-started' ? 'PART_NOT_STARTED' : 'ATTEMPT_CLOSED', found.part.id);
      const used = this.db.all(this.db.q.selectFrom('stimulus_plays').select('play').where('attempt_id', '=', input.attemptId).where('stimulus_id', '=', input.stimulusId)).length;
      if (used >= playLimit) throw new StationError('PLAY_LIMIT', `${used} of ${playLimit} plays used`);
      const play = used + 1;
      this.db.run(this.db.q.insertInto('stimulus_plays').values({ attempt_id: input.attemptId, stimulus_id: input.stimulusId, play, granted_at: now.toISOString() }));
      this.outbox.append('audio.play', input.attemptId, { attemptId: input.attemptId, stimulusId: input.stimulusId, play }, now);
      return { stimulusId: input.stimulusId, play, playLimit, remaining: playLimit - play };
    });
  }

  async recordTimerEvent(input: StationInput<'recordTimerEvent'>): Promise<StationOutput<'recordTimerEvent'>> {
    const part = this.part(this.contentOfAttempt(input.attemptId), input.partId);
    if (!(CANDIDATE_TIMER_KINDS as readonly string[]).includes(input.kind)) this.requireStaff(input.staffToken);
    return this.tx(() => {
      this.attempts.requireOpen(input.attemptId);
      return this.timers.record({ attemptId: input.attemptId, part, kind: input.kind, amountMs: input.amountMs, reason: input.reason }, this.now());
    });
  }

  async seatHeartbeat(input: StationInput<'seatHeartbeat'>): Promise<StationOutput<'seatHeartbeat'>> {
    const content = this.contentOfAttempt(input.attemptId);
    const now = this.now();
    const previous = this.seatBeats.get(input.attemptId);
    this.seatBeats.set(input.attemptId, now.getTime());
    let creditedMs = 0;
    if (previous !== undefined && now.getTime() - previous > SEAT_GAP_MS && this.attempts.facts(input.attemptId).status === 'open') {
      const lostMs = now.getTime() - previous - SEAT_HEARTBEAT_MS;
      this.tx(() => {
        for (const part of content.parts) {
          if (this.timers.state(input.attemptId, part, previous).status !== 'running') continue;
          const reason = `seat interrupted: ${Math.round(lostMs / 1000)} s without the candidate screen`;
          this.timers.record({ attemptId: input.attemptId, part, kind: 'credit', amountMs: lostMs, reason }, now);
          creditedMs = lostMs;
        }
      });
    }
    const parts = content.parts.map((part) => ({ partId: part.id, timer: this.timers.state(input.attemptId, part, now.getTime()) }));
    return { parts, creditedMs, serverTime: now.getTime() };
  }

  async getTimer(input: StationInput<'getTimer'>): Promise<StationOutput<'getTimer'>> {
    const part = this.part(this.contentOfAttempt(input.attemptId), input.partId);
    return this.timers.state(input.attemptId, part, this.now().getTime());
  }

  /** Every candidate's answers are in the outbox: staff only. */
  async readOutbox(input: StationInput<'readOutbox'>): Promise<StationOutput<'readOutbox'>> {
    this.requireStaff(input.staffToken);
    return this.outbox.read(input.afterSeq, input.limit ?? 500);
  }
}
