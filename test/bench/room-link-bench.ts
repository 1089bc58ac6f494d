// How long pairing by code takes and how many frames one channel carries per second, on real TLS over
// loopback (127.0.0.1 only), each against its baseline measured in the same run: the frames against a
// bare TLS 1.3 socket carrying the same JSON one line per frame (no WebSocket, no room checks), the
// round trip likewise. Prints; asserts nothing. `npm run bench:room-link -- [--frames N]`.
import { join } from 'node:path';
import { connect as tlsConnect, createServer as tlsServer, type TLSSocket } from 'node:tls';
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

// The baseline: the same frames over a bare TLS 1.3 socket on loopback, one JSON line each.
const baseline = await bareTls(frames, payload, roundTrips);
const ratioFrames = seatToHub / baseline.framesPerS;
const ratioRtt = rtt[Math.floor(roundTrips * 0.5)]! / baseline.rttP50;
console.log(`frames/s ${Math.round(seatToHub)} over the room channel, ${Math.round(baseline.framesPerS)} over bare TLS: ratio ${ratioFrames.toFixed(3)}`);
console.log(`round trip p50 ${rtt[Math.floor(roundTrips * 0.5)]!.toFixed(3)} ms over the room channel, ${baseline.rttP50.toFixed(3)} ms over bare TLS: ratio ${ratioRtt.toFixed(3)}`);
console.log(
  JSON.stringify({
    pairing_ms_median: Math.round(pairingMs[Math.floor(pairings / 2)]!),
    pairing_ms_max: Math.round(pairingMs.at(-1)!),
    seat_to_hub_frames_per_s: Math.round(seatToHub),
    frame_bytes: JSON.stringify({ ...payload, n: 0 }).length,
    round_trip_ms_p50: Number(rtt[Math.floor(roundTrips * 0.5)]!.toFixed(3)),
    round_trip_ms_p99: Number(rtt[Math.floor(roundTrips * 0.99)]!.toFixed(3)),
    bare_tls_frames_per_s: Math.round(baseline.framesPerS),
    frames_ratio: Number(ratioFrames.toFixed(3)),
    bare_tls_round_trip_ms_p50: Number(baseline.rttP50.toFixed(3)),
    round_trip_ratio: Number(ratioRtt.toFixed(3)),
  }),
);

/** The same frames and round trips over a bare TLS 1.3 socket (the hub's own key and certificate). */
async function bareTls(count: number, frame: Record<string, unknown>, trips: number): Promise<{ framesPerS: number; rttP50: number }> {
  const { generateKeyPairSync } = await import('node:crypto');
  const { execFileSync } = await import('node:child_process');
  const { writeFileSync, readFileSync } = await import('node:fs');
  const dir = tempDir('room-bench-tls-');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  execFileSync('openssl', ['req', '-x509', '-new', '-key', join(dir, 'key.pem'), '-subj', '/CN=bench', '-days', '1', '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const key = readFileSync(join(dir, 'key.pem'));
  const certificate = readFileSync(join(dir, 'cert.pem'));
  let onLine: (line: string, socket: TLSSocket) => void = () => undefined;
  const srv = tlsServer({ key, cert: certificate, minVersion: 'TLSv1.3' }, (socket) => {
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      let at: number;
      while ((at = buffered.indexOf('\n')) >= 0) {
        onLine(buffered.slice(0, at), socket);
        buffered = buffered.slice(at + 1);
      }
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  const client = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, minVersion: 'TLSv1.3' });
  await new Promise<void>((resolve) => client.once('secureConnect', () => resolve()));
  let got = 0;
  const done = new Promise<void>((resolve) => {
    onLine = (line) => {
      JSON.parse(line);
      if (++got === count) resolve();
    };
  });
  const started = performance.now();
  for (let i = 0; i < count; i++) client.write(`${JSON.stringify({ ...frame, n: i })}\n`);
  await done;
  const framesPerS = count / ((performance.now() - started) / 1000);
  onLine = (line, socket) => {
    JSON.parse(line);
    socket.write('{"type":"pong-bench"}\n');
  };
  client.setEncoding('utf8');
  const times: number[] = [];
  for (let i = 0; i < trips; i++) {
    const t0 = performance.now();
    const answered = new Promise<void>((resolve) => client.once('data', () => resolve()));
    client.write('{"type":"ping-bench"}\n');
    await answered;
    times.push(performance.now() - t0);
  }
  client.destroy();
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  times.sort((a, b) => a - b);
  return { framesPerS, rttP50: times[Math.floor(trips / 2)]! };
}
