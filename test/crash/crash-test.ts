// npm run test:crash [-- --kills N]: kill the station process while it saves answers and appends audio,
// with SIGKILL at random moments, N times. The station runs exactly as in the app: its own process
// (src-main/host/station-process.ts), driven over the supervisor's message protocol; an answer counts
// as acknowledged only once its reply arrived. After every restart each acknowledged write must be
// present and intact (hashes match) and the outbox must have no gap. The last line is one JSON object.
import { fork, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadStationConfig } from '../../src-main/host/config.ts';
import type { FromStation, ToStation } from '../../src-main/host/protocol.ts';
import { openStation } from '../../src-main/host/start.ts';
import { STATION_ENTRY } from '../../src-main/host/supervisor.ts';
import { openStationDatabase } from '../../src-main/station/database.ts';
import type { StationReplyBody } from '../../src-shared/contracts/station-bridge.ts';
import { DEMO_CANDIDATE, DEMO_SESSION, TEST_CHIEF_ENV, buildMiniPackage, firstSignIn, writeProductionAssets, makeKeys, tempDir } from '../support/fixtures.ts';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '200' } } });
const kills = Number(values.kills);

type Ack =
  | { t: 'save'; clientSaveId: string; itemId: string; revision: number; seq: number; valueSha: string }
  | { t: 'seg'; recordingId: string; index: number; sha256: string };

const sha = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

// ---- a production station with an attempt in progress ----
const dir = tempDir('exam-station-crash-');
const keys = makeKeys();
const built = buildMiniPackage(keys);
const env = { EXAM_STATION_POLICY: 'none', EXAM_STATION_MODE: 'production', EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: join(dir, 'station'), EXAM_STATION_ASSETS: writeProductionAssets(dir, keys.trust), ...TEST_CHIEF_ENV };
const dbPath = join(dir, 'station', 'station.db');
const setup = openStation(loadStationConfig({ env }), { heartbeatMs: 0 }).service;
const staffToken = await firstSignIn(setup);
setup.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE] });
setup.importPackageBytes(built.file);
await setup.unlockPackage({ staffToken, packageId: built.manifest.packageId, key: built.contentKey });
const { attemptId, candidateToken } = await setup.openAttempt({ staffToken, candidateId: DEMO_CANDIDATE.candidateId, packageId: built.manifest.packageId });
const seat = { attemptId, candidateToken };
for (const partId of ['reading', 'writing', 'speaking']) {
  await setup.recordTimerEvent({ ...seat, partId, kind: 'start' });
  await setup.staffTimerEvent({ staffToken, attemptId, partId, kind: 'extend', amountMs: 6 * 3600 * 1000, grounds: 'accommodation' });
}
setup.close();

// ---- driving the station process as its supervisor does ----
const caller = { clientId: 'crash-test', surfaces: ['public', 'staff', 'candidate'] as const };

