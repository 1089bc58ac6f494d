// A recording's audio and its close must agree before the centre certifies anything: a receipt says
// audioReceived only for bytes the centre holds and has hashed, equal to what the station closed. A
// close that contradicts held audio, and audio that contradicts a close, are refused in either order,
// also when they arrive at the same moment; and of several uploads of one recording at once, exactly
// one content wins, with nothing of the others left in storage.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { sealAudit } from '../../src-server/audit.ts';
import type { SignedReceipt } from '../../src-server/receipts.ts';
import { buildMiniPackage, makeKeys } from '../support/fixtures.ts';
import { centralTest } from './support/central-test.ts';
import { makeVenue, outboxEvents, type TestServer, type TestVenue } from './support/harness.ts';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

interface Recording {
  recordingId: string;
  attemptId: string;
}

const closeEvent = (rec: Recording, data: Uint8Array) => ({
  kind: 'recording.closed',
  entityId: rec.recordingId,
  payload: {
    recordingId: rec.recordingId,
    attemptId: rec.attemptId,
    itemId: 's1-q1',
    take: 1,
    sha256: sha256(data),
    bytes: data.length,
    durationMs: 1000,
    segmentCount: 1,
    mimeType: 'audio/webm',
    interrupted: false,
    interruption: null,
  },
});

/** What the tests do with the recordings of the venue's one candidate, on the file's server. */
function recordingsOf(central: TestServer, venue: TestVenue) {
  const db = central.server.ctx.db;
  const ackedSeq = async () => (await db.selectFrom('device').select('acked_seq').where('device_id', '=', venue.hub.deviceId).executeTakeFirstOrThrow()).acked_seq;
  const row = (recordingId: string) => db.selectFrom('recording').selectAll().where('recording_id', '=', recordingId).executeTakeFirst();
  const uploadsDir = join(central.dataDir, 'storage', 'uploads');
  const objectsDir = join(central.dataDir, 'storage', 'objects', 'audio', venue.venueId);
  /** Objects stored for a recording (file names end in the hash of their bytes). */
  const objectsOf = (recordingId: string): string[] => (existsSync(objectsDir) ? readdirSync(objectsDir).filter((f) => f.startsWith(recordingId)) : []);
  /** The candidate's attempt, opened by the first recording. */
  let attemptId: string | undefined;

  return {
    ackedSeq,
    row,

    /** A recording started in the candidate's attempt (the attempt is opened once). */
    async start(): Promise<Recording> {
      const recordingId = randomUUID();
      const specs = [];
      if (!attemptId) {
        attemptId = randomUUID();
        specs.push({ kind: 'attempt.opened', entityId: attemptId, payload: { attemptId, candidateId: venue.candidateIds[0], packageId: venue.packageId, openedAt: new Date().toISOString() } });
      }
      specs.push({ kind: 'recording.started', entityId: recordingId, payload: { recordingId, attemptId, itemId: 's1-q1', take: 1, mimeType: 'audio/webm' } });
      const pushed = await venue.hub.push(outboxEvents(venue.hub.deviceId, (await ackedSeq()) + 1, specs));
      expect(pushed.status).toBe(200);
      return { recordingId, attemptId };
    },

    async pushClose(rec: Recording, data: Uint8Array) {
      return venue.hub.push(outboxEvents(venue.hub.deviceId, (await ackedSeq()) + 1, [closeEvent(rec, data)]));
    },

    async receiptOf(recordingId: string) {
      const response = await venue.hub.call<SignedReceipt>('GET', `/v1/receipts/${venue.candidateIds[0]}`);
      expect(response.status).toBe(200);
      return response.body.receipt.attempts.flatMap((a) => a.recordings).find((r) => r.recordingId === recordingId);
    },

    /** Every part file in storage belongs to an open upload that holds bytes: nothing stray. */
    async expectNoStrayParts(): Promise<void> {
      const parts = existsSync(uploadsDir) ? readdirSync(uploadsDir) : [];
      const open = await db.selectFrom('upload').select('upload_id').where('status', '=', 'open').where('offset', '>', 0).execute();
      expect(parts.sort()).toEqual(open.map((u) => `${u.upload_id}.part`).sort());
    },

    /** The stored object of a recording holds exactly the bytes its row says it verified. */
    async expectHeldBytesMatch(recordingId: string, expected: Uint8Array | null): Promise<void> {
      const held = await row(recordingId);
      if (expected === null) {
        expect(held?.blob_key ?? null).toBeNull();
        expect(objectsOf(recordingId)).toEqual([]);
        return;
      }
      expect(held).toMatchObject({ blob_sha256: sha256(expected), blob_bytes: expected.length });
      expect(sha256(readFileSync(join(central.dataDir, 'storage', 'objects', held!.blob_key!)))).toBe(sha256(expected));
      expect(objectsOf(recordingId)).toEqual([`${recordingId}-${sha256(expected)}`]);
    },
  };
}

