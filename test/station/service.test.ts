import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { refusal } from '../support/refusal.ts';
import { TEST_STAFF, buildMiniPackage, openTestStation, saveId, seatOf } from '../support/fixtures.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Let `ms` pass on a test clock while the candidate's screen beats every 2 s, as a working seat does. */
async function beatFor(ms: number, advance: (ms: number) => void, beat: () => Promise<unknown>): Promise<void> {
  for (let done = 0; done < ms; done += 2000) {
    advance(Math.min(2000, ms - done));
    await beat();
  }
}

async function startedAttempt() {
  const station = await openTestStation();
  const { service, built, staffToken } = station;
  const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
  for (const partId of ['listening', 'reading', 'writing', 'speaking']) await service.recordTimerEvent({ ...seat, partId, kind: 'start' });
  return { ...station, seat, attemptId: seat.attemptId };
}

describe('station service: packages', () => {
  it('imports a package once: a second import of the same file is recognised and changes nothing', async () => {
    const { service, built, dir, staffToken } = await openTestStation();
    const path = join(dir, 'again.exampkg');
    writeFileSync(path, built.file);
    const before = await service.getStatus();
    const again = await service.importPackage({ staffToken, path });
    expect(again.alreadyImported).toBe(true);
    expect(await service.listPackages({ staffToken })).toHaveLength(1);
    expect((await service.getStatus()).lastSeq).toBe(before.lastSeq);
  });

  it('refuses another package under the same id and keeps the stored one', async () => {
    const { service, built, keys, dir, staffToken } = await openTestStation();
    const impostor = buildMiniPackage(keys, { packageId: built.manifest.packageId });
    const path = join(dir, 'impostor.exampkg');
    writeFileSync(path, impostor.file);
    expect(await refusal(service.importPackage({ staffToken, path }))).toBe('PACKAGE_CONFLICT');
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    expect((await service.getExamContent(seat)).examId).toBe('mini-a2');
  });

  it('stores nothing from a tampered package and says why', async () => {
    const { service, built, dir, staffToken } = await openTestStation();
    const other = buildMiniPackage((await openTestStation()).keys);
    const path = join(dir, 'foreign.exampkg');
    writeFileSync(path, other.file);
    expect(await refusal(service.importPackage({ staffToken, path }))).toBe('PACKAGE_SIGNATURE_INVALID');
    expect(await refusal(service.importPackage({ staffToken, path: join(dir, 'missing.exampkg') }))).toBe('FILE_UNREADABLE');
    expect((await service.listPackages({ staffToken })).map((p) => p.packageId)).toEqual([built.manifest.packageId]);
  });

  it('keeps a package locked until the key is given; a wrong key leaves it locked', async () => {
    const station = await openTestStation();
    const fresh = buildMiniPackage(station.keys);
    const path = join(station.dir, 'fresh.exampkg');
    writeFileSync(path, fresh.file);
    const { summary } = await station.service.importPackage({ staffToken: station.staffToken, path });
    expect(summary.unlocked).toBe(false);
    expect(await refusal(station.service.openAttempt({ staffToken: station.staffToken, candidateId: 'C-0001', packageId: summary.packageId }))).toBe('PACKAGE_LOCKED');
    expect(await refusal(station.service.unlockPackage({ staffToken: station.staffToken, packageId: summary.packageId, key: station.built.contentKey }))).toBe('KEY_WRONG');
    expect((await station.service.listPackages({ staffToken: station.staffToken })).find((p) => p.packageId === summary.packageId)?.unlocked).toBe(false);
    expect((await station.service.unlockPackage({ staffToken: station.staffToken, packageId: summary.packageId, key: fresh.contentKey })).unlocked).toBe(true);
  });

  it('reopens an unlocked package after a restart without asking for the key again', async () => {
    const station = await startedAttempt();
    await station.service.grantAudioPlay({ ...station.seat, stimulusId: 'l1-audio' });
    station.service.close();
    const reopened = station.reopen();
    const media = await reopened.getMedia({ ...station.seat, path: 'media/l1.opus' });
    expect(media.mimeType).toMatch(/audio\/ogg/);
    expect(media.data.byteLength).toBe(3000);
    reopened.close();
  });
});

