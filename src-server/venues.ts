// Venues and their devices: the agency creates a venue and one-time enrollment codes, lists and
// revokes devices; a hub enrolls with a code and its public key (the only unauthenticated write).
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { EnrollReply, EnrollRequest } from '../src-shared/contracts/central-api.ts';
import { appendAudit } from './audit.ts';
import { createEnrollmentCode, enrollDevice, revokeDevice } from './auth/devices.ts';
import type { ServerContext } from './context.ts';
import type { CentralDb } from './db/database.ts';
import { ApiError, errorResponses } from './errors.ts';

export const Venue = z.object({ venueId: z.string(), code: z.string(), name: z.string(), address: z.string() }).meta({ id: 'Venue' });
export const NewVenue = z.object({
  code: z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/, 'upper-case letters, digits and dashes'),
  name: z.string().min(1).max(300),
  address: z.string().max(500).default(''),
});

export async function createVenue(db: CentralDb, input: z.infer<typeof NewVenue>, actor: string): Promise<z.infer<typeof Venue>> {
  const venueId = randomUUID();
  return db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('venue').select('venue_id').where('code', '=', input.code).executeTakeFirst();
    if (taken) throw new ApiError('CONFLICT', `venue code ${input.code} is taken`);
    await trx.insertInto('venue').values({ venue_id: venueId, code: input.code, name: input.name, address: input.address, feed_version: 0 }).execute();
    await appendAudit(trx, [{ actorKind: 'admin', actorId: actor, action: 'venue.created', venueId, detail: { code: input.code, name: input.name } }]);
    return { venueId, ...input };
  });
}

const Device = z.object({ deviceId: z.string(), name: z.string(), status: z.enum(['active', 'revoked']), ackedSeq: z.number().int(), enrolledAt: z.string(), revokedAt: z.string().nullable() });

export const venueAdminRoutes =
  (ctx: ServerContext, actor: string): FastifyPluginAsyncZod =>
  async (app) => {
    const VenueParams = z.object({ venueId: z.string().uuid() });
    app.post(
      '/v1/admin/venues',
      { schema: { operationId: 'createVenue', tags: ['admin'], summary: 'Create a venue', body: NewVenue, response: { 201: Venue, ...errorResponses } } },
      async (request, reply) => {
        reply.code(201);
        return createVenue(ctx.db, request.body, actor);
      },
    );

    app.get('/v1/admin/venues', { schema: { operationId: 'listVenues', tags: ['admin'], summary: 'List venues', response: { 200: z.array(Venue), ...errorResponses } } }, async () => {
      const rows = await ctx.db.selectFrom('venue').selectAll().orderBy('code').execute();
      return rows.map((v) => ({ venueId: v.venue_id, code: v.code, name: v.name, address: v.address }));
    });

    app.post(
      '/v1/admin/venues/:venueId/enrollment-codes',
      {
        schema: {
          operationId: 'createEnrollmentCode',
          tags: ['admin'],
          summary: 'Create a one-time enrollment code for a hub of this venue',
          params: VenueParams,
          response: { 201: z.object({ code: z.string(), expiresAt: z.string() }), ...errorResponses },
        },
      },
      async (request, reply) => {
        const venue = await ctx.db.selectFrom('venue').select('venue_id').where('venue_id', '=', request.params.venueId).executeTakeFirst();
        if (!venue) throw new ApiError('NOT_FOUND', `venue ${request.params.venueId}`);
        const { code, expiresAt } = await createEnrollmentCode(ctx.db, venue.venue_id, ctx.config.enrollmentCodeTtlMs, actor);
        reply.code(201);
        return { code, expiresAt: expiresAt.toISOString() };
      },
    );

    app.get(
      '/v1/admin/venues/:venueId/devices',
      { schema: { operationId: 'listVenueDevices', tags: ['admin'], summary: "A venue's devices", params: VenueParams, response: { 200: z.array(Device), ...errorResponses } } },
      async (request) => {
        const rows = await ctx.db.selectFrom('device').selectAll().where('venue_id', '=', request.params.venueId).orderBy('enrolled_at').execute();
        return rows.map((d) => ({
          deviceId: d.device_id,
          name: d.name,
          status: d.status,
          ackedSeq: Number(d.acked_seq),
          enrolledAt: d.enrolled_at.toISOString(),
          revokedAt: d.revoked_at ? d.revoked_at.toISOString() : null,
        }));
      },
    );

    app.post(
      '/v1/admin/devices/:deviceId/revoke',
      {
        schema: {
          operationId: 'revokeDevice',
          tags: ['admin'],
          summary: "Revoke a device's credential; it is refused everywhere from now on",
          description: 'The first revocation stands: revoking a revoked device is 409 CONFLICT, saying when and why it was revoked.',
          params: z.object({ deviceId: z.string().uuid() }),
          body: z.object({ reason: z.string().min(1).max(500) }),
          response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses },
        },
      },
      async (request) => {
        await revokeDevice(ctx.db, request.params.deviceId, request.body.reason, actor);
        return { ok: true as const };
      },
    );
  };


export const enrollRoutes =
  (ctx: ServerContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/v1/enroll',
      {
        bodyLimit: 16 * 1024,
        schema: {
          operationId: 'enrollDevice',
          tags: ['venue'],
          summary: "Enroll a hub: a one-time code and the hub's own public key give it a device id",
          body: EnrollRequest,
          response: { 201: EnrollReply, ...errorResponses },
        },
      },
      async (request, reply) => {
        const enrolled = await enrollDevice(ctx.db, request.body);
        reply.code(201);
        return enrolled;
      },
    );
  };
