// Deletion certificates at the centre, against a real PostgreSQL and real HTTP: a hub whose every
// receipt matched purges the session and sends the certificate it signed; the centre keeps it and the
// agency sees it. A resend is the same certificate, another body under its id is refused, and so is a
// certificate not signed by the sending hub, another hub's, one of another venue's session, one that
// leaves a candidate out, and one whose receipt is not what the centre holds: that last one is an
// alarm (the venue deleted what the centre does not hold) and is in the audit trail.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { deletionEntry, type DeletionCertificate, type SignedDeletionCertificate } from '../../src-shared/contracts/deletion-certificate.ts';
import { deletionItem, receiptSha256, signDeletionCertificate } from '../../src-shared/node/deletion-certificate.ts';
import { publicKeyFromBase64 } from '../../src-shared/node/request-signing.ts';
import { sealAudit } from '../../src-server/audit.ts';
import type { CentralDb } from '../../src-server/db/database.ts';
import { acceptDeletionCertificate, type StoredDeletionCertificate } from '../../src-server/deletion-certificates.ts';
import { verifyReceipt, type SignedReceipt } from '../../src-server/receipts.ts';
import { buildMiniPackage, makeKeys } from '../support/fixtures.ts';
import { centralTest } from './support/central-test.ts';
import { makeVenue, outboxEvents, type TestServer, type TestVenue } from './support/harness.ts';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

interface Held {
  attemptId: string;
  recordingId: string;
  audio: Uint8Array;
}

/**
 * What a venue's hub sends before it may purge: the first candidate's attempt with two revisions of an
 * answer and a speaking take whose audio is uploaded, both candidates' attendance.
 */
