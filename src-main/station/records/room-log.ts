// The room's own record of the day: who was present (check-in) and what happened (incidents). Each
// change is written with its event of the contract in the caller's transaction, so the central API
// receives attendance and incidents exactly as they were recorded at the venue.
import { randomUUID } from 'node:crypto';
import type { Attendance, IncidentKind } from '../../../src-shared/contracts/events.ts';
import { StationError } from '../../../src-shared/errors.ts';
import type { StationDatabase, Tx } from '../database.ts';
import type { Outbox } from './outbox.ts';

export interface NewIncident {
  sessionId: string;
  candidateId?: string | undefined;
  attemptId?: string | undefined;
  kind: IncidentKind;
  note: string;
}

export class RoomLog {
  private readonly db: StationDatabase;
  private readonly outbox: Outbox;

  constructor(db: StationDatabase, outbox: Outbox) {
    this.db = db;
    this.outbox = outbox;
  }

  /** Marking the same status again changes nothing. */
  markAttendance(tx: Tx, candidateId: string, status: Attendance, markedBy: string, now: Date): void {
    const candidate = this.db.get(this.db.q.selectFrom('candidates').select(['session_id', 'attendance']).where('candidate_id', '=', candidateId));
    if (!candidate) throw new StationError('NOT_FOUND', `candidate ${candidateId}`);
    if (candidate.attendance === status) return;
    const at = now.toISOString();
    this.db.run(
      this.db.q
        .updateTable('candidates')
        .set({ attendance: status, checked_in_at: status === 'present' ? at : null })
        .where('candidate_id', '=', candidateId),
    );
    this.outbox.append(tx, 'attendance.marked', candidateId, { candidateId, sessionId: candidate.session_id, status, at, markedBy }, now);
  }

  recordIncident(tx: Tx, incident: NewIncident, recordedBy: string, now: Date): { incidentId: string; at: string } {
    const session = this.db.get(this.db.q.selectFrom('sessions').select('session_id').where('session_id', '=', incident.sessionId));
    if (!session) throw new StationError('NOT_FOUND', `session ${incident.sessionId}`);
    let candidateId = incident.candidateId ?? null;
    if (candidateId !== null) {
      const candidate = this.db.get(this.db.q.selectFrom('candidates').select('session_id').where('candidate_id', '=', candidateId));
      if (candidate?.session_id !== incident.sessionId) throw new StationError('NOT_FOUND', `candidate ${candidateId} of session ${incident.sessionId}`);
    }
    const attemptId = incident.attemptId ?? null;
    if (attemptId !== null) {
      const attempt = this.db.get(this.db.q.selectFrom('attempts').select('candidate_id').where('attempt_id', '=', attemptId));
      if (!attempt || (candidateId !== null && attempt.candidate_id !== candidateId)) throw new StationError('NOT_FOUND', `attempt ${attemptId} of the candidate`);
      candidateId = attempt.candidate_id;
    }
    const incidentId = randomUUID();
    const at = now.toISOString();
    this.db.run(
      this.db.q.insertInto('incidents').values({ incident_id: incidentId, session_id: incident.sessionId, attempt_id: attemptId, kind: incident.kind, note: incident.note, at, recorded_by: recordedBy }),
    );
    this.outbox.append(tx, 'incident.recorded', incidentId, { incidentId, sessionId: incident.sessionId, candidateId, attemptId, kind: incident.kind, note: incident.note, at, recordedBy }, now);
    return { incidentId, at };
  }
}
