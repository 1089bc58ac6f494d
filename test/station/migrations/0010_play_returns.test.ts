import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src-main/station/migrations/index.ts';

describe('migration 0010: play returns', () => {
  it('keeps every play as one that counts (none handed back) and lets a play be marked as handed back', () => {
    const db = new Database(':memory:');
    migrate(db, 5);
    db.pragma('foreign_keys = OFF');
    db.exec("INSERT INTO stimulus_plays (attempt_id, stimulus_id, play, granted_at, fetched_at) VALUES ('a', 'l1', 1, 't1', 't1'), ('a', 'l1', 2, 't2', NULL)");
    expect(migrate(db, 10)).toBe(10);
    expect(db.prepare('SELECT play, fetched_at, returned_at FROM stimulus_plays ORDER BY play').all()).toEqual([
      { play: 1, fetched_at: 't1', returned_at: null },
      { play: 2, fetched_at: null, returned_at: null },
    ]);
    db.exec("UPDATE stimulus_plays SET returned_at = 't3' WHERE play = 2");
    expect(db.prepare('SELECT count(*) AS n FROM stimulus_plays WHERE returned_at IS NULL').get()).toEqual({ n: 1 });
  });
});
