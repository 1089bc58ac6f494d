// The refusals of issue 10 §6 between production stations (as openStation opens them and startRoom starts
// their room, over the room's mutual TLS on loopback), seen where a person sees
// them: the station API's getRoom on the hub and on the seat, and the error a call is refused with.
// What the channel and the protocol refuse at their own level is tested beside them (channel.test.ts,
// pairing.test.ts, room-file.test.ts, protocol.test.ts); docs/room.md lists which test proves what.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStationConfig } from '../../src-main/host/config.ts';
import { startRoom, type StationRoom } from '../../src-main/host/room.ts';
import type { OpenedStation } from '../../src-main/host/start.ts';
import { ROOM_CLOCK_FILE, RoomClock } from '../../src-main/seat-link/room-clock.ts';
import { StationService } from '../../src-main/station/service.ts';
import { loadOrCreateDeviceIdentity } from '../../src-shared/node/room/identity.ts';
import { connectToHub } from '../../src-main/seat-link/hub-connection.ts';
import { loadMembership } from '../../src-main/seat-link/membership.ts';
import { ROOM_PROTOCOL_VERSION } from '../../src-shared/contracts/room-protocol.ts';
import type { RoomStatus } from '../../src-shared/contracts/station-api.ts';
import { CodedError, type StationError } from '../../src-shared/errors.ts';
import { buildMiniPackage, DEMO_CANDIDATE, DEMO_SESSION, makeKeys, tempDir, TEST_STAFF, TEST_STAFF_OPTIONS, writeProductionAssets } from '../support/fixtures.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

/** Wait until `condition` holds (it may ask the station API), polling. */
async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const keys = makeKeys();
const built = buildMiniPackage(keys);
const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
const closing: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

interface Station {
  opened: OpenedStation;
  room: StationRoom;
  staff: string;
  deviceId: string;
  getRoom(): Promise<RoomStatus>;
}

interface Seat extends Station {
  /** The candidate's screen credentials, with the reading and speaking parts running. */
  candidate: { attemptId: string; candidateToken: string };
}

/**
 * A hub or seat as openStation opens it in production (its own data folder and device key, the seat's
 * room clock, the production configuration) and startRoom starts its room, except that the staff's
 * passwords are hashed with the cheap test parameters: the production cost, several hashes a station,
 * would make this file minutes long.
 */
async function open(role: 'hub' | 'seat', options: { port?: number } = {}): Promise<Station> {
  const dir = tempDir(`room-security-${role}-`);
  const config = loadStationConfig({
    env: { EXAM_STATION_MODE: 'production', EXAM_STATION_ROLE: role, EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: join(dir, 'data'), EXAM_STATION_ASSETS: writeProductionAssets(dir, keys.trust) },
    machinePolicyFile: join(dir, 'absent.json'),
  });
  mkdirSync(config.dataDir, { recursive: true });
  const identity = loadOrCreateDeviceIdentity(config.dataDir);
  const clock = role === 'seat' ? new RoomClock(join(config.dataDir, ROOM_CLOCK_FILE)) : undefined;
  const service = new StationService({ dbPath: join(config.dataDir, 'station.db'), deviceId: identity.deviceId, ...(clock ? { now: () => clock.now() } : {}), role, venueCode: config.venueCode, trust: keys.trust, heartbeatMs: 0, ...TEST_STAFF_OPTIONS });
  closing.push(() => service.close());
  const opened: OpenedStation = { service, config, identity, demo: [], ...(clock ? { clock } : {}) };
  const room = await startRoom(opened, { host: '127.0.0.1', heartbeatMs: 100, ...(options.port === undefined ? {} : { port: options.port }) });
  closing.push(() => room.close());
  const { staffToken: staff } = await service.staffSignIn(TEST_STAFF);
  return { opened, room, staff, deviceId: identity.deviceId, getRoom: () => service.getRoom({ staffToken: staff }) };
}

function hubOf(station: Station): Extract<StationRoom, { role: 'hub' }> {
  if (station.room.role !== 'hub') throw new Error('not a hub');
  return station.room;
}

