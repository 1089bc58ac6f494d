// A session's roster, checked with the same rules wherever it is written: at the central API when the
// agency publishes it and at the station when it arrives. Every problem names its row and field, and a
// roster with any problem is refused whole, so a venue never works from half a list.
import { z } from 'zod';
import { validatePersonalCode } from './personal-code.ts';

const isoDate = z.iso.date();
/** No control characters (a pasted tab or NUL would print and sort wrongly on every list); C0, DEL and C1. */
const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => s.trim().length > 0, 'must not be empty')
    .refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters');

export const CANDIDATE_LEVELS = ['A1', 'A2', 'B1', 'B2', 'C1', 'C2'] as const;

export const RosterCandidate = z.object({
  candidateId: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'),
  givenName: text(200),
  familyName: text(200),
  personalCode: z.string().min(1).max(20),
  birthDate: isoDate.nullable().default(null),
  /** The language-test level and degree; null for a centralized exam. */
  level: z.enum(CANDIDATE_LEVELS).nullable().default(null),
  /** The accommodation granted, e.g. "extra time 30 min"; never a diagnosis (MK 117 11.3.10). */
  accommodation: z.string().max(500).nullable().default(null),
  accommodationDocNo: z.string().max(100).nullable().default(null),
  accommodationDocDate: isoDate.nullable().default(null),
});
export type RosterCandidateInput = z.input<typeof RosterCandidate>;
export type RosterCandidate = z.output<typeof RosterCandidate>;

export interface RosterProblem {
  /** 0-based position in the list as sent. */
  row: number;
  candidateId: string | undefined;
  field: string;
  message: string;
}

/** A roster that cannot be taken: every problem found (up to a limit), each with its row and field. */
export class RosterError extends Error {
  override name = 'RosterError';
  readonly problems: RosterProblem[];

  constructor(problems: RosterProblem[]) {
    super(`roster refused: ${describeProblems(problems)}`);
    this.problems = problems;
  }
}

const MAX_PROBLEMS = 50;

export function describeProblems(problems: RosterProblem[]): string {
  const shown = problems.slice(0, 10).map((p) => `row ${p.row + 1}${p.candidateId ? ` (${p.candidateId})` : ''}: ${p.field}: ${p.message}`);
  return problems.length > shown.length ? `${shown.join('; ')}; and ${problems.length - shown.length} more` : shown.join('; ');
}

const PERSONAL_CODE_REASONS: Record<string, string> = {
  length: 'must be 11 digits (DDMMYY-CNNNK or 32…39 and nine digits)',
  characters: 'may hold only digits, spaces and one hyphen',
  century: 'the century digit (7th) must be 0, 1 or 2',
  date: 'the first six digits are not a real date',
  'check-digit': 'the check digit (last) does not match: a digit is mistyped',
};

/**
 * Check a session's candidates. Returns them normalised (personal code without hyphen or spaces);
 * throws RosterError naming every bad row and field, and also a candidate id listed twice and one
 * personal code given to two candidates of the session.
 */
export function checkRosterCandidates(rows: readonly unknown[]): RosterCandidate[] {
  const problems: RosterProblem[] = [];
  const out: RosterCandidate[] = [];
  const idRows = new Map<string, number>();
  const codeRows = new Map<string, number>();
  rows.forEach((raw, row) => {
    if (problems.length >= MAX_PROBLEMS) return;
    const rawId = typeof raw === 'object' && raw !== null && typeof (raw as { candidateId?: unknown }).candidateId === 'string' ? (raw as { candidateId: string }).candidateId : undefined;
    const parsed = RosterCandidate.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ row, candidateId: rawId, field: issue.path.join('.') || '(row)', message: issue.message });
      return;
    }
    const candidate = parsed.data;
    const code = validatePersonalCode(candidate.personalCode);
    if (!code.valid) {
      problems.push({ row, candidateId: candidate.candidateId, field: 'personalCode', message: PERSONAL_CODE_REASONS[code.reason] ?? code.reason });
      return;
    }
    const earlierId = idRows.get(candidate.candidateId);
    if (earlierId !== undefined) problems.push({ row, candidateId: candidate.candidateId, field: 'candidateId', message: `is listed twice (also row ${earlierId + 1})` });
    idRows.set(candidate.candidateId, row);
    const earlierCode = codeRows.get(code.normalised);
    if (earlierCode !== undefined) problems.push({ row, candidateId: candidate.candidateId, field: 'personalCode', message: `is also given to row ${earlierCode + 1}` });
    codeRows.set(code.normalised, row);
    if (code.format === 'old' && candidate.birthDate !== null && candidate.birthDate !== code.birthDate) {
      problems.push({ row, candidateId: candidate.candidateId, field: 'birthDate', message: `${candidate.birthDate} differs from the date in the personal code (${code.birthDate})` });
    }
    out.push({ ...candidate, personalCode: code.normalised });
  });
  if (problems.length > 0) throw new RosterError(problems);
  return out;
}

