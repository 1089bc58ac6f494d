// The way back of an exam day without a network, against a real PostgreSQL and real HTTP: the agency
// exports a session's receipts as one bundle (admin route or CLI) for the venue's hub, and imports the
// deletion certificate the hub wrote to USB (admin route or CLI) with the same checks as a hub's own
// send: the certificate is the named device's, signed by its key, over the roster and the receipts the
// centre would sign now. An unknown or revoked device's certificate is refused, and every import is
// audited with who brought it in.
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { ReceiptBundle, type SignedReceipt } from '../../src-shared/contracts/central-api.ts';
import { deletionEntry, type DeletionCertificate, type SignedDeletionCertificate, type StoredDeletionCertificate } from '../../src-shared/contracts/deletion-certificate.ts';
import { ERROR_CATALOGUE } from '../../src-shared/errors.ts';
import { deletionItem, receiptSha256, signDeletionCertificate } from '../../src-shared/node/deletion-certificate.ts';
import { verifyReceipt } from '../../src-shared/node/receipt-signature.ts';
import { sealAudit } from '../../src-server/audit.ts';
import { ADMIN_ACTOR } from '../../src-server/auth/admin.ts';
import type { CentralDb } from '../../src-server/db/database.ts';
import { buildMiniPackage, makeKeys } from '../support/fixtures.ts';
import { centralTest } from './support/central-test.ts';
import { HubClient, makeVenue, outboxEvents, type TestServer, type TestVenue } from './support/harness.ts';