/** A seat with the package imported and unlocked, its candidate's attempt open and three parts running. */
async function seatWithCandidate(): Promise<Seat> {
  const station = await open('seat');
  const { service, config } = station.opened;
  service.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE] });
  const packagePath = join(config.dataDir, 'mini.exampkg');
  writeFileSync(packagePath, built.file);
  await service.importPackage({ staffToken: station.staff, path: packagePath });
  await service.unlockPackage({ staffToken: station.staff, packageId: built.manifest.packageId, key: built.contentKey });
  const attempt = await service.openAttempt({ staffToken: station.staff, candidateId: DEMO_CANDIDATE.candidateId, packageId: built.manifest.packageId });
  const candidate = { attemptId: attempt.attemptId, candidateToken: attempt.candidateToken };
  // The room has started (what its 'start' command does on the seat; test/room/room-controls.test.ts tests the gate).
  service.roomStart({ candidateId: null, at: Date.now() });
  await service.recordTimerEvent({ ...candidate, partId: 'reading', kind: 'start' });
  await service.recordTimerEvent({ ...candidate, partId: 'writing', kind: 'start' });
  await service.recordTimerEvent({ ...candidate, partId: 'speaking', kind: 'start' });
  return { ...station, candidate };
}

async function pair(hub: Station, seat: Station, label: string, address = hubOf(hub).server.address): Promise<void> {
  const code = hubOf(hub).server.pairing.status().code?.code ?? (await hub.opened.service.openPairing({ staffToken: hub.staff })).code;
  await seat.opened.service.pairWithHub({ staffToken: seat.staff, ...address, code, label });
}

async function refused(promise: Promise<unknown>): Promise<StationError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CodedError) return error;
    throw error;
  }
  throw new Error('expected a refusal, the call succeeded');
}

const save = (seat: Seat, text: string) => seat.opened.service.saveResponse({ ...seat.candidate, itemId: 'r1-q4', value: { type: 'short-text', text }, clientSaveId: randomUUID() });
/** A long answer (the letter of the writing part): what fills a disk quickly. */
const write = (seat: Seat, text: string) => seat.opened.service.saveResponse({ ...seat.candidate, itemId: 'w1-q1', value: { type: 'extended-writing', text }, clientSaveId: randomUUID() });

/** The seat's own events as the hub holds them: each (seq, body) once and in the seat's order. */
function expectAllAtHubOnce(hub: Station, seat: Seat): void {
  const body = (e: { kind: string; entityId: string; payload: unknown; createdAt: string }) => ({ kind: e.kind, entityId: e.entityId, payload: e.payload, createdAt: e.createdAt });
  const held = hub.opened.service.outbox.read(0, 100_000).filter((e) => e.origin.deviceId === seat.deviceId);
  const written = seat.opened.service.outbox.read(0, 100_000);
  expect(held.map((e) => e.origin.seq)).toEqual(written.map((e) => e.seq));
  expect(held.map(body)).toEqual(written.map(body));
}

const seatAtHub = async (hub: Station, seat: Station) => (await hub.getRoom()).hub!.seats.find((s) => s.deviceId === seat.deviceId);

