import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src-main/station/migrations/index.ts';

describe('migration 0100: the room desk', () => {
  it('keeps one key release a package, released only with a command of this hub', () => {
    const db = new Database(':memory:');
    migrate(db, 90);
    expect(migrate(db, 100)).toBe(100);
    db.pragma('foreign_keys = ON');
    const start = db.prepare("INSERT INTO room_key_releases (package_id, session_id, started_by, started_by_account, started_at) VALUES ('P1', 'S1', 'chief', 'A1', 1000)");
    start.run();
    expect(() => start.run()).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.exec("UPDATE room_key_releases SET confirmed_by = 'second' WHERE package_id = 'P1'")).toThrow(/CHECK/);
    expect(() => db.exec("UPDATE room_key_releases SET confirmed_by = 'second', cmd_id = 'no-command' WHERE package_id = 'P1'")).toThrow(/FOREIGN KEY/);
    db.exec("INSERT INTO room_commands (cmd_id, term, room_seq, target_kind, command_json, created_at) VALUES ('c1', 1, 1, 'room', '{}', 't')");
    db.exec("UPDATE room_key_releases SET confirmed_by = 'second', cmd_id = 'c1' WHERE package_id = 'P1'");
  });

  it('keeps a lost-time proposal open until it is settled, with the id its credit will have', () => {
    const db = new Database(':memory:');
    migrate(db, 100);
    const propose = db.prepare("INSERT INTO room_lost_time (proposal_id, device_id, candidate_id, attempt_id, part_id, silent_from, silent_to, cmd_id, status) VALUES (?, 'D1', 'C1', 'A1', 'reading', 1000, 41000, ?, ?)");
    expect(() => propose.run('L1', 'c1', 'maybe')).toThrow(/CHECK/);
    propose.run('L1', 'c1', 'open');
    expect(() => propose.run('L2', 'c1', 'open')).toThrow(/UNIQUE/);
    expect(() => db.exec("UPDATE room_lost_time SET status = 'credited' WHERE proposal_id = 'L1'")).toThrow(/CHECK/);
    db.exec("UPDATE room_lost_time SET status = 'credited', settled_by = 'chief', settled_at = 't' WHERE proposal_id = 'L1'");
  });
});
