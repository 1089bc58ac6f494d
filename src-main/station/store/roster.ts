// Sessions and candidates as the venue receives them. Only the MK 117 point 11.3 fields a venue needs;
// no diagnoses, only the accommodation granted with its document number and date.
import { StationError } from '../../../src-shared/errors.ts';
import { maskPersonalCode, validatePersonalCode } from '../../../src-shared/personal-code.ts';
import type { CandidateView } from '../../../src-shared/station-api.ts';
import type { StationDatabase } from '../database.ts';
import type { Selectable } from 'kysely';
import type { CandidatesTable, SessionsTable } from '../tables.ts';

export interface RosterInput {
  sessions: SessionsTable[];
  candidates: Omit<CandidatesTable, 'attendance' | 'checked_in_at'>[];
}

/** Insert or update sessions and candidates. Attendance recorded at the venue is never overwritten. */
export function loadRoster(db: StationDatabase, roster: RosterInput): void {
  for (const candidate of roster.candidates) {
    const check = validatePersonalCode(candidate.personal_code);
    if (!check.valid) throw new StationError('VALIDATION_FAILED', `candidate ${candidate.candidate_id}: personal code is not valid (${check.reason})`);
  }
  db.transaction(() => {
    for (const session of roster.sessions) {
      db.run(db.q.insertInto('sessions').values(session).onConflict((oc) => oc.column('session_id').doUpdateSet(session)));
    }
    for (const candidate of roster.candidates) {
      const normalised = validatePersonalCode(candidate.personal_code);
      const row = { ...candidate, personal_code: normalised.valid ? normalised.normalised : candidate.personal_code };
      db.run(db.q.insertInto('candidates').values(row).onConflict((oc) => oc.column('candidate_id').doUpdateSet(row)));
    }
  });
}

export function toCandidateView(row: Selectable<CandidatesTable>): CandidateView {
  return {
    candidateId: row.candidate_id,
    sessionId: row.session_id,
    givenName: row.given_name,
    familyName: row.family_name,
    maskedPersonalCode: maskPersonalCode(row.personal_code),
    level: row.level,
    attendance: row.attendance,
    accommodation: row.accommodation,
  };
}

export function listCandidates(db: StationDatabase, sessionId?: string): CandidateView[] {
  let query = db.q.selectFrom('candidates').selectAll().orderBy('family_name').orderBy('given_name');
  if (sessionId) query = query.where('session_id', '=', sessionId);
  return db.all(query).map(toCandidateView);
}
