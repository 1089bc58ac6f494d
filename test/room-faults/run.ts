// The room under faults (npm run test:room-faults): a hub and seats as separate production station
// processes on loopback (station-node.ts), each seat behind a TCP proxy of its own
// (test/support/tcp-proxy.ts), the seats' candidates saving answers and recording audio all the time,
// while the harness kills and breaks things:
//   cut       one seat's link cut (every connection dropped, new ones refused) for --cut-seconds, while
//             the faults after it go on
//   hub-kill  the hub SIGKILLed mid-part and started again on its data folder
//   seat-kill a seat SIGKILLed while it records, started again on its data folder
//   chaos     frames duplicated, reordered and replayed between the seats and the hub's protocol end
//   rebuild   the hub SIGKILLed, its database deleted (its key files kept), started again: each seat asks
//             to rejoin, the harness accepts the requests as IT would, and the seats send it everything again
// Then the candidates stop, the seats drain their backlog, every station stops, and the harness reads the
// databases: every event each seat wrote is at the hub exactly once (by device and seq, and by body), and
// so is every answer and every audio segment the seats' stations acknowledged to their candidates.
// Last line, one JSON object: {"faults", "acknowledged", "lost", "duplicates"}; exit code 1 if anything
// was lost or duplicated (or the room did not settle).
//   node test/room-faults/run.ts [--seats 3] [--cut-seconds 60] [--faults cut,hub-kill,seat-kill,chaos,rebuild] [--calm-seconds 5] [--keep]
// (test/room-faults/room-faults.test.ts runs a short version, and one that must find a loss.)
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { buildMiniPackage, makeKeys, tempDir, writeProductionAssets } from '../support/fixtures.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import type { FromNode, Request, ToNode } from './station-node.ts';

// In this order; the cut goes on while the faults after it happen (a seat away for a minute misses them all).
const FAULTS = ['cut', 'hub-kill', 'seat-kill', 'chaos', 'rebuild'] as const;
type Fault = (typeof FAULTS)[number];

