// Schema version 80: packages pre-staged from the hub (src-main/seat-link/staging.ts). On a seat,
// `seat_staging` is a package the hub offered and the seat is fetching (the whole file's SHA-256 and
// size, as offered), `seat_staging_chunks` the chunks it has checked and kept, so a cut link resumes
// from the first chunk it lacks. Both are emptied once the package is imported or refused.
import type { Migration } from './index.ts';

export const migration0080: Migration = {
  version: 80,
  name: 'package staging',
  up(db) {
    db.exec(`
      CREATE TABLE seat_staging (
        package_id TEXT PRIMARY KEY,
        file_sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        offered_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE seat_staging_chunks (
        package_id TEXT NOT NULL REFERENCES seat_staging (package_id),
        idx INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (package_id, idx)
      ) STRICT;
    `);
  },
};
