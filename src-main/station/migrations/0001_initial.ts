// Schema version 1: the station's first tables. Personal data is limited to what a venue needs on the
// day (MK 117 point 11.3, no diagnoses: only the accommodation granted and its document number/date).
import type { Migration } from './index.ts';

export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;

      CREATE TABLE packages (
        package_id TEXT PRIMARY KEY,
        exam_id TEXT NOT NULL,
        exam_version INTEGER NOT NULL,
        title TEXT NOT NULL,
        venue TEXT NOT NULL,
        valid_from TEXT NOT NULL,
        valid_until TEXT NOT NULL,
        signing_key_id TEXT NOT NULL,
        manifest_json TEXT NOT NULL,
        signature BLOB NOT NULL,
        -- the content stays encrypted at rest; it is decrypted in memory after the key is released
        ciphertext BLOB NOT NULL,
        file_sha256 TEXT NOT NULL,
        imported_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE package_keys (
        package_id TEXT PRIMARY KEY REFERENCES packages(package_id),
        content_key TEXT NOT NULL,
        released_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE sessions (
        session_id TEXT PRIMARY KEY,
        exam_id TEXT NOT NULL,
        venue_code TEXT NOT NULL,
        venue_name TEXT NOT NULL,
        room TEXT,
        starts_at TEXT NOT NULL,
        ends_at TEXT
      ) STRICT;

      CREATE TABLE candidates (
        candidate_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(session_id),
        given_name TEXT NOT NULL,
        family_name TEXT NOT NULL,
        personal_code TEXT NOT NULL,
        birth_date TEXT,
        level TEXT,
        accommodation TEXT,
        accommodation_doc_no TEXT,
        accommodation_doc_date TEXT,
        attendance TEXT NOT NULL DEFAULT 'expected' CHECK (attendance IN ('expected', 'present', 'absent', 'removed')),
        checked_in_at TEXT
      ) STRICT;
      CREATE INDEX candidates_session ON candidates(session_id);

      CREATE TABLE attempts (
        attempt_id TEXT PRIMARY KEY,
        candidate_id TEXT NOT NULL REFERENCES candidates(candidate_id),
        package_id TEXT NOT NULL REFERENCES packages(package_id),
        status TEXT NOT NULL CHECK (status IN ('open', 'submitted', 'voided')),
        opened_at TEXT NOT NULL,
        current_part_id TEXT,
        current_item_id TEXT
      ) STRICT;
      CREATE UNIQUE INDEX attempts_one_open ON attempts(candidate_id, package_id) WHERE status = 'open';

      -- Every save of an answer is a revision; the current answer is the highest revision. One table
      -- (no separate "current" copy) keeps a save to the fewest page writes per durable commit.
      CREATE TABLE response_revisions (
        attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id),
        item_id TEXT NOT NULL,
        revision INTEGER NOT NULL,
        value_json TEXT NOT NULL,
        saved_at TEXT NOT NULL,
        client_save_id TEXT NOT NULL UNIQUE,
        seq INTEGER NOT NULL,
        PRIMARY KEY (attempt_id, item_id, revision)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE recordings (
        recording_id TEXT PRIMARY KEY,
        attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id),
        item_id TEXT NOT NULL,
        take INTEGER NOT NULL,
        mime_type TEXT NOT NULL,
        started_at TEXT NOT NULL,
        closed_at TEXT,
        segment_count INTEGER NOT NULL DEFAULT 0,
        total_bytes INTEGER NOT NULL DEFAULT 0,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        sha256 TEXT,
        -- closed by the station because a crash or reload cut it off; it does not use up the allowance
        interrupted INTEGER NOT NULL DEFAULT 0 CHECK (interrupted IN (0, 1)),
        UNIQUE (attempt_id, item_id, take)
      ) STRICT;

      CREATE TABLE recording_segments (
        recording_id TEXT NOT NULL REFERENCES recordings(recording_id),
        idx INTEGER NOT NULL,
        data BLOB NOT NULL,
        sha256 TEXT NOT NULL,
        duration_ms INTEGER NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (recording_id, idx)
      ) STRICT;

      CREATE TABLE timer_events (
        event_id INTEGER PRIMARY KEY AUTOINCREMENT,
        attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id),
        part_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('start', 'pause', 'resume', 'extend', 'credit', 'end')),
        at INTEGER NOT NULL,
        amount_ms INTEGER,
        reason TEXT
      ) STRICT;
      CREATE INDEX timer_events_part ON timer_events(attempt_id, part_id);

      CREATE TABLE incidents (
        incident_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        attempt_id TEXT,
        kind TEXT NOT NULL,
        note TEXT NOT NULL,
        at TEXT NOT NULL,
        recorded_by TEXT NOT NULL
      ) STRICT;

      -- The transactional outbox: every change to the rows above writes its event here in the same
      -- transaction. AUTOINCREMENT keeps seq growing even after rows are pruned.
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
    `);
  },
};
