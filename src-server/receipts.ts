// Receipts: per candidate, a statement signed by the centre of everything it has received for that
// candidate: attempts with when they were submitted, responses with their revisions, recordings with
// hash, size, duration, whether the station interrupted them and whether the audio arrived, the
// parts' timer events (extra and credited time with their reasons), plays of listening audio (and
// which were handed back because their audio failed to start),
// attendance with who marked it, and incidents. A venue stores and prints it, and can purge its own
// copy of personal data once the receipt shows everything arrived, so "audio arrived" is said only
// of bytes the centre holds now and has hashed, equal to what the station closed. Signed with the
// centre's Ed25519 receipt key (canonical JSON), verifiable with the public key from /v1/receipt-keys.
// Every list is in a fixed order (ties broken by id), so two issues for the same held data differ only in
// receiptId and issuedAt: receiptSha256 (src-shared/node/deletion-certificate.ts) hashes the rest.
// A venue without a network gets its session's receipts as one bundle (buildReceiptBundle: the admin
// route, or `npm run server -- export-receipts`), carried back to the hub on USB.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import { Receipt, ReceiptBundle, ReceiptKeys, SignedReceipt } from '../src-shared/contracts/central-api.ts';
import { TAKE_INTERRUPTIONS } from '../src-shared/contracts/events.ts';
import { canonicalJson } from '../src-shared/canonical-json.ts';
import { appendAudit, recordAudit, type AuditEntry } from './audit.ts';
import type { ServerContext } from './context.ts';
import type { CentralDb } from './db/database.ts';
import type { RecordingTable } from './db/tables.ts';
import type { BlobStorage } from './uploads/storage.ts';
import { ApiError, errorResponses } from './errors.ts';

export interface ReceiptSigner {
  keyId: string;
  publicKeySpki: string;
  sign(data: string): string;
}

/**
 * The centre's receipt key, from its PEM file (PKCS#8). `create` (the server at start): make one when
 * the file is missing. A command run beside the server passes false: receipts signed with a key of its
 * own would not verify at a hub, which keeps the key it read from /v1/receipt-keys.
 */
