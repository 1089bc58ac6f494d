// Schema version 20: named staff accounts with roles, and the station's hash-chained audit log.
// - staff_accounts: a person's username (unique without regard to case: usernames are Latin letters,
//   so SQLite's NOCASE is exact), the name printed in the protocol, the password and the optional
//   PIN as scrypt hashes with their parameters (src-main/station/passwords.ts), whether the password
//   is a one-time one, and when the account was disabled and by whom. Accounts are never deleted, so
//   a username in a record always names one person.
// - staff_roles: the roles an account holds, one row each.
// - audit_log: every staff action, sign-in and account change; each entry's hash is SHA-256 over the
//   canonical JSON of the entry with the previous entry's hash (records/audit.ts). Triggers refuse
//   UPDATE and DELETE, so the station's own code cannot change history; someone who edits the file
//   by hand is caught by the chain.
// The one station-wide staff PIN of earlier versions is dropped: it belonged to nobody. A station
// upgraded from it has no account until its first chief invigilator is set up.
import type { Migration } from './index.ts';

export const migration0020: Migration = {
  version: 20,
  name: 'staff accounts',
  up(db) {
    db.exec(`
      CREATE TABLE staff_accounts (
        account_id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        must_change_password INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
        pin_hash TEXT,
        disabled_at TEXT,
        disabled_by TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE staff_roles (
        account_id TEXT NOT NULL REFERENCES staff_accounts (account_id),
        role TEXT NOT NULL CHECK (role IN ('chief-invigilator', 'invigilator', 'centre-staff', 'it')),
        granted_by TEXT NOT NULL,
        granted_at TEXT NOT NULL,
        PRIMARY KEY (account_id, role)
      ) STRICT;
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT,
        details_json TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;
      CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      DELETE FROM meta WHERE key = 'staff_pin';
    `);
  },
};
