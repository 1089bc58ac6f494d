// Pairing by code on real TLS over loopback: the happy path and each refusal (wrong, burnt, expired,
// five failures, a relay in between, a label held by another seat, pairing closed).
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { PAIR_PATH } from '../../src-shared/contracts/room-link.ts';
import { certificateKeyHash, issuedBy, selfSignedCertificate } from '../../src-shared/node/room/certificates.ts';
import { MEMBERSHIP_FILE, loadMembership } from '../../src-main/seat-link/membership.ts';
import { pairWithCode } from '../../src-main/seat-link/pairing.ts';
import { refusal } from '../support/refusal.ts';
import { makeSeat, startHub, until, type TestHub } from './support.ts';

const hubs: TestHub[] = [];
afterEach(async () => {
  await Promise.all(hubs.splice(0).map((hub) => hub.stop()));
});

async function hub(options: Parameters<typeof startHub>[0] = {}): Promise<TestHub> {
  const started = await startHub(options);
  hubs.push(started);
  return started;
}

function wrong(code: string): string {
  return code.replace(/^./, (digit) => String((Number(digit) + 1) % 10));
}

describe('pairing a seat by the code the hub shows', () => {
  it("gives the seat a certificate for its own key from the room's CA, the hub's pin and its label, kept on disk", async () => {
    const room = await hub();
    const seat = makeSeat();
    const { code } = room.server.pairing.open();
    const membership = await pairWithCode({ identity: seat.identity, dataDir: seat.dir, address: room.server.address, code, label: '4c' });

    expect(membership).toMatchObject({ roomId: room.authority.roomId, label: '4C', hubKeyHash: room.identity.keyHash, hubDeviceId: room.identity.deviceId });
    expect(membership.addresses).toEqual([room.server.address]);
    expect(certificateKeyHash(membership.seatCertificate)).toBe(seat.identity.keyHash);
    expect(issuedBy(membership.seatCertificate, room.authority.caCertificate)).toBe(true);
    expect(new X509Certificate(membership.seatCertificate).subject).toBe(`CN=${seat.identity.deviceId}`);
    expect(existsSync(join(seat.dir, MEMBERSHIP_FILE))).toBe(true);
    expect(loadMembership(seat.dir)).toEqual(membership);

    expect(room.server.seats()).toEqual([expect.objectContaining({ deviceId: seat.identity.deviceId, keyHash: seat.identity.keyHash, label: '4C', pairedBy: 'code', revokedAt: null })]);
    const status = room.server.pairing.status();
    expect(status).toMatchObject({ state: 'open', consecutiveFailures: 0, failures: [] });
    // The code was used: the next seat gets another one.
    expect(status.code?.code).not.toBe(code);
  });

  it('burns a code after one wrong proof: the right code is refused afterwards too, and the hub shows the failure', async () => {
    const room = await hub();
    const seat = makeSeat();
    const { code } = room.server.pairing.open();
    const pair = (withCode: string) => pairWithCode({ identity: seat.identity, dataDir: seat.dir, address: room.server.address, code: withCode, label: '1A' });

    expect(await refusal(pair(wrong(code)))).toBe('PAIRING_CODE_WRONG');
    expect(await refusal(pair(code))).toBe('PAIRING_CODE_WRONG');
    const status = room.server.pairing.status();
    expect(status.consecutiveFailures).toBe(2);
    expect(status.failures).toEqual([
      expect.objectContaining({ reason: 'PAIRING_CODE_WRONG', deviceId: seat.identity.deviceId }),
      expect.objectContaining({ reason: 'PAIRING_CODE_WRONG', deviceId: seat.identity.deviceId, address: expect.stringMatching(/^127\.0\.0\.1:\d+$/) }),
    ]);
    expect(room.server.seats()).toEqual([]);
    expect(loadMembership(seat.dir)).toBeUndefined();

    // The new code the hub shows pairs, and the count of failures starts again.
    const fresh = status.code!.code;
    expect(fresh).not.toBe(code);
    await pair(fresh);
    expect(room.server.pairing.status().consecutiveFailures).toBe(0);
  });

  it('refuses a code past its 2 minutes (the clock is the hub’s) until the hub makes a new one', async () => {
    let now = new Date('2026-12-01T08:00:00Z');
    const room = await hub({ now: () => now });
    const seat = makeSeat();
    const { code, expiresAt } = room.server.pairing.open();
    expect(expiresAt).toBe('2026-12-01T08:02:00.000Z');
    now = new Date('2026-12-01T08:02:00Z');
    const pair = (withCode: string) => pairWithCode({ identity: seat.identity, dataDir: seat.dir, address: room.server.address, code: withCode, label: '1A' });
    expect(await refusal(pair(code))).toBe('PAIRING_CODE_EXPIRED');
    // An expired code is not a failed proof.
    expect(room.server.pairing.status()).toMatchObject({ consecutiveFailures: 0, failures: [] });
    const renewed = room.server.pairing.open();
    await pair(renewed.code);
    expect(room.server.seats()).toHaveLength(1);
  });

  it('pauses pairing after five failed proofs in a row, says so to seats and to the hub, until the hub opens it again', async () => {
    const room = await hub();
    const seat = makeSeat();
    room.server.pairing.open();
    const pair = (withCode: string) => pairWithCode({ identity: seat.identity, dataDir: seat.dir, address: room.server.address, code: withCode, label: '1A' });
    for (let i = 0; i < 5; i++) expect(await refusal(pair(wrong(room.server.pairing.status().code!.code)))).toBe('PAIRING_CODE_WRONG');

    const status = room.server.pairing.status();
    expect(status).toMatchObject({ state: 'paused', code: null, consecutiveFailures: 5 });
    expect(status.failures).toHaveLength(5);
    expect(await refusal(pair('12345678'))).toBe('PAIRING_PAUSED');

    const reopened = room.server.pairing.open();
    expect(room.server.pairing.status()).toMatchObject({ state: 'open', consecutiveFailures: 0 });
    await pair(reopened.code);
    expect(room.server.seats()).toHaveLength(1);
  });

  it('fails on both sides when a relay terminates the seat’s TLS and opens its own to the hub, even with the right code', async () => {
    const room = await hub();
    const seat = makeSeat();
    const { code } = room.server.pairing.open();

    // The relay: a TLS server with a certificate of its own that takes the seat's connection, and for each
    // conversation a TLS client to the hub's /pair, passing every frame along unchanged both ways.
    const relayKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const relayCertificate = await selfSignedCertificate('relay', relayKeys);
    const relayKey = relayKeys.privateKey.export({ type: 'pkcs8', format: 'pem' });
    const relayed: string[] = [];
    const https = createHttpsServer({ key: relayKey, cert: relayCertificate, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
    const wss = new WebSocketServer({ server: https, path: PAIR_PATH });
    wss.on('connection', (fromSeat) => {
      const toHub = new WebSocket(`wss://127.0.0.1:${room.server.address.port}${PAIR_PATH}`, { key: relayKey, cert: relayCertificate, rejectUnauthorized: false, perMessageDeflate: false });
      const pending: string[] = [];
      toHub.on('open', () => pending.splice(0).forEach((text) => toHub.send(text)));
      fromSeat.on('message', (data) => {
        relayed.push(`seat: ${data.toString()}`);
        if (toHub.readyState === WebSocket.OPEN) toHub.send(data.toString());
        else pending.push(data.toString());
      });
      toHub.on('message', (data) => {
        relayed.push(`hub: ${data.toString()}`);
        fromSeat.send(data.toString());
      });
      toHub.on('close', () => fromSeat.close());
      fromSeat.on('close', () => toHub.close());
      toHub.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    const port = (https.address() as { port: number }).port;
    try {
      const outcome = await refusal(pairWithCode({ identity: seat.identity, dataDir: seat.dir, address: { host: '127.0.0.1', port }, code, label: '2B' }));
      expect(outcome).toBe('PAIRING_RELAYED');
      await until(() => room.server.pairing.status().failures.length > 0 && relayed.some((line) => line.startsWith('hub: {"type":"pair.refused"')));
      // SRP itself went through the relay: the binding is what caught it, on the seat and at the hub.
      expect(relayed.some((line) => line.startsWith('hub: {"type":"pair.verified"'))).toBe(true);
      expect(relayed.some((line) => line.startsWith('seat: {"type":"pair.bind"'))).toBe(true);
      expect(relayed.at(-1)).toMatch(/^hub: \{"type":"pair.refused","error":\{"code":"PAIRING_RELAYED"/);
      expect(room.server.pairing.status().failures).toEqual([expect.objectContaining({ reason: 'PAIRING_RELAYED' })]);
      expect(room.server.seats()).toEqual([]);
      expect(loadMembership(seat.dir)).toBeUndefined();
    } finally {
      wss.close();
      https.closeAllConnections();
      await new Promise((resolve) => https.close(resolve));
    }
  });

  it('refuses a label another seat holds, without using up the code', async () => {
    const room = await hub();
    const first = makeSeat();
    const second = makeSeat();
    room.server.pairing.open();
    const code = () => room.server.pairing.status().code!.code;
    await pairWithCode({ identity: first.identity, dataDir: first.dir, address: room.server.address, code: code(), label: '4C' });
    const live = code();
    expect(await refusal(pairWithCode({ identity: second.identity, dataDir: second.dir, address: room.server.address, code: live, label: '4c' }))).toBe('SEAT_LABEL_TAKEN');
    expect(room.server.pairing.status()).toMatchObject({ consecutiveFailures: 0, code: { code: live } });
    await pairWithCode({ identity: second.identity, dataDir: second.dir, address: room.server.address, code: live, label: '4D' });
    expect(room.server.seats().map((s) => s.label)).toEqual(['4C', '4D']);
  });

  it('is not reachable while "add seats" is closed: the hub hangs up on a seat it does not know', async () => {
    const room = await hub();
    const seat = makeSeat();
    expect(await refusal(pairWithCode({ identity: seat.identity, dataDir: seat.dir, address: room.server.address, code: '12345678', label: '1A' }))).toBe('PAIRING_CLOSED');
    expect(room.server.refusals()).toEqual([expect.objectContaining({ reason: 'SEAT_NOT_PAIRED', deviceId: seat.identity.deviceId })]);
  });
});
