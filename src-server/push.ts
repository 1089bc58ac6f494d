// Venue → central: the push protocol. A hub sends its outbox events from acked_seq+1; they are
// applied in one transaction under a lock on the device row (so concurrent pushes from one device,
// even through different replicas, take turns): events already acknowledged are skipped, a gap is
// refused with 409 and the expected seq, and what the events describe (attempts, responses,
// recordings, attendance, incidents) is materialised for scoring and receipts. This module checks
// every event's shape at the boundary; apply_push (migrations 0002, 0003) applies the batch in one
// call. A close that contradicts audio the centre holds (or an earlier close) refuses the whole push
// with 409 RECORDING_CONFLICT, and that refusal is audited on its own, outside the rolled-back push.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { ResponseValue } from '../src-shared/content/responses.ts';
import { recordAudit } from './audit.ts';
import type { ServerContext } from './context.ts';
import { ApiError, errorResponses, type ApiErrorCode } from './errors.ts';

const uuid = z.string().uuid();
const ref = z.string().min(1).max(64);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const instant = z.iso.datetime({ offset: true });

export const PushedEvent = z
  .object({
    /** The station that wrote the event (a seat relayed by the hub, or the hub itself). */
    deviceId: z.string().min(1).max(64),
    seq: z.number().int().min(1),
    kind: z.string().min(1).max(64),
    entityId: z.string().min(1).max(128),
    payload: z.unknown(),
    createdAt: z.string().min(1).max(40),
  })
  .meta({ id: 'PushedEvent' });
export type PushedEvent = z.infer<typeof PushedEvent>;

export const PushRequest = z.object({ deviceId: uuid, events: z.array(PushedEvent).min(1) }).meta({ id: 'PushRequest' });
export const PushResult = z
  .object({ ackedSeq: z.number().int(), accepted: z.number().int(), duplicates: z.number().int() })
  .meta({ id: 'PushResult' });
export type PushResult = z.infer<typeof PushResult>;

/** The kinds the central API materialises; other kinds are kept as events only (forward compatible). */
export const EVENT_PAYLOADS = {
  'attempt.opened': z.object({ attemptId: uuid, candidateId: ref, packageId: uuid, openedAt: instant }),
  'response.saved': z.object({ attemptId: uuid, itemId: ref, revision: z.number().int().min(1), value: ResponseValue, savedAt: instant }),
  'recording.started': z.object({ recordingId: uuid, attemptId: uuid, itemId: ref, take: z.number().int().min(1), mimeType: z.string().min(1).max(100) }),
  'recording.closed': z.object({
    recordingId: uuid,
    attemptId: uuid,
    itemId: ref,
    take: z.number().int().min(1),
    sha256: sha256Hex,
    bytes: z.number().int().min(0),
    durationMs: z.number().int().min(0),
    segmentCount: z.number().int().min(0),
    mimeType: z.string().min(1).max(100),
  }),
  'attendance.marked': z.object({ candidateId: ref, sessionId: ref, status: z.enum(['expected', 'present', 'absent', 'removed']), at: instant }),
  'incident.recorded': z.object({
    incidentId: ref,
    sessionId: ref.nullable(),
    candidateId: ref.nullable(),
    kind: z.string().min(1).max(64),
    note: z.string().max(5000),
    at: instant,
  }),
} as const;

const isKnownKind = (kind: string): kind is keyof typeof EVENT_PAYLOADS => Object.hasOwn(EVENT_PAYLOADS, kind);

type Answer = z.infer<(typeof EVENT_PAYLOADS)['response.saved']>;
export type LatestAnswer = Answer & { seq: number };

/**
 * Check the shape of the whole batch before touching the database; returns its answers reduced to
 * the latest revision of each item (the rows the response table needs).
 */
