// One station of the fault harness (run.ts), in a process of its own so that the harness can SIGKILL
// it: a production station on its own data folder and key (openCheaply).
// - A hub: its room CA, seat directory, room protocol end and room server on 127.0.0.1 (the parts
//   src-main/host/room.ts puts together), each seat's link passing through a frame shim that the
//   harness can tell to duplicate, reorder and replay frames. A hub whose database was lost lists its
//   seats' rejoin requests, and the harness accepts them as IT would on the console (docs/room.md).
// - A seat: startRoom as the station process runs it, paired by code through the room's control, and a
//   candidate who saves answers and records audio segments all the time through the station's own
//   candidate methods. Every save the station acknowledged is told to the harness at once.
// Messages with the harness go over the IPC channel (run.ts's `Child`).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadStationConfig } from '../../src-main/host/config.ts';
import { startRoom } from '../../src-main/host/room.ts';
import type { OpenedStation } from '../../src-main/host/start.ts';
import { shippedTrust } from '../../src-main/host/trust.ts';
import { ROOM_CLOCK_FILE, RoomClock } from '../../src-main/seat-link/room-clock.ts';
import { StationService } from '../../src-main/station/service.ts';
import { loadOrCreateDeviceIdentity } from '../../src-shared/node/room/identity.ts';
import { openRoomAuthority } from '../../src-main/lan/room-authority.ts';
import { RoomHub } from '../../src-main/lan/room-hub.ts';
import { startRoomServer } from '../../src-main/lan/room-server.ts';
import { SqliteSeatDirectory } from '../../src-main/lan/seat-directory.ts';
import { sessionOfConnection } from '../../src-main/seat-link/room-sessions.ts';
import { disorderly } from '../support/frame-disorder.ts';
import { DEMO_CANDIDATE, DEMO_SESSION, TEST_STAFF, TEST_STAFF_OPTIONS } from '../support/fixtures.ts';

export type ShimMode = 'off' | 'chaos';
/** What the harness asks of a station (each with an id; the station replies with it). */
export type Request =
  | { op: 'code' }
  | { op: 'shim'; mode: ShimMode }
  | { op: 'status' }
  | { op: 'pair'; host: string; port: number; code: string; label: string }
  | { op: 'work'; on: boolean }
  | { op: 'requests' }
  | { op: 'accept'; deviceId: string }
  | { op: 'stop' };
export type ToNode = Request & { id: number };
export type FromNode =
  | { type: 'ready'; deviceId: string }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: string }
  | { type: 'acked'; kind: 'answer'; text: string }
  | { type: 'acked'; kind: 'audio'; recordingId: string; index: number; sha256: string };

const post = (message: FromNode) => process.send?.(message);
// The harness gone: so is this station (a clean stop is 'stop').
process.on('disconnect', () => process.exit(0));

const config = loadStationConfig();
const opened = openCheaply();
const { service, identity } = opened;
const handlers: Record<string, (message: ToNode) => Promise<unknown> | unknown> = {
  stop: () => {
    setImmediate(() => {
      service.close({ clean: true });
      process.exit(0);
    });
    return true;
  },
};
process.on('message', (raw) => {
  const message = raw as ToNode;
  const handler = handlers[message.op];
  Promise.resolve()
    .then(() => {
      if (!handler) throw new Error(`no ${message.op} on a ${config.role}`);
      return handler(message);
    })
    .then(
      (value) => post({ type: 'reply', id: message.id, ok: true, value: value ?? null }),
      (error: unknown) => post({ type: 'reply', id: message.id, ok: false, error: error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : String(error) }),
    );
});

if (config.role === 'hub') await hubNode();
else await seatNode();
post({ type: 'ready', deviceId: identity.deviceId });

/**
 * The station as openStation opens it in production (its data folder and device key, the shipped trust
 * list, a seat's room clock), except that staff passwords are hashed with the cheap test parameters: the
 * production cost, several hashes a station at each start, would be most of the harness's time.
 */
function openCheaply(): OpenedStation {
  mkdirSync(config.dataDir, { recursive: true });
  const identity = loadOrCreateDeviceIdentity(config.dataDir);
  const clock = config.role === 'seat' ? new RoomClock(join(config.dataDir, ROOM_CLOCK_FILE)) : undefined;
  const service = new StationService({
    dbPath: join(config.dataDir, 'station.db'),
    deviceId: identity.deviceId,
    ...(clock ? { now: () => clock.now() } : {}),
    role: config.role,
    venueCode: config.venueCode,
    trust: shippedTrust(config.assetsDir),
    heartbeatMs: 0,
    ...TEST_STAFF_OPTIONS,
  });
  return { service, config, identity, demo: [], ...(clock ? { clock } : {}) };
}

// ---- the hub ----------------------------------------------------------------------------------------

