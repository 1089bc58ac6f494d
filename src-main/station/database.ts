// Opening the station database: WAL with synchronous=FULL (a committed transaction survives a power
// cut), a refusal to touch a file that is not a healthy SQLite database, and the schema migrations.
// kysely builds the typed queries; better-sqlite3 runs them synchronously inside one transaction.
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { Kysely, SqliteDialect, type Compilable } from 'kysely';
import { CodedError, StationError } from '../../src-shared/errors.ts';
import { assertKnownSchemaVersion, migrate, schemaVersionOf } from './migrations/index.ts';
import type { StationTables } from './tables.ts';

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
/** SQLite checkpoints inside a commit only once the WAL holds this many pages (4 KiB each). */
const WAL_BACKSTOP_PAGES = 4000;

declare const inTransaction: unique symbol;
/**
 * Proof that code runs inside a transaction of the station database: only `transaction()` hands one
 * to its callback. A record method that must run inside its caller's transaction takes it first, so
 * calling it outside one is a type error, not a comment.
 */
export type Tx = { readonly [inTransaction]: true };
const TX = Object.freeze({}) as Tx;

export interface StationDatabase {
  path: string;
  sqlite: Database.Database;
  /** Builds queries; run them through `run`, `all` and `get` so they take part in the current transaction. */
  q: Kysely<StationTables>;
  schemaVersion: number;
  run(query: Compilable): Database.RunResult;
  all<T>(query: Compilable<T>): T[];
  get<T>(query: Compilable<T>): T | undefined;
  /**
   * A kysely query compiled and prepared once, run many times with named parameters: for hot paths,
   * where compiling the query on every call would cost more than the write itself.
   */
  prepared<P extends object, R = unknown>(build: (params: P) => Compilable<R>): PreparedQuery<P, R>;
  /** Run `fn` in one IMMEDIATE transaction (joins the current one when nested). */
  transaction<T>(fn: (tx: Tx) => T): T;
  /** Copy committed WAL pages into the database without blocking a writer; for idle moments. */
  checkpointIdle(): void;
  close(): void;
}

/** Turn a SQLite failure into the error a person can act on. Other errors pass through unchanged. */
export function storageError(error: unknown): unknown {
  if (error instanceof CodedError) return error;
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

export interface PreparedQuery<P, R> {
  run(params: P): Database.RunResult;
  get(params: P): R | undefined;
  all(params: P): R[];
}

const PARAM = '\u0000param:';

/**
 * Compile `build` against stand-in parameters and remember which named parameter goes where. The
 * stand-in has no own keys, so an insert must list its columns (`values({ a: p.a })`, not `values(p)`).
 */
function prepareNamed<P extends object, R>(sqlite: Database.Database, build: (params: P) => Compilable<R>): PreparedQuery<P, R> {
  const standIn = new Proxy({}, { get: (_target, key) => `${PARAM}${String(key)}` }) as P;
  const compiled = build(standIn).compile();
  const slots = compiled.parameters.map((value): { name: string } | { constant: unknown } =>
    typeof value === 'string' && value.startsWith(PARAM) ? { name: value.slice(PARAM.length) } : { constant: value },
  );
  const statement = sqlite.prepare(compiled.sql);
  const args = (params: P): unknown[] => slots.map((slot) => ('name' in slot ? (params as Record<string, unknown>)[slot.name] : slot.constant));
  return {
    run: (params) => statement.run(...args(params)),
    get: (params) => statement.get(...args(params)) as R | undefined,
    all: (params) => statement.all(...args(params)) as R[],
  };
}

/**
 * One writer per database: the service keeps some committed state in memory, so a second process
 * writing the same file would go unseen. The lock is the operating system's: an exclusive SQLite lock
 * held on a small file beside the database for as long as the station runs. The system drops it when
 * the process ends, however it ends (a crash, a power cut, a kill), so a lock can never be left
 * behind, and a process id reused after a reboot can never be mistaken for a live owner.
 */
function acquireWriterLock(path: string): () => void {
  const lockPath = `${path}.lock`;
  const take = (): Database.Database => {
    const lock = new Database(lockPath, { timeout: 0 });
    try {
      lock.pragma('journal_mode = DELETE');
      lock.pragma('locking_mode = EXCLUSIVE');
      // The first write takes the EXCLUSIVE lock; in this locking mode it is kept until close.
      lock.exec(`BEGIN EXCLUSIVE; CREATE TABLE IF NOT EXISTS owner (pid INTEGER NOT NULL, since TEXT NOT NULL); DELETE FROM owner; INSERT INTO owner VALUES (${process.pid}, '${new Date().toISOString()}'); COMMIT;`);
      return lock;
    } catch (error) {
      lock.close();
      throw error;
    }
  };
  let lock: Database.Database;
  try {
    lock = take();
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) throw new StationError('DB_LOCKED', `${path} is open in another Exam Station program`);
    if (code !== 'SQLITE_NOTADB' && code !== 'SQLITE_CORRUPT') throw new StationError('STORAGE_IO', `${lockPath}: ${(error as Error).message}`);
    // A lock file of an older version (it held a process id as text) or a damaged one carries no
    // lock of its own: replace it.
    rmSync(lockPath, { force: true });
    try {
      lock = take();
    } catch (again) {
      throw new StationError('DB_LOCKED', `could not take ${lockPath}: ${(again as Error).message}`);
    }
  }
  return () => lock.close();
}

