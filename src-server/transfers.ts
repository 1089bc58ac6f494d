// USB transfers: what a venue hub without a network exports to a stick (src-shared/node/transfer/),
// imported at the centre through the admin endpoint or the CLI (`npm run server -- import-transfer`),
// both by importTransfer. The file is decrypted with the centre's transfer key and its device
// signature checked before anything is applied; then its events go through the same apply path as
// POST /v1/push for that device (checkPush and apply_push, in batches of PUSH_MAX_EVENTS) and its
// audio through the same finishing as a completed tus upload (recordFinishedUpload), all in one
// transaction: importing twice changes nothing, a later push or tus creation of the same things is
// answered as already held, and any refusal leaves nothing of the export behind.
import { TransferKeys } from '../src-shared/contracts/central-api.ts';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import type { EventEnvelope } from '../src-shared/contracts/events.ts';
import { CodedError, TransferError } from '../src-shared/errors.ts';
import { publicKeyFromBase64 } from '../src-shared/node/request-signing.ts';
import type { TransferHeader } from '../src-shared/node/transfer/format.ts';
import { openTransfer, type OpenedTransfer } from '../src-shared/node/transfer/reader.ts';
import { appendAudit, recordAudit, type AuditEntry } from './audit.ts';
import type { ServerContext } from './context.ts';
import { ApiError, errorResponses } from './errors.ts';
import { applyPush } from './push.ts';
import { discardObject, objectKeyOfRecording, recordFinishedUpload } from './uploads/tus.ts';

export interface TransferKey {
  keyId: string;
  /** X25519 SubjectPublicKeyInfo, DER, base64: what a hub encrypts its exports to. */
  publicKeySpki: string;
  privateKey: KeyObject;
}

/**
 * The centre's transfer key, from its PEM file (PKCS#8). `create`: make one when the file is missing
 * (the server at start; replicas starting at once agree on whichever was written first).
 */
export function loadTransferKey(pemFile: string, options: { create: boolean }): TransferKey {
  let pem: Buffer;
  try {
    pem = readFileSync(pemFile);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!options.create) throw new Error(`no transfer key at ${pemFile} (TRANSFER_KEY_FILE): the server creates it at its first start`, { cause: error });
    const created = generateKeyPairSync('x25519').privateKey.export({ format: 'pem', type: 'pkcs8' });
    mkdirSync(dirname(pemFile), { recursive: true });
    try {
      writeFileSync(pemFile, created, { mode: 0o600, flag: 'wx' });
    } catch (raced) {
      // Another replica wrote it first: that key is the one.
      if ((raced as NodeJS.ErrnoException).code !== 'EEXIST') throw raced;
    }
    pem = readFileSync(pemFile);
  }
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'x25519') throw new Error(`${pemFile} holds a ${privateKey.asymmetricKeyType ?? 'non-asymmetric'} key; a transfer key is X25519`);
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return { keyId: createHash('sha256').update(spki).digest('hex').slice(0, 16), publicKeySpki: spki.toString('base64'), privateKey };
}

export const TransferImportSummary = z
  .object({
    deviceId: z.string(),
    venueCode: z.string(),
    /** The export's own time (the hub's clock) and the SHA-256 of the file. */
    createdAt: z.string(),
    fileSha256: z.string(),
    events: z.object({ accepted: z.number().int(), duplicates: z.number().int() }),
    recordings: z.object({ stored: z.number().int(), alreadyHeld: z.number().int() }),
    /** The device's acknowledged seq after the import (what its next push starts after). */
    ackedSeq: z.number().int(),
  })
  .meta({ id: 'TransferImport' });
export type TransferImportSummary = z.infer<typeof TransferImportSummary>;