describe('station service: answers', () => {
  it('acknowledges a save only with its revision and seq, and keeps every revision', async () => {
    const { service, seat } = await startedAttempt();
    const first = await service.saveResponse({ ...seat, itemId: 'w1-q1', value: { type: 'extended-writing', text: 'Sveiks, Jāni!' }, clientSaveId: saveId() });
    const second = await service.saveResponse({ ...seat, itemId: 'w1-q1', value: { type: 'extended-writing', text: 'Sveiks, Jāni! Kā tev iet?' }, clientSaveId: saveId() });
    expect([first.revision, second.revision]).toEqual([1, 2]);
    expect(second.seq).toBeGreaterThan(first.seq);
    const history = service.db.sqlite.prepare('SELECT revision, value_json FROM response_revisions WHERE item_id = ? ORDER BY revision').all('w1-q1') as { revision: number; value_json: string }[];
    expect(history.map((h) => JSON.parse(h.value_json).text)).toEqual(['Sveiks, Jāni!', 'Sveiks, Jāni! Kā tev iet?']);
    const view = await service.getAttempt(seat);
    expect(view.responses).toEqual([{ itemId: 'w1-q1', revision: 2, value: { type: 'extended-writing', text: 'Sveiks, Jāni! Kā tev iet?' }, savedAt: second.savedAt }]);
  });

  it('gives a retried save (a second click, a resend after a dropped reply) the same acknowledgement', async () => {
    const { service, seat } = await startedAttempt();
    const id = saveId();
    const save = { ...seat, itemId: 'l1-q1', value: { type: 'single-choice' as const, optionId: 'b' }, clientSaveId: id };
    const first = await service.saveResponse(save);
    const again = await service.saveResponse(save);
    expect(again).toEqual(first);
    expect(service.db.sqlite.prepare('SELECT COUNT(*) AS n FROM response_revisions').get()).toEqual({ n: 1 });
  });

  it('keeps the text exactly as typed, diacritics and all', async () => {
    const { service, seat } = await startedAttempt();
    const text = 'Ģimenē ir četri cilvēki: māte, tēvs, brālis un es.\n\tŠodien līst 🌧️ — “labi”.';
    await service.saveResponse({ ...seat, itemId: 'w1-q1', value: { type: 'extended-writing', text }, clientSaveId: saveId() });
    const view = await service.getAttempt(seat);
    expect(view.responses[0]?.value).toEqual({ type: 'extended-writing', text });
  });

  it('refuses an answer to an unknown item, of the wrong shape, or in a part that has not started or has ended', async () => {
    const station = await openTestStation();
    const { service, built, staffToken } = station;
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    const save = (itemId: string, value: Parameters<typeof service.saveResponse>[0]['value']) => service.saveResponse({ ...seat, itemId, value, clientSaveId: saveId() });
    expect(await refusal(save('l1-q1', { type: 'single-choice', optionId: 'a' }))).toBe('PART_NOT_STARTED');
    await service.recordTimerEvent({ ...seat, partId: 'listening', kind: 'start' });
    expect(await refusal(save('nope', { type: 'single-choice', optionId: 'a' }))).toBe('ITEM_UNKNOWN');
    expect(await refusal(save('l1-q1', { type: 'short-text', text: 'a' }))).toBe('RESPONSE_SHAPE');
    expect(await refusal(save('l1-q1', { type: 'single-choice', optionId: 'x' }))).toBe('RESPONSE_SHAPE');
    await save('l1-q1', { type: 'single-choice', optionId: 'a' });
    await service.recordTimerEvent({ ...seat, partId: 'listening', kind: 'end' });
    expect(await refusal(save('l1-q1', { type: 'single-choice', optionId: 'b' }))).toBe('ATTEMPT_CLOSED');
    expect((await service.getAttempt(seat)).responses[0]?.value).toEqual({ type: 'single-choice', optionId: 'a' });
  });

  it('refuses saves after the time is up, beyond a short grace for saves in flight', async () => {
    let clock = new Date('2026-11-23T09:00:00Z').getTime();
    const station = await openTestStation({ now: () => new Date(clock) });
    const { service, built, staffToken } = station;
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    await service.recordTimerEvent({ ...seat, partId: 'listening', kind: 'start' });
    await beatFor(600_000 + 2000, (ms) => (clock += ms), () => service.seatHeartbeat(seat));
    await service.saveResponse({ ...seat, itemId: 'l1-q1', value: { type: 'single-choice', optionId: 'a' }, clientSaveId: saveId() });
    await beatFor(10_000, (ms) => (clock += ms), () => service.seatHeartbeat(seat));
    expect(await refusal(service.saveResponse({ ...seat, itemId: 'l1-q1', value: { type: 'single-choice', optionId: 'b' }, clientSaveId: saveId() }))).toBe('TIME_UP');
  });

  it('writes each change and its outbox event together: seq has no gaps and every event names this device', async () => {
    const { service, seat, staffToken } = await startedAttempt();
    for (let i = 0; i < 20; i += 1) await service.saveResponse({ ...seat, itemId: 'r1-q4', value: { type: 'short-text', text: `${i}` }, clientSaveId: saveId() });
    await refusal(service.saveResponse({ ...seat, itemId: 'r1-q4', value: { type: 'short-text', text: 'x'.repeat(51) }, clientSaveId: saveId() }));
    const events = await service.readOutbox({ staffToken, afterSeq: 0, limit: 1000 });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const { deviceId } = await service.getStatus();
    expect(new Set(events.map((e) => e.origin.deviceId))).toEqual(new Set([deviceId]));
    expect(events.every((e) => e.origin.seq === e.seq)).toBe(true);
    expect(events.filter((e) => e.kind === 'response.saved')).toHaveLength(20);
    expect((await service.readOutbox({ staffToken, afterSeq: 10, limit: 5 })).map((e) => e.seq)).toEqual([11, 12, 13, 14, 15]);
  });

  it('resumes the same attempt for the same candidate and package, with its position', async () => {
    const { service, built, seat, staffToken } = await startedAttempt();
    await service.setPosition({ ...seat, partId: 'reading', itemId: 'r1-q2' });
    const again = await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId });
    expect(again.attemptId).toBe(seat.attemptId);
    expect(again.position).toEqual({ partId: 'reading', itemId: 'r1-q2' });
  });
});

