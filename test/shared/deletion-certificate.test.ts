// The deletion certificate's format, hashes and signature: the manifest hash does not depend on the
// order things were deleted in but on every entry and its kind, a signed certificate verifies only
// with the hub's key and only as signed, and a receipt's hash is the same for two issues of the same
// held data and another for any change.
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DeletionCertificate, deletionEntry, deletionManifestText, SignedDeletionCertificate } from '../../src-shared/contracts/deletion-certificate.ts';
import { deletionItem, deletionManifestSha256, receiptSha256, signDeletionCertificate, verifyDeletionCertificate } from '../../src-shared/node/deletion-certificate.ts';

const hub = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');

function certificate(): DeletionCertificate {
  const attemptId = randomUUID();
  const recordingId = randomUUID();
  return {
    formatVersion: 1,
    certificateId: randomUUID(),
    sessionId: 'S-RIX01',
    venueCode: 'RIX01',
    deviceId: randomUUID(),
    orderedBy: 'centre.staff',
    orderedAt: '2026-12-02T10:00:00.000Z',
    issuedAt: '2026-12-02T10:05:00.000Z',
    receipts: [{ candidateId: 'RIX01-C1', receiptId: randomUUID(), receiptSha256: 'a'.repeat(64) }],
    stations: [
      {
        deviceId: 'hub-room-1',
        role: 'hub',
        deletedAt: '2026-12-02T10:01:00.000Z',
        items: [
          deletionItem('candidates', [deletionEntry('candidates', { candidateId: 'RIX01-C1' })]),
          deletionItem('responses', [deletionEntry('responses', { attemptId, itemId: 'l1-q1', revision: 3 })]),
          deletionItem('recordings', [deletionEntry('recordings', { recordingId, sha256: 'b'.repeat(64) })], 30_000),
        ],
      },
    ],
  };
}

describe('the manifest hash of what a station deleted', () => {
  it('is SHA-256 of the documented text: format line, kind, the entries sorted by UTF-8 bytes, one per line', () => {
    const entries = ['b0 s1-q2 1', 'a9 s1-q1 2', 'a9 s1-q1 10'];
    const text = 'exam-station deletion manifest v1\nresponses\na9 s1-q1 10\na9 s1-q1 2\nb0 s1-q2 1\n';
    expect(deletionManifestText('responses', entries)).toEqual({ text, count: 3 });
    expect(deletionManifestSha256('responses', entries)).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
    // Nothing deleted of a kind still has a hash of its own: the empty manifest of that kind.
    expect(deletionItem('incidents', [])).toEqual({ kind: 'incidents', count: 0, sha256: createHash('sha256').update('exam-station deletion manifest v1\nincidents\n').digest('hex') });
  });

  it('does not depend on the order of deletion, and changes with any entry, the count or the kind', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `RIX01-C${i}`);
    const shuffled = [...ids].sort(() => Math.random() - 0.5);
    const base = deletionManifestSha256('candidates', ids);
    expect(deletionManifestSha256('candidates', shuffled)).toBe(base);
    expect(deletionManifestSha256('candidates', [...ids].reverse())).toBe(base);
    expect(deletionManifestSha256('candidates', ids.slice(1))).not.toBe(base);
    expect(deletionManifestSha256('candidates', [...ids.slice(1), 'RIX01-C99'])).not.toBe(base);
    expect(deletionManifestSha256('check-ins', ids)).not.toBe(base);
  });

  it('sorts by bytes, not by the locale, so any implementation (sort under LC_ALL=C, COLLATE "C") gets the same text', () => {
    expect(deletionManifestText('incidents', ['ž', 'z', 'Z', 'a']).text.split('\n').slice(2, 6)).toEqual(['Z', 'a', 'z', 'ž']);
  });

  it('refuses an entry twice, an entry of the wrong shape and an item whose audio bytes are missing or out of place', () => {
    expect(() => deletionManifestText('candidates', ['C1', 'C1'])).toThrow(/twice/);
    expect(() => deletionManifestText('responses', ['attempt item'])).toThrow(/3 field/);
    expect(() => deletionManifestText('candidates', ['C 1'])).toThrow(/1 field/);
    expect(() => deletionEntry('incidents', { incidentId: 'with space' })).toThrow(/without spaces/);
    expect(deletionEntry('recordings', { recordingId: 'r1', sha256: null })).toBe('r1 -');
    expect(() => deletionItem('recordings', ['r1 -'])).toThrow(/bytes/);
    expect(() => deletionItem('attempts', ['a1'], 10)).toThrow(/no bytes/);
  });
});

