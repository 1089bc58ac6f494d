// The station schema's history: one file per version, applied in order, each in its own transaction
// together with the version number, so a database is always at exactly one known version.
//
// Version numbers. Each migration's version is the number it declares (its file's number), not its
// place in this list, and LATEST_SCHEMA_VERSION is the highest declared. Versions 1 to 5 were numbered
// one by one and keep their numbers: databases in the field are at them. From now on:
// - a new migration on main takes the next multiple of 10 (the next is 10, then 20, 30 ...);
// - a point fix on a release branch whose newest migration is N takes N + 1 (then N + 2 ...), in the
//   gap below the next multiple of 10, which main owns;
// - the point fix is merged forward with its number into main and every later branch whose databases
//   cannot be past it yet, so a database patched at N + 1 goes on to main's next version. A line that
//   has already shipped a version above N + 1 keeps N + 1 in its list too (databases patched at N + 1
//   must be known to it) and gets the fix again as its own point fix, written to do nothing where
//   N + 1 already ran.
// Why gaps: with one-by-one numbers, main already holds N + 1 by the time a release needs a fix, and
// the fix could only take a number main gives another meaning to. Steps of 10 leave nine numbers per
// release for fixes and cost nothing (user_version is a plain integer). The central runner
// (src-server/db/migrations/index.ts) numbers the same way, for the same reason.
//
// A database at a version this app does not declare, above its latest or in a gap (a point fix this
// build does not carry), is refused without writing: its schema holds changes this app does not know.
import type BetterSqlite3 from 'better-sqlite3';
import { StationError } from '../../../src-shared/errors.ts';
import { latestSchemaVersion } from '../../../src-shared/schema-versions.ts';
import { migration0001 } from './0001_initial.ts';
import { migration0002 } from './0002_listening_plays.ts';
import { migration0003 } from './0003_candidate_screens.ts';
import { migration0004 } from './0004_package_frames.ts';
import { migration0005 } from './0005_outbox_seq.ts';
import { migration0010 } from './0010_play_returns.ts';
import { migration0020 } from './0020_staff_accounts.ts';
import { migration0030 } from './0030_room_seats.ts';
import { migration0040 } from './0040_room_streams.ts';
import { migration0050 } from './0050_check_in_seating.ts';
import { migration0070 } from './0070_room_seal.ts';
import { migration0080 } from './0080_package_staging.ts';
import { migration0090 } from './0090_room_moves.ts';
import { migration0100 } from './0100_room_desk.ts';
import { migration0110 } from './0110_seat_rejoin.ts';
import { migration0120 } from './0120_central_sync.ts';

export interface Migration {
  version: number;
  name: string;
  up(db: BetterSqlite3.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0005, migration0010, migration0020, migration0030, migration0040, migration0050, migration0070, migration0080, migration0090, migration0100, migration0110, migration0120];
/** The highest declared version; checked when this module loads (versions unique and increasing). */
export const LATEST_SCHEMA_VERSION = latestSchemaVersion(MIGRATIONS);

export function schemaVersionOf(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Refuse (DB_TOO_NEW) a database at a version `migrations` does not declare: from a newer app, or a point release this one lacks. */
export function assertKnownSchemaVersion(version: number, migrations: readonly Migration[] = MIGRATIONS): void {
  const latest = latestSchemaVersion(migrations);
  if (version > latest) throw new StationError('DB_TOO_NEW', `database schema ${version}, this app knows up to ${latest}`);
  if (version !== 0 && !migrations.some((m) => m.version === version)) {
    throw new StationError('DB_TOO_NEW', `database schema ${version} is not one this app knows (${migrations.map((m) => m.version).join(', ')}): it was written by another release`);
  }
}

/**
 * Bring the database to `target` (default: latest). Refuses, without writing, a database from a newer
 * app. `migrations` is for tests of the runner itself.
 */
export function migrate(db: BetterSqlite3.Database, target?: number, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = schemaVersionOf(db);
  assertKnownSchemaVersion(current, migrations);
  const upTo = target ?? latestSchemaVersion(migrations);
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > upTo) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return schemaVersionOf(db);
}
