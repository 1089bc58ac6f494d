// The hub of bench:room, alone in its process so that the CPU and memory it reports are the hub's: a
// production station (openStation, its own key and database on the disk) with the room server and the
// room protocol's hub end attached to each seat's channel as src-main/host/room.ts attaches them. It
// enrols the seats by a room file, accepting each request as an invigilator would, and measures from a
// listener on each channel called after the hub's own has handled a frame, and from the frames the hub
// sends back:
// - push latency: when the hub acknowledges a push (it sends push-ack once the events are committed)
//   minus each event's createdAt on its seat (the seats' room clocks follow this hub's clock);
// - dashboard lag: when a heartbeat reaches the room view minus when the seat sent it;
// - key release: from hub.issue until the last seat's result is stored.
// Then the baseline: the same durable writes (each push's events with its watermark, each audio
// segment, one transaction each) into a bare SQLite file on the same disk, WAL and synchronous=FULL.
// What the bench keeps in this process is bounded (histograms, four bytes a push), so the hub's memory
// stays the hub's through a long run.
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadStationConfig } from '../../src-main/host/config.ts';
import { openStation } from '../../src-main/host/start.ts';
import { openRoomAuthority } from '../../src-main/lan/room-authority.ts';
import { RoomHub } from '../../src-main/lan/room-hub.ts';
import { startRoomServer } from '../../src-main/lan/room-server.ts';
import { SqliteSeatDirectory } from '../../src-main/lan/seat-directory.ts';
import { sessionOfConnection } from '../../src-main/seat-link/room-sessions.ts';
import type { RoomFrame } from '../../src-shared/contracts/room-link.ts';
import type { HubFrame } from '../../src-shared/contracts/room-protocol.ts';
import { TEST_CHIEF_ENV, writeProductionAssets } from '../support/fixtures.ts';
import { IntColumn, RELEASE_TIMEOUT_MS, round1, round2, Samples, serveParent, watchGc, type HubSetup } from './room-bench-shared.ts';

const setup = JSON.parse(process.argv[2]!) as HubSetup;

const config = loadStationConfig({
  env: { EXAM_STATION_MODE: 'production', EXAM_STATION_ROLE: 'hub', EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: join(setup.dir, 'data'), EXAM_STATION_ASSETS: writeProductionAssets(setup.dir, setup.trust), ...TEST_CHIEF_ENV },
  machinePolicyFile: join(setup.dir, 'absent.json'),
});
const opened = openStation(config);
const { service, identity } = opened;

// The hub's transactions and its idle checkpoints, timed (wrapped here for the bench, unchanged).
const commitMs = new Samples();
const checkpointMs = new Samples();
{
  const db = service.db;
  const transaction = db.transaction.bind(db);
  db.transaction = <T>(fn: Parameters<typeof db.transaction>[0]): T => {
    if (db.sqlite.inTransaction || !inWindow(Date.now())) return transaction(fn) as T;
    const started = performance.now();
    try {
      return transaction(fn) as T;
    } finally {
      commitMs.add(performance.now() - started);
    }
  };
  const checkpointIdle = db.checkpointIdle.bind(db);
  db.checkpointIdle = () => {
    const started = performance.now();
    checkpointIdle();
    if (inWindow(Date.now())) checkpointMs.add(performance.now() - started);
  };
}

// ---- what the taps measure ------------------------------------------------------------------------

