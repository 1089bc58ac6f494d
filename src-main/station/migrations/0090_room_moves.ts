// Schema version 90: moving a candidate to a spare seat mid-part (docs/room.md, "Moving a candidate").
// On a hub: `room_moves` keeps each move (from which seat to which, how far the hub held the old seat's
// stream when it was decided, and whether the new seat took the hand-over); `room_late_events` marks
// the events of the old seat about the moved attempt that arrived after the move (late-after-move):
// stored once like every event, never the candidate's answer.
// On a seat: `seat_moved_out` the attempts whose candidate was moved away (nothing new is written for
// them), `seat_hand_overs` the hand-overs this seat took (and the parts paused until the candidate is
// at this seat), and `seat_handed_over_recordings` the takes
// that came with one (their audio is the old seat's, so this seat never pushes it as its own).
import type { Migration } from './index.ts';

export const migration0090: Migration = {
  version: 90,
  name: 'room moves',
  up(db) {
    db.exec(`
      CREATE TABLE room_moves (
        move_id TEXT PRIMARY KEY,
        attempt_id TEXT NOT NULL,
        candidate_id TEXT NOT NULL,
        package_id TEXT NOT NULL,
        from_device TEXT NOT NULL,
        to_device TEXT NOT NULL,
        -- the old seat's watermark at the hub when the move was decided: its later events are late
        through_seq INTEGER NOT NULL,
        -- the hub's last sign of life from the old seat (room time, ms), for the time credit
        from_last_seen_at INTEGER,
        reason TEXT NOT NULL,
        moved_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('handing-over', 'applied', 'refused')),
        code TEXT,
        detail TEXT,
        settled_at TEXT
      ) STRICT;
      CREATE INDEX room_moves_attempt ON room_moves (attempt_id);
      CREATE INDEX room_moves_from ON room_moves (from_device);

      CREATE TABLE room_late_events (
        hub_seq INTEGER PRIMARY KEY,
        move_id TEXT NOT NULL REFERENCES room_moves (move_id),
        origin_device TEXT NOT NULL,
        origin_seq INTEGER NOT NULL,
        kind TEXT NOT NULL,
        flagged_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX room_late_events_move ON room_late_events (move_id);

      CREATE TABLE seat_moved_out (
        attempt_id TEXT PRIMARY KEY REFERENCES attempts (attempt_id),
        cmd_id TEXT NOT NULL,
        moved_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE seat_hand_overs (
        move_id TEXT PRIMARY KEY,
        attempt_id TEXT NOT NULL REFERENCES attempts (attempt_id),
        from_device TEXT NOT NULL,
        events INTEGER NOT NULL,
        segments INTEGER NOT NULL,
        applied_at TEXT NOT NULL,
        -- the parts the hand-over paused until the candidate's screen is at this seat (JSON array), and when it resumed them
        paused_parts TEXT NOT NULL,
        resumed_at TEXT
      ) STRICT;

      CREATE TABLE seat_handed_over_recordings (
        recording_id TEXT PRIMARY KEY REFERENCES recordings (recording_id),
        move_id TEXT NOT NULL
      ) STRICT;
    `);
  },
};
