import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src-main/station/migrations/index.ts';

describe('migration 0070: the room seal', () => {
  it('keeps a command answer beside the command on both sides, and a seal done only with its statement and signature', () => {
    const db = new Database(':memory:');
    migrate(db, 40);
    db.exec("INSERT INTO seat_commands (cmd_id, term, room_seq, command_json, received_at, status) VALUES ('c0', 1, 1, '{}', 't', 'applied')");
    expect(migrate(db, 70)).toBe(70);
    db.pragma('foreign_keys = ON');
    expect(db.prepare("SELECT answer_json FROM seat_commands WHERE cmd_id = 'c0'").get()).toEqual({ answer_json: null });
    db.exec("INSERT INTO room_commands (cmd_id, term, room_seq, target_kind, command_json, created_at) VALUES ('c1', 1, 1, 'room', '{}', 't')");
    db.exec("INSERT INTO room_command_results (cmd_id, device_id, status, confirmed_at, answer_json) VALUES ('c1', 'D1', 'applied', 't', '{\"digest\":\"x\"}')");
    expect(() => db.exec("INSERT INTO room_seals (session_id, cmd_id, requested_by, requested_at) VALUES ('S1', 'nope', 'chief', 't')")).toThrow(/FOREIGN KEY/);
    db.exec("INSERT INTO room_seals (session_id, cmd_id, requested_by, requested_at) VALUES ('S1', 'c1', 'chief', 't')");
    expect(() => db.exec("UPDATE room_seals SET sealed_at = 't2' WHERE session_id = 'S1'")).toThrow(/CHECK/);
    db.exec("UPDATE room_seals SET sealed_at = 't2', statement_json = '{}', signature = 'sig' WHERE session_id = 'S1'");
    db.exec("INSERT INTO room_seal_accounts (session_id, device_id, reason, accounted_by, accounted_at) VALUES ('S1', 'D2', 'dead', 'chief', 't')");
    expect(() => db.exec("INSERT INTO room_seal_accounts (session_id, device_id, reason, accounted_by, accounted_at) VALUES ('S1', 'D2', 'again', 'chief', 't')")).toThrow(/UNIQUE|PRIMARY/);
    db.exec("INSERT INTO seat_seals (session_id, cmd_id, digest, last_seq, events, segments, sealed_at) VALUES ('S1', 'c0', 'd', 3, 3, 0, 't')");
  });
});
