// Central → venue: the feed with its cursor, package download that resumes with HTTP Range, and key
// release only from the session's start time (less the margin), each release audited.
import { createHash } from 'node:crypto';
import { describe, expect } from 'vitest';
import { sealAudit } from '../../src-server/audit.ts';
import type { CentralDb } from '../../src-server/db/database.ts';
import { buildMiniPackage, makeKeys } from '../support/fixtures.ts';
import { centralTest } from './support/central-test.ts';
import { makeVenue, errorCode, type TestServer } from './support/harness.ts';

const MARGIN_S = 600;
centralTest.override('centralOptions', { scope: 'file' }, { env: { KEY_RELEASE_MARGIN_SECONDS: String(MARGIN_S) } });

const it = centralTest
  .extend('built', { scope: 'file' }, async ({ central }) => {
    const built = buildMiniPackage(makeKeys());
    await central.admin.publishPackage(built);
    return built;
  })
  /** A venue whose session of the package starts in an hour, with three candidates. */
  .extend('venue', { scope: 'file' }, ({ central, built }) =>
    makeVenue(central, 'RIX01', built.manifest.packageId, 'mini-a2', { startsAt: new Date(Date.now() + 3600_000).toISOString(), candidates: 3 }),
  );

type Feed = { cursor: number; sessions: { sessionId: string; startsAt: string; room: string }[]; candidates: { candidateId: string; removed: boolean; accommodation: string | null; personalCode: string }[]; packages: { packageId: string; bytes: number; sha256: string; downloadPath: string }[] };

describe('feed', () => {
  it('gives sessions, roster and packages, then only what changed after the cursor', async ({ central, db, venue, built }) => {
    const first = await venue.hub.call<Feed>('GET', '/v1/feed?after=0');
    expect(first.status).toBe(200);
    expect(first.body.sessions).toHaveLength(1);
    expect(first.body.candidates).toHaveLength(3);
    expect(first.body.candidates[0]?.personalCode).toMatch(/^\d{11}$/);
    expect(first.body.packages).toEqual([expect.objectContaining({ packageId: built.manifest.packageId, bytes: built.file.length, sha256: createHash('sha256').update(built.file).digest('hex') })]);

    const unchanged = await venue.hub.call<Feed>('GET', `/v1/feed?after=${first.body.cursor}`);
    expect(unchanged.body).toMatchObject({ cursor: first.body.cursor, sessions: [], candidates: [], packages: [] });

    await central.admin.ok('PUT', `/v1/admin/sessions/${venue.sessionId}/roster`, {
      candidates: [
        { candidateId: venue.candidateIds[0], givenName: 'Anna', familyName: 'Bērziņa', personalCode: '150785-12340', accommodation: 'papildu laiks 30 min', accommodationDocNo: 'AS-1', accommodationDocDate: '2026-09-01' },
      ],
    });
    const changed = await venue.hub.call<Feed>('GET', `/v1/feed?after=${first.body.cursor}`);
    expect(changed.body.cursor).toBeGreaterThan(first.body.cursor);
    expect(changed.body.sessions).toEqual([]);
    const byId = new Map(changed.body.candidates.map((c) => [c.candidateId, c]));
    expect(byId.get(venue.candidateIds[0]!)).toMatchObject({ removed: false, accommodation: 'papildu laiks 30 min' });
    expect(byId.get(venue.candidateIds[1]!)).toMatchObject({ removed: true });
    await sealAudit(db);
    const audited = await db.selectFrom('audit_log').select('action').where('actor_id', '=', venue.hub.deviceId).where('action', '=', 'feed.read-personal-data').execute();
    expect(audited.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses a roster with an invalid personal code and publishes nothing', async ({ central, venue }) => {
    const before = await venue.hub.call<Feed>('GET', '/v1/feed');
    const response = await central.admin.call('PUT', `/v1/admin/sessions/${venue.sessionId}/roster`, { candidates: [{ candidateId: 'X', givenName: 'A', familyName: 'B', personalCode: '150785-12341' }] });
    expect(response.status).toBe(400);
    expect((await venue.hub.call<Feed>('GET', '/v1/feed')).body.cursor).toBe(before.body.cursor);
  });
});

describe('rosters', () => {
  const sessionId = 'S-ROSTER-RULES';
  const anna = { candidateId: 'R-1', givenName: 'Anna', familyName: 'Bērziņa', personalCode: '150785-12340', level: 'A2' };
  const janis = { candidateId: 'R-2', givenName: 'Jānis', familyName: 'Kalniņš', personalCode: '161175-19997', level: 'A2' };
  const stored = (db: CentralDb) => db.selectFrom('candidate').select(['candidate_id', 'personal_code']).where('session_id', '=', sessionId).orderBy('candidate_id').execute();
  const publish = (central: TestServer, candidates: unknown[]) => central.admin.call<{ code: string; detail: string }>('PUT', `/v1/admin/sessions/${sessionId}/roster`, { candidates });

  it('refuses a roster with any problem with every problem named by row and field, and stores none of it', async ({ central, db, venue }) => {
    await central.admin.ok('PUT', `/v1/admin/sessions/${sessionId}`, { venueId: venue.venueId, examId: 'mini-a2', startsAt: new Date(Date.now() + 7200_000).toISOString() });
    const cursor = (await venue.hub.call<Feed>('GET', '/v1/feed')).body.cursor;
    const response = await publish(central, [
      anna,
      { ...janis, personalCode: '150785\u201312340' }, // Anna's code again, typed with an en dash
      { ...janis, candidateId: 'R-1' }, // Anna's id again
      { ...janis, candidateId: 'R-4', personalCode: '030303-10012', level: 'Z9', givenName: '  ' },
      { ...janis, candidateId: 'R-5', personalCode: '150785-12340'.replace('0785', '0786'), birthDate: '1975-11-16' },
      { ...janis, candidateId: 'R-6', birthDate: '1975-11-17' },
    ]);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    for (const named of ['row 2 (R-2): personalCode: is also given to row 1', 'row 3 (R-1): candidateId: is listed twice', 'row 4 (R-4): givenName', 'row 4 (R-4): level', 'row 5 (R-5): personalCode', 'row 6 (R-6): birthDate']) {
      expect(response.body.detail).toContain(named);
    }
    expect(await stored(db)).toEqual([]);
    expect((await venue.hub.call<Feed>('GET', '/v1/feed')).body.cursor).toBe(cursor);
  });

  it('takes a roster that keeps the shared rules, personal codes typed with an en dash normalised', async ({ central, db }) => {
    const response = await publish(central, [{ ...anna, personalCode: '150785\u201312340' }, janis]);
    expect(response.status).toBe(200);
    expect(await stored(db)).toEqual([
      { candidate_id: 'R-1', personal_code: '15078512340' },
      { candidate_id: 'R-2', personal_code: '16117519997' },
    ]);
    // One personal code on two candidates of the session is refused, and the stored roster stands.
    const twice = await publish(central, [anna, { ...janis, personalCode: anna.personalCode }]);
    expect(twice.status).toBe(400);
    expect(twice.body.detail).toContain('row 2 (R-2): personalCode: is also given to row 1');
    expect(await stored(db)).toHaveLength(2);
  });
});

describe('package download', () => {
  it('resumes an interrupted download with Range and ends with the exact file', async ({ venue, built }) => {
    const path = `/v1/packages/${built.manifest.packageId}`;
    const head = await venue.hub.raw('GET', path, { headers: { range: 'bytes=0-999' } });
    expect(head.status).toBe(206);
    expect(head.headers.get('content-range')).toBe(`bytes 0-999/${built.file.length}`);
    const part1 = Buffer.from(await head.arrayBuffer());
    expect(part1).toHaveLength(1000);
    const etag = head.headers.get('etag')!;
    const tail = await venue.hub.raw('GET', path, { headers: { range: 'bytes=1000-', 'if-range': etag } });
    expect(tail.status).toBe(206);
    const whole = Buffer.concat([part1, Buffer.from(await tail.arrayBuffer())]);
    expect(whole.equals(built.file)).toBe(true);

    const full = await venue.hub.raw('GET', path);
    expect(full.status).toBe(200);
    expect(full.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await full.arrayBuffer()).equals(built.file)).toBe(true);

    const beyond = await venue.hub.raw('GET', path, { headers: { range: `bytes=${built.file.length + 10}-` } });
    expect(beyond.status).toBe(416);
    expect(await errorCode(beyond)).toBe('RANGE_NOT_SATISFIABLE');
  });
});

