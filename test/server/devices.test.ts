// Enrollment, signed requests and revocation: a one-time code binds a hub's own public key to a venue;
// every request must carry a fresh signature over its exact body; a leaked request cannot be replayed
// or reused; a revoked hub is refused everywhere; and a hub never sees or touches another venue.
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { sealAudit } from '../../src-server/audit.ts';
import { sha256Hex } from '../../src-shared/node/request-signing.ts';
import { encodeUploadMetadata, TUS_VERSION } from '../../src-server/uploads/tus.ts';
import { buildMiniPackage, makeKeys } from '../support/fixtures.ts';
import { centralTest } from './support/central-test.ts';
import { HubClient, makeVenue, outboxEvents, errorCode } from './support/harness.ts';

const it = centralTest
  .extend('packageId', { scope: 'file' }, ({ central }) => central.admin.publishPackage(buildMiniPackage(makeKeys())))
  /** The venue of the package's session. */
  .extend('riga', { scope: 'file' }, ({ central, packageId }) => makeVenue(central, 'RIX01', packageId, 'mini-a2'))
  /** A venue with a session of no package. */
  .extend('liepaja', { scope: 'file' }, ({ central }) => makeVenue(central, 'LPX01', null, 'mini-a2'));

/** An event of the contract that names nothing of a venue (kept as an event only). */
const segmentOf = randomUUID();
const segment = { kind: 'recording.segment', entityId: segmentOf, payload: { recordingId: segmentOf, index: 0, sha256: 'a'.repeat(64), bytes: 4000, durationMs: 1000 } };

