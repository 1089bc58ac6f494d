// The seats of bench:room, many to a process. Each seat is what a seat station is, less the screens:
// its own P-256 key and data folder, its own station service on its own SQLite file (WAL,
// synchronous=FULL), enrolled with the hub's room file, and the room as src-main/host/room.ts starts it
// for a paired seat (startRoom: the channel over mutual TLS, the protocol's seat end, the commands
// carried out on the station, the room clock). The candidate's work goes through the station service
// as the candidate's screen sends it: an answer saved every 2 s, and on a quarter of the seats 24 kbit/s
// of audio in one-second segments, takes of a minute one after another.
// Two things differ from a seat machine, both to spare the one machine the bench runs on work that a
// room spreads over 300: the station's own alive-note (a meta write every 2 s, no event) is off, and
// the staff accounts use the tests' cheap password hash.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { StationConfig } from '../../src-main/host/config.ts';
import { startRoom, type StationRoom } from '../../src-main/host/room.ts';
import type { OpenedStation } from '../../src-main/host/start.ts';
import { enrolWithRoomFile } from '../../src-main/seat-link/pairing.ts';
import { ROOM_CLOCK_FILE, RoomClock } from '../../src-main/seat-link/room-clock.ts';
import type { SeatLink } from '../../src-main/seat-link/seat-link.ts';
import { StationService } from '../../src-main/station/service.ts';
import { readRoomFile } from '../../src-shared/node/room/room-file.ts';
import { loadOrCreateDeviceIdentity } from '../../src-shared/node/room/identity.ts';
import { isCodedError } from '../../src-shared/errors.ts';
import { DEMO_CANDIDATE, DEMO_SESSION, saveId, TEST_STAFF, TEST_STAFF_OPTIONS } from '../support/fixtures.ts';
import { progress, round1, Samples, watchGc, SAVE_EVERY_MS, SEGMENT_BYTES, SEGMENT_EVERY_MS, serveParent, SPEAKING_ITEMS, TAKE_SEGMENTS, TAKES_PER_ITEM, type WorkerSetup } from './room-bench-shared.ts';

const setup = JSON.parse(process.argv[2]!) as WorkerSetup;
const [work] = setup.packages;

interface BenchSeat {
  index: number;
  label: string;
  records: boolean;
  service: StationService;
  opened: OpenedStation;
  room: StationRoom | null;
  link: SeatLink | null;
  attempt: { attemptId: string; candidateToken: string } | null;
  take: { recordingId: string; segments: number; item: number; takes: number } | null;
  timers: NodeJS.Timeout[];
  text: string;
}

const seats: BenchSeat[] = [];
const saveMs = new Samples();
let saves = 0;
let segments = 0;
const errors = new Map<string, number>();
const noteError = (error: unknown) => {
  const code = isCodedError(error) ? error.code : error instanceof Error ? error.message.slice(0, 80) : String(error);
  errors.set(code, (errors.get(code) ?? 0) + 1);
};
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
let loading = false;
const gc = watchGc(() => loading);
let cpuAtStart: NodeJS.CpuUsage | undefined;
let wallAtStart = 0;
let loadCpu = { cpuMs: 0, cpuPct: 0 };

/** A seat's station, made as openStation makes a seat's (its key's device id, the room clock), with the two packages staged. */
async function makeSeat(index: number): Promise<BenchSeat> {
  const dataDir = join(setup.seatRoot, `seat-${index}`);
  mkdirSync(dataDir, { recursive: true });
  const identity = loadOrCreateDeviceIdentity(dataDir);
  const clock = new RoomClock(join(dataDir, ROOM_CLOCK_FILE));
  const service = new StationService({
    dbPath: join(dataDir, 'station.db'),
    deviceId: identity.deviceId,
    now: () => clock.now(),
    role: 'seat',
    venueCode: 'RIX01',
    trust: setup.trust,
    heartbeatMs: 0,
    ...TEST_STAFF_OPTIONS,
  });
  const config: StationConfig = {
    mode: 'production',
    role: 'seat',
    venueCode: 'RIX01',
    dataDir,
    assetsDir: dataDir,
    firstChief: undefined,
    staffLockMs: 24 * 3600_000,
    port: 0,
    roomHost: '127.0.0.1',
    roomPort: 0,
    roomDiscovery: false,
    maxPackageBytes: 64 * 2 ** 20,
    // A bench seat looks at no removable drive.
    packageSources: { mediaRoots: [], folders: [] },
    demoKeysDir: dataDir,
    central: { url: undefined, caBundleFile: undefined, enrolmentCode: undefined },
    demoTrustFile: undefined,
    policyFile: undefined,
  };
  const candidateId = `C-${String(index + 1).padStart(4, '0')}`;
  service.loadRoster({ sessions: [DEMO_SESSION], candidates: [{ ...DEMO_CANDIDATE, candidateId }] });
  const { staffToken } = await service.staffSignIn(TEST_STAFF);
  for (const pkg of setup.packages) await service.importPackage({ staffToken, path: pkg.path });
  return {
    index,
    label: `S${index + 1}`,
    records: index % 4 === 0,
    service,
    opened: { service, config, identity, demo: [], clock },
    room: null,
    link: null,
    attempt: null,
    take: null,
    timers: [],
    text: '',
  };
}