export function checkBatch(events: PushedEvent[], maxEvents: number): LatestAnswer[] {
  if (events.length > maxEvents) throw new ApiError('PAYLOAD_TOO_LARGE', `at most ${maxEvents} events per push`);
  const first = events[0]!.seq;
  events.forEach((event, i) => {
    if (event.seq !== first + i) throw new ApiError('EVENTS_NOT_CONTIGUOUS', `event ${i} has seq ${event.seq}, expected ${first + i}`);
  });
  const latest = new Map<string, LatestAnswer>();
  for (const event of events) {
    if (!isKnownKind(event.kind)) continue;
    const parsed = EVENT_PAYLOADS[event.kind].safeParse(event.payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ApiError('VALIDATION_FAILED', `event seq ${event.seq} (${event.kind}): ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid payload'}`, { seq: event.seq });
    }
    if (event.kind === 'response.saved') {
      const answer = parsed.data as Answer;
      const key = `${answer.attemptId} ${answer.itemId}`;
      const held = latest.get(key);
      if (!held || held.revision < answer.revision) latest.set(key, { ...answer, seq: event.seq });
    }
  }
  return [...latest.values()];
}

const JSONB_BINARY_VERSION = Buffer.from([1]);

/** The refusals apply_push raises, by the API error code they become. */
const PUSH_REFUSALS = new Set(['AUTH_REPLAYED', 'DEVICE_UNKNOWN', 'DEVICE_REVOKED', 'SEQ_GAP', 'EVENT_REJECTED', 'RECORDING_CONFLICT']);

/**
 * Apply a push: shapes are checked here, then one call to apply_push (migration 0002) does the rest
 * in one transaction. A refusal comes back as a PostgreSQL exception and becomes the API error.
 */
export async function applyPush(
  ctx: ServerContext,
  device: { deviceId: string; venueId: string },
  request: { events: PushedEvent[]; rawJson?: Buffer | undefined },
  nonce: string,
): Promise<PushResult> {
  const answers = checkBatch(request.events, ctx.config.pushMaxEvents);
  // The body went through the schema as parsed; the same bytes go to PostgreSQL in jsonb's binary
  // form (a version byte, then the text), so the batch is not serialised a second time.
  const batch = request.rawJson ? Buffer.concat([JSONB_BINARY_VERSION, request.rawJson]) : JSON.stringify({ events: request.events });
  try {
    const result = await sql<{ acked_seq: number; accepted: number; duplicates: number }>`
      SELECT acked_seq, accepted, duplicates
      FROM apply_push(${device.deviceId}::uuid, ${device.venueId}::uuid, ${nonce}, (${batch}::jsonb)->'events', ${JSON.stringify(answers)}::jsonb)`.execute(ctx.db);
    const row = result.rows[0]!;
    return { ackedSeq: Number(row.acked_seq), accepted: row.accepted, duplicates: row.duplicates };
  } catch (error) {
    const { code, message, detail } = error as { code?: string; message?: string; detail?: string };
    if (code !== 'P0001' || !message || !PUSH_REFUSALS.has(message)) throw error;
    const extra = JSON.parse(detail ?? '{}') as { detail?: string; expectedSeq?: number; seq?: number; info?: { recordingId?: string } & Record<string, unknown> };
    const fields: Record<string, number> = {};
    if (extra.expectedSeq !== undefined) fields.expectedSeq = extra.expectedSeq;
    if (extra.seq !== undefined) fields.seq = extra.seq;
    if (message === 'RECORDING_CONFLICT' && extra.info) {
      // The push was rolled back; the attempt to put other content on record is kept all the same.
      await recordAudit(ctx.db, [
        { actorKind: 'device', actorId: device.deviceId, action: 'recording.close-refused', venueId: device.venueId, subject: extra.info.recordingId ?? null, detail: { seq: extra.seq, ...extra.info } },
      ]);
    }
    throw new ApiError(message as ApiErrorCode, extra.detail, fields);
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
          tags: ['venue'],
          summary: 'Push outbox events (applied once, in order)',
          description:
            'Events from acked_seq+1, with consecutive seq. Already acknowledged events are skipped; a gap is refused with 409 SEQ_GAP and expectedSeq. A recording.closed that contradicts audio the centre holds, or an earlier close, refuses the whole push with 409 RECORDING_CONFLICT and its seq.',
          body: PushRequest,
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
