// The hub's sync client against the real central API on its own PostgreSQL: enrolment, the feed into
// the station, the package downloaded (resumed after a cut), verified, imported and unlocked with the
// key the centre released; the outbox pushed exactly once; audio by tus resumed across a hub restart;
// receipts verified and compared; a wrong clock, a revoked device and a mismatching receipt.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UPLOAD_CHUNK_BYTES } from '../../src-main/sync/sync-client.ts';
import { sql } from 'kysely';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { ManagedPostgres } from '../../src-server/pg-cluster.ts';
import { startTestPostgres } from '../server/support/harness.ts';
import { buildMiniPackage } from '../support/fixtures.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';
import { CANDIDATES, openHub, publishDay, SESSION, takeTest, VENUE, type CentralDay, type Hub } from './support.ts';

let postgres: ManagedPostgres;
let databases = 0;
const open: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  postgres = await startTestPostgres();
}, 60_000);

afterAll(async () => {
  for (const thing of open.reverse()) await thing.stop();
  await postgres?.stop();
});

async function day(options: { startsAt?: string } = {}): Promise<CentralDay> {
  databases += 1;
  const published = await publishDay(postgres, `sync_${databases}`, options);
  open.push(published.central);
  return published;
}

async function hubOf(published: CentralDay, more: Parameters<typeof openHub>[1] = {}): Promise<Hub> {
  const hub = await openHub(published, more);
  open.push({ stop: () => hub.close() });
  return hub;
}

/** Rows of the central database, for checks of what arrived. */
async function centralCount(published: CentralDay, query: string): Promise<number> {
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: published.central.databaseUrl, max: 1 }) }) });
  try {
    const { rows } = await sql<{ n: string }>`${sql.raw(query)}`.execute(db);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await db.destroy();
  }
}

