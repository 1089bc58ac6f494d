// Schema version 70: the end and seal of a session in the room (src-main/lan/room-seal.ts, docs/room.md).
// A command may come back with an answer (the seal's digest): a seat keeps the answer it gave beside the
// command (`seat_commands.answer_json`, so a command confirmed again is answered again the same), the hub
// beside the seat's result (`room_command_results.answer_json`).
// On a seat, `seat_seals`: a session it sealed, with its final digest; from then on it writes nothing of
// that session. On a hub, `room_seals`: the seal of a session asked for (the command issued), then done
// (the statement over the room log's head and the hub's signature of it); `room_seal_accounts`: a seat
// the chief invigilator accounted for instead of its digest (dead, its candidate moved), with why.
import type { Migration } from './index.ts';

export const migration0070: Migration = {
  version: 70,
  name: 'room seal',
  up(db) {
    db.exec(`
      ALTER TABLE seat_commands ADD COLUMN answer_json TEXT;
      ALTER TABLE room_command_results ADD COLUMN answer_json TEXT;

      CREATE TABLE seat_seals (
        session_id TEXT PRIMARY KEY,
        cmd_id TEXT NOT NULL,
        digest TEXT NOT NULL,
        last_seq INTEGER NOT NULL,
        events INTEGER NOT NULL,
        segments INTEGER NOT NULL,
        sealed_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE room_seals (
        session_id TEXT PRIMARY KEY,
        cmd_id TEXT NOT NULL UNIQUE REFERENCES room_commands (cmd_id),
        requested_by TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        sealed_at TEXT,
        statement_json TEXT,
        signature TEXT,
        CHECK ((sealed_at IS NULL) = (statement_json IS NULL) AND (sealed_at IS NULL) = (signature IS NULL))
      ) STRICT;

      CREATE TABLE room_seal_accounts (
        session_id TEXT NOT NULL,
        device_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        accounted_by TEXT NOT NULL,
        accounted_at TEXT NOT NULL,
        PRIMARY KEY (session_id, device_id)
      ) STRICT;
    `);
  },
};