/** The load window (wall clock, ms): samples of events and heartbeats made inside it count. */
let windowStart = Infinity;
let windowEnd = Infinity;
const pushMs = new Samples();
const lagMs = new Samples();
const viewMs = new Samples();
/** The pushes the hub acknowledged in the window, in order, for the baseline to repeat: the seat and the seqs. */
const seatIndex = new Map<string, number>();
const pushed = { seat: new IntColumn(), first: new IntColumn(), last: new IntColumn() };
/** How long the hub's own listener took over each frame, by kind, in the window (its sync part). */
const handling: Record<string, Samples> = {};
/** From a push's arrival to its acknowledgement going out: the hub's own share of the push latency. */
const turnaroundMs = new Samples();
let frameArrived = 0;
const inWindow = (now: number) => now >= windowStart && now <= windowEnd;
const pushes = new Map<string, { arrived: number; events: { seq: number; createdAt: string }[] }>();
const measuredUpTo = new Map<string, number>();
const attaches = new Map<string, number>();
let release: { cmdId: string; expected: number; arrived: Set<string>; started: number; done: (ms: number) => void } | null = null;
let lateSeen = 0;
let mostNotConnected = 0;

/** A frame from a seat, after the hub's listener has handled it. */
function tapIn(deviceId: string, frame: RoomFrame): void {
  const now = Date.now();
  if (inWindow(now)) (handling[frame.type] ??= new Samples()).add(performance.now() - frameArrived);
  switch (frame.type) {
    case 'push':
      pushes.set(`${deviceId} ${String(frame.pushId)}`, { arrived: frameArrived, events: frame.events as { seq: number; createdAt: string }[] });
      return;
    case 'heartbeat': {
      const sentAt = frame.sentAt as number;
      if (sentAt >= windowStart && now <= windowEnd) lagMs.add(now - sentAt);
      return;
    }
    case 'command-result': {
      const result = frame.result as { cmdId: string };
      if (release && result.cmdId === release.cmdId) {
        release.arrived.add(deviceId);
        if (release.arrived.size === release.expected) settleRelease(release);
      }
      return;
    }
  }
}

/** The last result came in; the release is done when the hub has stored every one (its next commit). */
function settleRelease(current: NonNullable<typeof release>): void {
  if (hub.commands.outcomes(current.cmdId).length >= current.expected) current.done(performance.now() - current.started);
  else setImmediate(() => settleRelease(current));
}

/** A frame the hub sends a seat: an acknowledgement goes out after the commit of what it acknowledges. */
function tapOut(deviceId: string, frame: HubFrame): void {
  const now = Date.now();
  if (frame.type === 'push-ack' || frame.type === 'push-refused') {
    const key = `${deviceId} ${frame.pushId}`;
    const push = pushes.get(key);
    pushes.delete(key);
    if (!push || frame.type === 'push-refused') return;
    const from = measuredUpTo.get(deviceId) ?? 0;
    if (frame.ackedSeq <= from) return;
    measuredUpTo.set(deviceId, frame.ackedSeq);
    let first = 0;
    for (const event of push.events) {
      if (event.seq <= from || event.seq > frame.ackedSeq) continue;
      first ||= event.seq;
      const created = Date.parse(event.createdAt);
      if (created >= windowStart) pushMs.add(now - created);
    }
    if (inWindow(now) && first > 0) {
      if (!seatIndex.has(deviceId)) seatIndex.set(deviceId, seatIndex.size);
      pushed.seat.push(seatIndex.get(deviceId)!);
      pushed.first.push(first);
      pushed.last.push(frame.ackedSeq);
      turnaroundMs.add(performance.now() - push.arrived);
    }
  }
}

// ---- the hub, as src-main/host/room.ts starts it ------------------------------------------------

const authority = await openRoomAuthority(config.dataDir, identity);
const hub = new RoomHub({ db: service.db, outbox: service.outbox });
const directory = new SqliteSeatDirectory(service.db);
const server = await startRoomServer({
  identity,
  authority,
  seats: directory,
  host: '127.0.0.1',
  port: 0,
  onSeat: (connection) => {
    // Listeners run in the order they were added: the first notes when the frame came, then the hub's
    // handles it, then the tap looks. The tap also sees every frame the hub sends back.
    connection.onFrame(() => (frameArrived = performance.now()));
    const session = sessionOfConnection(connection);
    hub.attach(connection.deviceId, {
      ...session,
      send: (frame) => {
        tapOut(connection.deviceId, frame as HubFrame);
        session.send(frame);
      },
    }, directory.list().find((seat) => seat.deviceId === connection.deviceId)?.pairedAt ?? null);
    connection.onFrame((frame) => tapIn(connection.deviceId, frame));
    attaches.set(connection.deviceId, (attaches.get(connection.deviceId) ?? 0) + 1);
  },
});