describe('key release', () => {
  it('refuses the key before the start time less the margin, and audits the refusal', async ({ db, venue }) => {
    const early = await venue.hub.call<{ code: string; releasableAt: string }>('POST', `/v1/sessions/${venue.sessionId}/key`);
    expect(early.status).toBe(403);
    expect(early.body.code).toBe('KEY_NOT_YET_RELEASED');
    const startsAt = (await db.selectFrom('exam_session').select('starts_at').where('session_id', '=', venue.sessionId).executeTakeFirstOrThrow()).starts_at;
    expect(Date.parse(early.body.releasableAt)).toBe(startsAt.getTime() - MARGIN_S * 1000);
    await sealAudit(db);
    const refusals = await db.selectFrom('audit_log').select('action').where('action', '=', 'key.release-refused').where('subject', '=', venue.sessionId).execute();
    expect(refusals).toHaveLength(1);
  });

  it('releases it from start time less the margin, to the venue hub, audited', async ({ central, db, venue, built }) => {
    // Move the start inside the margin: 5 minutes from now with a 10-minute margin.
    const session = await db.selectFrom('exam_session').select(['venue_id', 'exam_id', 'package_id']).where('session_id', '=', venue.sessionId).executeTakeFirstOrThrow();
    await central.admin.ok('PUT', `/v1/admin/sessions/${venue.sessionId}`, { venueId: session.venue_id, examId: session.exam_id, packageId: session.package_id, startsAt: new Date(Date.now() + 300_000).toISOString() });
    const released = await venue.hub.call<{ contentKey: string; packageId: string }>('POST', `/v1/sessions/${venue.sessionId}/key`);
    expect(released.status).toBe(200);
    expect(released.body).toMatchObject({ contentKey: built.contentKey, packageId: built.manifest.packageId });
    await sealAudit(db);
    const audit = await db.selectFrom('audit_log').select(['actor_id', 'action']).where('action', '=', 'key.released').execute();
    expect(audit).toEqual([{ actor_id: venue.hub.deviceId, action: 'key.released' }]);
    const releases = await db.selectFrom('key_release').selectAll().execute();
    expect(releases).toHaveLength(1);
  });

  it('refuses a malformed or unknown session with a clear code', async ({ venue }) => {
    const long = await venue.hub.call('POST', `/v1/sessions/${'x'.repeat(100)}/key`);
    expect(long.status).toBe(400);
    expect(long.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    const unknown = await venue.hub.call('POST', '/v1/sessions/NO-SUCH-SESSION/key');
    expect(unknown.status).toBe(404);
  });
});
