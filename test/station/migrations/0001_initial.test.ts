import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { migrate, schemaVersionOf } from '../../../src-main/station/migrations/index.ts';
import { tempDir } from '../../support/fixtures.ts';

describe('migration 0001: initial schema', () => {
  it('creates the station tables in one step and sets the schema version to 1', () => {
    const db = new Database(join(tempDir(), 's.db'));
    expect(migrate(db, 1)).toBe(1);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toEqual(['attempts', 'candidates', 'incidents', 'meta', 'outbox', 'package_keys', 'packages', 'recording_segments', 'recordings', 'response_revisions', 'sessions', 'timer_events']);
    db.close();
  });

  it('keeps no diagnosis column among the candidate fields (MK 117 11.3.10: only the accommodation granted)', () => {
    const db = new Database(':memory:');
    migrate(db, 1);
    const columns = (db.prepare('PRAGMA table_info(candidates)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toContain('accommodation');
    expect(columns).toContain('accommodation_doc_no');
    expect(columns.some((c) => /diagnos|health|illness/.test(c))).toBe(false);
  });

  it('never reuses an outbox seq, even after the newest rows are deleted', () => {
    const db = new Database(':memory:');
    migrate(db, 1);
    const insert = db.prepare("INSERT INTO outbox (device_id, kind, entity_id, payload_json, created_at) VALUES ('d', 'k', 'e', '{}', 'now')");
    insert.run();
    const second = insert.run().lastInsertRowid;
    db.prepare('DELETE FROM outbox WHERE seq = ?').run(second);
    expect(Number(insert.run().lastInsertRowid)).toBe(Number(second) + 1);
  });

  it('allows only one open attempt per candidate and package', () => {
    const db = new Database(':memory:');
    migrate(db, 1);
    db.exec(`INSERT INTO sessions VALUES ('s', 'e', 'V', 'Venue', NULL, 'now', NULL);
      INSERT INTO candidates (candidate_id, session_id, given_name, family_name, personal_code) VALUES ('c', 's', 'A', 'B', '15078512340');
      INSERT INTO packages VALUES ('p', 'e', 1, 't', 'any', 'a', 'b', 'k', '{}', x'00', x'00', 'h', 'now');
      INSERT INTO attempts VALUES ('a1', 'c', 'p', 'open', 'now', NULL, NULL);`);
    expect(() => db.exec("INSERT INTO attempts VALUES ('a2', 'c', 'p', 'open', 'now', NULL, NULL)")).toThrow(/UNIQUE/);
    db.exec("INSERT INTO attempts VALUES ('a3', 'c', 'p', 'voided', 'now', NULL, NULL)");
    expect(schemaVersionOf(db)).toBe(1);
  });
});