export function loadReceiptSigner(pemFile: string, options: { create: boolean } = { create: true }): ReceiptSigner {
  let privateKey: KeyObject;
  if (existsSync(pemFile)) {
    privateKey = createPrivateKey(readFileSync(pemFile));
  } else if (!options.create) {
    throw new Error(`no receipt key at ${pemFile} (RECEIPT_KEY_FILE): the server creates it at its first start; use the same DATA_DIR or RECEIPT_KEY_FILE as the server`);
  } else {
    privateKey = generateKeyPairSync('ed25519').privateKey;
    mkdirSync(dirname(pemFile), { recursive: true });
    writeFileSync(pemFile, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  }
  const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return {
    keyId: createHash('sha256').update(spki).digest('hex').slice(0, 16),
    publicKeySpki: spki.toString('base64'),
    sign: (data) => sign(null, Buffer.from(data, 'utf8'), privateKey).toString('base64'),
  };
}

export { Receipt, ReceiptBundle, SignedReceipt };

export { verifyReceipt } from '../src-shared/node/receipt-signature.ts';

/**
 * The audio of a recording counts as received only when the station closed it, the upload verified
 * the held object's SHA-256 and size, the two agree, and the object is still there with that size.
 */
async function audioHeld(storage: BlobStorage, r: Pick<Selectable<RecordingTable>, 'closed' | 'sha256' | 'bytes' | 'blob_key' | 'blob_sha256' | 'blob_bytes'>): Promise<boolean> {
  if (!r.closed || r.sha256 === null || r.bytes === null || r.blob_key === null || r.blob_sha256 === null || r.blob_bytes === null) return false;
  if (r.blob_sha256 !== r.sha256 || Number(r.blob_bytes) !== Number(r.bytes)) return false;
  return (await storage.statObject(r.blob_key)) === Number(r.blob_bytes);
}

export async function buildReceipt(db: CentralDb, storage: BlobStorage, venueId: string, candidateId: string): Promise<Receipt> {
  const candidate = await db
    .selectFrom('candidate as c')
    .innerJoin('venue as v', 'v.venue_id', 'c.venue_id')
    .select(['c.candidate_id', 'c.session_id', 'c.given_name', 'c.family_name', 'c.venue_id', 'v.code'])
    .where('c.candidate_id', '=', candidateId)
    .executeTakeFirst();
  if (!candidate || candidate.venue_id !== venueId) throw new ApiError('NOT_FOUND', `candidate ${candidateId}`);
  const attempts = await db.selectFrom('attempt').selectAll().where('candidate_id', '=', candidateId).where('venue_id', '=', venueId).orderBy('opened_at').orderBy('attempt_id').execute();
  const ids = attempts.map((a) => a.attempt_id);
  const responses = ids.length ? await db.selectFrom('response').select(['attempt_id', 'item_id', 'revision', 'saved_at']).where('attempt_id', 'in', ids).orderBy('item_id').execute() : [];
  const recordings = ids.length ? await db.selectFrom('recording').selectAll().where('attempt_id', 'in', ids).orderBy('item_id').orderBy('take').orderBy('recording_id').execute() : [];
  const timerEvents = ids.length ? await db.selectFrom('timer_event').selectAll().where('attempt_id', 'in', ids).where('venue_id', '=', venueId).orderBy('event_id').execute() : [];
  const plays = ids.length ? await db.selectFrom('audio_play').select(['attempt_id', 'stimulus_id', 'play', 'returned_at']).where('attempt_id', 'in', ids).where('venue_id', '=', venueId).orderBy('stimulus_id').orderBy('play').execute() : [];
  const attendance = await db.selectFrom('attendance').selectAll().where('candidate_id', '=', candidateId).where('session_id', '=', candidate.session_id).executeTakeFirst();
  // The candidate's incidents, and those of their attempts (an incident may name only the attempt).
  const incidents = await db
    .selectFrom('incident')
    .selectAll()
    .where((eb) => eb.or([eb('candidate_id', '=', candidateId), ...(ids.length ? [eb('attempt_id', 'in', ids)] : [])]))
    .where('venue_id', '=', venueId)
    .orderBy('at')
    .orderBy('incident_id')
    .execute();
  const received = await Promise.all(recordings.map((r) => audioHeld(storage, r)));
  const receivedById = new Map(recordings.map((r, i) => [r.recording_id, received[i]!]));
  return {
    receiptId: randomUUID(),
    issuedAt: new Date().toISOString(),
    venueCode: candidate.code,
    candidate: { candidateId, sessionId: candidate.session_id, givenName: candidate.given_name, familyName: candidate.family_name },
    attendance: attendance ? { status: attendance.status, markedAt: attendance.marked_at.toISOString(), markedBy: attendance.marked_by } : null,
    attempts: attempts.map((a) => ({
      attemptId: a.attempt_id,
      packageId: a.package_id,
      openedAt: a.opened_at.toISOString(),
      submittedAt: a.submitted_at?.toISOString() ?? null,
      responses: responses.filter((r) => r.attempt_id === a.attempt_id).map((r) => ({ itemId: r.item_id, revision: r.revision, savedAt: r.saved_at.toISOString() })),
      recordings: recordings
        .filter((r) => r.attempt_id === a.attempt_id)
        .map((r) => ({
          recordingId: r.recording_id,
          itemId: r.item_id,
          take: r.take,
          sha256: r.sha256,
          bytes: r.bytes === null ? null : Number(r.bytes),
          durationMs: r.duration_ms,
          interrupted: r.interrupted,
          interruption: r.interruption as (typeof TAKE_INTERRUPTIONS)[number] | null,
          audioReceived: receivedById.get(r.recording_id) ?? false,
        })),
      timerEvents: timerEvents
        .filter((t) => t.attempt_id === a.attempt_id)
        .map((t) => ({ partId: t.part_id, eventId: Number(t.event_id), kind: t.kind, at: Number(t.at_ms), amountMs: t.amount_ms === null ? null : Number(t.amount_ms), reason: t.reason })),
      plays: plays.filter((p) => p.attempt_id === a.attempt_id).map((p) => ({ stimulusId: p.stimulus_id, play: p.play, returnedAt: p.returned_at?.toISOString() ?? null })),
    })),
    incidents: incidents.map((i) => ({ incidentId: i.incident_id, attemptId: i.attempt_id, kind: i.kind, note: i.note, at: i.at.toISOString(), recordedBy: i.recorded_by })),
  };
}

export function signReceipt(signer: ReceiptSigner, receipt: Receipt): SignedReceipt {
  return { receipt, algorithm: 'ed25519', keyId: signer.keyId, signature: signer.sign(canonicalJson(receipt)) };
}

/** Who asked for a bundle: the admin (the route) or the command line. */
export interface ReceiptReader {
  actorKind: AuditEntry['actorKind'];
  actorId: string;
}

/**
 * Every receipt of a session, signed, for a hub that has no network: one per candidate on the roster,
 * and one per candidate taken off it of whom the centre holds an attempt or an attendance mark (what
 * makes a hub keep a removed candidate: work started or attendance marked; a hub that deleted one
 * would refuse a bundle naming them). Built in one repeatable-read transaction, so every receipt
 * describes the same moment, and each read is audited as the receipt route's is. NOT_FOUND for a
 * session the centre does not know.
 */
export async function buildReceiptBundle(db: CentralDb, storage: BlobStorage, signer: ReceiptSigner, sessionId: string, reader: ReceiptReader): Promise<ReceiptBundle> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const session = await trx.selectFrom('exam_session as s').innerJoin('venue as v', 'v.venue_id', 's.venue_id').select(['s.venue_id', 'v.code']).where('s.session_id', '=', sessionId).executeTakeFirst();
      if (!session) throw new ApiError('NOT_FOUND', `session ${sessionId}`);
      const candidates = await trx
        .selectFrom('candidate as c')
        .select('c.candidate_id')
        .where('c.session_id', '=', sessionId)
        .where('c.venue_id', '=', session.venue_id)
        .where((eb) =>
          eb.or([
            eb('c.removed', '=', false),
            eb.exists(eb.selectFrom('attempt as a').select('a.attempt_id').whereRef('a.candidate_id', '=', 'c.candidate_id')),
            eb.exists(eb.selectFrom('attendance as t').select('t.candidate_id').whereRef('t.candidate_id', '=', 'c.candidate_id').whereRef('t.session_id', '=', 'c.session_id')),
          ]),
        )
        .orderBy('c.candidate_id')
        .execute();
      const receipts: SignedReceipt[] = [];
      for (const { candidate_id } of candidates) receipts.push(signReceipt(signer, await buildReceipt(trx, storage, session.venue_id, candidate_id)));
      await appendAudit(
        trx,
        receipts.map((r) => ({ ...reader, action: 'receipt.read-personal-data', venueId: session.venue_id, subject: r.receipt.candidate.candidateId, detail: { receiptId: r.receipt.receiptId, bundleOf: sessionId } })),
      );
      // What the centre holds of each of the venue's device streams, so a hub with no network may purge.
      const devices = await trx.selectFrom('device').select(['device_id', 'acked_seq']).where('venue_id', '=', session.venue_id).where('status', '=', 'active').orderBy('device_id').execute();
      const issuedAt = new Date().toISOString();
      const statement = { purpose: 'acknowledged-streams' as const, venueCode: session.code, issuedAt, devices: devices.map((d) => ({ deviceId: d.device_id, ackedSeq: Number(d.acked_seq) })) };
      const acknowledgement = { statement, algorithm: 'ed25519' as const, keyId: signer.keyId, signature: signer.sign(canonicalJson(statement)) };
      return { formatVersion: 1 as const, sessionId, venueCode: session.code, issuedAt, receipts, acknowledgement };
    });
}

