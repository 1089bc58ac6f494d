// A hub rebuilt from its seats: the hub's database is lost while its key files (device key, room CA)
// survive. Its seats still show certificates of this room's CA, but the allowlist and every revocation
// went with the database, so no seat is let back in by itself: each one's reconnect becomes a rejoin
// request on the hub, and only once IT or the chief accepts it does the seat connect and send everything
// again from seq 0, every event and segment arriving once. A refused request stays refused; a
// certificate from another hub's CA is refused as before, and files no request.
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStationConfig, type StationConfig } from '../../src-main/host/config.ts';
import { startRoom, type StationRoom } from '../../src-main/host/room.ts';
import { openStation, type OpenedStation } from '../../src-main/host/start.ts';
import { connectToHub } from '../../src-main/seat-link/hub-connection.ts';
import { loadMembership } from '../../src-main/seat-link/membership.ts';
import { pairWithCode } from '../../src-main/seat-link/pairing.ts';
import { ROOM_PATH, SEAT_LABEL_HEADER } from '../../src-shared/contracts/room-link.ts';
import type { StationError } from '../../src-shared/errors.ts';
import { buildMiniPackage, DEMO_CANDIDATE, DEMO_SESSION, firstSignIn, makeKeys, saveId, seatOf, tempDir, TEST_CHIEF_ENV, writeProductionAssets } from '../support/fixtures.ts';
import { until } from './room-fixtures.ts';
import { makeSeat, next, startHub, type TestHub } from './support.ts';

const keys = makeKeys();
const built = buildMiniPackage(keys);
const closing: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

function configOf(role: 'hub' | 'seat'): StationConfig {
  const dir = tempDir(`rejoin-${role}-`);
  return loadStationConfig({
    env: { EXAM_STATION_MODE: 'production', EXAM_STATION_ROLE: role, EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: join(dir, 'data'), EXAM_STATION_ASSETS: writeProductionAssets(dir, keys.trust), ...TEST_CHIEF_ENV },
    machinePolicyFile: join(dir, 'absent.json'),
  });
}

/** A station on its data folder with its room; stop() ends both (the hub's may be stopped before the test ends). */
async function started(config: StationConfig, port = 0): Promise<{ opened: OpenedStation; room: StationRoom; stop: () => Promise<void> }> {
  const opened = openStation(config, { heartbeatMs: 0 });
  const room = await startRoom(opened, { host: '127.0.0.1', port, heartbeatMs: 100 });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await room.close();
    opened.service.close();
  };
  closing.push(stop);
  return { opened, room, stop };
}

async function hubOf(config: StationConfig, port = 0) {
  const station = await started(config, port);
  if (station.room.role !== 'hub') throw new Error('not a hub');
  return { ...station, hub: station.room.hub, server: station.room.server, staff: await firstSignIn(station.opened.service) };
}

