// Audio uploads with tus against the real server: a cut upload resumes from the server's offset, the
// whole file's SHA-256 is checked at the end and a mismatch is refused, a damaged signed chunk is not
// kept, creating an upload again for the same recording is idempotent, and bad input changes nothing.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { sealAudit } from '../../src-server/audit.ts';
import { UNSIGNED_PAYLOAD } from '../../src-shared/node/request-signing.ts';
import { encodeUploadMetadata, TUS_VERSION } from '../../src-server/uploads/tus.ts';
import { buildMiniPackage, makeKeys } from '../support/fixtures.ts';
import { centralTest } from './support/central-test.ts';
import { makeVenue, errorCode, type TestServer, type TestVenue } from './support/harness.ts';

centralTest.override('centralOptions', { scope: 'file' }, { env: { UPLOAD_MAX_BYTES: String(8 * 1024 * 1024) } });

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** What the tests check of the venue's uploads and do to their connections, on the file's server. */
function uploadsOf(central: TestServer, venue: TestVenue) {
  const db = central.server.ctx.db;
  const recordingRow = (recordingId: string) => db.selectFrom('recording').selectAll().where('recording_id', '=', recordingId).executeTakeFirst();

  /** Send `sent` bytes of a request that announced `body.length`, then cut the connection. */
  const cutRequest = (method: string, path: string, extraHeaders: Record<string, string>, body: Buffer, sent: number, contentSha256: string): Promise<void> => {
    const url = new URL(path, central.url);
    const headers = venue.hub.sign(method, path, undefined, { contentSha256, headers: { 'tus-resumable': TUS_VERSION, 'content-type': 'application/offset+octet-stream', 'content-length': String(body.length), ...extraHeaders } });
    return new Promise((resolve) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method, headers });
      req.on('error', () => resolve());
      req.write(body.subarray(0, sent), () => {
        // Give the server time to write what it got, then pull the plug.
        setTimeout(() => {
          req.destroy();
          resolve();
        }, 300);
      });
    });
  };

  return {
    recordingRow,
    cutRequest,
    cutPatch: (location: string, offset: number, chunk: Buffer, sent: number, contentSha256: string): Promise<void> =>
      cutRequest('PATCH', location, { 'upload-offset': String(offset) }, chunk, sent, contentSha256),

    /** A finished upload: its row complete with no lease, and one recording.uploaded entry in the audit trail. */
    async expectFinishedAndAudited(recordingId: string, audio: Uint8Array): Promise<void> {
      const upload = await db.selectFrom('upload').selectAll().where('recording_id', '=', recordingId).executeTakeFirstOrThrow();
      expect(upload).toMatchObject({ status: 'complete', offset: audio.length, length: audio.length, sha256: sha256(audio), lease_token: null, lease_until: null });
      expect(upload.completed_at).toBeInstanceOf(Date);
      await sealAudit(db);
      const audited = await db.selectFrom('audit_log').select(['actor_kind', 'actor_id', 'venue_id', 'detail']).where('subject', '=', recordingId).where('action', '=', 'recording.uploaded').execute();
      expect(audited).toEqual([{ actor_kind: 'device', actor_id: venue.hub.deviceId, venue_id: venue.venueId, detail: { sha256: sha256(audio), bytes: audio.length } }]);
    },

    async storedObject(recordingId: string): Promise<Buffer> {
      const row = await recordingRow(recordingId);
      return readFileSync(join(central.dataDir, 'storage', 'objects', row!.blob_key!));
    },

    async waitForOffset(location: string, predicate: (offset: number) => boolean): Promise<number> {
      for (let i = 0; i < 50; i += 1) {
        const offset = await venue.hub.uploadOffset(location);
        if (predicate(offset)) return offset;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('offset never settled');
    },
  };
}

const it = centralTest
  .extend('packageId', { scope: 'file' }, ({ central }) => central.admin.publishPackage(buildMiniPackage(makeKeys())))
  .extend('venue', { scope: 'file' }, ({ central, packageId }) => makeVenue(central, 'RIX01', packageId, 'mini-a2'))
  .extend('other', { scope: 'file' }, ({ central, packageId }) => makeVenue(central, 'LPX01', packageId, 'mini-a2'))
  .extend('uploads', { scope: 'file' }, ({ central, venue }) => uploadsOf(central, venue));

