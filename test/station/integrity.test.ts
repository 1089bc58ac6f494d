// What adversarial testing of the station found (issue 7), one behaviour per test: a take left open at
// submission, a reused save id, content and audio to anyone, acting for a candidate by attempt id,
// extra time for withheld heartbeats, unlimited takes, one lockout for everyone, bad package files and
// rosters. Each test failed on the station as it was.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStationHandler } from '../../src-main/station/dispatch.ts';
import type { Caller } from '../../src-shared/contracts/station-api.ts';
import { buildMiniPackage, openTestStation, saveId, seatOf, TEST_STAFF, type TestStation } from '../support/fixtures.ts';
import { refusal } from '../support/refusal.ts';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const PARTS = ['listening', 'reading', 'writing', 'speaking'];

async function seated(station?: TestStation) {
  const s = station ?? (await openTestStation());
  const seat = seatOf(await s.service.openAttempt({ staffToken: s.staffToken, candidateId: 'C-0001', packageId: s.built.manifest.packageId }));
  return { ...s, seat };
}

async function lastSeq(station: TestStation): Promise<number> {
  return (await station.service.getStatus()).lastSeq;
}

describe('a speaking take open at submission (issue 7.3)', () => {
  it('is closed as interrupted with the hash of its audio when the test is submitted', async () => {
    const station = await seated();
    const { service, seat, staffToken } = station;
    for (const partId of PARTS) await service.recordTimerEvent({ ...seat, partId, kind: 'start' });
    const { recordingId } = await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    const segments = [randomBytes(700), randomBytes(900)];
    for (const [index, data] of segments.entries()) await service.appendAudioSegment({ ...seat, recordingId, index, data, sha256: sha(data), durationMs: 1000 });
    for (const partId of PARTS) await service.recordTimerEvent({ ...seat, partId, kind: 'end' });
    expect((await service.finishAttempt(seat)).status).toBe('submitted');
    const events = await service.readOutbox({ staffToken, afterSeq: 0, limit: 1000 });
    const closed = events.find((e) => e.kind === 'recording.closed');
    expect(closed?.payload).toMatchObject({ recordingId, interrupted: true, interruption: 'submitted', sha256: sha(Buffer.concat(segments)), bytes: 1600, segmentCount: 2 });
    // The close comes before the submission in the outbox.
    expect(closed!.seq).toBeLessThan(events.find((e) => e.kind === 'attempt.submitted')!.seq);
  });

  it('is closed at submission after the station crashed mid-take, and at start-up if the attempt was already submitted', async () => {
    const station = await seated();
    const { seat, staffToken } = station;
    for (const partId of PARTS) await station.service.recordTimerEvent({ ...seat, partId, kind: 'start' });
    const { recordingId } = await station.service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    const data = randomBytes(500);
    await station.service.appendAudioSegment({ ...seat, recordingId, index: 0, data, sha256: sha(data), durationMs: 1000 });
    station.service.db.close(); // a crash: no clean stop
    let service = station.reopen();
    for (const partId of PARTS) await service.recordTimerEvent({ ...seat, partId, kind: 'end' });
    await service.finishAttempt(seat);
    expect((await service.getAttempt(seat)).recordings).toEqual([expect.objectContaining({ recordingId, closed: true, interruption: 'submitted', sha256: sha(data) })]);
    service.close();

    // A database where a submitted attempt still has an open take (written by an older station).
    const other = await seated();
    for (const partId of PARTS) await other.service.recordTimerEvent({ ...other.seat, partId, kind: 'start' });
    const take = await other.service.startRecording({ ...other.seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    other.service.db.sqlite.prepare("UPDATE attempts SET status = 'submitted'").run();
    other.service.close();
    service = other.reopen();
    const { staffToken: token } = await service.staffSignIn(TEST_STAFF);
    const events = await service.readOutbox({ staffToken: token, afterSeq: 0, limit: 1000 });
    expect(events.filter((e) => e.kind === 'recording.closed').map((e) => e.payload)).toEqual([expect.objectContaining({ recordingId: take.recordingId, interruption: 'submitted' })]);
    service.close();
    expect(staffToken).toBeTruthy();
  });

  it('refuses every recording call after submission without touching the outbox', async () => {
    const station = await seated();
    const { service, seat } = station;
    for (const partId of PARTS) await service.recordTimerEvent({ ...seat, partId, kind: 'start' });
    const { recordingId } = await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    for (const partId of PARTS) await service.recordTimerEvent({ ...seat, partId, kind: 'end' });
    await service.finishAttempt(seat);
    const before = await lastSeq(station);
    const data = randomBytes(100);
    expect(await refusal(service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' }))).toBe('ATTEMPT_CLOSED');
    expect(await refusal(service.appendAudioSegment({ ...seat, recordingId, index: 0, data, sha256: sha(data), durationMs: 1000 }))).toBe('RECORDING_CLOSED');
    await service.closeRecording({ ...seat, recordingId }); // answers as the first close did
    expect(await refusal(service.grantAudioPlay({ ...seat, stimulusId: 'l1-audio' }))).toBe('ATTEMPT_CLOSED');
    expect(await lastSeq(station)).toBe(before);
  });
});

describe('a save that reuses a clientSaveId (issue 7.4)', () => {
  it('is refused with another value and keeps the stored answer; the same value again is the same acknowledgement', async () => {
    const station = await seated();
    const { service, seat } = station;
    await service.recordTimerEvent({ ...seat, partId: 'reading', kind: 'start' });
    const clientSaveId = saveId();
    const first = await service.saveResponse({ ...seat, itemId: 'r1-q4', value: { type: 'short-text', text: '350' }, clientSaveId });
    const before = await lastSeq(station);
    expect(await refusal(service.saveResponse({ ...seat, itemId: 'r1-q4', value: { type: 'short-text', text: '351' }, clientSaveId }))).toBe('SAVE_ID_REUSED');
    expect(await refusal(service.saveResponse({ ...seat, itemId: 'r1-q1', value: { type: 'gap-fill', gaps: { g1: 'liepaja' } }, clientSaveId }))).toBe('SAVE_ID_REUSED');
    expect(await service.saveResponse({ ...seat, itemId: 'r1-q4', value: { type: 'short-text', text: '350' }, clientSaveId })).toEqual(first);
    expect((await service.getAttempt(seat)).responses).toEqual([expect.objectContaining({ itemId: 'r1-q4', revision: 1, value: { type: 'short-text', text: '350' } })]);
    expect(await lastSeq(station)).toBe(before);
  });
});

describe('content and media (issue 7.5) and acting as a candidate (issue 7.6)', () => {
  it('serves content and media only to the screen holding an open attempt of the package', async () => {
    const station = await seated();
    const { service, seat, staffToken } = station;
    const handler = createStationHandler(service);
    const anyone: Caller = { clientId: 'stranger', surfaces: ['public', 'staff', 'candidate'] };
    const forged = { attemptId: seat.attemptId, candidateToken: 'A'.repeat(43) };
    expect(await handler('getExamContent', { packageId: station.built.manifest.packageId }, anyone)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await handler('getExamContent', forged, anyone)).toMatchObject({ ok: false, error: { code: 'CANDIDATE_TOKEN_WRONG' } });
    expect(await handler('getMedia', { ...forged, path: 'media/l1.opus' }, anyone)).toMatchObject({ ok: false, error: { code: 'CANDIDATE_TOKEN_WRONG' } });
    expect(await handler('listPackages', {}, anyone)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await refusal(service.listPackages({ staffToken: 'x'.repeat(32) }))).toBe('STAFF_REQUIRED');
    expect((await service.getExamContent(seat)).examId).toBe('mini-a2');
    expect((await service.listPackages({ staffToken })).map((p) => p.examId)).toEqual(['mini-a2']);
    for (const partId of PARTS) await service.recordTimerEvent({ ...seat, partId, kind: 'start' });
    for (const partId of PARTS) await service.recordTimerEvent({ ...seat, partId, kind: 'end' });
    await service.finishAttempt(seat);
    expect(await refusal(service.getExamContent(seat))).toBe('ATTEMPT_CLOSED');
    expect(await refusal(service.getMedia({ ...seat, path: 'media/l1.opus' }))).toBe('ATTEMPT_CLOSED');
  });

  it('lets restricted listening audio out only once per granted play, never before one', async () => {
    const { service, seat } = await seated();
    await service.recordTimerEvent({ ...seat, partId: 'listening', kind: 'start' });
    const fetch = () => service.getMedia({ ...seat, path: 'media/l1.opus' });
    expect(await refusal(fetch())).toBe('MEDIA_NOT_GRANTED');
    let served = 0;
    for (let round = 0; round < 6; round += 1) {
      await service.grantAudioPlay({ ...seat, stimulusId: 'l1-audio' }).catch(() => undefined);
      for (let i = 0; i < 3; i += 1) if ((await fetch().then(() => true, () => false))) served += 1;
    }
    // The limit is 2 plays: the bytes left the station exactly twice.
    expect(served).toBe(2);
  });

  it('does not let anyone who knows the attempt id read, save or submit as the candidate', async () => {
    const station = await seated();
    const { service, seat, staffToken, built } = station;
    await service.recordTimerEvent({ ...seat, partId: 'reading', kind: 'start' });
    const forged = { attemptId: seat.attemptId, candidateToken: 'b'.repeat(43) };
    expect(await refusal(service.getCandidate(forged))).toBe('CANDIDATE_TOKEN_WRONG');
    expect(await refusal(service.getAttempt(forged))).toBe('CANDIDATE_TOKEN_WRONG');
    expect(await refusal(service.saveResponse({ ...forged, itemId: 'r1-q4', value: { type: 'short-text', text: 'x' }, clientSaveId: saveId() }))).toBe('CANDIDATE_TOKEN_WRONG');
    expect(await refusal(service.finishAttempt(forged))).toBe('CANDIDATE_TOKEN_WRONG');
    expect(await refusal(service.seatHeartbeat(forged))).toBe('CANDIDATE_TOKEN_WRONG');
    // Opening the attempt on another screen hands that screen a new token; the old one stops working.
    const moved = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    expect(moved.attemptId).toBe(seat.attemptId);
    expect(await refusal(service.getAttempt(seat))).toBe('CANDIDATE_TOKEN_WRONG');
    expect((await service.getAttempt(moved)).attemptId).toBe(seat.attemptId);
    // The token survives a restart (only its hash is stored).
    service.close();
    const reopened = station.reopen();
    expect((await reopened.getCandidate(moved)).givenName).toBe('Anna');
    expect(JSON.stringify(reopened.db.sqlite.prepare('SELECT * FROM attempts').all())).not.toContain(moved.candidateToken);
    reopened.close();
  });
});

describe('heartbeats withheld while working (issue 7.8)', () => {
  it('credits nothing while the screen keeps saving, and credits a real silence', async () => {
    let clock = Date.parse('2026-11-23T09:00:00Z');
    const station = await openTestStation({ now: () => new Date(clock) });
    const { service, seat } = await seated(station);
    await service.recordTimerEvent({ ...seat, partId: 'writing', kind: 'start' });
    expect((await service.seatHeartbeat(seat)).creditedMs).toBe(0);
    for (let i = 0; i < 8; i += 1) {
      clock += 1000;
      await service.saveResponse({ ...seat, itemId: 'w1-q1', value: { type: 'extended-writing', text: `vārds ${i}` }, clientSaveId: saveId() });
    }
    expect((await service.seatHeartbeat(seat)).creditedMs).toBe(0);
    expect((await service.getTimer({ ...seat, partId: 'writing' })).creditedMs).toBe(0);
    clock += 8000;
    const after = await service.seatHeartbeat(seat);
    expect(after.creditedMs).toBe(6000);
  });
});

describe('the take limit of a speaking item (issue 7.9)', () => {
  it('never hands out more takes than allowed plus one free re-record, however often takes are started and left open', async () => {
    const { service, seat } = await seated();
    await service.recordTimerEvent({ ...seat, partId: 'speaking', kind: 'start' });
    let started = 0;
    for (let i = 0; i < 10; i += 1) {
      if (await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' }).then(() => true, () => false)) started += 1;
    }
    // The mini exam allows 2 takes: 2 counted plus the first one a reload cut off.
    expect(started).toBe(3);
    const view = await service.getAttempt(seat);
    expect(view.recordings.map((r) => r.interruption)).toEqual(['seat-restart', 'seat-restart', null]);
    expect(await refusal(service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' }))).toBe('RECORDING_LIMIT');
  });
});

describe('staff sign-in (issue 7.10)', () => {
  const screen = (clientId: string): Caller => ({ clientId, surfaces: ['public', 'staff', 'candidate'] });
  const WRONG = { username: TEST_STAFF.username, password: 'Not-The-Password-1' };

  it('locks out only the screen that guessed wrong, never the invigilator', async () => {
    const { service } = await openTestStation();
    const handler = createStationHandler(service);
    for (let i = 0; i < 5; i += 1) expect(await handler('staffSignIn', WRONG, screen('stranger'))).toMatchObject({ ok: false, error: { code: 'STAFF_SIGN_IN_WRONG' } });
    expect(await handler('staffSignIn', TEST_STAFF, screen('stranger'))).toMatchObject({ ok: false, error: { code: 'STAFF_LOCKED_OUT' } });
    expect(await handler('staffSignIn', TEST_STAFF, screen('invigilator'))).toMatchObject({ ok: true });
  });

  it('once many screens have guessed wrong, a new screen is locked after its first wrong password; a known one is not', async () => {
    const { service } = await openTestStation();
    const handler = createStationHandler(service);
    expect(await handler('staffSignIn', TEST_STAFF, screen('invigilator'))).toMatchObject({ ok: true });
    // Guesses at usernames nobody has: they spend the station's budget but lock no account.
    for (let i = 0; i < 20; i += 1) await handler('staffSignIn', { username: `guess.${i}`, password: WRONG.password }, screen(`bot-${i}`));
    expect(await handler('staffSignIn', WRONG, screen('bot-new'))).toMatchObject({ ok: false, error: { code: 'STAFF_SIGN_IN_WRONG' } });
    expect(await handler('staffSignIn', TEST_STAFF, screen('bot-new'))).toMatchObject({ ok: false, error: { code: 'STAFF_LOCKED_OUT' } });
    for (let i = 0; i < 4; i += 1) await handler('staffSignIn', WRONG, screen('invigilator'));
    expect(await handler('staffSignIn', TEST_STAFF, screen('invigilator'))).toMatchObject({ ok: true });
  });

  it('is not reachable from a screen where a candidate’s test is open, and is again once it is submitted', async () => {
    const station = await openTestStation();
    const { service, built } = station;
    const handler = createStationHandler(service);
    const kiosk = screen('kiosk-1');
    const { value: signedIn } = (await handler('staffSignIn', TEST_STAFF, kiosk)) as { value: { staffToken: string } };
    const opened = (await handler('openAttempt', { staffToken: signedIn.staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }, kiosk)) as { value: { attemptId: string; candidateToken: string } };
    const seat = seatOf(opened.value);
    expect(await handler('staffSignIn', TEST_STAFF, kiosk)).toMatchObject({ ok: false, error: { code: 'STAFF_NOT_ON_CANDIDATE_SCREEN' } });
    expect(await handler('listCandidates', { staffToken: signedIn.staffToken }, kiosk)).toMatchObject({ ok: false, error: { code: 'STAFF_NOT_ON_CANDIDATE_SCREEN' } });
    // Wrong passwords typed there cannot lock the invigilator's own screen either.
    expect(await handler('staffSignIn', TEST_STAFF, screen('invigilator'))).toMatchObject({ ok: true });
    // A kiosk seat's transport does not even carry staff methods.
    expect(await handler('staffSignIn', TEST_STAFF, { clientId: 'seat', surfaces: ['public', 'candidate'] })).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SCREEN' } });
    for (const partId of PARTS) await handler('recordTimerEvent', { ...seat, partId, kind: 'start' }, kiosk);
    for (const partId of PARTS) await handler('recordTimerEvent', { ...seat, partId, kind: 'end' }, kiosk);
    expect(await handler('finishAttempt', seat, kiosk)).toMatchObject({ ok: true, value: { status: 'submitted' } });
    expect(await handler('staffSignIn', TEST_STAFF, kiosk)).toMatchObject({ ok: true });
  });
});

describe('package files that are not packages (issue 7.16)', () => {
  it('refuses a device, a pipe and a folder at once, and a file above the size limit, storing nothing', async () => {
    const station = await openTestStation({ maxPackageBytes: 64 * 1024 });
    const { service, staffToken, dir } = station;
    expect(await refusal(service.importPackage({ staffToken, path: '/dev/zero' }))).toBe('PACKAGE_NOT_A_FILE');
    const fifo = join(dir, 'pipe.exampkg');
    execFileSync('mkfifo', [fifo]);
    expect(await refusal(service.importPackage({ staffToken, path: fifo }))).toBe('PACKAGE_NOT_A_FILE');
    expect(await refusal(service.importPackage({ staffToken, path: dir }))).toBe('PACKAGE_NOT_A_FILE');
    const big = join(dir, 'big.exampkg');
    writeFileSync(big, Buffer.alloc(64 * 1024 + 1));
    expect(await refusal(service.importPackage({ staffToken, path: big }))).toBe('PACKAGE_TOO_LARGE');
    expect(await service.listPackages({ staffToken })).toHaveLength(1);
  });

  it('imports a package of many frames without leaving a half-stored one after a refusal', async () => {
    const station = await openTestStation();
    const { service, staffToken, dir, keys } = station;
    const large = buildMiniPackage(keys, { chunkSize: 1024 });
    const truncated = join(dir, 'truncated.exampkg');
    writeFileSync(truncated, large.file.subarray(0, large.file.length - 100));
    expect(await refusal(service.importPackage({ staffToken, path: truncated }))).toBe('PACKAGE_CONTENT_ALTERED');
    const altered = Buffer.from(large.file);
    altered[altered.length - 2000] = altered[altered.length - 2000]! ^ 1;
    const alteredPath = join(dir, 'altered.exampkg');
    writeFileSync(alteredPath, altered);
    expect(await refusal(service.importPackage({ staffToken, path: alteredPath }))).toBe('PACKAGE_CONTENT_ALTERED');
    expect(service.db.sqlite.prepare('SELECT COUNT(*) AS n FROM packages WHERE package_id = ?').get(large.manifest.packageId)).toEqual({ n: 0 });
    expect(service.db.sqlite.prepare('SELECT COUNT(*) AS n FROM package_frames WHERE package_id = ?').get(large.manifest.packageId)).toEqual({ n: 0 });
    const good = join(dir, 'large.exampkg');
    writeFileSync(good, large.file);
    await service.importPackage({ staffToken, path: good });
    expect(service.db.sqlite.prepare('SELECT COUNT(*) AS n FROM package_frames WHERE package_id = ?').get(large.manifest.packageId)).toEqual({ n: large.manifest.cipher.chunkCount });
  });
});

describe('rosters at the station (issue 7.21)', () => {
  const session = { sessionId: 'S-2', examId: 'mini-a2', venueCode: 'RIX01', venueName: 'Rīga', startsAt: '2026-11-24T09:00:00+02:00' };
  const anna = { candidateId: 'R-1', sessionId: 'S-2', givenName: 'Anna', familyName: 'Bērziņa', personalCode: '150785-12340' };
  const janis = { candidateId: 'R-2', sessionId: 'S-2', givenName: 'Jānis', familyName: 'Kalniņš', personalCode: '161175-19997' };

  async function refused(roster: { sessions: unknown[]; candidates: unknown[] }): Promise<string> {
    const { service, staffToken } = await openTestStation();
    const before = (await service.listCandidates({ staffToken })).length;
    try {
      service.loadRoster(roster as never);
    } catch (error) {
      expect((await service.listCandidates({ staffToken })).length).toBe(before);
      expect((error as { code: string }).code).toBe('ROSTER_INVALID');
      return (error as { detail: string }).detail;
    }
    throw new Error('the roster was accepted');
  }

  it('refuses, naming the row and field, a missing session, a missing name, a duplicate id, an unknown level and one personal code twice, and loads none of it', async () => {
    expect(await refused({ sessions: [session], candidates: [anna, { ...janis, sessionId: 'S-9' }] })).toMatch(/row 2 \(R-2\): sessionId/);
    expect(await refused({ sessions: [session], candidates: [anna, { ...janis, givenName: undefined }] })).toMatch(/row 2 \(R-2\): givenName/);
    expect(await refused({ sessions: [session], candidates: [anna, { ...janis, candidateId: 'R-1' }] })).toMatch(/row 2 \(R-1\): candidateId: is listed twice/);
    expect(await refused({ sessions: [session], candidates: [anna, { ...janis, level: 'Z9' }] })).toMatch(/row 2 \(R-2\): level/);
    expect(await refused({ sessions: [session], candidates: [anna, { ...janis, personalCode: '15078512340' }] })).toMatch(/row 2 \(R-2\): personalCode: is also given to row 1/);
  });

  it('takes a personal code typed with an en dash', async () => {
    const { service, staffToken } = await openTestStation();
    expect(service.loadRoster({ sessions: [session], candidates: [{ ...anna, personalCode: '150785–12340' }] })).toEqual({ sessions: 1, candidates: 1 });
    expect((await service.listCandidates({ staffToken, sessionId: 'S-2' })).map((c) => c.maskedPersonalCode)).toEqual(['15****-***40']);
  });
});

describe('the end of a take (issue 9.4a)', () => {
  it('is not cut off: a close that says more segments were sent than are stored waits for them', async () => {
    const station = await seated();
    const { service, seat } = station;
    await service.recordTimerEvent({ ...seat, partId: 'speaking', kind: 'start' });
    const { recordingId } = await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    const segments = [randomBytes(500), randomBytes(500), randomBytes(300)];
    for (const [index, data] of segments.slice(0, 2).entries()) await service.appendAudioSegment({ ...seat, recordingId, index, data, sha256: sha(data), durationMs: 1000 });
    const before = await lastSeq(station);
    expect(await refusal(service.closeRecording({ ...seat, recordingId, segmentCount: 3 }))).toBe('RECORDING_INCOMPLETE');
    expect(await lastSeq(station)).toBe(before);
    // The last chunk arrives after the first close was sent: it is stored, and the close then succeeds.
    await service.appendAudioSegment({ ...seat, recordingId, index: 2, data: segments[2]!, sha256: sha(segments[2]!), durationMs: 600 });
    const closed = await service.closeRecording({ ...seat, recordingId, segmentCount: 3 });
    expect(closed).toMatchObject({ segmentCount: 3, durationMs: 2600, sha256: sha(Buffer.concat(segments)) });
  });
});
