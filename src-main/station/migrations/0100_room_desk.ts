// Schema version 100: what the hub's desk decides over minutes, kept so that a restart of the hub in the
// middle of an exam loses none of it (docs/room.md, "Room controls").
// `room_key_releases` keeps each package's key release: started by one person and waiting for a second
// (two-person release, confirmed within 2 minutes of its start, which the restart does not move), or
// released with its command. `room_lost_time` keeps the time lost while a seat was silent during a
// running part, proposed to the invigilator until credited or dismissed; the credit's command id is
// chosen with the proposal, so crediting it twice is one command.
import type { Migration } from './index.ts';

export const migration0100: Migration = {
  version: 100,
  name: 'room desk',
  up(db) {
    db.exec(`
      CREATE TABLE room_key_releases (
        package_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        started_by TEXT NOT NULL,
        started_by_account TEXT NOT NULL,
        -- hub clock (ms): the window to confirm runs from here
        started_at INTEGER NOT NULL,
        confirmed_by TEXT,
        -- the key-release command once released
        cmd_id TEXT UNIQUE REFERENCES room_commands (cmd_id),
        CHECK (confirmed_by IS NULL OR cmd_id IS NOT NULL)
      ) STRICT;

      CREATE TABLE room_lost_time (
        proposal_id TEXT PRIMARY KEY,
        device_id TEXT NOT NULL,
        candidate_id TEXT NOT NULL,
        attempt_id TEXT NOT NULL,
        part_id TEXT NOT NULL,
        -- the silence (hub clock, ms): the seat's last heartbeat before it and its first after it
        silent_from INTEGER NOT NULL,
        silent_to INTEGER NOT NULL,
        -- the credit's command id, chosen when proposed
        cmd_id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('open', 'credited', 'dismissed')),
        settled_by TEXT,
        settled_at TEXT,
        CHECK ((status = 'open') = (settled_at IS NULL))
      ) STRICT;
      CREATE INDEX room_lost_time_open ON room_lost_time (status, silent_from);
    `);
  },
};
