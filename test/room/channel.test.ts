// The channel between paired seats and their hub on real mutual TLS over loopback: frames both ways,
// reconnection, and each refusal of who may open it (another room's seat or hub, a changed hub key, an
// unpaired client, a revoked seat, a borrowed certificate), frame limits, half-open sockets, and what
// crosses the wire.
import { generateKeyPairSync } from 'node:crypto';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ROOM_CLOSE, ROOM_PATH, type SeatMembership } from '../../src-shared/contracts/room-link.ts';
import type { StationError } from '../../src-shared/errors.ts';
import type { ChannelClose } from '../../src-shared/node/room/channel.ts';
import { selfSignedCertificateOf } from '../../src-shared/node/room/identity.ts';
import { shortDeviceId } from '../../src-shared/rules/device-id.ts';
import { connectToHub, reconnectDelay, type HubConnection } from '../../src-main/seat-link/hub-connection.ts';
import { pinnedTls } from '../../src-main/seat-link/hub-tls.ts';
import { pairWithCode } from '../../src-main/seat-link/pairing.ts';
import { tempDir } from '../support/fixtures.ts';
import { connected, makeSeat, next, startHub, tcpProxy, until, type HubOptions, type TestHub, type TestSeat } from './support.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function hub(options: HubOptions = {}): Promise<TestHub> {
  const started = await startHub(options);
  let stopped = false;
  const stop = started.stop;
  started.stop = async () => {
    if (stopped) return;
    stopped = true;
    await stop();
  };
  cleanups.push(() => started.stop());
  return started;
}

async function paired(room: TestHub, label: string, seat: TestSeat = makeSeat()): Promise<{ seat: TestSeat; membership: SeatMembership }> {
  const code = room.server.pairing.status().code?.code ?? room.server.pairing.open().code;
  const membership = await pairWithCode({ identity: seat.identity, dataDir: seat.dir, address: room.server.address, code, label });
  room.server.pairing.close();
  return { seat, membership };
}

function link(seat: TestSeat, membership: SeatMembership, options: Partial<Parameters<typeof connectToHub>[0]> = {}): HubConnection {
  const opened = connectToHub({ identity: seat.identity, membership, reconnectBaseMs: 50, ...options });
  cleanups.push(() => opened.close());
  return opened;
}

function disconnects(connection: HubConnection): StationError[] {
  const reasons: StationError[] = [];
  connection.onDisconnected((reason) => reasons.push(reason));
  return reasons;
}

