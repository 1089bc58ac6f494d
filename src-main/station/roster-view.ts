// The roster as the check-in desk shows it: each candidate with their check-in, their seat and where
// they are. The state is derived, never stored: attendance (expected, absent, removed) from the
// check-in; seated from the seat plan; working and finished from the events of the candidate's attempt
// (at a hub, the ones its seats pushed) and from what the seat's latest heartbeat says; so a seat that
// went silent mid-part still shows its candidate working.
import type { RoomStatus, RosterRow, RosterState } from '../../src-shared/contracts/station-api.ts';
import type { SeatState } from '../../src-shared/contracts/room-protocol.ts';
import { parseAccommodations } from '../../src-shared/rules/accommodations.ts';
import type { StationDatabase } from './database.ts';
import type { CheckIns } from './records/check-ins.ts';
import type { RoomAssignments } from './records/room-assignments.ts';
import { toCandidateView } from './records/roster.ts';

export type SeenSeat = NonNullable<RoomStatus['hub']>['seats'][number];

/** What the events say of each candidate's attempts: begun (a part started) and submitted. */
function progressByCandidate(db: StationDatabase): Map<string, { begun: boolean; submitted: boolean }> {
  const opened = db.all(db.q.selectFrom('outbox').select(['entity_id']).select((eb) => eb.fn<string>('json_extract', ['payload_json', eb.val('$.candidateId')]).as('candidateId')).where('kind', '=', 'attempt.opened'));
  const begun = new Set(
    db
      .all(
        db.q
          .selectFrom('outbox')
          .select('entity_id')
          .distinct()
          .where('kind', '=', 'timer.event')
          .where((eb) => eb(eb.fn('json_extract', ['payload_json', eb.val('$.kind')]), '=', 'start')),
      )
      .map((r) => r.entity_id),
  );
  const submitted = new Set(db.all(db.q.selectFrom('outbox').select('entity_id').where('kind', '=', 'attempt.submitted')).map((r) => r.entity_id));
  const progress = new Map<string, { begun: boolean; submitted: boolean }>();
  for (const { entity_id: attemptId, candidateId } of opened) {
    const known = progress.get(candidateId) ?? { begun: false, submitted: false };
    progress.set(candidateId, { begun: known.begun || begun.has(attemptId), submitted: known.submitted || submitted.has(attemptId) });
  }
  return progress;
}

const WORKING_SCREENS: readonly string[] = ['part-intro', 'part', 'paused'];

function stageOf(state: SeatState | null, candidateId: string): { stage: NonNullable<RosterRow['seat']>['stage']; declineReason: NonNullable<RosterRow['seat']>['declineReason'] } {
  const attempt = state?.attempt;
  if (!attempt || attempt.candidateId !== candidateId || attempt.screen === 'staff') return { stage: null, declineReason: null };
  if (attempt.screen === 'identity' || attempt.screen === 'awaiting-authorisation') return { stage: attempt.screen, declineReason: null };
  if (attempt.screen === 'identity-declined') return { stage: 'identity-declined', declineReason: attempt.declineReason ?? null };
  return { stage: 'authorised', declineReason: null };
}

export interface RosterSources {
  db: StationDatabase;
  checkIns: CheckIns;
  assignments: RoomAssignments;
  /** The room's seats as getRoom sees them (none on a station without a room). */
  seats: readonly SeenSeat[];
  sessionId?: string | undefined;
}

export function rosterRows({ db, checkIns, assignments, seats, sessionId }: RosterSources): RosterRow[] {
  let query = db.q.selectFrom('candidates').selectAll().orderBy('family_name').orderBy('given_name');
  if (sessionId) query = query.where('session_id', '=', sessionId);
  const checks = checkIns.all();
  const live = new Map(assignments.live().map((a) => [a.candidateId, a]));
  const seatById = new Map(seats.map((s) => [s.deviceId, s]));
  const progress = progressByCandidate(db);
  const refusals = new Map(
    db
      .all(db.q.selectFrom('room_command_results').select(['cmd_id', 'code', 'detail']).where('status', '=', 'refused'))
      .map((r) => [r.cmd_id, { code: r.code ?? 'INTERNAL', detail: r.detail }]),
  );
  return db.all(query).map((row): RosterRow => {
    const candidate = toCandidateView(row);
    const check = checks.get(row.candidate_id);
    const assignment = live.get(row.candidate_id);
    const seen = assignment ? seatById.get(assignment.deviceId) : undefined;
    const done = progress.get(row.candidate_id) ?? { begun: false, submitted: false };
    const reported = seen?.state?.attempt?.candidateId === row.candidate_id ? seen.state.attempt : null;
    let state: RosterState;
    if (row.attendance !== 'present') state = row.attendance === 'expected' ? 'expected' : row.attendance;
    else if (done.submitted || reported?.screen === 'finished') state = 'finished';
    else if (done.begun || (reported && WORKING_SCREENS.includes(reported.screen))) state = 'working';
    else state = assignment ? 'seated' : 'checked-in';
    return {
      ...candidate,
      state,
      idDocumentSeen: check?.idDocument ?? null,
      personalCodeChecked: check?.personalCode ?? null,
      checkedInAt: row.attendance === 'present' ? row.checked_in_at : null,
      late: check?.late ?? false,
      accommodations: parseAccommodations(row.accommodation),
      seat: assignment
        ? {
            deviceId: assignment.deviceId,
            label: seen?.label ?? null,
            packageId: assignment.packageId,
            assignedBy: assignment.assignedBy,
            assignedAt: assignment.assignedAt,
            ...stageOf(seen?.state ?? null, row.candidate_id),
            authorised: assignment.authorised,
            refused: refusals.get(assignment.assignCmdId) ?? null,
          }
        : null,
    };
  });
}
