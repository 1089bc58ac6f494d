// npm run bench:server: N simulated venue hubs (default 50) push results and upload audio at the same
// time to the central API on loopback, against a PostgreSQL started for the run with its default
// (durable) settings. In the same run, on the same machine and PostgreSQL, the two raw baselines do
// the same work the same way: a multi-row INSERT of the same event rows (same batches, same pool
// size) straight into PostgreSQL, and a plain HTTP PUT of the same audio bytes to a bare Node server
// that writes them to a file.
//   events_per_s / raw_events_per_s = ingest_ratio (target >= 0.5)
//   upload_mb_s  / raw_put_mb_s     = upload_ratio (target >= 0.7)
// Deployment under test: two replicas of the API on one database, as a load balancer would route
// them: one takes /v1/push, the other /v1/uploads (the raw side likewise has PostgreSQL for the rows
// and the bare server for the bytes). Each replica and the bare server run in their own process;
// the hub clients run here and use one HTTP client (node:http, keep-alive) for both sides.
// The work is cut into rounds; each round runs a slice on the API, then the same slice on the
// baselines, so drift on a shared machine does not favour either side. The first round warms caches
// and query plans on both sides and is not counted. Audio hashes are computed
// before the clock starts, as a hub already knows them from its segments.
// Per round, stderr shows wall times and the CPU each process group used. The last line is one JSON object.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { EventEnvelope, EventKind } from '../../src-shared/contracts/events.ts';
import { freePort, startManagedPostgres } from '../../src-server/pg-cluster.ts';
import { encodeUploadMetadata, TUS_VERSION } from '../../src-server/uploads/tus.ts';
import { buildMiniPackage, makeKeys } from '../support/fixtures.ts';
import { AdminClient, HubClient } from '../server/support/harness.ts';

const { values } = parseArgs({
  options: {
    venues: { type: 'string', default: process.env.BENCH_VENUES ?? '50' },
    /** Events each hub pushes, in batches of `batch`: its results of an exam day, sent on reconnect. */
    events: { type: 'string', default: '2500' },
    batch: { type: 'string', default: '500' },
    recordings: { type: 'string', default: '5' },
    'audio-kb': { type: 'string', default: '512' },
    pool: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '5' },
    /** Rounds at the start that warm caches and plans on both sides and are not counted. */
    warmup: { type: 'string', default: '1' },
  },
});
const VENUES = Number(values.venues);
const BATCH = Number(values.batch);
const PUSHES = Math.ceil(Number(values.events) / BATCH);
const RECORDINGS = Number(values.recordings);
const AUDIO_BYTES = Number(values['audio-kb']) * 1024;
const POOL = Number(values.pool);
const ROUNDS = Number(values.rounds);
const WARMUP = Math.min(Number(values.warmup), ROUNDS - 1);
const CANDIDATES = 4;
/** A distinct personal code per candidate (the roster rules refuse one code on two candidates): the new 32… format has no check digit. */
const benchPersonalCode = (n: number): string => `32${String(n).padStart(9, '0')}`;
const ITEMS = ['l1-q1', 'l1-q2', 'l1-q3', 'r1-q1', 'r1-q2', 'r1-q3', 'r1-q4', 'w1-q1'];

const say = (line: string): void => void process.stderr.write(`${line}\n`);
const percentile = (samples: number[], p: number): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;
const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