describe('pairing refusals, as the staff on the hub and the seat see them', () => {
  it('burns a wrong code, pauses pairing after five in a row, and the hub shows it on getRoom until it is opened again', async () => {
    const hub = await open('hub');
    const seat = await open('seat');
    await hub.opened.service.openPairing({ staffToken: hub.staff });
    const tryCode = (code: string) => seat.opened.service.pairWithHub({ staffToken: seat.staff, ...hubOf(hub).server.address, code, label: '1A' });
    const live = () => hubOf(hub).server.pairing.status().code!.code;
    for (let i = 0; i < 5; i += 1) {
      const code = live();
      const wrong = await refused(tryCode(code.replace(/^./, (d) => String((Number(d) + 1) % 10))));
      expect(wrong.code).toBe('PAIRING_CODE_WRONG');
      expect(wrong.text.lv).toMatch(/kods vairs nav derīgs/);
      expect(wrong.text.en).toMatch(/no longer be used/);
      if (i < 4) {
        // Burnt: the right code is no use after a wrong try, and the hub shows a new one.
        expect(live()).not.toBe(code);
        expect((await hub.getRoom()).hub!.pairing).toMatchObject({ state: 'open', consecutiveFailures: i + 1 });
      }
    }
    expect((await hub.getRoom()).hub!.pairing).toEqual({ state: 'paused', code: null, expiresAt: null, consecutiveFailures: 5 });
    const paused = await refused(tryCode('12345678'));
    expect(paused.code).toBe('PAIRING_PAUSED');
    expect(paused.text.lv).toMatch(/apturēta/);
    expect(paused.text.en).toMatch(/paused after five wrong codes/);
    expect((await seat.getRoom()).seat).toMatchObject({ paired: false });
    // IT opens "add seats" again: a fresh code pairs.
    const { code } = await hub.opened.service.openPairing({ staffToken: hub.staff });
    await seat.opened.service.pairWithHub({ staffToken: seat.staff, ...hubOf(hub).server.address, code, label: '1A' });
    expect((await hub.getRoom()).hub!.pairing).toMatchObject({ state: 'open', consecutiveFailures: 0 });
  }, 60_000);

  it('refuses the second of two seats claiming one label at pairing (SEAT_LABEL_TAKEN), keeps the code for it, and the hub shows one seat per label', async () => {
    const hub = await open('hub');
    const first = await open('seat');
    const second = await open('seat');
    await pair(hub, first, '4C');
    const live = hubOf(hub).server.pairing.status().code!.code;
    const taken = await refused(second.opened.service.pairWithHub({ staffToken: second.staff, ...hubOf(hub).server.address, code: live, label: '4c' }));
    expect(taken.code).toBe('SEAT_LABEL_TAKEN');
    expect(taken.text.lv).toMatch(/jau ir cits dators ar šo vietas apzīmējumu/);
    expect(taken.text.en).toMatch(/already has this label/);
    expect((await second.getRoom()).seat).toMatchObject({ paired: false });
    // Not a failed proof: the code stands, and the seat pairs with it under its own label.
    expect((await hub.getRoom()).hub!.pairing).toMatchObject({ state: 'open', consecutiveFailures: 0 });
    await second.opened.service.pairWithHub({ staffToken: second.staff, ...hubOf(hub).server.address, code: live, label: '4D' });
    await until('both seats at the hub', () => hubOf(hub).hub.view().filter((s) => s.connected).length === 2);
    expect((await hub.getRoom()).hub!.seats.map((s) => [s.label, s.deviceId]).sort()).toEqual(
      [
        ['4C', first.deviceId],
        ['4D', second.deviceId],
      ].sort(),
    );
  }, 60_000);
});

describe('a hub that is not the one the seat paired with', () => {
  it('is refused by the seat when the hub comes back with another key: the seat says HUB_KEY_CHANGED on getRoom and sends it nothing', async () => {
    const first = await open('hub');
    const seat = await seatWithCandidate();
    await pair(first, seat, '2B');
    await save(seat, 'pirms maiņas');
    await until('the seat connected', () => hubOf(first).hub.view().some((s) => s.deviceId === seat.deviceId && s.ackedSeq === seat.opened.service.outbox.lastSeq()));
    const port = hubOf(first).server.address.port;
    await first.room.close();
    // Another machine (another key, another room CA) takes the hub's address.
    const impostor = await open('hub', { port });
    await save(seat, 'pēc maiņas');
    await until('the seat to say why', async () => ((await seat.getRoom()).seat?.alarm ?? '').startsWith('HUB_KEY_CHANGED'), 15_000);
    const status = (await seat.getRoom()).seat!;
    expect(status).toMatchObject({ paired: true, connected: false, hubDeviceId: first.deviceId });
    expect(status.alarm).toMatch(/^HUB_KEY_CHANGED: /);
    expect(status.backlogEvents).toBeGreaterThan(0);
    expect(hubOf(impostor).hub.view()).toEqual([]);
    expect(impostor.opened.service.outbox.read(0, 10_000).filter((e) => e.origin.deviceId === seat.deviceId)).toEqual([]);
  }, 60_000);
});

