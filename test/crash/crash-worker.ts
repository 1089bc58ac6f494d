// The crash test's victim: opens the station and saves answers and appends audio segments as fast as it
// can, printing one line per acknowledgement (after the commit returned) until it is killed.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { StationService } from '../../src-main/station/service.ts';
import type { TrustList } from '../../src-shared/node/package/keys.ts';

const [dbPath, attemptId, candidateToken, trustJson] = process.argv.slice(2);
if (!dbPath || !attemptId || !candidateToken || !trustJson) throw new Error('usage: crash-worker DB ATTEMPT CANDIDATE_TOKEN TRUST_JSON');
const seat = { attemptId, candidateToken };

const service = new StationService({ dbPath, role: 'solo', venueCode: 'RIX01', trust: JSON.parse(trustJson) as TrustList, heartbeatMs: 50 });
const out = (line: unknown): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};
const sha = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

// Each restart closes the take the kill cut off and records a new one.
const { recordingId } = await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm;codecs=opus' });
let nextSegment = 0;
out({ t: 'ready' });

for (let i = 0; ; i += 1) {
  if (i % 3 === 2) {
    const data = randomBytes(8192);
    const digest = sha(data);
    await service.appendAudioSegment({ ...seat, recordingId, index: nextSegment, data, sha256: digest, durationMs: 1000 });
    out({ t: 'seg', recordingId, index: nextSegment, sha256: digest });
    nextSegment += 1;
  } else {
    const text = `${randomUUID()} Ātri brūnā lapsa pārlēca pāri slinkajam sunim. ${'ā'.repeat(i % 200)}`;
    const itemId = i % 2 === 0 ? 'w1-q1' : 'r1-q4';
    const value = itemId === 'w1-q1' ? { type: 'extended-writing' as const, text } : { type: 'short-text' as const, text: text.slice(0, 50) };
    const clientSaveId = randomUUID();
    const ack = await service.saveResponse({ ...seat, itemId, value, clientSaveId });
    out({ t: 'save', clientSaveId, itemId, revision: ack.revision, seq: ack.seq, valueSha: sha(JSON.stringify(value)) });
  }
}