/** A session as a venue receives it (MK 117 11.1 place and 11.2 time). */
export const RosterSession = z.object({
  sessionId: z.string().min(1).max(64).regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'),
  examId: z.string().min(1).max(64),
  venueCode: z.string().min(1).max(64),
  venueName: text(300),
  room: z.string().max(100).nullable().default(null),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }).nullable().default(null),
});
export type RosterSessionInput = z.input<typeof RosterSession>;
export type RosterSession = z.output<typeof RosterSession>;

export interface VenueRosterInput {
  sessions: readonly unknown[];
  /** Each candidate names its session. */
  candidates: readonly unknown[];
}

export interface VenueRoster {
  sessions: RosterSession[];
  candidates: (RosterCandidate & { sessionId: string })[];
}

/**
 * Check what a venue loads at once: sessions, and candidates each of a session that is in the list or
 * already known at the venue. The per-session rules of checkRosterCandidates hold within each
 * session; a candidate id is unique across the whole list. Rows are numbered as sent.
 */
export function checkVenueRoster(input: VenueRosterInput, knownSessionIds: ReadonlySet<string> = new Set()): VenueRoster {
  const problems: RosterProblem[] = [];
  const sessions: RosterSession[] = [];
  input.sessions.forEach((raw, row) => {
    const parsed = RosterSession.safeParse(raw);
    if (!parsed.success) for (const issue of parsed.error.issues) problems.push({ row, candidateId: undefined, field: `sessions.${issue.path.join('.') || '(row)'}`, message: issue.message });
    else sessions.push(parsed.data);
  });
  const sessionIds = new Set([...knownSessionIds, ...sessions.map((s) => s.sessionId)]);
  const bySession = new Map<string, { row: number; raw: unknown }[]>();
  input.candidates.forEach((raw, row) => {
    const sessionId = typeof raw === 'object' && raw !== null ? (raw as { sessionId?: unknown }).sessionId : undefined;
    const candidateId = typeof raw === 'object' && raw !== null && typeof (raw as { candidateId?: unknown }).candidateId === 'string' ? (raw as { candidateId: string }).candidateId : undefined;
    if (typeof sessionId !== 'string' || !sessionIds.has(sessionId)) {
      problems.push({ row, candidateId, field: 'sessionId', message: typeof sessionId === 'string' ? `session ${sessionId.slice(0, 64)} is not in the roster or at this venue` : 'is missing' });
      return;
    }
    const list = bySession.get(sessionId) ?? [];
    list.push({ row, raw });
    bySession.set(sessionId, list);
  });
  const candidates: VenueRoster['candidates'] = [];
  const seenIds = new Map<string, number>();
  for (const [sessionId, rows] of bySession) {
    // Within a session the per-session rules hold; row numbers are mapped back to the list as sent.
    const withoutSession = rows.map((r) => Object.fromEntries(Object.entries(r.raw as Record<string, unknown>).filter(([key]) => key !== 'sessionId')));
    const outcome = ((): RosterCandidate[] | RosterError => {
      try {
        return checkRosterCandidates(withoutSession);
      } catch (error) {
        if (error instanceof RosterError) return error;
        throw error;
      }
    })();
    if (outcome instanceof RosterError) {
      for (const p of outcome.problems) problems.push({ ...p, row: rows[p.row]!.row, message: p.message.replace(/row (\d+)/g, (_m, n: string) => `row ${rows[Number(n) - 1]!.row + 1}`) });
      continue;
    }
    outcome.forEach((candidate, i) => {
      const row = rows[i]!.row;
      const earlier = seenIds.get(candidate.candidateId);
      if (earlier !== undefined) problems.push({ row, candidateId: candidate.candidateId, field: 'candidateId', message: `is listed twice (also row ${earlier + 1})` });
      seenIds.set(candidate.candidateId, row);
      candidates.push({ ...candidate, sessionId });
    });
  }
  if (problems.length > 0) throw new RosterError(problems.sort((a, b) => a.row - b.row));
  return { sessions, candidates };
}