describe('tus uploads', () => {
  it('answers OPTIONS with the protocol version and extensions', async ({ central }) => {
    const response = await fetch(`${central.url}/v1/uploads`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('tus-version')).toBe(TUS_VERSION);
    expect(response.headers.get('tus-extension')).toContain('creation');
  });

  it('resumes a cut upload from the offset the server reports and checks the whole file at the end', async ({ venue, uploads }) => {
    const audio = randomBytes(600_000);
    const recordingId = randomUUID();
    const created = await venue.hub.createUpload(recordingId, audio);
    expect(created.status).toBe(201);
    expect(created.location).toMatch(/^\/v1\/uploads\//);

    await uploads.cutPatch(created.location, 0, audio, 250_000, UNSIGNED_PAYLOAD);
    const offset = await uploads.waitForOffset(created.location, (o) => o > 0);
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(250_000);
    expect((await uploads.recordingRow(recordingId))?.uploaded_at ?? null).toBeNull();

    const rest = await venue.hub.patch(created.location, offset, audio.subarray(offset));
    expect(rest.status).toBe(204);
    expect(Number(rest.headers.get('upload-offset'))).toBe(audio.length);
    const row = await uploads.recordingRow(recordingId);
    expect(row).toMatchObject({ sha256: sha256(audio), bytes: audio.length });
    expect(row?.uploaded_at).toBeInstanceOf(Date);
    expect(sha256(await uploads.storedObject(recordingId))).toBe(sha256(audio));
    await uploads.expectFinishedAndAudited(recordingId, audio);
  });

  it('keeps nothing of a signed chunk that was cut, and continues from the last whole chunk', async ({ venue, uploads }) => {
    const audio = randomBytes(300_000);
    const created = await venue.hub.createUpload(randomUUID(), audio);
    expect((await venue.hub.patch(created.location, 0, audio.subarray(0, 100_000))).status).toBe(204);
    const second = audio.subarray(100_000, 200_000);
    await uploads.cutPatch(created.location, 100_000, second, 50_000, sha256(second));
    expect(await uploads.waitForOffset(created.location, (o) => o === 100_000)).toBe(100_000);
    // Until the server has noticed the cut, the upload is still leased to the broken request (423).
    let resumed = await venue.hub.patch(created.location, 100_000, audio.subarray(100_000));
    for (let i = 0; i < 50 && resumed.status === 423; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      resumed = await venue.hub.patch(created.location, 100_000, audio.subarray(100_000));
    }
    expect(resumed.status).toBe(204);
    expect(await venue.hub.uploadOffset(created.location)).toBe(audio.length);
  });

  it('takes a whole recording in the creating request (creation-with-upload)', async ({ venue, uploads }) => {
    const audio = randomBytes(200_000);
    const recordingId = randomUUID();
    const created = await venue.hub.createUpload(recordingId, audio, sha256(audio), { withBody: true });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ uploadId: expect.any(String), offset: audio.length, complete: true });
    expect(created.headers.get('upload-offset')).toBe(String(audio.length));
    expect(sha256(await uploads.storedObject(recordingId))).toBe(sha256(audio));
    expect((await uploads.recordingRow(recordingId))?.uploaded_at).toBeInstanceOf(Date);
    await uploads.expectFinishedAndAudited(recordingId, audio);
  });

  it('keeps what arrived of a cut creation-with-upload; creating again finds it and PATCH finishes it', async ({ db, venue, uploads }) => {
    const audio = randomBytes(400_000);
    const recordingId = randomUUID();
    const metadata = encodeUploadMetadata({ recordingId, sha256: sha256(audio), mimeType: 'audio/webm' });
    await uploads.cutRequest('POST', '/v1/uploads', { 'upload-length': String(audio.length), 'upload-metadata': metadata }, audio, 150_000, UNSIGNED_PAYLOAD);
    // The hub never got an answer; once the server has noticed the cut, creating again finds the upload.
    for (let i = 0; i < 50 && !(await db.selectFrom('upload').select('upload_id').where('recording_id', '=', recordingId).executeTakeFirst()); i += 1) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const again = await venue.hub.createUpload(recordingId, audio);
    expect(again.status).toBe(201);
    const offset = again.body.offset;
    expect(offset).toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(150_000);
    expect((await venue.hub.patch(again.location, offset, audio.subarray(offset))).status).toBe(204);
    expect(sha256(await uploads.storedObject(recordingId))).toBe(sha256(audio));
  });

  it('refuses a file whose SHA-256 is not the declared one, and discards it', async ({ venue, uploads }) => {
    const audio = randomBytes(50_000);
    const recordingId = randomUUID();
    const created = await venue.hub.createUpload(recordingId, audio, sha256(randomBytes(10)));
    const response = await venue.hub.patch(created.location, 0, audio);
    expect(response.status).toBe(422);
    expect(await errorCode(response)).toBe('UPLOAD_HASH_MISMATCH');
    expect(await uploads.recordingRow(recordingId)).toBeUndefined();
    const head = await venue.hub.raw('HEAD', created.location, { headers: { 'tus-resumable': TUS_VERSION } });
    expect(head.status).toBe(404);
    // The hub may start again with the right declaration.
    const again = await venue.hub.createUpload(recordingId, audio);
    expect((await venue.hub.patch(again.location, 0, audio)).status).toBe(204);
    // The same refusal when the whole file comes with the creating request.
    const other = randomUUID();
    const whole = await venue.hub.createUpload(other, audio, sha256(randomBytes(10)), { withBody: true });
    expect(whole.status).toBe(422);
    expect(whole.body).toMatchObject({ code: 'UPLOAD_HASH_MISMATCH' });
    expect(await uploads.recordingRow(other)).toBeUndefined();
  });

  it('refuses a chunk that does not match its signed hash (460) and keeps the offset', async ({ venue }) => {
    const audio = randomBytes(20_000);
    const created = await venue.hub.createUpload(randomUUID(), audio);
    const damaged = await venue.hub.raw('PATCH', created.location, {
      body: audio,
      contentSha256: sha256(randomBytes(5)),
      headers: { 'tus-resumable': TUS_VERSION, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
    });
    expect(damaged.status).toBe(460);
    expect(await venue.hub.uploadOffset(created.location)).toBe(0);
  });

  it('is idempotent by recording id: creating the upload again returns the same one, finished or not', async ({ venue, uploads }) => {
    const audio = randomBytes(10_000);
    const recordingId = randomUUID();
    const first = await venue.hub.createUpload(recordingId, audio);
    const second = await venue.hub.createUpload(recordingId, audio);
    expect(second.location).toBe(first.location);
    expect((await venue.hub.patch(first.location, 0, audio)).status).toBe(204);
    const third = await venue.hub.createUpload(recordingId, audio);
    expect(third.status).toBe(201);
    expect(third.body).toMatchObject({ offset: audio.length, complete: true });
    const conflicting = await venue.hub.createUpload(recordingId, randomBytes(10_000));
    expect(conflicting.status).toBe(409);
    expect(conflicting.body).toMatchObject({ code: 'RECORDING_CONFLICT' });
    // Other bytes sent whole for the same recording are refused too, and the stored file is untouched.
    const otherBytes = randomBytes(10_000);
    const overwrite = await venue.hub.createUpload(recordingId, otherBytes, sha256(otherBytes), { withBody: true });
    expect(overwrite.status).toBe(409);
    expect(sha256(await uploads.storedObject(recordingId))).toBe(sha256(audio));
    // The same bytes again are simply acknowledged.
    const same = await venue.hub.createUpload(recordingId, audio, sha256(audio), { withBody: true });
    expect(same.status).toBe(201);
    expect(same.body).toMatchObject({ offset: audio.length, complete: true });
  });

  it('refuses bad uploads with a clear code and changes nothing', async ({ venue }) => {
    const audio = randomBytes(1000);
    const created = await venue.hub.createUpload(randomUUID(), audio);
    const wrongOffset = await venue.hub.patch(created.location, 10, audio.subarray(10));
    expect(wrongOffset.status).toBe(409);
    expect(await errorCode(wrongOffset)).toBe('UPLOAD_OFFSET_MISMATCH');
    const tooLong = await venue.hub.patch(created.location, 0, Buffer.concat([audio, randomBytes(10)]));
    expect(tooLong.status).toBe(413);
    expect(await venue.hub.uploadOffset(created.location)).toBe(0);
    const wrongType = await venue.hub.raw('PATCH', created.location, { body: audio, headers: { 'tus-resumable': TUS_VERSION, 'upload-offset': '0', 'content-type': 'application/octet-stream' } });
    expect(wrongType.status).toBe(415);
    const noVersion = await venue.hub.raw('PATCH', created.location, { body: audio, headers: { 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' } });
    expect(noVersion.status).toBe(412);
    const oversized = await venue.hub.raw('POST', '/v1/uploads', { headers: { 'tus-resumable': TUS_VERSION, 'upload-length': String(9 * 1024 * 1024), 'upload-metadata': `recordingId ${Buffer.from(randomUUID()).toString('base64')},sha256 ${Buffer.from('0'.repeat(64)).toString('base64')}` } });
    expect(oversized.status).toBe(413);
    const badMetadata = await venue.hub.raw('POST', '/v1/uploads', { headers: { 'tus-resumable': TUS_VERSION, 'upload-length': '10', 'upload-metadata': 'recordingId bm90LWEtdXVpZA==' } });
    expect(badMetadata.status).toBe(400);
    expect(await errorCode(badMetadata)).toBe('VALIDATION_FAILED');
    const unsignedOutsideUpload = await venue.hub.raw('POST', '/v1/push', { body: '{}', contentSha256: UNSIGNED_PAYLOAD, headers: { 'content-type': 'application/json' } });
    expect(unsignedOutsideUpload.status).toBe(401);
    expect(await venue.hub.uploadOffset(created.location)).toBe(0);
  });

  it('refuses Upload-Length 0 as invalid input that must be at least 1, not as too large', async ({ db, venue }) => {
    const recordingId = randomUUID();
    const headers = { 'tus-resumable': TUS_VERSION, 'upload-length': '0', 'upload-metadata': encodeUploadMetadata({ recordingId, sha256: sha256(Buffer.alloc(0)), mimeType: 'audio/webm' }) };
    const response = await venue.hub.raw('POST', '/v1/uploads', { headers });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'VALIDATION_FAILED', detail: expect.stringContaining('at least 1') });
    expect(await db.selectFrom('upload').select('upload_id').where('recording_id', '=', recordingId).execute()).toEqual([]);
  });

  it('leaves nothing in storage for a refused first chunk, and the upload stays open at 0 to be retried', async ({ central, venue }) => {
    const audio = randomBytes(20_000);
    const created = await venue.hub.createUpload(randomUUID(), audio);
    const uploadId = created.location.split('/').pop()!;
    const partFile = join(central.dataDir, 'storage', 'uploads', `${uploadId}.part`);
    const chunk = (body: Uint8Array, contentSha256: string) =>
      venue.hub.raw('PATCH', created.location, { body, contentSha256, headers: { 'tus-resumable': TUS_VERSION, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' } });
    const damaged = await chunk(audio, sha256(randomBytes(5)));
    expect(damaged.status).toBe(460);
    expect(existsSync(partFile)).toBe(false);
    const longer = Buffer.concat([audio, randomBytes(10)]);
    const tooLong = await chunk(longer, sha256(longer));
    expect(tooLong.status).toBe(413);
    expect(existsSync(partFile)).toBe(false);
    expect(await venue.hub.uploadOffset(created.location)).toBe(0);
    expect((await venue.hub.patch(created.location, 0, audio)).status).toBe(204);
    expect(existsSync(partFile)).toBe(false);
  });

  it('answers a chunk the disk refuses with 500, not as a cut chunk: the upload stays at its offset and takes it once the disk does', async ({ central, venue }) => {
    const audio = randomBytes(20_000);
    const created = await venue.hub.createUpload(randomUUID(), audio);
    const uploadId = created.location.split('/').pop()!;
    mkdirSync(join(central.dataDir, 'storage', 'uploads'), { recursive: true });
    // The part file on a full disk: /dev/full refuses every write with ENOSPC.
    symlinkSync('/dev/full', join(central.dataDir, 'storage', 'uploads', `${uploadId}.part`));
    const refused = await venue.hub.patch(created.location, 0, audio);
    expect(refused.status).toBe(500);
    expect(await errorCode(refused)).toBe('INTERNAL');
    expect(await venue.hub.uploadOffset(created.location)).toBe(0);
    // The refused bytes went nowhere; with room on the disk the same chunk is taken.
    expect((await venue.hub.patch(created.location, 0, audio)).status).toBe(204);
    expect(await venue.hub.uploadOffset(created.location)).toBe(audio.length);
  });

  it("hides one venue's uploads from another venue's hub", async ({ venue, other }) => {
    const audio = randomBytes(1000);
    const created = await venue.hub.createUpload(randomUUID(), audio);
    const head = await other.hub.raw('HEAD', created.location, { headers: { 'tus-resumable': TUS_VERSION } });
    expect(head.status).toBe(404);
    const patch = await other.hub.patch(created.location, 0, audio);
    expect(patch.status).toBe(404);
    expect(await venue.hub.uploadOffset(created.location)).toBe(0);
  });
});
