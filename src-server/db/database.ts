// The connection to PostgreSQL: one pg pool per process, kysely on top. bigint columns arrive as
// numbers (see the type parser below); timestamps arrive as Dates.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { CentralTables } from './tables.ts';

export type CentralDb = Kysely<CentralTables>;

export interface Database {
  db: CentralDb;
  pool: pg.Pool;
  close(): Promise<void>;
}

// int8 (counts, seq numbers, byte sizes, versions) as numbers: all stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// Calendar dates (birth date, document date) stay "YYYY-MM-DD": a Date would shift with the time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export function openDatabase(url: string, poolSize = 20): Database {
  const pool = new pg.Pool({ connectionString: url, max: poolSize, idleTimeoutMillis: 30_000 });
  // An idle client that loses its server (restart, failover) must not crash the process.
  pool.on('error', (error) => process.emitWarning(`PostgreSQL pool: ${error.message}`));
  const db = new Kysely<CentralTables>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, close: () => db.destroy() };
}