async function enrol(seat: BenchSeat, roomFile: ReturnType<typeof readRoomFile>): Promise<void> {
  await enrolWithRoomFile({ identity: seat.opened.identity, dataDir: seat.opened.config.dataDir, roomFile, label: seat.label, tokens: [roomFile.tokens[seat.index]!], timeoutMs: 120_000 });
  const room = await startRoom(seat.opened, { appVersion: '0.1.0-bench' });
  if (room.role !== 'seat' || !room.paired) throw new Error(`seat ${seat.label} did not come up paired`);
  seat.room = room;
  seat.link = room.link;
}

/** Run `fn` over `items`, at most `limit` at a time. */
async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const WORDS = 'Labdien draugs es dzīvoju Rīgā un strādāju veikalā man patīk mana darba vieta jo kolēģi ir draudzīgi vakaros es lasu grāmatas'.split(' ');

async function save(seat: BenchSeat): Promise<void> {
  // A text answer as the candidate types it: a word more every save, started again at about 600 characters.
  seat.text = seat.text.length > 600 ? '' : `${seat.text}${seat.text ? ' ' : ''}${WORDS[(seat.text.length + seat.index) % WORDS.length]}`;
  const started = performance.now();
  try {
    await seat.service.saveResponse({ ...seat.attempt!, itemId: 'w1-q1', value: { type: 'extended-writing', text: seat.text || 'Labdien' }, clientSaveId: saveId() });
    saves += 1;
  } catch (error) {
    noteError(error);
  }
  saveMs.add(performance.now() - started);
}

async function startTake(seat: BenchSeat, item: number, takes: number): Promise<void> {
  if (item > SPEAKING_ITEMS) {
    seat.take = null;
    return;
  }
  const started = await seat.service.startRecording({ ...seat.attempt!, itemId: `s1-q${item}`, mimeType: 'audio/ogg; codecs=opus' });
  seat.take = { recordingId: started.recordingId, segments: 0, item, takes };
}

async function record(seat: BenchSeat): Promise<void> {
  const take = seat.take;
  if (!take) return;
  try {
    const data = randomBytes(SEGMENT_BYTES);
    await seat.service.appendAudioSegment({ ...seat.attempt!, recordingId: take.recordingId, index: take.segments, data, sha256: createHash('sha256').update(data).digest('hex'), durationMs: SEGMENT_EVERY_MS });
    take.segments += 1;
    segments += 1;
    if (take.segments === TAKE_SEGMENTS) {
      await seat.service.closeRecording({ ...seat.attempt!, recordingId: take.recordingId, segmentCount: take.segments });
      const next = take.takes + 1 < TAKES_PER_ITEM ? { item: take.item, takes: take.takes + 1 } : { item: take.item + 1, takes: 0 };
      await startTake(seat, next.item, next.takes);
    }
  } catch (error) {
    noteError(error);
  }
}