describe('a full disk', () => {
  it('on a seat: the save is refused with DISK_FULL, the seat says so in its heartbeat, the hub raises it on getRoom; with space again it goes and nothing is lost', async () => {
    const hub = await open('hub');
    const seat = await seatWithCandidate();
    await pair(hub, seat, '3A');
    await save(seat, 'pirmā atbilde');
    await until('the seat heard at the hub', async () => (await seatAtHub(hub, seat))?.state !== null);
    expect((await seatAtHub(hub, seat))!.state!.diskFreeBytes).toBeGreaterThan(0);
    const sqlite = seat.opened.service.db.sqlite;
    sqlite.pragma(`max_page_count = ${(sqlite.pragma('page_count', { simple: true }) as number) + 4}`);
    let failure: StationError | undefined;
    for (let i = 0; i < 200 && !failure; i += 1) failure = await write(seat, `${i} ${'Garš teksts ar garumzīmēm. '.repeat(80)}`).then(() => undefined, (error: StationError) => error);
    expect(failure?.code).toBe('DISK_FULL');
    expect(failure?.text.lv).toMatch(/disks ir pilns/);
    expect(failure?.text.en).toMatch(/NOT saved/);
    await until('the hub to raise it', async () => ((await seatAtHub(hub, seat))?.alarm ?? '').startsWith('DISK_FULL'), 10_000);
    expect((await seatAtHub(hub, seat))!.state!.alarm).toMatch(/^DISK_FULL: /);
    expect((await seat.getRoom()).seat!.alarm).toMatch(/^DISK_FULL: /);

    sqlite.pragma('max_page_count = 1073741823');
    await save(seat, 'vieta atkal ir');
    await until('the alarm gone at the hub', async () => (await seatAtHub(hub, seat))?.alarm === null, 10_000);
    await until('every event at the hub', () => hubOf(hub).hub.streams.ackedSeq(seat.deviceId) === seat.opened.service.outbox.lastSeq(), 10_000);
    expectAllAtHubOnce(hub, seat);
  }, 60_000);

  it('on the hub: pushes are refused, not acknowledged (HUB_DISK_FULL), both sides show it, the seat keeps everything and the hub gets it all once there is space', async () => {
    const hub = await open('hub');
    const seat = await seatWithCandidate();
    await pair(hub, seat, '3B');
    await until('connected', () => hubOf(hub).hub.view().some((s) => s.deviceId === seat.deviceId && s.ackedSeq === seat.opened.service.outbox.lastSeq()));
    const hubSqlite = hub.opened.service.db.sqlite;
    hubSqlite.pragma(`max_page_count = ${hubSqlite.pragma('page_count', { simple: true }) as number}`);
    const acked = hubOf(hub).hub.streams.ackedSeq(seat.deviceId);
    const { recordingId } = await seat.opened.service.startRecording({ ...seat.candidate, itemId: 's1-q1', mimeType: 'audio/webm' });
    const segments = [randomBytes(20_000), randomBytes(20_000)];
    for (const [index, data] of segments.entries()) await seat.opened.service.appendAudioSegment({ ...seat.candidate, recordingId, index, data, sha256: sha(data), durationMs: 1000 });
    for (let i = 0; i < 40; i += 1) await write(seat, `${i} ${'Atbilde, kas neietilpst telpas datorā. '.repeat(40)}`);
    await until('the hub to raise it', async () => ((await seatAtHub(hub, seat))?.alarm ?? '').startsWith('HUB_DISK_FULL'), 10_000);
    await until('the seat to say it', async () => ((await seat.getRoom()).seat?.alarm ?? '').startsWith('HUB_DISK_FULL'), 10_000);
    // Nothing refused was acknowledged, and the seat holds all of it.
    expect(hubOf(hub).hub.streams.ackedSeq(seat.deviceId)).toBe(acked);
    expect(hub.opened.service.outbox.read(0, 100_000).filter((e) => e.origin.deviceId === seat.deviceId)).toHaveLength(acked);
    expect((await seat.getRoom()).seat).toMatchObject({ ackedSeq: acked, backlogEvents: seat.opened.service.outbox.lastSeq() - acked });
    expect((await seat.getRoom()).seat!.audioBytesPending).toBe(40_000);

    hubSqlite.pragma('max_page_count = 1073741823');
    await until('everything at the hub', () => hubOf(hub).hub.streams.ackedSeq(seat.deviceId) === seat.opened.service.outbox.lastSeq() && hubOf(hub).hub.streams.audioOf(recordingId).length === 2, 20_000);
    expectAllAtHubOnce(hub, seat);
    expect(hubOf(hub).hub.streams.audioOf(recordingId)).toEqual(segments.map((data, index) => ({ index, sha256: sha(data), bytes: data.length })));
    await until('the alarms gone', async () => (await seatAtHub(hub, seat))?.alarm === null && (await seat.getRoom()).seat?.alarm === null, 10_000);
  }, 60_000);
});

