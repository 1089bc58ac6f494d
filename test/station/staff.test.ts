import { describe, expect, it } from 'vitest';
import { refusal } from '../support/refusal.ts';
import { createStationHandler } from '../../src-main/station/dispatch.ts';
import { LATEST_SCHEMA_VERSION } from '../../src-main/station/migrations/index.ts';
import { TEST_STAFF, openTestStation, saveId, seatOf } from '../support/fixtures.ts';

describe('the invigilator desk and the candidate surface', () => {
  it('opens staff methods only with a token from the right password, and locks the screen out after five wrong ones', async () => {
    let clock = Date.parse('2026-11-23T09:00:00Z');
    const { service, built } = await openTestStation({ now: () => new Date(clock) });
    expect(await refusal(service.listCandidates({ staffToken: 'x'.repeat(32) }))).toBe('STAFF_REQUIRED');
    expect(await refusal(service.openAttempt({ staffToken: 'x'.repeat(32), candidateId: 'C-0001', packageId: built.manifest.packageId }))).toBe('STAFF_REQUIRED');
    for (let i = 0; i < 5; i += 1) expect(await refusal(service.staffSignIn({ username: TEST_STAFF.username, password: 'Wrong-Password-1' }))).toBe('STAFF_SIGN_IN_WRONG');
    expect(await refusal(service.staffSignIn(TEST_STAFF))).toBe('STAFF_LOCKED_OUT');
    clock += 61_000;
    const { staffToken } = await service.staffSignIn(TEST_STAFF);
    expect((await service.listCandidates({ staffToken })).map((c) => c.maskedPersonalCode)).toEqual(['15****-***40']);
  });

  it('lets the candidate start and end their own part, but not pause it or add time', async () => {
    const { service, built, staffToken } = await openTestStation();
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    const call = createStationHandler(service);
    const candidateScreen = { clientId: 'seat-screen', surfaces: ['public', 'candidate'] as const };
    expect(await call('recordTimerEvent', { ...seat, partId: 'listening', kind: 'start' }, candidateScreen)).toMatchObject({ ok: true, value: { status: 'running' } });
    expect(await call('recordTimerEvent', { ...seat, partId: 'listening', kind: 'extend', amountMs: 60_000 }, candidateScreen)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await call('recordTimerEvent', { ...seat, partId: 'listening', kind: 'pause' }, candidateScreen)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    // Even with a staff token, the invigilator's timer actions are not served to a candidate's screen.
    expect(await call('staffTimerEvent', { staffToken, attemptId: seat.attemptId, partId: 'listening', kind: 'pause' }, candidateScreen)).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SCREEN' } });
    expect((await service.staffTimerEvent({ staffToken, attemptId: seat.attemptId, partId: 'listening', kind: 'pause' })).status).toBe('paused');
  });

  it('shows the candidate their own identity with the personal code masked', async () => {
    const { service, built, staffToken } = await openTestStation();
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    expect(await service.getCandidate(seat)).toMatchObject({ givenName: 'Anna', familyName: 'Bērziņa', maskedPersonalCode: '15****-***40', level: 'A2' });
  });

  it('submits the test only when every part has ended, then refuses further answers', async () => {
    const { service, built, staffToken } = await openTestStation();
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    await service.recordTimerEvent({ ...seat, partId: 'listening', kind: 'start' });
    expect(await refusal(service.finishAttempt(seat))).toBe('ATTEMPT_UNFINISHED');
    for (const partId of ['listening', 'reading', 'writing', 'speaking']) {
      if (partId !== 'listening') await service.recordTimerEvent({ ...seat, partId, kind: 'start' });
      await service.recordTimerEvent({ ...seat, partId, kind: 'end' });
    }
    expect((await service.finishAttempt(seat)).status).toBe('submitted');
    expect((await service.finishAttempt(seat)).status).toBe('submitted');
    expect(await refusal(service.saveResponse({ ...seat, itemId: 'l1-q1', value: { type: 'single-choice', optionId: 'a' }, clientSaveId: saveId() }))).toBe('ATTEMPT_CLOSED');
  });
});

describe('seat heartbeats', () => {
  it('credits a running part with the time a seat was silent (a reload), and nothing for steady beats', async () => {
    let clock = Date.parse('2026-11-23T09:00:00Z');
    const { service, built, staffToken } = await openTestStation({ now: () => new Date(clock) });
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    await service.recordTimerEvent({ ...seat, partId: 'reading', kind: 'start' });
    for (let i = 0; i < 5; i += 1) {
      expect((await service.seatHeartbeat(seat)).creditedMs).toBe(0);
      clock += 2000;
    }
    clock += 20_000;
    const beat = await service.seatHeartbeat(seat);
    expect(beat.creditedMs).toBe(20_000);
    expect(beat.parts.find((p) => p.partId === 'reading')!.timer).toMatchObject({ status: 'running', creditedMs: 20_000 });
    expect(beat.parts.find((p) => p.partId === 'listening')!.timer).toMatchObject({ status: 'not-started', creditedMs: 0 });
  });
});

describe('the API boundary (what IPC and HTTP hand to the service)', () => {
  it('validates every input with the contract and answers with a bilingual error body', async () => {
    const { service } = await openTestStation();
    const handler = createStationHandler(service, { validateOutput: true });
    const solo = { clientId: 'screen-1', surfaces: ['public', 'staff', 'candidate'] as const };
    const call = (method: string, input: unknown) => handler(method, input, solo);
    expect(await call('dropTables', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', detail: 'no station method dropTables' } });
    const bad = await call('saveResponse', { attemptId: 'not-a-uuid', itemId: 'x', value: { type: 'nope' }, clientSaveId: saveId() });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED', message: { lv: expect.stringMatching(/nav derīgs/), en: expect.stringMatching(/not valid/) } } });
    expect(await call('getStatus', { extra: 1 })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await call('toString', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await call('__proto__', {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const status = await call('getStatus', {});
    expect(status).toMatchObject({ ok: true, value: { role: 'solo', schemaVersion: LATEST_SCHEMA_VERSION } });
  });
});
