import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src-main/station/migrations/index.ts';

function roster(db: Database.Database): void {
  db.exec(`
    INSERT INTO sessions (session_id, exam_id, venue_code, venue_name, starts_at) VALUES ('S1', 'e', 'V', 'Vieta', '2026-01-01T09:00:00Z');
    INSERT INTO candidates (candidate_id, session_id, given_name, family_name, personal_code) VALUES ('C1', 'S1', 'Anna', 'Bērziņa', 'x'), ('C2', 'S1', 'Jānis', 'Ozols', 'y');
  `);
  // A package row with every column it must have, whatever earlier migrations made them.
  const columns = (db.prepare('PRAGMA table_info(packages)').all() as { name: string; notnull: number; type: string }[]).filter((c) => c.notnull === 1);
  db.prepare(`INSERT INTO packages (${columns.map((c) => c.name).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(
    ...columns.map((c) => (c.name === 'package_id' ? 'P1' : c.name === 'state' ? 'ready' : c.type === 'BLOB' ? Buffer.alloc(1) : c.type === 'INTEGER' ? 1 : 'x')),
  );
}

describe('migration 0050: check-in and seating', () => {
  it('holds one live assignment per seat and per candidate; an ended one frees both', () => {
    const db = new Database(':memory:');
    migrate(db, 40);
    expect(migrate(db, 50)).toBe(50);
    db.pragma('foreign_keys = ON');
    roster(db);
    const seat = db.prepare("INSERT INTO room_assignments (assignment_id, candidate_id, device_id, package_id, assigned_by, assigned_at, assign_cmd_id) VALUES (?, ?, ?, 'P1', 'ilze', 't', 'cmd')");
    seat.run('A1', 'C1', 'D1');
    expect(() => seat.run('A2', 'C2', 'D1')).toThrow(/UNIQUE/);
    expect(() => seat.run('A3', 'C1', 'D2')).toThrow(/UNIQUE/);
    expect(() => seat.run('A4', 'C9', 'D3')).toThrow(/FOREIGN KEY/);
    db.exec("UPDATE room_assignments SET ended_at = 't2', ended_by = 'ilze' WHERE assignment_id = 'A1'");
    seat.run('A2', 'C2', 'D1');
    seat.run('A3', 'C1', 'D2');
  });

  it('keeps the two checks of a check-in with who and when, and late as a yes or no', () => {
    const db = new Database(':memory:');
    migrate(db, 50);
    db.pragma('foreign_keys = ON');
    roster(db);
    db.exec("INSERT INTO check_ins (candidate_id, id_document_by, id_document_at) VALUES ('C1', 'ilze', 't')");
    expect(db.prepare('SELECT * FROM check_ins').get()).toEqual({ candidate_id: 'C1', id_document_by: 'ilze', id_document_at: 't', personal_code_by: null, personal_code_at: null, late: 0 });
    expect(() => db.exec("UPDATE check_ins SET late = 2")).toThrow(/CHECK/);
    expect(() => db.exec("INSERT INTO check_ins (candidate_id) VALUES ('C9')")).toThrow(/FOREIGN KEY/);
  });
});
