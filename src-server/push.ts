// Venue → central: the push protocol of the event contract (src-shared/contracts/events.ts). A hub
// sends its outbox from acked_seq+1 as envelopes ({seq, origin, kind, entityId, payload, createdAt});
// they are applied in one transaction under a lock on the device row (so concurrent pushes from one
// device, even through different replicas, take turns): events already acknowledged are skipped, a
// gap is refused with 409 and the expected seq, an origin (device, seq) the centre already holds is a
// duplicate (acked, not applied again), and what the events describe (attempts and their submission,
// responses, recordings, timer events, audio plays, attendance, incidents) is materialised for scoring
// and receipts. The batch is checked here with the contract's own checkBatch: a kind the contract does
// not know means the station is newer than this API, and the push is refused whole. apply_push
// (migrations 0002-0004) applies the batch in one call. A close that contradicts audio the centre
// holds (409 RECORDING_CONFLICT) and an origin arriving again with another body (409 EVENT_CONFLICT)
// refuse the whole push, and the refusal is audited on its own, outside the rolled-back push.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import { checkBatch, describeBatchProblem, EventEnvelope, PushReply, PushRequest, type BatchProblem, type EventPayload } from '../src-shared/contracts/events.ts';
import { recordAudit, type AuditEntry } from './audit.ts';
import type { ServerContext } from './context.ts';
import type { CentralDb } from './db/database.ts';
import type { CentralTables } from './db/tables.ts';
import { ApiError, errorResponses, type ApiErrorCode } from './errors.ts';

// The contract's schemas under the OpenAPI names this API has always given them. The envelope is
// registered as it is (not a copy), so the request body below refers to it by name.
z.globalRegistry.add(EventEnvelope, { id: 'PushedEvent' });
export const PushBody = PushRequest.meta({ id: 'PushRequest' });
export const PushResult = PushReply.meta({ id: 'PushResult' });

type Answer = EventPayload<'response.saved'>;
export type LatestAnswer = Answer & { seq: number };

/** A problem of the batch's shape as the API error it becomes; nothing is applied. */
export function batchRefusal(problem: BatchProblem): ApiError {
  const detail = describeBatchProblem(problem);
  switch (problem.problem) {
    case 'too-many':
      return new ApiError('PAYLOAD_TOO_LARGE', detail);
    case 'not-contiguous':
      return new ApiError('EVENTS_NOT_CONTIGUOUS', detail);
    case 'unknown-kind':
      return new ApiError('EVENT_KIND_UNKNOWN', detail, { seq: problem.seq });
    case 'bad-payload':
      return new ApiError('VALIDATION_FAILED', detail, { seq: problem.seq });
    case 'empty':
      return new ApiError('VALIDATION_FAILED', detail);
  }
}

/**
 * Check the whole batch with the contract before touching the database; returns its answers reduced
 * to the latest revision of each item (the rows the response table needs).
 */
export function checkPush(events: readonly EventEnvelope[], maxEvents: number): LatestAnswer[] {
  const problem = checkBatch(events, maxEvents);
  if (problem) throw batchRefusal(problem);
  const latest = new Map<string, LatestAnswer>();
  for (const event of events) {
    if (event.kind !== 'response.saved') continue;
    // checkBatch has parsed it as a response.saved payload.
    const answer = event.payload as Answer;
    const key = `${answer.attemptId} ${answer.itemId}`;
    const held = latest.get(key);
    if (!held || held.revision < answer.revision) latest.set(key, { ...answer, seq: event.seq });
  }
  return [...latest.values()];
}

const JSONB_BINARY_VERSION = Buffer.from([1]);

/** The refusals apply_push raises, by the API error code they become. */
const PUSH_REFUSALS = new Set<ApiErrorCode>(['AUTH_REPLAYED', 'DEVICE_UNKNOWN', 'DEVICE_REVOKED', 'SEQ_GAP', 'EVENT_REJECTED', 'EVENT_CONFLICT', 'RECORDING_CONFLICT']);

interface Refusal {
  detail?: string;
  expectedSeq?: number;
  seq?: number;
  info?: ({ recordingId?: string; originDeviceId?: string; originSeq?: number } & Record<string, unknown>) | null;
}

/** The refusal of a rolled-back push that is written to the audit trail all the same, if it is one. */
function refusalAudit(code: ApiErrorCode, refusal: Refusal, device: { deviceId: string; venueId: string }): AuditEntry | undefined {
  const info = refusal.info;
  if (!info) return undefined;
  const base = { actorKind: 'device' as const, actorId: device.deviceId, venueId: device.venueId, detail: { seq: refusal.seq, ...info } };
  // An attempt to put other content on record under what the centre already holds.
  if (code === 'RECORDING_CONFLICT') return { ...base, action: 'recording.close-refused', subject: info.recordingId ?? null };
  if (code === 'EVENT_CONFLICT') return { ...base, action: 'event.conflict-refused', subject: info.originDeviceId === undefined ? null : `${info.originDeviceId}/${info.originSeq}` };
  return undefined;
}

