// Schema version 50: check-in and the seat plan (docs/room.md, "Check-in and seats").
// On a hub: `check_ins` keeps who saw each candidate's ID document and who checked their personal code,
// and when, and whether their check-in came after the session's start (late); `room_assignments` keeps
// which candidate sits at which seat, by whom and when, and who authorised them there. An assignment
// that ended (unassigned before the start) keeps its row with when and by whom; one live assignment per
// seat and one per candidate, held by the database itself.
// On a seat: `seat_assignment` keeps the one candidate the hub seated here, the attempt the seat opened
// for them, and how far the candidate has come: the kiosk screen took the credentials, the candidate
// confirmed (or declined) their identity, the invigilator authorised them.
import type { Migration } from './index.ts';

export const migration0050: Migration = {
  version: 50,
  name: 'check-in and seating',
  up(db) {
    db.exec(`
      CREATE TABLE check_ins (
        candidate_id TEXT PRIMARY KEY REFERENCES candidates (candidate_id),
        id_document_by TEXT,
        id_document_at TEXT,
        personal_code_by TEXT,
        personal_code_at TEXT,
        late INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1))
      ) STRICT;

      CREATE TABLE room_assignments (
        assignment_id TEXT PRIMARY KEY,
        candidate_id TEXT NOT NULL REFERENCES candidates (candidate_id),
        device_id TEXT NOT NULL,
        package_id TEXT NOT NULL REFERENCES packages (package_id),
        assigned_by TEXT NOT NULL,
        assigned_at TEXT NOT NULL,
        -- the 'assign' command sent to the seat: what the seat made of it is in room_command_results
        assign_cmd_id TEXT NOT NULL,
        authorised_by TEXT,
        authorised_at TEXT,
        ended_by TEXT,
        ended_at TEXT
      ) STRICT;
      CREATE UNIQUE INDEX room_assignments_one_per_seat ON room_assignments (device_id) WHERE ended_at IS NULL;
      CREATE UNIQUE INDEX room_assignments_one_per_candidate ON room_assignments (candidate_id) WHERE ended_at IS NULL;

      CREATE TABLE seat_assignment (
        candidate_id TEXT PRIMARY KEY REFERENCES candidates (candidate_id),
        attempt_id TEXT NOT NULL REFERENCES attempts (attempt_id),
        package_id TEXT NOT NULL,
        cmd_id TEXT NOT NULL,
        assigned_by TEXT NOT NULL,
        assigned_at TEXT NOT NULL,
        claimed_at TEXT,
        identity_confirmed_at TEXT,
        declined_reason TEXT,
        authorised_by TEXT,
        authorised_at TEXT
      ) STRICT;
    `);
  },
};