async function startLoad(): Promise<void> {
  for (const seat of seats) {
    const { staffToken } = await seat.service.staffSignIn(TEST_STAFF);
    const opened = await seat.service.openAttempt({ staffToken, candidateId: `C-${String(seat.index + 1).padStart(4, '0')}`, packageId: work!.packageId });
    seat.attempt = { attemptId: opened.attemptId, candidateToken: opened.candidateToken };
    // The room's start, as its command carries it out on the seat (the bench measures the key release, not the start).
    seat.service.roomStart({ candidateId: null, at: Date.now() });
    await seat.service.recordTimerEvent({ ...seat.attempt, partId: 'writing', kind: 'start' });
    if (seat.records) {
      await seat.service.recordTimerEvent({ ...seat.attempt, partId: 'speaking', kind: 'start' });
      await startTake(seat, 1, 0);
    }
  }
  cpuAtStart = process.cpuUsage();
  wallAtStart = performance.now();
  loading = true;
  loopDelay.enable();
  // Each seat at its own moment within the period, as candidates do not type in step.
  for (const seat of seats) {
    seat.timers.push(
      setTimeout(() => {
        void save(seat);
        seat.timers.push(setInterval(() => void save(seat), SAVE_EVERY_MS));
      }, Math.random() * SAVE_EVERY_MS),
    );
    if (seat.records) {
      seat.timers.push(
        setTimeout(() => {
          void record(seat);
          seat.timers.push(setInterval(() => void record(seat), SEGMENT_EVERY_MS));
        }, Math.random() * SEGMENT_EVERY_MS),
      );
    }
  }
}

function stopLoad(): void {
  loading = false;
  for (const seat of seats) for (const timer of seat.timers.splice(0)) clearTimeout(timer);
  const used = process.cpuUsage(cpuAtStart);
  const cpuMs = (used.user + used.system) / 1000;
  loadCpu = { cpuMs: Math.round(cpuMs), cpuPct: round1((cpuMs / (performance.now() - wallAtStart)) * 100)! };
  loopDelay.disable();
}

/** Until the hub has acknowledged every event and every segment of every seat here (or `timeoutMs` passed). */
async function drain(timeoutMs: number): Promise<{ ms: number; left: number }> {
  const started = performance.now();
  for (;;) {
    const left = seats.reduce((n, s) => {
      const status = s.link!.status();
      return n + status.backlogEvents + status.audioSegmentsPending;
    }, 0);
    if (left === 0 || performance.now() - started > timeoutMs) return { ms: Math.round(performance.now() - started), left };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

serveParent(async (message) => {
  switch (message.type) {
    case 'setup': {
      for (const index of setup.indices) {
        seats.push(await makeSeat(index));
        if (seats.length % 25 === 0) progress({ type: 'made', count: seats.length });
      }
      const roomFile = readRoomFile(readFileSync(setup.roomFilePath, 'utf8'), new Date());
      let enrolled = 0;
      await pool(seats, 8, async (seat) => {
        await enrol(seat, roomFile);
        if (++enrolled % 25 === 0) progress({ type: 'enrolled', count: enrolled });
      });
      return { seats: seats.length };
    }
    case 'start-load':
      await startLoad();
      return {};
    case 'stop-load': {
      stopLoad();
      // Saves already under way finish before the drain counts what is left.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const drained = await drain(message.timeoutMs as number);
      return {
        drained,
        saves,
        segments,
        errors: Object.fromEntries(errors),
        saveP99: round1(saveMs.percentile(99)),
        loopDelayP99: round1(loopDelay.percentile(99) / 1e6),
        gc: gc(),
        heapMb: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
        rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20),
        ...loadCpu,
        perSeat: seats.map((s) => ({
          deviceId: s.service.deviceId,
          lastSeq: s.service.outbox.lastSeq(),
          segments: (s.service.db.sqlite.prepare('SELECT COUNT(*) AS n FROM recording_segments').get() as { n: number }).n,
        })),
      };
    }
    case 'release-timings': {
      // What each seat kept of the command: when it came, when it was carried out (the seat's clock).
      return {
        seats: seats.map((s) => {
          const row = s.service.db.sqlite.prepare('SELECT received_at AS receivedAt, applied_at AS appliedAt FROM seat_commands WHERE cmd_id = ?').get(message.cmdId) as { receivedAt: string; appliedAt: string | null } | undefined;
          return { receivedAt: row ? Date.parse(row.receivedAt) : null, appliedAt: row?.appliedAt ? Date.parse(row.appliedAt) : null };
        }),
      };
    }
    case 'unlocked': {
      const packageId = message.packageId as string;
      return { unlocked: seats.filter((s) => s.service.db.sqlite.prepare('SELECT 1 FROM package_keys WHERE package_id = ?').get(packageId) !== undefined).length };
    }
    case 'exit':
      for (const seat of seats) {
        await seat.room?.close();
        seat.service.close();
      }
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown request ${message.type}`);
  }
});
progress({ type: 'up' });
