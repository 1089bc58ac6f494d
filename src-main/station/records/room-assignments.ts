// The hub's seat plan (schema 50): which candidate sits at which seat, with the package their attempt is
// of, who seated them and when, and who authorised them there. One live assignment per seat and per
// candidate (the database holds it too); an assignment taken back before the start keeps its row, ended.
// A candidate moved to a spare seat (src-main/lan/room-moves.ts) is seated there by the move: the row at
// the old seat ends and one at the new seat takes its package and authorisation, the move's id standing
// for the 'assign' command (the hand-over seats them there, no command does).
import { randomUUID } from 'node:crypto';
import type { StationDatabase, Tx } from '../database.ts';

export interface RoomAssignment {
  assignmentId: string;
  candidateId: string;
  deviceId: string;
  packageId: string;
  assignedBy: string;
  assignedAt: string;
  assignCmdId: string;
  authorised: { by: string; at: string } | null;
}

export class RoomAssignments {
  private readonly db: StationDatabase;

  constructor(db: StationDatabase) {
    this.db = db;
  }

  /** Every live assignment. */
  live(): RoomAssignment[] {
    return this.db
      .all(this.db.q.selectFrom('room_assignments').selectAll().where('ended_at', 'is', null).orderBy('assigned_at'))
      .map((r) => ({
        assignmentId: r.assignment_id,
        candidateId: r.candidate_id,
        deviceId: r.device_id,
        packageId: r.package_id,
        assignedBy: r.assigned_by,
        assignedAt: r.assigned_at,
        assignCmdId: r.assign_cmd_id,
        authorised: r.authorised_by && r.authorised_at ? { by: r.authorised_by, at: r.authorised_at } : null,
      }));
  }

  ofCandidate(candidateId: string): RoomAssignment | undefined {
    return this.live().find((a) => a.candidateId === candidateId);
  }

  atSeat(deviceId: string): RoomAssignment | undefined {
    return this.live().find((a) => a.deviceId === deviceId);
  }

  add(_tx: Tx, input: { candidateId: string; deviceId: string; packageId: string; by: string; cmdId: string }, now: Date): void {
    this.db.run(
      this.db.q.insertInto('room_assignments').values({
        assignment_id: randomUUID(),
        candidate_id: input.candidateId,
        device_id: input.deviceId,
        package_id: input.packageId,
        assigned_by: input.by,
        assigned_at: now.toISOString(),
        assign_cmd_id: input.cmdId,
      }),
    );
  }

  /** The same candidate handed to the same seat again: the newest 'assign' command is the one that counts. */
  resent(_tx: Tx, assignmentId: string, cmdId: string): void {
    this.db.run(this.db.q.updateTable('room_assignments').set({ assign_cmd_id: cmdId }).where('assignment_id', '=', assignmentId));
  }

  end(_tx: Tx, assignmentId: string, by: string, now: Date): void {
    this.db.run(this.db.q.updateTable('room_assignments').set({ ended_by: by, ended_at: now.toISOString() }).where('assignment_id', '=', assignmentId));
  }

  /** The candidate moved to another seat: this assignment ends and the same one, authorisation and all, goes on at `deviceId`. */
  moveTo(tx: Tx, assignmentId: string, deviceId: string, input: { by: string; moveId: string }, now: Date): void {
    const row = this.db.get(this.db.q.selectFrom('room_assignments').selectAll().where('assignment_id', '=', assignmentId));
    if (!row) return;
    this.end(tx, assignmentId, input.by, now);
    this.db.run(
      this.db.q.insertInto('room_assignments').values({
        assignment_id: randomUUID(),
        candidate_id: row.candidate_id,
        device_id: deviceId,
        package_id: row.package_id,
        assigned_by: input.by,
        assigned_at: now.toISOString(),
        assign_cmd_id: input.moveId,
        authorised_by: row.authorised_by,
        authorised_at: row.authorised_at,
      }),
    );
  }

  authorise(_tx: Tx, assignmentId: string, by: string, now: Date): void {
    this.db.run(this.db.q.updateTable('room_assignments').set({ authorised_by: by, authorised_at: now.toISOString() }).where('assignment_id', '=', assignmentId));
  }
}

/** The candidate seated at this seat now, for routing the room's commands meant for a candidate. */
export function candidateAtSeat(db: StationDatabase, deviceId: string): string | null {
  return db.get(db.q.selectFrom('room_assignments').select('candidate_id').where('device_id', '=', deviceId).where('ended_at', 'is', null))?.candidate_id ?? null;
}