const it = centralTest
  .extend('packageId', { scope: 'file' }, ({ central }) => central.admin.publishPackage(buildMiniPackage(makeKeys())))
  .extend('venue', { scope: 'file' }, ({ central, packageId }) => makeVenue(central, 'RIX01', packageId, 'mini-a2', { candidates: 1 }))
  .extend('recordings', { scope: 'file' }, ({ central, venue }) => recordingsOf(central, venue));

describe('a recording and its audio', () => {
  it('refuses, whole and audited, a recording.closed that contradicts audio the centre already holds', async ({ db, venue, recordings }) => {
    const rec = await recordings.start();
    const audio = randomBytes(30_000);
    const other = randomBytes(30_001);
    expect((await venue.hub.createUpload(rec.recordingId, audio, sha256(audio), { withBody: true })).status).toBe(201);

    const before = await recordings.ackedSeq();
    const answer = { kind: 'response.saved', entityId: rec.attemptId, payload: { attemptId: rec.attemptId, itemId: 'l1-q1', revision: 1, value: { type: 'single-choice', optionId: 'a' }, savedAt: new Date().toISOString() } };
    const refused = await venue.hub.push(outboxEvents(venue.hub.deviceId, before + 1, [answer, closeEvent(rec, other)]));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'RECORDING_CONFLICT', seq: before + 2 });
    const detail = (refused.body as unknown as { detail: string }).detail;
    for (const named of [`seq ${before + 2}`, rec.recordingId, sha256(audio), sha256(other)]) expect(detail).toContain(named);
    // Nothing of the batch was kept...
    expect(await recordings.ackedSeq()).toBe(before);
    expect(await db.selectFrom('response').select('item_id').where('attempt_id', '=', rec.attemptId).execute()).toEqual([]);
    expect(await recordings.row(rec.recordingId)).toMatchObject({ closed: false, sha256: sha256(audio) });
    // ...but the refusal is in the audit trail.
    await sealAudit(db);
    const audited = await db.selectFrom('audit_log').select(['action', 'detail']).where('subject', '=', rec.recordingId).where('action', '=', 'recording.close-refused').execute();
    expect(audited).toEqual([{ action: 'recording.close-refused', detail: expect.objectContaining({ seq: before + 2, closedSha256: sha256(other), heldSha256: sha256(audio) }) }]);
    expect(await recordings.receiptOf(rec.recordingId)).toMatchObject({ audioReceived: false });

    // The true close is taken, and only now does the receipt certify the audio.
    expect((await recordings.pushClose(rec, audio)).status).toBe(200);
    expect(await recordings.receiptOf(rec.recordingId)).toMatchObject({ sha256: sha256(audio), bytes: audio.length, audioReceived: true });
    await recordings.expectHeldBytesMatch(rec.recordingId, audio);
  });

  it('refuses audio that contradicts the close, also when its upload was opened before the close arrived', async ({ db, venue, recordings }) => {
    // Opened first, closed with other bytes, then finished: the last PATCH is refused.
    const rec = await recordings.start();
    const audio = randomBytes(40_000);
    const declared = randomBytes(40_000);
    const opened = await venue.hub.createUpload(rec.recordingId, declared);
    expect(opened.status).toBe(201);
    expect((await recordings.pushClose(rec, audio)).status).toBe(200);
    const finished = await venue.hub.patch(opened.location, 0, declared);
    expect(finished.status).toBe(409);
    expect(await finished.json()).toMatchObject({ code: 'RECORDING_CONFLICT', detail: expect.stringContaining(sha256(audio)) });
    await sealAudit(db);
    const audited = await db.selectFrom('audit_log').select('detail').where('subject', '=', rec.recordingId).where('action', '=', 'recording.upload-refused').execute();
    expect(audited).toEqual([{ detail: expect.objectContaining({ declared: sha256(declared), conflict: expect.stringContaining(sha256(audio)) }) }]);
    expect(await recordings.receiptOf(rec.recordingId)).toMatchObject({ sha256: sha256(audio), audioReceived: false });
    await recordings.expectHeldBytesMatch(rec.recordingId, null);
    await recordings.expectNoStrayParts();

    // Whole other bytes after the close: refused too; then the right bytes are taken.
    const whole = await venue.hub.createUpload(rec.recordingId, declared, sha256(declared), { withBody: true });
    expect(whole.status).toBe(409);
    expect(whole.body).toMatchObject({ code: 'RECORDING_CONFLICT' });
    const right = await venue.hub.createUpload(rec.recordingId, audio, sha256(audio), { withBody: true });
    expect(right.status).toBe(201);
    expect(await recordings.receiptOf(rec.recordingId)).toMatchObject({ sha256: sha256(audio), audioReceived: true });
    await recordings.expectHeldBytesMatch(rec.recordingId, audio);
    await recordings.expectNoStrayParts();
  });

  it('certifies audio only while the centre holds it: closed without audio, or its object lost, is not received', async ({ central, venue, recordings }) => {
    const rec = await recordings.start();
    const audio = randomBytes(10_000);
    expect((await recordings.pushClose(rec, audio)).status).toBe(200);
    expect(await recordings.receiptOf(rec.recordingId)).toMatchObject({ sha256: sha256(audio), audioReceived: false });
    expect((await venue.hub.createUpload(rec.recordingId, audio, sha256(audio), { withBody: true })).status).toBe(201);
    expect(await recordings.receiptOf(rec.recordingId)).toMatchObject({ audioReceived: true });
    const row = await recordings.row(rec.recordingId);
    rmSync(join(central.dataDir, 'storage', 'objects', row!.blob_key!));
    expect(await recordings.receiptOf(rec.recordingId)).toMatchObject({ audioReceived: false });
  });

  it('lets only one of a close and an upload with other content succeed when they arrive at the same moment', async ({ venue, recordings }) => {
    for (let round = 0; round < 12; round += 1) {
      const rec = await recordings.start();
      // Small enough that the upload may finish first; the push starts a little later in later
      // rounds, so both orders (and the moment in between) come up.
      const audio = randomBytes(8_000);
      const closed = randomBytes(8_000);
      // Even rounds finish the upload in the creating request, odd ones with the last PATCH.
      let finishUpload: () => Promise<number>;
      if (round % 2 === 0) {
        finishUpload = async () => (await venue.hub.createUpload(rec.recordingId, audio, sha256(audio), { withBody: true })).status;
      } else {
        const opened = await venue.hub.createUpload(rec.recordingId, audio);
        expect((await venue.hub.patch(opened.location, 0, audio.subarray(0, 4_000))).status).toBe(204);
        finishUpload = async () => (await venue.hub.patch(opened.location, 4_000, audio.subarray(4_000))).status;
      }
      const seq = (await recordings.ackedSeq()) + 1;
      const delayed = async () => {
        await new Promise((r) => setTimeout(r, Math.floor(round / 2) * 2));
        return venue.hub.push(outboxEvents(venue.hub.deviceId, seq, [closeEvent(rec, closed)]));
      };
      const [pushed, uploaded] = await Promise.all([delayed(), finishUpload()]);
      const outcome = `round ${round}: push ${pushed.status}, upload ${uploaded}`;
      expect([pushed.status === 200, uploaded === 201 || uploaded === 204].filter(Boolean), outcome).toHaveLength(1);
      if (pushed.status === 200) {
        expect(uploaded, outcome).toBe(409);
        await recordings.expectHeldBytesMatch(rec.recordingId, null);
        expect(await recordings.receiptOf(rec.recordingId)).toMatchObject({ sha256: sha256(closed), audioReceived: false });
      } else {
        expect(pushed.status, outcome).toBe(409);
        await recordings.expectHeldBytesMatch(rec.recordingId, audio);
        expect(await recordings.receiptOf(rec.recordingId)).toMatchObject({ audioReceived: false });
      }
      await recordings.expectNoStrayParts();
    }
  });
});

