// Publishing to venues: the agency defines a venue's exam sessions (place, time, package) and their
// rosters. Each write bumps the venue's feed version under the venue row's lock and stamps every row
// it touched with it, which is what the feed's cursor follows. Rosters are checked with the shared
// roster rules (src-shared/roster.ts), the same the station applies when a roster arrives.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { sql, type Transaction } from 'kysely';
import { z } from 'zod';
import { checkRosterCandidates, describeProblems, RosterError } from '../src-shared/rules/roster.ts';
import { appendAudit } from './audit.ts';
import type { ServerContext } from './context.ts';
import type { CentralDb } from './db/database.ts';
import type { CentralTables } from './db/tables.ts';
import { ApiError, errorResponses } from './errors.ts';

const isoInstant = z.iso.datetime({ offset: true });

export const SessionInput = z.object({
  venueId: z.string().uuid(),
  examId: z.string().min(1).max(64),
  packageId: z.string().uuid().nullable().default(null),
  room: z.string().max(100).default(''),
  startsAt: isoInstant,
  endsAt: isoInstant.nullable().default(null),
  cancelled: z.boolean().default(false),
});
export type SessionInput = z.input<typeof SessionInput>;

async function nextVersion(trx: Transaction<CentralTables>, venueId: string): Promise<number> {
  const row = await trx.updateTable('venue').set({ feed_version: sql`feed_version + 1` }).where('venue_id', '=', venueId).returning('feed_version').executeTakeFirst();
  if (!row) throw new ApiError('NOT_FOUND', `venue ${venueId}`);
  return Number(row.feed_version);
}

export async function publishSession(db: CentralDb, sessionId: string, raw: SessionInput, actor: string): Promise<{ version: number }> {
  const input = SessionInput.parse(raw);
  return db.transaction().execute(async (trx) => {
    const version = await nextVersion(trx, input.venueId);
    const existing = await trx.selectFrom('exam_session').select('venue_id').where('session_id', '=', sessionId).executeTakeFirst();
    if (existing && existing.venue_id !== input.venueId) throw new ApiError('CONFLICT', `session ${sessionId} belongs to another venue`);
    if (input.packageId) {
      const pkg = await trx
        .selectFrom('exam_package as p')
        .leftJoin('package_secret as k', 'k.package_id', 'p.package_id')
        .select(['p.exam_id', 'k.content_key'])
        .where('p.package_id', '=', input.packageId)
        .executeTakeFirst();
      if (!pkg) throw new ApiError('NOT_FOUND', `package ${input.packageId}`);
      if (!pkg.content_key) throw new ApiError('KEY_NOT_AVAILABLE', `package ${input.packageId} has no content key at the centre yet`);
      if (pkg.exam_id !== input.examId) throw new ApiError('CONFLICT', `package ${input.packageId} is exam ${pkg.exam_id}, the session is ${input.examId}`);
    }
    const row = {
      venue_id: input.venueId,
      exam_id: input.examId,
      package_id: input.packageId,
      room: input.room,
      starts_at: input.startsAt,
      ends_at: input.endsAt,
      cancelled: input.cancelled,
      feed_version: version,
    };
    await trx
      .insertInto('exam_session')
      .values({ session_id: sessionId, ...row })
      .onConflict((oc) => oc.column('session_id').doUpdateSet(row))
      .execute();
    await appendAudit(trx, [{ actorKind: 'admin', actorId: actor, action: 'session.published', venueId: input.venueId, subject: sessionId, detail: { version, startsAt: input.startsAt, packageId: input.packageId } }]);
    return { version };
  });
}

/** Replace a session's roster: listed candidates are upserted, missing ones are marked removed. */
/**
 * Replace a session's roster: listed candidates are upserted, missing ones are marked removed. A
 * roster with any problem is refused whole (400, every problem named by row and field).
 */
