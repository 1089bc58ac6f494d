// npm run bench:store: latency of the station's durable writes against the floor on the same disk.
//   (a) the station's save-response path (validation, revision, history, outbox, one FULL-sync commit)
//   (b) the floor: a raw better-sqlite3 single-row INSERT in its own transaction, WAL + synchronous=FULL
//   (c) appending an 8 KB audio segment through the station
// (a) and (b) run interleaved in rounds so that disk behaviour drifts equally on both.
// The last line is one JSON object; ratio_p99 = save p99 / floor p99 (target <= 1.5).
import Database from 'better-sqlite3';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openTestStation, tempDir } from '../support/fixtures.ts';

const { values } = parseArgs({ options: { saves: { type: 'string', default: '3000' }, rounds: { type: 'string', default: '10' } } });
const total = Number(values.saves);
const rounds = Number(values.rounds);
const perRound = Math.ceil(total / rounds);

const percentile = (samples: number[], p: number): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

const station = await openTestStation();
const { service, built, staffToken } = station;
const { attemptId, candidateToken } = await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId });
const seat = { attemptId, candidateToken };
for (const partId of ['writing', 'speaking']) {
  await service.recordTimerEvent({ ...seat, partId, kind: 'start' });
  await service.staffTimerEvent({ staffToken, attemptId, partId, kind: 'extend', amountMs: 6 * 3600 * 1000, grounds: 'accommodation' });
}

const floorDb = new Database(join(tempDir('exam-station-floor-'), 'floor.db'));
floorDb.pragma('journal_mode = WAL');
floorDb.pragma('synchronous = FULL');
floorDb.exec('CREATE TABLE answers (id INTEGER PRIMARY KEY, attempt_id TEXT NOT NULL, item_id TEXT NOT NULL, value_json TEXT NOT NULL, saved_at TEXT NOT NULL)');
const floorInsert = floorDb.prepare('INSERT INTO answers (attempt_id, item_id, value_json, saved_at) VALUES (?, ?, ?, ?)');
const floorTx = floorDb.transaction((valueJson: string) => floorInsert.run(attemptId, 'w1-q1', valueJson, new Date().toISOString()));

const text = (i: number): string => `${i}: Labdien! Es dzīvoju Rīgā un strādāju veikalā. Man patīk mana darba vieta, jo kolēģi ir draudzīgi.`;
const save: number[] = [];
const floor: number[] = [];

// Warm-up: prepare statements and fill caches on both sides.
for (let i = 0; i < 50; i += 1) {
  await service.saveResponse({ ...seat, itemId: 'w1-q1', value: { type: 'extended-writing', text: text(i) }, clientSaveId: randomUUID() });
  floorTx(JSON.stringify({ type: 'extended-writing', text: text(i) }));
}

for (let round = 0; round < rounds; round += 1) {
  for (let i = 0; i < perRound; i += 1) {
    const value = { type: 'extended-writing' as const, text: text(i) };
    const t0 = performance.now();
    await service.saveResponse({ ...seat, itemId: 'w1-q1', value, clientSaveId: randomUUID() });
    save.push(performance.now() - t0);
  }
  for (let i = 0; i < perRound; i += 1) {
    const t0 = performance.now();
    floorTx(JSON.stringify({ type: 'extended-writing', text: text(i) }));
    floor.push(performance.now() - t0);
  }
}

const segment: number[] = [];
const { recordingId } = await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm;codecs=opus' });
const segments = Math.min(1000, total);
for (let index = 0; index < segments; index += 1) {
  const data = randomBytes(8192);
  const sha256 = createHash('sha256').update(data).digest('hex');
  const t0 = performance.now();
  await service.appendAudioSegment({ ...seat, recordingId, index, data, sha256, durationMs: 1000 });
  segment.push(performance.now() - t0);
}
service.close();
floorDb.close();

const result = {
  save_p50_ms: round3(percentile(save, 50)),
  save_p99_ms: round3(percentile(save, 99)),
  floor_p50_ms: round3(percentile(floor, 50)),
  floor_p99_ms: round3(percentile(floor, 99)),
  segment_p99_ms: round3(percentile(segment, 99)),
  ratio_p99: round3(percentile(save, 99) / percentile(floor, 99)),
};
console.log(`saves: ${save.length} station, ${floor.length} floor, ${segment.length} audio segments of 8 KB`);
console.log(`station save   p50 ${result.save_p50_ms} ms  p99 ${result.save_p99_ms} ms`);
console.log(`floor insert   p50 ${result.floor_p50_ms} ms  p99 ${result.floor_p99_ms} ms`);
console.log(`audio segment  p50 ${round3(percentile(segment, 50))} ms  p99 ${result.segment_p99_ms} ms`);
console.log(`ratio p99 (station / floor): ${result.ratio_p99} (target <= 1.5)`);
console.log(JSON.stringify(result));
