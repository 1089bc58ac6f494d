// The central schema's history: one file per version, each applied in its own transaction together
// with its row in schema_migration. Replicas starting at once take turns through an advisory lock,
// and a database from a newer server version is refused without writing.
//
// Version numbers. Each migration's version is the number it declares (its file's number), not its
// place in this list, and LATEST_SCHEMA_VERSION is the highest declared. Versions 1 to 4 were numbered
// one by one and keep their numbers: central databases are at them. From now on:
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
// release for fixes and cost nothing (a version is an integer key). The station's runner
// (src-main/station/migrations/index.ts) numbers the same way, for the same reason.
//
// The database is at the highest version in schema_migration; migrations above it are applied in
// order. A database holding a version this server does not declare, above its latest or in a gap (a
// point fix this build does not carry), is refused without writing.
import { sql, type Kysely } from 'kysely';
import { latestSchemaVersion } from '../../../src-shared/schema-versions.ts';
import { migration0001 } from './0001_initial.ts';
import { migration0002 } from './0002_apply_push.ts';
import { migration0003 } from './0003_recording_integrity.ts';
import { migration0004 } from './0004_event_contract.ts';
import { migration0010 } from './0010_play_returns.ts';
import { migration0020 } from './0020_deletion_certificates.ts';

export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<unknown>): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004, migration0010, migration0020];
/** The highest declared version; checked when this module loads (versions unique and increasing). */
export const LATEST_SCHEMA_VERSION = latestSchemaVersion(MIGRATIONS);
const MIGRATION_LOCK = 7_117_157;

/** The database's schema is newer than this server, or holds a version it does not know: update the server. */
export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}

async function hasMigrationTable(db: Kysely<unknown>): Promise<boolean> {
  const exists = await sql<{ present: boolean }>`SELECT to_regclass('schema_migration') IS NOT NULL AS present`.execute(db);
  return exists.rows[0]?.present === true;
}

export async function schemaVersion(db: Kysely<unknown>): Promise<number> {
  if (!(await hasMigrationTable(db))) return 0;
  const row = await sql<{ version: number | null }>`SELECT max(version) AS version FROM schema_migration`.execute(db);
  return row.rows[0]?.version ?? 0;
}

/**
 * Bring the database to `target` (default: latest); returns the version it is at afterwards.
 * `migrations` is for tests of the runner itself.
 */
export async function migrate(db: Kysely<unknown>, target?: number, migrations: readonly Migration[] = MIGRATIONS): Promise<number> {
  const latest = latestSchemaVersion(migrations);
  const upTo = target ?? latest;
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      await sql`CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`.execute(conn);
      const applied = (await sql<{ version: number }>`SELECT version FROM schema_migration ORDER BY version`.execute(conn)).rows.map((r) => r.version);
      const current = applied.at(-1) ?? 0;
      if (current > latest) {
        throw new SchemaTooNewError(`the database is at schema ${current}; this server knows up to ${latest}. Update the server.`);
      }
      const unknown = applied.filter((version) => !migrations.some((m) => m.version === version));
      if (unknown.length > 0) {
        throw new SchemaTooNewError(`the database holds schema ${unknown.join(', ')}, which this server does not know (it knows ${migrations.map((m) => m.version).join(', ')}): it was written by another release. Update the server.`);
      }
      for (const migration of migrations) {
        if (migration.version <= current || migration.version > upTo) continue;
        await conn.transaction().execute(async (trx) => {
          await migration.up(trx);
          await sql`INSERT INTO schema_migration (version, name) VALUES (${migration.version}, ${migration.name})`.execute(trx);
        });
      }
      return await schemaVersion(conn);
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}
