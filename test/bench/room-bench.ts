// npm run bench:room -- --seats N [--minutes M] [--workers W] [--seat-disk] [--profile]
//
// A room on loopback (127.0.0.1 only): one hub in a process of its own (room-bench-hub.ts, a production
// station with the room server and the protocol's hub end) and N seats speaking the real protocol over
// real mutual TLS with keys of their own, N/W to a process (room-bench-seats.ts). The seats enrol with
// the hub's room file (one token each; the hub accepts each request), each with its own station
// database. Then, as on an exam day: the content key is released to the connected room (the package is
// staged on every seat, locked, and unlocked by the key); the candidates start; every seat saves an
// answer every 2 s and heartbeats every 2 s, a quarter of them record 24 kbit/s audio in one-second
// segments; halfway through a second staged package is released under that load. At the end the
// seats stop, the hub is drained, and every seat's events are counted at the hub.
//
// The seats' databases go to /dev/shm unless --seat-disk: here 300 seats share the hub's one disk,
// which in a room they never do, and their fsyncs would be the hub's disk waits. The hub's database is
// on the disk. --profile runs the hub under `node --cpu-prof` and keeps the profile, --profile-seats
// the seat processes. The machine may be shared: what other processes took in the window is printed.
//
// The baseline, in the same run: the hub's durable writes of the load window (each push's events and
// its watermark, each audio segment, one transaction each, the same rows) repeated into a bare SQLite
// file beside the hub's database, WAL and synchronous=FULL. cpu_ratio = the hub's CPU in the window /
// the CPU of those writes alone: what the protocol (TLS, JSON, checks, heartbeats, commands) costs on
// top of the writes it cannot avoid. push_ratio_p99 = push_p99_ms / the bare commit's p99.
// The last line is one JSON object.
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildPackage } from '../../src-shared/node/package/builder.ts';
import { makeKeys, writeSource } from '../support/fixtures.ts';
import { benchExamSource, ChildChannel, percentile, RELEASE_TIMEOUT_MS, round1, type BenchPackage, type HubSetup, type WorkerSetup } from './room-bench-shared.ts';

const { values } = parseArgs({
  options: {
    seats: { type: 'string', default: '50' },
    minutes: { type: 'string', default: '1' },
    workers: { type: 'string', default: '2' },
    'seat-disk': { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    'profile-seats': { type: 'boolean', default: false },
  },
});
const seatCount = Number(values.seats);
const minutes = Number(values.minutes);
const workerCount = Math.max(1, Math.min(Number(values.workers), seatCount));
if (!Number.isInteger(seatCount) || seatCount < 1 || !(minutes > 0)) throw new Error('--seats N (a whole number) and --minutes M (above 0)');

const root = mkdtempSync(join(tmpdir(), 'room-bench-'));
const seatRoot = mkdtempSync(join(values['seat-disk'] || !existsSync('/dev/shm') ? tmpdir() : '/dev/shm', 'room-bench-seats-'));
const profileDir = values.profile || values['profile-seats'] ? mkdtempSync(join(tmpdir(), 'room-bench-profile-')) : undefined;
const children: ChildProcess[] = [];
const say = (line: string) => console.log(line);
const at = (() => {
  const started = performance.now();
  return () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
})();

function cleanUp(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
  rmSync(seatRoot, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    cleanUp();
    process.exit(130);
  });
}

function spawn(module: string, argument: unknown, execArgv: string[] = []): ChildProcess {
  const child = fork(join(import.meta.dirname, module), [JSON.stringify(argument)], { stdio: ['ignore', 2, 2, 'ipc'], execArgv: [...process.execArgv, ...execArgv] });
  children.push(child);
  return child;
}

/** CPU time the whole machine spent busy (all cores, every process), from /proc/stat, in ms. */
function machineBusyMs(): number {
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, _idle, _iowait, irq, softirq, steal] = fields.map(Number) as number[];
  return ((user! + nice! + system! + irq! + softirq! + steal!) * 1000) / 100;
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

