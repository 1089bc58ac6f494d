// The central schema's history: one file per version, each applied in its own transaction together
// with its row in schema_migration. Replicas starting at once take turns through an advisory lock,
// and a database from a newer server version is refused without writing.
import { sql, type Kysely } from 'kysely';
import { migration0001 } from './0001_initial.ts';
import { migration0002 } from './0002_apply_push.ts';
import { migration0003 } from './0003_recording_integrity.ts';
import { migration0004 } from './0004_event_contract.ts';

export interface Migration {
  version: number;
  name: string;
  up(db: Kysely<unknown>): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003, migration0004];
export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;
const MIGRATION_LOCK = 7_117_157;

export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
}

export async function schemaVersion(db: Kysely<unknown>): Promise<number> {
  const exists = await sql<{ present: boolean }>`SELECT to_regclass('schema_migration') IS NOT NULL AS present`.execute(db);
  if (!exists.rows[0]?.present) return 0;
  const row = await sql<{ version: number | null }>`SELECT max(version) AS version FROM schema_migration`.execute(db);
  return row.rows[0]?.version ?? 0;
}

/** Bring the database to `target` (default: latest); returns the version it is at afterwards. */
export async function migrate(db: Kysely<unknown>, target = LATEST_SCHEMA_VERSION): Promise<number> {
  return db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      await sql`CREATE TABLE IF NOT EXISTS schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`.execute(conn);
      const current = await schemaVersion(conn);
      if (current > LATEST_SCHEMA_VERSION) {
        throw new SchemaTooNewError(`the database is at schema ${current}; this server knows up to ${LATEST_SCHEMA_VERSION}. Update the server.`);
      }
      for (const migration of MIGRATIONS) {
        if (migration.version <= current || migration.version > target) continue;
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
