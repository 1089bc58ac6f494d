// The station schema's history: one file per version, applied in order, each in its own transaction
// together with the version number, so a database is always at exactly one known version.
import type BetterSqlite3 from 'better-sqlite3';
import { StationError } from '../../../src-shared/errors.ts';
import { migration0001 } from './0001_initial.ts';
import { migration0002 } from './0002_listening_plays.ts';
import { migration0003 } from './0003_candidate_screens.ts';
import { migration0004 } from './0004_package_frames.ts';
import { migration0005 } from './0005_outbox_seq.ts';

export interface Migration {
  version: number;
  name: string;
  up(db: BetterSqlite3.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005];
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

export function schemaVersionOf(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Bring the database to `target` (default: latest). Refuses, without writing, a database from a newer app. */
export function migrate(db: BetterSqlite3.Database, target = LATEST_SCHEMA_VERSION): number {
  const current = schemaVersionOf(db);
  if (current > LATEST_SCHEMA_VERSION) {
    throw new StationError('DB_TOO_NEW', `database schema ${current}, this app knows up to ${LATEST_SCHEMA_VERSION}`);
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return schemaVersionOf(db);
}
