// Sessions and candidates as the venue receives them. Only the MK 117 point 11.3 fields a venue needs;
// no diagnoses, only the accommodation granted with its document number and date. A roster is checked
// with the same rules as at the central API (src-shared/roster.ts) and is loaded whole or not at all.
import { StationError } from '../../../src-shared/errors.ts';
import { maskPersonalCode } from '../../../src-shared/rules/personal-code.ts';
import { checkVenueRoster, describeProblems, RosterError, type RosterCandidateInput, type RosterSessionInput } from '../../../src-shared/rules/roster.ts';
import type { CandidateView } from '../../../src-shared/contracts/station-api.ts';
import type { StationDatabase } from '../database.ts';
import type { Selectable } from 'kysely';
import type { CandidatesTable } from '../tables.ts';

export interface RosterInput {
  sessions: RosterSessionInput[];
  candidates: (RosterCandidateInput & { sessionId: string })[];
}

/** Insert or update sessions and candidates. Attendance recorded at the venue is never overwritten. */
export function loadRoster(db: StationDatabase, input: RosterInput): { sessions: number; candidates: number } {
  const known = new Set(db.all(db.q.selectFrom('sessions').select('session_id')).map((s) => s.session_id));
  let roster;
  try {
    roster = checkVenueRoster(input, known);
  } catch (error) {
    if (error instanceof RosterError) throw new StationError('ROSTER_INVALID', describeProblems(error.problems), { cause: error });
    throw error;
  }
  db.transaction(() => {
    for (const s of roster.sessions) {
      const row = { exam_id: s.examId, venue_code: s.venueCode, venue_name: s.venueName, room: s.room, starts_at: s.startsAt, ends_at: s.endsAt };
      db.run(db.q.insertInto('sessions').values({ session_id: s.sessionId, ...row }).onConflict((oc) => oc.column('session_id').doUpdateSet(row)));
    }
    for (const c of roster.candidates) {
      const row = {
        session_id: c.sessionId,
        given_name: c.givenName,
        family_name: c.familyName,
        personal_code: c.personalCode,
        birth_date: c.birthDate,
        level: c.level,
        accommodation: c.accommodation,
        accommodation_doc_no: c.accommodationDocNo,
        accommodation_doc_date: c.accommodationDocDate,
      };
      db.run(db.q.insertInto('candidates').values({ candidate_id: c.candidateId, ...row }).onConflict((oc) => oc.column('candidate_id').doUpdateSet(row)));
    }
  });
  return { sessions: roster.sessions.length, candidates: roster.candidates.length };
}

export function toCandidateView(row: Selectable<CandidatesTable>): CandidateView {
  return {
    candidateId: row.candidate_id,
    sessionId: row.session_id,
    givenName: row.given_name,
    familyName: row.family_name,
    // A seat holds only the masked code its hub sent with the candidate (seat-assignment.ts).
    maskedPersonalCode: row.personal_code.includes('*') ? row.personal_code : maskPersonalCode(row.personal_code),
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
