// The push protocol against a real PostgreSQL and real HTTP: events apply exactly once and in order,
// a gap is refused with the expected seq, concurrent pushes from one hub are serialised, and bad
// input is refused with a clear code while nothing changes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMiniPackage, makeKeys } from '../support/fixtures.ts';
import type { ManagedPostgres } from '../../src-server/pg-cluster.ts';
import { makeVenue, outboxEvents, startTestPostgres, startTestServer, type TestServer, type TestVenue, errorCode } from './support/harness.ts';

let postgres: ManagedPostgres;
let test: TestServer;
let venue: TestVenue;
let other: TestVenue;
let packageId: string;

beforeAll(async () => {
  postgres = await startTestPostgres();
  test = await startTestServer(postgres, 'push_test');
  const built = buildMiniPackage(makeKeys());
  packageId = await test.admin.publishPackage(built);
  venue = await makeVenue(test, 'RIX01', packageId, 'mini-a2');
  other = await makeVenue(test, 'DGP01', packageId, 'mini-a2');
});

afterAll(async () => {
  await test?.stop();
  await postgres?.stop();
});

const db = () => test.server.ctx.db;
const storedEvents = async (deviceId: string) => (await db().selectFrom('outbox_event').select('seq').where('device_id', '=', deviceId).orderBy('seq').execute()).map((r) => r.seq);
const ackedSeq = async (deviceId: string) => (await db().selectFrom('device').select('acked_seq').where('device_id', '=', deviceId).executeTakeFirstOrThrow()).acked_seq;

/** An attempt opened and `answers` saves of single-choice item l1-q1, as a station writes them. */
function attemptEvents(hub: TestVenue, firstSeq: number, answers: number, attemptId = randomUUID()) {
  return outboxEvents(hub.hub.deviceId, firstSeq, [
    { kind: 'attempt.opened', entityId: attemptId, payload: { attemptId, candidateId: hub.candidateIds[0], packageId, openedAt: new Date().toISOString() } },
    ...Array.from({ length: answers }, (_, i) => ({
      kind: 'response.saved',
      entityId: attemptId,
      payload: { attemptId, itemId: 'l1-q1', revision: i + 1, value: { type: 'single-choice', optionId: i % 2 ? 'a' : 'b' }, savedAt: new Date().toISOString() },
    })),
  ]);
}