export async function publishRoster(db: CentralDb, sessionId: string, raw: readonly unknown[], actor: string): Promise<{ version: number; candidates: number; removed: number }> {
  let candidates;
  try {
    candidates = checkRosterCandidates(raw);
  } catch (error) {
    if (error instanceof RosterError) throw new ApiError('VALIDATION_FAILED', `the roster was not published: ${describeProblems(error.problems)}`);
    throw error;
  }
  return db.transaction().execute(async (trx) => {
    const session = await trx.selectFrom('exam_session').select('venue_id').where('session_id', '=', sessionId).executeTakeFirst();
    if (!session) throw new ApiError('NOT_FOUND', `session ${sessionId}`);
    const version = await nextVersion(trx, session.venue_id);
    if (candidates.length > 0) {
      const elsewhere = await trx.selectFrom('candidate').select(['candidate_id', 'session_id']).where('candidate_id', 'in', candidates.map((c) => c.candidateId)).where('session_id', '<>', sessionId).executeTakeFirst();
      if (elsewhere) throw new ApiError('CONFLICT', `candidate ${elsewhere.candidate_id} is on the roster of session ${elsewhere.session_id}`);
      await trx
        .insertInto('candidate')
        .values(
          candidates.map((c) => ({
            candidate_id: c.candidateId,
            session_id: sessionId,
            venue_id: session.venue_id,
            given_name: c.givenName,
            family_name: c.familyName,
            personal_code: c.personalCode,
            birth_date: c.birthDate,
            level: c.level,
            accommodation: c.accommodation,
            accommodation_doc_no: c.accommodationDocNo,
            accommodation_doc_date: c.accommodationDocDate,
            removed: false,
            feed_version: version,
          })),
        )
        .onConflict((oc) =>
          oc.column('candidate_id').doUpdateSet((eb) => ({
            given_name: eb.ref('excluded.given_name'),
            family_name: eb.ref('excluded.family_name'),
            personal_code: eb.ref('excluded.personal_code'),
            birth_date: eb.ref('excluded.birth_date'),
            level: eb.ref('excluded.level'),
            accommodation: eb.ref('excluded.accommodation'),
            accommodation_doc_no: eb.ref('excluded.accommodation_doc_no'),
            accommodation_doc_date: eb.ref('excluded.accommodation_doc_date'),
            removed: false,
            feed_version: version,
          })),
        )
        .execute();
    }
    let removing = trx.updateTable('candidate').set({ removed: true, feed_version: version }).where('session_id', '=', sessionId).where('removed', '=', false);
    if (candidates.length > 0) removing = removing.where('candidate_id', 'not in', candidates.map((c) => c.candidateId));
    const removed = await removing.executeTakeFirst();
    await appendAudit(trx, [
      { actorKind: 'admin', actorId: actor, action: 'roster.published', venueId: session.venue_id, subject: sessionId, detail: { version, candidates: candidates.map((c) => c.candidateId), removed: Number(removed.numUpdatedRows) } },
    ]);
    return { version, candidates: candidates.length, removed: Number(removed.numUpdatedRows) };
  });
}

export const sessionAdminRoutes =
  (ctx: ServerContext, actor: string): FastifyPluginAsyncZod =>
  async (app) => {
    const Params = z.object({ sessionId: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/) });
    app.put(
      '/v1/admin/sessions/:sessionId',
      { schema: { operationId: 'putSession', tags: ['admin'], summary: 'Create or change an exam session of a venue', params: Params, body: SessionInput, response: { 200: z.object({ version: z.number().int() }), ...errorResponses } } },
      async (request) => publishSession(ctx.db, request.params.sessionId, request.body, actor),
    );
    app.put(
      '/v1/admin/sessions/:sessionId/roster',
      {
        schema: {
          operationId: 'putRoster',
          tags: ['admin'],
          summary: "Replace a session's roster",
          params: Params,
          description: 'Each candidate: candidateId, givenName, familyName, personalCode, and optionally birthDate, level (A1…C2), accommodation, accommodationDocNo, accommodationDocDate. The rows are checked by the shared roster rules, which name every problem by row and field.',
          // Rows are checked by the shared rules, not by this schema, so a refusal names row and field.
          body: z.object({ candidates: z.array(z.unknown()).max(5000) }),
          response: { 200: z.object({ version: z.number().int(), candidates: z.number().int(), removed: z.number().int() }), ...errorResponses },
        },
      },
      async (request) => publishRoster(ctx.db, request.params.sessionId, request.body.candidates, actor),
    );
  };