describe('a signed deletion certificate', () => {
  it('verifies with the hub key it was signed with, and not with another', () => {
    const signed = signDeletionCertificate(certificate(), hub.privateKey);
    expect(SignedDeletionCertificate.parse(signed)).toEqual(signed);
    expect(verifyDeletionCertificate(signed, hub.publicKey)).toBe(true);
    expect(verifyDeletionCertificate(signed, other.publicKey)).toBe(false);
    // A JSON round trip with the keys in another order is the same certificate.
    const reordered = JSON.parse(JSON.stringify({ signature: signed.signature, certificate: Object.fromEntries(Object.entries(signed.certificate).reverse()) })) as unknown;
    expect(verifyDeletionCertificate(reordered, hub.publicKey)).toBe(true);
  });

  it('detects any change after signing: a count, a hash, a receipt, a time, the ordering person', () => {
    const signed = signDeletionCertificate(certificate(), hub.privateKey);
    const tampered: ((c: DeletionCertificate) => void)[] = [
      (c) => void (c.stations[0]!.items[0]!.count = 2),
      (c) => void (c.stations[0]!.items[1]!.sha256 = 'c'.repeat(64)),
      (c) => void (c.receipts[0]!.receiptSha256 = 'd'.repeat(64)),
      (c) => void (c.stations[0]!.deletedAt = '2026-12-02T10:02:00.000Z'),
      (c) => void (c.orderedBy = 'someone.else'),
      (c) => void c.stations[0]!.items.pop(),
    ];
    for (const change of tampered) {
      const copy = structuredClone(signed);
      change(copy.certificate);
      expect(verifyDeletionCertificate(copy, hub.publicKey)).toBe(false);
    }
    expect(verifyDeletionCertificate({ ...signed, signature: Buffer.alloc(64).toString('base64') }, hub.publicKey)).toBe(false);
    expect(verifyDeletionCertificate({ ...signed, extra: true }, hub.publicKey)).toBe(false);
  });

  it('is strict: unknown fields and kinds, a kind twice, a candidate twice and times out of order are refused', () => {
    const base = certificate();
    const refused: unknown[] = [
      { ...base, note: 'x' },
      { ...base, formatVersion: 2 },
      { ...base, stations: [{ ...base.stations[0]!, items: [{ kind: 'photos', count: 1, sha256: 'a'.repeat(64) }] }] },
      { ...base, stations: [{ ...base.stations[0]!, items: [base.stations[0]!.items[0]!, base.stations[0]!.items[0]!] }] },
      { ...base, receipts: [base.receipts[0]!, base.receipts[0]!] },
      { ...base, stations: [base.stations[0]!, base.stations[0]!] },
      { ...base, orderedAt: '2026-12-02T11:00:00.000Z' },
      { ...base, stations: [{ ...base.stations[0]!, deletedAt: '2026-12-02T09:00:00.000Z' }] },
      { ...base, receipts: [] },
    ];
    for (const candidate of refused) expect(DeletionCertificate.safeParse(candidate).success, JSON.stringify(candidate).slice(0, 80)).toBe(false);
    expect(() => signDeletionCertificate({ ...base, note: 'x' } as DeletionCertificate, hub.privateKey)).toThrow();
    expect(DeletionCertificate.safeParse(base).success).toBe(true);
  });
});

describe('the receipt hash', () => {
  const receipt = (issue: { receiptId: string; issuedAt: string }, revision = 2) => ({
    ...issue,
    venueCode: 'RIX01',
    candidate: { candidateId: 'RIX01-C1', sessionId: 'S-RIX01', givenName: 'Anna', familyName: 'Bērziņa' },
    attendance: null,
    attempts: [{ attemptId: 'a1', responses: [{ itemId: 'l1-q1', revision, savedAt: '2026-12-02T09:00:00.000Z' }] }],
    incidents: [],
  });

  it('is the same for two issues of the same held data (another id and time), signed or not, and differs for another revision', () => {
    const first = receipt({ receiptId: randomUUID(), issuedAt: '2026-12-02T10:00:00.000Z' });
    const second = receipt({ receiptId: randomUUID(), issuedAt: '2026-12-02T12:00:00.000Z' });
    expect(receiptSha256({ receipt: first })).toBe(receiptSha256(second));
    expect(receiptSha256(receipt({ receiptId: first.receiptId, issuedAt: first.issuedAt }, 3))).not.toBe(receiptSha256(first));
    expect(receiptSha256({ ...first, venueCode: 'DGP01' })).not.toBe(receiptSha256(first));
    expect(receiptSha256({ ...first, candidate: { ...first.candidate, candidateId: 'RIX01-C2' } })).not.toBe(receiptSha256(first));
    // The hash of the canonical JSON of the documented part.
    const stable = { attempts: first.attempts, attendance: null, candidate: { candidateId: 'RIX01-C1', sessionId: 'S-RIX01' }, incidents: [], venueCode: 'RIX01' };
    expect(receiptSha256(first)).toBe(createHash('sha256').update(JSON.stringify(stable)).digest('hex'));
  });

  it("leaves out the candidate's names, which the centre writes: a name corrected on the roster is the same held data", () => {
    const issue = { receiptId: randomUUID(), issuedAt: '2026-12-02T10:00:00.000Z' };
    const corrected = receipt(issue);
    corrected.candidate.familyName = 'Bērziņa-Kalniņa';
    expect(receiptSha256(corrected)).toBe(receiptSha256(receipt(issue)));
  });
});