const { values } = parseArgs({
  options: {
    seats: { type: 'string', default: '3' },
    'cut-seconds': { type: 'string', default: '60' },
    faults: { type: 'string', default: FAULTS.join(',') },
    'calm-seconds': { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
    // For the harness's own test: take this many of the first seat's events and one of its segments out
    // of the hub's database before the count, which must then find them lost.
    'lose-at-hub': { type: 'string', default: '0' },
  },
});
const seatCount = Math.max(1, Number(values.seats));
const cutMs = Number(values['cut-seconds']) * 1000;
const calmMs = Number(values['calm-seconds']) * 1000;
const faults = values.faults.split(',').filter(Boolean) as Fault[];
for (const fault of faults) if (!FAULTS.includes(fault)) throw new Error(`unknown fault ${fault} (known: ${FAULTS.join(', ')})`);

const startedAt = Date.now();
const log = (text: string) => console.error(`[room-faults ${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${text}`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(200);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const root = tempDir('room-faults-');
const keys = makeKeys();
const built = buildMiniPackage(keys);
const packagePath = join(root, 'mini.exampkg');
writeFileSync(packagePath, built.file);
const assets = writeProductionAssets(root, keys.trust);
const SCRIPT = join(import.meta.dirname, 'station-node.ts');

/** One station process: started, SIGKILLed and started again on the same data folder. */
class Station {
  readonly dir: string;
  deviceId = '';
  private child: ChildProcess | null = null;
  private ids = 0;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  onAcked: (message: Extract<FromNode, { type: 'acked' }>) => void = () => undefined;

  readonly name: string;
  private readonly env: Record<string, string>;

  constructor(name: string, env: Record<string, string>) {
    this.name = name;
    this.env = env;
    this.dir = join(root, name);
    mkdirSync(this.dir, { recursive: true });
  }

  async start(extraEnv: Record<string, string> = {}): Promise<void> {
    const logFd = openSync(join(root, `${this.name}.log`), 'a');
    const child = fork(SCRIPT, [], {
      env: { ...process.env, EXAM_STATION_POLICY: 'none', EXAM_STATION_MODE: 'production', EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: join(this.dir, 'data'), EXAM_STATION_ASSETS: assets, ...this.env, ...extraEnv },
      stdio: ['ignore', logFd, logFd, 'ipc'],
      execArgv: [],
    });
    closeSync(logFd);
    this.child = child;
    const ready = new Promise<void>((resolve, reject) => {
      child.on('message', (raw) => {
        const message = raw as FromNode;
        if (message.type === 'ready') {
          this.deviceId = message.deviceId;
          resolve();
        } else if (message.type === 'acked') this.onAcked(message);
        else if (message.type === 'reply') {
          const waiter = this.waiting.get(message.id);
          this.waiting.delete(message.id);
          if (message.ok) waiter?.resolve(message.value);
          else waiter?.reject(new Error(`${this.name}: ${message.error}`));
        }
      });
      child.once('exit', (code, signal) => {
        for (const waiter of this.waiting.values()) waiter.reject(new Error(`${this.name} ended (${signal ?? code})`));
        this.waiting.clear();
        if (this.child === child) this.child = null;
        reject(new Error(`${this.name} ended before it was ready (${signal ?? code}); see ${join(root, `${this.name}.log`)}`));
      });
    });
    await ready;
  }

  request<T>(message: Request, timeoutMs = 30_000): Promise<T> {
    const child = this.child;
    if (!child) return Promise.reject(new Error(`${this.name} is not running`));
    const id = (this.ids += 1);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: no answer to ${message.op}`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as T);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      child.send({ ...message, id } satisfies ToNode);
    });
  }

  /** SIGKILL: no clean stop, nothing flushed but what SQLite committed. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await gone;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    await this.request({ op: 'stop' }).catch(() => child.kill('SIGKILL'));
    await gone;
  }
}

interface SeatStatus {
  connected: boolean;
  backlogEvents: number;
  audioBytesPending: number;
  alarm: string | null;
}

interface Seat {
  station: Station;
  proxy: TcpProxy;
  label: string;
  answers: Set<string>;
  segments: Map<string, string>;
}

const hubPort = await freePort();
const hub = new Station('hub', { EXAM_STATION_ROLE: 'hub', EXAM_STATION_ROOM_PORT: String(hubPort) });
const seats: Seat[] = [];

async function hubSees(deviceIds: string[]): Promise<boolean> {
  const view = await hub.request<{ deviceId: string; connected: boolean }[]>({ op: 'status' }).catch(() => []);
  return deviceIds.every((id) => view.some((s) => s.deviceId === id && s.connected));
}
/** Every seat whose link is not being cut is connected to the hub (a rebuilt hub's once their rejoin is accepted). */
const everySeatConnected = () =>
  until(
    'every seat connected to the hub',
    async () => {
      await acceptRejoins();
      return hubSees(seats.filter((s) => !s.proxy.isCut).map((s) => s.station.deviceId));
    },
    60_000,
  );
/** The end of the cut, if one is going on. */
let cutOver: Promise<void> = Promise.resolve();
const work = (seat: Seat, on: boolean) => seat.station.request({ op: 'work', on });
/** Seats whose rejoin of a rebuilt hub is still to be accepted (a cut seat asks only once its link is back). */
let rejoining: Seat[] = [];

/** Accept each rejoin request of those seats that has reached the hub, as IT would on the console. */
async function acceptRejoins(): Promise<void> {
  if (rejoining.length === 0) return;
  const waiting = (await hub.request<{ deviceId: string; decision: string | null }[]>({ op: 'requests' }).catch(() => [])).filter((r) => r.decision === null);
  for (const seat of rejoining.filter((s) => waiting.some((r) => r.deviceId === s.station.deviceId))) {
    await hub.request({ op: 'accept', deviceId: seat.station.deviceId });
    rejoining = rejoining.filter((s) => s !== seat);
    log(`seat ${seat.label}'s rejoin request accepted`);
  }
}

async function inject(fault: Fault): Promise<void> {
  switch (fault) {
    case 'hub-kill': {
      await hub.kill();
      log('hub SIGKILLed');
      await sleep(3000);
      await hub.start();
      break;
    }
    case 'seat-kill': {
      const seat = seats[0]!;
      await seat.station.kill();
      log(`seat ${seat.label} SIGKILLed while recording`);
      await sleep(2000);
      await seat.station.start();
      await work(seat, true);
      break;
    }
    case 'cut': {
      const seat = seats[1 % seats.length]!;
      seat.proxy.cut(cutMs);
      log(`seat ${seat.label}'s link cut for ${cutMs / 1000} s`);
      cutOver = sleep(cutMs).then(() => log(`seat ${seat.label}'s link is back`));
      break;
    }
    case 'chaos': {
      await hub.request({ op: 'shim', mode: 'chaos' });
      log('frames duplicated, reordered and replayed');
      await sleep(Math.max(3000, calmMs * 2));
      await hub.request({ op: 'shim', mode: 'off' });
      break;
    }
    case 'rebuild': {
      await hub.kill();
      for (const file of ['station.db', 'station.db-wal', 'station.db-shm']) rmSync(join(hub.dir, 'data', file), { force: true });
      log('hub SIGKILLed and its database deleted');
      await hub.start();
      // No seat is let in by itself (the revocations went with the database): each asks, and is accepted below.
      rejoining = [...seats];
      break;
    }
  }
  await everySeatConnected();
  log(`${fault}: every seat ${seats.some((s) => s.proxy.isCut) ? 'whose link is not cut ' : ''}is back`);
}

let settled = true;
try {
  // The stations open side by side (each hashes its first chief's password); then the seats pair one by one.
  const planned = Array.from({ length: seatCount }, (_, i) => `${1 + Math.floor(i / 6)}${'ABCDEF'[i % 6]}`);
  const opening = await Promise.all([
    hub.start(),
    ...planned.map(async (label): Promise<Seat> => {
      const proxy = await startTcpProxy({ host: '127.0.0.1', port: hubPort });
      const station = new Station(`seat-${label}`, { EXAM_STATION_ROLE: 'seat', FAULTS_PACKAGE: packagePath, FAULTS_PACKAGE_KEY: built.contentKey, FAULTS_PACKAGE_ID: built.manifest.packageId, FAULTS_LABEL: label });
      const seat: Seat = { station, proxy, label, answers: new Set(), segments: new Map() };
      station.onAcked = (message) => {
        if (message.kind === 'answer') seat.answers.add(message.text);
        else seat.segments.set(`${message.recordingId}/${message.index}`, message.sha256);
      };
      await station.start();
      return seat;
    }),
  ]);
  log('hub and seats started');
  for (const seat of opening.slice(1) as Seat[]) {
    // The seat pairs through its proxy, so the address it keeps (and dials ever after) is the proxy's.
    const code = await hub.request<string>({ op: 'code' });
    await seat.station.request({ op: 'pair', ...seat.proxy.address, code, label: seat.label });
    seats.push(seat);
  }
  await everySeatConnected();
  log(`hub and ${seats.length} seats paired and connected; the candidates start`);
  for (const seat of seats) await work(seat, true);
  await sleep(calmMs);
  for (const fault of faults) {
    await inject(fault);
    await sleep(calmMs);
  }
  await cutOver;
  await everySeatConnected();
  await sleep(calmMs);
  for (const seat of seats) await work(seat, false);
  log('the candidates stop; waiting for every seat to drain');
  try {
    await until(
      'every seat to have everything at the hub',
      async () => {
        const statuses = await Promise.all(seats.map((s) => s.station.request<SeatStatus>({ op: 'status' })));
        return statuses.every((s) => s.connected && s.backlogEvents === 0 && s.audioBytesPending === 0);
      },
      60_000,
    );
  } catch (error) {
    settled = false;
    log((error as Error).message);
  }
} finally {
  for (const seat of seats) await seat.station.stop().catch(() => undefined);
  await hub.stop().catch(() => undefined);
  for (const seat of seats) await seat.proxy.close();
}

// ---- the count, from the databases ---------------------------------------------------------------

/** Every string anywhere in a JSON value. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out);
  return out;
}
/** JSON with its keys sorted: the same body whatever order the relay wrote its fields in. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(value);
}

interface EventRow {
  seq: number;
  kind: string;
  entity_id: string;
  payload_json: string;
  created_at: string;
}
const bodyOf = (e: EventRow) => canonical({ kind: e.kind, entityId: e.entity_id, payload: JSON.parse(e.payload_json), createdAt: e.created_at });

const loseAtHub = Number(values['lose-at-hub']);
if (loseAtHub > 0 && seats[0]) {
  const sabotage = new Database(join(hub.dir, 'data', 'station.db'));
  const deviceId = seats[0].station.deviceId;
  sabotage.prepare('DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE device_id = ? ORDER BY random() LIMIT ?)').run(deviceId, loseAtHub);
  sabotage.prepare('DELETE FROM seat_audio WHERE rowid IN (SELECT rowid FROM seat_audio WHERE device_id = ? LIMIT 1)').run(deviceId);
  sabotage.close();
  log(`${loseAtHub} events and a segment of seat ${seats[0].label} taken out of the hub's database`);
}
const hubDb = new Database(join(hub.dir, 'data', 'station.db'), { readonly: true });
let acknowledged = 0;
let lost = 0;
let duplicates = 0;
let events = 0;
let segmentsTotal = 0;
const problems: string[] = [];
for (const seat of seats) {
  const seatDb = new Database(join(seat.station.dir, 'data', 'station.db'), { readonly: true });
  const written = seatDb.prepare('SELECT seq, kind, entity_id, payload_json, created_at FROM outbox WHERE device_id = ? ORDER BY seq').all(seat.station.deviceId) as EventRow[];
  const held = hubDb.prepare('SELECT origin_seq AS seq, kind, entity_id, payload_json, created_at FROM outbox WHERE device_id = ? ORDER BY seq').all(seat.station.deviceId) as EventRow[];
  events += written.length;
  // By device and seq.
  const bySeq = new Map<number, EventRow[]>();
  for (const row of held) bySeq.set(row.seq, [...(bySeq.get(row.seq) ?? []), row]);
  const writtenSeqs = new Set(written.map((e) => e.seq));
  for (const event of written) {
    const atHub = bySeq.get(event.seq) ?? [];
    if (atHub.length === 0 || !atHub.some((row) => bodyOf(row) === bodyOf(event))) {
      lost += 1;
      problems.push(`${seat.label}: event ${event.seq} (${event.kind}) ${atHub.length === 0 ? 'is not at the hub' : 'is at the hub with another body'}`);
    }
    if (atHub.length > 1) duplicates += atHub.length - 1;
  }
  for (const row of held) if (!writtenSeqs.has(row.seq)) problems.push(`${seat.label}: the hub holds seq ${row.seq}, which the seat never wrote`);
  // By body.
  const bodies = new Map<string, number>();
  for (const row of held) bodies.set(bodyOf(row), (bodies.get(bodyOf(row)) ?? 0) + 1);
  for (const count of bodies.values()) if (count > 1) duplicates += count - 1;
  // Each answer the station acknowledged to its candidate, found at the hub by its text, once.
  const answerCount = new Map<string, number>();
  for (const row of held) for (const text of strings(JSON.parse(row.payload_json))) if (seat.answers.has(text)) answerCount.set(text, (answerCount.get(text) ?? 0) + 1);
  for (const text of seat.answers) {
    const count = answerCount.get(text) ?? 0;
    if (count === 0) {
      lost += 1;
      problems.push(`${seat.label}: the acknowledged answer "${text}" is not at the hub`);
    } else if (count > 1) duplicates += count - 1;
  }
  // Each segment the seat holds and each one acknowledged to the candidate: at the hub once, same bytes.
  const audio = hubDb.prepare('SELECT recording_id, idx, sha256 FROM seat_audio WHERE device_id = ?').all(seat.station.deviceId) as { recording_id: string; idx: number; sha256: string }[];
  const audioAt = new Map<string, string[]>();
  for (const row of audio) audioAt.set(`${row.recording_id}/${row.idx}`, [...(audioAt.get(`${row.recording_id}/${row.idx}`) ?? []), row.sha256]);
  const onSeat = seatDb.prepare('SELECT recording_id, idx, sha256 FROM recording_segments').all() as { recording_id: string; idx: number; sha256: string }[];
  const expected = new Map(onSeat.map((s) => [`${s.recording_id}/${s.idx}`, s.sha256]));
  for (const [key, sha256] of seat.segments) {
    if (expected.has(key) && expected.get(key) !== sha256) problems.push(`${seat.label}: segment ${key} on the seat is not the one acknowledged`);
    expected.set(key, sha256);
  }
  segmentsTotal += expected.size;
  for (const [key, sha256] of expected) {
    const atHub = audioAt.get(key) ?? [];
    if (!atHub.includes(sha256)) {
      lost += 1;
      problems.push(`${seat.label}: audio segment ${key} is not at the hub`);
    }
    if (atHub.length > 1) duplicates += atHub.length - 1;
  }
  acknowledged += seat.answers.size + seat.segments.size;
  seatDb.close();
}
hubDb.close();

for (const problem of problems.slice(0, 20)) log(problem);
if (problems.length > 20) log(`... and ${problems.length - 20} more`);
log(`${events} events and ${segmentsTotal} audio segments of ${seats.length} seats checked at the hub in ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
if (values.keep) log(`data folders kept in ${root}`);
else rmSync(root, { recursive: true, force: true });
console.log(JSON.stringify({ faults: faults.length, acknowledged, lost, duplicates }));
process.exit(lost === 0 && duplicates === 0 && problems.length === 0 && settled ? 0 : 1);
