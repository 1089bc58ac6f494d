// Schema version 120: the hub's link to the central API (docs/sync.md). One row says where the centre
// is and who this hub is there: its enrolled device id, its Ed25519 device key (made here, never
// exported), the feed cursor and the centre's acknowledged seq of this hub's stream. Package downloads
// keep how far they got (the partial file lies beside the database), each recording keeps its tus
// upload URL so a restart resumes it, and each candidate's signed receipt is kept with the result of
// checking it against what this hub's stream says. The centre's transfer key (what a USB export is
// encrypted to) is fetched while there is a network and kept, so an export needs none. A session purged
// once the centre confirmed it keeps its signed deletion certificate until the centre has it.
import type { Migration } from './index.ts';

export const migration0120: Migration = {
  version: 120,
  name: 'central sync',
  up(db) {
    db.exec(`
      CREATE TABLE central_link (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        central_url TEXT NOT NULL,
        device_id TEXT NOT NULL,
        venue_id TEXT NOT NULL,
        venue_code TEXT NOT NULL,
        private_key TEXT NOT NULL,
        enrolled_at TEXT NOT NULL,
        feed_cursor INTEGER NOT NULL DEFAULT 0,
        acked_seq INTEGER NOT NULL DEFAULT 0,
        last_contact_at TEXT,
        revoked_at TEXT,
        receipt_keys TEXT,
        transfer_keys TEXT
      );
      CREATE TABLE central_sessions (
        session_id TEXT PRIMARY KEY,
        package_id TEXT,
        starts_at TEXT NOT NULL,
        cancelled INTEGER NOT NULL DEFAULT 0,
        version INTEGER NOT NULL,
        key_fetched_at TEXT,
        purged_at TEXT
      );
      CREATE TABLE central_downloads (
        package_id TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        received INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL CHECK (state IN ('pending', 'imported', 'refused')),
        problem TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE central_uploads (
        recording_id TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        mime_type TEXT NOT NULL,
        upload_url TEXT,
        sent INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL CHECK (state IN ('pending', 'done')),
        problem TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE central_receipts (
        candidate_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        signed_receipt TEXT NOT NULL,
        matches INTEGER NOT NULL,
        mismatches TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        at_seq INTEGER NOT NULL DEFAULT 0,
        finished INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE central_deletion_certificates (
        certificate_id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL,
        signed_certificate TEXT NOT NULL,
        created_at TEXT NOT NULL,
        sent_at TEXT,
        seat_result TEXT UNIQUE
      );
    `);
  },
};