/** Start the station process, work it until it is killed at a random moment; the acknowledgements it gave. */
function runOnce(): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = fork(STATION_ENTRY, [], { serialization: 'advanced', env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const acks: Ack[] = [];
    const waiting = new Map<number, (reply: StationReplyBody) => void>();
    let nextId = 1;
    let stderr = '';
    let killed = false;
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const call = (method: string, input: unknown): Promise<StationReplyBody> =>
      new Promise((done) => {
        const id = nextId++;
        waiting.set(id, done);
        child.send({ type: 'call', id, method, input, caller } satisfies ToStation);
      });
    const work = async (): Promise<void> => {
      const started = await call('startRecording', { ...seat, itemId: 's1-q1', mimeType: 'audio/webm;codecs=opus' });
      if (!started.ok) throw new Error(`startRecording: ${JSON.stringify(started.error)}`);
      const { recordingId } = started.value as { recordingId: string };
      let nextSegment = 0;
      for (let i = 0; !killed; i += 1) {
        if (i % 3 === 2) {
          const data = randomBytes(8192);
          const digest = sha(data);
          const reply = await call('appendAudioSegment', { ...seat, recordingId, index: nextSegment, data, sha256: digest, durationMs: 1000 });
          if (!reply.ok) throw new Error(`appendAudioSegment: ${JSON.stringify(reply.error)}`);
          acks.push({ t: 'seg', recordingId, index: nextSegment, sha256: digest });
          nextSegment += 1;
        } else {
          const text = `${randomUUID()} Ātri brūnā lapsa pārlēca pāri slinkajam sunim. ${'ā'.repeat(i % 200)}`;
          const itemId = i % 2 === 0 ? 'w1-q1' : 'r1-q4';
          const value = itemId === 'w1-q1' ? { type: 'extended-writing' as const, text } : { type: 'short-text' as const, text: text.slice(0, 50) };
          const clientSaveId = randomUUID();
          const reply = await call('saveResponse', { ...seat, itemId, value, clientSaveId });
          if (!reply.ok) throw new Error(`saveResponse: ${JSON.stringify(reply.error)}`);
          const ack = reply.value as { revision: number; seq: number };
          acks.push({ t: 'save', clientSaveId, itemId, revision: ack.revision, seq: ack.seq, valueSha: sha(JSON.stringify(value)) });
        }
      }
    };
    let killTimer: NodeJS.Timeout | undefined;
    child.on('message', (raw) => {
      const message = raw as FromStation;
      if (message.type === 'ready') {
        killTimer = setTimeout(() => {
          killed = true;
          child.kill('SIGKILL');
        }, 5 + Math.random() * 250);
        work().catch((error: unknown) => {
          if (!killed) {
            child.kill('SIGKILL');
            reject(error as Error);
          }
        });
      } else if (message.type === 'reply') {
        const done = waiting.get(message.id);
        waiting.delete(message.id);
        // A reply that arrived is an acknowledgement the screen saw; one the kill cut off is not.
        done?.(message.reply);
      } else if (message.type === 'fatal') {
        reject(new Error(`station could not open: ${JSON.stringify(message.error)}`));
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(killTimer);
      if (signal === 'SIGKILL' && killed) resolve(acks);
      else reject(new Error(`station process exited with ${code ?? signal} before it was killed:\n${stderr}`));
    });
  });
}

let lost = 0;
let gaps = 0;
const problems: string[] = [];
const allAcks: Ack[] = [];

function verify(newAcks: Ack[], label: string): void {
  const db = openStationDatabase(dbPath);
  try {
    const revision = db.sqlite.prepare('SELECT revision, value_json, seq FROM response_revisions WHERE client_save_id = ?');
    const segment = db.sqlite.prepare('SELECT sha256, data FROM recording_segments WHERE recording_id = ? AND idx = ?');
    for (const ack of newAcks) {
      if (ack.t === 'save') {
        const row = revision.get(ack.clientSaveId) as { revision: number; value_json: string; seq: number } | undefined;
        if (!row || row.revision !== ack.revision || row.seq !== ack.seq || sha(row.value_json) !== ack.valueSha) {
          lost += 1;
          problems.push(`${label}: save ${ack.clientSaveId} ${row ? 'altered' : 'missing'}`);
        }
      } else {
        const row = segment.get(ack.recordingId, ack.index) as { sha256: string; data: Buffer } | undefined;
        if (!row || row.sha256 !== ack.sha256 || sha(row.data) !== ack.sha256) {
          lost += 1;
          problems.push(`${label}: segment ${ack.index} ${row ? 'altered' : 'missing'}`);
        }
      }
    }
    const outbox = db.sqlite.prepare('SELECT COUNT(*) AS n, MIN(seq) AS lo, MAX(seq) AS hi FROM outbox').get() as { n: number; lo: number; hi: number };
    if (outbox.n !== outbox.hi - outbox.lo + 1 || outbox.lo !== 1) {
      gaps += 1;
      problems.push(`${label}: outbox has ${outbox.n} events for seq ${outbox.lo}..${outbox.hi}`);
    }
  } finally {
    db.close();
  }
}

const started = Date.now();
for (let kill = 1; kill <= kills; kill += 1) {
  const acks = await runOnce();
  allAcks.push(...acks);
  verify(acks, `kill ${kill}`);
  if (kill % 50 === 0) console.error(`crash test: ${kill}/${kills} kills, ${allAcks.length} acknowledged, ${Math.round((Date.now() - started) / 1000)} s`);
}
// Every acknowledgement of every run, checked once more against the final file.
verify(allAcks, 'final');
for (const problem of problems.slice(0, 20)) console.error(problem);
console.log(JSON.stringify({ kills, acknowledged: allAcks.length, lost, gaps }));
process.exitCode = lost === 0 && gaps === 0 && allAcks.length > 0 ? 0 : 1;
