// The station's migration runner: a migration's version is the number it declares (its file's
// number), the latest is the highest one, and a database at a version the app does not declare, above
// its latest or in a gap of the history, is refused without writing.
import Database from 'better-sqlite3';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CodedError } from '../../../src-shared/errors.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersionOf, type Migration } from '../../../src-main/station/migrations/index.ts';
import { tempDir } from '../../support/fixtures.ts';

const MIGRATIONS_DIR = join(import.meta.dirname, '../../../src-main/station/migrations');

/** Migrations that each create a table named after their version. */
const history = (...versions: number[]): Migration[] =>
  versions.map((version) => ({ version, name: `table ${version}`, up: (db) => db.exec(`CREATE TABLE t${version} (x INTEGER)`) }));
const tables = (db: Database.Database): string[] => (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return error instanceof CodedError ? `${error.code}: ${error.detail ?? ''}` : String(error);
  }
  return 'not refused';
};

describe('the station migration runner', () => {
  it('numbers each migration as its file does, in increasing order, the latest being the highest', () => {
    const files = readdirSync(MIGRATIONS_DIR).filter((f) => /^\d{4}_.+\.ts$/.test(f)).sort();
    expect(MIGRATIONS.map((m) => m.version)).toEqual(files.map((f) => Number(f.slice(0, 4))));
    // Every file is in the list: a migration written but not listed would never run.
    for (const file of files) expect(readFileSync(join(MIGRATIONS_DIR, 'index.ts'), 'utf8')).toContain(`./${file}`);
    expect(LATEST_SCHEMA_VERSION).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
  });

  it('follows the declared versions of a history with gaps, and stops at a target', () => {
    const gapped = history(1, 2, 5, 10);
    const db = new Database(':memory:');
    expect(migrate(db, 5, gapped)).toBe(5);
    expect(tables(db)).toEqual(['t1', 't2', 't5']);
    expect(migrate(db, undefined, gapped)).toBe(10);
    expect(tables(db)).toEqual(['t1', 't10', 't2', 't5']);
    expect(migrate(db, undefined, gapped)).toBe(10);
    db.close();
  });

  it('refuses, without writing, a database above the latest version or at one in a gap it does not declare', () => {
    const gapped = history(1, 2, 5, 10);
    for (const version of [6, 11]) {
      const path = join(tempDir(), 'station.db');
      const db = new Database(path);
      migrate(db, 5, gapped);
      db.pragma(`user_version = ${version}`);
      const before = readFileSync(path);
      expect(refusal(() => migrate(db, undefined, gapped))).toMatch(version === 6 ? /^DB_TOO_NEW: database schema 6 is not one this app knows \(1, 2, 5, 10\)/ : /^DB_TOO_NEW: database schema 11, this app knows up to 10/);
      expect(schemaVersionOf(db)).toBe(version);
      expect(tables(db)).toEqual(['t1', 't2', 't5']);
      db.close();
      expect(readFileSync(path).equals(before)).toBe(true);
    }
  });

  it('runs no history whose versions repeat or go down', () => {
    const db = new Database(':memory:');
    expect(() => migrate(db, undefined, history(1, 2, 2))).toThrow(/declared twice/);
    expect(() => migrate(db, undefined, history(1, 10, 6))).toThrow(/comes after version 10/);
    expect(tables(db)).toEqual([]);
    db.close();
  });
});
