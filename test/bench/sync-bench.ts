// npm run bench:sync [-- --candidates N] [--throttle-mbit M] [--profile]
//
// A session's results from a venue hub to the central API on loopback, next to a raw transfer of the
// same bytes in the same run. The central API runs in a process of its own (src-server/main.ts) on a
// PostgreSQL started for the run with its default (durable) settings, audio fsynced as in production;
// the hub is a real station (StationService, role hub, its SQLite on the disk) with its SyncClient,
// enrolled with the centre's one-time code, that took the session, its roster and its package from the
// feed and the content key from the centre.
//
// The hub's data, as a room leaves it: per candidate one seat's stream relayed into the hub's outbox
// by the hub's own relay (SeatStreams.apply, origin kept) with the seat's audio stored by the hub's
// own SeatStreams.storeAudio (segments of 1 s, each announced by its recording.segment event), and the
// hub's own events (attendance at check-in, incidents) written through the StationService API. The
// seat's stream is the one a real candidate made: one template candidate takes the bench exam on a
// solo station through the StationService API (every answer revision, timer events, plays, four
// 2-minute recordings at 32 kbit/s in 1 s segments, submission), and each candidate's stream is that
// stream with fresh ids and fresh random audio (every hash recomputed). The centre accepts it as it
// would a real room's: the receipts all match at the end or the bench fails.
//
// Timed: SyncClient.syncNow() (passes until every receipt matches), reported in parts (push of the
// outbox, tus upload of the audio, receipts fetched and checked). The raw baseline, in the same run:
// the same push bodies POSTed as plain JSON, one at a time, in the same batches, and the same audio
// bytes PUT, one recording at a time, to a bare Node HTTP server (its own process) that writes them
// to files. --throttle-mbit M puts both through a TCP proxy limited to M Mbit/s each way
// (test/support/tcp-proxy.ts). Afterwards the centre's database is counted: events and recordings
// lost (the hub has them, the centre does not) and duplicates (an origin stored twice, a recording's
// bytes sent more than once). Stderr shows the parts, the requests per route and the CPU each process
// group used; --profile writes CPU profiles of the bench process (hub and raw client) and of the
// central API. The last line of stdout is one JSON object.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { SeatStreams } from '../../src-main/lan/seat-streams.ts';
import { StationService } from '../../src-main/station/service.ts';
import { CentralHttp, type SendOptions } from '../../src-main/sync/central-http.ts';
import { syncStationOf } from '../../src-main/sync/station-adapter.ts';
import { SyncClient } from '../../src-main/sync/sync-client.ts';
import { PUSH_MAX_EVENTS, type EventEnvelope } from '../../src-shared/contracts/events.ts';
import { ROOM_PUSH_MAX_EVENTS } from '../../src-shared/contracts/room-protocol.ts';
import type { ResponseValue } from '../../src-shared/content/responses.ts';
import { freePort, startManagedPostgres } from '../../src-server/pg-cluster.ts';
import { AdminClient } from '../server/support/harness.ts';
import { buildMiniPackage, makeKeys, miniExamSource, saveId, seatOf, TEST_STAFF, TEST_STAFF_OPTIONS } from '../support/fixtures.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

const { values } = parseArgs({
  options: {
    candidates: { type: 'string', default: '300' },
    /** Both transfers through a proxy limited to this many Mbit/s each way (0: straight on loopback). */
    'throttle-mbit': { type: 'string', default: '0' },
    recordings: { type: 'string', default: '4' },
    'recording-seconds': { type: 'string', default: '120' },
    /** One second of Opus at the station's 32 kbit/s. */
    'segment-bytes': { type: 'string', default: '4000' },
    incidents: { type: 'string', default: '2' },
    profile: { type: 'boolean', default: false },
  },
});
const CANDIDATES = Number(values.candidates);
const THROTTLE_MBIT = Number(values['throttle-mbit']);
const RECORDINGS = Number(values.recordings);
const SEGMENTS = Number(values['recording-seconds']);
const SEGMENT_BYTES = Number(values['segment-bytes']);
const INCIDENTS = Number(values.incidents);
if (!Number.isInteger(CANDIDATES) || CANDIDATES < 1 || !(THROTTLE_MBIT >= 0) || !(RECORDINGS >= 1) || !(SEGMENTS >= 1)) throw new Error('--candidates N (whole, ≥ 1), --throttle-mbit M (≥ 0), --recordings and --recording-seconds ≥ 1');

