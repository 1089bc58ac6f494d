import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src-main/station/migrations/index.ts';

describe('migration 0030: room seats', () => {
  it('adds the allowlist, where a label is held by one unrevoked seat at a time and a key hash appears once', () => {
    const db = new Database(':memory:');
    migrate(db, 10);
    expect(migrate(db, 30)).toBe(30);
    const add = db.prepare("INSERT INTO room_seats (device_id, key_hash, label, certificate, paired_by, paired_at) VALUES (?, ?, ?, 'pem', 'code', 't')");
    add.run('D1', 'k1', '4C');
    expect(() => add.run('D2', 'k2', '4C')).toThrow(/UNIQUE/);
    expect(() => add.run('D3', 'k1', '4D')).toThrow(/UNIQUE/);
    db.exec("UPDATE room_seats SET revoked_at = 't2' WHERE device_id = 'D1'");
    add.run('D2', 'k2', '4C');
    expect(db.prepare('SELECT device_id, revoked_at FROM room_seats ORDER BY device_id').all()).toEqual([
      { device_id: 'D1', revoked_at: 't2' },
      { device_id: 'D2', revoked_at: null },
    ]);
  });

  it('keeps enrolment requests tied to a token of a room file', () => {
    const db = new Database(':memory:');
    migrate(db, 30);
    db.pragma('foreign_keys = ON');
    const ask = db.prepare("INSERT INTO room_seat_requests (device_id, key_hash, public_key, label, token_hash, address, requested_at) VALUES ('D1', 'k1', 'spki', '1A', ?, 'a', 't')");
    expect(() => ask.run('nope')).toThrow(/FOREIGN KEY/);
    db.exec("INSERT INTO room_enrolment_tokens (token_hash, room_file_id, valid_until) VALUES ('h1', 'f1', 'later')");
    ask.run('h1');
    expect(() => db.exec("UPDATE room_seat_requests SET decision = 'maybe'")).toThrow(/CHECK/);
  });
});
