// The hub's sync client (docs/sync.md): enrolment with the centre's one-time code, then in every pass
// down (the feed from its cursor: sessions and roster into the station, packages downloaded with
// Range resume, verified by their hash and imported, so the room offers them to its seats; a
// session's content key fetched once the centre releases it) and up (the hub's outbox, which already
// carries its seats' events with their origins, pushed from the centre's acked seq; every closed
// recording's audio by tus, its upload URL kept with it so a restart resumes; then each candidate's
// signed receipt fetched, verified and compared with the stream). Nothing waits on the centre: the
// station goes on when it cannot be reached, and the client tries again with back-off.
//
// Exactly once: a push the centre applied but whose reply was lost is sent again and answered as
// duplicates (seq ≤ acked), or refused as SEQ_GAP naming the seq the centre expects, which the client
// takes as its acked seq (the centre may be ahead after a USB import). An upload resumes from the
// offset the centre holds; an upload already complete answers complete.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { EnrollReply, Feed, KeyRelease, ReceiptBundle, ReceiptKeys, SignedReceipt, TransferKeys, type FeedPackage } from '../../src-shared/contracts/central-api.ts';
import { PushReply, PUSH_MAX_EVENTS, type EventEnvelope } from '../../src-shared/contracts/events.ts';
import { PurgeAnswer } from '../../src-shared/contracts/room-protocol.ts';
import type { BilingualText } from '../../src-shared/errors.ts';
import type { CentralSyncView } from '../../src-shared/contracts/station-api.ts';
import type { CentralControl } from '../station/central-control.ts';
import { carryOutPurge, EventOwners, planPurge } from '../station/session-purge.ts';
import { StoredDeletionCertificate, type DeletionCertificate, type SignedDeletionCertificate } from '../../src-shared/contracts/deletion-certificate.ts';
import { receiptSha256, signDeletionCertificate } from '../../src-shared/node/deletion-certificate.ts';
import { writeFileAtomic } from '../../src-shared/node/package/keys.ts';
import { verifyReceipt, verifyStreamAcknowledgement } from '../../src-shared/node/receipt-signature.ts';
import { sha256Hex } from '../../src-shared/node/request-signing.ts';
import { writeTransfer } from '../../src-shared/node/transfer/writer.ts';
import type { StationDatabase } from '../station/database.ts';
import type { RosterInput } from '../station/records/roster.ts';
import { CentralHttp, refusal, SyncError, type CentralHttpOptions } from './central-http.ts';
import { compareReceipt, expectedReceipts, type ExpectedReceipt } from './receipt-check.ts';

const TUS_VERSION = '1.0.0';
/** Bytes per tus PATCH: each is signed with its own hash, so a cut costs at most one chunk. */
export const UPLOAD_CHUNK_BYTES = 1024 * 1024;

/** What the client needs of the hub's station. */
export interface SyncStation {
  db: StationDatabase;
  /** The hub's stream: its own events and its seats', in push order. */
  readEvents(afterSeq: number, limit: number): EventEnvelope[];
  lastSeq(): number;
  loadRoster(roster: RosterInput): unknown;
  /** Import a package file the client downloaded and checked by its hash. */
  importPackageFile(path: string): { summary: { packageId: string } };
  /** Unlock a package held here with the content key the centre released. */
  unlockPackage(packageId: string, contentKey: string): void;
  /** The whole audio of a closed recording as the hub holds it (its own or a seat's), or null. */
  audioOf(recordingId: string): Buffer | null;
  /** The venue this station serves (its packages are built for it), if configured. */
  venueCode: string | null;
  /** This station's own device id in the room (its events' origin) and its role. */
  deviceId: string;
  role: 'hub' | 'solo';
}

export interface SyncClientOptions {
  station: SyncStation;
  /** Folder for partial package downloads (beside the database). */
  workDir: string;
  caBundleFile?: string | null;
  proxyEnv?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  now?: () => Date;
  /** The clock requests are signed with (the machine's; a test gives a wrong one). */
  clock?: () => number;
  /** Pause between passes when all is sent, and the longest back-off. */
  idleMs?: number;
  maxBackoffMs?: number;
}

export type SyncStatus = CentralSyncView;
export type TransferProgress = CentralSyncView['transfers'][number];
export type SyncProblem = NonNullable<CentralSyncView['lastError']>;
export type SessionAtCentre = CentralSyncView['sessions'][number];

interface Link {
  central_url: string;
  device_id: string;
  venue_code: string;
  private_key: string;
  feed_cursor: number;
  acked_seq: number;
  last_contact_at: string | null;
  revoked_at: string | null;
  receipt_keys: string | null;
  transfer_keys: string | null;
}

export class SyncClient implements CentralControl {
  private readonly station: SyncStation;
  private readonly db: StationDatabase;
  private readonly options: SyncClientOptions;
  private http: CentralHttp | null = null;
  private readonly now: () => Date;
  private readonly transfers = new Map<string, TransferProgress>();
  private lastError: SyncProblem | null = null;
  private newFromCentre = { sessions: 0, candidates: 0, packages: 0 };
  private running: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private failures = 0;
  /** The newest stream seq of each session's events, read on from where it last stopped (a receipt older than it is out of date). */
  private readonly sessionSeqs = { scanned: 0, newest: new Map<string, number>(), owners: new EventOwners((candidateId) => this.sessionOfCandidate(candidateId)) };
  private readonly candidateSessions = new Map<string, string>();

  constructor(options: SyncClientOptions) {
    this.options = options;
    this.station = options.station;
    this.db = options.station.db;
    this.now = options.now ?? (() => new Date());
  }

  private link(): Link | undefined {
    return this.db.get(this.db.q.selectFrom('central_link').selectAll().where('id', '=', 1)) as Link | undefined;
  }

  private requireLink(): Link {
    const link = this.link();
    if (!link) throw new SyncError('CENTRAL_NOT_ENROLLED', undefined, 0);
    if (link.revoked_at) throw new SyncError('DEVICE_REVOKED', `refused by the centre at ${link.revoked_at}`, 403);
    return link;
  }