const VENUE = 'RIX01';
const SESSION = 'S-RIX01-BENCH';
const TEMPLATE_CANDIDATE = 'TEMPLATE-0001';
const candidateIdOf = (n: number): string => `C-${String(n + 1).padStart(4, '0')}`;
/** Distinct personal codes (the roster refuses one code twice): the new 32… format has no check digit. */
const personalCodeOf = (n: number): string => `32${String(n).padStart(9, '0')}`;

const say = (line: string): void => void process.stderr.write(`${line}\n`);
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const seconds = (ms: number): number => round(ms / 1000, 2);
const at = (() => {
  const started = performance.now();
  return () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
})();

// ---- the bench exam: about 40 answered items and four 2-minute speaking tasks ------------------------

const EXTRA_SHORT_TEXT = 31;
function benchExam(): Record<string, unknown> {
  const source = miniExamSource() as { parts: { id: string; timeLimitSeconds: number; tasks: { id: string; items: Record<string, unknown>[] }[] }[] };
  for (const part of source.parts) {
    part.timeLimitSeconds = 3 * 3600;
    if (part.id === 'reading') {
      for (let i = 0; i < EXTRA_SHORT_TEXT; i += 1) {
        part.tasks[0]!.items.push({ id: `r1-q${i + 5}`, type: 'short-text', prompt: `Jautājums ${i + 5}`, points: 1, maxLength: 200, answer: ['350'] });
      }
    }
    if (part.id === 'writing') {
      part.tasks.push({ id: 'w2', title: 'Apraksts', items: [{ id: 'w2-q1', type: 'extended-writing', prompt: 'Aprakstiet savu pilsētu.', points: 5, minWords: 10, maxWords: 200, rubric: 'Saturs.' }] } as never);
    }
    if (part.id === 'speaking') {
      part.tasks = [
        {
          id: 's1',
          title: 'Par sevi',
          items: Array.from({ length: RECORDINGS }, (_, i) => ({ id: `s1-q${i + 1}`, type: 'speaking', prompt: 'Pastāstiet par savu ģimeni.', points: 5, preparationSeconds: 10, responseSeconds: SEGMENTS, recordingsAllowed: 1 })),
        } as never,
      ];
    }
  }
  return source;
}

const LETTER = 'Sveiks, Jāni! Paldies par tavu vēstuli. Es dzīvoju Rīgā, strādāju veikalā un vakaros mācos latviešu valodu. Sestdienās mēs ar ģimeni braucam uz laukiem pie vecmāmiņas. ';
/** The answer a candidate has on screen at its `revision`-th save of `itemId`. */
function answerOf(itemId: string, revision: number): ResponseValue {
  if (itemId === 'l1-q1') return { type: 'single-choice', optionId: revision % 2 ? 'a' : 'b' };
  if (itemId === 'l1-q2') return { type: 'true-false-not-given', choice: revision % 2 ? 'false' : 'true' };
  if (itemId === 'l1-q3') return { type: 'multiple-choice', optionIds: revision % 2 ? ['a'] : ['a', 'b'] };
  if (itemId === 'r1-q1') return { type: 'gap-fill', gaps: { g1: 'liepaja', g2: String(340 + revision) } };
  if (itemId === 'r1-q2') return { type: 'matching', pairs: { l1: 'x', l2: revision % 2 ? 'x' : 'y' } };
  if (itemId === 'r1-q3') return { type: 'ordering', order: revision % 2 ? ['e2', 'e1', 'e3'] : ['e1', 'e2', 'e3'] };
  if (itemId.startsWith('w')) return { type: 'extended-writing', text: LETTER.repeat(4).slice(0, 40 * revision) };
  return { type: 'short-text', text: `${340 + revision} eiro` };
}
/** Saves per item: a choice changed once, a gap-fill or short answer a few times, an essay autosaved as it grows. */
const revisionsOf = (itemId: string): number => (itemId.startsWith('l1') ? 2 : itemId.startsWith('w') ? 20 : ['r1-q1', 'r1-q2', 'r1-q3'].includes(itemId) ? 3 : 4);

