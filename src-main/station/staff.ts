// The invigilator's desk on a station: a staff PIN (kept only as a slow scrypt hash) opens a session
// token that staff-only methods require. Repeated wrong PINs lock the desk for a minute. Tokens live
// in memory: after a restart the invigilator signs in again, the candidates' work is not affected.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { StationError } from '../../src-shared/errors.ts';
import type { StationDatabase } from './database.ts';

const SESSION_MS = 8 * 3600 * 1000;
const MAX_FAILURES = 5;
const LOCKOUT_MS = 60_000;
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function hashPin(pin: string, salt: Buffer): Buffer {
  return scryptSync(pin.normalize('NFC'), salt, 32, SCRYPT);
}

export class StaffDesk {
  private readonly db: StationDatabase;
  private readonly sessions = new Map<string, number>();
  private failures = 0;
  private lockedUntil = 0;

  constructor(db: StationDatabase) {
    this.db = db;
  }

  hasPin(): boolean {
    return this.db.get(this.db.q.selectFrom('meta').select('value').where('key', '=', 'staff_pin')) !== undefined;
  }

  setPin(pin: string): void {
    if (!/^\d{6,12}$/.test(pin)) throw new StationError('VALIDATION_FAILED', 'a staff PIN is 6 to 12 digits');
    const salt = randomBytes(16);
    const value = `scrypt:${salt.toString('base64')}:${hashPin(pin, salt).toString('base64')}`;
    this.db.transaction(() => this.db.run(this.db.q.insertInto('meta').values({ key: 'staff_pin', value }).onConflict((oc) => oc.column('key').doUpdateSet({ value }))));
  }

  signIn(pin: string, now: number): { staffToken: string; expiresAt: string } {
    if (now < this.lockedUntil) throw new StationError('STAFF_LOCKED_OUT', `locked for ${Math.ceil((this.lockedUntil - now) / 1000)} s`);
    const stored = this.db.get(this.db.q.selectFrom('meta').select('value').where('key', '=', 'staff_pin'))?.value;
    const [, salt, hash] = stored?.split(':') ?? [];
    const ok = salt !== undefined && hash !== undefined && timingSafeEqual(hashPin(pin, Buffer.from(salt, 'base64')), Buffer.from(hash, 'base64'));
    if (!ok) {
      this.failures += 1;
      if (this.failures >= MAX_FAILURES) {
        this.failures = 0;
        this.lockedUntil = now + LOCKOUT_MS;
      }
      throw new StationError(stored ? 'STAFF_PIN_WRONG' : 'STAFF_REQUIRED', stored ? undefined : 'no staff PIN is set on this station');
    }
    this.failures = 0;
    const staffToken = randomBytes(24).toString('base64url');
    this.sessions.set(staffToken, now + SESSION_MS);
    return { staffToken, expiresAt: new Date(now + SESSION_MS).toISOString() };
  }

  require(staffToken: string | undefined, now: number): void {
    const expires = staffToken ? this.sessions.get(staffToken) : undefined;
    if (expires === undefined || expires < now) throw new StationError('STAFF_REQUIRED');
  }
}
