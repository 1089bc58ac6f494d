// On a seat (schema 50): the one candidate its hub seated here. A seat knows only the candidates seated
// at it: the 'assign' command brings the candidate's roster row (the personal code masked) and session,
// and the seat opens their attempt itself. The row then follows the candidate to the test: the kiosk
// screen took the credentials (once per assignment), the candidate confirmed or declined their
// identity, the invigilator authorised them. Unassigning deletes the row; the commands stay in
// seat_commands. A candidate moved here from another seat is seated by the hand-over (its move id
// standing for the command), with their identity and authorisation carried over from the old seat, so
// the kiosk screen takes them once and goes straight on with the test; the seat they left forgets them.
import type { AssignParams } from '../../../src-shared/contracts/room-protocol.ts';
import type { IdentityDeclineReason } from '../../../src-shared/contracts/station-api.ts';
import type { StationDatabase, Tx } from '../database.ts';

export interface SeatAssignment {
  candidateId: string;
  attemptId: string;
  packageId: string;
  claimed: boolean;
  identityConfirmed: boolean;
  declineReason: IdentityDeclineReason | null;
  authorised: { by: string; at: string } | null;
}

export class SeatAssignmentRecord {
  private readonly db: StationDatabase;

  constructor(db: StationDatabase) {
    this.db = db;
  }

  current(): SeatAssignment | null {
    const row = this.db.get(this.db.q.selectFrom('seat_assignment').selectAll());
    if (!row) return null;
    return {
      candidateId: row.candidate_id,
      attemptId: row.attempt_id,
      packageId: row.package_id,
      claimed: row.claimed_at !== null,
      identityConfirmed: row.identity_confirmed_at !== null,
      declineReason: row.declined_reason as IdentityDeclineReason | null,
      authorised: row.authorised_by && row.authorised_at ? { by: row.authorised_by, at: row.authorised_at } : null,
    };
  }

  /** The assignment of this attempt, if it is the one seated here. */
  ofAttempt(attemptId: string): SeatAssignment | null {
    const current = this.current();
    return current?.attemptId === attemptId ? current : null;
  }

  /**
   * The candidate's session and roster row, as the hub sent them: kept so the seat's attempt has its
   * candidate (the personal code only masked, as the hub showed it).
   */
  storeCandidate(_tx: Tx, params: AssignParams): void {
    const s = params.session;
    const session = { exam_id: s.examId, venue_code: s.venueCode, venue_name: s.venueName, room: s.room, starts_at: s.startsAt, ends_at: s.endsAt };
    this.db.run(this.db.q.insertInto('sessions').values({ session_id: s.sessionId, ...session }).onConflict((oc) => oc.column('session_id').doUpdateSet(session)));
    const c = params.candidate;
    const candidate = {
      session_id: c.sessionId,
      given_name: c.givenName,
      family_name: c.familyName,
      personal_code: c.maskedPersonalCode,
      birth_date: null,
      level: c.level,
      accommodation: c.accommodation,
      accommodation_doc_no: c.accommodationDocNo,
      accommodation_doc_date: c.accommodationDocDate,
    };
    this.db.run(this.db.q.insertInto('candidates').values({ candidate_id: c.candidateId, ...candidate }).onConflict((oc) => oc.column('candidate_id').doUpdateSet(candidate)));
  }

  /**
   * Seat the candidate with their opened attempt (the only one here). `authorised`: carried over from the
   * seat they were moved from (they confirmed their identity there before the invigilator authorised them).
   */
  assign(_tx: Tx, input: { candidateId: string; attemptId: string; packageId: string; cmdId: string; by: string; authorised?: { by: string; at: string } | null }, now: Date): void {
    this.db.run(this.db.q.deleteFrom('seat_assignment'));
    this.db.run(
      this.db.q.insertInto('seat_assignment').values({
        candidate_id: input.candidateId,
        attempt_id: input.attemptId,
        package_id: input.packageId,
        cmd_id: input.cmdId,
        assigned_by: input.by,
        assigned_at: now.toISOString(),
        claimed_at: null,
        identity_confirmed_at: input.authorised?.at ?? null,
        declined_reason: null,
        authorised_by: input.authorised?.by ?? null,
        authorised_at: input.authorised?.at ?? null,
      }),
    );
  }

  /** The same candidate handed to this seat again: a screen may take the credentials anew, and say Yes or No again. */
  handAgain(_tx: Tx, cmdId: string): void {
    this.db.run(this.db.q.updateTable('seat_assignment').set({ cmd_id: cmdId, claimed_at: null, declined_reason: null }));
  }

  clear(_tx: Tx): void {
    this.db.run(this.db.q.deleteFrom('seat_assignment'));
  }

  claim(_tx: Tx, now: Date): void {
    this.db.run(this.db.q.updateTable('seat_assignment').set({ claimed_at: now.toISOString() }));
  }

  confirmIdentity(_tx: Tx, now: Date): void {
    this.db.run(this.db.q.updateTable('seat_assignment').set({ identity_confirmed_at: now.toISOString(), declined_reason: null }).where('identity_confirmed_at', 'is', null));
  }

  decline(_tx: Tx, reason: IdentityDeclineReason): void {
    this.db.run(this.db.q.updateTable('seat_assignment').set({ declined_reason: reason }));
  }

  authorise(_tx: Tx, by: string, now: Date): void {
    this.db.run(this.db.q.updateTable('seat_assignment').set({ authorised_by: by, authorised_at: now.toISOString() }));
  }
}
