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