describe('hub ↔ central sync', () => {
  it('enrols, takes the session, roster and package from the feed, and unlocks the package with the released key', async () => {
    const published = await day();
    const hub = await hubOf(published);
    const enrolled = await hub.client.enrol({ centralUrl: published.central.url, code: published.enrollmentCode, name: 'RIX01 hub' });
    expect(enrolled.venueCode).toBe(VENUE);
    expect(await hub.client.syncNow()).toBeNull();
    const candidates = await hub.service.listCandidates({ staffToken: hub.staffToken, sessionId: SESSION });
    expect(candidates.map((c) => c.candidateId).sort()).toEqual(CANDIDATES);
    const packages = await hub.service.listPackages({ staffToken: hub.staffToken });
    expect(packages).toEqual([expect.objectContaining({ packageId: published.built.manifest.packageId, unlocked: true })]);
    const status = hub.client.status();
    // Nothing has happened yet: every receipt matches, but the session is not over, so not complete.
    expect(status.sessions).toEqual([expect.objectContaining({ sessionId: SESSION, receiptsMatching: 2, over: false, complete: false })]);
    expect(status).toMatchObject({ enrolled: true, venueCode: VENUE, revoked: false, eventsToSend: 0, lastError: null, newFromCentre: { sessions: 1, candidates: 2, packages: 1 } });
    // The private key never left: the centre holds only the public half.
    const held = await centralCount(published, `SELECT count(*) AS n FROM device WHERE public_key = '${hub.client.publicKey()}'`);
    expect(held).toBe(1);
    // A second enrolment is refused here, before any code is spent.
    await expect(hub.client.enrol({ centralUrl: published.central.url, code: published.enrollmentCode, name: 'again' })).rejects.toMatchObject({ code: 'CENTRAL_ALREADY_ENROLLED' });
  });

  it('pushes every event once, uploads the audio, and the receipts match: the session is complete at the centre', async () => {
    const published = await day();
    const hub = await hubOf(published);
    await hub.client.enrol({ centralUrl: published.central.url, code: published.enrollmentCode, name: 'hub' });
    await hub.client.syncNow();
    const packageId = published.built.manifest.packageId;
    const taken = await takeTest(hub, CANDIDATES[0]!, packageId);
    await hub.service.markAttendance({ staffToken: hub.staffToken, candidateId: CANDIDATES[1]!, status: 'absent' });
    expect(hub.client.status()).toMatchObject({ eventsToSend: hub.service.outbox.lastSeq() });
    expect(await hub.client.syncNow()).toBeNull();
    const status = hub.client.status();
    expect(status).toMatchObject({ eventsToSend: 0, recordingsToSend: 0, audioBytesToSend: 0 });
    expect(status.sessions).toEqual([{ sessionId: SESSION, candidates: 2, receiptsMatching: 2, receiptsOutOfDate: 0, over: true, complete: true, purgedAt: null, certificatesUnsent: 0, mismatches: [] }]);
    const receipt = hub.client.receiptOf(CANDIDATES[0]!)!;
    expect(receipt.matches).toBe(true);
    expect(receipt.signed.receipt.attempts[0]!.recordings[0]).toMatchObject({ recordingId: taken.recordingId, audioReceived: true, bytes: taken.audio.length });
    const events = await centralCount(published, 'SELECT count(*) AS n FROM outbox_event');
    expect(events).toBe(hub.service.outbox.lastSeq());
    // Another pass sends nothing again.
    await hub.client.syncNow();
    expect(await centralCount(published, 'SELECT count(*) AS n FROM outbox_event')).toBe(events);
  });

  it('a session is not complete while its newest work is not at the centre: a receipt fetched before it is out of date until fetched again', async () => {
    const published = await day();
    const target = new URL(published.central.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
    open.push({ stop: () => proxy.close() });
    const hub = await hubOf(published, { timeoutMs: 1000 });
    await hub.client.enrol({ centralUrl: `http://${proxy.address.host}:${proxy.address.port}`, code: published.enrollmentCode, name: 'hub' });
    await hub.client.syncNow();
    await takeTest(hub, CANDIDATES[0]!, published.built.manifest.packageId);
    await hub.service.markAttendance({ staffToken: hub.staffToken, candidateId: CANDIDATES[1]!, status: 'absent' });
    expect(await hub.client.syncNow()).toBeNull();
    expect(hub.client.status().sessions[0]).toMatchObject({ complete: true, receiptsMatching: 2, receiptsOutOfDate: 0 });
    // The link goes; an incident of the session is written here after the receipts were fetched.
    proxy.cut();
    await hub.service.recordIncident({ staffToken: hub.staffToken, sessionId: SESSION, candidateId: CANDIDATES[0]!, kind: 'other', note: 'pēc apliecinājuma' });
    expect(hub.client.status().sessions[0]).toMatchObject({ complete: false, receiptsMatching: 0, receiptsOutOfDate: 2, mismatches: [] });
    expect(await hub.client.syncNow()).toMatchObject({ code: expect.any(String) });
    expect(hub.client.status().sessions[0]).toMatchObject({ complete: false, receiptsOutOfDate: 2 });
    await expect(hub.client.purgeSession(SESSION, 'test.chief')).rejects.toMatchObject({ code: 'PURGE_NOT_CONFIRMED' });
    // The link back: the incident goes, the receipts are fetched again, and the session is complete.
    proxy.resume();
    expect(await hub.client.syncNow()).toBeNull();
    expect(hub.client.status().sessions[0]).toMatchObject({ complete: true, receiptsMatching: 2, receiptsOutOfDate: 0 });
  });

  it('a push whose reply was lost (the hub crashed before it stored the ack) is answered as duplicates, nothing twice', async () => {
    const published = await day();
    const hub = await hubOf(published);
    await hub.client.enrol({ centralUrl: published.central.url, code: published.enrollmentCode, name: 'hub' });
    await hub.client.syncNow();
    await takeTest(hub, CANDIDATES[0]!, published.built.manifest.packageId);
    await hub.service.markAttendance({ staffToken: hub.staffToken, candidateId: CANDIDATES[1]!, status: 'absent' });
    await hub.client.syncNow();
    const events = await centralCount(published, 'SELECT count(*) AS n FROM outbox_event');
    // The hub's ack goes back, as if the reply had been lost; more happens; the hub pushes again.
    hub.service.db.run(hub.service.db.q.updateTable('central_link').set({ acked_seq: 2 }));
    await hub.service.recordIncident({ staffToken: hub.staffToken, sessionId: SESSION, candidateId: CANDIDATES[0]!, kind: 'other', note: 'pēc iesniegšanas' });
    await hub.restart();
    expect(await hub.client.syncNow()).toBeNull();
    expect(await centralCount(published, 'SELECT count(*) AS n FROM outbox_event')).toBe(events + 1);
    expect(hub.client.status()).toMatchObject({ eventsToSend: 0 });
    expect(hub.client.status().sessions[0]).toMatchObject({ complete: true });
  });

  it('an upload cut mid-way resumes from the offset the centre holds after the hub restarts, and the package download resumes by Range', async () => {
    const published = await day();
    const target = new URL(published.central.url);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) }, { capture: true });
    open.push({ stop: () => proxy.close() });
    const viaProxy = `http://${proxy.address.host}:${proxy.address.port}`;
    const hub = await hubOf(published, { timeoutMs: 2000 });
    await hub.client.enrol({ centralUrl: viaProxy, code: published.enrollmentCode, name: 'hub' });
    // Half the package arrived before an earlier cut: the rest is asked for by Range, on the file's hash.
    const file = published.built.file;
    mkdirSync(join(hub.dir, 'central'), { recursive: true });
    writeFileSync(join(hub.dir, 'central', `${published.built.manifest.packageId}.part`), file.subarray(0, Math.floor(file.length / 2)));
    expect(await hub.client.syncNow()).toBeNull();
    const wire = Buffer.concat(proxy.captured).toString('latin1');
    expect(wire).toContain(`range: bytes=${Math.floor(file.length / 2)}-`);
    expect(await hub.service.listPackages({ staffToken: hub.staffToken })).toEqual([expect.objectContaining({ unlocked: true })]);

    const taken = await takeTest(hub, CANDIDATES[0]!, published.built.manifest.packageId, { segments: 4, segmentBytes: 700_000 });
    // The link goes slow, and drops once the first chunk is in.
    proxy.slow(40);
    const syncing = hub.client.syncNow();
    for (let i = 0; i < 400 && (hub.client.status().transfers.find((t) => t.kind === 'audio')?.done ?? 0) < UPLOAD_CHUNK_BYTES; i += 1) await new Promise((r) => setTimeout(r, 10));
    proxy.cut();
    const problem = await syncing;
    expect(problem).toMatchObject({ code: 'CENTRAL_UNREACHABLE' });
    expect(problem!.message.lv).toContain('Nekas netika zaudēts');
    const row = hub.service.db.get(hub.service.db.q.selectFrom('central_uploads').selectAll().where('recording_id', '=', taken.recordingId))!;
    expect(row.upload_url).toMatch(/^\/v1\/uploads\//);
    expect(row.sent).toBeGreaterThan(0);
    expect(row.sent).toBeLessThan(taken.audio.length);
    // The hub crashes and comes back; the link is clean again: the upload goes on at the same URL.
    await hub.restart({ timeoutMs: 5000 });
    proxy.resume();
    expect(await hub.client.syncNow()).toBeNull();
    const again = hub.service.db.get(hub.service.db.q.selectFrom('central_uploads').selectAll().where('recording_id', '=', taken.recordingId))!;
    expect(again).toMatchObject({ state: 'done', upload_url: row.upload_url });
    expect(hub.client.receiptOf(CANDIDATES[0]!)).toMatchObject({ matches: true });
    expect(await centralCount(published, `SELECT count(*) AS n FROM recording WHERE recording_id = '${taken.recordingId}' AND blob_bytes = ${taken.audio.length}`)).toBe(1);
  });

  it('a package the centre replaces after the hub downloaded it: the new one comes down, is imported and unlocked; the old one stays', async () => {
    const published = await day();
    const hub = await hubOf(published);
    await hub.client.enrol({ centralUrl: published.central.url, code: published.enrollmentCode, name: 'hub' });
    await hub.client.syncNow();
    // The agency corrects the exam: a new package, the session pointed at it.
    const corrected = buildMiniPackage(published.keys, { venue: VENUE });
    const packageId = await published.central.admin.publishPackage(corrected);
    await published.central.admin.ok('PUT', `/v1/admin/sessions/${SESSION}`, { venueId: published.venueId, examId: corrected.manifest.examId, packageId, room: '101', startsAt: new Date(Date.now() - 60_000).toISOString() });
    expect(await hub.client.syncNow()).toBeNull();
    const packages = await hub.service.listPackages({ staffToken: hub.staffToken });
    expect(packages.map((p) => [p.packageId, p.unlocked]).sort()).toEqual([[published.built.manifest.packageId, true], [packageId, true]].sort());
    expect(hub.service.db.get(hub.service.db.q.selectFrom('central_sessions').select('package_id').where('session_id', '=', SESSION))!.package_id).toBe(packageId);
  });

  it('signs with the centre’s time when the hub clock is 10 minutes off', async () => {
    const published = await day();
    const hub = await hubOf(published, { clock: () => Date.now() - 10 * 60_000 });
    await hub.client.enrol({ centralUrl: published.central.url, code: published.enrollmentCode, name: 'hub' });
    expect(await hub.client.syncNow()).toBeNull();
    expect(Math.round(hub.client.status().clockOffsetMs / 60_000)).toBe(10);
    expect(await hub.service.listPackages({ staffToken: hub.staffToken })).toHaveLength(1);
  });

  it('a revoked hub says so and stops; nothing more is taken from it', async () => {
    const published = await day();
    const hub = await hubOf(published);
    const { deviceId } = await hub.client.enrol({ centralUrl: published.central.url, code: published.enrollmentCode, name: 'hub' });
    await published.central.admin.ok('POST', `/v1/admin/devices/${deviceId}/revoke`, { reason: 'stolen laptop' });
    const problem = await hub.client.syncNow();
    expect(problem).toMatchObject({ code: 'DEVICE_REVOKED', message: { lv: expect.stringContaining('atsaukta'), en: expect.stringContaining('revoked') } });
    expect(hub.client.status()).toMatchObject({ revoked: true });
    await expect(hub.client.pullFeed()).rejects.toMatchObject({ code: 'DEVICE_REVOKED' });
  });

  it('a receipt that does not match the hub’s stream is shown with what differs, and the session is not complete', async () => {
    const published = await day();
    const hub = await hubOf(published);
    await hub.client.enrol({ centralUrl: published.central.url, code: published.enrollmentCode, name: 'hub' });
    await hub.client.syncNow();
    await takeTest(hub, CANDIDATES[0]!, published.built.manifest.packageId);
    await hub.service.markAttendance({ staffToken: hub.staffToken, candidateId: CANDIDATES[1]!, status: 'absent' });
    await hub.client.syncNow();
    expect(hub.client.status().sessions[0]).toMatchObject({ complete: true });
    // At the centre, an answer's last revision goes missing.
    await centralCount(published, `WITH d AS (DELETE FROM response WHERE item_id = 'w1-q1' RETURNING 1) SELECT count(*) AS n FROM d`);
    hub.service.db.run(hub.service.db.q.deleteFrom('central_receipts'));
    await hub.client.syncNow();
    const session = hub.client.status().sessions[0]!;
    expect(session).toMatchObject({ complete: false, receiptsMatching: 1 });
    expect(session.mismatches[0]).toMatchObject({ candidateId: CANDIDATES[0] });
    expect(session.mismatches[0]!.problems[0]!.en).toContain('w1-q1');
  });

  it('says the centre cannot be reached, in Latvian and English, and loses nothing', async () => {
    const published = await day();
    const hub = await hubOf(published, { timeoutMs: 1000 });
    await hub.client.enrol({ centralUrl: published.central.url, code: published.enrollmentCode, name: 'hub' });
    await hub.client.syncNow();
    await takeTest(hub, CANDIDATES[0]!, published.built.manifest.packageId);
    hub.service.db.run(hub.service.db.q.updateTable('central_link').set({ central_url: 'http://127.0.0.1:9' }));
    await hub.restart({ timeoutMs: 1000 });
    const problem = await hub.client.syncNow();
    expect(problem).toMatchObject({ code: 'CENTRAL_UNREACHABLE' });
    expect(hub.client.status()).toMatchObject({ eventsToSend: hub.service.outbox.lastSeq() });
    expect(hub.client.status().oldestUnsentAt).not.toBeNull();
  });
});
