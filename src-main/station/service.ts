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
import { attemptRow, attemptView, openAttempt, openAttemptRow, setPosition } from './store/attempts.ts';
import { saveResponse } from './store/answers.ts';
import { appendSegment, closeRecording, recordingBytes, segmentHash, startRecording } from './store/audio.ts';
import { appendEvent, lastSeq, readOutbox } from './store/outbox.ts';
import { PackageStore } from './store/packages.ts';
import { listCandidates, loadRoster, type RosterInput } from './store/roster.ts';
import { partTimer, recordTimerEvent } from './store/timers.ts';

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

export class StationService implements StationApi {
  readonly db: StationDatabase;
  readonly deviceId: string;
  private readonly options: StationOptions;
  private readonly packages: PackageStore;
  private readonly now: () => Date;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(options: StationOptions) {
    this.options = options;
    this.now = options.now ?? (() => new Date());
    this.db = openStationDatabase(options.dbPath, options.open);
    try {
      this.packages = new PackageStore(this.db);
      this.deviceId = this.tx(() => {
        const known = this.meta('device_id');
        if (known) return known;
        const id = randomUUID();
        this.setMeta('device_id', id);
        return id;
      });
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

  /** Run `fn` in one IMMEDIATE transaction; SQLite failures become errors a person can act on. */
  private tx<T>(fn: () => T): T {
    try {
      return this.db.sqlite.transaction(fn).immediate();
    } catch (error) {
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
      const lostMs = now.getTime() - aliveAt;
      if (lostMs <= 0) return;
      const open = this.db.all(this.db.q.selectFrom('attempts').select(['attempt_id', 'package_id']).where('status', '=', 'open'));
      for (const attempt of open) {
        let content: ExamContent;
        try {
          content = this.packages.open(attempt.package_id).content;
        } catch {
          continue; // a locked package has no running timers
        }
        for (const part of content.parts) {
          if (partTimer(this.db, attempt.attempt_id, part, aliveAt).status !== 'running') continue;
          recordTimerEvent(this.db, this.deviceId, { attemptId: attempt.attempt_id, part, kind: 'credit', amountMs: lostMs, reason: `station restart: ${Math.round(lostMs / 1000)} s lost while the station was down` }, now);
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
    return this.content(attemptRow(this.db, attemptId).package_id);
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
    return recordingBytes(this.db, recordingId);
  }

  // ---- the station API ------------------------------------------------------------------------

  async getStatus(): Promise<StationOutput<'getStatus'>> {
    return { deviceId: this.deviceId, role: this.options.role, appVersion: this.options.appVersion ?? '0.0.0', schemaVersion: this.db.schemaVersion, lastSeq: lastSeq(this.db) };
  }

  async importPackage(input: StationInput<'importPackage'>): Promise<StationOutput<'importPackage'>> {
    let file: Buffer;
    try {
      file = readFileSync(input.path);
    } catch (error) {
      throw new StationError('FILE_UNREADABLE', `${input.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return this.importPackageBytes(file);
  }

  importPackageBytes(file: Buffer): StationOutput<'importPackage'> {
    try {
      return this.packages.import(file, { trust: this.options.trust, venue: this.options.venueCode, now: this.now() });
    } catch (error) {
      throw storageError(error);
    }
  }

  async listPackages(): Promise<StationOutput<'listPackages'>> {
    return this.packages.list();
  }

  async unlockPackage(input: StationInput<'unlockPackage'>): Promise<StationOutput<'unlockPackage'>> {
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
    return listCandidates(this.db, input.sessionId);
  }

  async openAttempt(input: StationInput<'openAttempt'>): Promise<StationOutput<'openAttempt'>> {
    const content = this.content(input.packageId);
    const now = this.now();
    const attemptId = this.tx(() => openAttempt(this.db, this.deviceId, input.candidateId, input.packageId, now));
    return attemptView(this.db, content, attemptId, now);
  }

  async getAttempt(input: StationInput<'getAttempt'>): Promise<StationOutput<'getAttempt'>> {
    return attemptView(this.db, this.contentOfAttempt(input.attemptId), input.attemptId, this.now());
  }

  async setPosition(input: StationInput<'setPosition'>): Promise<StationOutput<'setPosition'>> {
    this.tx(() => setPosition(this.db, input.attemptId, input.partId, input.itemId));
    return { ok: true };
  }

  async saveResponse(input: StationInput<'saveResponse'>): Promise<StationOutput<'saveResponse'>> {
    const content = this.contentOfAttempt(input.attemptId);
    return this.tx(() => saveResponse(this.db, this.deviceId, content, input, this.now()));
  }

  async startRecording(input: StationInput<'startRecording'>): Promise<StationOutput<'startRecording'>> {
    const content = this.contentOfAttempt(input.attemptId);
    return this.tx(() => startRecording(this.db, this.deviceId, content, input.attemptId, input.itemId, input.mimeType, this.now()));
  }

  async appendAudioSegment(input: StationInput<'appendAudioSegment'>): Promise<StationOutput<'appendAudioSegment'>> {
    // Hash outside the transaction: a damaged segment is refused before the database is touched.
    if (segmentHash(input.data) !== input.sha256) throw new StationError('SEGMENT_HASH_MISMATCH', `segment ${input.index}`);
    return this.tx(() => appendSegment(this.db, this.deviceId, input, this.now()));
  }

  async closeRecording(input: StationInput<'closeRecording'>): Promise<StationOutput<'closeRecording'>> {
    return this.tx(() => closeRecording(this.db, this.deviceId, input.recordingId, this.now()));
  }

  async grantAudioPlay(input: StationInput<'grantAudioPlay'>): Promise<StationOutput<'grantAudioPlay'>> {
    const content = this.contentOfAttempt(input.attemptId);
    const found = findStimulus(content, input.stimulusId);
    if (!found || found.stimulus.type !== 'audio') throw new StationError('NOT_FOUND', `audio ${input.stimulusId}`);
    const playLimit = found.stimulus.playLimit;
    const now = this.now();
    return this.tx(() => {
      openAttemptRow(this.db, input.attemptId);
      const timer = partTimer(this.db, input.attemptId, found.part, now.getTime());
      if (timer.status !== 'running') throw new StationError(timer.status === 'not-started' ? 'PART_NOT_STARTED' : 'ATTEMPT_CLOSED', found.part.id);
      const used = this.db.all(this.db.q.selectFrom('stimulus_plays').select('play').where('attempt_id', '=', input.attemptId).where('stimulus_id', '=', input.stimulusId)).length;
      if (used >= playLimit) throw new StationError('PLAY_LIMIT', `${used} of ${playLimit} plays used`);
      const play = used + 1;
      this.db.run(this.db.q.insertInto('stimulus_plays').values({ attempt_id: input.attemptId, stimulus_id: input.stimulusId, play, granted_at: now.toISOString() }));
      appendEvent(this.db, this.deviceId, 'audio.play', input.attemptId, { attemptId: input.attemptId, stimulusId: input.stimulusId, play }, now);
      return { stimulusId: input.stimulusId, play, playLimit, remaining: playLimit - play };
    });
  }

  async recordTimerEvent(input: StationInput<'recordTimerEvent'>): Promise<StationOutput<'recordTimerEvent'>> {
    const part = this.part(this.contentOfAttempt(input.attemptId), input.partId);
    return this.tx(() => {
      openAttemptRow(this.db, input.attemptId);
      return recordTimerEvent(this.db, this.deviceId, { attemptId: input.attemptId, part, kind: input.kind, amountMs: input.amountMs, reason: input.reason }, this.now());
    });
  }

  async getTimer(input: StationInput<'getTimer'>): Promise<StationOutput<'getTimer'>> {
    const part = this.part(this.contentOfAttempt(input.attemptId), input.partId);
    return partTimer(this.db, input.attemptId, part, this.now().getTime());
  }

  async readOutbox(input: StationInput<'readOutbox'>): Promise<StationOutput<'readOutbox'>> {
    return readOutbox(this.db, input.afterSeq, input.limit ?? 500);
  }

}