/**
 * Apply a push: the batch is checked here with the contract, then one call to apply_push does the
 * rest in one transaction. A refusal comes back as a PostgreSQL exception and becomes the API error.
 * `db` is the pool (the call is its own transaction) or a transaction the call joins (a USB
 * transfer's import applies its batches and its audio in one: src-server/transfers.ts).
 */
export async function applyPush(
  ctx: ServerContext,
  device: { deviceId: string; venueId: string },
  request: { events: EventEnvelope[]; rawJson?: Buffer | undefined },
  nonce: string,
  db: CentralDb | Transaction<CentralTables> = ctx.db,
): Promise<PushReply> {
  const answers = checkPush(request.events, ctx.config.pushMaxEvents);
  // The body went through the schema as parsed; the same bytes go to PostgreSQL in jsonb's binary
  // form (a version byte, then the text), so the batch is not serialised a second time. (The
  // envelope and every payload schema are strict: the bytes say nothing the checks did not see.)
  const batch = request.rawJson ? Buffer.concat([JSONB_BINARY_VERSION, request.rawJson]) : JSON.stringify({ events: request.events });
  try {
    const result = await sql<{ acked_seq: number; accepted: number; duplicates: number }>`
      SELECT acked_seq, accepted, duplicates
      FROM apply_push(${device.deviceId}::uuid, ${device.venueId}::uuid, ${nonce}, (${batch}::jsonb)->'events', ${JSON.stringify(answers)}::jsonb)`.execute(db);
    const row = result.rows[0]!;
    return { ackedSeq: Number(row.acked_seq), accepted: row.accepted, duplicates: row.duplicates };
  } catch (error) {
    const { code, message, detail } = error as { code?: string; message?: string; detail?: string };
    if (code !== 'P0001' || !message || !PUSH_REFUSALS.has(message as ApiErrorCode)) throw error;
    const refused = message as ApiErrorCode;
    const refusal = JSON.parse(detail ?? '{}') as Refusal;
    const fields: ConstructorParameters<typeof ApiError>[2] = {};
    if (refusal.expectedSeq !== undefined) fields.expectedSeq = refusal.expectedSeq;
    if (refusal.seq !== undefined) fields.seq = refusal.seq;
    if (refused === 'EVENT_CONFLICT' && typeof refusal.info?.originDeviceId === 'string' && typeof refusal.info.originSeq === 'number') {
      fields.origin = { deviceId: refusal.info.originDeviceId, seq: refusal.info.originSeq };
    }
    // The push was rolled back; the refusal is kept all the same (on the pool: outside any transaction the call joined).
    const audit = refusalAudit(refused, refusal, device);
    if (audit) await recordAudit(ctx.db, [audit]);
    throw new ApiError(refused, refusal.detail, fields);
  }
}

export const pushRoutes =
  (ctx: ServerContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/push',
      {
        bodyLimit: ctx.config.pushBodyLimitBytes,
        config: { authInTransaction: true },
        schema: {
          operationId: 'pushEvents',
          tags: ['venue'],
          summary: 'Push outbox events (applied once, in order)',
          description:
            'Event envelopes of the contract (src-shared/contracts/events.ts) from acked_seq+1, with consecutive seq, each with its origin (the device that wrote it first and its seq there). ' +
            'Already acknowledged events are skipped, and so is an origin the centre already holds (counted as a duplicate; acked_seq moves over it); a gap is refused with 409 SEQ_GAP and expectedSeq. ' +
            'A kind the centre does not know is 400 EVENT_KIND_UNKNOWN (the station is newer than this API), a payload outside its kind\'s schema 400 VALIDATION_FAILED, both with the seq. ' +
            'An origin arriving again with another kind, entity or payload refuses the whole push with 409 EVENT_CONFLICT, its seq and origin; a recording.closed that contradicts audio the centre holds, or an earlier close, with 409 RECORDING_CONFLICT and its seq.',
          body: PushBody,
          response: { 200: PushResult, ...errorResponses },
        },
      },
      async (request) => {
        const device = request.device!;
        if (request.body.deviceId !== device.deviceId) throw new ApiError('VALIDATION_FAILED', 'deviceId must be the signing device');
        return applyPush(ctx, device, { events: request.body.events, rawJson: request.rawJson }, request.unspentNonce!);
      },
    );
  };