// ---- CPU by process group (Linux /proc), as bench:server shows it ------------------------------------

function cpuByGroup(groups: Record<string, number[]>): Record<string, number> {
  const out: Record<string, number> = Object.fromEntries([...Object.keys(groups), 'postgres'].map((k) => [k, 0]));
  if (!existsSync('/proc/self/stat')) return {};
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * 10;
      const group = Object.entries(groups).find(([, pids]) => pids.includes(Number(pid)))?.[0] ?? (stat.includes('(postgres)') ? 'postgres' : undefined);
      if (group) out[group] = (out[group] ?? 0) + ms;
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}
const cpuSince = (a: Record<string, number>, b: Record<string, number>): string =>
  Object.keys(b)
    .map((k) => `${k} ${round(((b[k] ?? 0) - (a[k] ?? 0)) / 1000, 1)} s`)
    .join(', ');

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 300; i += 1) {
    if (child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

// ---- what the hub's client sends, by route (wrapped here for the bench, unchanged) ----------------------

interface RouteCount {
  requests: number;
  bodyBytes: number;
  ms: number;
  /** Each request's wall time, in order: whether the centre slows down as it fills. */
  samples: number[];
}
const routes = new Map<string, RouteCount>();
/** Body bytes each upload received from the hub, by its tus path: more than its length is a second send. */
const uploadBodyBytes = new Map<string, number>();
{
  const send = CentralHttp.prototype.send;
  CentralHttp.prototype.send = async function (this: CentralHttp, method: string, path: string, options: SendOptions = {}) {
    const route = `${method} ${path.replace(/\/v1\/uploads\/[^/?]+/, '/v1/uploads/:id').replace(/\/v1\/receipts\/[^/?]+/, '/v1/receipts/:candidate').replace(/\?.*$/, '')}`;
    const bytes = options.body === undefined ? 0 : Buffer.byteLength(options.body);
    const started = performance.now();
    let location: string | undefined;
    try {
      const reply = await send.call(this, method, path, options);
      location = typeof reply.headers.location === 'string' ? new URL(reply.headers.location, this.url).pathname : undefined;
      return reply;
    } finally {
      const count = routes.get(route) ?? { requests: 0, bodyBytes: 0, ms: 0, samples: [] };
      const ms = performance.now() - started;
      count.requests += 1;
      count.bodyBytes += bytes;
      count.ms += ms;
      count.samples.push(ms);
      routes.set(route, count);
      // A PATCH names its upload; a creation that carries the bytes (creation-with-upload) is named by the Location it answers.
      const upload = path.startsWith('/v1/uploads/') ? path : path === '/v1/uploads' ? location : undefined;
      if (upload && bytes > 0) uploadBodyBytes.set(upload, (uploadBodyBytes.get(upload) ?? 0) + bytes);
    }
  };
}

// ---- the run --------------------------------------------------------------------------------------------

const workDir = mkdtempSync(join(tmpdir(), 'exam-sync-bench-'));
// PostgreSQL runs as its own OS user when the bench runs as root: it must reach its folder.
chmodSync(workDir, 0o755);
const children: ChildProcess[] = [];
const proxies: TcpProxy[] = [];
let profiler: Session | null = null;
const profileDir = values.profile ? mkdtempSync(join(tmpdir(), 'exam-sync-bench-profile-')) : null;
const postgres = await startManagedPostgres({ dir: join(workDir, 'pg') });
try {
  const databaseUrl = await postgres.createDatabase('bench_central');
  const adminToken = randomBytes(24).toString('base64url');
  const centralPort = await freePort();
  const central = spawn(process.execPath, [...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), join(import.meta.dirname, '../../src-server/main.ts')], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(centralPort), ADMIN_TOKEN: adminToken, DATA_DIR: join(workDir, 'central'), LOG_LEVEL: 'warn', SEED_DEMO: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(central);

  const barePort = await freePort();
  const bareDir = join(workDir, 'raw');
  const bareServer = `
    import { createServer } from 'node:http';
    import { createWriteStream, mkdirSync } from 'node:fs';
    import { pipeline } from 'node:stream/promises';
    mkdirSync(${JSON.stringify(bareDir)}, { recursive: true });
    let n = 0;
    createServer((req, res) => {
      if (req.method === 'GET') { res.end('ok'); return; }
      pipeline(req, createWriteStream(${JSON.stringify(bareDir)} + '/' + (n++) + (req.method === 'POST' ? '.json' : '.bin'))).then(
        () => { res.statusCode = req.method === 'POST' ? 200 : 201; res.setHeader('content-type', 'application/json'); res.end('{"ok":true}'); },
        () => { res.statusCode = 500; res.end(); });
    }).listen(${barePort}, '127.0.0.1');
    process.on('SIGTERM', () => process.exit(0));
  `;
  const bare = spawn(process.execPath, ['--input-type=module', '-e', bareServer], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(bare);
  await waitFor(`http://127.0.0.1:${centralPort}/health/ready`, central);
  await waitFor(`http://127.0.0.1:${barePort}/`, bare);

  // Through the throttled link when asked: both sides, each their own proxy of the same bandwidth.
  const via = async (port: number): Promise<{ host: string; port: number; proxy: TcpProxy | null }> => {
    if (THROTTLE_MBIT <= 0) return { host: '127.0.0.1', port, proxy: null };
    const proxy = await startTcpProxy({ host: '127.0.0.1', port });
    proxies.push(proxy);
    return { ...proxy.address, proxy };
  };
  const centralLink = await via(centralPort);
  const bareLink = await via(barePort);
  const centralUrl = `http://${centralLink.host}:${centralLink.port}`;

  // ---- the centre's day: venue, package, a session that has started, its roster, an enrolment code ------
  const keys = makeKeys();
  const exam = benchExam();
  const built = buildMiniPackage(keys, { venue: VENUE }, { source: exam, media: { 'l1.opus': randomBytes(3000) } });
  const packageId = built.manifest.packageId;
  const admin = new AdminClient(`http://127.0.0.1:${centralPort}`, adminToken);
  const { venueId } = await admin.ok<{ venueId: string }>('POST', '/v1/admin/venues', { code: VENUE, name: 'Rīgas eksāmenu centrs' });
  await admin.publishPackage(built);
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  await admin.ok('PUT', `/v1/admin/sessions/${SESSION}`, { venueId, examId: built.manifest.examId, packageId, room: '101', startsAt });
  const roster = Array.from({ length: CANDIDATES }, (_, n) => ({ candidateId: candidateIdOf(n), givenName: 'Anna', familyName: `Bērziņa ${n + 1}`, personalCode: personalCodeOf(n), level: 'A2' }));
  await admin.ok('PUT', `/v1/admin/sessions/${SESSION}/roster`, { candidates: roster });
  const { code: enrollmentCode } = await admin.ok<{ code: string }>('POST', `/v1/admin/venues/${venueId}/enrollment-codes`);

  // ---- the hub: a station with its sync client, enrolled; the feed, the package and its key taken -------
  const hubDir = join(workDir, 'hub');
  mkdirSync(hubDir);
  const hub = new StationService({ dbPath: join(hubDir, 'station.db'), role: 'hub', venueCode: VENUE, trust: keys.trust, heartbeatMs: 0, ...TEST_STAFF_OPTIONS });
  const { staffToken } = await hub.staffSignIn(TEST_STAFF);
  const client = new SyncClient({ station: syncStationOf(hub, VENUE, 'hub'), workDir: join(hubDir, 'central'), idleMs: 60_000 });
  await client.enrol({ centralUrl, code: enrollmentCode, name: 'RIX01 hub' });
  const first = await client.syncNow();
  if (first) throw new Error(`the hub's first pass: ${first.code} ${first.detail ?? ''}`);
  if ((await hub.listPackages({ staffToken })).find((p) => p.packageId === packageId)?.unlocked !== true) throw new Error('the hub did not unlock the package with the key from the centre');
  say(`${at()}: centre on :${centralPort}, hub enrolled (${hub.deviceId}), ${CANDIDATES} candidates in ${SESSION}${THROTTLE_MBIT > 0 ? `, both sides through ${THROTTLE_MBIT} Mbit/s` : ''}`);

  // ---- one candidate takes the bench exam through the StationService API: the seat stream's template -----
  const template = await takeTemplate(join(workDir, 'template'), keys.trust, built.file, built.contentKey, packageId, exam);
  say(`${at()}: template candidate: ${template.events.length} seat events (${countKinds(template.events)})`);

  // ---- every candidate's seat relayed into the hub, as the room leaves it ------------------------------
  const streams = new SeatStreams(hub.db, hub.outbox);
  const builtStarted = performance.now();
  let audioBytes = 0;
  for (let n = 0; n < CANDIDATES; n += 1) {
    const candidateId = candidateIdOf(n);
    const seat = seatStreamOf(template.events, template.ids, candidateId);
    await hub.markAttendance({ staffToken, candidateId, status: 'present' });
    hub.db.transaction(() => {
      for (let i = 0; i < seat.events.length; i += ROOM_PUSH_MAX_EVENTS) streams.apply(seat.deviceId, seat.events.slice(i, i + ROOM_PUSH_MAX_EVENTS));
      for (const segment of seat.segments) if (streams.storeAudio(seat.deviceId, segment) !== 'stored') throw new Error(`segment ${segment.index} of ${segment.recordingId} held twice`);
    });
    for (let k = 0; k < INCIDENTS; k += 1) {
      await hub.recordIncident({ staffToken, sessionId: SESSION, candidateId, kind: k % 2 ? 'technical-network' : 'environment', note: k % 2 ? 'Darbstacija uz brīdi zaudēja tīklu; darbs saglabāts.' : 'Troksnis aiz loga, 5 minūtes.' });
    }
    audioBytes += seat.audioBytes;
    if ((n + 1) % 50 === 0 || n + 1 === CANDIDATES) say(`${at()}: ${n + 1} of ${CANDIDATES} candidates relayed into the hub`);
  }
  hub.db.checkpointIdle();
  const hubEvents = hub.outbox.lastSeq();
  const recordingCount = CANDIDATES * RECORDINGS;
  say(`${at()}: hub holds ${hubEvents} events and ${recordingCount} recordings (${round(audioBytes / 1e6, 1)} MB) after ${seconds(performance.now() - builtStarted)} s`);

  // ---- the raw baseline's work: the push bodies of the same batches, the same audio -----------------------
  const link = hub.db.get(hub.db.q.selectFrom('central_link').select(['device_id', 'acked_seq']).where('id', '=', 1))!;
  const bodies: string[] = [];
  for (let after = Number(link.acked_seq); ; ) {
    const events = hub.outbox.read(after, PUSH_MAX_EVENTS);
    if (events.length === 0) break;
    bodies.push(JSON.stringify({ deviceId: link.device_id, events }));
    after = events.at(-1)!.seq;
  }
  const recordingIds = hub.db.all(hub.db.q.selectFrom('outbox').select('entity_id').where('kind', '=', 'recording.closed').orderBy('seq')).map((r) => r.entity_id);
  const audio = recordingIds.map((id) => hub.audioOf(id)!);
  const eventBytes = bodies.reduce((n, b) => n + Buffer.byteLength(b), 0);
  say(`${at()}: ${bodies.length} push bodies (${round(eventBytes / 1e6, 1)} MB of JSON), ${audio.length} recordings`);

  const groups = { central: [central.pid ?? -1], bare: [bare.pid ?? -1], 'bench (hub, raw client)': [process.pid] };
  const throttle = (link: { proxy: TcpProxy | null }) => link.proxy?.throttle((THROTTLE_MBIT * 1e6) / 8);
  if (values.profile) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.start');
  }

  // ---- raw: the same bodies POSTed, the same bytes PUT, one at a time, to the bare server ------------------
  throttle(bareLink);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const rawSend = (method: string, path: string, body: string | Buffer, type: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: bareLink.host, port: bareLink.port, path, method, agent, headers: { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    });
  /** One raw transfer of everything; its wall time, and the POSTs' share. */
  const rawRun = async (when: string): Promise<number> => {
    const before = cpuByGroup(groups);
    const started = performance.now();
    for (const body of bodies) if ((await rawSend('POST', '/v1/push', body, 'application/json')) !== 200) throw new Error('raw POST refused');
    const pushMs = performance.now() - started;
    for (const [i, data] of audio.entries()) if ((await rawSend('PUT', `/raw/${recordingIds[i]}`, data, 'application/octet-stream')) !== 201) throw new Error('raw PUT refused');
    const ms = performance.now() - started;
    say(`${at()}: raw${when ? ` ${when}` : ''}: ${seconds(ms)} s (POST ${seconds(pushMs)} s, PUT ${seconds(ms - pushMs)} s); CPU: ${cpuSince(before, cpuByGroup(groups))}`);
    return ms;
  };
  // Unthrottled, a shared machine drifts: the raw transfer runs before and after the sync, and counts
  // as their mean. Throttled, the link sets the pace, and once is enough.
  const rawBefore = await rawRun(THROTTLE_MBIT > 0 ? '' : 'before the sync');
  const c1 = cpuByGroup(groups);

  // ---- the sync: passes of SyncClient.syncNow() until every receipt matches --------------------------------
  throttle(centralLink);
  const parts = { push: 0, upload: 0, receipts: 0 };
  for (const part of ['push', 'uploadAudio', 'fetchReceipts'] as const) {
    const original = client[part].bind(client);
    const key = part === 'push' ? 'push' : part === 'uploadAudio' ? 'upload' : 'receipts';
    client[part] = async () => {
      const started = performance.now();
      try {
        await original();
      } finally {
        parts[key] += performance.now() - started;
      }
    };
  }
  routes.clear();
  const syncStarted = performance.now();
  let passes = 0;
  let matching = 0;
  for (; passes < 5; ) {
    passes += 1;
    const problem = await client.syncNow();
    if (problem) say(`${at()}: pass ${passes}: ${problem.code} ${problem.detail ?? ''}`);
    matching = client.status().sessions.find((s) => s.sessionId === SESSION)?.receiptsMatching ?? 0;
    if (matching === CANDIDATES) break;
  }
  const syncMs = performance.now() - syncStarted;
  const c2 = cpuByGroup(groups);
  const rawMs = THROTTLE_MBIT > 0 ? rawBefore : (rawBefore + (await rawRun('after the sync'))) / 2;
  agent.destroy();
  say(`${at()}: sync: ${seconds(syncMs)} s in ${passes} pass(es) (push ${seconds(parts.push)} s, upload ${seconds(parts.upload)} s, receipts ${seconds(parts.receipts)} s, the rest ${seconds(syncMs - parts.push - parts.upload - parts.receipts)} s); CPU: ${cpuSince(c1, c2)}`);
  const mean = (list: number[]): number => round(list.reduce((a, b) => a + b, 0) / Math.max(1, list.length), 1);
  for (const [route, count] of [...routes.entries()].sort()) {
    const tenth = Math.max(1, Math.floor(count.samples.length / 10));
    say(
      `bench:   ${route}: ${count.requests} requests, ${round(count.bodyBytes / 1e6, 1)} MB sent, ${seconds(count.ms)} s (${round(count.ms / count.requests, 1)} ms each; ` +
        `first tenth ${mean(count.samples.slice(0, tenth))} ms, last tenth ${mean(count.samples.slice(-tenth))} ms)`,
    );
  }
  if (profiler && profileDir) {
    const { profile } = await profiler.post('Profiler.stop');
    writeFileSync(join(profileDir, 'bench-process.cpuprofile'), JSON.stringify(profile));
  }

  // ---- what the centre holds: lost and twice -----------------------------------------------------------------
  const check = new pg.Client({ connectionString: databaseUrl });
  await check.connect();
  const count = async (query: string, params: unknown[] = []): Promise<number> => Number((await check.query<{ n: string }>(query, params)).rows[0]?.n ?? 0);
  const storedRows = await count('SELECT count(*) AS n FROM outbox_event WHERE device_id = $1', [link.device_id]);
  const distinctOrigins = await count('SELECT count(DISTINCT (origin_device_id, origin_seq)) AS n FROM outbox_event WHERE device_id = $1', [link.device_id]);
  const uploaded = await count('SELECT count(*) AS n FROM recording WHERE venue_id = $1 AND uploaded_at IS NOT NULL AND blob_sha256 = sha256', [venueId]);
  const uploadRows = (await check.query<{ upload_id: string; recording_id: string; length: string }>('SELECT upload_id, recording_id, length FROM upload WHERE venue_id = $1', [venueId])).rows;
  await check.end();
  const sentTwice = uploadRows.filter((u) => (uploadBodyBytes.get(`/v1/uploads/${u.upload_id}`) ?? 0) > Number(u.length)).length;
  const uploadsTwice = uploadRows.length - new Set(uploadRows.map((u) => u.recording_id)).size;
  const lostEvents = Math.max(0, hubEvents - distinctOrigins);
  const lostRecordings = Math.max(0, recordingCount - uploaded);
  const duplicateEvents = storedRows - distinctOrigins;
  const uploadSent = [...uploadBodyBytes.values()].reduce((n, b) => n + b, 0);
  say(
    `${at()}: centre: ${storedRows} event rows (${distinctOrigins} origins) of the hub's ${hubEvents}, ${uploaded} of ${recordingCount} recordings held and verified; ` +
      `${round(uploadSent / 1e6, 1)} MB sent to the tus route for ${round(audioBytes / 1e6, 1)} MB of audio; ${matching} of ${CANDIDATES} receipts match`,
  );

  const result = {
    candidates: CANDIDATES,
    events: hubEvents,
    audio_mb: round(audioBytes / 1e6, 1),
    sync_s: seconds(syncMs),
    raw_s: seconds(rawMs),
    ratio: syncMs > 0 ? round(rawMs / syncMs, 3) : 0,
    lost: lostEvents + lostRecordings + (CANDIDATES - matching),
    duplicates: duplicateEvents + sentTwice + uploadsTwice,
  };
  if (result.lost > 0 || result.duplicates > 0) process.exitCode = 1;
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await client.stop();
  hub.close();
} finally {
  await profiler?.post('Profiler.disable').catch(() => undefined);
  for (const proxy of proxies) await proxy.close();
  for (const child of children) await stopChild(child);
  await postgres.stop();
  rmSync(workDir, { recursive: true, force: true });
  if (profileDir) say(`bench: CPU profiles in ${profileDir} (the central API's is written when it stops)`);
}

// ---- the template candidate and the seat streams made from it ----------------------------------------------

interface TemplateIds {
  attemptId: string;
  recordingIds: string[];
}

/** The bench exam taken by one candidate on a solo station through its API; its events are the seat stream's template. */
async function takeTemplate(dir: string, trust: ReturnType<typeof makeKeys>['trust'], packageFile: Buffer, contentKey: string, packageId: string, exam: Record<string, unknown>): Promise<{ events: EventEnvelope[]; ids: TemplateIds }> {
  mkdirSync(dir);
  const station = new StationService({ dbPath: join(dir, 'station.db'), role: 'solo', venueCode: VENUE, trust, heartbeatMs: 0, ...TEST_STAFF_OPTIONS });
  try {
    const { staffToken } = await station.staffSignIn(TEST_STAFF);
    station.loadRoster({
      sessions: [{ sessionId: SESSION, examId: String(exam.examId), venueCode: VENUE, venueName: 'Rīgas eksāmenu centrs', room: '101', startsAt: new Date().toISOString(), endsAt: null }],
      candidates: [{ candidateId: TEMPLATE_CANDIDATE, sessionId: SESSION, givenName: 'Anna', familyName: 'Bērziņa', personalCode: personalCodeOf(999_999_999), birthDate: null, level: 'A2', accommodation: null, accommodationDocNo: null, accommodationDocDate: null }],
    });
    const path = join(dir, 'bench.exampkg');
    writeFileSync(path, packageFile);
    station.importPackageFile(path);
    await station.unlockPackage({ staffToken, packageId, key: contentKey });
    const seat = seatOf(await station.openAttempt({ staffToken, candidateId: TEMPLATE_CANDIDATE, packageId }));
    const recordingIds: string[] = [];
    const parts = (exam.parts as { id: string; tasks: { items: { id: string; type: string }[] }[] }[]).map((p) => ({ id: p.id, items: p.tasks.flatMap((t) => t.items) }));
    for (const part of parts) {
      await station.recordTimerEvent({ ...seat, partId: part.id, kind: 'start' });
      if (part.id === 'listening') for (let play = 0; play < 2; play += 1) await station.grantAudioPlay({ ...seat, stimulusId: 'l1-audio' });
      for (const item of part.items) {
        if (item.type === 'speaking') {
          const { recordingId } = await station.startRecording({ ...seat, itemId: item.id, mimeType: 'audio/webm;codecs=opus' });
          for (let index = 0; index < SEGMENTS; index += 1) {
            const data = randomBytes(SEGMENT_BYTES);
            await station.appendAudioSegment({ ...seat, recordingId, index, data, sha256: sha256(data), durationMs: 1000 });
          }
          await station.closeRecording({ ...seat, recordingId, segmentCount: SEGMENTS });
          await station.saveResponse({ ...seat, itemId: item.id, value: { type: 'speaking', recordingIds: [recordingId] }, clientSaveId: saveId() });
          recordingIds.push(recordingId);
          continue;
        }
        for (let revision = 1; revision <= revisionsOf(item.id); revision += 1) await station.saveResponse({ ...seat, itemId: item.id, value: answerOf(item.id, revision), clientSaveId: saveId() });
      }
      await station.recordTimerEvent({ ...seat, partId: part.id, kind: 'end' });
    }
    await station.finishAttempt(seat);
    // At a room's hub, attendance and incidents are the hub's own events; the rest comes from the seat.
    const events = station.outbox.read(0, 1_000_000).filter((e) => e.kind !== 'attendance.marked' && e.kind !== 'incident.recorded');
    return { events, ids: { attemptId: seat.attemptId, recordingIds } };
  } finally {
    station.close();
  }
}

interface SeatStream {
  deviceId: string;
  events: EventEnvelope[];
  segments: { recordingId: string; index: number; sha256: string; data: Buffer }[];
  audioBytes: number;
}

/** The template's stream as another candidate's seat: fresh ids, fresh audio with its hashes, the seat's own seqs. */
function seatStreamOf(template: EventEnvelope[], ids: TemplateIds, candidateId: string): SeatStream {
  const deviceId = randomUUID();
  const renamed = new Map<string, string>([[ids.attemptId, randomUUID()], [TEMPLATE_CANDIDATE, candidateId], ...ids.recordingIds.map((id): [string, string] => [id, randomUUID()])]);
  const pattern = new RegExp([...renamed.keys()].join('|'), 'g');
  const rename = (text: string): string => text.replace(pattern, (found) => renamed.get(found)!);
  const audio = new Map<string, Buffer[]>();
  const segments: SeatStream['segments'] = [];
  const events = template.map((event, i): EventEnvelope => {
    const payload = JSON.parse(rename(JSON.stringify(event.payload))) as Record<string, unknown>;
    if (event.kind === 'recording.segment') {
      const recordingId = String(payload.recordingId);
      const index = Number(payload.index);
      const data = randomBytes(Number(payload.bytes));
      payload.sha256 = sha256(data);
      segments.push({ recordingId, index, sha256: String(payload.sha256), data });
      if (!audio.has(recordingId)) audio.set(recordingId, []);
      audio.get(recordingId)!.push(data);
    }
    if (event.kind === 'recording.closed') payload.sha256 = sha256(Buffer.concat(audio.get(String(payload.recordingId)) ?? []));
    return { seq: i + 1, origin: { deviceId, seq: i + 1 }, kind: event.kind, entityId: rename(event.entityId), payload, createdAt: event.createdAt };
  });
  return { deviceId, events, segments, audioBytes: segments.reduce((n, s) => n + s.data.length, 0) };
}

function countKinds(events: EventEnvelope[]): string {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
  return [...counts.entries()].map(([k, n]) => `${n} ${k}`).join(', ');
}