async function sendResults(db: CentralDb, venue: TestVenue): Promise<Held> {
  const attemptId = randomUUID();
  const recordingId = randomUUID();
  const audio = randomBytes(20_000);
  const [first, second] = venue.candidateIds as [string, string];
  const at = new Date().toISOString();
  const acked = (await db.selectFrom('device').select('acked_seq').where('device_id', '=', venue.hub.deviceId).executeTakeFirstOrThrow()).acked_seq;
  const pushed = await venue.hub.push(
    outboxEvents(venue.hub.deviceId, acked + 1, [
      { kind: 'attempt.opened', entityId: attemptId, payload: { attemptId, candidateId: first, packageId: venue.packageId, openedAt: at } },
      { kind: 'response.saved', entityId: attemptId, payload: { attemptId, itemId: 'l1-q1', revision: 1, value: { type: 'single-choice', optionId: 'a' }, savedAt: at } },
      { kind: 'response.saved', entityId: attemptId, payload: { attemptId, itemId: 'l1-q1', revision: 2, value: { type: 'single-choice', optionId: 'b' }, savedAt: at } },
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
  return { attemptId, recordingId, audio };
}

/** The hub's side: fetch each candidate's receipt, verify the centre's signature, keep its hash. */
async function verifiedReceipts(central: TestServer, venue: TestVenue): Promise<{ candidateId: string; receipt: SignedReceipt }[]> {
  const keys = await fetch(`${central.url}/v1/receipt-keys`).then((r) => r.json() as Promise<{ keys: { publicKeySpki: string }[] }>);
  return Promise.all(
    venue.candidateIds.map(async (candidateId) => {
      const response = await venue.hub.call<SignedReceipt>('GET', `/v1/receipts/${candidateId}`);
      expect(response.status).toBe(200);
      expect(verifyReceipt(response.body, keys.keys[0]!.publicKeySpki)).toBe(true);
      return { candidateId, receipt: response.body };
    }),
  );
}

/** The certificate a hub writes after it and its one seat deleted what `held` names. */
function certificateOf(venue: TestVenue, held: Held, receipts: { candidateId: string; receipt: SignedReceipt }[]): DeletionCertificate {
  const now = Date.now();
  const deletion = [
    deletionItem('candidates', venue.candidateIds.map((candidateId) => deletionEntry('candidates', { candidateId }))),
    deletionItem('attempts', [deletionEntry('attempts', { attemptId: held.attemptId })]),
    deletionItem('responses', [deletionEntry('responses', { attemptId: held.attemptId, itemId: 'l1-q1', revision: 2 })]),
    deletionItem('response-revisions', [1, 2].map((revision) => deletionEntry('response-revisions', { attemptId: held.attemptId, itemId: 'l1-q1', revision }))),
    deletionItem('recordings', [deletionEntry('recordings', { recordingId: held.recordingId, sha256: sha256(held.audio) })], held.audio.length),
    deletionItem('attendance', venue.candidateIds.map((candidateId, i) => deletionEntry('attendance', { candidateId, status: i === 0 ? 'present' : 'absent' }))),
    // Nothing of these kinds was held: the empty manifest of each.
    deletionItem('audio-segments', [], 0),
    deletionItem('timer-events', []),
    deletionItem('audio-plays', []),
    deletionItem('incidents', []),
  ];
  return {
    formatVersion: 1,
    certificateId: randomUUID(),
    sessionId: venue.sessionId,
    venueCode: venue.code,
    deviceId: venue.hub.deviceId,
    orderedBy: 'centre.staff',
    orderedAt: new Date(now - 60_000).toISOString(),
    issuedAt: new Date(now).toISOString(),
    receipts: receipts.map(({ candidateId, receipt }) => ({ candidateId, receiptId: receipt.receipt.receiptId, receiptSha256: receiptSha256(receipt) })),
    stations: [
      { deviceId: 'hub-room-1', role: 'hub', deletedAt: new Date(now - 30_000).toISOString(), items: deletion },
      { deviceId: 'seat-01', role: 'seat', deletedAt: new Date(now - 40_000).toISOString(), items: deletion.filter((i) => i.kind !== 'candidates') },
    ],
  };
}

const send = (venue: TestVenue, signed: unknown) => venue.hub.call<StoredDeletionCertificate & { code?: string; candidateIds?: string[]; detail?: string }>('POST', '/v1/deletion-certificates', signed);

const auditOf = async (db: CentralDb, action: string, certificateId: string) => {
  await sealAudit(db);
  const rows = await db.selectFrom('audit_log').select(['actor_id', 'subject', 'detail']).where('action', '=', action).execute();
  return rows.filter((r) => (r.detail as { certificateId?: string }).certificateId === certificateId);
};

const it = centralTest
  .extend('packageId', { scope: 'file' }, ({ central }) => central.admin.publishPackage(buildMiniPackage(makeKeys())))
  .extend('venue', { scope: 'file' }, ({ central, packageId }) => makeVenue(central, 'RIX01', packageId, 'mini-a2'))
  .extend('other', { scope: 'file' }, ({ central, packageId }) => makeVenue(central, 'DGP01', packageId, 'mini-a2'))
  .extend('held', { scope: 'file' }, ({ db, venue }) => sendResults(db, venue));

describe('a deletion certificate', () => {
  it('is kept when every receipt matches, shown to the agency, audited, and a resend is the same certificate', async ({ central, db, venue, held }) => {
    const signed = signDeletionCertificate(certificateOf(venue, held, await verifiedReceipts(central, venue)), venue.hub.privateKey);
    const accepted = await send(venue, signed);
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({ certificateId: signed.certificate.certificateId, sessionId: venue.sessionId, venueCode: 'RIX01', deviceId: venue.hub.deviceId, deviceName: 'hub of RIX01', signature: signed.signature });
    expect(accepted.body.certificate).toEqual(signed.certificate);
    const row = await db.selectFrom('deletion_certificate').selectAll().where('certificate_id', '=', signed.certificate.certificateId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ device_id: venue.hub.deviceId, venue_id: venue.venueId, session_id: venue.sessionId, signature: signed.signature });
    expect(await auditOf(db, 'deletion-certificate.received', signed.certificate.certificateId)).toEqual([
      expect.objectContaining({ actor_id: venue.hub.deviceId, subject: venue.sessionId, detail: expect.objectContaining({ orderedBy: 'centre.staff', candidates: 2 }) }),
    ]);

    // The agency sees it per session and among the recent ones.
    const perSession = await central.admin.ok<{ certificates: StoredDeletionCertificate[] }>('GET', `/v1/admin/sessions/${venue.sessionId}/deletion-certificates`);
    expect(perSession.certificates.map((c) => c.certificateId)).toContain(signed.certificate.certificateId);
    expect(perSession.certificates.find((c) => c.certificateId === signed.certificate.certificateId)).toEqual({ ...accepted.body, centreCheck: expect.any(Array) });
    const recent = await central.admin.ok<{ certificates: StoredDeletionCertificate[] }>('GET', '/v1/admin/deletion-certificates');
    expect(recent.certificates[0]).toEqual(accepted.body);
    expect((await central.admin.call('GET', '/v1/admin/sessions/S-NONE/deletion-certificates')).status).toBe(404);
    // The agency's own check: the hub's manifests, kind by kind, are the ones the centre builds from its rows.
    const checks = (perSession.certificates.find((c) => c.certificateId === signed.certificate.certificateId) as unknown as { centreCheck: { stationDeviceId: string; kind: string; matches: boolean }[] }).centreCheck;
    expect(checks.map((c) => c.kind).sort()).toEqual(['attempts', 'attendance', 'audio-plays', 'audio-segments', 'incidents', 'recordings', 'response-revisions', 'responses', 'timer-events']);
    expect(checks.filter((c) => !c.matches)).toEqual([]);
    expect(new Set(checks.map((c) => c.stationDeviceId))).toEqual(new Set(['hub-room-1']));

    // The same certificate again: 200 with the stored one, and still one row.
    const again = await send(venue, signed);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(accepted.body);
    expect(await db.selectFrom('deletion_certificate').select('certificate_id').where('certificate_id', '=', signed.certificate.certificateId).execute()).toHaveLength(1);
    expect(await auditOf(db, 'deletion-certificate.resent', signed.certificate.certificateId)).toHaveLength(1);
  });

  it('is kept when a name was corrected on the roster after the hub read the receipts: the names are the centre\'s, not what the venue sent', async ({ central, venue, held }) => {
    const signed = signDeletionCertificate(certificateOf(venue, held, await verifiedReceipts(central, venue)), venue.hub.privateKey);
    const roster = venue.candidateIds.map((candidateId, i) => ({ candidateId, givenName: 'Anna', familyName: `Bērziņa-Kalniņa ${i + 1}`, personalCode: ['150785-12340', '161175-19997'][i], level: 'A2' }));
    await central.admin.ok('PUT', `/v1/admin/sessions/${venue.sessionId}/roster`, { candidates: roster });
    const renamed = await venue.hub.call<SignedReceipt>('GET', `/v1/receipts/${venue.candidateIds[0]}`);
    expect(renamed.body.receipt.candidate.familyName).toBe('Bērziņa-Kalniņa 1');
    expect((await send(venue, signed)).status).toBe(201);
  });

  it("shows the agency where a hub's manifest differs from what the centre holds, kind by kind", async ({ central, venue, held }) => {
    const certificate = certificateOf(venue, held, await verifiedReceipts(central, venue));
    // The hub certifies only the latest revision among all the revisions it deleted: not what the centre holds.
    const hub = certificate.stations[0]!;
    hub.items = hub.items.map((i) => (i.kind === 'response-revisions' ? deletionItem('response-revisions', [deletionEntry('response-revisions', { attemptId: held.attemptId, itemId: 'l1-q1', revision: 2 })]) : i));
    const signed = signDeletionCertificate(certificate, venue.hub.privateKey);
    expect((await send(venue, signed)).status).toBe(201);
    const listed = await central.admin.ok<{ certificates: (StoredDeletionCertificate & { centreCheck: { kind: string; matches: boolean; certified: { count: number } | null; centre: { count: number } }[] })[] }>(
      'GET',
      `/v1/admin/sessions/${venue.sessionId}/deletion-certificates`,
    );
    const checks = listed.certificates.find((c) => c.certificateId === certificate.certificateId)!.centreCheck;
    expect(checks.filter((c) => !c.matches)).toEqual([expect.objectContaining({ kind: 'response-revisions', certified: expect.objectContaining({ count: 1 }), centre: expect.objectContaining({ count: 2 }) })]);
  });

  it('refuses another body under a held id with 409 CONFLICT, and the first stands', async ({ central, db, venue, held }) => {
    const first = signDeletionCertificate(certificateOf(venue, held, await verifiedReceipts(central, venue)), venue.hub.privateKey);
    expect((await send(venue, first)).status).toBe(201);
    const changed = signDeletionCertificate({ ...first.certificate, orderedBy: 'someone.else' }, venue.hub.privateKey);
    const refused = await send(venue, changed);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'CONFLICT', message: { lv: expect.any(String), en: expect.any(String) } });
    const row = await db.selectFrom('deletion_certificate').select('certificate').where('certificate_id', '=', first.certificate.certificateId).executeTakeFirstOrThrow();
    expect(row.certificate).toMatchObject({ orderedBy: 'centre.staff' });
    expect(await auditOf(db, 'deletion-certificate.refused', first.certificate.certificateId)).toEqual([expect.objectContaining({ detail: expect.objectContaining({ code: 'CONFLICT' }) })]);
  });

  it('refuses a certificate whose signature does not verify with the sending hub key: changed after signing, or signed by another hub', async ({ central, db, venue, other, held }) => {
    const certificate = certificateOf(venue, held, await verifiedReceipts(central, venue));
    const signed = signDeletionCertificate(certificate, venue.hub.privateKey);
    const altered: SignedDeletionCertificate = { ...signed, certificate: { ...signed.certificate, stations: signed.certificate.stations.slice(0, 1) } };
    const byOther = signDeletionCertificate(certificate, other.hub.privateKey);
    for (const bad of [altered, byOther]) {
      const refused = await send(venue, bad);
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('DELETION_CERTIFICATE_SIGNATURE_INVALID');
    }
    // A signature that is not a signature at all is not of the format.
    expect((await send(venue, { ...signed, signature: 'abc' })).body.code).toBe('VALIDATION_FAILED');
    expect(await db.selectFrom('deletion_certificate').select('certificate_id').where('certificate_id', '=', certificate.certificateId).execute()).toEqual([]);
  });

  it("refuses another hub's own certificate sent by this hub: a device sends only its own", async ({ central, db, venue, other }) => {
    const theirs = signDeletionCertificate(certificateOf(other, await sendResults(db, other), await verifiedReceipts(central, other)), other.hub.privateKey);
    const refused = await send(venue, theirs);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('DELETION_CERTIFICATE_FOREIGN');
    expect(await auditOf(db, 'deletion-certificate.refused', theirs.certificate.certificateId)).toEqual([
      expect.objectContaining({ actor_id: venue.hub.deviceId, detail: expect.objectContaining({ code: 'DELETION_CERTIFICATE_FOREIGN', namedDeviceId: other.hub.deviceId }) }),
    ]);
  });

  it("answers 404 for another venue's session, as everywhere", async ({ central, venue, other, held }) => {
    const certificate = { ...certificateOf(venue, held, await verifiedReceipts(central, venue)), sessionId: other.sessionId };
    const refused = await send(venue, signDeletionCertificate(certificate, venue.hub.privateKey));
    expect(refused.status).toBe(404);
    expect(refused.body.code).toBe('NOT_FOUND');
  });

  it('refuses, audited, a receipt that is not what the centre holds: the hub claims a revision the centre never received', async ({ central, db, venue, held }) => {
    const receipts = await verifiedReceipts(central, venue);
    const [first, second] = venue.candidateIds as [string, string];
    // The hub held revision 3, which never reached the centre, and purged it.
    const claimed = receipts.map((r) => {
      if (r.candidateId !== first) return r;
      const receipt = structuredClone(r.receipt);
      receipt.receipt.attempts[0]!.responses[0]!.revision = 3;
      return { ...r, receipt };
    });
    const signed = signDeletionCertificate(certificateOf(venue, held, claimed), venue.hub.privateKey);
    const refused = await send(venue, signed);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'RECEIPT_MISMATCH', candidateIds: [first] });
    expect(refused.body.detail).toContain(first);
    expect(refused.body.detail).not.toContain(second);
    expect(await db.selectFrom('deletion_certificate').select('certificate_id').where('certificate_id', '=', signed.certificate.certificateId).execute()).toEqual([]);
    const audited = await auditOf(db, 'deletion-certificate.receipt-mismatch', signed.certificate.certificateId);
    expect(audited).toEqual([
      expect.objectContaining({
        actor_id: venue.hub.deviceId,
        subject: venue.sessionId,
        detail: expect.objectContaining({ code: 'RECEIPT_MISMATCH', mismatches: [{ candidateId: first, claimed: receiptSha256(claimed[0]!.receipt), held: receiptSha256(receipts[0]!.receipt) }] }),
      }),
    ]);
    // The audit chain holds with the alarm in it.
    expect(await central.admin.ok('GET', '/v1/admin/audit/verify')).toMatchObject({ ok: true });
  });

  it("refuses a receipt that was true when the hub read it but not now: audio the centre no longer holds", async ({ central, db, venue, held }) => {
    const receipts = await verifiedReceipts(central, venue);
    const signed = signDeletionCertificate(certificateOf(venue, held, receipts), venue.hub.privateKey);
    // The object is gone from storage (lost, restored from an older backup): the centre no longer certifies the audio.
    const recording = await db.selectFrom('recording').select('blob_key').where('recording_id', '=', held.recordingId).executeTakeFirstOrThrow();
    const object = join(central.dataDir, 'storage', 'objects', recording.blob_key!);
    renameSync(object, `${object}.away`);
    try {
      const refused = await send(venue, signed);
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'RECEIPT_MISMATCH', candidateIds: [venue.candidateIds[0]] });
    } finally {
      renameSync(`${object}.away`, object);
    }
    expect((await send(venue, signed)).status).toBe(201);
  });

  it('refuses a certificate that leaves a candidate of the roster out, or names one of another session', async ({ central, db, venue, other, held }) => {
    const receipts = await verifiedReceipts(central, venue);
    const [, second] = venue.candidateIds as [string, string];
    const missing = signDeletionCertificate(certificateOf(venue, held, receipts.filter((r) => r.candidateId !== second)), venue.hub.privateKey);
    const refused = await send(venue, missing);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'DELETION_ROSTER_MISMATCH', candidateIds: [second] });
    expect(refused.body.detail).toContain(`not named: ${second}`);

    const stranger = { ...receipts[0]!, candidateId: other.candidateIds[0]! };
    const foreign = signDeletionCertificate(certificateOf(venue, held, [...receipts, stranger]), venue.hub.privateKey);
    const alsoRefused = await send(venue, foreign);
    expect(alsoRefused.body).toMatchObject({ code: 'DELETION_ROSTER_MISMATCH', candidateIds: [other.candidateIds[0]] });
    expect(await auditOf(db, 'deletion-certificate.refused', missing.certificate.certificateId)).toEqual([expect.objectContaining({ detail: expect.objectContaining({ code: 'DELETION_ROSTER_MISMATCH', missing: [second] }) })]);
  });

  it('is taken by acceptDeletionCertificate with the same checks, for the USB import', async ({ central, db, venue, held }) => {
    const device = { deviceId: venue.hub.deviceId, venueId: venue.venueId, publicKey: publicKeyFromBase64(venue.hub.publicKey) };
    const signed = signDeletionCertificate(certificateOf(venue, held, await verifiedReceipts(central, venue)), venue.hub.privateKey);
    const ctx = central.server.ctx;
    await expect(acceptDeletionCertificate(ctx, device, { ...signed, signature: signDeletionCertificate({ ...signed.certificate, orderedBy: 'x' }, venue.hub.privateKey).signature })).rejects.toMatchObject({
      code: 'DELETION_CERTIFICATE_SIGNATURE_INVALID',
    });
    await expect(acceptDeletionCertificate(ctx, device, { certificate: { ...signed.certificate, formatVersion: 2 }, signature: signed.signature })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const first = await acceptDeletionCertificate(ctx, device, signed);
    expect(first).toMatchObject({ created: true, stored: { certificateId: signed.certificate.certificateId } });
    // The same export imported twice, or imported after the hub sent it online: the same certificate.
    expect(await acceptDeletionCertificate(ctx, device, JSON.parse(JSON.stringify(signed)))).toEqual({ created: false, stored: first.stored });
    expect((await send(venue, signed)).status).toBe(200);
    expect(await db.selectFrom('deletion_certificate').select('certificate_id').where('certificate_id', '=', signed.certificate.certificateId).execute()).toHaveLength(1);
  });

  it('lists the recent certificates a page at a time, most recent first, each once', async ({ central, venue, held }) => {
    const receipts = await verifiedReceipts(central, venue);
    for (let i = 0; i < 3; i += 1) expect((await send(venue, signDeletionCertificate(certificateOf(venue, held, receipts), venue.hub.privateKey))).status).toBe(201);
    const all = await central.admin.ok<{ certificates: StoredDeletionCertificate[]; next: string | null }>('GET', '/v1/admin/deletion-certificates?limit=200');
    expect(all.next).toBeNull();
    const seen: string[] = [];
    let before: string | null = null;
    do {
      const query: string = before === null ? '' : `&before=${encodeURIComponent(before)}`;
      const page: { certificates: StoredDeletionCertificate[]; next: string | null } = await central.admin.ok('GET', `/v1/admin/deletion-certificates?limit=2${query}`);
      expect(page.certificates.length).toBeLessThanOrEqual(2);
      seen.push(...page.certificates.map((c) => c.certificateId));
      before = page.next;
    } while (before !== null);
    expect(seen).toEqual(all.certificates.map((c) => c.certificateId));
    expect(new Set(seen).size).toBe(seen.length);
    const times = all.certificates.map((c) => Date.parse(c.receivedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect((await central.admin.call('GET', '/v1/admin/deletion-certificates?before=bm9wZQ')).status).toBe(400);
  });
});
