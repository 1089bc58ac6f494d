// Schema version 30: the hub's allowlist of its room's seats, and the enrolment of seats by room file.
// room_seats is the allowlist: a seat's key hash must be in it, not revoked, for the hub to let its
// channel open; unpairing sets revoked_at (the row stays, so the room's history keeps who sat where).
// One label is held by one seat at a time. A room file's one-time tokens are kept as hashes only; a
// token used by a seat points at its request, which waits for the invigilator to accept or refuse it.
import type { Migration } from './index.ts';

export const migration0030: Migration = {
  version: 30,
  name: 'room seats',
  up(db) {
    db.exec(`
      CREATE TABLE room_seats (
        device_id TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL,
        certificate TEXT NOT NULL,
        paired_by TEXT NOT NULL CHECK (paired_by IN ('code', 'room-file')),
        paired_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE UNIQUE INDEX room_seats_label_held ON room_seats (label) WHERE revoked_at IS NULL;
      CREATE TABLE room_enrolment_tokens (
        token_hash TEXT PRIMARY KEY,
        room_file_id TEXT NOT NULL,
        valid_until TEXT NOT NULL,
        used_by TEXT,
        used_at TEXT
      );
      CREATE TABLE room_seat_requests (
        device_id TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL UNIQUE,
        public_key TEXT NOT NULL,
        label TEXT NOT NULL,
        token_hash TEXT NOT NULL REFERENCES room_enrolment_tokens (token_hash),
        address TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        decision TEXT CHECK (decision IN ('accepted', 'refused')),
        decided_at TEXT
      );
    `);
  },
};
