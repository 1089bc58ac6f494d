// npm run test:crash [-- --kills N]: kill a station that is saving answers and audio with SIGKILL at
// random moments, N times. After every restart each write acknowledged before the kill must be present
// and intact (hashes match) and the outbox must have no gap. The last line is one JSON object.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openStationDatabase } from '../../src-main/station/database.ts';
import { StationService } from '../../src-main/station/service.ts';
import { DEMO_CANDIDATE, DEMO_SESSION, TEST_STAFF_PIN, buildMiniPackage, makeKeys, tempDir } from '../support/fixtures.ts';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '200' }, seed: { type: 'string' } } });
const kills = Number(values.kills);

type Ack =
  | { t: 'save'; clientSaveId: string; itemId: string; revision: number; seq: number; valueSha: string }
  | { t: 'seg'; recordingId: string; index: number; sha256: string };

const sha = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

// ---- a station with an attempt in progress ----
const dir = tempDir('exam-station-crash-');
const dbPath = join(dir, 'station.db');
const keys = makeKeys();
const built = buildMiniPackage(keys);
const setup = new StationService({ dbPath, role: 'solo', venueCode: 'RIX01', trust: keys.trust, heartbeatMs: 0, initialStaffPin: TEST_STAFF_PIN });
const { staffToken } = await setup.staffSignIn({ pin: TEST_STAFF_PIN });
setup.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE] });
setup.importPackageBytes(built.file);
await setup.unlockPackage({ staffToken, packageId: built.manifest.packageId, key: built.contentKey });
const { attemptId, candidateToken } = await setup.openAttempt({ staffToken, candidateId: DEMO_CANDIDATE.candidateId, packageId: built.manifest.packageId });
for (const partId of ['reading', 'writing', 'speaking']) {
  await setup.recordTimerEvent({ attemptId, candidateToken, partId, kind: 'start' });
  await setup.staffTimerEvent({ staffToken, attemptId, partId, kind: 'extend', amountMs: 6 * 3600 * 1000 });
}
setup.close();

// ---- the loop ----
const allAcks: Ack[] = [];
let lost = 0;
let gaps = 0;
const problems: string[] = [];

function runOnce(): Promise<Ack[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, 'crash-worker.ts'), dbPath, attemptId, candidateToken, JSON.stringify(keys.trust)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const acks: Ack[] = [];
    let buffered = '';
    let stderr = '';
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = JSON.parse(buffered.slice(0, newline)) as Ack | { t: 'ready' };
        buffered = buffered.slice(newline + 1);
        if (line.t === 'ready') killTimer = setTimeout(() => child.kill('SIGKILL'), 5 + Math.random() * 250);
        else acks.push(line);
        newline = buffered.indexOf('\n');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(killTimer);
      // Only complete lines count as acknowledged: a half-written line was never seen by anyone.
      if (signal === 'SIGKILL') resolve(acks);
      else reject(new Error(`worker exited with ${code ?? signal} before it was killed:\n${stderr}`));
    });
  });
}

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
const lostFinal = lost;
for (const problem of problems.slice(0, 20)) console.error(problem);
console.log(JSON.stringify({ kills, acknowledged: allAcks.length, lost: lostFinal, gaps }));
process.exitCode = lostFinal === 0 && gaps === 0 && allAcks.length > 0 ? 0 : 1;