describe('a hub whose database was lost, its key files kept', () => {
  it("takes a seat back only when accepted, and then gets every event and segment of the seat's once", async () => {
    const hubConfig = configOf('hub');
    let hub = await hubOf(hubConfig);
    const seatStation = await started(configOf('seat'));
    const seatService = seatStation.opened.service;
    const seatStaff = await firstSignIn(seatService);
    const seatId = seatStation.opened.identity.deviceId;
    seatService.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE] });
    const packagePath = join(seatStation.opened.config.dataDir, 'mini.exampkg');
    writeFileSync(packagePath, built.file);
    await seatService.importPackage({ staffToken: seatStaff, path: packagePath });
    await seatService.unlockPackage({ staffToken: seatStaff, packageId: built.manifest.packageId, key: built.contentKey });
    const { code } = await hub.opened.service.openPairing({ staffToken: hub.staff });
    await seatService.pairWithHub({ staffToken: seatStaff, ...hub.server.address, code, label: '1A' });
    const port = hub.server.address.port;

    // The candidate answers and speaks; all of it reaches the first hub.
    const seat = seatOf(await seatService.openAttempt({ staffToken: seatStaff, candidateId: DEMO_CANDIDATE.candidateId, packageId: built.manifest.packageId }));
    seatService.roomStart({ candidateId: null, at: Date.now() });
    await seatService.recordTimerEvent({ ...seat, partId: 'reading', kind: 'start' });
    await seatService.recordTimerEvent({ ...seat, partId: 'speaking', kind: 'start' });
    const { recordingId } = await seatService.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    const segments: string[] = [];
    const speak = async () => {
      const data = randomBytes(2000);
      const sha256 = createHash('sha256').update(data).digest('hex');
      await seatService.appendAudioSegment({ ...seat, recordingId, index: segments.length, data, sha256, durationMs: 1000 });
      segments.push(sha256);
    };
    const answer = (text: string) => seatService.saveResponse({ ...seat, itemId: 'r1-q4', value: { type: 'short-text', text }, clientSaveId: saveId() });
    for (let i = 0; i < 3; i += 1) {
      await answer(`atbilde ${i}`);
      await speak();
    }
    const seatStatus = async () => (await seatService.getRoom({ staffToken: seatStaff })).seat!;
    const drained = async () => {
      const status = await seatStatus();
      return status.connected && status.ackedSeq === seatService.outbox.lastSeq() && status.audioBytesPending === 0;
    };
    await until('everything at the first hub', drained, 10_000);

    // The hub dies and its database goes; its device key and room CA stay. The seat works on offline.
    await hub.stop();
    for (const file of ['station.db', 'station.db-wal', 'station.db-shm']) rmSync(join(hubConfig.dataDir, file), { force: true });
    await answer('atbilde bez telpas datora');
    await speak();
    hub = await hubOf(hubConfig, port);
    expect(hub.server.seats()).toEqual([]);

    // The seat's reconnect is a rejoin request, listed on the hub; the seat is not let in, and says why.
    const rejoin = { deviceId: seatId, label: '1A', kind: 'rejoin', decision: null, address: expect.stringMatching(/^127\.0\.0\.1:/), requestedAt: expect.any(String) };
    await until('the rejoin request on the hub', async () => ((await hub.opened.service.getRoom({ staffToken: hub.staff })).hub?.requests ?? []).length > 0, 10_000);
    expect((await hub.opened.service.getRoom({ staffToken: hub.staff })).hub?.requests).toEqual([rejoin]);
    await until('the seat told it waits to be accepted', async () => (await seatStatus()).rejoin === 'requested', 10_000);
    expect(await seatStatus()).toMatchObject({ connected: false, rejoin: 'requested', alarm: expect.stringMatching(/^SEAT_REJOIN_REQUESTED/) });
    // It keeps trying (every few seconds at most); still nothing of it at the hub, the request filed once.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await answer('vēl viena atbilde, gaidot');
    expect(hub.hub.view().filter((s) => s.connected)).toEqual([]);
    expect(hub.opened.service.outbox.read(0, 10_000).filter((e) => e.origin.deviceId === seatId)).toEqual([]);
    expect(hub.server.requests()).toHaveLength(1);
    expect(hub.server.refusals().filter((r) => r.deviceId === seatId).map((r) => r.reason)).toContain('SEAT_REJOIN_REQUESTED');

    // The chief accepts it: the seat's row comes back with its own key and certificate, no new one.
    const before = loadMembership(seatStation.opened.config.dataDir)!;
    await hub.opened.service.decideSeatRequest({ staffToken: hub.staff, deviceId: seatId, decision: 'accept' });
    expect(hub.server.seats()).toEqual([expect.objectContaining({ deviceId: seatId, keyHash: seatStation.opened.identity.keyHash, label: '1A', pairedBy: 'rejoin', revokedAt: null })]);
    expect(new X509Certificate(hub.server.seats()[0]!.certificate).raw).toEqual(new X509Certificate(before.seatCertificate).raw);
    expect((await hub.opened.service.getRoom({ staffToken: hub.staff })).hub?.requests).toEqual([{ ...rejoin, decision: 'accepted' }]);
    await until('everything at the rebuilt hub', drained, 15_000);
    expect((await seatStatus()).rejoin).toBeNull();

    // Every event of the seat once, in its order and as the seat wrote it; every segment once with its hash.
    const atHub = hub.opened.service.outbox.read(0, 10_000).filter((e) => e.origin.deviceId === seatId);
    expect(atHub.map((e) => [e.origin.seq, e.kind, e.payload])).toEqual(seatService.outbox.read(0, 10_000).map((e) => [e.seq, e.kind, e.payload]));
    const audio = hub.opened.service.db.sqlite.prepare('SELECT idx, sha256 FROM seat_audio WHERE device_id = ? ORDER BY idx').all(seatId);
    expect(audio).toEqual(segments.map((sha256, idx) => ({ idx, sha256 })));
    const audit = (await hub.opened.service.listAudit({ staffToken: hub.staff, afterSeq: 0, limit: 1000 })).map((e) => e.action);
    expect(audit).toContain('room.seat.request.accept');
  }, 90_000);
});