async function hubNode(): Promise<void> {
  const authority = await openRoomAuthority(config.dataDir, identity);
  const hub = new RoomHub({ db: service.db, outbox: service.outbox });
  const directory = new SqliteSeatDirectory(service.db);
  let mode: ShimMode = 'off';
  const server = await startRoomServer({
    identity,
    authority,
    seats: directory,
    host: '127.0.0.1',
    port: config.roomPort,
    onSeat: (connection) => hub.attach(connection.deviceId, disorderly(sessionOfConnection(connection), () => mode === 'chaos'), directory.list().find((s) => s.deviceId === connection.deviceId)?.pairedAt ?? null),
  });
  handlers.code = () => server.pairing.status().code?.code ?? server.pairing.open().code;
  handlers.shim = (message) => {
    mode = (message as { mode: ShimMode }).mode;
    return mode;
  };
  handlers.status = () => hub.view().map((seat) => ({ deviceId: seat.deviceId, connected: seat.connected, ackedSeq: seat.ackedSeq, alarm: seat.alarm }));
  handlers.requests = () => server.requests().map((request) => ({ deviceId: request.deviceId, kind: request.kind, decision: request.decision }));
  handlers.accept = async (message) => (await server.accept((message as { deviceId: string }).deviceId)).deviceId;
}

// ---- a seat ------------------------------------------------------------------------------------------

interface SeatFile {
  attemptId: string;
  candidateToken: string;
  recordingId: string;
}

async function seatNode(): Promise<void> {
  const room = await startRoom(opened, { host: '127.0.0.1', heartbeatMs: 500 });
  if (room.role !== 'seat') throw new Error('not a seat');
  const stateFile = join(config.dataDir, 'faults-seat.json');
  const first = !existsSync(stateFile);
  const { staffToken } = await service.staffSignIn(TEST_STAFF);
  let seat: SeatFile;
  if (first) {
    const packagePath = process.env.FAULTS_PACKAGE!;
    service.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE] });
    const packageId = process.env.FAULTS_PACKAGE_ID!;
    await service.importPackage({ staffToken, path: packagePath });
    await service.unlockPackage({ staffToken, packageId, key: process.env.FAULTS_PACKAGE_KEY! });
    const attempt = await service.openAttempt({ staffToken, candidateId: DEMO_CANDIDATE.candidateId, packageId });
    const credentials = { attemptId: attempt.attemptId, candidateToken: attempt.candidateToken };
    // The room has started (what its 'start' command does on the seat).
    service.roomStart({ candidateId: null, at: Date.now() });
    await service.recordTimerEvent({ ...credentials, partId: 'reading', kind: 'start' });
    await service.recordTimerEvent({ ...credentials, partId: 'speaking', kind: 'start' });
    const { recordingId } = await service.startRecording({ ...credentials, itemId: 's1-q1', mimeType: 'audio/webm' });
    seat = { ...credentials, recordingId };
    writeFileSync(stateFile, JSON.stringify(seat));
  } else {
    seat = JSON.parse(readFileSync(stateFile, 'utf8')) as SeatFile;
  }
  const credentials = { attemptId: seat.attemptId, candidateToken: seat.candidateToken };
  // The take goes on after a restart from the segments the station kept.
  let index = (await service.getAttempt(credentials)).recordings.find((r) => r.recordingId === seat.recordingId)?.segmentCount ?? 0;
  let answers = 0;
  const label = process.env.FAULTS_LABEL ?? 'seat';
  const run = randomUUID().slice(0, 8);
  let working: NodeJS.Timeout[] = [];

  const saveAnswer = async () => {
    // Unique per save, so the harness can find each acknowledged answer at the hub by its text.
    const text = `${label} ${run} atbilde ${(answers += 1)} — ķēniņš`;
    try {
      await service.saveResponse({ ...credentials, itemId: 'r1-q4', value: { type: 'short-text', text }, clientSaveId: randomUUID() });
      post({ type: 'acked', kind: 'answer', text });
    } catch (error) {
      console.error(`answer not saved: ${(error as Error).message}`);
    }
  };
  let appending = false;
  const appendSegment = async () => {
    if (appending) return;
    appending = true;
    // 24 kbps Opus is about 3 KB a second.
    const data = randomBytes(3000);
    const sha256 = createHash('sha256').update(data).digest('hex');
    try {
      await service.appendAudioSegment({ ...credentials, recordingId: seat.recordingId, index, data, sha256, durationMs: 1000 });
      post({ type: 'acked', kind: 'audio', recordingId: seat.recordingId, index, sha256 });
      index += 1;
    } catch (error) {
      console.error(`segment ${index} not saved: ${(error as Error).message}`);
    } finally {
      appending = false;
    }
  };
  handlers.work = (message) => {
    for (const timer of working) clearInterval(timer);
    working = [];
    if ((message as { on: boolean }).on) working = [setInterval(() => void saveAnswer(), 150), setInterval(() => void appendSegment(), 400)];
    return true;
  };
  handlers.pair = async (message) => {
    const { host, port, code, label: seatLabel } = message as { host: string; port: number; code: string; label: string };
    return (await service.pairWithHub({ staffToken, host, port, code, label: seatLabel })).seat;
  };
  handlers.status = () => room.control.status().seat;
}
