// The demo day: the one definition of the demo venue, its sessions and their roster that both embedded
// defaults seed — the station's (src-main/host/demo.ts, `npm start`) and the central API's
// (src-server/demo-seed.ts, `npm run server`) — so a hub that reads the central feed finds the venue,
// sessions and candidates a demo station has, under the same ids. Data and the rules of the demo's
// time (when its sessions start, how long its packages are valid); building packages and storing rows
// is each seed's own job.
import type { CANDIDATE_LEVELS, RosterCandidateInput, RosterSessionInput } from './rules/roster.ts';

/** The demo venue: its code is the one the demo's packages are built for and a demo station checks them against. */
export const DEMO_VENUE = { code: 'DEMO01', name: 'Demonstrācijas eksāmenu vieta', address: 'Demonstrācijas iela 1, Rīga' } as const;

/** A person on the demo roster. The adults sit both language tests: a candidate id is per session, the person is the same. */
interface DemoPerson {
  givenName: string;
  familyName: string;
  personalCode: string;
  birthDate: string | null;
  /** A registered accommodation (a code of rules/accommodations.ts) with the document that grants it. */
  accommodation?: { code: string; docNo: string; docDate: string };
}

const ADULTS: readonly DemoPerson[] = [
  { givenName: 'Anna', familyName: 'Bērziņa', personalCode: '150785-12340', birthDate: '1985-07-15' },
  { givenName: 'Jānis', familyName: 'Kalniņš', personalCode: '161175-19997', birthDate: '1975-11-16' },
  // A personal code of the new format (from 2017) carries no birth date.
  { givenName: 'Olga', familyName: 'Ivanova', personalCode: '32845019376', birthDate: null, accommodation: { code: 'extra-time-25', docNo: 'ĀA-2026/117', docDate: '2026-10-01' } },
];

const PUPILS: readonly DemoPerson[] = [
  { givenName: 'Marta', familyName: 'Liepiņa', personalCode: '140311-20126', birthDate: '2011-03-14' },
  { givenName: 'Roberts', familyName: 'Ozols', personalCode: '020611-20348', birthDate: '2011-06-02' },
  { givenName: 'Daniils', familyName: 'Petrovs', personalCode: '250910-20454', birthDate: '2010-09-25', accommodation: { code: 'extra-time-25', docNo: 'ĀA-2026/118', docDate: '2026-10-01' } },
];

export interface DemoSession {
  /** The sample's folder under assets/samples/. */
  sample: string;
  /** The exam id the sample's content.json declares (a seed refuses a package that says otherwise). */
  examId: string;
  sessionId: string;
  room: string;
  /** The language-test level of its candidates; null for a centralized exam. */
  level: (typeof CANDIDATE_LEVELS)[number] | null;
  people: readonly DemoPerson[];
}

/** The samples the demo offers, one session each, in the order the demo lists them. */
export const DEMO_SESSIONS: readonly DemoSession[] = [
  { sample: 'a2', examId: 'vvpp-a2-sample', sessionId: 'DEMO-vvpp-a2-sample', room: '101', level: 'A2', people: ADULTS },
  { sample: 'b1', examId: 'vvpp-b1-sample', sessionId: 'DEMO-vvpp-b1-sample', room: '102', level: 'B1', people: ADULTS },
  { sample: 'mat9', examId: 'vpd-mat9-sample', sessionId: 'DEMO-vpd-mat9-sample', room: '103', level: null, people: PUPILS },
];

const HOUR_MS = 3_600_000;

/**
 * When the demo's sessions start: the first full hour at least half an hour after the demo was set up,
 * so that a candidate checked in on the demo day is on time (a fixed 09:00 made everyone late after it).
 */
export function demoStartsAt(now: Date): string {
  return new Date(Math.ceil((now.getTime() + HOUR_MS / 2) / HOUR_MS) * HOUR_MS).toISOString();
}

/**
 * The longest demoStartsAt puts the start after the set-up (just under 90 minutes). The central demo
 * releases a session's key this long before its start, so a hub can have the key as soon as the demo
 * is seeded while its candidates, checked in before the start, are on time.
 */
export const DEMO_START_LEAD_MAX_MS = 90 * 60_000;

/** The validity of the demo's packages: from a day before they were built to a year after. */
export function demoPackageValidity(now: Date): { validFrom: Date; validUntil: Date } {
  return { validFrom: new Date(now.getTime() - 24 * HOUR_MS), validUntil: new Date(now.getTime() + 365 * 24 * HOUR_MS) };
}

export interface DemoRoster {
  sessions: RosterSessionInput[];
  candidates: (RosterCandidateInput & { sessionId: string })[];
}

/**
 * The demo's sessions and candidates as a venue loads them (rules/roster.ts checkVenueRoster), every
 * session starting at `startsAt`. Candidate ids are DEMO-<SAMPLE>-<n>, unique across the sessions as
 * both the station and the central API require.
 */
export function demoRoster(startsAt: string): DemoRoster {
  const sessions = DEMO_SESSIONS.map((s) => ({ sessionId: s.sessionId, examId: s.examId, venueCode: DEMO_VENUE.code, venueName: DEMO_VENUE.name, room: s.room, startsAt, endsAt: null }));
  const candidates = DEMO_SESSIONS.flatMap((s) =>
    s.people.map(({ accommodation, ...person }, p) => ({
      ...person,
      candidateId: `DEMO-${s.sample.toUpperCase()}-${p + 1}`,
      sessionId: s.sessionId,
      level: s.level,
      accommodation: accommodation?.code ?? null,
      accommodationDocNo: accommodation?.docNo ?? null,
      accommodationDocDate: accommodation?.docDate ?? null,
    })),
  );
  return { sessions, candidates };
}
