// Schema version 40: the room protocol (src-shared/contracts/room-protocol.ts).
// On a hub: the events its seats pushed go into its own outbox with their origin kept (`origin_seq`,
// with `device_id` the seat that wrote them; null for the hub's own events), so they reach the centre
// once and attributed to the seat; `seat_streams` keeps each seat's acknowledged watermark,
// `seat_audio` the takes' segments as they arrive, `room_commands` what the hub told its seats and
// `room_command_results` what each seat made of it.
// On a seat: `seat_commands` keeps every command received before it is applied (and what became of
// it), `seat_audio_sent` which segments the hub (of the instance in meta) has acknowledged.
import type { Migration } from './index.ts';

export const migration0040: Migration = {
  version: 40,
  name: 'room streams',
  up(db) {
    db.exec(`
      ALTER TABLE outbox ADD COLUMN origin_seq INTEGER;
      CREATE UNIQUE INDEX outbox_origin ON outbox (device_id, origin_seq) WHERE origin_seq IS NOT NULL;
      -- The hub finds the recording.segment event a seat's audio must match (seat-streams.ts).
      CREATE INDEX outbox_entity ON outbox (device_id, kind, entity_id);

      CREATE TABLE seat_streams (
        device_id TEXT PRIMARY KEY,
        acked_seq INTEGER NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE seat_audio (
        recording_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        device_id TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        data BLOB NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (recording_id, idx)
      ) STRICT;

      CREATE TABLE room_commands (
        cmd_id TEXT PRIMARY KEY,
        term INTEGER NOT NULL,
        room_seq INTEGER NOT NULL UNIQUE,
        target_kind TEXT NOT NULL,
        target_ref TEXT,
        command_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;

      CREATE INDEX room_commands_created ON room_commands (created_at);

      CREATE TABLE room_command_results (
        cmd_id TEXT NOT NULL REFERENCES room_commands (cmd_id),
        device_id TEXT NOT NULL,
        status TEXT NOT NULL,
        code TEXT,
        detail TEXT,
        confirmed_at TEXT NOT NULL,
        PRIMARY KEY (cmd_id, device_id)
      ) STRICT;

      CREATE TABLE seat_commands (
        cmd_id TEXT PRIMARY KEY,
        term INTEGER NOT NULL,
        room_seq INTEGER NOT NULL,
        command_json TEXT NOT NULL,
        received_at TEXT NOT NULL,
        status TEXT NOT NULL,
        code TEXT,
        detail TEXT,
        applied_at TEXT
      ) STRICT;

      CREATE TABLE seat_audio_sent (
        recording_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        acked_at TEXT NOT NULL,
        PRIMARY KEY (recording_id, idx)
      ) STRICT;
    `);
  },
};
