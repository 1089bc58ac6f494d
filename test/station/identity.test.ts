// "Nē" on the identity screen (issue 9.5): the candidate says the details shown are not theirs before
// any part has begun. The station records a candidate-identity incident with the reason (an event of
// the contract), ends the screen's candidate token so the screen is no longer a candidate screen, and
// leaves the attempt open and not started, so opening it again for the right candidate resumes it.
import { describe, expect, it } from 'vitest';
import { createStationHandler } from '../../src-main/station/dispatch.ts';
import { EVENT_PAYLOADS } from '../../src-shared/contracts/events.ts';
import type { Caller } from '../../src-shared/contracts/station-api.ts';
import { DEMO_SESSION, TEST_STAFF, openTestStation, seatOf } from '../support/fixtures.ts';
import { refusal } from '../support/refusal.ts';

/** A solo station's screen, as the transport names it: the one the attempt is opened on. */
const SCREEN: Caller = { clientId: 'seat-7', surfaces: ['public', 'staff', 'candidate'] };

describe('a candidate who says the details shown are not theirs', () => {
  it('records a candidate-identity incident with the reason, ends the screen token, frees the screen for the invigilator and leaves the attempt open and not started', async () => {
    const { service, built, staffToken } = await openTestStation();
    const call = createStationHandler(service, { validateOutput: true });
    const packageId = built.manifest.packageId;
    // The invigilator signs in on the screen itself: a staff token works only where it was signed in.
    const onScreen = await call('staffSignIn', TEST_STAFF, SCREEN);
    const opened = await call('openAttempt', { staffToken: (onScreen.ok && (onScreen.value as { staffToken: string }).staffToken) || '', candidateId: 'C-0001', packageId }, SCREEN);
    if (!opened.ok) throw new Error(JSON.stringify(opened.error));
    const seat = seatOf(opened.value as { attemptId: string; candidateToken: string });
    // While the screen holds the open attempt it is a candidate screen: no staff sign-in there.
    expect(await call('staffSignIn', TEST_STAFF, SCREEN)).toMatchObject({ ok: false, error: { code: 'STAFF_NOT_ON_CANDIDATE_SCREEN' } });
    const before = (await service.readOutbox({ staffToken, afterSeq: 0, limit: 1000 })).length;

    expect(await call('declineIdentity', { ...seat, reason: 'personal-code' }, SCREEN)).toMatchObject({ ok: true, value: { incidentId: expect.any(String), at: expect.any(String) } });

    const events = (await service.readOutbox({ staffToken, afterSeq: 0, limit: 1000 })).slice(before);
    expect(events.map((e) => e.kind)).toEqual(['incident.recorded']);
    expect(EVENT_PAYLOADS['incident.recorded'].parse(events[0]!.payload)).toMatchObject({
      sessionId: DEMO_SESSION.sessionId,
      candidateId: 'C-0001',
      attemptId: seat.attemptId,
      kind: 'candidate-identity',
      note: expect.stringContaining('personal code'),
      recordedBy: 'candidate',
    });
    // The screen's token is ended: nothing more can be done as the candidate from it.
    expect(await call('getAttempt', seat, SCREEN)).toMatchObject({ ok: false, error: { code: 'CANDIDATE_TOKEN_WRONG' } });
    expect(await call('declineIdentity', { ...seat, reason: 'personal-code' }, SCREEN)).toMatchObject({ ok: false, error: { code: 'CANDIDATE_TOKEN_WRONG' } });
    // The screen is the invigilator's again, and opening the attempt for the candidate resumes it untouched.
    const signedIn = await call('staffSignIn', TEST_STAFF, SCREEN);
    expect(signedIn).toMatchObject({ ok: true });
    const again = await call('openAttempt', { staffToken: (signedIn.ok && (signedIn.value as { staffToken: string }).staffToken) || '', candidateId: 'C-0001', packageId }, SCREEN);
    expect(again).toMatchObject({
      ok: true,
      value: { attemptId: seat.attemptId, status: 'open', responses: [], parts: [{ timer: { status: 'not-started' } }, { timer: { status: 'not-started' } }, { timer: { status: 'not-started' } }, { timer: { status: 'not-started' } }] },
    });
    const resumed = seatOf((again as { value: { attemptId: string; candidateToken: string } }).value);
    expect(await call('getAttempt', resumed, SCREEN)).toMatchObject({ ok: true, value: { attemptId: seat.attemptId, status: 'open' } });
  });

  it('is refused once a part has begun (ATTEMPT_STARTED) and after the test was submitted (ATTEMPT_CLOSED), and records nothing', async () => {
    const { service, built, staffToken } = await openTestStation();
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    await service.recordTimerEvent({ ...seat, partId: 'listening', kind: 'start' });
    const before = (await service.readOutbox({ staffToken, afterSeq: 0, limit: 1000 })).length;
    expect(await refusal(service.declineIdentity({ ...seat, reason: 'not-me' }))).toBe('ATTEMPT_STARTED');
    // The token still works: the candidate goes on with the test.
    expect((await service.getAttempt(seat)).status).toBe('open');
    for (const partId of ['listening', 'reading', 'writing', 'speaking']) {
      if (partId !== 'listening') await service.recordTimerEvent({ ...seat, partId, kind: 'start' });
      await service.recordTimerEvent({ ...seat, partId, kind: 'end' });
    }
    await service.finishAttempt(seat);
    const after = (await service.readOutbox({ staffToken, afterSeq: 0, limit: 1000 })).length;
    expect(await refusal(service.declineIdentity({ ...seat, reason: 'not-me' }))).toBe('ATTEMPT_CLOSED');
    const events = await service.readOutbox({ staffToken, afterSeq: 0, limit: 1000 });
    expect(events.length).toBe(after);
    expect(events.slice(before).map((e) => e.kind)).not.toContain('incident.recorded');
  });
});
