import Database from 'better-sqlite3';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodedError, StationError } from '../../src-shared/errors.ts';
import { openStationDatabase } from '../../src-main/station/database.ts';
import { LATEST_SCHEMA_VERSION, migrate } from '../../src-main/station/migrations/index.ts';
import { StationService } from '../../src-main/station/service.ts';
import { makeKeys, tempDir } from '../support/fixtures.ts';

function openError(path: string): StationError {
  try {
    openStationDatabase(path).close();
  } catch (error) {
    if (error instanceof CodedError) return error;
    throw error;
  }
  throw new Error('expected the open to be refused');
}

describe('the station database file', () => {
  it('runs in WAL mode with synchronous=FULL and foreign keys on', () => {
    const db = openStationDatabase(join(tempDir(), 'station.db'));
    expect(db.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.sqlite.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    db.close();
  });

  it('refuses a file that is not a database, keeps it byte for byte and creates nothing beside it', () => {
    const dir = tempDir();
    const path = join(dir, 'station.db');
    const garbage = Buffer.from('this was a station database before the disk failed'.repeat(100));
    writeFileSync(path, garbage);
    const error = openError(path);
    expect(error.code).toBe('DB_CORRUPT');
    expect(error.text.lv).toMatch(/Nedzēsiet/);
    expect(readFileSync(path).equals(garbage)).toBe(true);
    expect(readdirSync(dir)).toEqual(['station.db']);
  });

  it('refuses a database whose pages were damaged, without changing the file', () => {
    const path = join(tempDir(), 'station.db');
    const service = new StationService({ dbPath: path, role: 'solo', venueCode: 'V', trust: makeKeys().trust, heartbeatMs: 0 });
    service.db.sqlite.exec("CREATE TABLE filler (x TEXT); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO filler SELECT printf('%0500d', i) FROM n;");
    service.close();
    const bytes = readFileSync(path);
    // Overwrite the middle of the file (b-tree pages of the tables) but leave the header intact.
    const damaged = Buffer.from(bytes);
    damaged.fill(0x41, 8192, Math.min(bytes.length, 8192 + 40_000));
    writeFileSync(path, damaged);
    expect(openError(path).code).toBe('DB_CORRUPT');
    expect(readFileSync(path).equals(damaged)).toBe(true);
  });

  it('refuses a database from a newer app version and leaves it untouched', () => {
    const path = join(tempDir(), 'station.db');
    const raw = new Database(path);
    migrate(raw);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 5}`);
    raw.close();
    const before = readFileSync(path);
    const error = openError(path);
    expect(error.code).toBe('DB_TOO_NEW');
    expect(error.detail).toMatch(`schema ${LATEST_SCHEMA_VERSION + 5}`);
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(LATEST_SCHEMA_VERSION + 5);
    after.close();
    expect(readFileSync(path).subarray(0, 100).equals(before.subarray(0, 100))).toBe(true);
  });

  it('refuses a second writer in this process and in another, and the lock goes with a killed owner', async () => {
    const path = join(tempDir(), 'station.db');
    const first = openStationDatabase(path);
    expect(openError(path).code).toBe('DB_LOCKED');
    first.close();
    const { spawn } = await import('node:child_process');
    const module = new URL('../../src-main/station/database.ts', import.meta.url).pathname;
    const owner = spawn(process.execPath, ['--input-type=module', '-e', `import { openStationDatabase } from '${module}'; openStationDatabase(process.argv[1]); console.log('open'); setInterval(() => {}, 1000);`, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => owner.stdout.once('data', () => resolve()));
    const busy = openError(path);
    expect(busy.code).toBe('DB_LOCKED');
    expect(busy.text.en).toMatch(/another Exam Station program/);
    owner.kill('SIGKILL');
    await new Promise((resolve) => owner.once('exit', resolve));
    const second = openStationDatabase(path);
    second.close();
  });

  it('is not blocked by a lock file naming a live process that is not Exam Station (a reused pid)', () => {
    const path = join(tempDir(), 'station.db');
    // The old lock format: the pid of a process that runs (pid 1 always does) but holds no lock.
    writeFileSync(`${path}.lock`, '1');
    const db = openStationDatabase(path);
    expect(db.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    db.close();
    writeFileSync(`${path}.lock`, String(process.ppid));
    openStationDatabase(path).close();
  });

  it('upgrades an older database in place and keeps its rows', () => {
    const path = join(tempDir(), 'station.db');
    const raw = new Database(path);
    migrate(raw, 1);
    raw.exec("INSERT INTO meta VALUES ('device_id', 'kept')");
    raw.close();
    const db = openStationDatabase(path);
    expect(db.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(db.sqlite.prepare("SELECT value FROM meta WHERE key = 'device_id'").get()).toEqual({ value: 'kept' });
    db.close();
    expect(existsSync(path)).toBe(true);
  });
});
