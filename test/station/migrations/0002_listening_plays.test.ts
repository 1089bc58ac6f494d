import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src-main/station/migrations/index.ts';

describe('migration 0002: listening plays', () => {
  it('upgrades a version 1 database with its data to version 2 and adds the play table', () => {
    const db = new Database(':memory:');
    migrate(db, 1);
    db.exec("INSERT INTO meta VALUES ('device_id', 'dev-1')");
    expect(migrate(db, 2)).toBe(2);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'device_id'").get()).toEqual({ value: 'dev-1' });
    const columns = (db.prepare('PRAGMA table_info(stimulus_plays)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(['attempt_id', 'stimulus_id', 'play', 'granted_at']);
  });

  it('counts each play once: the same play number cannot be granted twice', () => {
    const db = new Database(':memory:');
    migrate(db);
    db.pragma('foreign_keys = OFF');
    db.exec("INSERT INTO stimulus_plays (attempt_id, stimulus_id, play, granted_at) VALUES ('a', 's', 1, 'now')");
    expect(() => db.exec("INSERT INTO stimulus_plays (attempt_id, stimulus_id, play, granted_at) VALUES ('a', 's', 1, 'later')")).toThrow(/UNIQUE|PRIMARY/);
  });
});