try {
  // Two packages of the bench exam, signed by a test key the stations trust.
  const keys = makeKeys();
  mkdirSync(join(root, 'packages'));
  const packages: BenchPackage[] = ['first', 'second'].map((name) => {
    const built = buildPackage({
      sourceDir: writeSource(mkdtempSync(join(root, 'source-')), benchExamSource()),
      signingKey: keys.signingKey,
      validFrom: new Date('2020-01-01T00:00:00Z'),
      validUntil: new Date('2100-01-01T00:00:00Z'),
    });
    const path = join(root, 'packages', `${name}.exampkg`);
    writeFileSync(path, built.file);
    return { path, packageId: built.manifest.packageId, contentKey: built.contentKey };
  });

  const hubSetup: HubSetup = { dir: join(root, 'hub'), seats: seatCount, trust: keys.trust };
  mkdirSync(hubSetup.dir);
  const hubProcess = spawn('room-bench-hub.ts', hubSetup, values.profile && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []);
  const hub = new ChildChannel(hubProcess, 'hub');
  const { roomFilePath, address } = await hub.request<{ roomFilePath: string; address: { host: string; port: number } }>('address');
  say(`${at()}: hub on ${address.host}:${address.port}, ${seatCount} seats in ${workerCount} processes, seat databases in ${seatRoot}`);

  const workers = Array.from({ length: workerCount }, (_, w) => {
    const indices = Array.from({ length: seatCount }, (_, i) => i).filter((i) => i % workerCount === w);
    const setup: WorkerSetup = { seatRoot, indices, roomFilePath, trust: keys.trust, packages };
    const channel = new ChildChannel(spawn('room-bench-seats.ts', setup, values['profile-seats'] && profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), `seats ${w + 1}`);
    channel.onProgress = (m) => m.type !== 'up' && say(`${at()}: seats ${w + 1}: ${String(m.count)} ${m.type}`);
    return channel;
  });
  const setupStarted = performance.now();
  await Promise.all(workers.map((w) => w.request('setup')));
  say(`${at()}: ${seatCount} seats made and enrolled in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);
  const connected = await hub.request<{ ms: number }>('await-connected', { count: seatCount });
  say(`${at()}: all ${seatCount} seats connected to the hub (${connected.ms} ms after the last enrolment)`);

  /** Release a package's key to the room; how long until every seat's result was stored, and where the time went. */
  const releaseKey = async (pkg: BenchPackage, when: string) => {
    const released = await hub.request<Release>('release', { packageId: pkg.packageId, contentKey: pkg.contentKey });
    const kept = (await Promise.all(workers.map((w) => w.request<{ seats: { receivedAt: number | null; appliedAt: number | null }[] }>('release-timings', { cmdId: released.cmdId })))).flatMap((r) => r.seats);
    const spread = (values: number[]) => `p50 ${percentile(values, 50) ?? '-'} ms, last ${percentile(values, 100) ?? '-'} ms`;
    const received = kept.flatMap((k) => (k.receivedAt === null ? [] : [k.receivedAt - released.issuedAt]));
    const carried = kept.flatMap((k) => (k.receivedAt === null || k.appliedAt === null ? [] : [k.appliedAt - k.receivedAt]));
    const stored = released.confirmedAt.map((t) => t - released.issuedAt);
    say(
      `${at()}: key release ${when} to ${released.expected} seats: ${released.ms === null ? `not every seat's result stored within ${RELEASE_TIMEOUT_MS / 1000} s` : `${released.ms} ms`}, ${released.applied} applied${released.refused.length ? `, refused: ${released.refused.join('; ')}` : ''}` +
        ` (issue and send to every seat ${released.issueMs} ms; at the seats after ${spread(received)}; carried out in ${spread(carried)}; stored at the hub after ${spread(stored)})`,
    );
    return released;
  };

  // The start: the content key to the connected room.
  const first = await releaseKey(packages[0]!, 'at the start');
  const firstUnlocked = (await Promise.all(workers.map((w) => w.request<{ unlocked: number }>('unlocked', { packageId: packages[0]!.packageId })))).reduce((n, r) => n + r.unlocked, 0);
  say(`${at()}: ${firstUnlocked} of ${seatCount} seats hold the package unlocked`);

  const busyAtStart = machineBusyMs();
  const ownAtStart = process.cpuUsage();
  await hub.request('mark-start');
  await Promise.all(workers.map((w) => w.request('start-load')));
  const loadMs = minutes * 60_000;
  const windowStarted = performance.now();
  say(`${at()}: load running for ${minutes} min`);
  await sleep(loadMs / 2);
  const second = await releaseKey(packages[1]!, 'under load');
  await sleep(loadMs / 2);

  const stopping = workers.map((w) => w.request<WorkerReport>('stop-load', { timeoutMs: 120_000 }));
  await hub.request('mark-end');
  const windowMs = performance.now() - windowStarted;
  const busyMs = machineBusyMs() - busyAtStart;
  const ownCpu = process.cpuUsage(ownAtStart);
  const reports = await Promise.all(stopping);
  say(`${at()}: load stopped; drained in ${Math.max(...reports.map((r) => r.drained.ms))} ms, ${reports.reduce((n, r) => n + r.drained.left, 0)} events and segments left unacknowledged`);

  const atHub = await hub.request<HubReport>('report');
  const base = await hub.request<Baseline>('baseline');

  // Lost: what the seats wrote that the hub does not hold (each origin counted once).
  const held = new Map(atHub.perSeat.map((s) => [s.deviceId, s]));
  const heldAudio = new Map(atHub.audio.map((s) => [s.deviceId, s.segments]));
  let written = 0;
  let lost = 0;
  let segmentsWritten = 0;
  let audioLost = 0;
  for (const seat of reports.flatMap((r) => r.perSeat)) {
    written += seat.lastSeq;
    const origins = held.get(seat.deviceId);
    lost += Math.max(0, seat.lastSeq - (origins && origins.maxSeq <= seat.lastSeq ? origins.origins : 0));
    segmentsWritten += seat.segments;
    audioLost += Math.max(0, seat.segments - (heldAudio.get(seat.deviceId) ?? 0));
  }

  await Promise.all([hub, ...workers].map((c) => c.request('exit').catch(() => undefined)));
  await Promise.all(children.map(exited));

  const saves = reports.reduce((n, r) => n + r.saves, 0);
  const segments = reports.reduce((n, r) => n + r.segments, 0);
  const errors = reports.flatMap((r) => Object.entries(r.errors));
  say(`seats: ${saves} answers saved, ${segments} audio segments, ${written} events in their outboxes; save p99 ${Math.max(...reports.map((r) => r.saveP99 ?? 0))} ms; seat processes ${reports.map((r) => `${r.cpuPct}%`).join(' and ')} CPU, event loop delay p99 ${reports.map((r) => `${r.loopDelayP99} ms`).join(' and ')}`);
  say(`seat processes: ${reports.map((r) => `heap ${r.heapMb} MB, RSS ${r.rssMb} MB, ${r.gc.pauses} GC pauses of ${r.gc.totalMs} ms in all, the longest ${r.gc.maxMs} ms`).join('; ')}`);
  if (errors.length) say(`seat errors: ${errors.map(([code, n]) => `${code} ×${n}`).join(', ')}`);
  say(`hub: ${atHub.pushes} pushes in the window; push latency p50 ${atHub.pushP50} ms, p99 ${atHub.pushP99} ms, max ${atHub.pushMax} ms (${atHub.pushSamples} events); at the hub, arrival to acknowledgement p50 ${atHub.turnaroundP50} ms, p99 ${atHub.turnaroundP99} ms`);
  say(`hub: heartbeat to room view p50 ${atHub.lagP50} ms, p99 ${atHub.lagP99} ms (${atHub.lagSamples} beats); view() p99 ${atHub.viewP99} ms; seats late or missing on the view: ${atHub.lateSeen} seat-seconds, at most ${atHub.mostNotConnected} at once; ${atHub.reconnects} reconnects`);
  say(`hub: CPU ${atHub.cpuPct}% of one core (${atHub.cpuMs} ms), peak RSS ${atHub.peakRssMb} MB in the run (${atHub.lifetimeRssMb} MB with the set-up), heap ${atHub.heapMb} MB, ${atHub.gc.pauses} GC pauses of ${atHub.gc.totalMs} ms in all, the longest ${atHub.gc.maxMs} ms, event loop delay p99 ${atHub.loopDelayP99} ms${atHub.alarms.length ? `; alarms: ${atHub.alarms.join('; ')}` : ''}`);
  say(`hub: ${atHub.transactions} transactions of ${(atHub.pushes / Math.max(1, atHub.transactions)).toFixed(2)} pushes on average, each p50 ${atHub.transactionP50} ms, p99 ${atHub.transactionP99} ms; ${atHub.checkpoints} idle checkpoints, p50 ${atHub.checkpointP50} ms, longest ${atHub.checkpointMax} ms`);
  say(`hub: handling per frame: ${Object.entries(atHub.handling).map(([kind, h]) => `${kind} ×${h.n} p50 ${h.p50} ms p99 ${h.p99} ms (${(h.totalMs / 1000).toFixed(1)} s)`).join('; ')}`);
  say(`baseline: the window's ${base.transactions} transactions (${base.events} events) into bare SQLite: commit p50 ${base.commitP50} ms, p99 ${base.commitP99} ms, CPU ${base.cpuMs} ms`);
  const otherMs = busyMs - atHub.cpuMs - reports.reduce((n, r) => n + r.cpuMs, 0) - (ownCpu.user + ownCpu.system) / 1000;
  say(`machine: ${Math.round((busyMs / windowMs) * 100)}% of one core busy in the load window (2 cores: 200%), other processes than the bench's ${Math.max(0, Math.round((otherMs / windowMs) * 100))}%`);
  const cpuRatio = base.cpuMs > 0 ? atHub.cpuMs / base.cpuMs : null;
  const pushRatio = atHub.pushP99 !== null && base.commitP99 ? atHub.pushP99 / base.commitP99 : null;
  say(`ratios: hub CPU / bare writes' CPU ${round1(cpuRatio)}; push p99 / bare commit p99 ${round1(pushRatio)}`);
  if (profileDir) say(`hub CPU profile: ${readdirSync(profileDir).map((f) => join(profileDir, f)).join(', ')}`);
  console.log(
    JSON.stringify({
      // The issue's keys first, in its order; what else the run measured after them.
      seats: seatCount,
      minutes,
      push_p50_ms: atHub.pushP50,
      push_p99_ms: atHub.pushP99,
      dashboard_lag_p99_ms: atHub.lagP99,
      // A release that did not finish has no time: null, never the other release's.
      key_release_ms: first.ms === null || second.ms === null ? null : Math.max(first.ms, second.ms),
      lost: lost + audioLost,
      duplicates: atHub.duplicates,
      hub_cpu_pct: atHub.cpuPct,
      hub_rss_mb: atHub.peakRssMb,
      key_release_start_ms: first.ms,
      key_release_loaded_ms: second.ms,
      lost_events: lost,
      lost_segments: audioLost,
      hub_rss_setup_mb: atHub.lifetimeRssMb,
      events: written,
      segments: segmentsWritten,
      reconnects: atHub.reconnects,
      other_cpu_pct: Math.max(0, Math.round((otherMs / windowMs) * 100)),
      baseline_commit_p50_ms: base.commitP50,
      baseline_commit_p99_ms: base.commitP99,
      baseline_cpu_ms: base.cpuMs,
      hub_cpu_ms: atHub.cpuMs,
      cpu_ratio: round1(cpuRatio),
      push_ratio_p99: round1(pushRatio),
    }),
  );
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  cleanUp();
}

interface Gc {
  pauses: number;
  totalMs: number;
  maxMs: number;
}

interface Release {
  /** null: not every result was stored before the hub gave up waiting (RELEASE_TIMEOUT_MS). */
  ms: number | null;
  issueMs: number;
  cmdId: string;
  issuedAt: number;
  confirmedAt: number[];
  expected: number;
  applied: number;
  refused: string[];
}

interface WorkerReport {
  drained: { ms: number; left: number };
  saves: number;
  segments: number;
  errors: Record<string, number>;
  saveP99: number | null;
  loopDelayP99: number | null;
  cpuMs: number;
  cpuPct: number;
  gc: Gc;
  heapMb: number;
  rssMb: number;
  perSeat: { deviceId: string; lastSeq: number; segments: number }[];
}

interface HubReport {
  perSeat: { deviceId: string; origins: number; maxSeq: number }[];
  duplicates: number;
  audio: { deviceId: string; segments: number }[];
  pushes: number;
  pushSamples: number;
  pushP50: number | null;
  pushP99: number | null;
  pushMax: number | null;
  transactions: number;
  transactionP50: number | null;
  transactionP99: number | null;
  checkpoints: number;
  checkpointP50: number | null;
  checkpointMax: number | null;
  turnaroundP50: number | null;
  turnaroundP99: number | null;
  lagSamples: number;
  lagP50: number | null;
  lagP99: number | null;
  viewP99: number | null;
  lateSeen: number;
  mostNotConnected: number;
  alarms: string[];
  reconnects: number;
  cpuMs: number;
  cpuPct: number;
  loopDelayP99: number | null;
  peakRssMb: number;
  lifetimeRssMb: number;
  gc: Gc;
  heapMb: number;
  handling: Record<string, { n: number; p50: number; p99: number; totalMs: number }>;
}

interface Baseline {
  transactions: number;
  events: number;
  commitP50: number | null;
  commitP99: number | null;
  cpuMs: number;
}