/** A TLS client that ignores who the hub is and asks for an upgrade on `path`: what it got back, and whether TLS completed. */
function rawUpgrade(address: { host: string; port: number }, tls: ConnectionOptions, path = ROOM_PATH): Promise<{ secure: boolean; received: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let secure = false;
    let error: string | undefined;
    const socket = tlsConnect({ host: address.host, port: address.port, rejectUnauthorized: false, minVersion: 'TLSv1.3', ...tls }, () => {
      secure = true;
      socket.write(`GET ${path} HTTP/1.1\r\nHost: hub\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (e) => {
      error = e.message;
    });
    socket.on('close', () => resolve({ secure, received: Buffer.concat(chunks), ...(error ? { error } : {}) }));
    setTimeout(() => socket.destroy(), 3000).unref();
  });
}

describe('the channel between a paired seat and its hub', () => {
  it('carries JSON frames both ways, and the hub knows which seat it talks to', async () => {
    const room = await hub();
    const { seat, membership } = await paired(room, '4C');
    const connection = link(seat, membership);
    await connected(connection);
    await until(() => room.channels.length === 1);
    const atHub = room.channels[0]!;
    expect(atHub).toMatchObject({ deviceId: seat.identity.deviceId, label: '4C' });
    expect(connection).toMatchObject({ deviceId: room.identity.deviceId, label: '4C', connected: true });

    const atHubFrame = next((listener) => atHub.onFrame(listener));
    expect(connection.send({ type: 'heartbeat', part: 'reading', backlog: 0 })).toBe(true);
    expect(await atHubFrame).toEqual({ type: 'heartbeat', part: 'reading', backlog: 0 });
    const atSeatFrame = next((listener) => connection.onFrame(listener));
    atHub.send({ type: 'command', cmd: 'pause' });
    expect(await atSeatFrame).toEqual({ type: 'command', cmd: 'pause' });
  });

  it('comes back by itself after the hub restarts with the same key, and the seat keeps its identity through its own restart', async () => {
    const dir = tempDir('room-hub-');
    const first = await hub({ dir });
    const { seat, membership } = await paired(first, '1A');
    const connection = link(seat, membership);
    const reasons = disconnects(connection);
    await connected(connection);
    const port = first.server.address.port;
    await first.stop();
    await until(() => reasons.length > 0);
    expect(reasons[0]!.code).toBe('HUB_UNREACHABLE');

    const again = await hub({ dir, port });
    await until(() => again.channels.length === 1);
    await until(() => connection.connected);
    expect(again.channels[0]!.deviceId).toBe(seat.identity.deviceId);

    // The seat restarts: the same identity from its data folder, the same membership, the same channel.
    connection.close();
    const restarted = makeSeat(seat.dir);
    expect(restarted.identity.deviceId).toBe(seat.identity.deviceId);
    const reopened = link(restarted, membership);
    await connected(reopened);
    await until(() => again.channels.length === 2);
  });

  it('is refused by the seat when the hub comes back with another key, and the seat says so: HUB_KEY_CHANGED', async () => {
    const first = await hub();
    const { seat, membership } = await paired(first, '1A');
    const port = first.server.address.port;
    await first.stop();
    // A new hub at the same address: another data folder, so another device key and another room CA.
    const replaced = await hub({ port });
    const connection = link(seat, membership);
    const reasons = disconnects(connection);
    await until(() => reasons.length >= 2);
    expect(connection.connected).toBe(false);
    expect(reasons.map((r) => r.code)).toEqual(reasons.map(() => 'HUB_KEY_CHANGED'));
    expect(replaced.channels).toEqual([]);
    // The seat gave up inside the handshake, before it showed its own certificate: the new hub saw only that.
    expect(replaced.server.refusals().length).toBeGreaterThan(0);
    for (const refusal of replaced.server.refusals()) expect(refusal).toMatchObject({ deviceId: undefined, detail: expect.stringMatching(/^TLS handshake failed/) });
  });

  it('is refused when the hub keeps its room CA but its own key changed, naming both keys', async () => {
    const first = await hub();
    const { seat, membership } = await paired(first, '1A');
    const port = first.server.address.port;
    await first.stop();
    const dir = tempDir('room-hub-');
    cpSync(join(first.dir, 'room-ca'), join(dir, 'room-ca'), { recursive: true });
    cpSync(join(first.dir, 'station.db'), join(dir, 'station.db'));
    const rekeyed = await hub({ dir, port });
    expect(rekeyed.authority.roomId).toBe(first.authority.roomId);
    const connection = link(seat, membership);
    const reason = await next<StationError>((listener) => connection.onDisconnected(listener));
    expect(reason.code).toBe('HUB_KEY_CHANGED');
    expect(reason.detail).toContain(shortDeviceId(rekeyed.identity.deviceId));
    expect(reason.detail).toContain(shortDeviceId(first.identity.deviceId));
    expect(rekeyed.channels).toEqual([]);
  });

  it("refuses a seat paired with another hub on both sides: the seat refuses the hub's key, the hub refuses the seat's certificate", async () => {
    const hubA = await hub();
    const hubB = await hub();
    const { seat, membership } = await paired(hubA, '1A');
    // The seat dials hub B: it does not get past its own check of B's key.
    const connection = link(seat, membership, { address: hubB.server.address });
    expect((await next<StationError>((listener) => connection.onDisconnected(listener))).code).toBe('HUB_KEY_CHANGED');
    connection.close();
    // A client holding the seat's certificate and key that does not check the hub at all: B ends it after TLS.
    const attempt = await rawUpgrade(hubB.server.address, { key: seat.identity.privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: membership.seatCertificate });
    expect(attempt.received.length).toBe(0);
    expect(hubB.channels).toEqual([]);
    expect(hubB.server.refusals().filter((r) => r.deviceId === seat.identity.deviceId).map((r) => r.reason)).toContain('SEAT_OTHER_HUB');
  });

  it('lets an unpaired client neither open /room nor read anything, with its own certificate or with none, even while pairing is open', async () => {
    const room = await hub();
    const stranger = makeSeat();
    const ownCertificate = { key: stranger.identity.privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: await selfSignedCertificateOf(stranger.identity) };
    for (const tls of [ownCertificate, {}]) {
      const closed = await rawUpgrade(room.server.address, tls);
      expect(closed.received.length).toBe(0);
    }
    room.server.pairing.open();
    for (const tls of [ownCertificate, {}]) {
      const atRoom = await rawUpgrade(room.server.address, tls);
      expect(atRoom.secure).toBe(true);
      expect(atRoom.received.length).toBe(0);
      // Elsewhere it gets a 404 and nothing else.
      const elsewhere = await rawUpgrade(room.server.address, tls, '/anything');
      expect(elsewhere.received.toString()).toMatch(/^HTTP\/1\.1 404/);
    }
    expect(room.channels).toEqual([]);
    expect(room.server.refusals().map((r) => r.reason)).toEqual(['SEAT_NOT_PAIRED', 'SEAT_NOT_PAIRED', 'SEAT_NOT_PAIRED', 'SEAT_NOT_PAIRED']);
    expect(room.server.refusals().filter((r) => r.deviceId === stranger.identity.deviceId)).toHaveLength(2);
  });

  it('cuts a revoked seat off at once, and the seat cannot come back', async () => {
    const room = await hub();
    const { seat, membership } = await paired(room, '3B');
    const connection = link(seat, membership);
    const reasons = disconnects(connection);
    await connected(connection);
    await until(() => room.channels.length === 1);
    const atHub = room.channels[0]!;
    const received: unknown[] = [];
    atHub.onFrame((frame) => received.push(frame));
    const closedAtSeat = next((listener) => connection.onClose(listener));

    room.server.revoke(seat.identity.deviceId);
    // From the moment revoke returns, the hub neither sends to the seat nor hears it.
    expect(atHub.send({ type: 'command' })).toBe(false);
    connection.send({ type: 'late-frame' });
    expect(await closedAtSeat).toEqual({ code: ROOM_CLOSE.revoked, reason: 'SEAT_REVOKED' });
    expect(reasons.map((r) => r.code)).toEqual(['SEAT_REVOKED']);
    expect(received).toEqual([]);
    expect(room.server.seats()[0]!.revokedAt).not.toBeNull();

    // A new start of the seat with the same certificate is turned away with the reason.
    const again = connectToHub({ identity: seat.identity, membership });
    cleanups.push(() => again.close());
    expect((await next<StationError>((listener) => again.onDisconnected(listener))).code).toBe('SEAT_REVOKED');
    expect(room.channels).toHaveLength(1);
    expect(room.server.refusals()).toContainEqual(expect.objectContaining({ reason: 'SEAT_REVOKED', deviceId: seat.identity.deviceId }));
  });

  it('does not let in a seat with a certificate of this room that is not in the allowlist: it asks to rejoin (hub-rejoin.test.ts)', async () => {
    const room = await hub();
    const { seat, membership } = await paired(room, '1A');
    // The hub's records lost the seat (a database restored from before it was paired).
    room.db.sqlite.prepare('DELETE FROM room_seats').run();
    const connection = link(seat, membership);
    expect((await next<StationError>((listener) => connection.onDisconnected(listener))).code).toBe('SEAT_REJOIN_REQUESTED');
    expect(room.channels).toEqual([]);
  });

  it('closes a channel that carries a binary message (1003) or a text that is not a frame (4400)', async () => {
    const room = await hub();
    const { seat, membership } = await paired(room, '1A');
    for (const [payload, code] of [[Buffer.from([1, 2, 3]), ROOM_CLOSE.unsupported], ['{"no":"type"}', ROOM_CLOSE.frameInvalid], ['not json', ROOM_CLOSE.frameInvalid]] as const) {
      const ws = new WebSocket(`wss://127.0.0.1:${room.server.address.port}${ROOM_PATH}`, { ...pinnedTls(seat.identity, membership, membership.seatCertificate), perMessageDeflate: false });
      await new Promise((resolve) => ws.once('open', resolve));
      const closed = new Promise<number>((resolve) => ws.once('close', (closeCode) => resolve(closeCode)));
      ws.send(payload);
      expect(await closed).toBe(code);
    }
  });

  it("does not let a client present another seat's certificate without that seat's key", async () => {
    const room = await hub();
    const { membership } = await paired(room, '1A');
    const thief = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    // Node's TLS will not even offer a certificate with a key that is not its own; nothing reaches the hub.
    expect(() => tlsConnect({ ...room.server.address, key: thief, cert: membership.seatCertificate, rejectUnauthorized: false })).toThrow(/key values mismatch/);
    // With the certificate and no key at all it cannot sign the handshake, so it shows no certificate: a stranger.
    const keyless = await rawUpgrade(room.server.address, { cert: membership.seatCertificate });
    expect(keyless.received.length).toBe(0);
    expect(room.channels).toEqual([]);
    expect(room.server.refusals()).toEqual([expect.objectContaining({ reason: 'SEAT_NOT_PAIRED', deviceId: undefined })]);
  });

  it('refuses a frame above the limit: the sender is told before sending, a receiver closes the channel with 1009', async () => {
    const room = await hub({ maxFrameBytes: 4096 });
    const { seat, membership } = await paired(room, '1A');
    const connection = link(seat, membership, { maxFrameBytes: 4096 });
    await connected(connection);
    expect(() => connection.send({ type: 'answer', text: 'x'.repeat(5000) })).toThrow(expect.objectContaining({ code: 'FRAME_TOO_LARGE' }));
    expect(connection.connected).toBe(true);

    // A seat that allows itself more than the hub accepts: the hub closes the channel and the seat hears why.
    connection.close();
    const loose = link(seat, membership, { maxFrameBytes: 65536 });
    const reasons = disconnects(loose);
    await connected(loose);
    await until(() => room.channels.length === 2);
    const closedAtHub = next<ChannelClose>((listener) => room.channels[1]!.onClose(listener));
    loose.send({ type: 'answer', text: 'x'.repeat(5000) });
    expect((await closedAtHub).code).toBe(ROOM_CLOSE.tooLarge);
    await until(() => reasons.length > 0);
    expect(reasons[0]!.code).toBe('FRAME_TOO_LARGE');
  });

  it('drops a half-open link within two ping intervals on both sides', async () => {
    const room = await hub({ pingMs: 200 });
    const { seat, membership } = await paired(room, '1A');
    const proxy = await tcpProxy(room.server.address);
    cleanups.push(() => proxy.close());
    const connection = link(seat, membership, { address: proxy.address, pingMs: 200 });
    const reasons = disconnects(connection);
    await connected(connection);
    await until(() => room.channels.length === 1);
    const closedAtHub = next<ChannelClose>((listener) => room.channels[0]!.onClose(listener));
    const frozenAt = Date.now();
    proxy.freeze();
    expect((await closedAtHub).reason).toBe('no answer to ping');
    await until(() => reasons.length > 0);
    expect(Date.now() - frozenAt).toBeLessThan(1500);
    expect(reasons[0]!.code).toBe('HUB_UNREACHABLE');
  });

  it('carries no frame text in the clear: the bytes on the wire do not contain a marker sent in a frame', async () => {
    const room = await hub();
    const { seat, membership } = await paired(room, '1A');
    const proxy = await tcpProxy(room.server.address);
    cleanups.push(() => proxy.close());
    const connection = link(seat, membership, { address: proxy.address });
    await connected(connection);
    await until(() => room.channels.length === 1);
    const marker = 'ANSWER-MARKER-Žīmulis-7f3a9c';
    const arrived = next((listener) => room.channels[0]!.onFrame(listener));
    connection.send({ type: 'response.saved', text: `${marker} ${marker}` });
    expect(await arrived).toEqual({ type: 'response.saved', text: `${marker} ${marker}` });
    const wire = Buffer.concat(proxy.captured);
    expect(wire.length).toBeGreaterThan(1000);
    for (const encoding of ['utf8', 'latin1', 'utf16le'] as const) expect(wire.includes(Buffer.from('ANSWER-MARKER', encoding))).toBe(false);
    expect(wire.includes(Buffer.from('response.saved'))).toBe(false);
  });

  it('waits between tries from 250 ms doubling up to 5 s, each wait drawn between half and all of it', () => {
    expect([0, 1, 2, 3, 4, 5, 10, 60].map((failures) => reconnectDelay(failures, 0.999999))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000, 5000].map((ms) => expect.closeTo(ms, 0)));
    expect([0, 5, 60].map((failures) => reconnectDelay(failures, 0))).toEqual([125, 2500, 2500]);
    const draws = Array.from({ length: 200 }, () => reconnectDelay(8, Math.random()));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(2500);
    expect(Math.max(...draws)).toBeLessThanOrEqual(5000);
    expect(new Set(draws.map((d) => Math.round(d))).size).toBeGreaterThan(100);
  });
});
