// Central → venue: the feed. A venue reads what changed since its cursor: its sessions (MK 117 11.1
// place, 11.2 time), the roster (the 11.3 fields a venue needs; of accommodations only what was
// granted, never a diagnosis) and the packages its sessions use. Every published change bumps the
// venue's feed_version under the venue row's lock, so versions are committed in order and a cursor
// never skips a change. Each read that returns personal data is audited.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Feed } from '../src-shared/contracts/central-api.ts';
import { recordAudit } from './audit.ts';
import type { ServerContext } from './context.ts';
import type { CentralDb } from './db/database.ts';
import { ApiError, errorResponses } from './errors.ts';

const date = (d: Date | string | null): string | null => (d === null ? null : d instanceof Date ? d.toISOString() : d);


export async function readFeed(db: CentralDb, venueId: string, after: number): Promise<Feed> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const venue = await trx.selectFrom('venue').selectAll().where('venue_id', '=', venueId).executeTakeFirst();
      if (!venue) throw new ApiError('NOT_FOUND', 'venue');
      const sessions = await trx.selectFrom('exam_session').selectAll().where('venue_id', '=', venueId).where('feed_version', '>', after).orderBy('feed_version').execute();
      const candidates = await trx.selectFrom('candidate').selectAll().where('venue_id', '=', venueId).where('feed_version', '>', after).orderBy('feed_version').orderBy('candidate_id').execute();
      const packageIds = [...new Set(sessions.map((s) => s.package_id).filter((id): id is string => id !== null))];
      const packages = packageIds.length === 0 ? [] : await trx.selectFrom('exam_package').selectAll().where('package_id', 'in', packageIds).execute();
      return {
        venue: { venueId: venue.venue_id, code: venue.code, name: venue.name, address: venue.address },
        cursor: Number(venue.feed_version),
        sessions: sessions.map((s) => ({
          sessionId: s.session_id,
          examId: s.exam_id,
          packageId: s.package_id,
          room: s.room,
          startsAt: s.starts_at.toISOString(),
          endsAt: date(s.ends_at),
          cancelled: s.cancelled,
          version: Number(s.feed_version),
        })),
        candidates: candidates.map((c) => ({
          candidateId: c.candidate_id,
          sessionId: c.session_id,
          givenName: c.given_name,
          familyName: c.family_name,
          personalCode: c.personal_code,
          birthDate: c.birth_date,
          level: c.level,
          accommodation: c.accommodation,
          accommodationDocNo: c.accommodation_doc_no,
          accommodationDocDate: c.accommodation_doc_date,
          removed: c.removed,
          version: Number(c.feed_version),
        })),
        packages: packages.map((p) => ({
          packageId: p.package_id,
          examId: p.exam_id,
          examVersion: p.exam_version,
          title: p.title,
          validFrom: p.valid_from.toISOString(),
          validUntil: p.valid_until.toISOString(),
          bytes: Number(p.file_size),
          sha256: p.file_sha256,
          downloadPath: `/v1/packages/${p.package_id}`,
        })),
      };
    });
}

export const feedRoutes =
  (ctx: ServerContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/feed',
      {
        schema: {
          operationId: 'getFeed',
          tags: ['venue'],
          summary: "What changed for the caller's venue since a cursor",
          querystring: z.object({ after: z.coerce.number().int().min(0).default(0) }),
          response: { 200: Feed, ...errorResponses },
        },
      },
      async (request) => {
        const device = request.device!;
        const feed = await readFeed(ctx.db, device.venueId, request.query.after);
        await recordAudit(ctx.db, [
          {
            actorKind: 'device',
            actorId: device.deviceId,
            action: feed.candidates.length > 0 ? 'feed.read-personal-data' : 'feed.read',
            venueId: device.venueId,
            detail: { after: request.query.after, cursor: feed.cursor, candidates: feed.candidates.map((c) => c.candidateId) },
          },
        ]);
        return feed;
      },
    );
  };