export const receiptAdminRoutes =
  (ctx: ServerContext, actor: string): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/admin/sessions/:sessionId/receipts',
      {
        schema: {
          operationId: 'exportSessionReceipts',
          tags: ['admin'],
          summary: "A session's signed receipts as one bundle, to carry to a venue hub without a network",
          description:
            'One receipt per candidate of the roster (and per candidate taken off it of whom the centre holds an attempt or an attendance mark), each exactly as GET /v1/receipts/{candidateId} signs it; ' +
            'the hub verifies each with the key of /v1/receipt-keys and imports the bundle as if it had fetched them. 404 for an unknown session. Audited as a read of personal data.',
          params: z.object({ sessionId: z.string().min(1).max(64) }),
          response: { 200: ReceiptBundle, ...errorResponses },
        },
      },
      async (request) => buildReceiptBundle(ctx.db, ctx.storage, ctx.receipts, request.params.sessionId, { actorKind: 'admin', actorId: actor }),
    );
  };

export const receiptRoutes =
  (ctx: ServerContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/receipts/:candidateId',
      {
        schema: {
          operationId: 'getReceipt',
          tags: ['venue'],
          summary: 'A signed receipt of everything received for one candidate',
          params: z.object({ candidateId: z.string().min(1).max(64) }),
          response: { 200: SignedReceipt, ...errorResponses },
        },
      },
      async (request) => {
        const device = request.device!;
        const receipt = await buildReceipt(ctx.db, ctx.storage, device.venueId, request.params.candidateId);
        await recordAudit(ctx.db, [{ actorKind: 'device', actorId: device.deviceId, action: 'receipt.read-personal-data', venueId: device.venueId, subject: request.params.candidateId, detail: { receiptId: receipt.receiptId } }]);
        return signReceipt(ctx.receipts, receipt);
      },
    );
  };

export const receiptKeyRoutes =
  (ctx: ServerContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/receipt-keys',
      {
        schema: {
          operationId: 'listReceiptKeys',
          tags: ['public'],
          summary: 'The public key that verifies receipts',
          response: { 200: ReceiptKeys, ...errorResponses },
        },
      },
      async () => ({ keys: [{ keyId: ctx.receipts.keyId, algorithm: 'ed25519' as const, publicKeySpki: ctx.receipts.publicKeySpki }] }),
    );
  };
