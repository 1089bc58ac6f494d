// Venue → central audio: resumable uploads with the tus 1.0.0 protocol (core, creation,
// creation-with-upload, termination). A hub creates an upload for one recording, declaring its length
// and SHA-256, and may send the bytes in the same request; after a cut it asks for the offset (HEAD)
// and continues with PATCH. A chunk signed with its own SHA-256 is kept only when it arrives whole
// and matches; a chunk sent UNSIGNED-PAYLOAD keeps whatever arrived before a cut. When the last byte
// is in, the whole file's SHA-256 must equal the declared one, or the upload is refused and
// discarded. One upload per recording id: creating it again returns the same upload.
// Finishing an upload (the whole-file POST and the last PATCH go through finishUpload) is decided
// under the recording's lock, the one apply_push takes for a close: exactly one content is ever held
// for a recording, it agrees with the station's close, and what lost leaves nothing in storage.
// Offsets and a short write lease live in PostgreSQL, so any replica can continue any upload; each
// step is one statement (nonce, device check and write together), so a chunk costs few round trips.
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql, type Selectable, type Transaction } from 'kysely';
import { jsonObjectFrom } from 'kysely/helpers/postgres';
import { z } from 'zod';
import { recordAudit } from '../audit.ts';
import { checkSpentNonce, spendNonceCte, spentNonceColumns, type AuthenticatedDevice } from '../auth/devices.ts';
import { EMPTY_SHA256, UNSIGNED_PAYLOAD } from '../../src-shared/node/request-signing.ts';
import type { ServerContext } from '../context.ts';
import type { CentralTables, UploadTable } from '../db/tables.ts';
import { ApiError, errorResponses } from '../errors.ts';
import { UploadOverflow } from './storage.ts';

export const TUS_VERSION = '1.0.0';
const LEASE_SECONDS = 300;
const OFFSET_TYPE = 'application/offset+octet-stream';
const TUS_BODY_TYPES = `${OFFSET_TYPE} or no body`;