describe('a seat pushing as another seat, over the real channel', () => {
  it('is refused PUSH_FOREIGN_ORIGIN, nothing of it is stored, and the hub raises an integrity alarm for the seat that sent it', async () => {
    const hub = await open('hub');
    const honest = await seatWithCandidate();
    const forger = await seatWithCandidate();
    await pair(hub, honest, '5A');
    await pair(hub, forger, '5B');
    await save(honest, 'mana atbilde');
    await until('both seats at the hub', () => [honest, forger].every((s) => hubOf(hub).hub.streams.ackedSeq(s.deviceId) === s.opened.service.outbox.lastSeq()));
    const before = hub.opened.service.outbox.lastSeq();
    // The forger's own link stops; its key and certificate open a channel that speaks for the honest seat.
    await forger.room.close();
    const forgerMembership = loadMembership(forger.opened.config.dataDir)!;
    const channel = connectToHub({ identity: forger.opened.identity, membership: forgerMembership });
    closing.push(() => channel.close());
    const frames: { type: string; code?: string; ackedSeq?: number }[] = [];
    channel.onFrame((frame) => frames.push(frame as never));
    await until('the channel open', () => channel.connected);
    channel.send({ type: 'hello', protocol: ROOM_PROTOCOL_VERSION, lastSeq: forger.opened.service.outbox.lastSeq(), highestTerm: 0 });
    await until('welcome', () => frames.some((f) => f.type === 'welcome'));
    const honestNext = honest.opened.service.outbox.lastSeq() + 1;
    const [template] = honest.opened.service.outbox.read(0, 1);
    const forged = { ...template!, seq: honestNext, origin: { deviceId: honest.deviceId, seq: honestNext }, createdAt: new Date().toISOString() };
    channel.send({ type: 'push', pushId: 1, events: [forged] });
    await until('the refusal', () => frames.some((f) => f.type === 'push-refused'));
    expect(frames.find((f) => f.type === 'push-refused')).toMatchObject({ code: 'PUSH_FOREIGN_ORIGIN' });
    expect(hub.opened.service.outbox.lastSeq()).toBe(before);
    expect(hubOf(hub).hub.streams.ackedSeq(honest.deviceId)).toBe(honest.opened.service.outbox.lastSeq());
    expect((await seatAtHub(hub, forger))!.alarm).toMatch(/^PUSH_FOREIGN_ORIGIN: /);
    expect((await seatAtHub(hub, honest))!.alarm).toBeNull();
  }, 60_000);
});

describe('what crosses the wire between a production seat and hub', () => {
  it('carries a real answer and a real audio segment to the hub with none of their content in the clear', async () => {
    const hub = await open('hub');
    const seat = await seatWithCandidate();
    const proxy = await startTcpProxy(hubOf(hub).server.address, { capture: true });
    closing.push(() => proxy.close());
    // Paired through the proxy, so the seat's channel (and its pairing) crosses it.
    await pair(hub, seat, '6C', proxy.address);
    const marker = 'SLEPENA-ATBILDE-Žīmulis-ķēniņš-7f3a9c';
    await save(seat, marker);
    await write(seat, `${marker} ${'Mīļā draudzene, rakstu tev no eksāmena. '.repeat(5)}`);
    const { recordingId } = await seat.opened.service.startRecording({ ...seat.candidate, itemId: 's1-q1', mimeType: 'audio/webm' });
    // A segment whose bytes carry a marker of their own, as plain text and as the frame's base64 would.
    const audio = Buffer.concat([Buffer.from('AUDIO-MARKER-'.repeat(40)), randomBytes(2000)]);
    await seat.opened.service.appendAudioSegment({ ...seat.candidate, recordingId, index: 0, data: audio, sha256: sha(audio), durationMs: 1000 });
    await until('the answer and the audio at the hub', () => hubOf(hub).hub.streams.ackedSeq(seat.deviceId) === seat.opened.service.outbox.lastSeq() && hubOf(hub).hub.streams.audioOf(recordingId).length === 1, 15_000);
    expect(JSON.stringify(hub.opened.service.outbox.read(0, 10_000).filter((e) => e.origin.deviceId === seat.deviceId).map((e) => e.payload))).toContain(marker);
    expect(hubOf(hub).hub.streams.audioOf(recordingId)).toEqual([{ index: 0, sha256: sha(audio), bytes: audio.length }]);

    const wire = Buffer.concat(proxy.captured);
    expect(wire.length).toBeGreaterThan(audio.length);
    for (const encoding of ['utf8', 'latin1', 'utf16le'] as const) {
      expect(wire.includes(Buffer.from('SLEPENA-ATBILDE', encoding))).toBe(false);
      expect(wire.includes(Buffer.from('AUDIO-MARKER', encoding))).toBe(false);
    }
    expect(wire.includes(Buffer.from(audio.subarray(0, 60).toString('base64')))).toBe(false);
    expect(wire.includes(audio.subarray(600, 700))).toBe(false);
    for (const word of ['response.saved', 'short-text', 'recordingId', DEMO_CANDIDATE.candidateId]) expect(wire.includes(Buffer.from(word))).toBe(false);
  }, 60_000);
});
