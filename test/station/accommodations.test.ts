// Registered accommodations (issue 10.5): a candidate whose roster entry grants extra time gets it when
// each part starts, recorded as extra time with the accommodation and its document as the reason; the
// codes are read strictly and anything else is kept for the invigilator, never guessed at.
import { describe, expect, it } from 'vitest';
import { accommodationExtraMs, parseAccommodations } from '../../src-shared/rules/accommodations.ts';
import { DEMO_CANDIDATE, DEMO_SESSION, openTestStation, seatOf } from '../support/fixtures.ts';

describe('accommodation codes', () => {
  it('reads extra time, large print and a separate room, and keeps what is not a code as written', () => {
    expect(parseAccommodations('extra-time-25; large-print')).toEqual({ extraTimePercent: 25, largePrint: true, separateRoom: false, other: [] });
    expect(parseAccommodations('Separate-Room, papildu laiks 30 min')).toEqual({ extraTimePercent: null, largePrint: false, separateRoom: true, other: ['papildu laiks 30 min'] });
    expect(parseAccommodations(null)).toEqual({ extraTimePercent: null, largePrint: false, separateRoom: false, other: [] });
    // Out of range is not a code: kept for the invigilator, nothing applied.
    expect(parseAccommodations('extra-time-0, extra-time-150')).toMatchObject({ extraTimePercent: null, other: ['extra-time-0', 'extra-time-150'] });
    expect(accommodationExtraMs(20 * 60_000, parseAccommodations('extra-time-25'))).toBe(5 * 60_000);
    expect(accommodationExtraMs(10 * 60_000, parseAccommodations('large-print'))).toBe(0);
  });
});

describe('a registered extra-time accommodation', () => {
  it('is given when each part starts, with the document as the reason, and not to other candidates', async () => {
    const station = await openTestStation();
    const { service, staffToken, built } = station;
    service.loadRoster({
      sessions: [DEMO_SESSION],
      candidates: [DEMO_CANDIDATE, { ...DEMO_CANDIDATE, candidateId: 'C-0002', personalCode: '010101-10006', birthDate: null, accommodation: 'extra-time-25', accommodationDocNo: 'ĀA-2026/117', accommodationDocDate: '2026-10-01' }],
    });
    const packageId = built.manifest.packageId;
    const plain = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId }));
    const extra = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0002', packageId }));
    const limitMs = 900_000; // the mini exam's reading part: 15 minutes
    // The candidate's screen knows it before any part starts (the introduction says it).
    expect((await service.getAttempt(extra)).extraTimePercent).toBe(25);
    expect((await service.getAttempt(plain)).extraTimePercent).toBeNull();
    const before = service.outbox.lastSeq();
    const plainStart = await service.recordTimerEvent({ ...plain, partId: 'reading', kind: 'start' });
    const extraStart = await service.recordTimerEvent({ ...extra, partId: 'reading', kind: 'start' });
    expect(plainStart.remainingMs).toBeLessThanOrEqual(limitMs);
    expect(extraStart.remainingMs).toBeGreaterThan(limitMs);
    expect(extraStart.remainingMs).toBeLessThanOrEqual(limitMs * 1.25);
    const timerEvents = service.outbox.read(before, 100).filter((e) => e.kind === 'timer.event').map((e) => e.payload as { attemptId: string; kind: string; amountMs: number | null; reason: string | null });
    expect(timerEvents.filter((e) => e.attemptId === plain.attemptId).map((e) => e.kind)).toEqual(['start']);
    expect(timerEvents.filter((e) => e.attemptId === extra.attemptId)).toEqual([
      expect.objectContaining({ kind: 'start' }),
      expect.objectContaining({ kind: 'extend', amountMs: limitMs / 4, reason: 'registered accommodation: extra-time-25 (ĀA-2026/117, 2026-10-01)' }),
    ]);
    service.close();
  });
});
