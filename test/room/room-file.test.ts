// Enrolling many seats with a room file: the hub exports a signed file with one-time tokens, a seat
// imports it and asks to join, and the invigilator accepts or refuses; each refusal of a bad file or
// token.
import { afterEach, describe, expect, it } from 'vitest';
import type { RoomFile, SeatMembership } from '../../src-shared/contracts/room-link.ts';
import { readRoomFile } from '../../src-shared/node/room/room-file.ts';
import { connectToHub } from '../../src-main/seat-link/hub-connection.ts';
import { loadMembership } from '../../src-main/seat-link/membership.ts';
import { enrolWithRoomFile } from '../../src-main/seat-link/pairing.ts';
import { refusal, refusalOf } from '../support/refusal.ts';
import { connected, makeSeat, startHub, tcpProxy, until, type HubOptions, type TestHub, type TestSeat } from './support.ts';

const hubs: TestHub[] = [];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await Promise.all(hubs.splice(0).map((hub) => hub.stop()));
});

async function hub(options: HubOptions = {}): Promise<TestHub> {
  const started = await startHub(options);
  hubs.push(started);
  return started;
}

/** The file as a seat reads it from the USB stick. */
function imported(file: RoomFile, now = new Date()): RoomFile {
  return readRoomFile(JSON.stringify(file), now);
}

/** Start enrolling; resolves once the hub has filed the request. */
function enrol(seat: TestSeat, file: RoomFile, label: string, tokens?: readonly string[]): { requested: Promise<void>; done: Promise<SeatMembership> } {
  let requested!: () => void;
  const filed = new Promise<void>((resolve) => (requested = resolve));
  const done = enrolWithRoomFile({ identity: seat.identity, dataDir: seat.dir, roomFile: file, label, onRequested: () => requested(), ...(tokens ? { tokens } : {}) });
  done.catch(() => undefined);
  return { requested: filed, done };
}

