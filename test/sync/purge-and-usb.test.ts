// After the centre has it: the purge of a session at the hub with its signed deletion certificate, and
// the day without a network: the hub's USB export imported at the centre, then the online sync finding
// everything there.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedPostgres } from '../../src-server/pg-cluster.ts';
import { startTestPostgres } from '../server/support/harness.ts';
import { tempDir } from '../support/fixtures.ts';
import { CANDIDATES, openHub, publishDay, SESSION, takeTest, type CentralDay, type Hub } from './support.ts';

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

async function dayAndHub(): Promise<{ published: CentralDay; hub: Hub }> {
  databases += 1;
  const published = await publishDay(postgres, `purge_${databases}`);
  open.push(published.central);
  const hub = await openHub(published);
  open.push({ stop: () => hub.close() });
  await hub.client.enrol({ centralUrl: published.central.url, code: published.enrollmentCode, name: 'hub' });
  await hub.client.syncNow();
  return { published, hub };
}

const count = (hub: Hub, table: 'candidates' | 'attempts' | 'response_revisions' | 'recordings' | 'recording_segments' | 'outbox') =>
  Number(hub.service.db.get(hub.service.db.q.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')))?.n ?? 0);

interface StoredCertificates {
  certificates: { certificateId: string; certificate: { stations: { items: { kind: string; count: number }[] }[] }; centreCheck: { kind: string; matches: boolean }[] }[];
}

describe('the purge', () => {
  it('deletes the session once every receipt matches, and the signed certificate is at the centre with manifests that match its own', async () => {
    const { published, hub } = await dayAndHub();
    await takeTest(hub, CANDIDATES[0]!, published.built.manifest.packageId);
    await hub.service.markAttendance({ staffToken: hub.staffToken, candidateId: CANDIDATES[1]!, status: 'absent' });
    // Not yet sent: the centre has not confirmed anything, so nothing may be deleted.
    await expect(hub.client.purgeSession(SESSION, 'test.chief')).rejects.toMatchObject({ code: 'PURGE_NOT_CONFIRMED' });
    expect(count(hub, 'attempts')).toBe(1);
    await hub.client.syncNow();
    expect(hub.client.status().sessions[0]).toMatchObject({ complete: true });
    const signed = await hub.client.purgeSession(SESSION, 'test.chief');
    expect(signed.certificate.receipts.map((r) => r.candidateId).sort()).toEqual(CANDIDATES);
    for (const table of ['candidates', 'attempts', 'response_revisions', 'recordings', 'recording_segments', 'outbox'] as const) expect(count(hub, table), table).toBe(0);
    const items = Object.fromEntries(signed.certificate.stations[0]!.items.map((i) => [i.kind, i.count]));
    expect(items).toMatchObject({ candidates: 2, attempts: 1, responses: 1, 'response-revisions': 2, recordings: 1, 'audio-segments': 3, attendance: 2 });
    const held = await published.central.admin.ok<StoredCertificates>('GET', `/v1/admin/sessions/${SESSION}/deletion-certificates`);
    expect(held.certificates.map((c) => c.certificateId)).toEqual([signed.certificate.certificateId]);
    expect(held.certificates[0]!.centreCheck.filter((c) => !c.matches)).toEqual([]);
    // The stream goes on from where it was: a new event gets a seq above every purged one.
    const before = signed.certificate.stations[0]!.items.find((i) => i.kind === 'events')!.count;
    expect(hub.service.outbox.lastSeq()).toBeGreaterThanOrEqual(before);
  });

  it('never purges a session whose receipts do not all match', async () => {
    const { published, hub } = await dayAndHub();
    await takeTest(hub, CANDIDATES[0]!, published.built.manifest.packageId);
    await hub.service.markAttendance({ staffToken: hub.staffToken, candidateId: CANDIDATES[1]!, status: 'absent' });
    await hub.client.syncNow();
    // A receipt that says something else than the hub's record (its stored copy altered).
    const row = hub.service.db.get(hub.service.db.q.selectFrom('central_receipts').selectAll().where('candidate_id', '=', CANDIDATES[0]!))!;
    hub.service.db.run(hub.service.db.q.updateTable('central_receipts').set({ matches: 0, mismatches: JSON.stringify([{ lv: 'x', en: 'x' }]) }).where('candidate_id', '=', row.candidate_id));
    await expect(hub.client.purgeSession(SESSION, 'test.chief')).rejects.toMatchObject({ code: 'PURGE_NOT_CONFIRMED', detail: expect.stringContaining('1 of 2 receipts') });
    expect(count(hub, 'attempts')).toBe(1);
  });
});

describe('without a network: USB', () => {
  it('exports what the centre has not acknowledged; the agency imports it, twice changes nothing; the online sync later skips it', async () => {
    const { published, hub } = await dayAndHub();
    const taken = await takeTest(hub, CANDIDATES[0]!, published.built.manifest.packageId);
    await hub.service.markAttendance({ staffToken: hub.staffToken, candidateId: CANDIDATES[1]!, status: 'absent' });
    const folder = join(tempDir('usb-'), 'EXAMS');
    mkdirSync(folder);
    const exported = await hub.client.exportForCentre(folder);
    expect(exported).toMatchObject({ events: hub.service.outbox.lastSeq(), recordings: 1, waitingForAudio: [] });
    expect(readdirSync(folder)).toEqual([exported.file.split('/').pop()]);
    // Nothing of the answers is readable on the stick.
    expect(readFileSync(exported.file).includes(Buffer.from('Sveiks'))).toBe(false);
    const first = await published.central.admin.ok<{ events: { accepted: number }; recordings: { stored: number } }>('POST', '/v1/admin/transfers', readFileSync(exported.file));
    expect(first).toMatchObject({ events: { accepted: exported.events }, recordings: { stored: 1 } });
    const again = await published.central.admin.ok<{ events: { accepted: number; duplicates: number }; recordings: { alreadyHeld: number } }>('POST', '/v1/admin/transfers', readFileSync(exported.file));
    expect(again).toMatchObject({ events: { accepted: 0, duplicates: exported.events }, recordings: { alreadyHeld: 1 } });
    // The network is back: the push finds it all there, the audio is complete without a byte sent, the receipts match.
    expect(await hub.client.syncNow()).toBeNull();
    const upload = hub.service.db.get(hub.service.db.q.selectFrom('central_uploads').selectAll().where('recording_id', '=', taken.recordingId))!;
    expect(upload).toMatchObject({ state: 'done', sent: taken.audio.length });
    expect(hub.client.status().sessions[0]).toMatchObject({ complete: true });
  });

  it("the way back by USB: the agency's receipt bundle is imported by a hub that never reached the centre, and every receipt matches its record", async () => {
    const { published, hub } = await dayAndHub();
    await takeTest(hub, CANDIDATES[0]!, published.built.manifest.packageId);
    await hub.service.markAttendance({ staffToken: hub.staffToken, candidateId: CANDIDATES[1]!, status: 'absent' });
    hub.service.db.run(hub.service.db.q.updateTable('central_link').set({ central_url: 'http://127.0.0.1:9' }));
    await hub.restart({ timeoutMs: 1000 });
    const folder = join(tempDir('usb-day-'), 'EXAMS');
    mkdirSync(folder);
    const exported = await hub.client.exportForCentre(folder);
    await published.central.admin.ok('POST', '/v1/admin/transfers', readFileSync(exported.file));
    // Back on the stick: the session's receipts, as the agency's admin route answers them.
    const bundle: unknown = JSON.parse(JSON.stringify(await published.central.admin.ok('GET', `/v1/admin/sessions/${SESSION}/receipts`)));
    expect(await hub.client.importReceipts(bundle)).toEqual({ sessionId: SESSION, receipts: 2, matching: 2 });
    expect(hub.client.status().sessions[0]).toMatchObject({ complete: true });
  });

  it('purges after the USB way back: the bundle says what the centre acknowledged; the certificate goes back on USB and the agency imports it', async () => {
    const { published, hub } = await dayAndHub();
    await takeTest(hub, CANDIDATES[0]!, published.built.manifest.packageId);
    await hub.service.markAttendance({ staffToken: hub.staffToken, candidateId: CANDIDATES[1]!, status: 'absent' });
    hub.service.db.run(hub.service.db.q.updateTable('central_link').set({ central_url: 'http://127.0.0.1:9' }));
    await hub.restart({ timeoutMs: 1000 });
    const folder = join(tempDir('usb-day-'), 'EXAMS');
    mkdirSync(folder);
    const exported = await hub.client.exportForCentre(folder);
    await published.central.admin.ok('POST', '/v1/admin/transfers', readFileSync(exported.file));
    const bundle = JSON.parse(JSON.stringify(await published.central.admin.ok('GET', `/v1/admin/sessions/${SESSION}/receipts`))) as { acknowledgement: { statement: { devices: { ackedSeq: number }[] } } };
    // An acknowledgement altered on the stick is refused whole, and nothing is taken from the bundle.
    const forged = structuredClone(bundle);
    forged.acknowledgement.statement.devices[0]!.ackedSeq += 1000;
    await expect(hub.client.importReceipts(forged)).rejects.toMatchObject({ code: 'RECEIPT_SIGNATURE_INVALID' });
    expect(hub.client.status().sessions[0]).toMatchObject({ complete: false });
    await hub.client.importReceipts(bundle);
    const signed = await hub.client.purgeSession(SESSION, 'test.chief');
    expect(count(hub, 'attempts')).toBe(0);
    const files = hub.client.exportCertificates(folder);
    expect(files).toHaveLength(1);
    const imported = await published.central.admin.call('POST', '/v1/admin/deletion-certificates', JSON.parse(readFileSync(files[0]!, 'utf8')));
    expect(imported.status).toBe(201);
    const held = await published.central.admin.ok<StoredCertificates>('GET', `/v1/admin/sessions/${SESSION}/deletion-certificates`);
    expect(held.certificates.map((c) => c.certificateId)).toEqual([signed.certificate.certificateId]);
    expect(held.certificates[0]!.centreCheck.filter((c) => !c.matches)).toEqual([]);
  });

  it('a purge with no network keeps its certificate to export on USB, and sends it when the centre is reachable again', async () => {
    const { published, hub } = await dayAndHub();
    await takeTest(hub, CANDIDATES[0]!, published.built.manifest.packageId);
    await hub.service.markAttendance({ staffToken: hub.staffToken, candidateId: CANDIDATES[1]!, status: 'absent' });
    await hub.client.syncNow();
    const url = hub.service.db.get(hub.service.db.q.selectFrom('central_link').select('central_url'))!.central_url;
    hub.service.db.run(hub.service.db.q.updateTable('central_link').set({ central_url: 'http://127.0.0.1:9' }));
    await hub.restart({ timeoutMs: 1000 });
    const signed = await hub.client.purgeSession(SESSION, 'test.chief');
    expect(hub.client.status().lastError).toMatchObject({ code: 'CENTRAL_UNREACHABLE' });
    const folder = tempDir('usb-certs-');
    const files = hub.client.exportCertificates(folder);
    expect(files).toHaveLength(1);
    expect(JSON.parse(readFileSync(files[0]!, 'utf8'))).toEqual(signed);
    // Back online: the next pass sends it.
    hub.service.db.run(hub.service.db.q.updateTable('central_link').set({ central_url: url }));
    await hub.restart();
    expect(await hub.client.syncNow()).toBeNull();
    const held = await published.central.admin.ok<StoredCertificates>('GET', `/v1/admin/sessions/${SESSION}/deletion-certificates`);
    expect(held.certificates.map((c) => c.certificateId)).toEqual([signed.certificate.certificateId]);
    expect(hub.client.exportCertificates(tempDir('usb-none-'))).toEqual([]);
  });
});