export interface TransferActor {
  actorKind: AuditEntry['actorKind'];
  actorId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const importNonce = (): string => `transfer-${randomBytes(16).toString('base64url')}`;

/** A refusal of the shared reader, or of the apply, as the API error it is at the centre. */
function asRefusal(error: unknown): unknown {
  if (error instanceof ApiError) {
    if (error.code === 'SEQ_GAP') return new ApiError('TRANSFER_SEQ_GAP', error.detail, error.extra);
    return error;
  }
  if (error instanceof CodedError) return new ApiError(error.code, error.detail);
  return error;
}

/**
 * Import one transfer file: verify and decrypt all of it (audio straight into upload parts), then
 * apply events and audio in one transaction. Returns what changed; throws an ApiError on a refusal,
 * after which nothing of the export is held (and the refusal is audited).
 */
export async function importTransfer(ctx: ServerContext, file: string, actor: TransferActor): Promise<TransferImportSummary> {
  const { storage, config } = ctx;
  /** Recording id → the upload part its decrypted audio was written to. */
  const parts = new Map<string, string>();
  /** Objects moved into place in the transaction: taken away again if it does not commit. */
  const moved: { recordingId: string; key: string }[] = [];
  let header: TransferHeader | undefined;
  let device: { deviceId: string; venueId: string } | undefined;
  let opened: OpenedTransfer | undefined;
  const removeParts = async (): Promise<void> => {
    for (const partId of parts.values()) await storage.deleteUpload(partId);
  };
  try {
    opened = await openTransfer(file, {
      centralPrivateKey: (keyId) => (keyId === ctx.transfers.keyId ? ctx.transfers.privateKey : undefined),
      devicePublicKey: async (claimed) => {
        header = claimed;
        if (!UUID.test(claimed.deviceId)) return undefined;
        const row = await ctx.db
          .selectFrom('device as d')
          .innerJoin('venue as v', 'v.venue_id', 'd.venue_id')
          .select(['d.device_id', 'd.venue_id', 'd.public_key', 'd.status', 'd.revoked_at', 'd.revoked_reason', 'v.code'])
          .where('d.device_id', '=', claimed.deviceId)
          .executeTakeFirst();
        if (!row) return undefined;
        if (row.status !== 'active') throw new TransferError('TRANSFER_FOREIGN', `device ${row.device_id} was revoked at ${row.revoked_at?.toISOString() ?? '?'}${row.revoked_reason ? `: ${row.revoked_reason}` : ''}`);
        if (row.code !== claimed.venueCode) throw new TransferError('TRANSFER_FOREIGN', `device ${row.device_id} belongs to venue ${row.code}; the file says venue ${claimed.venueCode}`);
        device = { deviceId: row.device_id, venueId: row.venue_id };
        return publicKeyFromBase64(row.public_key);
      },
      receiveAudio: async (recording, audio) => {
        if (recording.bytes > config.uploadMaxBytes) throw new ApiError('UPLOAD_TOO_LARGE', `recording ${recording.recordingId} is ${recording.bytes} bytes, more than the ${config.uploadMaxBytes} allowed`);
        const partId = randomUUID();
        parts.set(recording.recordingId, partId);
        const written = await storage.appendUpload(partId, 0, audio, recording.bytes);
        // A refusal while decrypting reaches the stream as a break; openTransfer throws it after this.
        if (written.interrupted) return;
        if (written.written !== recording.bytes) throw new Error(`recording ${recording.recordingId}: ${written.written} of ${recording.bytes} bytes written`);
      },
    });
    const verified = opened;
    const owner = device!;
    const { events, recordings } = verified.contents;

    // The bytes of every part go to disk before any lock is taken (as a finished tus upload's do).
    for (const recording of recordings) {
      const key = objectKeyOfRecording(owner.venueId, recording.recordingId, recording.sha256);
      await storage.prepareCommit(parts.get(recording.recordingId)!, key, recording.bytes, { fsync: config.audioFsync, exact: true });
    }

    const result = await ctx.db.transaction().execute(async (trx) => {
      let accepted = 0;
      let duplicates = 0;
      let ackedSeq: number | undefined;
      for (let at = 0; at < events.length; at += config.pushMaxEvents) {
        const batch: EventEnvelope[] = events.slice(at, at + config.pushMaxEvents);
        const reply = await applyPush(ctx, owner, { events: batch }, importNonce(), trx);
        accepted += reply.accepted;
        duplicates += reply.duplicates;
        ackedSeq = reply.ackedSeq;
      }
      // All of the export's recordings at once, in the one order every caller takes them in.
      if (recordings.length > 0) await sql`SELECT lock_recordings(${recordings.map((r) => r.recordingId)}::uuid[])`.execute(trx);
      let stored = 0;
      let alreadyHeld = 0;
      const leftOver: string[] = [];
      for (const recording of recordings) {
        const partId = parts.get(recording.recordingId)!;
        const key = objectKeyOfRecording(owner.venueId, recording.recordingId, recording.sha256);
        const outcome = await recordFinishedUpload(
          trx,
          ctx,
          owner,
          { partId, declared: { recordingId: recording.recordingId, sha256: recording.sha256, mimeType: recording.mimeType, length: recording.bytes }, exact: true },
          () => moved.push({ recordingId: recording.recordingId, key }),
        );
        if (outcome.won) stored += 1;
        else {
          alreadyHeld += 1;
          leftOver.push(partId);
        }
        if (outcome.otherPart) leftOver.push(outcome.otherPart);
      }
      ackedSeq ??= Number((await trx.selectFrom('device').select('acked_seq').where('device_id', '=', owner.deviceId).executeTakeFirstOrThrow()).acked_seq);
      const summary: TransferImportSummary = {
        deviceId: owner.deviceId,
        venueCode: verified.header.venueCode,
        createdAt: verified.header.createdAt,
        fileSha256: verified.fileSha256,
        events: { accepted, duplicates },
        recordings: { stored, alreadyHeld },
        ackedSeq,
      };
      await appendAudit(trx, [
        {
          ...actor,
          action: 'transfer.imported',
          venueId: owner.venueId,
          subject: owner.deviceId,
          detail: { ...summary, fileBytes: verified.fileBytes, sessions: verified.contents.sessions },
        },
      ]);
      return { summary, leftOver };
    });
    // Committed: the parts that did not become objects (the same bytes were held) go.
    for (const partId of result.leftOver) await storage.deleteUpload(partId);
    return result.summary;
  } catch (error) {
    // Nothing of a refused export stays: an object moved in the rolled-back transaction is taken
    // away again unless the recording holds it (discardObject decides that under the recording's
    // lock), and every decrypted part goes.
    for (const { recordingId, key } of moved) await discardObject(ctx, recordingId, key);
    await removeParts();
    const refusal = asRefusal(error);
    const coded = refusal instanceof ApiError ? refusal : undefined;
    await recordAudit(ctx.db, [
      {
        ...actor,
        action: 'transfer.refused',
        venueId: device?.venueId ?? null,
        subject: header?.deviceId ?? null,
        detail: { code: coded?.code ?? 'INTERNAL', detail: coded?.detail ?? (error as Error).message, venueCode: header?.venueCode, createdAt: header?.createdAt, keyId: header?.keyId },
      },
    ]);
    throw refusal;
  } finally {
    await opened?.dispose();
  }
}

/** Take a request body into a file of its own, at most `maxBytes`. */
async function receiveFile(source: NodeJS.ReadableStream, path: string, maxBytes: number): Promise<void> {
  let received = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > maxBytes) callback(new ApiError('PAYLOAD_TOO_LARGE', `a transfer file is at most ${maxBytes} bytes (TRANSFER_MAX_BYTES)`));
      else callback(null, chunk);
    },
  });
  await pipeline(source, limit, createWriteStream(path, { flags: 'wx' }));
}

