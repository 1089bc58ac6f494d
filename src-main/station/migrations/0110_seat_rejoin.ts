// Schema version 110: a seat rejoining a hub that lost its database (docs/room.md, "A hub rebuilt from
// its seats"). Such a seat still shows a certificate of this room's CA, but the hub's allowlist (and with
// it every revocation) went with the database, so the seat is not let in by itself: it becomes a
// request, like a room file's, that IT or the chief accepts or refuses. `room_seat_requests` gains the
// kind of request and, for a rejoin, the certificate the seat showed (kept as the seat's again when
// accepted: no new one is issued); a rejoin has no token. `room_seats.paired_by` may say 'rejoin'.
// SQLite cannot change a column's NOT NULL or CHECK in place, so both tables are made anew.
import type { Migration } from './index.ts';

export const migration0110: Migration = {
  version: 110,
  name: 'seat rejoin',
  up(db) {
    db.exec(`
      CREATE TABLE room_seats_new (
        device_id TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL,
        certificate TEXT NOT NULL,
        paired_by TEXT NOT NULL CHECK (paired_by IN ('code', 'room-file', 'rejoin')),
        paired_at TEXT NOT NULL,
        revoked_at TEXT
      );
      INSERT INTO room_seats_new SELECT device_id, key_hash, label, certificate, paired_by, paired_at, revoked_at FROM room_seats;
      DROP TABLE room_seats;
      ALTER TABLE room_seats_new RENAME TO room_seats;
      CREATE UNIQUE INDEX room_seats_label_held ON room_seats (label) WHERE revoked_at IS NULL;
      CREATE TABLE room_seat_requests_new (
        device_id TEXT PRIMARY KEY,
        key_hash TEXT NOT NULL UNIQUE,
        public_key TEXT NOT NULL,
        label TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'enrolment' CHECK (kind IN ('enrolment', 'rejoin')),
        token_hash TEXT REFERENCES room_enrolment_tokens (token_hash),
        certificate TEXT,
        address TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        decision TEXT CHECK (decision IN ('accepted', 'refused')),
        decided_at TEXT,
        CHECK ((kind = 'enrolment' AND token_hash IS NOT NULL) OR (kind = 'rejoin' AND certificate IS NOT NULL))
      );
      INSERT INTO room_seat_requests_new (device_id, key_hash, public_key, label, kind, token_hash, certificate, address, requested_at, decision, decided_at)
        SELECT device_id, key_hash, public_key, label, 'enrolment', token_hash, NULL, address, requested_at, decision, decided_at FROM room_seat_requests;
      DROP TABLE room_seat_requests;
      ALTER TABLE room_seat_requests_new RENAME TO room_seat_requests;
    `);
  },
};
