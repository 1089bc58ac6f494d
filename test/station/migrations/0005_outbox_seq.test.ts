import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src-main/station/migrations/index.ts';

describe('migration 0005: outbox seq', () => {
  it('keeps every event with its seq and remembers the highest seq ever handed out', () => {
    const db = new Database(':memory:');
    migrate(db, 4);
    const insert = db.prepare("INSERT INTO outbox (device_id, kind, entity_id, payload_json, created_at) VALUES ('d', 'k', 'e', '{}', 't')");
    for (let i = 0; i < 5; i += 1) insert.run();
    // Events 4 and 5 were pruned: the next seq must still be 6, not 4.
    db.exec('DELETE FROM outbox WHERE seq > 3');
    expect(migrate(db, 5)).toBe(5);
    expect(db.prepare('SELECT seq FROM outbox ORDER BY seq').all()).toEqual([{ seq: 1 }, { seq: 2 }, { seq: 3 }]);
    expect(db.prepare("SELECT value FROM meta WHERE key = 'outbox_seq_floor'").get()).toEqual({ value: '5' });
    expect(db.prepare("SELECT sql FROM sqlite_master WHERE name = 'outbox'").get()).not.toMatchObject({ sql: expect.stringMatching(/AUTOINCREMENT/) });
  });
});
