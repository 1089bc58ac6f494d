// The invigilator's desk on a station: a staff PIN (kept only as a slow scrypt hash) opens a session
// token that staff-only methods require. Tokens live in memory: after a restart the invigilator signs
// in again, the candidates' work is not affected.
// Wrong PINs are counted per client (screen), so a stranger who can reach the station locks only
// themself out, never the invigilator. Against guessing from many clients at once, a station-wide
// budget of failures applies to clients that have not signed in successfully since the start: once
// it is spent, such a client is locked after its first wrong PIN.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { StationError } from '../../src-shared/errors.ts';
import type { StationDatabase } from './database.ts';

const SESSION_MS = 8 * 3600 * 1000;
const MAX_FAILURES = 5;
const LOCKOUT_MS = 60_000;
const MAX_LOCKOUT_MS = 15 * 60_000;
/** Failures station-wide within the window after which new clients get one try before a lockout. */
const STATION_BUDGET = 20;
const STATION_WINDOW_MS = 10 * 60_000;
/** Clients remembered; the oldest are forgotten first (a flood of new clients cannot grow memory). */
const MAX_CLIENTS = 10_000;
const SCRYPT = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

function hashPin(pin: string, salt: Buffer): Buffer {
  return scryptSync(pin.normalize('NFC'), salt, 32, SCRYPT);
}

interface ClientRecord {
  failures: number;
  lockedUntil: number;
  lockouts: number;
  trusted: boolean;
}

export class StaffDesk {
  private readonly db: StationDatabase;
  private readonly sessions = new Map<string, number>();
  private readonly clients = new Map<string, ClientRecord>();
  private readonly recentFailures: number[] = [];

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

  private client(clientId: string): ClientRecord {
    let record = this.clients.get(clientId);
    if (!record) {
      if (this.clients.size >= MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
      record = { failures: 0, lockedUntil: 0, lockouts: 0, trusted: false };
      this.clients.set(clientId, record);
    }
    return record;
  }

  private stationBudgetSpent(now: number): boolean {
    while (this.recentFailures.length > 0 && this.recentFailures[0]! < now - STATION_WINDOW_MS) this.recentFailures.shift();
    return this.recentFailures.length >= STATION_BUDGET;
  }

  signIn(pin: string, now: number, clientId: string): { staffToken: string; expiresAt: string } {
    const client = this.client(clientId);
    if (now < client.lockedUntil) throw new StationError('STAFF_LOCKED_OUT', `this screen is locked for ${Math.ceil((client.lockedUntil - now) / 1000)} s`);
    const stored = this.db.get(this.db.q.selectFrom('meta').select('value').where('key', '=', 'staff_pin'))?.value;
    const [, salt, hash] = stored?.split(':') ?? [];
    const ok = salt !== undefined && hash !== undefined && timingSafeEqual(hashPin(pin, Buffer.from(salt, 'base64')), Buffer.from(hash, 'base64'));
    if (!ok) {
      client.failures += 1;
      this.recentFailures.push(now);
      const allowed = client.trusted || !this.stationBudgetSpent(now) ? MAX_FAILURES : 1;
      if (client.failures >= allowed) {
        client.failures = 0;
        client.lockouts += 1;
        client.lockedUntil = now + Math.min(MAX_LOCKOUT_MS, LOCKOUT_MS * 2 ** (client.lockouts - 1));
      }
      throw new StationError(stored ? 'STAFF_PIN_WRONG' : 'STAFF_REQUIRED', stored ? undefined : 'no staff PIN is set on this station');
    }
    client.failures = 0;
    client.lockouts = 0;
    client.trusted = true;
    const staffToken = randomBytes(24).toString('base64url');
    this.sessions.set(staffToken, now + SESSION_MS);
    return { staffToken, expiresAt: new Date(now + SESSION_MS).toISOString() };
  }

  require(staffToken: string | undefined, now: number): void {
    const expires = staffToken ? this.sessions.get(staffToken) : undefined;
    if (expires === undefined || expires < now) throw new StationError('STAFF_REQUIRED');
  }
}
