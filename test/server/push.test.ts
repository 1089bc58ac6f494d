// The push protocol against a real PostgreSQL and real HTTP: events apply exactly once and in order,
// a gap is refused with the expected seq, concurrent pushes from one hub are serialised, and bad
// input is refused with a clear code while nothing changes. Then the event contract centrally: every
// kind a station writes is kept and shows in the receipt, an origin is held once (a duplicate under a
// new seq is acked, not applied; another body under it is refused), an unknown kind is refused, and a
// venue cannot write timer events, plays, submissions or incidents into another venue's attempt.
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { buildMiniPackage, makeKeys } from '../support/fixtures.ts';
import { sealAudit } from '../../src-server/audit.ts';
import type { CentralDb } from '../../src-server/db/database.ts';
import { verifyReceipt, type SignedReceipt } from '../../src-server/receipts.ts';
import { centralTest } from './support/central-test.ts';
import { makeVenue, outboxEvents, restreamed, type TestVenue } from './support/harness.ts';

const it = centralTest
  .extend('packageId', { scope: 'file' }, ({ central }) => central.admin.publishPackage(buildMiniPackage(makeKeys())))
  /** Two venues with sessions of the package. */
  .extend('venue', { scope: 'file' }, ({ central, packageId }) => makeVenue(central, 'RIX01', packageId, 'mini-a2'))
  .extend('other', { scope: 'file' }, ({ central, packageId }) => makeVenue(central, 'DGP01', packageId, 'mini-a2'));

const storedEvents = async (db: CentralDb, deviceId: string) => (await db.selectFrom('outbox_event').select('seq').where('device_id', '=', deviceId).orderBy('seq').execute()).map((r) => r.seq);
const ackedSeq = async (db: CentralDb, deviceId: string) => (await db.selectFrom('device').select('acked_seq').where('device_id', '=', deviceId).executeTakeFirstOrThrow()).acked_seq;

/** An attempt opened and `answers` saves of single-choice item l1-q1, as a station writes them. */
function attemptEvents(hub: TestVenue, firstSeq: number, answers: number, attemptId = randomUUID()) {
  return outboxEvents(hub.hub.deviceId, firstSeq, [
    { kind: 'attempt.opened', entityId: attemptId, payload: { attemptId, candidateId: hub.candidateIds[0], packageId: hub.packageId, openedAt: new Date().toISOString() } },
    ...Array.from({ length: answers }, (_, i) => ({
      kind: 'response.saved',
      entityId: attemptId,
      payload: { attemptId, itemId: 'l1-q1', revision: i + 1, value: { type: 'single-choice', optionId: i % 2 ? 'a' : 'b' }, savedAt: new Date().toISOString() },
    })),
  ]);
}

