// Key release: a session's content key goes only to an enrolled, active hub of the session's own
// venue, and only from the start time (less a configurable margin). Every release and every refusal
// is audited, so the agency can see who had the key when.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { KeyRelease } from '../src-shared/contracts/central-api.ts';
import { appendAudit, recordAudit } from './audit.ts';
import type { ServerContext } from './context.ts';
import { ApiError, errorResponses } from './errors.ts';


export async function releaseKey(ctx: ServerContext, device: { deviceId: string; venueId: string }, sessionId: string, now = new Date()): Promise<z.infer<typeof KeyRelease>> {
  const session = await ctx.db
    .selectFrom('exam_session as s')
    .leftJoin('package_secret as k', 'k.package_id', 's.package_id')
    .select(['s.session_id', 's.venue_id', 's.package_id', 's.starts_at', 's.cancelled', 'k.content_key'])
    .where('s.session_id', '=', sessionId)
    .executeTakeFirst();
  // Another venue's session is answered exactly like a missing one.
  if (!session || session.venue_id !== device.venueId || session.cancelled) throw new ApiError('NOT_FOUND', `session ${sessionId}`);
  const releasableAt = new Date(session.starts_at.getTime() - ctx.config.keyReleaseMarginMs);
  if (now < releasableAt) {
    await recordAudit(ctx.db, [{ actorKind: 'device', actorId: device.deviceId, action: 'key.release-refused', venueId: device.venueId, subject: sessionId, detail: { releasableAt: releasableAt.toISOString() } }]);
    throw new ApiError('KEY_NOT_YET_RELEASED', `releasable from ${releasableAt.toISOString()}`, { releasableAt: releasableAt.toISOString() });
  }
  if (!session.package_id || !session.content_key) throw new ApiError('KEY_NOT_AVAILABLE');
  const packageId = session.package_id;
  const contentKey = session.content_key;
  await ctx.db.transaction().execute(async (trx) => {
    await trx.insertInto('key_release').values({ session_id: sessionId, device_id: device.deviceId }).execute();
    await appendAudit(trx, [{ actorKind: 'device', actorId: device.deviceId, action: 'key.released', venueId: device.venueId, subject: sessionId, detail: { packageId } }]);
  });
  return { sessionId, packageId, contentKey, releasedAt: now.toISOString() };
}

export const keyReleaseRoutes =
  (ctx: ServerContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/sessions/:sessionId/key',
      {
        schema: {
          operationId: 'releaseSessionKey',
          tags: ['venue'],
          summary: "Release a session's content key (from the start time)",
          params: z.object({ sessionId: z.string().min(1).max(64) }),
          response: { 200: KeyRelease, ...errorResponses },
        },
      },
      async (request) => releaseKey(ctx, request.device!, request.params.sessionId),
    );
  };