export const transferKeyRoutes =
  (ctx: ServerContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/transfer-keys',
      {
        schema: {
          operationId: 'listTransferKeys',
          tags: ['public'],
          summary: 'The public key(s) a venue hub encrypts its USB exports to',
          response: { 200: TransferKeys, ...errorResponses },
        },
      },
      async () => ({ keys: [{ keyId: ctx.transfers.keyId, algorithm: 'x25519' as const, publicKey: ctx.transfers.publicKeySpki }] }),
    );
  };

export const transferAdminRoutes =
  (ctx: ServerContext, actor: string): FastifyPluginAsyncZod =>
  async (app) => {
    // The body is streamed to a file by the handler, never buffered; only octet-stream is taken.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('application/octet-stream', (_request, _payload, done) => done(null));
    app.post(
      '/v1/admin/transfers',
      {
        config: { bodyTypes: 'application/octet-stream' },
        schema: {
          operationId: 'importTransfer',
          tags: ['admin'],
          summary: 'Import a USB transfer file of a venue hub (application/octet-stream)',
          description:
            'The .estransfer file a hub exported without a network. It is decrypted and its device signature checked before anything is applied; its events go through the push apply (duplicates skipped), its audio through the finishing of a tus upload. ' +
            'Refused whole: 422 TRANSFER_FORMAT, TRANSFER_TAMPERED, TRANSFER_TRUNCATED, TRANSFER_FOREIGN (unknown, revoked or another venue\'s device, or another centre\'s key), 409 TRANSFER_SEQ_GAP (with expectedSeq), and the push\'s own refusals (EVENT_REJECTED, EVENT_CONFLICT, RECORDING_CONFLICT).',
          response: { 200: TransferImportSummary, ...errorResponses },
        },
      },
      async (request) => {
        const declared = Number(request.headers['content-length'] ?? 0);
        if (declared > ctx.config.transferMaxBytes) throw new ApiError('PAYLOAD_TOO_LARGE', `a transfer file is at most ${ctx.config.transferMaxBytes} bytes (TRANSFER_MAX_BYTES)`);
        const folder = join(ctx.config.dataDir, 'incoming');
        await mkdir(folder, { recursive: true });
        const file = join(folder, `${randomUUID()}.estransfer`);
        try {
          await receiveFile(request.raw, file, ctx.config.transferMaxBytes);
          return await importTransfer(ctx, file, { actorKind: 'admin', actorId: actor });
        } finally {
          await rm(file, { force: true });
        }
      },
    );
  };