describe('station service: speaking audio', () => {
  it('stores segments as they arrive, each checked against its hash, and closes with the hash of the whole', async () => {
    const { service, seat } = await startedAttempt();
    const { recordingId, take, segmentCount } = await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm;codecs=opus' });
    expect([take, segmentCount]).toEqual([1, 0]);
    const segments = Array.from({ length: 5 }, () => randomBytes(8192));
    for (const [index, data] of segments.entries()) {
      const ack = await service.appendAudioSegment({ ...seat, recordingId, index, data, sha256: sha(data), durationMs: 1000 });
      expect(ack).toMatchObject({ index, segmentCount: index + 1, duplicate: false });
    }
    const closed = await service.closeRecording({ ...seat, recordingId });
    expect(closed).toMatchObject({ segmentCount: 5, durationMs: 5000, bytes: 5 * 8192, sha256: sha(Buffer.concat(segments)) });
    expect(service.recordingFile(recordingId).equals(Buffer.concat(segments))).toBe(true);
  });

  it('refuses a damaged segment and a gap, acknowledges a resent one, and refuses segments after close', async () => {
    const { service, seat } = await startedAttempt();
    const { recordingId } = await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    const a = randomBytes(100);
    const b = randomBytes(100);
    expect(await refusal(service.appendAudioSegment({ ...seat, recordingId, index: 0, data: a, sha256: sha(b), durationMs: 1000 }))).toBe('SEGMENT_HASH_MISMATCH');
    await service.appendAudioSegment({ ...seat, recordingId, index: 0, data: a, sha256: sha(a), durationMs: 1000 });
    expect((await service.appendAudioSegment({ ...seat, recordingId, index: 0, data: a, sha256: sha(a), durationMs: 1000 })).duplicate).toBe(true);
    expect(await refusal(service.appendAudioSegment({ ...seat, recordingId, index: 0, data: b, sha256: sha(b), durationMs: 1000 }))).toBe('SEGMENT_OUT_OF_ORDER');
    expect(await refusal(service.appendAudioSegment({ ...seat, recordingId, index: 2, data: b, sha256: sha(b), durationMs: 1000 }))).toBe('SEGMENT_OUT_OF_ORDER');
    await service.closeRecording({ ...seat, recordingId });
    expect(await refusal(service.appendAudioSegment({ ...seat, recordingId, index: 1, data: b, sha256: sha(b), durationMs: 1000 }))).toBe('RECORDING_CLOSED');
  });

  it('after a restart closes the cut-off take with its audio and starts a new one that does not use up the allowance', async () => {
    const station = await startedAttempt();
    const { seat } = station;
    const first = await station.service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    const data = randomBytes(500);
    await station.service.appendAudioSegment({ ...seat, recordingId: first.recordingId, index: 0, data, sha256: sha(data), durationMs: 1000 });
    station.service.close();
    const service = station.reopen();
    const second = await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    expect(second).toMatchObject({ take: 2, segmentCount: 0, interruptedTake: 1 });
    const view = await service.getAttempt(seat);
    expect(view.recordings[0]).toMatchObject({ recordingId: first.recordingId, closed: true, interrupted: true, interruption: 'station-restart', segmentCount: 1, sha256: sha(data) });
    await service.closeRecording({ ...seat, recordingId: second.recordingId });
    // The task allows two recordings: the interrupted one does not count, so one more is allowed.
    const third = await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    expect(third.take).toBe(3);
    await service.closeRecording({ ...seat, recordingId: third.recordingId });
    expect(await refusal(service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' }))).toBe('RECORDING_LIMIT');
    expect(await refusal(service.startRecording({ ...seat, itemId: 'w1-q1', mimeType: 'audio/webm' }))).toBe('ITEM_UNKNOWN');
    service.close();
  });
});

describe('station service: listening plays and timers', () => {
  it('grants a restricted audio only as many times as the content says, across restarts', async () => {
    const station = await startedAttempt();
    const { seat } = station;
    expect(await station.service.grantAudioPlay({ ...seat, stimulusId: 'l1-audio' })).toEqual({ stimulusId: 'l1-audio', play: 1, playLimit: 2, remaining: 1 });
    station.service.close();
    const service = station.reopen();
    expect((await service.getAttempt(seat)).audioPlays).toEqual({ 'l1-audio': 1 });
    expect((await service.grantAudioPlay({ ...seat, stimulusId: 'l1-audio' })).remaining).toBe(0);
    expect(await refusal(service.grantAudioPlay({ ...seat, stimulusId: 'l1-audio' }))).toBe('PLAY_LIMIT');
    service.close();
  });

  it('hands back a play whose audio failed to start: it no longer counts nor lets the audio out, and the next grant takes the next number', async () => {
    let clock = Date.parse('2026-11-23T09:00:00Z');
    const { service, built, staffToken } = await openTestStation({ now: () => new Date(clock) });
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    await service.recordTimerEvent({ ...seat, partId: 'listening', kind: 'start' });
    const audio = { ...seat, stimulusId: 'l1-audio' };
    expect(await service.grantAudioPlay(audio)).toEqual({ stimulusId: 'l1-audio', play: 1, playLimit: 2, remaining: 1 });
    clock += 2000;
    expect(await service.returnAudioPlay({ ...audio, play: 1 })).toEqual({ stimulusId: 'l1-audio', play: 1, playLimit: 2, remaining: 2 });
    // A resend after a lost reply is acknowledged again and changes nothing.
    expect(await service.returnAudioPlay({ ...audio, play: 1 })).toEqual({ stimulusId: 'l1-audio', play: 1, playLimit: 2, remaining: 2 });
    expect((await service.getAttempt(seat)).audioPlays).toEqual({});
    expect(await refusal(service.getMedia({ ...seat, path: 'media/l1.opus' }))).toBe('MEDIA_NOT_GRANTED');
    expect(await service.grantAudioPlay(audio)).toEqual({ stimulusId: 'l1-audio', play: 2, playLimit: 2, remaining: 1 });
    expect((await service.getMedia({ ...seat, path: 'media/l1.opus' })).data.byteLength).toBe(3000);
    expect(await service.grantAudioPlay(audio)).toEqual({ stimulusId: 'l1-audio', play: 3, playLimit: 2, remaining: 0 });
    expect(await refusal(service.grantAudioPlay(audio))).toBe('PLAY_LIMIT');
    expect((await service.getAttempt(seat)).audioPlays).toEqual({ 'l1-audio': 2 });
    const events = await service.readOutbox({ staffToken, afterSeq: 0, limit: 100 });
    expect(events.filter((e) => e.kind.startsWith('audio.')).map((e) => [e.kind, e.payload])).toEqual([
      ['audio.play', { attemptId: seat.attemptId, stimulusId: 'l1-audio', play: 1 }],
      ['audio.play.returned', { attemptId: seat.attemptId, stimulusId: 'l1-audio', play: 1, returnedAt: '2026-11-23T09:00:02.000Z' }],
      ['audio.play', { attemptId: seat.attemptId, stimulusId: 'l1-audio', play: 2 }],
      ['audio.play', { attemptId: seat.attemptId, stimulusId: 'l1-audio', play: 3 }],
    ]);
    service.close();
  });

  it('gives back only the latest play of a recording, only within 10 s of its grant and once per attempt, so a screen cannot replay by claiming failure', async () => {
    let clock = Date.parse('2026-11-23T09:00:00Z');
    const { service, built, staffToken } = await openTestStation({ now: () => new Date(clock) });
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    const audio = { ...seat, stimulusId: 'l1-audio' };
    await service.recordTimerEvent({ ...seat, partId: 'listening', kind: 'start' });
    expect(await refusal(service.returnAudioPlay({ ...audio, play: 1 }))).toBe('PLAY_NOT_RETURNABLE');
    expect(await refusal(service.returnAudioPlay({ ...seat, stimulusId: 'no-such-audio', play: 1 }))).toBe('NOT_FOUND');
    await service.grantAudioPlay(audio);
    await service.grantAudioPlay(audio);
    expect(await refusal(service.returnAudioPlay({ ...audio, play: 1 }))).toBe('PLAY_NOT_RETURNABLE');
    clock += 10_001;
    expect(await refusal(service.returnAudioPlay({ ...audio, play: 2 }))).toBe('PLAY_NOT_RETURNABLE');
    expect((await service.getAttempt(seat)).audioPlays).toEqual({ 'l1-audio': 2 });

    const other = await openTestStation({ now: () => new Date(clock) });
    const seat2 = seatOf(await other.service.openAttempt({ staffToken: other.staffToken, candidateId: 'C-0001', packageId: other.built.manifest.packageId }));
    const audio2 = { ...seat2, stimulusId: 'l1-audio' };
    await other.service.recordTimerEvent({ ...seat2, partId: 'listening', kind: 'start' });
    await other.service.grantAudioPlay(audio2);
    await other.service.returnAudioPlay({ ...audio2, play: 1 });
    expect((await other.service.grantAudioPlay(audio2)).play).toBe(2);
    expect(await refusal(other.service.returnAudioPlay({ ...audio2, play: 2 }))).toBe('PLAY_NOT_RETURNABLE');
    // Across a restart the hand-back is remembered.
    other.service.close();
    const reopened = other.reopen();
    expect(await refusal(reopened.returnAudioPlay({ ...audio2, play: 2 }))).toBe('PLAY_NOT_RETURNABLE');
    expect((await reopened.getAttempt(seat2)).audioPlays).toEqual({ 'l1-audio': 1 });
    // After the part ended nothing is handed back.
    await reopened.recordTimerEvent({ ...seat2, partId: 'listening', kind: 'end' });
    expect(await refusal(reopened.returnAudioPlay({ ...audio2, play: 2 }))).toBe('ATTEMPT_CLOSED');
    reopened.close();
    service.close();
  });

  it('derives remaining time from events; pause, extra time and end are checked transitions', async () => {
    let clock = Date.parse('2026-11-23T09:00:00Z');
    // The invigilator waits out the 5-minute pause at the desk: no inactivity lock in this test.
    const { service, built, staffToken } = await openTestStation({ now: () => new Date(clock), staffLockMs: 3600_000 });
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    const partId = 'listening';
    expect(await refusal(service.staffTimerEvent({ staffToken, attemptId: seat.attemptId, partId, kind: 'pause' }))).toBe('TIMER_TRANSITION');
    await service.recordTimerEvent({ ...seat, partId, kind: 'start' });
    const beat = () => service.seatHeartbeat(seat);
    await beatFor(60_000, (ms) => (clock += ms), beat);
    expect((await service.staffTimerEvent({ staffToken, attemptId: seat.attemptId, partId, kind: 'pause', reason: 'fire alarm' })).remainingMs).toBe(540_000);
    await beatFor(300_000, (ms) => (clock += ms), beat);
    expect((await service.getTimer({ ...seat, partId })).remainingMs).toBe(540_000);
    await service.staffTimerEvent({ staffToken, attemptId: seat.attemptId, partId, kind: 'resume' });
    expect((await service.staffTimerEvent({ staffToken, attemptId: seat.attemptId, partId, kind: 'extend', amountMs: 120_000, grounds: 'accommodation' })).remainingMs).toBe(660_000);
    await service.recordTimerEvent({ ...seat, partId, kind: 'end' });
    expect(await refusal(service.staffTimerEvent({ staffToken, attemptId: seat.attemptId, partId, kind: 'resume' }))).toBe('TIMER_TRANSITION');
    expect((await service.getAttempt(seat)).parts.find((p) => p.partId === partId)).toMatchObject({ submitted: true, timer: { status: 'ended' } });
  });

  it('credits running parts with the time the station was down after a crash, and records it as an event', async () => {
    let clock = Date.parse('2026-11-23T09:00:00Z');
    const station = await openTestStation({ now: () => new Date(clock) });
    const seat = seatOf(await station.service.openAttempt({ staffToken: station.staffToken, candidateId: 'C-0001', packageId: station.built.manifest.packageId }));
    await station.service.recordTimerEvent({ ...seat, partId: 'listening', kind: 'start' });
    clock += 60_000;
    // A crash: the process dies without close(); the last sign of life was the start.
    station.service.db.close();
    clock += 45_000;
    const service = station.reopen();
    const timer = await service.getTimer({ ...seat, partId: 'listening' });
    expect(timer.creditedMs).toBe(105_000);
    expect(timer.remainingMs).toBe(600_000);
    const { staffToken } = await service.staffSignIn(TEST_STAFF);
    const credit = (await service.readOutbox({ staffToken, afterSeq: 0, limit: 100 })).find((e) => e.kind === 'timer.event' && (e.payload as { kind: string }).kind === 'credit');
    expect((credit?.payload as { reason: string }).reason).toMatch(/station restart: 105 s lost/);
    // A part started after the last sign of life is credited from its start.
    service.db.sqlite.prepare("UPDATE meta SET value = ? WHERE key = 'alive_at'").run(String(clock));
    clock += 1000;
    await service.recordTimerEvent({ ...seat, partId: 'reading', kind: 'start' });
    clock += 4000;
    service.db.close();
    clock += 10_000;
    const crashedAgain = station.reopen();
    expect((await crashedAgain.getTimer({ ...seat, partId: 'reading' })).creditedMs).toBe(14_000);
    expect((await crashedAgain.getTimer({ ...seat, partId: 'listening' })).creditedMs).toBe(105_000 + 15_000);
    crashedAgain.close();
    // A clean stop credits nothing.
    clock += 30_000;
    const again = station.reopen();
    expect((await again.getTimer({ ...seat, partId: 'listening' })).creditedMs).toBe(120_000);
    again.close();
  });
});

describe('station service: durability housekeeping', () => {
  it('hands out seq one above the highest ever, also after old events were pruned', async () => {
    const station = await startedAttempt();
    const { seat } = station;
    const save = (service: typeof station.service, text: string) => service.saveResponse({ ...seat, itemId: 'r1-q4', value: { type: 'short-text', text }, clientSaveId: saveId() });
    const before = await save(station.service, 'a');
    // Pruning keeps the floor in the same transaction as the delete.
    station.service.db.transaction(() => {
      station.service.db.sqlite.prepare("INSERT INTO meta (key, value) VALUES ('outbox_seq_floor', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(String(before.seq));
      station.service.db.sqlite.prepare('DELETE FROM outbox').run();
    });
    expect((await save(station.service, 'b')).seq).toBe(before.seq + 1);
    station.service.close();
    const service = station.reopen();
    expect((await save(service, 'c')).seq).toBe(before.seq + 2);
    service.close();
  });

  it('copies the WAL into the database while the station is idle, so saves seldom carry a checkpoint', async () => {
    const { statSync } = await import('node:fs');
    const station = await openTestStation({ heartbeatMs: 50 });
    const seat = seatOf(await station.service.openAttempt({ staffToken: station.staffToken, candidateId: 'C-0001', packageId: station.built.manifest.packageId }));
    await station.service.recordTimerEvent({ ...seat, partId: 'writing', kind: 'start' });
    const walSize = () => statSync(`${station.dbPath}-wal`).size;
    for (let burst = 0; burst < 5; burst += 1) {
      for (let i = 0; i < 100; i += 1) await station.service.saveResponse({ ...seat, itemId: 'w1-q1', value: { type: 'extended-writing', text: `${burst}-${i}` }, clientSaveId: saveId() });
      await new Promise((resolve) => setTimeout(resolve, 120));
    }
    // Each idle checkpoint let the next burst start the WAL over: it holds about one burst (some
    // 350 pages), not all five (about 1,750 pages, 7 MB) as it would until SQLite's own backstop.
    expect(walSize()).toBeGreaterThan(0);
    expect(walSize()).toBeLessThan(3.5 * 1024 * 1024);
    station.service.close();
  });
});

describe('station service: attendance and incidents', () => {
  it('records check-in and incidents as events of the contract, once each', async () => {
    const station = await openTestStation();
    const { service, staffToken, built } = station;
    const before = (await service.getStatus()).lastSeq;
    expect((await service.markAttendance({ staffToken, candidateId: 'C-0001', status: 'absent' })).attendance).toBe('absent');
    expect((await service.markAttendance({ staffToken, candidateId: 'C-0001', status: 'absent' })).attendance).toBe('absent');
    // Opening the attempt seats the candidate: present.
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    const { incidentId } = await service.recordIncident({ staffToken, sessionId: 'S-2026-11-23-RIX01', attemptId: seat.attemptId, kind: 'technical-freezing', note: 'Ekrāns sastinga uz 30 s.' });
    const events = (await service.readOutbox({ staffToken, afterSeq: before, limit: 100 })).filter((e) => e.kind === 'attendance.marked' || e.kind === 'incident.recorded');
    expect(events.map((e) => [e.kind, (e.payload as { status?: string }).status ?? (e.payload as { kind: string }).kind])).toEqual([
      ['attendance.marked', 'absent'],
      ['attendance.marked', 'present'],
      ['incident.recorded', 'technical-freezing'],
    ]);
    expect(events[2]!.payload).toMatchObject({ incidentId, candidateId: 'C-0001', attemptId: seat.attemptId, note: 'Ekrāns sastinga uz 30 s.', recordedBy: TEST_STAFF.username });
    // Each staff record names the person signed in, not a generic desk.
    expect(events.slice(0, 2).map((e) => (e.payload as { markedBy: string }).markedBy)).toEqual([TEST_STAFF.username, TEST_STAFF.username]);
    expect(await refusal(service.markAttendance({ staffToken, candidateId: 'C-9999', status: 'present' }))).toBe('NOT_FOUND');
    expect(await refusal(service.recordIncident({ staffToken, sessionId: 'S-nope', kind: 'other', note: '' }))).toBe('NOT_FOUND');
    expect(await refusal(service.recordIncident({ staffToken, sessionId: 'S-2026-11-23-RIX01', candidateId: 'C-9999', kind: 'other', note: '' }))).toBe('NOT_FOUND');
  });
});
