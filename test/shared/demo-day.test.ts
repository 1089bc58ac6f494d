// The demo day both embedded defaults seed (src-shared/demo-day.ts) must be a roster both sides take:
// the station's venue rule (every session at once, candidate ids unique across them) and the central
// API's per-session rule, with valid personal codes, and the start rule must leave room for check-in.
import { describe, expect, it } from 'vitest';
import { DEMO_SESSIONS, DEMO_START_LEAD_MAX_MS, DEMO_VENUE, demoPackageValidity, demoRoster, demoStartsAt } from '../../src-shared/demo-day.ts';
import { validatePersonalCode } from '../../src-shared/rules/personal-code.ts';
import { checkRosterCandidates, checkVenueRoster } from '../../src-shared/rules/roster.ts';
import { parseAccommodations } from '../../src-shared/rules/accommodations.ts';

const roster = demoRoster('2026-12-02T10:00:00.000Z');

describe('the demo day', () => {
  it("passes the station's venue roster rule whole: three sessions of the demo venue, nine candidates", () => {
    const checked = checkVenueRoster(roster);
    expect(checked.sessions.map((s) => [s.sessionId, s.venueCode, s.venueName, s.room, s.startsAt])).toEqual([
      ['DEMO-vvpp-a2-sample', 'DEMO01', DEMO_VENUE.name, '101', '2026-12-02T10:00:00.000Z'],
      ['DEMO-vvpp-b1-sample', 'DEMO01', DEMO_VENUE.name, '102', '2026-12-02T10:00:00.000Z'],
      ['DEMO-vpd-mat9-sample', 'DEMO01', DEMO_VENUE.name, '103', '2026-12-02T10:00:00.000Z'],
    ]);
    expect(checked.candidates.map((c) => `${c.candidateId} ${c.sessionId} ${c.level ?? '-'}`)).toEqual([
      'DEMO-A2-1 DEMO-vvpp-a2-sample A2',
      'DEMO-A2-2 DEMO-vvpp-a2-sample A2',
      'DEMO-A2-3 DEMO-vvpp-a2-sample A2',
      'DEMO-B1-1 DEMO-vvpp-b1-sample B1',
      'DEMO-B1-2 DEMO-vvpp-b1-sample B1',
      'DEMO-B1-3 DEMO-vvpp-b1-sample B1',
      'DEMO-MAT9-1 DEMO-vpd-mat9-sample -',
      'DEMO-MAT9-2 DEMO-vpd-mat9-sample -',
      'DEMO-MAT9-3 DEMO-vpd-mat9-sample -',
    ]);
  });

  it("passes the central API's roster rule session by session, and no candidate id is on two sessions (the central candidate table's key)", () => {
    for (const session of DEMO_SESSIONS) {
      const rows = roster.candidates.filter((c) => c.sessionId === session.sessionId).map(({ sessionId: _s, ...c }) => c);
      expect(checkRosterCandidates(rows)).toHaveLength(3);
    }
    const ids = roster.candidates.map((c) => c.candidateId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives a person who sits both language tests the same personal code under a candidate id of each session', () => {
    const anna = roster.candidates.filter((c) => c.familyName === 'Bērziņa');
    expect(anna.map((c) => [c.candidateId, c.sessionId, c.personalCode])).toEqual([
      ['DEMO-A2-1', 'DEMO-vvpp-a2-sample', '150785-12340'],
      ['DEMO-B1-1', 'DEMO-vvpp-b1-sample', '150785-12340'],
    ]);
  });

  it('has valid personal codes, each old-format one with the birth date it says', () => {
    for (const c of roster.candidates) {
      const code = validatePersonalCode(c.personalCode);
      expect(code.valid, `${c.candidateId} ${c.personalCode}`).toBe(true);
      if (code.valid && code.format === 'old') expect(c.birthDate).toBe(code.birthDate);
      if (code.valid && code.format === 'new') expect(c.birthDate).toBeNull();
    }
  });

  it('registers one accommodation per session, as a code the station applies, with its document', () => {
    const accommodated = roster.candidates.filter((c) => c.accommodation !== null);
    expect(accommodated.map((c) => c.candidateId)).toEqual(['DEMO-A2-3', 'DEMO-B1-3', 'DEMO-MAT9-3']);
    for (const c of accommodated) {
      expect(parseAccommodations(c.accommodation)).toMatchObject({ extraTimePercent: 25, other: [] });
      expect(c.accommodationDocNo).toMatch(/^ĀA-2026\/\d+$/);
    }
  });

  it('starts on the first full hour at least half an hour after the set-up, never more than DEMO_START_LEAD_MAX_MS after it', () => {
    expect(demoStartsAt(new Date('2026-12-02T09:10:00Z'))).toBe('2026-12-02T10:00:00.000Z');
    expect(demoStartsAt(new Date('2026-12-02T09:30:00Z'))).toBe('2026-12-02T10:00:00.000Z');
    expect(demoStartsAt(new Date('2026-12-02T09:30:00.001Z'))).toBe('2026-12-02T11:00:00.000Z');
    expect(demoStartsAt(new Date('2026-12-02T23:45:00Z'))).toBe('2026-12-03T01:00:00.000Z');
    for (let minute = 0; minute < 60; minute += 1) {
      const now = new Date(Date.UTC(2026, 11, 2, 9, minute, 1));
      const lead = Date.parse(demoStartsAt(now)) - now.getTime();
      expect(lead).toBeGreaterThanOrEqual(30 * 60_000);
      expect(lead).toBeLessThan(DEMO_START_LEAD_MAX_MS);
    }
  });

  it('builds packages valid from a day before to a year after', () => {
    const now = new Date('2026-12-02T09:10:00Z');
    expect(demoPackageValidity(now)).toEqual({ validFrom: new Date('2026-12-01T09:10:00Z'), validUntil: new Date('2027-12-02T09:10:00Z') });
  });
});