describe('push', () => {
  it('applies a batch once: the same push twice changes nothing the second time', async ({ db, venue }) => {
    const events = attemptEvents(venue, 1, 3);
    const first = await venue.hub.push(events);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ ackedSeq: 4, accepted: 4, duplicates: 0 });
    const again = await venue.hub.push(events);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ackedSeq: 4, accepted: 0, duplicates: 4 });
    expect(await storedEvents(db, venue.hub.deviceId)).toEqual([1, 2, 3, 4]);
    const response = await db.selectFrom('response').selectAll().where('venue_id', '=', venue.venueId).execute();
    expect(response).toHaveLength(1);
    expect(response[0]).toMatchObject({ item_id: 'l1-q1', revision: 3, value: { type: 'single-choice', optionId: 'b' } });
  });

  it('refuses a batch that starts after a gap with 409 SEQ_GAP and the expected seq, then takes the missing events', async ({ db, venue }) => {
    const attemptId = randomUUID();
    const later = attemptEvents(venue, 5, 4, attemptId); // seq 5..9
    const gap = await venue.hub.push(later.slice(2)); // starts at 7, server expects 5
    expect(gap.status).toBe(409);
    expect(gap.body).toMatchObject({ code: 'SEQ_GAP', expectedSeq: 5, message: { lv: expect.any(String), en: expect.any(String) } });
    expect(await ackedSeq(db, venue.hub.deviceId)).toBe(4);
    // Out of order: the tail first was refused; the head and then an overlapping tail are accepted.
    expect((await venue.hub.push(later.slice(0, 3))).body).toEqual({ ackedSeq: 7, accepted: 3, duplicates: 0 });
    expect((await venue.hub.push(later.slice(1))).body).toEqual({ ackedSeq: 9, accepted: 2, duplicates: 2 });
    expect(await storedEvents(db, venue.hub.deviceId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('serialises concurrent pushes from one hub: every event stored once, acked_seq the last', async ({ db, venue }) => {
    const start = (await ackedSeq(db, venue.hub.deviceId)) + 1;
    const events = attemptEvents(venue, start, 39); // 40 events
    // Twelve pushes at once: the whole batch several times and overlapping slices of it.
    const slices = [events, events, events.slice(0, 20), events.slice(0, 30), events, events.slice(0, 10), events, events.slice(0, 25), events, events, events.slice(0, 5), events];
    const results = await Promise.all(slices.map((batch) => venue.hub.push(batch)));
    for (const result of results) expect(result.status).toBe(200);
    expect(results.reduce((sum, r) => sum + r.body.accepted, 0)).toBe(40);
    expect(await ackedSeq(db, venue.hub.deviceId)).toBe(start + 39);
    const seqs = await storedEvents(db, venue.hub.deviceId);
    expect(seqs).toHaveLength(start + 39);
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('refuses malformed and oversized pushes with a clear 4xx code and changes nothing', async ({ db, venue, other }) => {
    const before = { acked: await ackedSeq(db, venue.hub.deviceId), events: (await storedEvents(db, venue.hub.deviceId)).length };
    const next = before.acked + 1;
    const good = attemptEvents(venue, next, 2);

    const notJson = await venue.hub.raw('POST', '/v1/push', { body: '{"deviceId": "x", "events": [', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    // Saying where the text stops being JSON.
    expect(await notJson.json()).toMatchObject({ code: 'BODY_NOT_JSON', detail: expect.stringMatching(/JSON/) });

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

    const incident = (note: string) => ({
      kind: 'incident.recorded',
      entityId: 'x',
      payload: { incidentId: randomUUID(), sessionId: venue.sessionId, candidateId: null, attemptId: null, kind: 'other', note, at: new Date().toISOString(), recordedBy: 'staff' },
    });
    const huge = outboxEvents(venue.hub.deviceId, next, [incident('x'.repeat(9 * 1024 * 1024))]);
    const tooBig = await venue.hub.push(huge);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });

    const many = outboxEvents(venue.hub.deviceId, next, Array.from({ length: 1001 }, () => incident('')));
    const tooMany = await venue.hub.push(many);
    expect(tooMany.status).toBe(413);
    expect(tooMany.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', detail: 'at most 1000 events per push' });

    // The envelope is the contract's: an event without its origin, or with a field it does not have, is refused.
    const { origin: _origin, ...withoutOrigin } = good[0]!;
    expect((await venue.hub.push([withoutOrigin, ...good.slice(1)])).body).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect((await venue.hub.push([{ ...good[0]!, deviceId: venue.hub.deviceId }, ...good.slice(1)])).body).toMatchObject({ code: 'VALIDATION_FAILED' });
    // So is a payload with a field its kind does not have.
    expect((await venue.hub.push([{ ...good[0]!, payload: { ...(good[0]!.payload as object), extra: 1 } }])).body).toMatchObject({ code: 'VALIDATION_FAILED', seq: next });

    const foreignCandidate = outboxEvents(venue.hub.deviceId, next, [
      { kind: 'attempt.opened', entityId: 'a', payload: { attemptId: randomUUID(), candidateId: other.candidateIds[0], packageId: other.packageId, openedAt: new Date().toISOString() } },
    ]);
    const rejected = await venue.hub.push(foreignCandidate);
    expect(rejected.status).toBe(422);
    expect(rejected.body).toMatchObject({ code: 'EVENT_REJECTED', seq: next });

    expect(await ackedSeq(db, venue.hub.deviceId)).toBe(before.acked);
    expect(await storedEvents(db, venue.hub.deviceId)).toHaveLength(before.events);
    // And the good batch still goes through afterwards.
    expect((await venue.hub.push(good)).status).toBe(200);
  });

  it('refuses a body of another content type with 415, before looking at its signature', async ({ db, venue }) => {
    const before = await ackedSeq(db, venue.hub.deviceId);
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
    expect(await ackedSeq(db, venue.hub.deviceId)).toBe(before);
  });

  it('never lets one venue write into another venue\'s attempt', async ({ db, venue, other }) => {
    const attemptId = randomUUID();
    expect((await other.hub.push(attemptEvents(other, 1, 1, attemptId))).status).toBe(200);
    const next = (await ackedSeq(db, venue.hub.deviceId)) + 1;
    const intrusion = outboxEvents(venue.hub.deviceId, next, [
      { kind: 'response.saved', entityId: attemptId, payload: { attemptId, itemId: 'l1-q1', revision: 99, value: { type: 'single-choice', optionId: 'a' }, savedAt: new Date().toISOString() } },
    ]);
    const result = await venue.hub.push(intrusion);
    expect(result.status).toBe(422);
    expect(result.body).toMatchObject({ code: 'EVENT_REJECTED' });
    const row = await db.selectFrom('response').selectAll().where('attempt_id', '=', attemptId).executeTakeFirstOrThrow();
    expect(row.revision).toBe(1);
  });
});

describe('the event contract, kept centrally', () => {
  const now = () => new Date().toISOString();
  const next = async (db: CentralDb, hub: TestVenue) => (await ackedSeq(db, hub.hub.deviceId)) + 1;
  const opened = (hub: TestVenue, attemptId: string, candidate = 1) => ({
    kind: 'attempt.opened',
    entityId: attemptId,
    payload: { attemptId, candidateId: hub.candidateIds[candidate], packageId: hub.packageId, openedAt: now() },
  });
  const timer = (attemptId: string, eventId: number, kind: string, amountMs: number | null = null, reason: string | null = null, at = Date.UTC(2025, 4, 12, 9, 0, eventId)) => ({
    kind: 'timer.event',
    entityId: attemptId,
    payload: { attemptId, partId: 'listening', eventId, kind, at, amountMs, reason },
  });
  const play = (attemptId: string, stimulusId: string, n: number) => ({ kind: 'audio.play', entityId: attemptId, payload: { attemptId, stimulusId, play: n } });
  const returned = (attemptId: string, stimulusId: string, n: number, returnedAt: string) => ({ kind: 'audio.play.returned', entityId: attemptId, payload: { attemptId, stimulusId, play: n, returnedAt } });
  const attendance = (hub: TestVenue, status: string, markedBy: string, candidate = 1) => ({
    kind: 'attendance.marked',
    entityId: hub.candidateIds[candidate]!,
    payload: { candidateId: hub.candidateIds[candidate], sessionId: hub.sessionId, status, at: now(), markedBy },
  });

  it('keeps a submission, an interrupted recording, timer events, plays and the plays handed back, attendance and incidents, and the receipt shows them', async ({ central, db, venue }) => {
    const candidateId = venue.candidateIds[1]!;
    const [first, second, recordingId, incidentId] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    const audio = { sha256: 'c'.repeat(64), bytes: 48_000 };
    const start = await next(db, venue);
    const day = outboxEvents(venue.hub.deviceId, start, [
      attendance(venue, 'present', 'Ilze Kalniņa'),
      opened(venue, first),
      timer(first, 1, 'start'),
      play(first, 'l1-audio', 1),
      play(first, 'l1-audio', 2),
      // Play 2 did not start and was handed back in the same push; play 3 took its place.
      returned(first, 'l1-audio', 2, '2025-05-12T09:10:00.000Z'),
      play(first, 'l1-audio', 3),
      play(first, 'l2-audio', 1),
      timer(first, 2, 'pause', null, 'Kandidātam kļuva slikti'),
      timer(first, 3, 'resume'),
      timer(first, 4, 'credit', 90_000, 'Datora pārstartēšana'),
      timer(first, 5, 'extend', 600_000, 'Atbalsta pasākums: papildu laiks'),
      { kind: 'recording.started', entityId: recordingId, payload: { recordingId, attemptId: first, itemId: 's1-q1', take: 1, mimeType: 'audio/webm' } },
      {
        kind: 'recording.closed',
        entityId: recordingId,
        payload: { recordingId, attemptId: first, itemId: 's1-q1', take: 1, ...audio, durationMs: 12_000, segmentCount: 12, mimeType: 'audio/webm', interrupted: true, interruption: 'station-restart' },
      },
      {
        kind: 'incident.recorded',
        entityId: incidentId,
        payload: { incidentId, sessionId: venue.sessionId, candidateId, attemptId: first, kind: 'technical-power', note: 'Strāvas pārrāvums 2 min', at: now(), recordedBy: 'Jānis Ozols' },
      },
    ]);
    expect((await venue.hub.push(day)).body).toEqual({ ackedSeq: start + day.length - 1, accepted: day.length, duplicates: 0 });
    // The first attempt is submitted in a later push; a second one is opened and submitted in one.
    const submittedAt = '2025-05-12T10:30:00.000Z';
    const later = outboxEvents(venue.hub.deviceId, start + day.length, [
      // A play held from the earlier push, handed back in this one.
      returned(first, 'l2-audio', 1, '2025-05-12T09:20:00.000Z'),
      timer(first, 6, 'end'),
      { kind: 'attempt.submitted', entityId: first, payload: { attemptId: first, submittedAt } },
      opened(venue, second),
      { kind: 'attempt.submitted', entityId: second, payload: { attemptId: second, submittedAt: '2025-05-12T11:00:00.000Z' } },
    ]);
    expect((await venue.hub.push(later)).body).toMatchObject({ accepted: later.length, duplicates: 0 });

    const attempts = await db.selectFrom('attempt').select(['attempt_id', 'submitted_at']).where('attempt_id', 'in', [first, second]).execute();
    expect(Object.fromEntries(attempts.map((a) => [a.attempt_id, a.submitted_at?.toISOString()]))).toEqual({ [first]: submittedAt, [second]: '2025-05-12T11:00:00.000Z' });
    expect(await db.selectFrom('recording').select(['closed', 'interrupted', 'interruption']).where('recording_id', '=', recordingId).executeTakeFirst()).toEqual({
      closed: true,
      interrupted: true,
      interruption: 'station-restart',
    });
    const timers = await db.selectFrom('timer_event').selectAll().where('attempt_id', '=', first).orderBy('event_id').execute();
    expect(timers.map((t) => [t.event_id, t.kind, t.amount_ms, t.reason])).toEqual([
      [1, 'start', null, null],
      [2, 'pause', null, 'Kandidātam kļuva slikti'],
      [3, 'resume', null, null],
      [4, 'credit', 90_000, 'Datora pārstartēšana'],
      [5, 'extend', 600_000, 'Atbalsta pasākums: papildu laiks'],
      [6, 'end', null, null],
    ]);
    expect(timers[3]).toMatchObject({ venue_id: venue.venueId, part_id: 'listening', at_ms: Date.UTC(2025, 4, 12, 9, 0, 4), origin_device_id: venue.hub.deviceId, origin_seq: start + 10 });
    const plays = await db.selectFrom('audio_play').selectAll().where('attempt_id', '=', first).orderBy('stimulus_id').orderBy('play').execute();
    expect(plays.map((p) => [p.stimulus_id, p.play, p.venue_id, p.origin_device_id, p.returned_at?.toISOString() ?? null])).toEqual([
      ['l1-audio', 1, venue.venueId, venue.hub.deviceId, null],
      ['l1-audio', 2, venue.venueId, venue.hub.deviceId, '2025-05-12T09:10:00.000Z'],
      ['l1-audio', 3, venue.venueId, venue.hub.deviceId, null],
      ['l2-audio', 1, venue.venueId, venue.hub.deviceId, '2025-05-12T09:20:00.000Z'],
    ]);
    expect(await db.selectFrom('attendance').select(['status', 'marked_by']).where('candidate_id', '=', candidateId).executeTakeFirst()).toEqual({ status: 'present', marked_by: 'Ilze Kalniņa' });
    expect(await db.selectFrom('incident').select(['attempt_id', 'recorded_by', 'kind']).where('incident_id', '=', incidentId).executeTakeFirst()).toEqual({
      attempt_id: first,
      recorded_by: 'Jānis Ozols',
      kind: 'technical-power',
    });
    // Every event keeps its origin: here the hub itself, at the same seq.
    const stored = await db.selectFrom('outbox_event').select(['seq', 'origin_device_id', 'origin_seq']).where('device_id', '=', venue.hub.deviceId).where('seq', '>=', start).orderBy('seq').execute();
    expect(stored).toHaveLength(day.length + later.length);
    for (const row of stored) expect(row).toEqual({ seq: row.seq, origin_device_id: venue.hub.deviceId, origin_seq: row.seq });

    const signed = (await venue.hub.call<SignedReceipt>('GET', `/v1/receipts/${candidateId}`)).body;
    const { keys } = (await (await fetch(`${central.url}/v1/receipt-keys`)).json()) as { keys: { publicKeySpki: string }[] };
    expect(verifyReceipt(signed, keys[0]!.publicKeySpki)).toBe(true);
    const { receipt } = signed;
    expect(receipt.attendance).toMatchObject({ status: 'present', markedBy: 'Ilze Kalniņa' });
    const byId = new Map(receipt.attempts.map((a) => [a.attemptId, a]));
    expect(byId.get(first)).toMatchObject({
      submittedAt,
      recordings: [{ recordingId, ...audio, interrupted: true, interruption: 'station-restart', audioReceived: false }],
      plays: [
        { stimulusId: 'l1-audio', play: 1, returnedAt: null },
        { stimulusId: 'l1-audio', play: 2, returnedAt: '2025-05-12T09:10:00.000Z' },
        { stimulusId: 'l1-audio', play: 3, returnedAt: null },
        { stimulusId: 'l2-audio', play: 1, returnedAt: '2025-05-12T09:20:00.000Z' },
      ],
    });
    expect(byId.get(first)!.timerEvents.filter((t) => t.kind === 'credit' || t.kind === 'extend')).toEqual([
      { partId: 'listening', eventId: 4, kind: 'credit', at: Date.UTC(2025, 4, 12, 9, 0, 4), amountMs: 90_000, reason: 'Datora pārstartēšana' },
      { partId: 'listening', eventId: 5, kind: 'extend', at: Date.UTC(2025, 4, 12, 9, 0, 5), amountMs: 600_000, reason: 'Atbalsta pasākums: papildu laiks' },
    ]);
    expect(byId.get(second)).toMatchObject({ submittedAt: '2025-05-12T11:00:00.000Z', recordings: [], timerEvents: [], plays: [] });
    expect(receipt.incidents).toEqual([{ incidentId, attemptId: first, kind: 'technical-power', note: 'Strāvas pārrāvums 2 min', at: expect.any(String), recordedBy: 'Jānis Ozols' }]);
  });

  it('skips an origin it already holds, also under a new seq (a hub re-relaying after a rebuild), and acks over it', async ({ db, venue }) => {
    const candidateId = venue.candidateIds[1]!;
    const start = await next(db, venue);
    const present = outboxEvents(venue.hub.deviceId, start, [attendance(venue, 'present', 'Ilze Kalniņa')]);
    const absent = outboxEvents(venue.hub.deviceId, start + 1, [attendance(venue, 'absent', 'Jānis Ozols')]);
    expect((await venue.hub.push([...present, ...absent])).body).toEqual({ ackedSeq: start + 1, accepted: 2, duplicates: 0 });
    const events = async () => (await storedEvents(db, venue.hub.deviceId)).length;
    const before = await events();

    // The first event again, under the next two stream positions, with a new event after it.
    const fresh = outboxEvents(venue.hub.deviceId, start + 3, [attendance(venue, 'absent', 'Anna Liepa')]);
    const again = [...restreamed(present, start + 2), ...fresh];
    expect((await venue.hub.push(again)).body).toEqual({ ackedSeq: start + 3, accepted: 1, duplicates: 1 });
    expect(await ackedSeq(db, venue.hub.deviceId)).toBe(start + 3);
    expect(await events()).toBe(before + 1);
    // Not applied again: the candidate stays absent (the re-relayed "present" is older), marked by the new event.
    expect(await db.selectFrom('attendance').select(['status', 'marked_by']).where('candidate_id', '=', candidateId).executeTakeFirst()).toEqual({ status: 'absent', marked_by: 'Anna Liepa' });
    // A push made only of held origins still moves acked_seq.
    expect((await venue.hub.push(restreamed([...present, ...absent], start + 4))).body).toEqual({ ackedSeq: start + 5, accepted: 0, duplicates: 2 });
    expect(await events()).toBe(before + 1);

    // A relayed seat's events keep the seat as their origin, and are held once whoever relays them.
    const seat = `seat-${randomUUID()}`;
    const relayed = outboxEvents(venue.hub.deviceId, start + 6, [{ ...attendance(venue, 'present', 'Ilze Kalniņa', 0), origin: { deviceId: seat, seq: 41 } }]);
    expect((await venue.hub.push(relayed)).body).toEqual({ ackedSeq: start + 6, accepted: 1, duplicates: 0 });
    expect(await db.selectFrom('outbox_event').select(['device_id', 'seq', 'origin_seq']).where('origin_device_id', '=', seat).execute()).toEqual([
      { device_id: venue.hub.deviceId, seq: start + 6, origin_seq: 41 },
    ]);
    expect((await venue.hub.push(restreamed(relayed, start + 7))).body).toEqual({ ackedSeq: start + 7, accepted: 0, duplicates: 1 });
    // Within one push, the second of two identical origins is a duplicate too.
    const twice = outboxEvents(venue.hub.deviceId, start + 8, [attendance(venue, 'present', 'Ilze Kalniņa')]);
    expect((await venue.hub.push([...twice, ...restreamed(twice, start + 9)])).body).toEqual({ ackedSeq: start + 9, accepted: 1, duplicates: 1 });
  });

  it('refuses, whole and audited, an origin it holds arriving with another body: 409 EVENT_CONFLICT', async ({ db, venue }) => {
    const attemptId = randomUUID();
    const start = await next(db, venue);
    const held = outboxEvents(venue.hub.deviceId, start, [opened(venue, attemptId), timer(attemptId, 1, 'start')]);
    expect((await venue.hub.push(held)).status).toBe(200);
    const snapshot = async () => ({
      acked: await ackedSeq(db, venue.hub.deviceId),
      events: (await storedEvents(db, venue.hub.deviceId)).length,
      timers: await db.selectFrom('timer_event').select(['event_id', 'kind', 'amount_ms']).where('attempt_id', '=', attemptId).orderBy('event_id').execute(),
      responses: await db.selectFrom('response').select('item_id').where('attempt_id', '=', attemptId).execute(),
    });
    const before = await snapshot();
    const answer = { kind: 'response.saved', entityId: attemptId, payload: { attemptId, itemId: 'l1-q1', revision: 1, value: { type: 'single-choice', optionId: 'a' }, savedAt: now() } };

    // The timer event's origin again under a new seq, now saying "credit 10 min": another payload.
    const forged = { ...timer(attemptId, 1, 'credit', 600_000, 'forged'), origin: held[1]!.origin };
    const refused = await venue.hub.push(outboxEvents(venue.hub.deviceId, start + 2, [answer, forged]));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'EVENT_CONFLICT', seq: start + 3, origin: held[1]!.origin, message: { lv: expect.any(String), en: expect.any(String) } });
    expect(refused.body.detail).toContain(`event seq ${start + 3}`);
    expect(refused.body.detail).toContain(`origin (${venue.hub.deviceId}, ${start + 1})`);
    // Another kind or entity under a held origin is refused the same way.
    const otherKind = { ...play(attemptId, 'l1-audio', 1), origin: held[1]!.origin };
    expect((await venue.hub.push(outboxEvents(venue.hub.deviceId, start + 2, [otherKind]))).body).toMatchObject({ code: 'EVENT_CONFLICT', seq: start + 2 });
    // So are two events of one origin with different bodies in one push.
    const origin = { deviceId: venue.hub.deviceId, seq: start + 2 };
    const pair = outboxEvents(venue.hub.deviceId, start + 2, [
      { ...answer, origin },
      { ...answer, payload: { ...answer.payload, value: { type: 'single-choice', optionId: 'b' } }, origin },
    ]);
    expect((await venue.hub.push(pair)).body).toMatchObject({ code: 'EVENT_CONFLICT', seq: start + 3, origin });
    // And a new origin that reuses a timer event number of the attempt with other content.
    const renumbered = timer(attemptId, 1, 'credit', 600_000, 'forged');
    expect((await venue.hub.push(outboxEvents(venue.hub.deviceId, start + 2, [renumbered]))).body).toMatchObject({ code: 'EVENT_CONFLICT', seq: start + 2 });

    // Nothing changed...
    expect(await snapshot()).toEqual(before);
    // ...but the refusal is in the audit trail, naming the origin and where it is held.
    await sealAudit(db);
    const audited = await db
      .selectFrom('audit_log')
      .select(['detail'])
      .where('action', '=', 'event.conflict-refused')
      .where('subject', '=', `${venue.hub.deviceId}/${start + 1}`)
      .execute();
    expect(audited.map((a) => a.detail)).toContainEqual(expect.objectContaining({ seq: start + 3, kind: 'timer.event', heldKind: 'timer.event', heldDeviceId: venue.hub.deviceId, heldSeq: start + 1 }));
    // The same events as held are still taken.
    expect((await venue.hub.push(outboxEvents(venue.hub.deviceId, start + 2, [answer]))).body).toMatchObject({ accepted: 1 });
  });

  it('refuses a kind it does not know (the station is newer than the central API), keeping nothing', async ({ db, venue }) => {
    const start = await next(db, venue);
    const before = (await storedEvents(db, venue.hub.deviceId)).length;
    const events = outboxEvents(venue.hub.deviceId, start, [attendance(venue, 'present', 'Ilze Kalniņa'), { kind: 'attempt.paused', entityId: 'x', payload: {} }]);
    const refused = await venue.hub.push(events);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'EVENT_KIND_UNKNOWN', seq: start + 1 });
    expect(refused.body.detail).toContain('attempt.paused');
    expect(refused.body.message?.en).toMatch(/station is newer than the central API.*must be updated/);
    expect(refused.body.message?.lv).toMatch(/jāatjaunina/);
    expect(await ackedSeq(db, venue.hub.deviceId)).toBe(start - 1);
    expect(await storedEvents(db, venue.hub.deviceId)).toHaveLength(before);
  });

  it('refuses a play handed back that the centre does not hold, keeping nothing', async ({ db, venue }) => {
    const attemptId = randomUUID();
    const start = await next(db, venue);
    expect((await venue.hub.push(outboxEvents(venue.hub.deviceId, start, [opened(venue, attemptId), play(attemptId, 'l1-audio', 1)]))).status).toBe(200);
    for (const unknown of [returned(attemptId, 'l1-audio', 2, now()), returned(attemptId, 'l2-audio', 1, now())]) {
      const refused = await venue.hub.push(outboxEvents(venue.hub.deviceId, start + 2, [attendance(venue, 'present', 'staff'), unknown]));
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'EVENT_REJECTED', seq: start + 3 });
      expect(refused.body.detail).toContain(`play ${unknown.payload.play} of ${unknown.payload.stimulusId}`);
    }
    expect(await ackedSeq(db, venue.hub.deviceId)).toBe(start + 1);
    expect(await db.selectFrom('audio_play').select(['play', 'returned_at']).where('attempt_id', '=', attemptId).execute()).toEqual([{ play: 1, returned_at: null }]);
  });

  it('refuses a timer event, play, play handed back, submission or incident for another venue\'s attempt', async ({ db, venue, other }) => {
    const theirs = randomUUID();
    expect((await other.hub.push(outboxEvents(other.hub.deviceId, await next(db, other), [opened(other, theirs), timer(theirs, 1, 'start')]))).status).toBe(200);
    const start = await next(db, venue);
    const intrusions = [
      timer(theirs, 2, 'credit', 3_600_000, 'intrusion'),
      timer(theirs, 1, 'credit', 3_600_000, 'intrusion'),
      play(theirs, 'l1-audio', 1),
      returned(theirs, 'l1-audio', 1, now()),
      { kind: 'attempt.submitted', entityId: theirs, payload: { attemptId: theirs, submittedAt: now() } },
      {
        kind: 'incident.recorded',
        entityId: 'x',
        payload: { incidentId: randomUUID(), sessionId: venue.sessionId, candidateId: null, attemptId: theirs, kind: 'other', note: '', at: now(), recordedBy: 'staff' },
      },
      attendance(other, 'absent', 'staff', 0),
    ];
    for (const intrusion of intrusions) {
      const refused = await venue.hub.push(outboxEvents(venue.hub.deviceId, start, [attendance(venue, 'present', 'staff'), intrusion]));
      expect(refused.status, intrusion.kind).toBe(422);
      expect(refused.body, intrusion.kind).toMatchObject({ code: 'EVENT_REJECTED', seq: start + 1 });
    }
    expect(await ackedSeq(db, venue.hub.deviceId)).toBe(start - 1);
    expect(await db.selectFrom('timer_event').select(['event_id', 'kind', 'venue_id']).where('attempt_id', '=', theirs).execute()).toEqual([{ event_id: 1, kind: 'start', venue_id: other.venueId }]);
    expect(await db.selectFrom('audio_play').select('play').where('attempt_id', '=', theirs).execute()).toEqual([]);
    expect((await db.selectFrom('attempt').select('submitted_at').where('attempt_id', '=', theirs).executeTakeFirstOrThrow()).submitted_at).toBeNull();
  });
});