describe('push', () => {
  it('applies a batch once: the same push twice changes nothing the second time', async () => {
    const events = attemptEvents(venue, 1, 3);
    const first = await venue.hub.push(events);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ ackedSeq: 4, accepted: 4, duplicates: 0 });
    const again = await venue.hub.push(events);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ackedSeq: 4, accepted: 0, duplicates: 4 });
    expect(await storedEvents(venue.hub.deviceId)).toEqual([1, 2, 3, 4]);
    const response = await db().selectFrom('response').selectAll().where('venue_id', '=', venue.venueId).execute();
    expect(response).toHaveLength(1);
    expect(response[0]).toMatchObject({ item_id: 'l1-q1', revision: 3, value: { type: 'single-choice', optionId: 'b' } });
  });

  it('refuses a batch that starts after a gap with 409 SEQ_GAP and the expected seq, then takes the missing events', async () => {
    const attemptId = randomUUID();
    const later = attemptEvents(venue, 5, 4, attemptId); // seq 5..9
    const gap = await venue.hub.push(later.slice(2)); // starts at 7, server expects 5
    expect(gap.status).toBe(409);
    expect(gap.body).toMatchObject({ code: 'SEQ_GAP', expectedSeq: 5, message: { lv: expect.any(String), en: expect.any(String) } });
    expect(await ackedSeq(venue.hub.deviceId)).toBe(4);
    // Out of order: the tail first was refused; the head and then an overlapping tail are accepted.
    expect((await venue.hub.push(later.slice(0, 3))).body).toEqual({ ackedSeq: 7, accepted: 3, duplicates: 0 });
    expect((await venue.hub.push(later.slice(1))).body).toEqual({ ackedSeq: 9, accepted: 2, duplicates: 2 });
    expect(await storedEvents(venue.hub.deviceId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('serialises concurrent pushes from one hub: every event stored once, acked_seq the last', async () => {
    const start = (await ackedSeq(venue.hub.deviceId)) + 1;
    const events = attemptEvents(venue, start, 39); // 40 events
    // Twelve pushes at once: the whole batch several times and overlapping slices of it.
    const slices = [events, events, events.slice(0, 20), events.slice(0, 30), events, events.slice(0, 10), events, events.slice(0, 25), events, events, events.slice(0, 5), events];
    const results = await Promise.all(slices.map((batch) => venue.hub.push(batch)));
    for (const result of results) expect(result.status).toBe(200);
    expect(results.reduce((sum, r) => sum + r.body.accepted, 0)).toBe(40);
    expect(await ackedSeq(venue.hub.deviceId)).toBe(start + 39);
    const seqs = await storedEvents(venue.hub.deviceId);
    expect(seqs).toHaveLength(start + 39);
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('refuses malformed and oversized pushes with a clear 4xx code and changes nothing', async () => {
    const before = { acked: await ackedSeq(venue.hub.deviceId), events: (await storedEvents(venue.hub.deviceId)).length };
    const next = before.acked + 1;
    const good = attemptEvents(venue, next, 2);

    const notJson = await venue.hub.raw('POST', '/v1/push', { body: '{"deviceId": "x", "events": [', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(await errorCode(notJson)).toBe('BODY_NOT_JSON');

    const missing = await venue.hub.call('POST', '/v1/push', { events: good });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ code: 'VALIDATION_FAILED' });

    const notContiguous = await venue.hub.push([good[0], good[2]]);
    expect(notContiguous.status).toBe(400);
    expect(notContiguous.body).toMatchObject({ code: 'EVENTS_NOT_CONTIGUOUS' });

    const badPayload = outboxEvents(venue.hub.deviceId, next, [{ kind: 'response.saved', entityId: 'x', payload: { attemptId: 'not-a-uuid', itemId: 'l1-q1', revision: 0, value: { type: 'nope' }, savedAt: 'yesterday' } }]);
    const bad = await venue.hub.push(badPayload);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', seq: next });

    const wrongDevice = await venue.hub.call('POST', '/v1/push', { deviceId: other.hub.deviceId, events: good });
    expect(wrongDevice.status).toBe(400);

    const huge = outboxEvents(venue.hub.deviceId, next, [{ kind: 'note', entityId: 'x', payload: { text: 'x'.repeat(9 * 1024 * 1024) } }]);
    const tooBig = await venue.hub.push(huge);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });

    const many = outboxEvents(venue.hub.deviceId, next, Array.from({ length: 1001 }, () => ({ kind: 'note', entityId: 'x', payload: {} })));
    const tooMany = await venue.hub.push(many);
    expect(tooMany.status).toBe(413);

    const foreignCandidate = outboxEvents(venue.hub.deviceId, next, [
      { kind: 'attempt.opened', entityId: 'a', payload: { attemptId: randomUUID(), candidateId: other.candidateIds[0], packageId, openedAt: new Date().toISOString() } },
    ]);
    const rejected = await venue.hub.push(foreignCandidate);
    expect(rejected.status).toBe(422);
    expect(rejected.body).toMatchObject({ code: 'EVENT_REJECTED', seq: next });

    expect(await ackedSeq(venue.hub.deviceId)).toBe(before.acked);
    expect(await storedEvents(venue.hub.deviceId)).toHaveLength(before.events);
    // And the good batch still goes through afterwards.
    expect((await venue.hub.push(good)).status).toBe(200);
  });

  it('refuses a body of another content type with 415, before looking at its signature', async () => {
    const before = await ackedSeq(venue.hub.deviceId);
    const body = JSON.stringify({ deviceId: venue.hub.deviceId, events: attemptEvents(venue, before + 1, 1) });
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/offset+octet-stream']) {
      const response = await venue.hub.raw('POST', '/v1/push', { body, headers: { 'content-type': type } });
      expect(response.status, type).toBe(415);
      expect(await response.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', detail: expect.stringContaining('application/json') });
    }
    // The tus routes take only their own type (or no body).
    const upload = await venue.hub.raw('POST', '/v1/uploads', { body: '{}', headers: { 'content-type': 'application/json', 'tus-resumable': '1.0.0', 'upload-length': '2' } });
    expect(upload.status).toBe(415);
    expect(await upload.json()).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', detail: expect.stringContaining('application/offset+octet-stream') });
    expect(await ackedSeq(venue.hub.deviceId)).toBe(before);
  });

  it('never lets one venue write into another venue\'s attempt', async () => {
    const attemptId = randomUUID();
    expect((await other.hub.push(attemptEvents(other, 1, 1, attemptId))).status).toBe(200);
    const next = (await ackedSeq(venue.hub.deviceId)) + 1;
    const intrusion = outboxEvents(venue.hub.deviceId, next, [
      { kind: 'response.saved', entityId: attemptId, payload: { attemptId, itemId: 'l1-q1', revision: 99, value: { type: 'single-choice', optionId: 'a' }, savedAt: new Date().toISOString() } },
    ]);
    const result = await venue.hub.push(intrusion);
    expect(result.status).toBe(422);
    expect(result.body).toMatchObject({ code: 'EVENT_REJECTED' });
    const row = await db().selectFrom('response').selectAll().where('attempt_id', '=', attemptId).executeTakeFirstOrThrow();
    expect(row.revision).toBe(1);
  });
});