  private httpFor(url: string, link?: Link): CentralHttp {
    if (!this.http || this.http.url.href !== new URL(url).href) {
      this.http?.close();
      const options: CentralHttpOptions = { url, caBundleFile: this.options.caBundleFile ?? null, ...(this.options.proxyEnv ? { proxyEnv: this.options.proxyEnv } : {}), ...(this.options.timeoutMs ? { timeoutMs: this.options.timeoutMs } : {}), ...(this.options.clock ? { clock: this.options.clock } : {}) };
      this.http = new CentralHttp(options);
    }
    if (link) this.http.credential = { deviceId: link.device_id, privateKey: createPrivateKey(link.private_key) };
    return this.http;
  }

  /**
   * Enrol with the centre: a new Ed25519 key made here (only its public half is sent), the one-time
   * code, and the receipt keys fetched. The key is kept in the station's database and never leaves it.
   */
  async enrol(input: { centralUrl: string; code: string; name: string }): Promise<{ deviceId: string; venueCode: string }> {
    if (this.link()) throw new SyncError('CENTRAL_ALREADY_ENROLLED', undefined, 0);
    const http = this.httpFor(input.centralUrl);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const publicKeyDer = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    let enrolled: EnrollReply;
    let keys: ReceiptKeys;
    try {
      enrolled = await http.json(EnrollReply, 'POST', '/v1/enroll', { code: input.code.trim(), name: input.name, publicKey: publicKeyDer }, { signed: false });
      keys = await http.json(ReceiptKeys, 'GET', '/v1/receipt-keys', undefined, { signed: false });
    } catch (error) {
      this.problem(error);
      throw error;
    }
    this.lastError = null;
    const at = this.now().toISOString();
    this.db.run(
      this.db.q.insertInto('central_link').values({
        id: 1,
        central_url: new URL(input.centralUrl).href.replace(/\/$/, ''),
        device_id: enrolled.deviceId,
        venue_id: enrolled.venueId,
        venue_code: enrolled.venueCode,
        private_key: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
        enrolled_at: at,
        last_contact_at: at,
        receipt_keys: JSON.stringify(keys),
      }),
    );
    await this.fetchTransferKeys().catch((error: unknown) => this.problem(error));
    if (this.station.venueCode && this.station.venueCode !== enrolled.venueCode) {
      this.problem(new SyncError('CONFIG_INVALID', `the centre enrolled this hub for venue ${enrolled.venueCode}, the station is set up for ${this.station.venueCode}: packages built for one are refused at the other; fix venueCode in the IT policy`, 0));
    }
    return { deviceId: enrolled.deviceId, venueCode: enrolled.venueCode };
  }