// Enrolment: one room file with a token per seat; each request is accepted as it comes in.
const roomFilePath = join(setup.dir, 'room-file.json');
writeFileSync(roomFilePath, JSON.stringify(server.exportRoomFile({ count: setup.seats })));
const accepting = new Set<string>();
let accepted = 0;
const acceptor = setInterval(() => {
  for (const request of server.requests()) {
    if (request.decision !== null || accepting.has(request.deviceId)) continue;
    accepting.add(request.deviceId);
    void server.accept(request.deviceId).then(() => {
      accepted += 1;
      if (accepted === setup.seats) clearInterval(acceptor);
    });
  }
}, 20);

// The console's view of the room, refreshed once a second as a screen would.
const viewer = setInterval(() => {
  const started = performance.now();
  const view = hub.view();
  const now = Date.now();
  if (now < windowStart || now > windowEnd) return;
  viewMs.add(performance.now() - started);
  const notConnected = view.filter((s) => s.presence !== 'connected').length;
  lateSeen += notConnected;
  mostNotConnected = Math.max(mostNotConnected, notConnected);
}, 1000);

const loopDelay = monitorEventLoopDelay({ resolution: 10 });
const gc = watchGc(() => inWindow(Date.now()));
let cpuAtStart: NodeJS.CpuUsage | undefined;
let cpuMs = 0;
let wallMs = 0;
let peakRss = 0;
// From the start of the load to the report (the drain included): the set-up's one production password
// hash (scrypt, about 130 MB for a moment) is not the room's.
const rssSampler = setInterval(() => {
  if (Date.now() >= windowStart) peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 250);

function connectedSeats(): number {
  return hub.view().filter((s) => s.connected && s.state !== null).length;
}

serveParent(async (message) => {
  switch (message.type) {
    case 'address':
      return { roomFilePath, address: server.address };
    case 'await-connected': {
      const started = performance.now();
      const want = message.count as number;
      while (connectedSeats() < want) {
        if (performance.now() - started > 600_000) throw new Error(`only ${connectedSeats()} of ${want} seats connected`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return { ms: Math.round(performance.now() - started) };
    }
    case 'release': {
      const expected = connectedSeats();
      let done: (ms: number) => void = () => undefined;
      const outcome = new Promise<number>((resolve) => (done = resolve));
      const started = performance.now();
      const issuedAt = Date.now();
      const command = hub.issue({ target: { kind: 'room' }, type: 'key-release', params: { packageId: message.packageId, key: message.contentKey }, issuedBy: 'test.chief' });
      const issueMs = performance.now() - started;
      // Results come back over the sockets, never inside issue(): the tap can be set after it.
      release = { cmdId: command.cmdId, expected, arrived: new Set(), started, done };
      const timeout = new Promise<number>((resolve) => setTimeout(() => resolve(NaN), RELEASE_TIMEOUT_MS).unref());
      const ms = await Promise.race([outcome, timeout]);
      const outcomes = hub.commands.outcomes(command.cmdId);
      release = null;
      return { ms: round1(ms), issueMs: round1(issueMs), cmdId: command.cmdId, issuedAt, confirmedAt: outcomes.map((o) => Date.parse(o.confirmedAt)), expected, applied: outcomes.filter((o) => o.status === 'applied').length, refused: outcomes.filter((o) => o.status === 'refused').map((o) => `${o.code}: ${o.detail}`).slice(0, 3) };
    }
    case 'mark-start':
      windowStart = Date.now();
      cpuAtStart = process.cpuUsage();
      wallMs = performance.now();
      loopDelay.enable();
      return {};
    case 'mark-end': {
      windowEnd = Date.now();
      const used = process.cpuUsage(cpuAtStart);
      cpuMs = (used.user + used.system) / 1000;
      wallMs = performance.now() - wallMs;
      loopDelay.disable();
      return {};
    }
    case 'report': {
      const sql = service.db.sqlite;
      const perSeat = sql.prepare('SELECT device_id AS deviceId, COUNT(DISTINCT origin_seq) AS origins, MAX(origin_seq) AS maxSeq FROM outbox WHERE origin_seq IS NOT NULL GROUP BY device_id').all() as { deviceId: string; origins: number; maxSeq: number }[];
      const duplicates = (sql.prepare('SELECT COUNT(*) AS n FROM (SELECT 1 FROM outbox WHERE origin_seq IS NOT NULL GROUP BY device_id, origin_seq HAVING COUNT(*) > 1)').get() as { n: number }).n;
      const audio = sql.prepare('SELECT device_id AS deviceId, COUNT(*) AS segments FROM seat_audio GROUP BY device_id').all() as { deviceId: string; segments: number }[];
      const view = hub.view();
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      return {
        perSeat,
        duplicates,
        audio,
        pushes: pushed.seat.length,
        pushSamples: pushMs.count,
        pushP50: round1(pushMs.percentile(50)),
        pushP99: round1(pushMs.percentile(99)),
        transactions: commitMs.count,
        transactionP50: round2(commitMs.percentile(50)),
        transactionP99: round2(commitMs.percentile(99)),
        checkpoints: checkpointMs.count,
        checkpointP50: round2(checkpointMs.percentile(50)),
        checkpointMax: round2(checkpointMs.percentile(100)),
        turnaroundP50: round2(turnaroundMs.percentile(50)),
        turnaroundP99: round2(turnaroundMs.percentile(99)),
        pushMax: round1(pushMs.percentile(100)),
        lagSamples: lagMs.count,
        lagP50: round1(lagMs.percentile(50)),
        lagP99: round1(lagMs.percentile(99)),
        viewP99: round1(viewMs.percentile(99)),
        lateSeen,
        mostNotConnected,
        alarms: view.filter((s) => s.alarm !== null).map((s) => s.alarm).slice(0, 5),
        reconnects: [...attaches.values()].reduce((sum, n) => sum + n - 1, 0),
        cpuMs: Math.round(cpuMs),
        cpuPct: round1((cpuMs / wallMs) * 100),
        loopDelayP99: round1(loopDelay.percentile(99) / 1e6),
        handling: Object.fromEntries(Object.entries(handling).map(([kind, ms]) => [kind, { n: ms.count, p50: round2(ms.percentile(50)), p99: round2(ms.percentile(99)), totalMs: Math.round(ms.totalMs) }])),
        gc: gc(),
        heapMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
        peakRssMb: Math.round(peakRss / 2 ** 20),
        lifetimeRssMb: Math.round((process.resourceUsage().maxRSS * 1024) / 2 ** 20),
      };
    }
    case 'baseline':
      return baseline();
    case 'exit':
      clearInterval(viewer);
      clearInterval(rssSampler);
      clearInterval(acceptor);
      await server.close();
      service.close();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown request ${message.type}`);
  }
});

/**
 * The floor under the hub's work: the writes it made in the window, with the same rows and the same
 * transactions (a push's events and its watermark; an audio segment), into a bare SQLite file beside
 * the hub's database with WAL and synchronous=FULL, nothing else. CPU and commit times of that alone.
 */
function baseline(): Record<string, unknown> {
  const sql = service.db.sqlite;
  const events = sql.prepare('SELECT device_id, kind, entity_id, payload_json, created_at, origin_seq FROM outbox WHERE device_id = ? AND origin_seq BETWEEN ? AND ? ORDER BY origin_seq');
  const devices = [...seatIndex.keys()];
  type Replay = { kind: 'push'; deviceId: string; last: number; rows: Record<string, unknown>[] } | { kind: 'audio'; row: Record<string, unknown> };
  const rows: Replay[] = [];
  for (let i = 0; i < pushed.seat.length; i += 1) {
    const deviceId = devices[pushed.seat.at(i)]!;
    rows.push({ kind: 'push', deviceId, last: pushed.last.at(i), rows: events.all(deviceId, pushed.first.at(i), pushed.last.at(i)) as Record<string, unknown>[] });
  }
  // The segments the hub stored in the window, in the order it stored them.
  const segments = sql.prepare('SELECT recording_id, idx, device_id, sha256, data, received_at FROM seat_audio WHERE received_at BETWEEN ? AND ? ORDER BY rowid').all(new Date(windowStart).toISOString(), new Date(windowEnd).toISOString());
  for (const row of segments) rows.push({ kind: 'audio', row: row as Record<string, unknown> });

  const bare = new Database(join(setup.dir, 'baseline.db'));
  bare.pragma('journal_mode = WAL');
  bare.pragma('synchronous = FULL');
  bare.exec(`
    CREATE TABLE outbox (seq INTEGER PRIMARY KEY, device_id TEXT NOT NULL, kind TEXT NOT NULL, entity_id TEXT NOT NULL, payload_json TEXT NOT NULL, created_at TEXT NOT NULL, origin_seq INTEGER);
    CREATE UNIQUE INDEX outbox_origin ON outbox (device_id, origin_seq) WHERE origin_seq IS NOT NULL;
    CREATE TABLE seat_streams (device_id TEXT PRIMARY KEY, acked_seq INTEGER NOT NULL, updated_at TEXT NOT NULL);
    CREATE TABLE seat_audio (recording_id TEXT NOT NULL, idx INTEGER NOT NULL, device_id TEXT NOT NULL, sha256 TEXT NOT NULL, data BLOB NOT NULL, received_at TEXT NOT NULL, PRIMARY KEY (recording_id, idx));
  `);
  const insertEvent = bare.prepare('INSERT INTO outbox (device_id, kind, entity_id, payload_json, created_at, origin_seq) VALUES (@device_id, @kind, @entity_id, @payload_json, @created_at, @origin_seq)');
  const watermark = bare.prepare('INSERT INTO seat_streams (device_id, acked_seq, updated_at) VALUES (?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET acked_seq = excluded.acked_seq, updated_at = excluded.updated_at');
  const insertSegment = bare.prepare('INSERT INTO seat_audio (recording_id, idx, device_id, sha256, data, received_at) VALUES (@recording_id, @idx, @device_id, @sha256, @data, @received_at)');
  const push = bare.transaction((w: { deviceId: string; last: number }, batch: Record<string, unknown>[]) => {
    for (const row of batch) insertEvent.run(row);
    watermark.run(w.deviceId, w.last, new Date().toISOString());
  });
  const audio = bare.transaction((row: Record<string, unknown>) => insertSegment.run(row));

  const commitMs = new Samples();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const write of rows) {
    const t0 = performance.now();
    if (write.kind === 'push') push(write, write.rows);
    else audio(write.row);
    commitMs.add(performance.now() - t0);
  }
  const elapsed = performance.now() - started;
  const used = process.cpuUsage(cpu);
  bare.close();
  const baselineCpuMs = (used.user + used.system) / 1000;
  return {
    transactions: rows.length,
    events: rows.reduce((n, w) => n + (w.kind === 'push' ? w.rows.length : 0), 0),
    commitP50: round2(commitMs.percentile(50)),
    commitP99: round2(commitMs.percentile(99)),
    cpuMs: Math.round(baselineCpuMs),
    wallMs: Math.round(elapsed),
  };
}