describe('rejoin requests at the room server', () => {
  async function hub(dir?: string, port?: number): Promise<TestHub> {
    const room = await startHub({ ...(dir ? { dir } : {}), ...(port ? { port } : {}) });
    let stopped = false;
    const stop = room.stop;
    room.stop = async () => {
      if (stopped) return;
      stopped = true;
      await stop();
    };
    closing.push(() => room.stop());
    return room;
  }

  it('keeps a refused seat out for good, also when it comes back, and its request stays refused', async () => {
    const dir = tempDir('rejoin-hub-');
    const first = await hub(dir);
    const seat = makeSeat();
    const membership = await pairWithCode({ identity: seat.identity, dataDir: seat.dir, address: first.server.address, code: first.server.pairing.open().code, label: '2B' });
    await first.stop();
    for (const file of ['station.db', 'station.db-wal', 'station.db-shm']) rmSync(join(dir, file), { force: true });
    const rebuilt = await hub(dir, first.server.address.port);

    const connection = connectToHub({ identity: seat.identity, membership, reconnectBaseMs: 50, reconnectCapMs: 200 });
    closing.push(() => connection.close());
    expect((await next<StationError>((listener) => connection.onDisconnected(listener))).code).toBe('SEAT_REJOIN_REQUESTED');
    expect(rebuilt.server.requests()).toEqual([expect.objectContaining({ deviceId: seat.identity.deviceId, label: '2B', kind: 'rejoin', decision: null })]);
    // Not accepted by waiting: it is asked again and again, and stays outside.
    expect((await next<StationError>((listener) => connection.onDisconnected(listener))).code).toBe('SEAT_REJOIN_REQUESTED');
    expect(rebuilt.channels).toEqual([]);

    rebuilt.server.refuse(seat.identity.deviceId);
    expect((await next<StationError>((listener) => connection.onDisconnected(listener))).code).toBe('SEAT_REJOIN_REFUSED');
    // The seat stops trying; dialled again (a restart of the seat), it is refused again, not asked anew.
    const again = connectToHub({ identity: seat.identity, membership, reconnectBaseMs: 50 });
    closing.push(() => again.close());
    expect((await next<StationError>((listener) => again.onDisconnected(listener))).code).toBe('SEAT_REJOIN_REFUSED');
    await expect(rebuilt.server.accept(seat.identity.deviceId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(rebuilt.server.requests()).toEqual([expect.objectContaining({ deviceId: seat.identity.deviceId, decision: 'refused' })]);
    expect(rebuilt.server.seats()).toEqual([]);
    expect(rebuilt.channels).toEqual([]);
  });

  it("refuses a certificate from another hub's CA as before and files no request, where its own rebuilt hub files one", async () => {
    const dirA = tempDir('rejoin-hub-');
    const hubA = await hub(dirA);
    const hubB = await hub();
    const seat = makeSeat();
    const membership = await pairWithCode({ identity: seat.identity, dataDir: seat.dir, address: hubA.server.address, code: hubA.server.pairing.open().code, label: '3C' });
    await hubA.stop();
    for (const file of ['station.db', 'station.db-wal', 'station.db-shm']) rmSync(join(dirA, file), { force: true });
    const rebuiltA = await hub(dirA);
    // A client with A's certificate and the seat's key that asks for /room, label and all, without checking the hub.
    const ask = (address: { host: string; port: number }) =>
      new Promise<string>((resolve) => {
        const chunks: Buffer[] = [];
        const socket = tlsConnect({ ...address, rejectUnauthorized: false, minVersion: 'TLSv1.3', key: seat.identity.privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: membership.seatCertificate }, () => {
          socket.write(`GET ${ROOM_PATH} HTTP/1.1\r\nHost: hub\r\n${SEAT_LABEL_HEADER}: 3C\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
        });
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
        setTimeout(() => socket.destroy(), 3000).unref();
      });
    expect(await ask(hubB.server.address)).toBe('');
    expect(hubB.server.refusals().filter((r) => r.deviceId === seat.identity.deviceId).map((r) => r.reason)).toEqual(['SEAT_OTHER_HUB']);
    expect(hubB.server.requests()).toEqual([]);
    expect(hubB.server.seats()).toEqual([]);
    expect(hubB.channels).toEqual([]);
    // The same certificate at the hub whose CA signed it: a request, and no channel.
    expect(await ask(rebuiltA.server.address)).toMatch(/^HTTP\/1\.1 403[\s\S]*SEAT_REJOIN_REQUESTED/);
    expect(rebuiltA.server.requests()).toEqual([expect.objectContaining({ deviceId: seat.identity.deviceId, label: '3C', kind: 'rejoin', decision: null })]);
    expect(rebuiltA.channels).toEqual([]);
  });
});
