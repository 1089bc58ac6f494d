import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src-main/station/migrations/index.ts';

describe('migration 0003: candidate screens', () => {
  it('keeps earlier takes and plays, marks old interrupted takes as cut off by the station, and counts old plays as fetched', () => {
    const db = new Database(':memory:');
    migrate(db, 2);
    db.pragma('foreign_keys = OFF');
    db.exec(`
      INSERT INTO recordings (recording_id, attempt_id, item_id, take, mime_type, started_at, closed_at, sha256, interrupted)
        VALUES ('r1', 'a', 's1', 1, 'audio/webm', 't', 't', 'h', 1), ('r2', 'a', 's1', 2, 'audio/webm', 't', 't', 'h', 0);
      INSERT INTO stimulus_plays VALUES ('a', 'l1', 1, '2026-01-01T09:00:00.000Z');
    `);
    expect(migrate(db, 3)).toBe(3);
    expect(db.prepare('SELECT recording_id, interruption FROM recordings ORDER BY recording_id').all()).toEqual([
      { recording_id: 'r1', interruption: 'station-restart' },
      { recording_id: 'r2', interruption: null },
    ]);
    expect(db.prepare('SELECT fetched_at FROM stimulus_plays').get()).toEqual({ fetched_at: '2026-01-01T09:00:00.000Z' });
    const columns = (db.prepare('PRAGMA table_info(attempts)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toContain('candidate_token_sha256');
  });

  it('refuses an interruption reason it does not know', () => {
    const db = new Database(':memory:');
    migrate(db);
    db.pragma('foreign_keys = OFF');
    expect(() => db.exec("INSERT INTO recordings (recording_id, attempt_id, item_id, take, mime_type, started_at, interruption) VALUES ('r', 'a', 'i', 1, 'm', 't', 'bored')")).toThrow(/CHECK/);
  });
});