const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');
const folder = mkdtempSync(join(tmpdir(), 'usb-day-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** What the venue's hub sent (by an earlier USB transfer or online): the first candidate's work and audio, attendance of the first two. */
async function sendResults(db: CentralDb, venue: TestVenue): Promise<void> {
  const attemptId = randomUUID();
  const recordingId = randomUUID();
  const audio = randomBytes(10_000);
  const [first, second] = venue.candidateIds as [string, string];
  const at = new Date().toISOString();
  const acked = (await db.selectFrom('device').select('acked_seq').where('device_id', '=', venue.hub.deviceId).executeTakeFirstOrThrow()).acked_seq;
  const pushed = await venue.hub.push(
    outboxEvents(venue.hub.deviceId, acked + 1, [
      { kind: 'attempt.opened', entityId: attemptId, payload: { attemptId, candidateId: first, packageId: venue.packageId, openedAt: at } },
      { kind: 'response.saved', entityId: attemptId, payload: { attemptId, itemId: 'l1-q1', revision: 1, value: { type: 'single-choice', optionId: 'a' }, savedAt: at } },
      { kind: 'recording.started', entityId: recordingId, payload: { recordingId, attemptId, itemId: 's1-q1', take: 1, mimeType: 'audio/webm' } },
      {
        kind: 'recording.closed',
        entityId: recordingId,
        payload: { recordingId, attemptId, itemId: 's1-q1', take: 1, sha256: sha256(audio), bytes: audio.length, durationMs: 1000, segmentCount: 1, mimeType: 'audio/webm', interrupted: false, interruption: null },
      },
      { kind: 'attendance.marked', entityId: first, payload: { candidateId: first, sessionId: venue.sessionId, status: 'present', at, markedBy: 'invigilator' } },
      { kind: 'attendance.marked', entityId: second, payload: { candidateId: second, sessionId: venue.sessionId, status: 'absent', at, markedBy: 'invigilator' } },
    ]),
  );
  expect(pushed.status).toBe(200);
  expect((await venue.hub.createUpload(recordingId, audio, sha256(audio), { withBody: true })).status).toBe(201);
}

async function receiptKey(central: TestServer): Promise<string> {
  const keys = (await fetch(`${central.url}/v1/receipt-keys`).then((r) => r.json())) as { keys: { publicKeySpki: string }[] };
  return keys.keys[0]!.publicKeySpki;
}

const bundleOf = async (central: TestServer, sessionId: string): Promise<ReceiptBundle> => ReceiptBundle.parse(await central.admin.ok('GET', `/v1/admin/sessions/${sessionId}/receipts`));

/** The certificate the hub signs after its purge, from the receipts it imported from a bundle. */
function certificateOf(venue: TestVenue, receipts: SignedReceipt[], deviceId = venue.hub.deviceId): DeletionCertificate {
  const now = Date.now();
  return {
    formatVersion: 1,
    certificateId: randomUUID(),
    sessionId: venue.sessionId,
    venueCode: venue.code,
    deviceId,
    orderedBy: 'centre.staff',
    orderedAt: new Date(now - 60_000).toISOString(),
    issuedAt: new Date(now).toISOString(),
    receipts: receipts.map((r) => ({ candidateId: r.receipt.candidate.candidateId, receiptId: r.receipt.receiptId, receiptSha256: receiptSha256(r) })),
    stations: [{ deviceId: 'hub-room-1', role: 'hub', deletedAt: new Date(now - 30_000).toISOString(), items: [deletionItem('candidates', venue.candidateIds.map((candidateId) => deletionEntry('candidates', { candidateId })))] }],
  };
}

type Reply = StoredDeletionCertificate & { code?: string; message?: { lv: string; en: string }; detail?: string };
const importByAdmin = (central: TestServer, signed: unknown) => central.admin.call<Reply>('POST', '/v1/admin/deletion-certificates', signed);

const audited = async (db: CentralDb, action: string) => {
  await sealAudit(db);
  return db.selectFrom('audit_log').select(['actor_kind', 'actor_id', 'subject', 'detail']).where('action', '=', action).orderBy('audit_id').execute();
};

const storedIds = async (db: CentralDb, certificateId: string) => db.selectFrom('deletion_certificate').select('certificate_id').where('certificate_id', '=', certificateId).execute();

/** `node src-server/main.ts ARGS` against the test server's database and DATA_DIR (its keys and storage). */
const cli = (central: TestServer, args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['src-server/main.ts', ...args], {
      env: { PATH: process.env.PATH, DATABASE_URL: central.databaseUrl, DATA_DIR: central.dataDir, LOG_LEVEL: 'silent', AUDIO_FSYNC: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

const it = centralTest
  .extend('packageId', { scope: 'file' }, ({ central }) => central.admin.publishPackage(buildMiniPackage(makeKeys())))
  .extend('venue', { scope: 'file' }, async ({ central, db, packageId }) => {
    const venue = await makeVenue(central, 'RIX01', packageId, 'mini-a2', { candidates: 3 });
    await sendResults(db, venue);
    return venue;
  })
  .extend('other', { scope: 'file' }, ({ central, packageId }) => makeVenue(central, 'DGP01', packageId, 'mini-a2', { candidates: 1 }));

describe("a session's receipt bundle", () => {
  it("has every roster candidate's receipt, signed as the hub's own fetch is, each verifying with /v1/receipt-keys; audited as a read of personal data", async ({ central, db, venue, other }) => {
    const bundle = await bundleOf(central, venue.sessionId);
    expect(bundle).toMatchObject({ formatVersion: 1, sessionId: venue.sessionId, venueCode: 'RIX01' });
    expect(Date.parse(bundle.issuedAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(bundle.receipts.map((r) => r.receipt.candidate.candidateId)).toEqual(venue.candidateIds);
    const key = await receiptKey(central);
    for (const signed of bundle.receipts) expect(verifyReceipt(signed, key)).toBe(true);
    // A receipt changed in the bundle (audio said to have arrived when it did not) no longer verifies.
    const altered = structuredClone(bundle.receipts[0]!);
    expect(altered.receipt.attempts[0]!.recordings[0]!.audioReceived).toBe(true);
    altered.receipt.attempts[0]!.recordings[0]!.audioReceived = false;
    expect(verifyReceipt(altered, key)).toBe(false);
    // Exactly what the hub would have fetched online: the same held data, so the same receipt hash.
    for (const signed of bundle.receipts) {
      const fetched = await venue.hub.call<SignedReceipt>('GET', `/v1/receipts/${signed.receipt.candidate.candidateId}`);
      expect(receiptSha256(signed)).toBe(receiptSha256(fetched.body));
    }
    expect(bundle.receipts[0]!.receipt.attempts).toHaveLength(1);
    expect(bundle.receipts[1]!.receipt.attendance).toMatchObject({ status: 'absent' });
    expect(bundle.receipts[2]!.receipt).toMatchObject({ attendance: null, attempts: [] });
    // Another venue's session has only its own candidates.
    expect((await bundleOf(central, other.sessionId)).receipts.map((r) => r.receipt.candidate.candidateId)).toEqual(other.candidateIds);

    const reads = (await audited(db, 'receipt.read-personal-data')).filter((r) => (r.detail as { bundleOf?: string }).bundleOf === venue.sessionId);
    expect(reads.slice(-3)).toEqual(
      bundle.receipts.map((r) => ({ actor_kind: 'admin', actor_id: ADMIN_ACTOR, subject: r.receipt.candidate.candidateId, detail: { receiptId: r.receipt.receiptId, bundleOf: venue.sessionId } })),
    );
  });

  it('answers 404 for a session the centre does not know', async ({ central }) => {
    const refused = await central.admin.call<{ code: string; message: { lv: string; en: string } }>('GET', '/v1/admin/sessions/S-NONE/receipts');
    expect(refused.status).toBe(404);
    expect(refused.body).toEqual(expect.objectContaining({ code: 'NOT_FOUND', message: { lv: ERROR_CATALOGUE.NOT_FOUND.lv, en: ERROR_CATALOGUE.NOT_FOUND.en } }));
    expect((await fetch(`${central.url}/v1/admin/sessions/S-NONE/receipts`)).status).toBe(401);
  });

  it('keeps a candidate taken off the roster of whom the centre holds attendance (the hub keeps them too), and leaves out one of whom it holds nothing', async ({ central, db, packageId }) => {
    const venue = await makeVenue(central, 'LPX03', packageId, 'mini-a2', { candidates: 3 });
    const [marked, untouched, staying] = venue.candidateIds as [string, string, string];
    const at = new Date().toISOString();
    const acked = (await db.selectFrom('device').select('acked_seq').where('device_id', '=', venue.hub.deviceId).executeTakeFirstOrThrow()).acked_seq;
    const pushed = await venue.hub.push(outboxEvents(venue.hub.deviceId, acked + 1, [{ kind: 'attendance.marked', entityId: marked, payload: { candidateId: marked, sessionId: venue.sessionId, status: 'present', at, markedBy: 'invigilator' } }]));
    expect(pushed.status).toBe(200);
    await central.admin.ok('PUT', `/v1/admin/sessions/${venue.sessionId}/roster`, { candidates: [{ candidateId: staying, givenName: 'Anna', familyName: 'Bērziņa 3', personalCode: '030303-10012', level: 'A2' }] });
    expect(await db.selectFrom('candidate').select('candidate_id').where('session_id', '=', venue.sessionId).where('removed', '=', true).orderBy('candidate_id').execute()).toEqual([{ candidate_id: marked }, { candidate_id: untouched }]);
    const bundle = await bundleOf(central, venue.sessionId);
    expect(bundle.receipts.map((r) => r.receipt.candidate.candidateId)).toEqual([marked, staying]);
    expect(bundle.receipts[0]!.receipt.attendance).toMatchObject({ status: 'present' });
    // And a certificate over that bundle is taken: the removed one may be named, the one left out is not missed.
    const signed = signDeletionCertificate(certificateOf(venue, bundle.receipts), venue.hub.privateKey);
    expect((await importByAdmin(central, signed)).status).toBe(201);
  });

  it('is written by the CLI export in the same shape, to a file only its owner reads, and an unknown session is refused there with exit 1', async ({ central, venue }) => {
    const file = join(folder, 'receipts-RIX01.json');
    const exported = await cli(central, ['export-receipts', venue.sessionId, file]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    const bundle = ReceiptBundle.parse(JSON.parse(text));
    expect(bundle).toMatchObject({ formatVersion: 1, sessionId: venue.sessionId, venueCode: 'RIX01' });
    const viaHttp = await bundleOf(central, venue.sessionId);
    expect(bundle.receipts.map((r) => r.receipt.candidate.candidateId)).toEqual(viaHttp.receipts.map((r) => r.receipt.candidate.candidateId));
    expect(bundle.receipts.map((r) => receiptSha256(r))).toEqual(viaHttp.receipts.map((r) => receiptSha256(r)));
    const key = await receiptKey(central);
    for (const signed of bundle.receipts) expect(verifyReceipt(signed, key)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder).filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(JSON.parse(exported.stdout.split('\n')[0]!)).toEqual({ file, sessionId: venue.sessionId, venueCode: 'RIX01', issuedAt: bundle.issuedAt, receipts: 3, bytes: Buffer.byteLength(text), sha256: sha256(text) });
    expect(exported.stdout).toContain('3 receipts of session S-RIX01');

    const refused = await cli(central, ['export-receipts', 'S-NONE', join(folder, 'none.json')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('NOT_FOUND');
    expect(refused.stderr).toContain(ERROR_CATALOGUE.NOT_FOUND.en);
    expect(refused.stderr).toContain(ERROR_CATALOGUE.NOT_FOUND.lv);
    expect(readdirSync(folder)).not.toContain('none.json');
  });
});

describe('a deletion certificate brought on USB', () => {
  it('is stored as the named device sent it, shown to the agency, audited with the admin who imported it; importing it again is the same certificate', async ({ central, db, venue }) => {
    const bundle = await bundleOf(central, venue.sessionId);
    const signed = signDeletionCertificate(certificateOf(venue, bundle.receipts), venue.hub.privateKey);
    // As the hub wrote it to the stick (exportCertificates: pretty JSON), read back.
    const asWritten: unknown = JSON.parse(`${JSON.stringify(signed, null, 2)}\n`);
    const imported = await importByAdmin(central, asWritten);
    expect(imported.status).toBe(201);
    expect(imported.body).toMatchObject({ certificateId: signed.certificate.certificateId, sessionId: venue.sessionId, venueCode: 'RIX01', deviceId: venue.hub.deviceId, deviceName: 'hub of RIX01', signature: signed.signature });
    expect(imported.body.certificate).toEqual(signed.certificate);

    const listed = await central.admin.ok<{ certificates: (StoredDeletionCertificate & { centreCheck: unknown[] })[] }>('GET', `/v1/admin/sessions/${venue.sessionId}/deletion-certificates`);
    expect(listed.certificates.find((c) => c.certificateId === signed.certificate.certificateId)).toEqual({ ...imported.body, centreCheck: expect.any(Array) });

    const byCertificate = (rows: { detail: unknown }[]) => rows.filter((r) => (r.detail as { certificateId?: string }).certificateId === signed.certificate.certificateId);
    expect(byCertificate(await audited(db, 'deletion-certificate.received'))).toEqual([expect.objectContaining({ actor_kind: 'device', actor_id: venue.hub.deviceId, subject: venue.sessionId })]);
    expect(byCertificate(await audited(db, 'deletion-certificate.imported'))).toEqual([
      { actor_kind: 'admin', actor_id: ADMIN_ACTOR, subject: venue.sessionId, detail: { certificateId: signed.certificate.certificateId, certificateSha256: imported.body.certificateSha256, deviceId: venue.hub.deviceId, created: true } },
    ]);

    // The same file again, and the hub's own send later: the stored certificate, still one row.
    const again = await importByAdmin(central, asWritten);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(imported.body);
    expect((await venue.hub.call('POST', '/v1/deletion-certificates', signed)).status).toBe(200);
    expect(await storedIds(db, signed.certificate.certificateId)).toHaveLength(1);
    expect(byCertificate(await audited(db, 'deletion-certificate.imported')).map((r) => (r.detail as { created: boolean }).created)).toEqual([true, false]);
  });

  it('is refused when changed after signing, when it names a device the centre never enrolled, and when its device was revoked; each refusal audited with the importer', async ({ central, db, venue }) => {
    const bundle = await bundleOf(central, venue.sessionId);
    const signed = signDeletionCertificate(certificateOf(venue, bundle.receipts), venue.hub.privateKey);
    const tampered: SignedDeletionCertificate = { ...signed, certificate: { ...signed.certificate, orderedBy: 'someone.else' } };
    const refused = await importByAdmin(central, tampered);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'DELETION_CERTIFICATE_SIGNATURE_INVALID', message: { lv: ERROR_CATALOGUE.DELETION_CERTIFICATE_SIGNATURE_INVALID.lv, en: ERROR_CATALOGUE.DELETION_CERTIFICATE_SIGNATURE_INVALID.en } });
    expect(await storedIds(db, signed.certificate.certificateId)).toEqual([]);

    // A device this centre never enrolled: a key of its own, an id of its own.
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const strangerId = randomUUID();
    const unknown = signDeletionCertificate(certificateOf(venue, bundle.receipts, strangerId), stranger);
    const unknownRefused = await importByAdmin(central, unknown);
    expect(unknownRefused.status).toBe(422);
    expect(unknownRefused.body).toMatchObject({ code: 'DELETION_CERTIFICATE_DEVICE_UNKNOWN', message: { en: ERROR_CATALOGUE.DELETION_CERTIFICATE_DEVICE_UNKNOWN.en } });
    expect(unknownRefused.body.detail).toContain(strangerId);
    expect(await storedIds(db, unknown.certificate.certificateId)).toEqual([]);

    // A second hub of the venue: its certificate is taken while it is enrolled, and refused once it is revoked.
    const { code } = await central.admin.ok<{ code: string }>('POST', `/v1/admin/venues/${venue.venueId}/enrollment-codes`);
    const spare = new HubClient(central.url);
    expect((await spare.enroll(code, 'spare hub')).status).toBe(201);
    const beforeRevocation = signDeletionCertificate(certificateOf(venue, bundle.receipts, spare.deviceId), spare.privateKey);
    expect((await importByAdmin(central, beforeRevocation)).status).toBe(201);
    await central.admin.ok('POST', `/v1/admin/devices/${spare.deviceId}/revoke`, { reason: 'laptop stolen' });
    const afterRevocation = signDeletionCertificate(certificateOf(venue, bundle.receipts, spare.deviceId), spare.privateKey);
    const revokedRefused = await importByAdmin(central, afterRevocation);
    expect(revokedRefused.status).toBe(422);
    expect(revokedRefused.body.code).toBe('DELETION_CERTIFICATE_DEVICE_REVOKED');
    expect(await storedIds(db, afterRevocation.certificate.certificateId)).toEqual([]);

    // Not a certificate at all.
    const malformed = await importByAdmin(central, { certificate: { ...signed.certificate, formatVersion: 2 }, signature: signed.signature });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('VALIDATION_FAILED');

    const refusals = await audited(db, 'deletion-certificate.import-refused');
    const codeOf = (certificateId: string) => refusals.filter((r) => (r.detail as { certificateId?: string }).certificateId === certificateId).map((r) => [r.actor_kind, r.actor_id, (r.detail as { code: string }).code]);
    expect(codeOf(signed.certificate.certificateId)).toEqual([['admin', ADMIN_ACTOR, 'DELETION_CERTIFICATE_SIGNATURE_INVALID']]);
    expect(codeOf(unknown.certificate.certificateId)).toEqual([['admin', ADMIN_ACTOR, 'DELETION_CERTIFICATE_DEVICE_UNKNOWN']]);
    expect(codeOf(afterRevocation.certificate.certificateId)).toEqual([['admin', ADMIN_ACTOR, 'DELETION_CERTIFICATE_DEVICE_REVOKED']]);
    expect(await central.admin.ok('GET', '/v1/admin/audit/verify')).toMatchObject({ ok: true });
  });

  it('is imported through the CLI the same way, again as already held, and refused there with the message and exit 1', async ({ central, db, venue }) => {
    const bundle = await bundleOf(central, venue.sessionId);
    const signed = signDeletionCertificate(certificateOf(venue, bundle.receipts), venue.hub.privateKey);
    const file = join(folder, `deletion-${venue.sessionId}-${signed.certificate.certificateId}.json`);
    writeFileSync(file, `${JSON.stringify(signed, null, 2)}\n`);

    const tamperedFile = join(folder, 'tampered.json');
    writeFileSync(tamperedFile, JSON.stringify({ ...signed, certificate: { ...signed.certificate, orderedBy: 'someone.else' } }));
    const refused = await cli(central, ['import-deletion-certificate', tamperedFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('DELETION_CERTIFICATE_SIGNATURE_INVALID');
    expect(refused.stderr).toContain(ERROR_CATALOGUE.DELETION_CERTIFICATE_SIGNATURE_INVALID.en);
    expect(refused.stderr).toContain(ERROR_CATALOGUE.DELETION_CERTIFICATE_SIGNATURE_INVALID.lv);
    expect(await storedIds(db, signed.certificate.certificateId)).toEqual([]);

    const unknownFile = join(folder, 'unknown.json');
    writeFileSync(unknownFile, JSON.stringify(signDeletionCertificate(certificateOf(venue, bundle.receipts, randomUUID()), generateKeyPairSync('ed25519').privateKey)));
    const unknown = await cli(central, ['import-deletion-certificate', unknownFile]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('DELETION_CERTIFICATE_DEVICE_UNKNOWN');

    const cut = join(folder, 'cut.json');
    writeFileSync(cut, JSON.stringify(signed).slice(0, 200));
    const notJson = await cli(central, ['import-deletion-certificate', cut]);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('BODY_NOT_JSON');

    const imported = await cli(central, ['import-deletion-certificate', file]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout.split('\n')[0]!)).toMatchObject({ created: true, certificateId: signed.certificate.certificateId, sessionId: venue.sessionId, venueCode: 'RIX01', deviceId: venue.hub.deviceId });
    expect(await storedIds(db, signed.certificate.certificateId)).toHaveLength(1);
    const again = await cli(central, ['import-deletion-certificate', file]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout.split('\n')[0]!)).toMatchObject({ created: false, certificateId: signed.certificate.certificateId });
    expect(again.stdout).toContain('already held');
    const imports = (await audited(db, 'deletion-certificate.imported')).filter((r) => (r.detail as { certificateId?: string }).certificateId === signed.certificate.certificateId);
    expect(imports.map((r) => [r.actor_kind, r.actor_id, (r.detail as { created: boolean }).created])).toEqual([
      ['system', 'cli import-deletion-certificate', true],
      ['system', 'cli import-deletion-certificate', false],
    ]);
    // The agency sees it like any other.
    const listed = await central.admin.ok<{ certificates: StoredDeletionCertificate[] }>('GET', `/v1/admin/sessions/${venue.sessionId}/deletion-certificates`);
    expect(listed.certificates.map((c) => c.certificateId)).toContain(signed.certificate.certificateId);
  });
});
