import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src-main/station/migrations/index.ts';

describe('migration 0110: seat rejoin', () => {
  it("keeps the seats and enrolment requests there were, and takes a rejoin with its certificate and no token", () => {
    const db = new Database(':memory:');
    migrate(db, 90);
    db.pragma('foreign_keys = ON');
    db.exec(`
      INSERT INTO room_seats VALUES ('S1', 'k1', '1A', 'CERT1', 'code', 't', NULL);
      INSERT INTO room_enrolment_tokens VALUES ('T1', 'F1', 't', 'S2', 't');
      INSERT INTO room_seat_requests VALUES ('S2', 'k2', 'P2', '1B', 'T1', '127.0.0.1:1', 't', NULL, NULL);
    `);
    expect(migrate(db, 110)).toBe(110);
    expect(db.prepare('SELECT device_id, paired_by FROM room_seats').all()).toEqual([{ device_id: 'S1', paired_by: 'code' }]);
    expect(db.prepare('SELECT device_id, kind, token_hash, certificate FROM room_seat_requests').all()).toEqual([{ device_id: 'S2', kind: 'enrolment', token_hash: 'T1', certificate: null }]);
    // One label held by one unrevoked seat, as before.
    expect(() => db.exec("INSERT INTO room_seats VALUES ('S3', 'k3', '1A', 'CERT3', 'rejoin', 't', NULL)")).toThrow(/UNIQUE/);
    db.exec("INSERT INTO room_seats VALUES ('S3', 'k3', '3C', 'CERT3', 'rejoin', 't', NULL)");
    const request = db.prepare("INSERT INTO room_seat_requests (device_id, key_hash, public_key, label, kind, token_hash, certificate, address, requested_at) VALUES (?, ?, 'P', 'L', ?, ?, ?, 'a', 't')");
    request.run('S4', 'k4', 'rejoin', null, 'CERT4');
    expect(() => request.run('S5', 'k5', 'rejoin', null, null)).toThrow(/CHECK/);
    expect(() => request.run('S6', 'k6', 'enrolment', null, null)).toThrow(/CHECK/);
    expect(() => request.run('S7', 'k7', 'enrolment', 'NO-TOKEN', null)).toThrow(/FOREIGN KEY/);
    expect(() => request.run('S8', 'k8', 'maybe', null, 'CERT8')).toThrow(/CHECK/);
  });
});
