import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../src-main/station/migrations/index.ts';

describe('migration 0020: staff accounts', () => {
  it('drops the station-wide staff PIN, and makes accounts unique by username without regard to case, roles checked, the audit log append-only', () => {
    const db = new Database(':memory:');
    migrate(db, 10);
    db.exec("INSERT INTO meta (key, value) VALUES ('staff_pin', 'scrypt:c2FsdA==:aGFzaA=='), ('device_id', 'd-1')");
    expect(migrate(db, 20)).toBe(20);
    expect(db.prepare("SELECT key FROM meta WHERE key IN ('staff_pin', 'device_id')").all()).toEqual([{ key: 'device_id' }]);
    const account = db.prepare("INSERT INTO staff_accounts (account_id, username, display_name, password_hash, created_by, created_at, password_changed_at) VALUES (?, ?, 'Anna', 'h', '(set-up)', 't', 't')");
    account.run('a-1', 'Anna.Kalna');
    expect(() => account.run('a-2', 'anna.kalna')).toThrow(/UNIQUE/);
    expect(db.prepare('SELECT must_change_password, pin_hash, disabled_at FROM staff_accounts').get()).toEqual({ must_change_password: 0, pin_hash: null, disabled_at: null });
    const role = db.prepare("INSERT INTO staff_roles (account_id, role, granted_by, granted_at) VALUES ('a-1', ?, '(set-up)', 't')");
    role.run('chief-invigilator');
    expect(() => role.run('superuser')).toThrow(/CHECK/);
    db.exec("INSERT INTO audit_log (seq, at, actor, action, target, details_json, prev_hash, hash) VALUES (1, 't', '(set-up)', 'staff.account.created', 'Anna.Kalna', '{}', 'p', 'h')");
    expect(() => db.exec("UPDATE audit_log SET actor = 'x'")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM audit_log')).toThrow(/append-only/);
  });
});