  /** Run passes until stopped: at once, then after `idleMs`, or with back-off while the centre cannot be reached. */
  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
    this.http?.close();
    this.http = null;
  }

  /** A pass now (the staff's "sync now"); resolves when it is over, with its error if it failed. */
  async syncNow(): Promise<SyncProblem | null> {
    await this.pass();
    return this.lastError;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.pass().then(() => {
        // A revoked hub stops: the centre will not take anything more from it (the console says so).
        if (this.link()?.revoked_at) return;
        const backoff = this.failures === 0 ? (this.options.idleMs ?? 15_000) : Math.min(this.options.maxBackoffMs ?? 300_000, 1000 * 2 ** Math.min(this.failures, 12));
        this.schedule(this.failures === 0 ? backoff : backoff / 2 + Math.random() * (backoff / 2));
      });
    }, delayMs);
    this.timer.unref?.();
  }

  /** One pass, never two at once: a second call waits for the running one. */
  private pass(): Promise<void> {
    if (!this.running) {
      this.running = this.passOnce().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  private async passOnce(): Promise<void> {
    if (!this.link()) return;
    try {
      // The seats' purge answers are certified here first: it needs no network, and a certificate
      // made now can go on USB if the centre cannot be reached.
      this.certifySeatPurges();
      if (!this.link()?.transfer_keys) await this.fetchTransferKeys();
      await this.pullFeed();
      await this.downloadPackages();
      await this.fetchKeys();
      await this.push();
      await this.uploadAudio();
      await this.fetchReceipts();
      await this.sendCertificates();
      this.failures = 0;
      this.lastError = null;
    } catch (error) {
      this.failures += 1;
      this.problem(error);
      if (error instanceof SyncError && error.code === 'DEVICE_REVOKED') {
        this.db.run(this.db.q.updateTable('central_link').set({ revoked_at: this.now().toISOString() }).where('id', '=', 1).where('revoked_at', 'is', null));
      }
    }
  }

  private problem(error: unknown): void {
    const e = error instanceof SyncError ? error : new SyncError('INTERNAL', error instanceof Error ? error.message : String(error), 0, undefined, error);
    this.lastError = { code: e.code, message: e.body?.message ?? e.text, detail: e.detail ?? null, at: this.now().toISOString() };
  }

  private contact(): void {
    this.db.run(this.db.q.updateTable('central_link').set({ last_contact_at: this.now().toISOString() }).where('id', '=', 1));
  }

  // ---- down ------------------------------------------------------------------------------------

  /** The feed from the cursor: sessions and candidates into the station, packages to download. */
  async pullFeed(): Promise<void> {
    const link = this.requireLink();
    const http = this.httpFor(link.central_url, link);
    const feed = await http.json(Feed, 'GET', `/v1/feed?after=${link.feed_cursor}`);
    this.contact();
    if (feed.cursor === link.feed_cursor && feed.sessions.length === 0 && feed.candidates.length === 0) return;
    const live = feed.candidates.filter((c) => !c.removed);
    this.station.loadRoster({
      sessions: feed.sessions.map((s) => ({ sessionId: s.sessionId, examId: s.examId, venueCode: feed.venue.code, venueName: feed.venue.name, room: s.room, startsAt: s.startsAt, endsAt: s.endsAt })),
      candidates: live.map((c) => ({
        candidateId: c.candidateId,
        sessionId: c.sessionId,
        givenName: c.givenName,
        familyName: c.familyName,
        personalCode: c.personalCode,
        birthDate: c.birthDate,
        level: c.level as never,
        accommodation: c.accommodation,
        accommodationDocNo: c.accommodationDocNo,
        accommodationDocDate: c.accommodationDocDate,
      })),
    });
    const at = this.now().toISOString();
    let packages = 0;
    this.db.transaction(() => {
      for (const c of feed.candidates.filter((c) => c.removed)) this.removeCandidate(c.candidateId);
      for (const s of feed.sessions) {
        const row = { package_id: s.packageId, starts_at: s.startsAt, cancelled: s.cancelled ? 1 : 0, version: s.version };
        this.db.run(this.db.q.insertInto('central_sessions').values({ session_id: s.sessionId, ...row }).onConflict((oc) => oc.column('session_id').doUpdateSet(row)));
      }
      for (const p of feed.packages) if (this.notePackage(p, at)) packages += 1;
      this.db.run(this.db.q.updateTable('central_link').set({ feed_cursor: feed.cursor }).where('id', '=', 1));
    });
    this.newFromCentre = { sessions: this.newFromCentre.sessions + feed.sessions.length, candidates: this.newFromCentre.candidates + feed.candidates.length, packages: this.newFromCentre.packages + packages };
  }

  /** A candidate taken off the roster: gone from the station unless the venue already has their work or attendance. */
  private removeCandidate(candidateId: string): void {
    const started = this.db.get(this.db.q.selectFrom('attempts').select('attempt_id').where('candidate_id', '=', candidateId).limit(1));
    const checkedIn = this.db.get(this.db.q.selectFrom('check_ins').select('candidate_id').where('candidate_id', '=', candidateId));
    if (started || checkedIn) return;
    this.db.run(this.db.q.deleteFrom('candidates').where('candidate_id', '=', candidateId).where('attendance', '=', 'expected'));
  }

  /** A package the feed names: new, or changed at the centre since it was downloaded (downloaded again). True when there is something to fetch. */
  private notePackage(p: FeedPackage, at: string): boolean {
    const held = this.db.get(this.db.q.selectFrom('central_downloads').selectAll().where('package_id', '=', p.packageId));
    if (held && held.sha256 === p.sha256 && held.bytes === p.bytes) return false;
    if (held) {
      rmSync(this.partialFile(p.packageId), { force: true });
      this.problem(new SyncError('CENTRAL_PACKAGE_CHANGED', `package ${p.packageId}: ${held.sha256} → ${p.sha256}`, 0));
    }
    const row = { sha256: p.sha256, bytes: p.bytes, received: 0, state: 'pending' as const, problem: null, updated_at: at };
    this.db.run(this.db.q.insertInto('central_downloads').values({ package_id: p.packageId, ...row }).onConflict((oc) => oc.column('package_id').doUpdateSet(row)));
    return true;
  }

  private partialFile(packageId: string): string {
    return join(this.options.workDir, `${packageId.replace(/[^A-Za-z0-9-]/g, '_')}.part`);
  }

  /** Every pending package: resumed from the bytes on disk (Range, If-Range on the hash), verified, imported. */
  async downloadPackages(): Promise<void> {
    const link = this.requireLink();
    const http = this.httpFor(link.central_url, link);
    const pending = this.db.all(this.db.q.selectFrom('central_downloads').selectAll().where('state', '=', 'pending').orderBy('package_id'));
    for (const download of pending) {
      mkdirSync(this.options.workDir, { recursive: true });
      const file = this.partialFile(download.package_id);
      let have = existsSync(file) ? statSync(file).size : 0;
      if (have > download.bytes) {
        rmSync(file, { force: true });
        have = 0;
      }
      const progress: TransferProgress = { kind: 'package', id: download.package_id, done: have, total: download.bytes };
      this.transfers.set(`package:${download.package_id}`, progress);
      try {
        if (have < download.bytes) {
          const headers: Record<string, string> = have > 0 ? { range: `bytes=${have}-`, 'if-range': `"${download.sha256}"` } : {};
          const reply = await http.stream(`/v1/packages/${encodeURIComponent(download.package_id)}`, headers);
          if (reply.status !== 200 && reply.status !== 206) {
            const chunks: Buffer[] = [];
            for await (const chunk of reply.body) chunks.push(chunk as Buffer);
            throw refusal({ status: reply.status, headers: reply.headers, body: Buffer.concat(chunks) });
          }
          // A 200 to a ranged request: the file changed (If-Range) or the server ignores ranges; start over.
          const fd = openSync(file, reply.status === 200 ? 'w' : 'a', 0o600);
          progress.done = reply.status === 200 ? 0 : have;
          try {
            for await (const chunk of reply.body) {
              writeSync(fd, chunk as Buffer);
              progress.done += (chunk as Buffer).length;
              if (progress.done > download.bytes) break;
            }
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
          this.db.run(this.db.q.updateTable('central_downloads').set({ received: progress.done, updated_at: this.now().toISOString() }).where('package_id', '=', download.package_id));
          this.contact();
          if (progress.done < download.bytes) throw new SyncError('CENTRAL_UNREACHABLE', `package ${download.package_id}: ${progress.done} of ${download.bytes} bytes before the download was cut`, 0);
        }
        const sha256 = await fileSha256(file);
        if (sha256 !== download.sha256 || statSync(file).size !== download.bytes) {
          rmSync(file, { force: true });
          throw new SyncError('PACKAGE_MALFORMED', `package ${download.package_id}: SHA-256 ${sha256}, the feed said ${download.sha256}; downloading it again`, 0);
        }
        try {
          this.station.importPackageFile(file);
          this.db.run(this.db.q.updateTable('central_downloads').set({ state: 'imported', received: download.bytes, problem: null, updated_at: this.now().toISOString() }).where('package_id', '=', download.package_id));
        } catch (error) {
          // A package the station refuses (signature, venue, validity) is not fetched again and again: staff see why.
          const text = error instanceof Error ? error.message : String(error);
          this.db.run(this.db.q.updateTable('central_downloads').set({ state: 'refused', problem: text, updated_at: this.now().toISOString() }).where('package_id', '=', download.package_id));
          this.problem(error instanceof SyncError ? error : Object.assign(new SyncError('PACKAGE_MALFORMED', text, 0), { cause: error }));
        }
        rmSync(file, { force: true });
      } finally {
        this.transfers.delete(`package:${download.package_id}`);
      }
    }
  }

  /** Content keys of sessions whose package is here and still locked, once the centre releases them. */
  async fetchKeys(): Promise<void> {
    const link = this.requireLink();
    const http = this.httpFor(link.central_url, link);
    const sessions = this.db.all(
      this.db.q
        .selectFrom('central_sessions as s')
        .innerJoin('packages as p', 'p.package_id', 's.package_id')
        .leftJoin('package_keys as k', 'k.package_id', 's.package_id')
        .select(['s.session_id', 's.package_id', 's.starts_at'])
        .where('s.cancelled', '=', 0)
        .where('p.state', '=', 'ready')
        .where('k.package_id', 'is', null),
    );
    for (const session of sessions) {
      let released;
      try {
        released = await http.json(KeyRelease, 'POST', `/v1/sessions/${encodeURIComponent(session.session_id)}/key`, {});
      } catch (error) {
        if (error instanceof SyncError && (error.code === 'KEY_NOT_YET_RELEASED' || error.code === 'KEY_NOT_AVAILABLE')) continue;
        throw error;
      }
      this.station.unlockPackage(released.packageId, released.contentKey);
      this.db.run(this.db.q.updateTable('central_sessions').set({ key_fetched_at: this.now().toISOString() }).where('session_id', '=', session.session_id));
    }
  }

  // ---- up --------------------------------------------------------------------------------------

  /** The outbox from the centre's acked seq, in batches, until the centre holds all of it. */
  async push(): Promise<void> {
    let link = this.requireLink();
    const http = this.httpFor(link.central_url, link);
    for (;;) {
      const events = this.station.readEvents(link.acked_seq, PUSH_MAX_EVENTS);
      if (events.length === 0) return;
      const body = JSON.stringify({ deviceId: link.device_id, events });
      const reply = await http.send('POST', '/v1/push', { signed: true, body, headers: { 'content-type': 'application/json' } });
      let acked: number;
      if (reply.status === 200) {
        acked = PushReply.parse(JSON.parse(reply.body.toString('utf8'))).ackedSeq;
      } else {
        const refused = refusal(reply);
        // The centre holds another seq than this hub thought (a lost reply, a USB import): go on from there.
        if (refused.code === 'SEQ_GAP' && refused.body?.expectedSeq !== undefined) acked = refused.body.expectedSeq - 1;
        else throw refused;
      }
      this.db.run(this.db.q.updateTable('central_link').set({ acked_seq: acked, last_contact_at: this.now().toISOString() }).where('id', '=', 1));
      const before = link.acked_seq;
      link = this.requireLink();
      if (acked <= before && reply.status === 200) return;
    }
  }

  /** Closed recordings whose close the centre has acknowledged, each uploaded by tus (resumed where it was). */
  async uploadAudio(): Promise<void> {
    const link = this.requireLink();
    const http = this.httpFor(link.central_url, link);
    this.noteClosedRecordings(link.acked_seq);
    const pending = this.db.all(this.db.q.selectFrom('central_uploads').selectAll().where('state', '=', 'pending').orderBy('updated_at'));
    for (const upload of pending) {
      const audio = this.station.audioOf(upload.recording_id);
      if (!audio || audio.length !== upload.bytes || sha256Hex(audio) !== upload.sha256) {
        // A seat's audio still on its way to the hub: the next pass.
        this.db.run(this.db.q.updateTable('central_uploads').set({ problem: 'waiting for the audio from the seat' }).where('recording_id', '=', upload.recording_id));
        continue;
      }
      const progress: TransferProgress = { kind: 'audio', id: upload.recording_id, done: upload.sent, total: upload.bytes };
      this.transfers.set(`audio:${upload.recording_id}`, progress);
      try {
        await this.uploadOne(http, upload, audio, progress);
      } finally {
        this.transfers.delete(`audio:${upload.recording_id}`);
      }
    }
  }

  private noteClosedRecordings(ackedSeq: number): void {
    const closed = this.db.all(
      this.db.q
        .selectFrom('outbox as o')
        .leftJoin('central_uploads as u', 'u.recording_id', 'o.entity_id')
        .select(['o.entity_id', 'o.payload_json'])
        .where('o.kind', '=', 'recording.closed')
        .where('o.seq', '<=', ackedSeq)
        .where('u.recording_id', 'is', null),
    );
    const at = this.now().toISOString();
    for (const row of closed) {
      const p = JSON.parse(row.payload_json) as { sha256: string; bytes: number; mimeType: string };
      // An empty take has no audio to send; the centre knows it from its close.
      const state = p.bytes === 0 ? ('done' as const) : ('pending' as const);
      this.db.run(
        this.db.q
          .insertInto('central_uploads')
          .values({ recording_id: row.entity_id, sha256: p.sha256, bytes: p.bytes, mime_type: p.mimeType, state, updated_at: at })
          .onConflict((oc) => oc.column('recording_id').doNothing()),
      );
    }
  }

  private async uploadOne(http: CentralHttp, upload: { recording_id: string; sha256: string; bytes: number; mime_type: string; upload_url: string | null }, audio: Buffer, progress: TransferProgress): Promise<void> {
    const id = upload.recording_id;
    const setRow = (values: { upload_url?: string | null; sent?: number; state?: 'pending' | 'done'; problem?: string | null }) =>
      this.db.run(this.db.q.updateTable('central_uploads').set({ ...values, updated_at: this.now().toISOString() }).where('recording_id', '=', id));
    let location = upload.upload_url;
    let offset = 0;
    if (location) {
      const head = await http.send('HEAD', location, { signed: true, headers: { 'tus-resumable': TUS_VERSION } });
      if (head.status === 200) offset = Number(head.headers['upload-offset']);
      else if (head.status === 404 || head.status === 410) location = null;
      else throw refusal(head);
    }
    if (!location) {
      const metadata = [`recordingId ${b64(id)}`, `sha256 ${b64(upload.sha256)}`, `mimeType ${b64(upload.mime_type)}`].join(',');
      const created = await http.send('POST', '/v1/uploads', { signed: true, headers: { 'tus-resumable': TUS_VERSION, 'upload-length': String(upload.bytes), 'upload-metadata': metadata } });
      if (created.status !== 201) throw refusal(created);
      location = new URL(String(created.headers.location), http.url).pathname;
      offset = Number(created.headers['upload-offset'] ?? 0);
      setRow({ upload_url: location, sent: offset });
    }
    progress.done = offset;
    while (offset < upload.bytes) {
      const chunk = audio.subarray(offset, Math.min(offset + UPLOAD_CHUNK_BYTES, upload.bytes));
      const reply = await http.send('PATCH', location, { signed: true, body: chunk, headers: { 'tus-resumable': TUS_VERSION, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' } });
      if (reply.status === 204) {
        offset = Number(reply.headers['upload-offset']);
      } else if (reply.status === 409 && reply.headers['upload-offset'] !== undefined) {
        offset = Number(reply.headers['upload-offset']);
      } else {
        const refused = refusal(reply);
        if (refused.code === 'UPLOAD_HASH_MISMATCH') setRow({ upload_url: null, sent: 0 });
        setRow({ problem: refused.message });
        throw refused;
      }
      progress.done = offset;
      setRow({ sent: offset });
    }
    setRow({ state: 'done', sent: upload.bytes, problem: null });
    this.contact();
  }

  // ---- receipts --------------------------------------------------------------------------------

  /** The centre's transfer key, kept for a USB export made when there is no network. */
  async fetchTransferKeys(): Promise<void> {
    const link = this.requireLink();
    const keys = await this.httpFor(link.central_url, link).json(TransferKeys, 'GET', '/v1/transfer-keys', undefined, { signed: false });
    this.db.run(this.db.q.updateTable('central_link').set({ transfer_keys: JSON.stringify(keys) }).where('id', '=', 1));
  }

  /** When everything is sent: every candidate's signed receipt, verified and compared with the stream (fetched again only when the stream moved or it did not match). */
  async fetchReceipts(): Promise<void> {
    const link = this.requireLink();
    const lastSeq = this.station.lastSeq();
    if (link.acked_seq < lastSeq) return;
    const waiting = this.db.get(this.db.q.selectFrom('central_uploads').select((eb) => eb.fn.countAll<number>().as('n')).where('state', '=', 'pending'));
    if (Number(waiting?.n ?? 0) > 0) return;
    const candidates = this.db.all(
      this.db.q
        .selectFrom('candidates as c')
        .innerJoin('central_sessions as s', 's.session_id', 'c.session_id')
        .leftJoin('central_receipts as r', 'r.candidate_id', 'c.candidate_id')
        .select(['c.candidate_id', 'c.session_id'])
        .where((eb) => eb.or([eb('r.candidate_id', 'is', null), eb('r.at_seq', '<', lastSeq), eb('r.matches', '=', 0)]))
        .orderBy('c.candidate_id'),
    );
    if (candidates.length === 0) return;
    const http = this.httpFor(link.central_url, link);
    const expected = expectedReceipts(this.allEvents());
    for (const candidate of candidates) {
      const signed = await http.json(SignedReceipt, 'GET', `/v1/receipts/${encodeURIComponent(candidate.candidate_id)}`);
      await this.keepReceipt(signed, candidate.session_id, expected, lastSeq, http);
    }
    this.contact();
  }

  /** Verify a receipt with the centre's key (fetched again when it names one this hub has not seen), compare it and keep it. */
  private async keepReceipt(signed: SignedReceipt, sessionId: string, expected: Map<string, ExpectedReceipt>, atSeq: number, http: CentralHttp | null): Promise<boolean> {
    const link = this.requireLink();
    let keys = ReceiptKeys.parse(JSON.parse(link.receipt_keys ?? '{"keys":[]}'));
    if (!keys.keys.some((k) => k.keyId === signed.keyId) && http) {
      keys = await http.json(ReceiptKeys, 'GET', '/v1/receipt-keys', undefined, { signed: false });
      this.db.run(this.db.q.updateTable('central_link').set({ receipt_keys: JSON.stringify(keys) }).where('id', '=', 1));
    }
    const candidateId = signed.receipt.candidate.candidateId;
    const key = keys.keys.find((k) => k.keyId === signed.keyId);
    if (!key || !verifyReceipt(signed, key.publicKeySpki)) throw new SyncError('RECEIPT_SIGNATURE_INVALID', `receipt of ${candidateId} (key ${signed.keyId})`, 200);
    const problems = compareReceipt(signed.receipt, expected.get(candidateId));
    const row = { session_id: sessionId, signed_receipt: JSON.stringify(signed), matches: problems.length === 0 ? 1 : 0, mismatches: JSON.stringify(problems), fetched_at: this.now().toISOString(), at_seq: atSeq, finished: isFinished(signed.receipt) ? 1 : 0 };
    this.db.run(this.db.q.insertInto('central_receipts').values({ candidate_id: candidateId, ...row }).onConflict((oc) => oc.column('candidate_id').doUpdateSet(row)));
    return problems.length === 0;
  }

  /**
   * Receipts the centre exported for a session (carried on USB, no network): each verified with the
   * receipt key kept at enrolment and compared with the stream, as if fetched. The whole bundle is
   * refused if one receipt's signature fails, or it is of another venue or names a candidate not here.
   */
  async importReceipts(bundle: unknown): Promise<{ sessionId: string; receipts: number; matching: number }> {
    const link = this.requireLink();
    const parsed = ReceiptBundle.safeParse(bundle);
    if (!parsed.success) throw new SyncError('CENTRAL_REPLY_INVALID', `not a receipt bundle: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, 0);
    const { sessionId, venueCode, receipts } = parsed.data;
    if (venueCode !== link.venue_code) throw new SyncError('TRANSFER_FOREIGN', `receipts of venue ${venueCode}; this hub is ${link.venue_code}`, 0);
    const keys = ReceiptKeys.parse(JSON.parse(link.receipt_keys ?? '{"keys":[]}'));
    const here = new Set(this.db.all(this.db.q.selectFrom('candidates').select('candidate_id').where('session_id', '=', sessionId)).map((c) => c.candidate_id));
    for (const signed of receipts) {
      const key = keys.keys.find((k) => k.keyId === signed.keyId);
      if (!key || !verifyReceipt(signed, key.publicKeySpki)) throw new SyncError('RECEIPT_SIGNATURE_INVALID', `receipt of ${signed.receipt.candidate.candidateId} (key ${signed.keyId})`, 0);
      if (signed.receipt.candidate.sessionId !== sessionId || !here.has(signed.receipt.candidate.candidateId)) throw new SyncError('TRANSFER_FOREIGN', `a receipt of ${signed.receipt.candidate.candidateId} (${signed.receipt.candidate.sessionId}), not a candidate of ${sessionId} here`, 0);
    }
    const ack = parsed.data.acknowledgement;
    const ackKey = keys.keys.find((k) => k.keyId === ack.keyId);
    if (!ackKey || !verifyStreamAcknowledgement(ack, ackKey.publicKeySpki) || ack.statement.venueCode !== link.venue_code) {
      throw new SyncError('RECEIPT_SIGNATURE_INVALID', `the centre's acknowledgement in the bundle of ${sessionId} (key ${ack.keyId})`, 0);
    }
    // What the centre acknowledged of this hub's stream, as a push reply would have said it.
    const mine = ack.statement.devices.find((d) => d.deviceId === link.device_id);
    if (mine && mine.ackedSeq > link.acked_seq && mine.ackedSeq <= this.station.lastSeq()) {
      this.db.run(this.db.q.updateTable('central_link').set({ acked_seq: mine.ackedSeq }).where('id', '=', 1).where('acked_seq', '<', mine.ackedSeq));
    }
    const expected = expectedReceipts(this.allEvents());
    const atSeq = this.station.lastSeq();
    let matching = 0;
    for (const signed of receipts) if (await this.keepReceipt(signed, sessionId, expected, atSeq, null)) matching += 1;
    return { sessionId, receipts: receipts.length, matching };
  }

  /**
   * Without a network: everything the centre has not acknowledged (the stream from its acked seq, the
   * audio of every recording not yet uploaded), signed with the device key and encrypted to the
   * centre's transfer key, as one file in `folder`. Importing it at the centre applies it as the push
   * and the uploads would; a later online sync finds it all there.
   */
  async exportForCentre(folder: string): Promise<{ file: string; bytes: number; sha256: string; events: number; recordings: number; waitingForAudio: string[] }> {
    const link = this.requireLink();
    const transfer = link.transfer_keys ? TransferKeys.parse(JSON.parse(link.transfer_keys)).keys[0] : undefined;
    if (!transfer) throw new SyncError('CENTRAL_UNREACHABLE', 'the centre\'s transfer key was never fetched: connect once to the centre (the key is fetched at enrolment)', 0);
    const events = [...this.allEventsAfter(link.acked_seq)];
    this.noteClosedRecordings(Number.MAX_SAFE_INTEGER);
    const pending = this.db.all(this.db.q.selectFrom('central_uploads').selectAll().where('state', '=', 'pending').orderBy('recording_id'));
    const recordings = [];
    const waitingForAudio: string[] = [];
    for (const upload of pending) {
      const audio = this.station.audioOf(upload.recording_id);
      if (!audio || audio.length !== upload.bytes || sha256Hex(audio) !== upload.sha256) {
        waitingForAudio.push(upload.recording_id);
        continue;
      }
      recordings.push({ recordingId: upload.recording_id, sha256: upload.sha256, bytes: upload.bytes, mimeType: upload.mime_type, open: () => Readable.from([audio]) });
    }
    const sessions = this.db.all(this.db.q.selectFrom('central_sessions').select('session_id').orderBy('session_id')).map((s) => s.session_id);
    const written = await writeTransfer({
      folder,
      deviceId: link.device_id,
      venueCode: link.venue_code,
      signingKey: createPrivateKey(link.private_key),
      central: { keyId: transfer.keyId, publicKey: transfer.publicKey },
      sessions,
      events,
      recordings,
      createdAt: this.now(),
    });
    return { ...written, events: events.length, recordings: recordings.length, waitingForAudio };
  }

  /**
   * Delete a session's personal data, answers and audio here, once the centre holds all of it: the
   * session is over and every candidate's receipt matches, and no event of the session is newer than
   * the receipts or unacknowledged. The signed deletion certificate is written in the same transaction
   * and sent to the centre (now if it can be reached, else at the next pass or on USB). A session whose
   * receipts do not all match is never purged.
   */
  async purgeSession(sessionId: string, orderedBy: string): Promise<SignedDeletionCertificate> {
    const link = this.requireLink();
    const orderedAt = this.now().toISOString();
    const session = this.sessionsAtCentre().find((s) => s.sessionId === sessionId);
    if (!session) throw new SyncError('NOT_FOUND', `session ${sessionId} did not come from the centre`, 0);
    if (session.purgedAt) throw new SyncError('CONFLICT', `session ${sessionId} was purged at ${session.purgedAt}`, 0);
    if (!session.complete) {
      const why = !session.over ? 'it is not over at the venue' : `${session.candidates - session.receiptsMatching} of ${session.candidates} receipts do not match`;
      throw new SyncError('PURGE_NOT_CONFIRMED', `session ${sessionId}: ${why}`, 0);
    }
    const plan = planPurge(this.db, sessionId);
    const receipts = this.db.all(this.db.q.selectFrom('central_receipts').selectAll().where('session_id', '=', sessionId));
    const newest = Math.max(0, ...plan.eventSeqs);
    const oldestReceipt = Math.min(...receipts.map((r) => r.at_seq));
    if (newest > link.acked_seq || newest > oldestReceipt || receipts.length !== plan.candidateIds.length) {
      throw new SyncError('PURGE_NOT_CONFIRMED', `session ${sessionId}: events up to ${newest}, the centre acknowledged ${link.acked_seq}, the receipts were fetched at ${oldestReceipt}: sync first`, 0);
    }
    const deletedAt = this.now().toISOString();
    const certificate: DeletionCertificate = {
      formatVersion: 1,
      certificateId: randomUUID(),
      sessionId,
      venueCode: link.venue_code,
      deviceId: link.device_id,
      orderedBy,
      orderedAt,
      issuedAt: deletedAt,
      receipts: receipts.map((r) => {
        const signed = SignedReceipt.parse(JSON.parse(r.signed_receipt));
        return { candidateId: r.candidate_id, receiptId: signed.receipt.receiptId, receiptSha256: receiptSha256(signed) };
      }),
      stations: [{ deviceId: this.station.deviceId, role: this.station.role, deletedAt, items: plan.items }],
    };
    const signed = signDeletionCertificate(certificate, createPrivateKey(link.private_key));
    const lastSeq = this.station.lastSeq();
    this.db.transaction(() => {
      carryOutPurge(this.db, plan, lastSeq);
      this.db.run(this.db.q.insertInto('central_deletion_certificates').values({ certificate_id: certificate.certificateId, session_id: sessionId, signed_certificate: JSON.stringify(signed), created_at: deletedAt }));
      this.db.run(this.db.q.updateTable('central_sessions').set({ purged_at: deletedAt }).where('session_id', '=', sessionId));
    });
    await this.sendCertificates().catch((error: unknown) => this.problem(error));
    return signed;
  }

  /**
   * The seats' answers to a purge (each says what it deleted): a certificate of its own for each,
   * signed by the hub, with the receipts the hub's certificate of that session verified.
   */
  certifySeatPurges(): number {
    const link = this.requireLink();
    const certified = new Set(this.db.all(this.db.q.selectFrom('central_deletion_certificates').select('seat_result').where('seat_result', 'is not', null)).map((r) => r.seat_result));
    const answers = this.db
      .all(
        this.db.q
          .selectFrom('room_command_results as r')
          .innerJoin('room_commands as c', 'c.cmd_id', 'r.cmd_id')
          .select(['r.cmd_id', 'r.device_id', 'r.answer_json'])
          .where('r.status', '=', 'applied')
          .where('r.answer_json', 'is not', null)
          .where((eb) => eb(eb.fn('json_extract', ['c.command_json', eb.val('$.type')]), '=', 'purge')),
      )
      .filter((row) => !certified.has(`${row.cmd_id}/${row.device_id}`));
    let made = 0;
    for (const row of answers) {
      const answer = PurgeAnswer.safeParse(JSON.parse(row.answer_json!));
      if (!answer.success) continue;
      const { sessionId, items, deletedAt } = answer.data;
      const hubOwn = this.db.get(this.db.q.selectFrom('central_deletion_certificates').select('signed_certificate').where('session_id', '=', sessionId).where('seat_result', 'is', null));
      if (!hubOwn) continue;
      const first = (JSON.parse(hubOwn.signed_certificate) as SignedDeletionCertificate).certificate;
      const issuedAt = this.now().toISOString();
      const certificate: DeletionCertificate = {
        ...first,
        certificateId: randomUUID(),
        issuedAt: issuedAt < deletedAt ? deletedAt : issuedAt,
        stations: [{ deviceId: row.device_id, role: 'seat', deletedAt: deletedAt < first.orderedAt ? first.orderedAt : deletedAt, items }],
      };
      const signed = signDeletionCertificate(certificate, createPrivateKey(link.private_key));
      this.db.run(
        this.db.q
          .insertInto('central_deletion_certificates')
          .values({ certificate_id: certificate.certificateId, session_id: sessionId, signed_certificate: JSON.stringify(signed), created_at: issuedAt, seat_result: `${row.cmd_id}/${row.device_id}` })
          .onConflict((oc) => oc.column('seat_result').doNothing()),
      );
      made += 1;
    }
    return made;
  }

  /** Deletion certificates the centre does not have yet, sent one by one (the centre takes each once). */
  async sendCertificates(): Promise<void> {
    const unsent = this.db.all(this.db.q.selectFrom('central_deletion_certificates').selectAll().where('sent_at', 'is', null).orderBy('created_at'));
    if (unsent.length === 0) return;
    const link = this.requireLink();
    const http = this.httpFor(link.central_url, link);
    for (const row of unsent) {
      await http.json(StoredDeletionCertificate, 'POST', '/v1/deletion-certificates', JSON.parse(row.signed_certificate));
      this.db.run(this.db.q.updateTable('central_deletion_certificates').set({ sent_at: this.now().toISOString() }).where('certificate_id', '=', row.certificate_id));
    }
    this.contact();
  }

  /** Without a network: the certificates the centre does not have yet, as files in `folder` for the agency to import. */
  exportCertificates(folder: string): string[] {
    this.certifySeatPurges();
    const unsent = this.db.all(this.db.q.selectFrom('central_deletion_certificates').selectAll().where('sent_at', 'is', null).orderBy('created_at'));
    mkdirSync(folder, { recursive: true });
    return unsent.map((row) => {
      const file = join(folder, `deletion-${row.session_id.replace(/[^A-Za-z0-9._-]/g, '_')}-${row.certificate_id}.json`);
      writeFileAtomic(file, `${JSON.stringify(JSON.parse(row.signed_certificate), null, 2)}\n`);
      return file;
    });
  }

  private *allEventsAfter(afterSeq: number): Generator<EventEnvelope> {
    let after = afterSeq;
    for (;;) {
      const batch = this.station.readEvents(after, 5000);
      if (batch.length === 0) return;
      yield* batch;
      after = batch[batch.length - 1]!.seq;
    }
  }

  private allEvents(): Generator<EventEnvelope> {
    return this.allEventsAfter(0);
  }


  private sessionOfCandidate(candidateId: string): string | null {
    const known = this.candidateSessions.get(candidateId);
    if (known !== undefined) return known;
    const row = this.db.get(this.db.q.selectFrom('candidates').select('session_id').where('candidate_id', '=', candidateId));
    if (row) this.candidateSessions.set(candidateId, row.session_id);
    return row?.session_id ?? null;
  }

  /** Each session's newest event in the stream, the stream read on from where the last call stopped. */
  private newestSessionSeqs(): Map<string, number> {
    const index = this.sessionSeqs;
    for (const event of this.allEventsAfter(index.scanned)) {
      const session = index.owners.sessionOf(event.kind, (event.payload ?? {}) as Record<string, unknown>);
      if (session !== null) index.newest.set(session, event.seq);
      index.scanned = event.seq;
    }
    return index.newest;
  }

  /**
   * The sessions the centre sent, each with how many receipts match: complete when it is over and all
   * do. A receipt counts only if it was fetched after the session's newest event here (else the
   * centre may not have that event: it is fetched again at the next pass) and the centre acknowledged
   * that event.
   */
  sessionsAtCentre(): SessionAtCentre[] {
    const sessions = this.db.all(this.db.q.selectFrom('central_sessions').select(['session_id', 'purged_at']).orderBy('starts_at').orderBy('session_id'));
    const unsent = new Map(
      this.db
        .all(this.db.q.selectFrom('central_deletion_certificates').select(['session_id', (eb) => eb.fn.countAll<number>().as('n')]).where('sent_at', 'is', null).groupBy('session_id'))
        .map((r) => [r.session_id, Number(r.n)]),
    );
    const newest = this.newestSessionSeqs();
    const ackedSeq = this.link()?.acked_seq ?? 0;
    return sessions.map(({ session_id: sessionId, purged_at: purgedAt }) => {
      const certificatesUnsent = unsent.get(sessionId) ?? 0;
      if (purgedAt) return { sessionId, candidates: 0, receiptsMatching: 0, receiptsOutOfDate: 0, over: true, complete: true, purgedAt, certificatesUnsent, mismatches: [] };
      const newestSeq = newest.get(sessionId) ?? 0;
      const candidates = this.db.all(this.db.q.selectFrom('candidates').select('candidate_id').where('session_id', '=', sessionId));
      const receipts = new Map(this.db.all(this.db.q.selectFrom('central_receipts').select(['candidate_id', 'matches', 'mismatches', 'finished', 'at_seq']).where('session_id', '=', sessionId)).map((r) => [r.candidate_id, r]));
      const sealed = this.db.get(this.db.q.selectFrom('room_seals').select('sealed_at').where('session_id', '=', sessionId).where('sealed_at', 'is not', null));
      const mismatches: SessionAtCentre['mismatches'] = [];
      let matching = 0;
      let outOfDate = 0;
      let finished = 0;
      const current = ackedSeq >= newestSeq;
      for (const { candidate_id: candidateId } of candidates) {
        const receipt = receipts.get(candidateId);
        if (!receipt) continue;
        if (receipt.finished === 1) finished += 1;
        if (receipt.matches !== 1) mismatches.push({ candidateId, problems: JSON.parse(receipt.mismatches) as BilingualText[] });
        else if (current && receipt.at_seq >= newestSeq) matching += 1;
        else outOfDate += 1;
      }
      const over = candidates.length > 0 && (sealed !== undefined || finished === candidates.length);
      return { sessionId, candidates: candidates.length, receiptsMatching: matching, receiptsOutOfDate: outOfDate, over, complete: over && matching === candidates.length, purgedAt: null, certificatesUnsent, mismatches };
    });
  }

  /** The stored signed receipt of a candidate, for showing and printing. */
  receiptOf(candidateId: string): { signed: SignedReceipt; matches: boolean; problems: BilingualText[] } | null {
    const row = this.db.get(this.db.q.selectFrom('central_receipts').selectAll().where('candidate_id', '=', candidateId));
    return row ? { signed: SignedReceipt.parse(JSON.parse(row.signed_receipt)), matches: row.matches === 1, problems: JSON.parse(row.mismatches) as BilingualText[] } : null;
  }

  status(): SyncStatus {
    const link = this.link();
    const lastSeq = this.station.lastSeq();
    const acked = link?.acked_seq ?? 0;
    const oldest = link ? this.station.readEvents(acked, 1)[0] : undefined;
    const audio = this.db.get(
      this.db.q
        .selectFrom('central_uploads')
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>(eb.ref('bytes')).as('bytes'), eb.fn.sum<number>(eb.ref('sent')).as('sent')])
        .where('state', '=', 'pending'),
    );
    return {
      enrolled: link !== undefined,
      centralUrl: link?.central_url ?? null,
      deviceId: link?.device_id ?? null,
      venueCode: link?.venue_code ?? null,
      revoked: Boolean(link?.revoked_at),
      syncing: this.running !== null,
      lastContactAt: link?.last_contact_at ?? null,
      clockOffsetMs: this.http?.clockOffsetMs ?? 0,
      eventsToSend: Math.max(0, lastSeq - acked),
      oldestUnsentAt: oldest?.createdAt ?? null,
      audioBytesToSend: Number(audio?.bytes ?? 0) - Number(audio?.sent ?? 0),
      recordingsToSend: Number(audio?.n ?? 0),
      newFromCentre: { ...this.newFromCentre },
      transfers: [...this.transfers.values()].map((t) => ({ ...t })),
      lastError: this.lastError,
      sessions: this.sessionsAtCentre(),
    };
  }

  /** The device's public key (SPKI DER, base64): what the centre verifies this hub's signatures with. */
  publicKey(): string | null {
    const link = this.link();
    return link ? createPublicKey(createPrivateKey(link.private_key)).export({ format: 'der', type: 'spki' }).toString('base64') : null;
  }
}

/** A candidate whose part is done: absent or removed, or every attempt submitted. */
function isFinished(receipt: SignedReceipt['receipt']): boolean {
  const status = receipt.attendance?.status;
  if (status === 'absent' || status === 'removed') return true;
  return receipt.attempts.length > 0 && receipt.attempts.every((a) => a.submittedAt !== null);
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function fileSha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
}
