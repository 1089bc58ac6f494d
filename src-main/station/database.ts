// Opening the station database: WAL with synchronous=FULL (a committed transaction survives a power
// cut), a refusal to touch a file that is not a healthy SQLite database, and the schema migrations.
// kysely builds the typed queries; better-sqlite3 runs them synchronously inside one transaction.
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { Kysely, SqliteDialect, type Compilable } from 'kysely';
import { StationError } from '../../src-shared/errors.ts';
import { LATEST_SCHEMA_VERSION, migrate, schemaVersionOf } from './migrations/index.ts';
import type { StationTables } from './tables.ts';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export interface StationDatabase {
  path: string;
  sqlite: Database.Database;
  /** Builds queries; run them through `run`, `all` and `get` so they take part in the current transaction. */
  q: Kysely<StationTables>;
  schemaVersion: number;
  run(query: Compilable): Database.RunResult;
  all<T>(query: Compilable<T>): T[];
  get<T>(query: Compilable<T>): T | undefined;
  close(): void;
}

/** Turn a SQLite failure into the error a person can act on. Other errors pass through unchanged. */
export function storageError(error: unknown): unknown {
  if (error instanceof StationError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  const detail = `${code}: ${(error as Error).message}`;
  if (code === 'SQLITE_FULL' || /ENOSPC|disk is full/i.test((error as Error).message)) return new StationError('DISK_FULL', detail, { cause: error });
  if (code.startsWith('SQLITE_IOERR')) return new StationError('STORAGE_IO', detail, { cause: error });
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') return new StationError('DB_CORRUPT', detail, { cause: error });
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new StationError('DB_LOCKED', detail, { cause: error });
  return new StationError('INTERNAL', detail, { cause: error });
}

function checkHeader(path: string): void {
  if (!existsSync(path) || statSync(path).size === 0) return;
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const read = readSync(fd, head, 0, head.length, 0);
    if (read < head.length || !head.equals(SQLITE_HEADER)) throw new StationError('DB_CORRUPT', `${path} does not start with the SQLite header`);
  } finally {
    closeSync(fd);
  }
}

export interface OpenOptions {
  /** Verify every page on open (PRAGMA quick_check). On by default; a large database pays seconds for it. */
  quickCheck?: boolean;
}

export function openStationDatabase(path: string, options: OpenOptions = {}): StationDatabase {
  checkHeader(path);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(path, { fileMustExist: existsSync(path), timeout: 5000 });
  } catch (error) {
    throw storageError(error);
  }
  try {
    // Read-only checks first: a database we must refuse is left exactly as it was (switching to WAL
    // would already rewrite its header).
    const found = schemaVersionOf(sqlite);
    if (found > LATEST_SCHEMA_VERSION) throw new StationError('DB_TOO_NEW', `database schema ${found}, this app knows up to ${LATEST_SCHEMA_VERSION}`);
    if (options.quickCheck !== false) {
      const check = sqlite.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new StationError('DB_CORRUPT', `quick_check: ${String(check)}`);
    }
    const mode = sqlite.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new StationError('STORAGE_IO', `journal_mode is ${String(mode)}, expected wal`);
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    const schemaVersion = migrate(sqlite);
    const statements = new Map<string, Database.Statement>();
    const prepare = (query: Compilable): { statement: Database.Statement; parameters: readonly unknown[] } => {
      const compiled = query.compile();
      let statement = statements.get(compiled.sql);
      if (!statement) {
        statement = sqlite.prepare(compiled.sql);
        statements.set(compiled.sql, statement);
      }
      return { statement, parameters: compiled.parameters };
    };
    const q = new Kysely<StationTables>({ dialect: new SqliteDialect({ database: sqlite }) });
    return {
      path,
      sqlite,
      q,
      schemaVersion,
      run(query) {
        const { statement, parameters } = prepare(query);
        return statement.run(...parameters);
      },
      all<T>(query: Compilable<T>) {
        const { statement, parameters } = prepare(query);
        return statement.all(...parameters) as T[];
      },
      get<T>(query: Compilable<T>) {
        const { statement, parameters } = prepare(query);
        return statement.get(...parameters) as T | undefined;
      },
      close() {
        if (sqlite.open) sqlite.close();
      },
    };
  } catch (error) {
    sqlite.close();
    throw storageError(error);
  }
}