const agent = new http.Agent({ keepAlive: true, maxSockets: 1000 });
interface Sent {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}
function send(url: string, method: string, headers: Record<string, string>, body?: Uint8Array | string): Promise<Sent> {
  const target = new URL(url);
  const withLength = body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method, headers: withLength, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

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
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** CPU time (ms) used so far by each group of processes, from /proc (Linux); empty elsewhere. */
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
    .map((k) => `${k} ${(b[k] ?? 0) - (a[k] ?? 0)}`)
    .join(', ');

// ---- PostgreSQL, two API replicas and the bare PUT server ---------------------------------------
const workDir = mkdtempSync(join(tmpdir(), 'exam-bench-'));
chmodSync(workDir, 0o755);
const postgres = await startManagedPostgres({ dir: join(workDir, 'pg'), settings: { max_connections: '300' } });
const databaseUrl = await postgres.createDatabase('bench_central');
const adminToken = randomBytes(24).toString('base64url');
const startReplica = async (): Promise<{ url: string; child: ChildProcess }> => {
  const port = await freePort();
  const child = spawn(process.execPath, [join(import.meta.dirname, '../../src-server/main.ts')], {
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), ADMIN_TOKEN: adminToken, DATA_DIR: join(workDir, 'api'), LOG_LEVEL: 'warn', SEED_DEMO: 'false', PG_POOL_SIZE: String(POOL) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { url: `http://127.0.0.1:${port}`, child };
};
const pushReplica = await startReplica();
const uploadReplica = await startReplica();

const putPort = await freePort();
const putDir = join(workDir, 'raw-put');
const bareServer = `
  import { createServer } from 'node:http';
  import { createWriteStream, mkdirSync } from 'node:fs';
  import { pipeline } from 'node:stream/promises';
  mkdirSync(${JSON.stringify(putDir)}, { recursive: true });
  let n = 0;
  createServer((req, res) => {
    if (req.method === 'GET') { res.end('ok'); return; }
    pipeline(req, createWriteStream(${JSON.stringify(putDir)} + '/' + (n++) + '.bin')).then(
      () => { res.statusCode = 201; res.end(); },
      () => { res.statusCode = 500; res.end(); });
  }).listen(${putPort}, '127.0.0.1');
  process.on('SIGTERM', () => process.exit(0));
`;
const bare = spawn(process.execPath, ['--input-type=module', '-e', bareServer], { stdio: ['ignore', 'ignore', 'inherit'] });

try {
  await waitFor(`${pushReplica.url}/health/ready`, pushReplica.child);
  await waitFor(`${uploadReplica.url}/health/ready`, uploadReplica.child);
  await waitFor(`http://127.0.0.1:${putPort}/`, bare);
  const admin = new AdminClient(pushReplica.url, adminToken);
  const packageId = await admin.publishPackage(buildMiniPackage(makeKeys()));

  // ---- venues: enrolled hubs, sessions, rosters; the work each hub will send ----------------------
  say(`bench: setting up ${VENUES} venues`);
  interface Recording {
    recordingId: string;
    data: Buffer;
    sha256: string;
  }
  interface VenueWork {
    hub: HubClient;
    batches: EventEnvelope[][];
    audio: Recording[];
  }
  const venues: VenueWork[] = [];
  for (let v = 0; v < VENUES; v += 1) {
    const code = `V${String(v).padStart(4, '0')}`;
    const venue = await admin.ok<{ venueId: string }>('POST', '/v1/admin/venues', { code, name: `Venue ${code}` });
    const { code: enrollment } = await admin.ok<{ code: string }>('POST', `/v1/admin/venues/${venue.venueId}/enrollment-codes`);
    const hub = new HubClient(pushReplica.url);
    await hub.enroll(enrollment, `hub ${code}`);
    const sessionId = `S-${code}`;
    await admin.ok('PUT', `/v1/admin/sessions/${sessionId}`, { venueId: venue.venueId, examId: 'mini-a2', packageId, startsAt: new Date().toISOString() });
    const candidates = Array.from({ length: CANDIDATES }, (_, i) => ({ candidateId: `${code}-C${i}`, givenName: 'Anna', familyName: 'Bērziņa', personalCode: benchPersonalCode(v * CANDIDATES + i) }));
    await admin.ok('PUT', `/v1/admin/sessions/${sessionId}/roster`, { candidates });

    // A hub's outbox: each candidate's attempt opened, then answers saved again and again.
    const attempts = candidates.map((c) => ({ attemptId: randomUUID(), candidateId: c.candidateId }));
    // In the contract's envelope: the hub's own events originate at the hub, at their own seq.
    const events: EventEnvelope[] = [];
    const add = (kind: EventKind, entityId: string, payload: unknown): void => {
      const seq = events.length + 1;
      events.push({ seq, origin: { deviceId: hub.deviceId, seq }, kind, entityId, payload, createdAt: new Date().toISOString() });
    };
    for (const a of attempts) add('attempt.opened', a.attemptId, { attemptId: a.attemptId, candidateId: a.candidateId, packageId, openedAt: new Date().toISOString() });
    for (let i = 0; events.length < PUSHES * BATCH; i += 1) {
      const a = attempts[i % attempts.length]!;
      const itemId = ITEMS[Math.floor(i / attempts.length) % ITEMS.length]!;
      const revision = Math.floor(i / (attempts.length * ITEMS.length)) + 1;
      const value =
        itemId === 'l1-q1'
          ? { type: 'single-choice', optionId: i % 2 ? 'a' : 'b' }
          : itemId === 'w1-q1'
            ? { type: 'extended-writing', text: `Labdien! Es dzīvoju Rīgā un strādāju veikalā (${i}).` }
            : { type: 'short-text', text: `atbilde ${i}` };
      add('response.saved', a.attemptId, { attemptId: a.attemptId, itemId, revision, value, savedAt: new Date().toISOString() });
    }
    const batches = Array.from({ length: PUSHES }, (_, b) => events.slice(b * BATCH, (b + 1) * BATCH));
    const audio = Array.from({ length: RECORDINGS }, () => {
      const data = randomBytes(AUDIO_BYTES);
      return { recordingId: randomUUID(), data, sha256: sha256(data) };
    });
    venues.push({ hub, batches, audio });
  }
  const totalEvents = VENUES * PUSHES * BATCH;
  say(`bench: ${VENUES} venues, ${totalEvents} events in batches of ${BATCH}, ${VENUES * RECORDINGS} recordings of ${AUDIO_BYTES / 1024} KiB, ${ROUNDS} rounds`);

  // ---- the raw baselines' table and statement ---------------------------------------------------
  const raw = new pg.Pool({ connectionString: databaseUrl, max: POOL });
  await raw.query(`CREATE TABLE bench_raw_event (device_id uuid NOT NULL, seq bigint NOT NULL, origin_device_id text NOT NULL, origin_seq bigint NOT NULL, kind text NOT NULL, entity_id text NOT NULL,
    payload jsonb NOT NULL, created_at text NOT NULL, received_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (device_id, seq))`);

  // ---- the two sides' operations ---------------------------------------------------------------
  const pushLatencies: number[] = [];
  const apiPush = async (venue: VenueWork, batch: EventEnvelope[]): Promise<void> => {
    const started = performance.now();
    const body = JSON.stringify({ deviceId: venue.hub.deviceId, events: batch });
    const result = await send(`${pushReplica.url}/v1/push`, 'POST', venue.hub.sign('POST', '/v1/push', body, { headers: { 'content-type': 'application/json' } }), body);
    pushLatencies.push(performance.now() - started);
    if (result.status !== 200) throw new Error(`push: ${result.status} ${result.text}`);
  };
  const apiUpload = async (venue: VenueWork, rec: Recording): Promise<void> => {
    // tus creation-with-upload: the recording travels in the creating request, signed with its hash.
    const headers = venue.hub.sign('POST', '/v1/uploads', undefined, {
      contentSha256: rec.sha256,
      headers: {
        'tus-resumable': TUS_VERSION,
        'upload-length': String(rec.data.length),
        'upload-metadata': encodeUploadMetadata({ recordingId: rec.recordingId, sha256: rec.sha256, mimeType: 'audio/webm' }),
        'content-type': 'application/offset+octet-stream',
      },
    });
    const response = await send(`${uploadReplica.url}/v1/uploads`, 'POST', headers, rec.data);
    if (response.status !== 201 || response.headers['upload-offset'] !== String(rec.data.length)) throw new Error(`upload: ${response.status} ${response.text}`);
  };
  const rawInsert = async (venue: VenueWork, batch: EventEnvelope[]): Promise<void> => {
    const params: unknown[] = [];
    const rows = batch.map((e) => {
      params.push(venue.hub.deviceId, e.seq, e.origin.deviceId, e.origin.seq, e.kind, e.entityId, JSON.stringify(e.payload), e.createdAt);
      const n = params.length;
      return `($${n - 7}, $${n - 6}, $${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
    });
    await raw.query(`INSERT INTO bench_raw_event (device_id, seq, origin_device_id, origin_seq, kind, entity_id, payload, created_at) VALUES ${rows.join(', ')}`, params);
  };
  const rawPut = async (_venue: VenueWork, rec: Recording): Promise<void> => {
    const response = await send(`http://127.0.0.1:${putPort}/${rec.recordingId}`, 'PUT', { 'content-type': 'application/octet-stream' }, rec.data);
    if (response.status !== 201) throw new Error(`raw put: ${response.status}`);
  };

  const sliceStart = (length: number, slice: number): number => Math.floor((slice * length) / ROUNDS);
  const sliceSize = (length: number, slice: number): number => sliceStart(length, slice + 1) - sliceStart(length, slice);

  /** One slice of every venue's work at once; pushes and uploads each report when their last one ended. */
  const runSlice = async (push: (v: VenueWork, b: EventEnvelope[]) => Promise<void>, upload: (v: VenueWork, r: Recording) => Promise<void>, slice: number) => {
    // Contiguous slices: each round continues every hub's outbox where the last one stopped.
    const part = <T>(list: T[]): T[] => list.slice(sliceStart(list.length, slice), sliceStart(list.length, slice + 1));
    const start = performance.now();
    let pushEnd = start;
    let uploadEnd = start;
    await Promise.all(
      venues.flatMap((venue) => [
        (async () => {
          for (const batch of part(venue.batches)) await push(venue, batch);
          pushEnd = Math.max(pushEnd, performance.now());
        })(),
        (async () => {
          for (const rec of part(venue.audio)) await upload(venue, rec);
          uploadEnd = Math.max(uploadEnd, performance.now());
        })(),
      ]),
    );
    return { pushMs: pushEnd - start, uploadMs: uploadEnd - start };
  };

  // ---- rounds ----------------------------------------------------------------------------------
  const groups = { 'api-push': [pushReplica.child.pid ?? -1], 'api-upload': [uploadReplica.child.pid ?? -1], bare: [bare.pid ?? -1], clients: [process.pid] };
  const totals = { apiPushMs: 0, apiUploadMs: 0, rawPushMs: 0, rawUploadMs: 0 };
  let countedEvents = 0;
  let countedBytes = 0;
  for (let r = 0; r < ROUNDS; r += 1) {
    const c0 = cpuByGroup(groups);
    const api = await runSlice(apiPush, apiUpload, r);
    const c1 = cpuByGroup(groups);
    const base = await runSlice(rawInsert, rawPut, r);
    const c2 = cpuByGroup(groups);
    const counted = r >= WARMUP;
    if (counted) {
      totals.apiPushMs += api.pushMs;
      totals.apiUploadMs += api.uploadMs;
      totals.rawPushMs += base.pushMs;
      totals.rawUploadMs += base.uploadMs;
      countedEvents += sliceSize(venues[0]!.batches.length, r) * BATCH * VENUES;
      countedBytes += sliceSize(venues[0]!.audio.length, r) * AUDIO_BYTES * VENUES;
    }
    say(`bench: round ${r + 1}/${ROUNDS}${counted ? '' : ' (warm-up, not counted)'}: API push ${round(api.pushMs, 0)} ms, upload ${round(api.uploadMs, 0)} ms; raw INSERT ${round(base.pushMs, 0)} ms, PUT ${round(base.uploadMs, 0)} ms`);
    if (Object.keys(c0).length > 0) say(`bench:   CPU ms, API side: ${cpuSince(c0, c1)}; raw side: ${cpuSince(c1, c2)}`);
  }
  await raw.end();
  const perSecond = (amount: number, ms: number): number => (ms > 0 ? amount / (ms / 1000) : 0);
  const eventsPerS = perSecond(countedEvents, totals.apiPushMs);
  const rawEventsPerS = perSecond(countedEvents, totals.rawPushMs);
  const uploadMbS = perSecond(countedBytes / 1e6, totals.apiUploadMs);
  const rawPutMbS = perSecond(countedBytes / 1e6, totals.rawUploadMs);
  say(`bench: API  ${round(eventsPerS, 0)} events/s, ${round(uploadMbS)} MB/s audio, push p99 ${round(percentile(pushLatencies, 99))} ms`);
  say(`bench: raw  ${round(rawEventsPerS, 0)} rows/s INSERT, ${round(rawPutMbS)} MB/s PUT`);

  // Everything arrived exactly once.
  const check = new pg.Client({ connectionString: databaseUrl });
  await check.connect();
  const stored = Number((await check.query('SELECT count(*) AS n FROM outbox_event')).rows[0].n);
  const uploaded = Number((await check.query('SELECT count(*) AS n FROM recording WHERE uploaded_at IS NOT NULL')).rows[0].n);
  await check.end();
  if (stored !== totalEvents || uploaded !== VENUES * RECORDINGS) throw new Error(`expected ${totalEvents} events and ${VENUES * RECORDINGS} recordings, found ${stored} and ${uploaded}`);

  const result = {
    venues: VENUES,
    events_per_s: round(eventsPerS, 0),
    raw_events_per_s: round(rawEventsPerS, 0),
    ingest_ratio: rawEventsPerS > 0 ? round(eventsPerS / rawEventsPerS, 3) : 0,
    upload_mb_s: round(uploadMbS),
    raw_put_mb_s: round(rawPutMbS),
    upload_ratio: rawPutMbS > 0 ? round(uploadMbS / rawPutMbS, 3) : 0,
    push_p99_ms: round(percentile(pushLatencies, 99)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  agent.destroy();
  await stopChild(pushReplica.child);
  await stopChild(uploadReplica.child);
  await stopChild(bare);
  await postgres.stop();
  rmSync(workDir, { recursive: true, force: true });
}
