// A pause stops the candidate at the station, not only on the screen (issue 9.6): the clock is
// frozen, a save on its way when the invigilator paused is still taken, then nothing is changed until
// the part resumes; a take already under way may finish, a new one waits.
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openTestStation, saveId, seatOf } from '../support/fixtures.ts';
import { refusal } from '../support/refusal.ts';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

describe('a part the invigilator paused', () => {
  it('freezes the time and refuses changes until it resumes, taking saves that were on their way', async () => {
    let clock = Date.parse('2026-11-23T09:00:00Z');
    const station = await openTestStation({ now: () => new Date(clock) });
    const { service, staffToken, built } = station;
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    for (const partId of ['listening', 'speaking']) await service.recordTimerEvent({ ...seat, partId, kind: 'start' });
    const take = await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    clock += 1000;
    const paused = await service.staffTimerEvent({ staffToken, attemptId: seat.attemptId, partId: 'listening', kind: 'pause', reason: 'trauksme' });
    expect(paused).toMatchObject({ status: 'paused', pausedAt: clock, remainingMs: 599_000 });
    await service.staffTimerEvent({ staffToken, attemptId: seat.attemptId, partId: 'speaking', kind: 'pause', reason: 'trauksme' });
    const save = (optionId: string) => service.saveResponse({ ...seat, itemId: 'l1-q1', value: { type: 'single-choice', optionId }, clientSaveId: saveId() });
    clock += 2000;
    expect((await save('a')).revision).toBe(1);
    clock += 4000;
    expect(await refusal(save('b'))).toBe('PART_PAUSED');
    expect(await refusal(service.grantAudioPlay({ ...seat, stimulusId: 'l1-audio' }))).toBe('PART_PAUSED');
    expect(await refusal(service.recordTimerEvent({ ...seat, partId: 'listening', kind: 'end' }))).toBe('PART_PAUSED');
    // The take that was running may finish: what was said is kept.
    const data = randomBytes(400);
    await service.appendAudioSegment({ ...seat, recordingId: take.recordingId, index: 0, data, sha256: sha(data), durationMs: 1000 });
    await service.closeRecording({ ...seat, recordingId: take.recordingId });
    expect(await refusal(service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' }))).toBe('PART_PAUSED');
    clock += 60_000;
    expect((await service.getTimer({ ...seat, partId: 'listening' })).remainingMs).toBe(599_000);
    await service.staffTimerEvent({ staffToken, attemptId: seat.attemptId, partId: 'listening', kind: 'resume' });
    expect((await save('b')).revision).toBe(2);
    expect((await service.getAttempt(seat)).responses).toEqual([expect.objectContaining({ itemId: 'l1-q1', revision: 2, value: { type: 'single-choice', optionId: 'b' } })]);
  });
});
