import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src-main/station/migrations/index.ts';

describe('migration 0090: room moves', () => {
  it('keeps a move with its state, and flags each late event once, tied to its move', () => {
    const db = new Database(':memory:');
    migrate(db, 40);
    expect(migrate(db, 90)).toBe(90);
    db.pragma('foreign_keys = ON');
    const move = db.prepare(
      "INSERT INTO room_moves (move_id, attempt_id, candidate_id, package_id, from_device, to_device, through_seq, from_last_seen_at, reason, moved_by, created_at, status) VALUES ('M1', 'A1', 'C1', 'P1', 'S1', 'S2', 12, NULL, 'r', 'chief', 't', ?)",
    );
    expect(() => move.run('maybe')).toThrow(/CHECK/);
    move.run('handing-over');
    const flag = db.prepare("INSERT INTO room_late_events (hub_seq, move_id, origin_device, origin_seq, kind, flagged_at) VALUES (?, ?, 'S1', 13, 'response.saved', 't')");
    expect(() => flag.run(40, 'NO-MOVE')).toThrow(/FOREIGN KEY/);
    flag.run(40, 'M1');
    expect(() => flag.run(40, 'M1')).toThrow(/UNIQUE|PRIMARY/);
  });

  it('ties what a seat keeps of moves to its attempts', () => {
    const db = new Database(':memory:');
    migrate(db, 90);
    db.pragma('foreign_keys = ON');
    expect(() => db.exec("INSERT INTO seat_moved_out (attempt_id, cmd_id, moved_at) VALUES ('A-none', 'c', 1)")).toThrow(/FOREIGN KEY/);
    expect(() => db.exec("INSERT INTO seat_hand_overs (move_id, attempt_id, from_device, events, segments, applied_at, paused_parts) VALUES ('M1', 'A-none', 'S1', 1, 0, 't', '[]')")).toThrow(/FOREIGN KEY/);
    expect(() => db.exec("INSERT INTO seat_handed_over_recordings (recording_id, move_id) VALUES ('R-none', 'M1')")).toThrow(/FOREIGN KEY/);
  });
});