describe('enrolling seats with a room file', () => {
  it('files the seat as requested until the invigilator accepts it; then it has its membership and opens the channel', async () => {
    const room = await hub();
    const file = imported(room.server.exportRoomFile({ count: 3 }));
    expect(file).toMatchObject({ roomId: room.authority.roomId, hubKeyHash: room.identity.keyHash, addresses: [room.server.address] });
    expect(file.tokens).toHaveLength(3);
    // The hub keeps only the tokens' hashes.
    const stored = room.db.sqlite.prepare('SELECT token_hash FROM room_enrolment_tokens').all() as { token_hash: string }[];
    expect(stored.map((t) => t.token_hash)).not.toContain(file.tokens[0]);

    const seat = makeSeat();
    const enrolment = enrol(seat, file, '7a');
    await enrolment.requested;
    expect(room.server.requests()).toEqual([expect.objectContaining({ deviceId: seat.identity.deviceId, label: '7A', decision: null, address: expect.stringMatching(/^127\.0\.0\.1:/) })]);
    expect(room.server.seats()).toEqual([]);

    await room.server.accept(seat.identity.deviceId);
    const membership = await enrolment.done;
    expect(membership).toMatchObject({ roomId: room.authority.roomId, label: '7A', hubKeyHash: room.identity.keyHash });
    expect(loadMembership(seat.dir)).toEqual(membership);
    expect(room.server.seats()).toEqual([expect.objectContaining({ deviceId: seat.identity.deviceId, label: '7A', pairedBy: 'room-file' })]);

    const connection = connectToHub({ identity: seat.identity, membership });
    cleanups.push(() => connection.close());
    await connected(connection);
    await until(() => room.channels.length === 1);
    expect(room.channels[0]!.label).toBe('7A');
  });

  it('gives a seat that comes back the decision that was made while it was away', async () => {
    const room = await hub();
    const file = imported(room.server.exportRoomFile({ count: 2 }));
    const seat = makeSeat();
    // The first conversation runs through a link the test cuts while the seat waits.
    const proxy = await tcpProxy(room.server.address);
    const first = enrol(seat, { ...file, addresses: [proxy.address] }, '1A', [file.tokens[0]!]);
    await first.requested;
    await proxy.close();
    expect(await refusal(first.done)).toBe('HUB_UNREACHABLE');
    await room.server.accept(seat.identity.deviceId);
    // Back again, with whichever token comes first: the hub knows the seat and hands it its certificate.
    const again = await enrolWithRoomFile({ identity: seat.identity, dataDir: seat.dir, roomFile: file, label: '1A', tokens: [file.tokens[1]!] });
    expect(again.label).toBe('1A');
    expect(loadMembership(seat.dir)).toEqual(again);
    // The second token was not spent on it.
    expect(room.db.sqlite.prepare('SELECT count(*) AS n FROM room_enrolment_tokens WHERE used_by IS NULL').get()).toEqual({ n: 1 });
  });

  it('tells the seat when the invigilator refuses it', async () => {
    const room = await hub();
    const file = imported(room.server.exportRoomFile({ count: 1 }));
    const seat = makeSeat();
    const enrolment = enrol(seat, file, '2B');
    await enrolment.requested;
    room.server.refuse(seat.identity.deviceId);
    expect(await refusal(enrolment.done)).toBe('ENROLMENT_REFUSED');
    expect(room.server.seats()).toEqual([]);
    expect(loadMembership(seat.dir)).toBeUndefined();
  });

  it('refuses a token another seat used, and moves on to a free one of the file', async () => {
    const room = await hub();
    const file = imported(room.server.exportRoomFile({ count: 2 }));
    const [token] = file.tokens;
    const first = makeSeat();
    await enrol(first, file, '1A', [token!]).requested;
    const second = makeSeat();
    expect(await refusal(enrol(second, file, '1B', [token!]).done)).toBe('ENROLMENT_TOKEN_USED');
    // Given the whole file, the seat skips the used token and asks with the other.
    const whole = enrol(second, file, '1B');
    await whole.requested;
    expect(room.server.requests().map((r) => r.label)).toEqual(['1A', '1B']);
    const third = makeSeat();
    expect(await refusal(enrol(third, file, '1C').done)).toBe('ENROLMENT_TOKEN_USED');
  });

  it('refuses two seats asking for one label, and a label a paired seat holds', async () => {
    const room = await hub();
    const file = imported(room.server.exportRoomFile({ count: 3 }));
    const first = makeSeat();
    await enrol(first, file, '5E', [file.tokens[0]!]).requested;
    expect(await refusal(enrol(makeSeat(), file, '5e', [file.tokens[1]!]).done)).toBe('SEAT_LABEL_TAKEN');
    await room.server.accept(first.identity.deviceId);
    expect(await refusal(enrol(makeSeat(), file, '5E', [file.tokens[2]!]).done)).toBe('SEAT_LABEL_TAKEN');
  });

  it('refuses a tampered file, one put together from two hubs, and one past its time', async () => {
    const hubA = await hub();
    const hubB = await hub();
    const file = hubA.server.exportRoomFile({ count: 1, validForMs: 60_000 });
    const other = hubB.server.exportRoomFile({ count: 1 });
    const now = new Date();
    expect(refusalOf(() => readRoomFile(JSON.stringify({ ...file, addresses: [{ host: '10.0.0.66', port: 443 }] }), now))).toBe('ROOM_FILE_INVALID');
    expect(refusalOf(() => readRoomFile(JSON.stringify({ ...file, tokens: other.tokens }), now))).toBe('ROOM_FILE_INVALID');
    expect(refusalOf(() => readRoomFile(JSON.stringify({ ...file, caCertificate: other.caCertificate }), now))).toBe('ROOM_FILE_INVALID');
    // Another hub's key and signature over this hub's content: the room is no longer that of the CA.
    expect(refusalOf(() => readRoomFile(JSON.stringify({ ...other, caCertificate: file.caCertificate, roomId: file.roomId }), now))).toBe('ROOM_FILE_INVALID');
    expect(refusalOf(() => readRoomFile('{"format":', now))).toBe('ROOM_FILE_INVALID');
    expect(refusalOf(() => readRoomFile(JSON.stringify(file), new Date(now.getTime() + 120_000)))).toBe('ROOM_FILE_INVALID');
    expect(imported(file, now).roomId).toBe(hubA.authority.roomId);
  });

  it("refuses a foreign file: the seat will not talk to a hub that is not the file's, and a hub refuses tokens it never issued", async () => {
    const hubA = await hub();
    const hubB = await hub();
    const fileB = imported(hubB.server.exportRoomFile({ count: 1 }));
    // Hub B's file pointing at hub A's address (the file is genuine; the hub there is not its hub).
    const port = hubB.server.address.port;
    await hubB.stop();
    hubs.splice(hubs.indexOf(hubB), 1);
    const atB = await hub({ port });
    expect(await refusal(enrolWithRoomFile({ identity: makeSeat().identity, dataDir: makeSeat().dir, roomFile: fileB, label: '1A' }))).toBe('ROOM_FILE_INVALID');
    expect(atB.server.requests()).toEqual([]);

    // A seat with hub A's file that sends a token from another file: hub A never issued it.
    const fileA = imported(hubA.server.exportRoomFile({ count: 1 }));
    expect(await refusal(enrol(makeSeat(), fileA, '1A', fileB.tokens).done)).toBe('ROOM_FILE_INVALID');
    expect(hubA.server.requests()).toEqual([]);
  });

  it('refuses tokens once the hub closes enrolment or their time is over on the hub’s clock', async () => {
    let now = new Date('2026-12-01T07:00:00Z');
    const room = await hub({ now: () => now });
    const file = room.server.exportRoomFile({ count: 2, validForMs: 60 * 60_000 });
    const seatFile = readRoomFile(JSON.stringify(file), new Date('2026-12-01T07:00:00Z'));
    now = new Date('2026-12-01T08:00:00Z');
    // Past the tokens' time the hub no longer lets strangers in at all, and the seat says what that means.
    expect(await refusal(enrol(makeSeat(), seatFile, '1A', [file.tokens[0]!]).done)).toBe('ROOM_FILE_INVALID');
    now = new Date('2026-12-01T07:10:00Z');
    room.server.closeEnrolment();
    expect(await refusal(enrol(makeSeat(), seatFile, '1A', [file.tokens[1]!]).done)).toBe('ROOM_FILE_INVALID');
    expect(room.server.requests()).toEqual([]);
  });
});