describe('enrollment', () => {
  it('binds a one-time code to the hub key; the code cannot be used twice', async ({ central, db, riga }) => {
    const { code } = await central.admin.ok<{ code: string }>('POST', `/v1/admin/venues/${riga.venueId}/enrollment-codes`);
    const hub = new HubClient(central.url);
    const enrolled = await hub.enroll(code.toLowerCase().replaceAll('-', ' '));
    expect(enrolled.status).toBe(201);
    expect(enrolled.body).toMatchObject({ venueId: riga.venueId, venueCode: 'RIX01' });
    expect((await hub.call('GET', '/v1/feed')).status).toBe(200);

    const second = await new HubClient(central.url).enroll(code);
    expect(second.status).toBe(403);
    expect(second.body).toMatchObject({ code: 'ENROLLMENT_CODE_INVALID', message: { lv: expect.stringContaining('kods'), en: expect.stringContaining('code') } });
    const stored = await db.selectFrom('device').select('public_key').where('device_id', '=', hub.deviceId).executeTakeFirstOrThrow();
    expect(stored.public_key).toBe(hub.publicKey);
  });

  it('refuses bad enrollment input with a clear code and enrolls nothing', async ({ central, db, riga }) => {
    const count = async () => (await db.selectFrom('device').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n;
    const before = Number(await count());
    const post = (body: unknown) => fetch(`${central.url}/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ code: 'AAAA-BBBB-CCCC-DDDD-EEEE', name: 'x', publicKey: new HubClient(central.url).publicKey })).status).toBe(403);
    const { code } = await central.admin.ok<{ code: string }>('POST', `/v1/admin/venues/${riga.venueId}/enrollment-codes`);
    const notAKey = await post({ code, name: 'x', publicKey: Buffer.from('not a key at all, just some bytes here').toString('base64') });
    expect(notAKey.status).toBe(400);
    expect(await errorCode(notAKey)).toBe('VALIDATION_FAILED');
    expect((await post({ code })).status).toBe(400);
    const huge = await post({ code, name: 'x'.repeat(20_000), publicKey: 'x' });
    expect(huge.status).toBe(413);
    expect(Number(await count())).toBe(before);
    // The code survived the bad attempts.
    expect((await new HubClient(central.url).enroll(code)).status).toBe(201);
  });
});

describe('signed requests', () => {
  it('refuses unsigned, tampered, replayed, stale and re-targeted requests', async ({ central, riga }) => {
    const unsigned = await fetch(`${central.url}/v1/feed`);
    expect(unsigned.status).toBe(401);
    expect(await errorCode(unsigned)).toBe('AUTH_REQUIRED');

    const body = JSON.stringify({ deviceId: riga.hub.deviceId, events: [] });
    const headers = riga.hub.sign('POST', '/v1/push', body, { headers: { 'content-type': 'application/json' } });
    const tampered = await fetch(`${central.url}/v1/push`, { method: 'POST', headers, body: body.replace('[]', '[{}]') });
    expect(tampered.status).toBe(401);
    expect(await errorCode(tampered)).toBe('AUTH_SIGNATURE_INVALID');

    // A request copied from a log line: the same headers again are a replay...
    const feedHeaders = riga.hub.sign('GET', '/v1/feed', undefined);
    expect((await fetch(`${central.url}/v1/feed`, { headers: feedHeaders })).status).toBe(200);
    const replay = await fetch(`${central.url}/v1/feed`, { headers: feedHeaders });
    expect(replay.status).toBe(401);
    expect(await errorCode(replay)).toBe('AUTH_REPLAYED');
    // ...and cannot be pointed at another path.
    const retarget = await fetch(`${central.url}/v1/receipts/${riga.candidateIds[0]}`, { headers: riga.hub.sign('GET', '/v1/feed', undefined) });
    expect(retarget.status).toBe(401);

    const stale = await riga.hub.raw('GET', '/v1/feed', { now: Date.now() - 3_600_000 });
    expect(stale.status).toBe(401);
    expect(await errorCode(stale)).toBe('AUTH_CLOCK_SKEW');

    const impostor = new HubClient(central.url);
    impostor.deviceId = riga.hub.deviceId; // claims to be the Riga hub, signs with another key
    expect((await impostor.call('GET', '/v1/feed')).status).toBe(401);
  });
  it('refuses a request whose Content-Type or tus headers were changed after signing', async ({ central, db, riga }) => {
    const audio = randomBytes(64);
    const recordingId = randomUUID();
    const tus = {
      'tus-resumable': TUS_VERSION,
      'upload-length': String(audio.length),
      'upload-metadata': encodeUploadMetadata({ recordingId, sha256: sha256Hex(audio), mimeType: 'audio/webm' }),
      'content-type': 'application/offset+octet-stream',
    };
    /** Sign `signed`, then send it with `changed` put over it, as a machine in the middle would. */
    const post = (changed: Record<string, string>) =>
      fetch(`${central.url}/v1/uploads`, { method: 'POST', headers: { ...riga.hub.sign('POST', '/v1/uploads', audio, { headers: tus }), ...changed }, body: audio });
    const elsewhere = randomUUID();
    const changes: Record<string, string>[] = [
      { 'upload-metadata': encodeUploadMetadata({ recordingId: elsewhere, sha256: sha256Hex(audio), mimeType: 'text/html' }) },
      { 'upload-length': String(audio.length + 10) },
    ];
    for (const changed of changes) {
      const response = await post(changed);
      expect(response.status, JSON.stringify(changed)).toBe(401);
      expect(await errorCode(response)).toBe('AUTH_SIGNATURE_INVALID');
    }
    expect(await db.selectFrom('upload').select('upload_id').where('recording_id', 'in', [recordingId, elsewhere]).execute()).toEqual([]);

    // Upload-Offset of a PATCH: a chunk signed for offset 0 cannot be placed at offset 32.
    const open = await riga.hub.createUpload(randomUUID(), audio);
    expect((await riga.hub.patch(open.location, 0, audio.subarray(0, 32))).status).toBe(204);
    const chunk = audio.subarray(32);
    const patchHeaders = { 'tus-resumable': TUS_VERSION, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' };
    const moved = await fetch(`${central.url}${open.location}`, {
      method: 'PATCH',
      headers: { ...riga.hub.sign('PATCH', open.location, chunk, { headers: patchHeaders }), 'upload-offset': '32' },
      body: chunk,
    });
    expect(moved.status).toBe(401);
    expect(await errorCode(moved)).toBe('AUTH_SIGNATURE_INVALID');
    expect(await riga.hub.uploadOffset(open.location)).toBe(32);

    // Content-Type of a JSON request.
    const body = JSON.stringify({ deviceId: riga.hub.deviceId, events: outboxEvents(riga.hub.deviceId, 1_000_000, [segment]) });
    const retyped = await fetch(`${central.url}/v1/push`, {
      method: 'POST',
      headers: { ...riga.hub.sign('POST', '/v1/push', body, { headers: { 'content-type': 'application/json' } }), 'content-type': 'application/json; charset=utf-8' },
      body,
    });
    expect(retyped.status).toBe(401);
    expect(await errorCode(retyped)).toBe('AUTH_SIGNATURE_INVALID');

    // The same requests as signed are taken.
    expect((await post({})).status).toBe(201);
  });
});

describe('venue isolation', () => {
  it("gives a hub only its own venue's feed", async ({ liepaja }) => {
    const feed = await liepaja.hub.call<{ venue: { code: string }; sessions: { sessionId: string }[]; candidates: { candidateId: string }[]; packages: unknown[] }>('GET', '/v1/feed');
    expect(feed.status).toBe(200);
    expect(feed.body.venue.code).toBe('LPX01');
    expect(feed.body.sessions.map((s) => s.sessionId)).toEqual([liepaja.sessionId]);
    expect(feed.body.candidates.map((c) => c.candidateId).sort()).toEqual([...liepaja.candidateIds].sort());
    expect(feed.body.packages).toEqual([]);
  });

  it("answers every read of another venue's data as not found", async ({ riga, liepaja, packageId }) => {
    expect((await liepaja.hub.raw('GET', `/v1/packages/${packageId}`)).status).toBe(404);
    expect((await liepaja.hub.call('POST', `/v1/sessions/${riga.sessionId}/key`)).status).toBe(404);
    expect((await liepaja.hub.call('GET', `/v1/receipts/${riga.candidateIds[0]}`)).status).toBe(404);
    const rigaUpload = await riga.hub.createUpload(randomUUID(), Buffer.from('audio'));
    expect((await liepaja.hub.raw('HEAD', rigaUpload.location, { headers: { 'tus-resumable': TUS_VERSION } })).status).toBe(404);
  });
});

describe('revocation', () => {
  it('refuses a revoked hub on every route, and the revocation is audited', async ({ central, db, riga, packageId }) => {
    const { code } = await central.admin.ok<{ code: string }>('POST', `/v1/admin/venues/${riga.venueId}/enrollment-codes`);
    const hub = new HubClient(central.url);
    await hub.enroll(code);
    expect((await hub.call('GET', '/v1/feed')).status).toBe(200);
    await central.admin.ok('POST', `/v1/admin/devices/${hub.deviceId}/revoke`, { reason: 'laptop stolen' });
    const attempts = [
      await hub.call('GET', '/v1/feed'),
      await hub.push(outboxEvents(hub.deviceId, 1, [segment])),
      await hub.call('POST', `/v1/sessions/${riga.sessionId}/key`),
      await hub.call('GET', `/v1/receipts/${riga.candidateIds[0]}`),
      await hub.createUpload(randomUUID(), Buffer.from('x')),
    ];
    for (const attempt of attempts) {
      expect(attempt.status).toBe(403);
      expect(attempt.body).toMatchObject({ code: 'DEVICE_REVOKED' });
    }
    expect((await hub.raw('GET', `/v1/packages/${packageId}`)).status).toBe(403);
    const devices = await central.admin.ok<{ deviceId: string; status: string }[]>('GET', `/v1/admin/venues/${riga.venueId}/devices`);
    expect(devices.find((d) => d.deviceId === hub.deviceId)?.status).toBe('revoked');
    await sealAudit(db);
    const audit = await db.selectFrom('audit_log').select(['action', 'detail']).where('subject', '=', hub.deviceId).where('action', '=', 'device.revoked').execute();
    expect(audit).toEqual([{ action: 'device.revoked', detail: { reason: 'laptop stolen' } }]);
  });

  it('keeps the first revocation: revoking again is 409 CONFLICT saying when and why, and changes nothing', async ({ central, db, riga }) => {
    const { code } = await central.admin.ok<{ code: string }>('POST', `/v1/admin/venues/${riga.venueId}/enrollment-codes`);
    const hub = new HubClient(central.url);
    await hub.enroll(code);
    await central.admin.ok('POST', `/v1/admin/devices/${hub.deviceId}/revoke`, { reason: 'laptop stolen' });
    const first = await db.selectFrom('device').select(['revoked_at', 'revoked_reason']).where('device_id', '=', hub.deviceId).executeTakeFirstOrThrow();
    await new Promise((r) => setTimeout(r, 20));
    const again = await central.admin.call('POST', `/v1/admin/devices/${hub.deviceId}/revoke`, { reason: 'found again, revoking to be sure' });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'CONFLICT', detail: expect.stringContaining('laptop stolen') });
    expect((again.body as { detail: string }).detail).toContain(first.revoked_at!.toISOString());
    expect(await db.selectFrom('device').select(['revoked_at', 'revoked_reason']).where('device_id', '=', hub.deviceId).executeTakeFirstOrThrow()).toEqual(first);
    await sealAudit(db);
    const audit = await db.selectFrom('audit_log').select('detail').where('subject', '=', hub.deviceId).where('action', '=', 'device.revoked').execute();
    expect(audit).toEqual([{ detail: { reason: 'laptop stolen' } }]);
    expect((await central.admin.call('POST', `/v1/admin/devices/${randomUUID()}/revoke`, { reason: 'x' })).status).toBe(404);
  });

  it('refuses admin calls without the admin token', async ({ central }) => {
    const response = await fetch(`${central.url}/v1/admin/venues`, { headers: { authorization: 'Bearer wrong-token' } });
    expect(response.status).toBe(401);
    expect(await errorCode(response)).toBe('ADMIN_AUTH_REQUIRED');
  });
});