describe('concurrent uploads of one recording', () => {
  it('lets exactly one content win; the same content again is the same 201 complete, other content 409, nothing stray stored', async ({ db, venue, recordings }) => {
    for (let round = 0; round < 8; round += 1) {
      const recordingId = randomUUID();
      const v1 = randomBytes(300_000);
      const v2 = randomBytes(300_000);
      const whole = (data: Buffer) => venue.hub.createUpload(recordingId, data, sha256(data), { withBody: true });
      type Outcome = { content: 'v1' | 'v2'; status: number; code?: string; uploadId?: string };
      const asOutcome = (content: 'v1' | 'v2') => async (r: Awaited<ReturnType<typeof whole>>): Promise<Outcome> => ({
        content,
        status: r.status,
        ...(r.status === 201 ? { uploadId: r.body.uploadId } : { code: (r.body as unknown as { code: string }).code }),
      });
      // Odd rounds: an upload of v1 opened and half sent before, its last PATCH racing the others.
      let lastPatch: (() => Promise<Outcome>) | undefined;
      if (round % 2 === 1) {
        const opened = await venue.hub.createUpload(recordingId, v1);
        expect((await venue.hub.patch(opened.location, 0, v1.subarray(0, 150_000))).status).toBe(204);
        lastPatch = async () => {
          const r = await venue.hub.patch(opened.location, 150_000, v1.subarray(150_000));
          return { content: 'v1', status: r.status, ...(r.status === 204 ? {} : { code: ((await r.json()) as { code: string }).code }) };
        };
      }
      const outcomes = await Promise.all([
        whole(v1).then(asOutcome('v1')),
        whole(v2).then(asOutcome('v2')),
        ...(lastPatch ? [lastPatch()] : []),
        whole(v1).then(asOutcome('v1')),
        whole(v2).then(asOutcome('v2')),
      ]);
      const described = `round ${round}: ${JSON.stringify(outcomes.map((o) => [o.content, o.status, o.code]))}`;
      const winners = new Set(outcomes.filter((o) => o.status === 201 || o.status === 204).map((o) => o.content));
      expect(winners.size, described).toBe(1);
      const winner = [...winners][0]!;
      for (const o of outcomes) {
        if (o.content !== winner) expect([o.status, o.code], described).toEqual([409, 'RECORDING_CONFLICT']);
        // A PATCH that lost the race to a whole POST of the same bytes finds the upload finished.
        else if (o.status === 409) expect(o.code, described).toBe('UPLOAD_OFFSET_MISMATCH');
      }
      const row = await db.selectFrom('upload').select(['upload_id', 'status', 'sha256']).where('recording_id', '=', recordingId).executeTakeFirstOrThrow();
      expect(row, described).toMatchObject({ status: 'complete', sha256: sha256(winner === 'v1' ? v1 : v2) });
      for (const o of outcomes) if (o.uploadId) expect(o.uploadId, described).toBe(row.upload_id);
      await recordings.expectHeldBytesMatch(recordingId, winner === 'v1' ? v1 : v2);
      await recordings.expectNoStrayParts();
      // The winning content again: the same upload, complete.
      const again = await whole(winner === 'v1' ? v1 : v2);
      expect(again.status).toBe(201);
      expect(again.body).toMatchObject({ uploadId: row.upload_id, complete: true });
      await recordings.expectNoStrayParts();
    }
  });
});
