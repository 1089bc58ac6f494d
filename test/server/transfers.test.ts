// A venue hub without a network carries its unacknowledged events and audio to the centre on a USB
// stick: the centre imports the file through the same apply as the online push and the same
// finishing as a tus upload. Importing twice changes nothing; a damaged, cut, reordered or foreign
// file is refused whole with nothing of it kept; and the hub's later online sync is told that all of
// it is already held, so nothing is sent twice.
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, describe, expect } from 'vitest';
import { sealAudit } from '../../src-server/audit.ts';
import type { CentralDb } from '../../src-server/db/database.ts';
import type { SignedReceipt } from '../../src-server/receipts.ts';
import type { TransferImportSummary } from '../../src-server/transfers.ts';
import type { EventEnvelope } from '../../src-shared/contracts/events.ts';
import { FRAME_HEAD_BYTES, TAG_BYTES } from '../../src-shared/node/transfer/format.ts';
import { writeTransfer } from '../../src-shared/node/transfer/writer.ts';
import { buildMiniPackage, makeKeys } from '../support/fixtures.ts';
import { centralTest } from './support/central-test.ts';
import { HubClient, makeVenue, outboxEvents, type TestServer, type TestVenue } from './support/harness.ts';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const folder = mkdtempSync(join(tmpdir(), 'transfers-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

centralTest.override('centralOptions', { scope: 'file' }, { env: { TRANSFER_MAX_BYTES: String(4 * 1024 * 1024) } });

const it = centralTest
  .extend('packageId', { scope: 'file' }, ({ central }) => central.admin.publishPackage(buildMiniPackage(makeKeys())))
  .extend('venue', { scope: 'file' }, ({ central, packageId }) => makeVenue(central, 'RIX01', packageId, 'mini-a2', { candidates: 2 }))
  .extend('other', { scope: 'file' }, ({ central, packageId }) => makeVenue(central, 'LPX02', packageId, 'mini-a2', { candidates: 1 }))
  .extend('transferKey', { scope: 'file' }, async ({ central }) => {
    const response = await fetch(`${central.url}/v1/transfer-keys`);
    expect(response.status).toBe(200);
    const { keys } = (await response.json()) as { keys: { keyId: string; algorithm: string; publicKey: string }[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]!.algorithm).toBe('x25519');
    return { keyId: keys[0]!.keyId, publicKey: keys[0]!.publicKey };
  });

interface Audio {
  recordingId: string;
  data: Buffer;
}

/** One candidate's work, as a hub's outbox holds it: an attempt, an answer, a recording started and closed. */
function work(venue: TestVenue, firstSeq: number, candidate = 0): { events: EventEnvelope[]; audio: Audio; attemptId: string } {
  const attemptId = randomUUID();
  const audio = { recordingId: randomUUID(), data: randomBytes(20_000) };
  const now = new Date().toISOString();
  const events = outboxEvents(venue.hub.deviceId, firstSeq, [
    { kind: 'attempt.opened', entityId: attemptId, payload: { attemptId, candidateId: venue.candidateIds[candidate], packageId: venue.packageId, openedAt: now } },
    { kind: 'response.saved', entityId: attemptId, payload: { attemptId, itemId: 'l1-q1', revision: 1, value: { type: 'single-choice', optionId: 'a' }, savedAt: now } },
    { kind: 'recording.started', entityId: audio.recordingId, payload: { recordingId: audio.recordingId, attemptId, itemId: 's1-q1', take: 1, mimeType: 'audio/webm' } },
    {
      kind: 'recording.closed',
      entityId: audio.recordingId,
      payload: { recordingId: audio.recordingId, attemptId, itemId: 's1-q1', take: 1, sha256: sha256(audio.data), bytes: audio.data.length, durationMs: 1000, segmentCount: 1, mimeType: 'audio/webm', interrupted: false, interruption: null },
    },
  ]);
  return { events, audio, attemptId };
}

interface Signer {
  deviceId: string;
  privateKey: HubClient['privateKey'];
}

/** What a hub's export button does with writeTransfer (the hub side itself is the integrator's). */
async function exportOf(
  venue: TestVenue,
  central: { keyId: string; publicKey: string },
  events: EventEnvelope[],
  audio: Audio[],
  options: { signer?: Signer; venueCode?: string } = {},
): Promise<string> {
  const signer = options.signer ?? venue.hub;
  const written = await writeTransfer({
    folder,
    deviceId: signer.deviceId,
    venueCode: options.venueCode ?? venue.code,
    signingKey: signer.privateKey,
    central,
    sessions: [venue.sessionId],
    events,
    recordings: audio.map((a) => ({ recordingId: a.recordingId, sha256: sha256(a.data), bytes: a.data.length, mimeType: 'audio/webm', open: () => Readable.from([a.data]) })),
    fileName: `${randomUUID()}.estransfer`,
    // Small frames: a test file has several.
    frameBytes: 4096,
  });
  expect(statSync(written.file).size).toBe(written.bytes);
  return written.file;
}

const importFile = (central: TestServer, file: string | Buffer) => central.admin.call<TransferImportSummary & { code?: string; detail?: string; expectedSeq?: number }>('POST', '/v1/admin/transfers', typeof file === 'string' ? readFileSync(file) : file);

const ackedSeq = async (db: CentralDb, venue: TestVenue): Promise<number> =>
  Number((await db.selectFrom('device').select('acked_seq').where('device_id', '=', venue.hub.deviceId).executeTakeFirstOrThrow()).acked_seq);

function filesUnder(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

/** Everything an import could change, but the audit trail. */
async function snapshot(central: TestServer) {
  const db = central.server.ctx.db;
  const count = async (table: string) => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(db)).rows[0]!.n;
  return {
    events: await count('outbox_event'),
    attempts: await count('attempt'),
    responses: await db.selectFrom('response').select(['attempt_id', 'item_id', 'revision']).orderBy('attempt_id').orderBy('item_id').execute(),
    recordings: await db.selectFrom('recording').select(['recording_id', 'closed', 'sha256', 'blob_key', 'blob_sha256']).orderBy('recording_id').execute(),
    uploads: await db.selectFrom('upload').select(['upload_id', 'recording_id', 'status', 'offset']).orderBy('upload_id').execute(),
    devices: await db.selectFrom('device').select(['device_id', 'acked_seq']).orderBy('device_id').execute(),
    storage: filesUnder(join(central.dataDir, 'storage')),
    incoming: filesUnder(join(central.dataDir, 'incoming')),
  };
}

async function receiptOf(venue: TestVenue, candidate = 0) {
  const response = await venue.hub.call<SignedReceipt>('GET', `/v1/receipts/${venue.candidateIds[candidate]}`);
  expect(response.status).toBe(200);
  const { receiptId: _id, issuedAt: _at, ...rest } = response.body.receipt;
  return rest;
}

/** Where each frame starts (its kind byte). */
function frameOffsets(bytes: Buffer): number[] {
  let at = 8 + 4 + bytes.readUInt32BE(8);
  const offsets: number[] = [];
  while (at < bytes.length) {
    offsets.push(at);
    at += FRAME_HEAD_BYTES + bytes.readUInt32BE(at + 1) + TAG_BYTES;
  }
  return offsets;
}

async function auditActions(db: CentralDb, action: string): Promise<{ subject: string | null; detail: Record<string, unknown> }[]> {
  await sealAudit(db);
  return (await db.selectFrom('audit_log').select(['subject', 'detail']).where('action', '=', action).orderBy('audit_id').execute()) as never;
}

describe('a USB transfer from a venue hub', () => {
  it('round trip: the events are applied and the audio held, as an online sync would have left them', async ({ central, db, venue, transferKey }) => {
    const first = (await ackedSeq(db, venue)) + 1;
    const { events, audio, attemptId } = work(venue, first);
    const file = await exportOf(venue, transferKey, events, [audio]);

    const imported = await importFile(central, file);
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ deviceId: venue.hub.deviceId, venueCode: 'RIX01', events: { accepted: 4, duplicates: 0 }, recordings: { stored: 1, alreadyHeld: 0 }, ackedSeq: first + 3 });
    expect(imported.body.fileSha256).toBe(sha256(readFileSync(file)));

    expect(await db.selectFrom('response').select(['item_id', 'revision']).where('attempt_id', '=', attemptId).execute()).toEqual([{ item_id: 'l1-q1', revision: 1 }]);
    const receipt = await receiptOf(venue);
    const recording = receipt.attempts.flatMap((a) => a.recordings).find((r) => r.recordingId === audio.recordingId);
    expect(recording).toMatchObject({ sha256: sha256(audio.data), bytes: audio.data.length, audioReceived: true });
    const row = await db.selectFrom('recording').select('blob_key').where('recording_id', '=', audio.recordingId).executeTakeFirstOrThrow();
    expect(readFileSync(join(central.dataDir, 'storage', 'objects', row.blob_key!))).toEqual(audio.data);
    // Only the object: no part file and no incoming file is left.
    expect(filesUnder(join(central.dataDir, 'storage', 'uploads'))).toEqual([]);
    expect(filesUnder(join(central.dataDir, 'incoming'))).toEqual([]);

    const audited = await auditActions(db, 'transfer.imported');
    expect(audited.at(-1)).toMatchObject({ subject: venue.hub.deviceId, detail: expect.objectContaining({ fileSha256: imported.body.fileSha256, sessions: [venue.sessionId] }) });
  });

  it('importing twice, or a second export of the same state, changes nothing', async ({ central, db, venue, transferKey }) => {
    const first = (await ackedSeq(db, venue)) + 1;
    const { events, audio } = work(venue, first);
    const file = await exportOf(venue, transferKey, events, [audio]);
    expect((await importFile(central, file)).status).toBe(200);
    const after = await snapshot(central);
    const receipt = await receiptOf(venue);

    const again = await importFile(central, file);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ events: { accepted: 0, duplicates: 4 }, recordings: { stored: 0, alreadyHeld: 1 }, ackedSeq: first + 3 });
    // Another export of the same state: other bytes (a fresh ephemeral key), the same result.
    const second = await exportOf(venue, transferKey, events, [audio]);
    expect(sha256(readFileSync(second))).not.toBe(sha256(readFileSync(file)));
    expect((await importFile(central, second)).body).toMatchObject({ events: { accepted: 0, duplicates: 4 }, recordings: { stored: 0, alreadyHeld: 1 } });

    expect(await snapshot(central)).toEqual(after);
    expect(await receiptOf(venue)).toEqual(receipt);
  });

  it('the later online sync skips what the import brought: the push is all duplicates, the tus creation says complete', async ({ central, db, venue, transferKey }) => {
    const first = (await ackedSeq(db, venue)) + 1;
    const { events, audio } = work(venue, first, 1);
    expect((await importFile(central, await exportOf(venue, transferKey, events, [audio]))).status).toBe(200);
    const after = await snapshot(central);

    // The hub never heard that the centre has them: it pushes the same batch when the network is back.
    const pushed = await venue.hub.push(events);
    expect(pushed.status).toBe(200);
    expect(pushed.body).toEqual({ ackedSeq: first + 3, accepted: 0, duplicates: 4 });
    // ...and creates the upload of the recording: complete already, so it sends no bytes.
    const created = await venue.hub.createUpload(audio.recordingId, audio.data);
    expect(created.status).toBe(201);
    expect(created.headers.get('upload-offset')).toBe(String(audio.data.length));
    expect(created.body).toMatchObject({ offset: audio.data.length, complete: true });
    expect(await venue.hub.uploadOffset(created.location)).toBe(audio.data.length);

    expect(await snapshot(central)).toEqual(after);
  });

  it('finishes an upload the hub had begun before the network went: its offset is then the whole length, and its part file is gone', async ({ central, db, venue, transferKey }) => {
    const { events, audio } = work(venue, (await ackedSeq(db, venue)) + 1);
    const begun = await venue.hub.createUpload(audio.recordingId, audio.data);
    expect((await venue.hub.patch(begun.location, 0, audio.data.subarray(0, 8000))).status).toBe(204);
    expect(filesUnder(join(central.dataDir, 'storage', 'uploads'))).toHaveLength(1);

    const imported = await importFile(central, await exportOf(venue, transferKey, events, [audio]));
    expect(imported.body).toMatchObject({ recordings: { stored: 1, alreadyHeld: 0 } });
    expect(await venue.hub.uploadOffset(begun.location)).toBe(audio.data.length);
    const again = await venue.hub.createUpload(audio.recordingId, audio.data);
    expect(again.body).toMatchObject({ uploadId: begun.body.uploadId, offset: audio.data.length, complete: true });
    expect(filesUnder(join(central.dataDir, 'storage', 'uploads'))).toEqual([]);
    expect((await receiptOf(venue)).attempts.flatMap((a) => a.recordings).find((r) => r.recordingId === audio.recordingId)).toMatchObject({ audioReceived: true });
  });

  it('refuses a byte flipped anywhere (header, a frame head, ciphertext, a tag, the signature frame), whole, keeping nothing', async ({ central, db, venue, transferKey }) => {
    const first = (await ackedSeq(db, venue)) + 1;
    const { events, audio } = work(venue, first);
    const file = await exportOf(venue, transferKey, events, [audio]);
    const original = readFileSync(file);
    const frames = frameOffsets(original);
    expect(frames.length).toBeGreaterThan(4);
    const before = await snapshot(central);
    const positions = [
      3, // magic
      20, // header JSON
      frames[0]!, // a frame's kind
      frames[1]! + 2, // a frame's length
      frames[1]! + FRAME_HEAD_BYTES + 100, // ciphertext of the contents
      frames[3]! + FRAME_HEAD_BYTES + 5, // ciphertext of the audio
      frames[4]! - 3, // a tag
      original.length - 30, // the final (signature) frame
    ];
    for (const at of positions) {
      const damaged = Buffer.from(original);
      damaged[at] = damaged[at]! ^ 0x04;
      const refused = await importFile(central, damaged);
      expect(refused.status, `byte ${at}`).toBeGreaterThanOrEqual(400);
      expect(refused.status, `byte ${at}`).toBeLessThan(500);
      expect(refused.body.code, `byte ${at}`).toMatch(/^TRANSFER_/);
    }
    const audio2 = Buffer.from(original);
    const inAudio = frames[3]! + FRAME_HEAD_BYTES + 5;
    audio2[inAudio] = audio2[inAudio]! ^ 0x04;
    expect((await importFile(central, audio2)).body).toMatchObject({ code: 'TRANSFER_TAMPERED', message: { lv: expect.stringContaining('Nekas netika importēts'), en: expect.stringContaining('Nothing was imported') } });
    expect(await snapshot(central)).toEqual(before);
    const refusals = await auditActions(db, 'transfer.refused');
    expect(refusals.at(-1)).toMatchObject({ detail: expect.objectContaining({ code: 'TRANSFER_TAMPERED' }) });

    // The undamaged file is taken afterwards.
    expect((await importFile(central, file)).body).toMatchObject({ events: { accepted: 4 } });
  });

  it('refuses a file cut short, or with a frame moved, whole', async ({ central, db, venue, transferKey }) => {
    const { events, audio } = work(venue, (await ackedSeq(db, venue)) + 1);
    const original = readFileSync(await exportOf(venue, transferKey, events, [audio]));
    const frames = frameOffsets(original);
    const before = await snapshot(central);
    for (const length of [frames.at(-1)!, frames[2]! + 100, original.length - 1]) {
      expect((await importFile(central, original.subarray(0, length))).body, `cut at ${length}`).toMatchObject({ code: 'TRANSFER_TRUNCATED' });
    }
    const pieces = frames.map((start, i) => original.subarray(start, frames[i + 1] ?? original.length));
    [pieces[2], pieces[3]] = [pieces[3]!, pieces[2]!];
    expect((await importFile(central, Buffer.concat([original.subarray(0, frames[0]), ...pieces]))).body).toMatchObject({ code: 'TRANSFER_TAMPERED' });
    expect(await snapshot(central)).toEqual(before);
  });

  it('refuses a file signed by another venue\'s device, an unknown device or a revoked one, or encrypted to another centre', async ({ central, db, venue, other, transferKey }) => {
    const { events, audio } = work(venue, (await ackedSeq(db, venue)) + 1);
    const before = await snapshot(central);
    const foreign = async (file: string, detail: string) => {
      const refused = await importFile(central, file);
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'TRANSFER_FOREIGN', detail: expect.stringContaining(detail) });
    };
    // The other venue's hub, saying it is RIX01's.
    await foreign(await exportOf(venue, transferKey, events, [audio], { signer: other.hub }), 'belongs to venue LPX02');
    // Someone who knows the centre's public key and a device id, but not the device's key.
    const stranger = generateKeyPairSync('ed25519');
    await foreign(await exportOf(venue, transferKey, events, [audio], { signer: { deviceId: venue.hub.deviceId, privateKey: stranger.privateKey } }), 'signature is not device');
    await foreign(await exportOf(venue, transferKey, events, [audio], { signer: { deviceId: randomUUID(), privateKey: stranger.privateKey } }), 'does not know');
    // A revoked hub of the same venue.
    const { code } = await central.admin.ok<{ code: string }>('POST', `/v1/admin/venues/${venue.venueId}/enrollment-codes`);
    const spare = new HubClient(central.url);
    expect((await spare.enroll(code, 'spare hub')).status).toBe(201);
    await central.admin.ok('POST', `/v1/admin/devices/${spare.deviceId}/revoke`, { reason: 'laptop stolen' });
    const revokedBefore = await snapshot(central);
    await foreign(await exportOf(venue, transferKey, events, [audio], { signer: spare }), 'laptop stolen');
    // Another centre's transfer key.
    const elsewhere = generateKeyPairSync('x25519').publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    await foreign(await exportOf(venue, { keyId: 'another-centre', publicKey: elsewhere }, events, [audio]), 'another-centre');
    expect((await snapshot(central)).events).toBe(before.events);
    expect(await snapshot(central)).toEqual(revokedBefore);
  });

  it('refuses, whole, an export that starts past what the centre acknowledged, and one whose audio contradicts what the centre holds', async ({ central, db, venue, transferKey }) => {
    const acked = await ackedSeq(db, venue);
    const gap = work(venue, acked + 2);
    const before = await snapshot(central);
    const refused = await importFile(central, await exportOf(venue, transferKey, gap.events, [gap.audio]));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'TRANSFER_SEQ_GAP', expectedSeq: acked + 1, message: { en: expect.stringContaining('import the earlier export first') } });
    expect(await snapshot(central)).toEqual(before);

    // The first recording would be stored, the second contradicts audio the centre already holds:
    // nothing of the export stays, not even the first recording's object.
    const a = work(venue, acked + 1);
    const b = work(venue, acked + 5);
    const held = randomBytes(5000);
    expect((await venue.hub.createUpload(b.audio.recordingId, held, sha256(held), { withBody: true })).status).toBe(201);
    const heldState = await snapshot(central);
    const conflict = await importFile(central, await exportOf(venue, transferKey, [...a.events, ...b.events.slice(0, 3)], [a.audio, b.audio]));
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ code: 'RECORDING_CONFLICT' });
    expect(await snapshot(central)).toEqual(heldState);
    expect(heldState.storage.some((f) => f.includes(a.audio.recordingId))).toBe(false);
  });

  it('refuses a body over TRANSFER_MAX_BYTES without keeping it', async ({ central }) => {
    const refused = await importFile(central, randomBytes(4 * 1024 * 1024 + 1));
    expect(refused.status).toBe(413);
    expect(refused.body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(filesUnder(join(central.dataDir, 'incoming'))).toEqual([]);
  });

  it('imports through the CLI the same way, and refuses there with the message and exit 1', async ({ central, db, venue, transferKey }) => {
    const run = (file: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['src-server/main.ts', 'import-transfer', file], {
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
    const first = (await ackedSeq(db, venue)) + 1;
    const { events, audio } = work(venue, first);
    const file = await exportOf(venue, transferKey, events, [audio]);

    const damaged = Buffer.from(readFileSync(file));
    damaged[damaged.length - 40] = damaged[damaged.length - 40]! ^ 1;
    const damagedFile = join(folder, 'damaged.estransfer');
    writeFileSync(damagedFile, damaged);
    const before = await snapshot(central);
    const refused = await run(damagedFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('TRANSFER_TAMPERED');
    expect(refused.stderr).toContain('Nothing was imported');
    expect(await snapshot(central)).toEqual(before);

    const imported = await run(file);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout.split('\n')[0]!)).toMatchObject({ deviceId: venue.hub.deviceId, events: { accepted: 4, duplicates: 0 }, recordings: { stored: 1, alreadyHeld: 0 }, ackedSeq: first + 3 });
    expect(await ackedSeq(db, venue)).toBe(first + 3);
    expect((await receiptOf(venue)).attempts.flatMap((a) => a.recordings).find((r) => r.recordingId === audio.recordingId)).toMatchObject({ audioReceived: true });
    const audited = await auditActions(db, 'transfer.imported');
    expect(audited.at(-1)).toMatchObject({ detail: expect.objectContaining({ fileSha256: sha256(readFileSync(file)) }) });
  });
});
