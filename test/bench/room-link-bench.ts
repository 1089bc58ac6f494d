// How long pairing by code takes and how many frames one channel carries per second, on real TLS over
// loopback (127.0.0.1 only). Prints; asserts nothing. `npm run bench:room-link -- [--frames N]`.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openRoomAuthority } from '../../src-main/lan/room-authority.ts';
import { startRoomServer, type SeatConnection } from '../../src-main/lan/room-server.ts';
import { SqliteSeatDirectory } from '../../src-main/lan/seat-directory.ts';
import { connectToHub } from '../../src-main/seat-link/hub-connection.ts';
import { pairWithCode } from '../../src-main/seat-link/pairing.ts';
import { openStationDatabase } from '../../src-main/station/database.ts';
import { loadOrCreateDeviceIdentity } from '../../src-shared/node/room/identity.ts';
import { tempDir } from '../support/fixtures.ts';

const { values } = parseArgs({ options: { frames: { type: 'string', default: '20000' } } });
const frames = Number(values.frames);
const pairings = 5;

const hubDir = tempDir('room-bench-hub-');
const identity = loadOrCreateDeviceIdentity(hubDir);
const authority = await openRoomAuthority(hubDir, identity);
const db = openStationDatabase(join(hubDir, 'station.db'));
let atHub: SeatConnection | undefined;
const server = await startRoomServer({ identity, authority, seats: new SqliteSeatDirectory(db), host: '127.0.0.1', port: 0, onSeat: (c) => (atHub = c) });

const pairingMs: number[] = [];
let last;
for (let i = 0; i < pairings; i++) {
  const seatDir = tempDir('room-bench-seat-');
  const seat = loadOrCreateDeviceIdentity(seatDir);
  const { code } = server.pairing.open();
  const started = performance.now();
  const membership = await pairWithCode({ identity: seat, dataDir: seatDir, address: server.address, code, label: `B${i}` });
  pairingMs.push(performance.now() - started);
  last = { seat, membership };
}

const link = connectToHub({ identity: last!.seat, membership: last!.membership });
await new Promise<void>((resolve) => link.onConnected(resolve));
while (!atHub) await new Promise((resolve) => setTimeout(resolve, 5));
const hubEnd = atHub;

// Seat → hub: a heartbeat-sized frame, as fast as the socket takes them, until the hub has them all.
const payload = { type: 'bench', part: 'reading', item: 'r3', timeLeftMs: 1_234_567, backlog: { count: 0, oldestMs: 0 }, text: 'x'.repeat(200) };
let received = 0;
const allIn = new Promise<void>((resolve) => hubEnd.onFrame(() => ++received === frames && resolve()));
const sendStarted = performance.now();
for (let i = 0; i < frames; i++) link.send({ ...payload, n: i });
await allIn;
const seatToHub = frames / ((performance.now() - sendStarted) / 1000);

// Round trips: one frame out, the answer back, one at a time.
const roundTrips = 2000;
hubEnd.onFrame((frame) => frame.type === 'ping-bench' && hubEnd.send({ type: 'pong-bench' }));
const rtt: number[] = [];
for (let i = 0; i < roundTrips; i++) {
  const started = performance.now();
  const answered = new Promise<void>((resolve) => {
    const stop = link.onFrame(() => {
      stop();
      resolve();
    });
  });
  link.send({ type: 'ping-bench' });
  await answered;
  rtt.push(performance.now() - started);
}
rtt.sort((a, b) => a - b);
pairingMs.sort((a, b) => a - b);

link.close();
await server.close();
db.close();
console.log(
  JSON.stringify({
    pairing_ms_median: Math.round(pairingMs[Math.floor(pairings / 2)]!),
    pairing_ms_max: Math.round(pairingMs.at(-1)!),
    seat_to_hub_frames_per_s: Math.round(seatToHub),
    frame_bytes: JSON.stringify({ ...payload, n: 0 }).length,
    round_trip_ms_p50: Number(rtt[Math.floor(roundTrips * 0.5)]!.toFixed(3)),
    round_trip_ms_p99: Number(rtt[Math.floor(roundTrips * 0.99)]!.toFixed(3)),
  }),
);