const UploadMetadata = z.object({
  recordingId: z.string().uuid(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  mimeType: z.string().min(1).max(100).default('application/octet-stream'),
});

/** "key base64,key base64" → object; a malformed header is a 400. */
export function parseUploadMetadata(header: string | undefined): z.infer<typeof UploadMetadata> {
  const entries: Record<string, string> = {};
  for (const pair of (header ?? '').split(',')) {
    const [key, value] = pair.trim().split(' ');
    if (!key) continue;
    entries[key] = value === undefined ? '' : Buffer.from(value, 'base64').toString('utf8');
  }
  const parsed = UploadMetadata.safeParse(entries);
  if (!parsed.success) throw new ApiError('VALIDATION_FAILED', `Upload-Metadata: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function encodeUploadMetadata(meta: Record<string, string>): string {
  return Object.entries(meta)
    .map(([k, v]) => `${k} ${Buffer.from(v, 'utf8').toString('base64')}`)
    .join(',');
}

function intHeader(request: FastifyRequest, name: string): number {
  const raw = request.headers[name];
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) throw new ApiError('VALIDATION_FAILED', `${name} must be a non-negative integer`);
  return Number(raw);
}

function requireTus(request: FastifyRequest): void {
  if (request.headers['tus-resumable'] !== TUS_VERSION) throw new ApiError('TUS_VERSION_UNSUPPORTED', `Tus-Resumable must be ${TUS_VERSION}`);
}

const hasBody = (request: FastifyRequest): boolean => request.headers['content-type'] === OFFSET_TYPE;

const UploadParams = z.object({ uploadId: z.string().uuid() });
const Created = z.object({ uploadId: z.string(), offset: z.number().int(), complete: z.boolean() });

/** Where a recording's audio is kept. The hash is part of the name, so other bytes never overwrite it. */
export const objectKeyOfRecording = (venueId: string, recordingId: string, sha256: string): string => `audio/${venueId}/${recordingId}-${sha256}`;

type UploadRow = Selectable<UploadTable>;

interface Declared {
  uploadId: string;
  recordingId: string;
  sha256: string;
  mimeType: string;
  length: number;
}

/**
 * POST: create the upload, or find the one that exists for the recording. With bytes attached
 * (creation-with-upload) they are taken first; a whole, verified file is then accepted in one
 * statement, and anything less becomes an upload to resume with PATCH.
 */
async function createUpload(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  requireTus(request);
  const length = intHeader(request, 'upload-length');
  if (length < 1) throw new ApiError('VALIDATION_FAILED', 'Upload-Length must be at least 1: a recording without bytes has nothing to upload');
  if (length > ctx.config.uploadMaxBytes) throw new ApiError('UPLOAD_TOO_LARGE', `Upload-Length ${length} is more than the ${ctx.config.uploadMaxBytes} bytes allowed`);
  const meta = parseUploadMetadata(request.headers['upload-metadata'] as string | undefined);
  const declared: Declared = { uploadId: randomUUID(), recordingId: meta.recordingId, sha256: meta.sha256, mimeType: meta.mimeType, length };
  if (!hasBody(request)) {
    if (request.signedContentSha256 !== EMPTY_SHA256) throw new ApiError('AUTH_SIGNATURE_INVALID', 'a creation request without bytes signs the empty body');
    return openUpload(ctx, request, reply, declared, 0);
  }

  const { storage } = ctx;
  let result;
  try {
    result = await storage.appendUpload(declared.uploadId, 0, request.raw, length);
  } catch (error) {
    await storage.deleteUpload(declared.uploadId);
    if (error instanceof UploadOverflow) throw new ApiError('UPLOAD_TOO_LARGE', `the body goes past Upload-Length ${length}`);
    throw error;
  }
  const signed = request.signedContentSha256;
  const verified = signed === UNSIGNED_PAYLOAD || (!result.interrupted && result.sha256 === signed);
  if (!verified && !result.interrupted) {
    await storage.deleteUpload(declared.uploadId);
    throw new ApiError('UPLOAD_CHUNK_CHECKSUM_MISMATCH', 'the body does not match its signed SHA-256');
  }
  if (verified && !result.interrupted && result.written === length) return acceptWholeFile(ctx, request, reply, declared, result.sha256);
  // Cut short, or a first chunk only: keep what is verified, to be resumed with PATCH.
  const kept = verified ? result.written : 0;
  if (kept === 0) await storage.deleteUpload(declared.uploadId);
  return openUpload(ctx, request, reply, declared, kept);
}

/** Create an open upload holding `kept` bytes (already written under its id), or return the existing one. */
async function openUpload(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply, declared: Declared, kept: number): Promise<FastifyReply> {
  const device = request.device!;
  // One statement: spend the nonce, look at the recording, and create the upload unless the
  // recording belongs to another venue, contradicts the declaration, or already has an upload.
  const result = await sql<{ device_status: string | null; nonce_fresh: boolean; rec_venue: string | null; rec_sha256: string | null; rec_bytes: number | null; created: string | null }>`
    WITH ${spendNonceCte(device.deviceId, request.unspentNonce!)},
    rec AS (SELECT venue_id, sha256, bytes FROM recording WHERE recording_id = ${declared.recordingId}::uuid),
    created AS (
      INSERT INTO upload (upload_id, venue_id, device_id, recording_id, length, "offset", sha256, mime_type, status)
      SELECT ${declared.uploadId}::uuid, ${device.venueId}::uuid, ${device.deviceId}::uuid, ${declared.recordingId}::uuid, ${declared.length}, ${kept},
        ${declared.sha256}, ${declared.mimeType}, 'open'
      WHERE EXISTS (SELECT 1 FROM spent)
        AND NOT EXISTS (SELECT 1 FROM rec WHERE venue_id <> ${device.venueId}::uuid OR (sha256 IS NOT NULL AND (sha256 <> ${declared.sha256} OR bytes <> ${declared.length})))
      ON CONFLICT (recording_id) DO NOTHING
      RETURNING upload_id
    )
    SELECT ${spentNonceColumns(device.deviceId)}, (SELECT venue_id FROM rec) AS rec_venue, (SELECT sha256 FROM rec) AS rec_sha256, (SELECT bytes FROM rec) AS rec_bytes,
      (SELECT upload_id FROM created) AS created`.execute(ctx.uploadDb);
  // (An open upload acknowledges nothing: its bytes are compared with the recording again, under
  // the recording's lock, when it finishes.)
  const row = result.rows[0];
  if (!row?.created && kept > 0) await ctx.storage.deleteUpload(declared.uploadId);
  checkSpentNonce(row);
  checkRecording(declared, device.venueId, row!);
  reply.code(201);
  if (!row!.created) return answerExisting(ctx, reply, declared, device.venueId);
  reply.header('Location', `/v1/uploads/${declared.uploadId}`).header('Upload-Offset', String(kept));
  return reply.send({ uploadId: declared.uploadId, offset: kept, complete: false });
}

function checkRecording(declared: Declared, venueId: string, row: { rec_venue: string | null; rec_sha256: string | null; rec_bytes: number | null }): void {
  if (row.rec_venue && row.rec_venue !== venueId) throw new ApiError('NOT_FOUND', `recording ${declared.recordingId}`);
  if (row.rec_sha256 && (row.rec_sha256 !== declared.sha256 || Number(row.rec_bytes) !== declared.length)) {
    throw new ApiError('RECORDING_CONFLICT', `the recording was closed with ${row.rec_bytes} bytes and SHA-256 ${row.rec_sha256}`);
  }
}

/** Created before (a retry, or a hub starting over): the same upload, wherever it stands. */
async function answerExisting(ctx: ServerContext, reply: FastifyReply, declared: Declared, venueId: string): Promise<FastifyReply> {
  const existing = await ctx.uploadDb.selectFrom('upload').selectAll().where('recording_id', '=', declared.recordingId).executeTakeFirst();
  if (!existing || existing.venue_id !== venueId) throw new ApiError('NOT_FOUND', `recording ${declared.recordingId}`);
  if (existing.sha256 !== declared.sha256 || Number(existing.length) !== declared.length) throw new ApiError('RECORDING_CONFLICT', 'an upload of this recording with another length or hash exists');
  reply.header('Location', `/v1/uploads/${existing.upload_id}`).header('Upload-Offset', String(existing.offset));
  return reply.send({ uploadId: existing.upload_id, offset: Number(existing.offset), complete: existing.status === 'complete' });
}

/** The whole file arrived in the creating request: its SHA-256 must be the declared one, then it is finished. */
async function acceptWholeFile(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply, declared: Declared, received: string): Promise<FastifyReply> {
  const device = request.device!;
  if (received !== declared.sha256) {
    await ctx.storage.deleteUpload(declared.uploadId);
    await refuseHash(ctx, device, declared, received);
  }
  const uploadId = await finishUpload(ctx, device, { partId: declared.uploadId, declared, exact: true, nonce: request.unspentNonce! });
  reply.code(201).header('Location', `/v1/uploads/${uploadId}`).header('Upload-Offset', String(declared.length));
  return reply.send({ uploadId, offset: declared.length, complete: true });
}

export interface Finishing {
  /** The part file holding the verified bytes: a fresh id for a whole-file POST, the upload's own for a PATCH. */
  partId: string;
  declared: Omit<Declared, 'uploadId'>;
  /** The part file holds exactly `length` bytes (written in one piece), so nothing needs trimming. */
  exact: boolean;
  /** PATCH: the lease held on the upload row `partId`. */
  lease?: string;
  /** Whole-file POST: the request's nonce, spent in the finishing transaction. */
  nonce?: string;
}

/** A refusal decided under the lock: the part file (and for a PATCH, its upload) is discarded. */
export class FinishRefused extends ApiError {}

/**
 * Finish an upload whose whole SHA-256 was verified. First, holding nothing: the part file's bytes
 * are final, so they (and the folder its key goes to) are synced to disk now. Then in one
 * transaction: take the recording's lock (lock_recordings, the one apply_push takes), decide against
 * what the centre holds and what the station closed, record upload, recording and audit entry, move
 * the file into place (its key holds its hash; a rename and its folder's sync are all that is left
 * to do on disk) and commit. Returns the recording's upload id.
 * - the same bytes are held already: nothing moves, this part file goes, the answer is the same;
 * - other bytes are held, the close says otherwise, or an upload with another declaration exists:
 *   409 RECORDING_CONFLICT, audited, and nothing of this upload is kept;
 * - otherwise this content wins. If committing fails after the move, the object is taken away
 *   again, under the lock and only if the recording does not hold it (see discardObject).
 * The move (and so its folder's sync) stays under the lock: the key is shared by every upload of
 * the same bytes, and the clean-up of one that lost or failed removes what is under the key, so
 * a move made before the decision could be removed by another's clean-up just before this upload
 * commits, or this upload's clean-up could remove the bytes another one committed.
 */
async function finishUpload(ctx: ServerContext, device: AuthenticatedDevice, f: Finishing): Promise<string> {
  const { uploadDb: db, storage, config } = ctx;
  const { recordingId, sha256, length } = f.declared;
  const key = objectKeyOfRecording(device.venueId, recordingId, sha256);
  let moved = false;
  let outcome: FinishOutcome;
  try {
    // Outside the transaction: no connection and no lock is held while the bytes go to disk. A
    // PATCH's part file is gone only when another request ended the upload (the check under the
    // lock would find that too).
    await storage.prepareCommit(f.partId, key, length, { fsync: config.audioFsync, exact: f.exact }).catch((error: unknown) => {
      if (f.lease !== undefined && (error as NodeJS.ErrnoException).code === 'ENOENT') throw new ApiError('UPLOAD_BUSY', 'the upload was taken over by another request');
      throw error;
    });
    outcome = await db.transaction().execute(async (trx) => {
      // Held from here to the commit: a few statements, a rename and its folder's sync.
      // The nonce is spent in the statement that takes the recording's lock (lock_recordings, the one
      // apply_push takes); what the centre holds is read in the next one, whose snapshot is taken
      // once the lock is ours.
      const spent = await sql<{ device_status: string | null; nonce_fresh: boolean }>`
        ${f.nonce ? sql`WITH ${spendNonceCte(device.deviceId, f.nonce)} SELECT ${spentNonceColumns(device.deviceId)},` : sql`SELECT`} lock_recordings(ARRAY[${recordingId}::uuid])`.execute(trx);
      if (f.nonce) checkSpentNonce(spent.rows[0]);
      return recordFinishedUpload(trx, ctx, device, f, () => {
        moved = true;
      });
    });
  } catch (error) {
    if (moved) await discardObject(ctx, recordingId, key);
    if (f.lease === undefined) {
      // Gone already when it was moved (nothing to remove then).
      await storage.deleteUpload(f.partId);
    } else if (error instanceof FinishRefused) {
      await db.deleteFrom('upload').where('upload_id', '=', f.partId).where('lease_token', '=', f.lease).execute();
      await storage.deleteUpload(f.partId);
    }
    if (error instanceof FinishRefused && error.code === 'RECORDING_CONFLICT') {
      await recordAudit(db, [
        { actorKind: 'device', actorId: device.deviceId, action: 'recording.upload-refused', venueId: device.venueId, subject: recordingId, detail: { declared: sha256, bytes: length, conflict: error.detail } },
      ]);
    }
    throw error;
  }
  if (!outcome.won) await storage.deleteUpload(f.partId);
  if (outcome.otherPart) await storage.deleteUpload(outcome.otherPart);
  return outcome.uploadId;
}

/** What finishing decided: the recording's upload, whether this part file became the object, and another part file to remove. */
export interface FinishOutcome {
  uploadId: string;
  won: boolean;
  otherPart: string | null;
}

/**
 * The decision and the writes of finishing an upload, in `trx`, which must already hold the
 * recording's lock (lock_recordings): the same bytes held already (won: false), a refusal
 * (FinishRefused: RECORDING_CONFLICT, NOT_FOUND), or this content wins: upload, recording and audit
 * entry are written and the part file is moved to its key (`onMove` is called just before, so the
 * caller knows to take the object away again if the transaction does not commit). Used by every
 * finished tus upload and by a USB transfer's import (src-server/transfers.ts).
 */
export async function recordFinishedUpload(trx: Transaction<CentralTables>, ctx: ServerContext, device: Pick<AuthenticatedDevice, 'deviceId' | 'venueId'>, f: Finishing, onMove: () => void): Promise<FinishOutcome> {
  const { storage, config } = ctx;
  const { recordingId, sha256, length, mimeType } = f.declared;
  const key = objectKeyOfRecording(device.venueId, recordingId, sha256);
  const conflict = (why: string) => new FinishRefused('RECORDING_CONFLICT', `${why}; this upload is ${length} bytes with SHA-256 ${sha256}`);
  // The row lock orders this against a PATCH taking its lease: that lease is either seen here, or
  // its statement waits and then finds the upload no longer open.
  const held = await trx
    .selectNoFrom((eb) => [
      jsonObjectFrom(eb.selectFrom('recording').select(['venue_id', 'closed', 'sha256', 'bytes', 'blob_sha256', 'blob_bytes']).where('recording_id', '=', recordingId)).as('rec'),
      jsonObjectFrom(
        eb
          .selectFrom('upload')
          .select(['upload_id', 'venue_id', 'sha256', 'length', 'status', 'lease_token', sql<boolean>`coalesce(lease_until > now(), false)`.as('leased')])
          .where('recording_id', '=', recordingId)
          .forUpdate(),
      ).as('upload'),
    ])
    .executeTakeFirstOrThrow();
  const { rec, upload } = held;
  if ((rec && rec.venue_id !== device.venueId) || (upload && upload.venue_id !== device.venueId)) throw new FinishRefused('NOT_FOUND', `recording ${recordingId}`);
  if (rec?.blob_sha256 != null) {
    if (rec.blob_sha256 === sha256 && Number(rec.blob_bytes) === length) return { uploadId: upload?.upload_id ?? f.partId, won: false, otherPart: null };
    throw conflict(`the centre holds other audio for this recording: ${rec.blob_bytes} bytes with SHA-256 ${rec.blob_sha256}`);
  }
  if (rec?.closed && (rec.sha256 !== sha256 || Number(rec.bytes) !== length)) throw conflict(`the recording was closed with ${rec.bytes} bytes and SHA-256 ${rec.sha256}`);
  if (upload && (upload.sha256 !== sha256 || Number(upload.length) !== length)) {
    throw conflict(`an upload of this recording with ${upload.length} bytes and SHA-256 ${upload.sha256} exists`);
  }

  let uploadId = f.partId;
  let otherPart: string | null = null;
  const now = new Date();
  const completed = { offset: length, status: 'complete' as const, completed_at: now, lease_token: null, lease_until: null };
  if (f.lease !== undefined) {
    // The last PATCH: the upload must still be ours.
    if (!upload || upload.upload_id !== f.partId || upload.status !== 'open' || upload.lease_token !== f.lease) throw new ApiError('UPLOAD_BUSY', 'the upload was taken over by another request');
  } else if (upload) {
    // A whole-file POST finishes the open upload of the same bytes. Its part file goes, unless a
    // PATCH holds its lease and is still writing it: that request removes it when it notices.
    uploadId = upload.upload_id;
    if (!upload.leased) otherPart = upload.upload_id;
  }
  // This content wins. Upload, recording and audit entry are written in one statement...
  const written = trx
    .with('finished', (qc) =>
      upload
        ? qc.updateTable('upload').set(completed).where('upload_id', '=', uploadId).returning('upload_id')
        : qc
            .insertInto('upload')
            .values({ upload_id: f.partId, venue_id: device.venueId, device_id: device.deviceId, recording_id: recordingId, sha256, mime_type: mimeType, ...completed, length })
            .returning('upload_id'),
    )
    .with('audited', (qc) =>
      qc.insertInto('audit_pending').values({ actor_kind: 'device', actor_id: device.deviceId, action: 'recording.uploaded', venue_id: device.venueId, subject: recordingId, detail: JSON.stringify({ sha256, bytes: length }) }),
    )
    .insertInto('recording')
    .values({ recording_id: recordingId, venue_id: device.venueId, sha256, bytes: length, mime_type: mimeType, closed: false, blob_key: key, blob_sha256: sha256, blob_bytes: length, uploaded_at: now })
    .onConflict((oc) =>
      oc.column('recording_id').doUpdateSet((eb) => ({
        // Until the station's close arrives, the recording is described by what was uploaded.
        sha256: sql<string>`CASE WHEN recording.closed THEN recording.sha256 ELSE excluded.sha256 END`,
        bytes: sql<number>`CASE WHEN recording.closed THEN recording.bytes ELSE excluded.bytes END`,
        blob_key: eb.ref('excluded.blob_key'),
        blob_sha256: eb.ref('excluded.blob_sha256'),
        blob_bytes: eb.ref('excluded.blob_bytes'),
        uploaded_at: eb.ref('excluded.uploaded_at'),
      })),
    )
    .execute();
  // ...while the file is moved into place: the decision is made, and the two do not depend on
  // each other. Both end before the commit, so the committed row never names an entry that a
  // power cut could undo. Whatever fails, both have settled before the transaction ends.
  onMove();
  const settled = await Promise.allSettled([written, storage.commitUpload(f.partId, key, { fsync: config.audioFsync })]);
  for (const result of settled) if (result.status === 'rejected') throw result.reason;
  return { uploadId, won: true, otherPart };
}

/**
 * After a transaction that moved (or tried to move) the file failed, take the object away unless
 * the recording holds it: a failed COMMIT may have happened after all (its answer lost), and once
 * the lock was free another upload of the same bytes may have moved them to the same key and
 * committed. Under the recording's lock, where every
 * move to the key is made and decided, this cannot go wrong; when the database cannot be asked, the
 * object stays (unreferenced bytes, never a reference without bytes).
 */
export async function discardObject(ctx: ServerContext, recordingId: string, key: string): Promise<void> {
  try {
    await ctx.uploadDb.transaction().execute(async (trx) => {
      await sql`SELECT lock_recordings(ARRAY[${recordingId}::uuid])`.execute(trx);
      const rec = await trx.selectFrom('recording').select('blob_key').where('recording_id', '=', recordingId).executeTakeFirst();
      if (rec?.blob_key !== key) await ctx.storage.deleteObject(key);
    });
  } catch {
    // Left in place, as said above.
  }
}

async function refuseHash(ctx: ServerContext, device: AuthenticatedDevice, declared: { recordingId: string; sha256: string; length: number }, received: string): Promise<never> {
  await recordAudit(ctx.uploadDb, [
    { actorKind: 'device', actorId: device.deviceId, action: 'recording.upload-refused', venueId: device.venueId, subject: declared.recordingId, detail: { declared: declared.sha256, received, bytes: declared.length } },
  ]);
  throw new ApiError('UPLOAD_HASH_MISMATCH', `declared ${declared.sha256}, received ${received}`);
}

/** PATCH: take the lease at the given offset (with the nonce, in one statement) and append. */
async function patchUpload(ctx: ServerContext, request: FastifyRequest, reply: FastifyReply, uploadId: string): Promise<FastifyReply> {
  const device = request.device!;
  requireTus(request);
  if (!hasBody(request)) throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be ${OFFSET_TYPE}`);
  const offset = intHeader(request, 'upload-offset');
  const lease = randomUUID();
  const result = await sql<{ device_status: string | null; nonce_fresh: boolean; leased: UploadRow | null }>`
    WITH ${spendNonceCte(device.deviceId, request.unspentNonce!)},
    leased AS (
      UPDATE upload SET lease_token = ${lease}, lease_until = now() + make_interval(secs => ${LEASE_SECONDS})
      WHERE upload_id = ${uploadId}::uuid AND venue_id = ${device.venueId}::uuid AND status = 'open' AND "offset" = ${offset}
        AND (lease_until IS NULL OR lease_until < now()) AND EXISTS (SELECT 1 FROM spent)
      RETURNING *
    )
    SELECT ${spentNonceColumns(device.deviceId)}, (SELECT row_to_json(leased) FROM leased) AS leased`.execute(ctx.uploadDb);
  const row = result.rows[0];
  checkSpentNonce(row);
  if (!row!.leased) {
    const current = await ctx.uploadDb.selectFrom('upload').selectAll().where('upload_id', '=', uploadId).executeTakeFirst();
    if (!current || current.venue_id !== device.venueId) throw new ApiError('NOT_FOUND', `upload ${uploadId}`);
    if (Number(current.offset) !== offset || current.status === 'complete') throw new ApiError('UPLOAD_OFFSET_MISMATCH', `the upload is at ${current.offset}`);
    throw new ApiError('UPLOAD_BUSY');
  }
  const newOffset = await appendChunk(ctx, request, device, row!.leased, lease);
  return reply.code(204).header('Upload-Offset', String(newOffset)).send();
}

/**
 * Stream the request body into the upload at its offset, under the lease we hold. Returns the new
 * offset; at the end of the file, checks the whole SHA-256 and either finishes or refuses the upload.
 */
async function appendChunk(ctx: ServerContext, request: FastifyRequest, device: AuthenticatedDevice, upload: UploadRow, lease: string): Promise<number> {
  const { uploadDb: db, storage } = ctx;
  const offset = Number(upload.offset);
  const length = Number(upload.length);
  /** Give the lease back at `newOffset`; false when it was lost (a whole-file POST finished the upload). */
  const release = async (newOffset: number): Promise<boolean> => {
    const result = await db.updateTable('upload').set({ offset: newOffset, lease_token: null, lease_until: null }).where('upload_id', '=', upload.upload_id).where('lease_token', '=', lease).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  };
  // Back to the last verified offset. At 0 the part file goes entirely: an upload that holds
  // nothing has no file (the next chunk at 0 creates it), so refused first chunks leave no trace.
  const discardTo = (kept: number): Promise<void> => (kept === 0 ? storage.deleteUpload(upload.upload_id) : storage.truncateUpload(upload.upload_id, kept));
  let result;
  try {
    result = await storage.appendUpload(upload.upload_id, offset, request.raw, length - offset);
  } catch (error) {
    await discardTo(offset);
    await release(offset);
    if (error instanceof UploadOverflow) throw new ApiError('UPLOAD_TOO_LARGE', `the chunk goes past Upload-Length ${length}`);
    throw error;
  }
  const declared = request.signedContentSha256;
  if (declared !== UNSIGNED_PAYLOAD && (result.interrupted || result.sha256 !== declared)) {
    // A signed chunk is all or nothing: nothing unverified is kept.
    await discardTo(offset);
    await release(offset);
    if (result.interrupted) return offset;
    throw new ApiError('UPLOAD_CHUNK_CHECKSUM_MISMATCH', `the chunk at ${offset} does not match its signed SHA-256`);
  }
  const newOffset = offset + result.written;
  if (newOffset < length) {
    if (newOffset === 0) await discardTo(0);
    if (await release(newOffset)) return newOffset;
    // The same bytes arrived whole meanwhile and finished the upload: this part file is left to us.
    const now = await db.selectFrom('upload').select('status').where('upload_id', '=', upload.upload_id).executeTakeFirst();
    if (now?.status === 'complete') {
      await storage.deleteUpload(upload.upload_id);
      return length;
    }
    return newOffset;
  }

  const inOnePiece = offset === 0 && !result.interrupted;
  const whole = inOnePiece ? result.sha256 : await storage.hashUpload(upload.upload_id, length);
  if (whole !== upload.sha256) {
    await db.deleteFrom('upload').where('upload_id', '=', upload.upload_id).where('lease_token', '=', lease).execute();
    await storage.deleteUpload(upload.upload_id);
    await refuseHash(ctx, device, { recordingId: upload.recording_id, sha256: upload.sha256, length }, whole);
  }
  await finishUpload(ctx, device, {
    partId: upload.upload_id,
    declared: { recordingId: upload.recording_id, sha256: upload.sha256, mimeType: upload.mime_type, length },
    exact: inOnePiece,
    lease,
  });
  return length;
}

export const uploadRoutes =
  (ctx: ServerContext): FastifyPluginAsyncZod =>
  async (app) => {
    const { uploadDb: db, storage } = ctx;

    app.addHook('onSend', async (_request, reply) => {
      reply.header('Tus-Resumable', TUS_VERSION);
    });
    // Upload bytes are streamed to storage by the handler, never buffered. No other body type is
    // taken here (not even the JSON the enclosing scope parses): anything else is 415.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(OFFSET_TYPE, (_request, _payload, done) => done(null));

    const findOwn = async (uploadId: string, venueId: string) => {
      const row = await db.selectFrom('upload').selectAll().where('upload_id', '=', uploadId).executeTakeFirst();
      // Another venue's upload is reported exactly like a missing one.
      if (!row || row.venue_id !== venueId) throw new ApiError('NOT_FOUND', `upload ${uploadId}`);
      return row;
    };

    app.post(
      '/v1/uploads',
      {
        config: { streamBody: true, authInTransaction: true, bodyTypes: TUS_BODY_TYPES },
        schema: {
          operationId: 'createUpload',
          tags: ['venue'],
          summary: 'tus: create an upload for one recording, optionally with its bytes',
          description:
            'Headers: Tus-Resumable 1.0.0, Upload-Length, Upload-Metadata with recordingId, sha256 (hex) and mimeType. With Content-Type application/offset+octet-stream the body is the first chunk (creation-with-upload). Creating it again returns the same upload.',
          response: { 201: Created, ...errorResponses },
        },
      },
      async (request, reply) => createUpload(ctx, request, reply),
    );

    app.head(
      '/v1/uploads/:uploadId',
      {
        // In the OpenAPI document too (a tus client needs it). The document takes a HEAD route as a copy
        // made before this scope names its credential, so the route names it itself.
        config: { swagger: { exposeHeadRoute: true } },
        schema: {
          operationId: 'getUploadOffset',
          tags: ['venue'],
          summary: 'tus: the current offset of an upload (in the Upload-Offset and Upload-Length headers)',
          security: [{ deviceSignature: [] }],
          params: UploadParams,
          response: { 200: z.undefined().describe('the offset and length'), ...errorResponses },
        },
      },
      async (request, reply) => {
        requireTus(request);
        const row = await findOwn(request.params.uploadId, request.device!.venueId);
        reply.header('Upload-Offset', String(row.offset)).header('Upload-Length', String(row.length)).header('Cache-Control', 'no-store');
        return reply.code(200).send();
      },
    );

    app.patch(
      '/v1/uploads/:uploadId',
      {
        config: { streamBody: true, authInTransaction: true, bodyTypes: TUS_BODY_TYPES },
        schema: {
          operationId: 'appendUploadChunk',
          tags: ['venue'],
          summary: 'tus: append a chunk at Upload-Offset',
          description:
            'Content-Type application/offset+octet-stream. X-Content-SHA256 is the chunk hash (kept only if whole and matching) or UNSIGNED-PAYLOAD (bytes before a cut are kept). The last chunk triggers the whole-file SHA-256 check.',
          params: UploadParams,
          response: { 204: z.undefined().describe('chunk stored; Upload-Offset says where the next one starts'), ...errorResponses },
        },
      },
      async (request, reply) => patchUpload(ctx, request, reply, request.params.uploadId),
    );

    app.delete(
      '/v1/uploads/:uploadId',
      { schema: { operationId: 'abandonUpload', tags: ['venue'], summary: 'tus: abandon an unfinished upload', params: UploadParams, response: { 204: z.undefined().describe('abandoned'), ...errorResponses } } },
      async (request, reply) => {
        requireTus(request);
        const row = await findOwn(request.params.uploadId, request.device!.venueId);
        if (row.status === 'complete') throw new ApiError('CONFLICT', 'a finished upload cannot be abandoned');
        await db.deleteFrom('upload').where('upload_id', '=', row.upload_id).where('status', '=', 'open').execute();
        await storage.deleteUpload(row.upload_id);
        return reply.code(204).send();
      },
    );
  };

export const tusDiscoveryRoutes =
  (ctx: ServerContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.options(
      '/v1/uploads',
      { schema: { operationId: 'getUploadCapabilities', tags: ['venue'], summary: 'tus: server capabilities (in the Tus-* headers)', response: { 204: z.undefined().describe('the capabilities'), ...errorResponses } } },
      async (_request, reply) =>
        reply
          .code(204)
          .header('Tus-Resumable', TUS_VERSION)
          .header('Tus-Version', TUS_VERSION)
          .header('Tus-Extension', 'creation,creation-with-upload,termination')
          .header('Tus-Max-Size', String(ctx.config.uploadMaxBytes))
          .send(undefined),
    );
  };