export interface OpenOptions {
  /** Verify every page on open (PRAGMA quick_check). On by default; a large database pays seconds for it. */
  quickCheck?: boolean;
}

export function openStationDatabase(path: string, options: OpenOptions = {}): StationDatabase {
  checkHeader(path);
  const releaseLock = acquireWriterLock(path);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(path, { fileMustExist: existsSync(path), timeout: 5000 });
  } catch (error) {
    releaseLock();
    throw storageError(error);
  }
  try {
    // Read-only checks first: a database we must refuse is left exactly as it was (switching to WAL
    // would already rewrite its header).
    const found = schemaVersionOf(sqlite);
    assertKnownSchemaVersion(found);
    if (options.quickCheck !== false) {
      const check = sqlite.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new StationError('DB_CORRUPT', `quick_check: ${String(check)}`);
    }
    const mode = sqlite.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new StationError('STORAGE_IO', `journal_mode is ${String(mode)}, expected wal`);
    sqlite.pragma('synchronous = FULL');
    // The station checkpoints the WAL when it is idle (checkpointIdle, from its heartbeat), so a save
    // rarely carries one; SQLite's own checkpoint inside a commit stays as the backstop, at 16 MB.
    sqlite.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
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
    // Prepared once: better-sqlite3's own transaction() wrapper prepares BEGIN/COMMIT on every call.
    const begin = sqlite.prepare('BEGIN IMMEDIATE');
    const commit = sqlite.prepare('COMMIT');
    const rollback = sqlite.prepare('ROLLBACK');
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
      prepared: (build) => prepareNamed(sqlite, build),
      transaction<T>(fn: (tx: Tx) => T): T {
        if (sqlite.inTransaction) return fn(TX);
        begin.run();
        try {
          const result = fn(TX);
          commit.run();
          return result;
        } catch (error) {
          // A failed COMMIT (disk full) may already have rolled back; only roll back what is still open.
          if (sqlite.inTransaction) rollback.run();
          throw error;
        }
      },
      checkpointIdle() {
        if (!sqlite.inTransaction) sqlite.pragma('wal_checkpoint(PASSIVE)');
      },
      close() {
        if (!sqlite.open) return;
        sqlite.close();
        releaseLock();
      },
    };
  } catch (error) {
    sqlite.close();
    releaseLock();
    throw storageError(error);
  }
}
