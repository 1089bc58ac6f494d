// Staff on a station: named accounts with roles, sign-in with a username and password, sessions bound
// to the screen that signed in, a PIN that re-opens one's own session after it locked, the rights
// each staff method needs, and the administration of accounts. Passwords and PINs are kept only as
// scrypt hashes (passwords.ts). Sessions and failure counts live in memory: after a restart everyone
// signs in again; the candidates' work is not affected. Everything here is audited (records/audit.ts).
//
// Wrong passwords, and the choice made so that nobody can lock a named person out from a stranger's
// screen:
// - per screen (as before named accounts): five wrong passwords lock the screen for a minute, doubling
//   up to 15 minutes. Once 20 wrong passwords came from anywhere within ten minutes, a screen that has
//   not signed anyone in since the start is locked after its first.
// - per account: ten wrong passwords for one account within 15 minutes, from any screens, lock the
//   account for 15 minutes, but only on screens the account has not signed in on since the station
//   started. The person's own desk goes on working while a stranger's screen guesses; a guesser can
//   keep the account locked only on screens its owner never used.
// - a wrong PIN counts against the session only: the third ends it. Only the screen holding the session
//   can try, so a PIN cannot be guessed from elsewhere.
// Unknown usernames get the same answer, after the same time, as a wrong password.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { rightNeeded, rolesWith, type StaffMethod } from '../../src-shared/contracts/staff-rights.ts';
import type { StaffAccountView, StaffSessionView, StationInput, StationOutput } from '../../src-shared/contracts/station-api.ts';
import { StationError, type BilingualText, type ErrorCode } from '../../src-shared/errors.ts';
import {
  DISPLAY_NAME_PATTERN,
  PIN_PATTERN,
  STAFF_ROLE_NAMES,
  holdsRight,
  passwordProblems,
  rightsOf,
  usernameProblem,
  type PasswordRule,
  type StaffRole,
} from '../../src-shared/rules/staff.ts';
import type { StationDatabase, Tx } from './database.ts';
import { hashSecret, hashSecretSync, isWeakerThan, spendVerification, verifySecret, type CommonPasswords, type ScryptParams } from './passwords.ts';
import type { AuditLog, NewAuditEntry } from './records/audit.ts';
import type { StaffAccountsTable } from './tables.ts';

const SESSION_MS = 8 * 3600 * 1000;
export const DEFAULT_STAFF_LOCK_MS = 5 * 60_000;
const MAX_SCREEN_FAILURES = 5;
const SCREEN_LOCKOUT_MS = 60_000;
const MAX_SCREEN_LOCKOUT_MS = 15 * 60_000;
/** Failures station-wide within the window after which new screens get one try before a lockout. */
const STATION_BUDGET = 20;
const STATION_WINDOW_MS = 10 * 60_000;
const MAX_ACCOUNT_FAILURES = 10;
const ACCOUNT_WINDOW_MS = 15 * 60_000;
const ACCOUNT_LOCKOUT_MS = 15 * 60_000;
const MAX_PIN_FAILURES = 3;
/** Screens remembered; the oldest are forgotten first (a flood of new screens cannot grow memory). */
const MAX_SCREENS = 10_000;

const PASSWORD_ERRORS: Record<PasswordRule, ErrorCode> = {
  length: 'PASSWORD_TOO_SHORT',
  'too-long': 'PASSWORD_TOO_LONG',
  lowercase: 'PASSWORD_NEEDS_LOWERCASE',
  uppercase: 'PASSWORD_NEEDS_UPPERCASE',
  digit: 'PASSWORD_NEEDS_DIGIT',
  special: 'PASSWORD_NEEDS_SPECIAL',
  username: 'PASSWORD_CONTAINS_USERNAME',
  common: 'PASSWORD_COMMON',
};

/** Methods a session that must change its one-time password may still call. */
const BEFORE_PASSWORD_CHANGE: ReadonlySet<StaffMethod> = new Set(['changeOwnPassword', 'staffSignOut', 'staffLock', 'staffUnlock', 'getStaffSession']);

/** Who did a staff action: what events, the room log and the audit log are attributed to. */
export interface StaffActor {
  accountId: string;
  username: string;
  roles: StaffRole[];
}

export interface FirstChief {
  username: string;
  displayName: string;
  password: string;
  /** A one-time password from the IT policy file: changed at the first sign-in. */
  mustChangePassword: boolean;
}

export interface StaffDeskOptions {
  commonPasswords: CommonPasswords;
  hashParams: ScryptParams;
  lockAfterMs: number;
  /** The service's transaction (a failed one drops what the stores keep in memory). */
  tx: <T>(fn: (tx: Tx) => T) => T;
}

interface Session {
  accountId: string;
  clientId: string;
  expiresAt: number;
  lastActivity: number;
  locked: boolean;
  pinFailures: number;
}

interface ScreenRecord {
  failures: number;
  lockedUntil: number;
  lockouts: number;
  trusted: boolean;
}

interface AccountRecord {
  failures: number[];
  lockedUntil: number;
  /** Screens this account signed in on since the start: its lockout does not apply there. */
  ownScreens: Set<string>;
}

/** A screen as the audit log names it: a hash, not the client id itself (which the screen's cookie carries). */
const screenName = (clientId: string): string => createHash('sha256').update(clientId).digest('hex').slice(0, 12);

/** "A or B", "A, B or C", in each language. */
function rolesText(roles: readonly StaffRole[]): BilingualText {
  const join = (names: string[], or: string): string => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} ${or} ${names.at(-1)}`);
  return { lv: join(roles.map((r) => STAFF_ROLE_NAMES[r].lv), 'vai'), en: join(roles.map((r) => STAFF_ROLE_NAMES[r].en), 'or') };
}

export class StaffDesk {
  private readonly db: StationDatabase;
  private readonly audit: AuditLog;
  private readonly options: StaffDeskOptions;
  private readonly sessions = new Map<string, Session>();
  private readonly screens = new Map<string, ScreenRecord>();
  private readonly accounts = new Map<string, AccountRecord>();
  private readonly recentFailures: number[] = [];

  constructor(db: StationDatabase, audit: AuditLog, options: StaffDeskOptions) {
    this.db = db;
    this.audit = audit;
    this.options = options;
  }

  get lockAfterMs(): number {
    return this.options.lockAfterMs;
  }

  // ---- accounts as stored -------------------------------------------------------------------

  hasAccounts(): boolean {
    return this.db.get(this.db.q.selectFrom('staff_accounts').select('account_id').limit(1)) !== undefined;
  }

  private row(accountId: string): StaffAccountsTable {
    const row = this.db.get(this.db.q.selectFrom('staff_accounts').selectAll().where('account_id', '=', accountId));
    if (!row) throw new StationError('NOT_FOUND', `staff account ${accountId}`);
    return row;
  }

  private byUsername(username: string): StaffAccountsTable | undefined {
    // The column's NOCASE collation makes the comparison case-insensitive.
    return this.db.get(this.db.q.selectFrom('staff_accounts').selectAll().where('username', '=', username));
  }

  private rolesOf(accountId: string): StaffRole[] {
    return this.db.all(this.db.q.selectFrom('staff_roles').select('role').where('account_id', '=', accountId).orderBy('role')).map((r) => r.role);
  }

  private view(row: StaffAccountsTable): StaffAccountView {
    return {
      accountId: row.account_id,
      username: row.username,
      displayName: row.display_name,
      roles: this.rolesOf(row.account_id),
      disabled: row.disabled_at !== null,
      mustChangePassword: row.must_change_password === 1,
      hasPin: row.pin_hash !== null,
      createdBy: row.created_by,
      createdAt: row.created_at,
    };
  }

  private enabledChiefs(): string[] {
    return this.db
      .all(
        this.db.q
          .selectFrom('staff_roles')
          .innerJoin('staff_accounts', 'staff_accounts.account_id', 'staff_roles.account_id')
          .select('staff_accounts.account_id')
          .where('staff_roles.role', '=', 'chief-invigilator')
          .where('staff_accounts.disabled_at', 'is', null),
      )
      .map((r) => r.account_id);
  }

  private record(tx: Tx, entry: NewAuditEntry, now: number): void {
    this.audit.append(tx, entry, new Date(now));
  }

  private recordAlone(entry: NewAuditEntry, now: number): void {
    this.options.tx((tx) => this.record(tx, entry, now));
  }

  // ---- the rules of what a person types ----------------------------------------------------------

  private checkPassword(password: string, username: string): void {
    const problem = passwordProblems(password, username, (lower) => this.options.commonPasswords.has(lower))[0];
    if (problem) throw new StationError(PASSWORD_ERRORS[problem]);
  }

  private checkNewAccount(username: string, displayName: string, password: string): void {
    if (usernameProblem(username)) throw new StationError('STAFF_USERNAME_INVALID', username.slice(0, 64));
    if (!DISPLAY_NAME_PATTERN.test(displayName.normalize('NFC'))) throw new StationError('STAFF_DISPLAY_NAME_INVALID');
    this.checkPassword(password, username);
  }

  private checkPin(pin: string): void {
    if (!PIN_PATTERN.test(pin)) throw new StationError('STAFF_PIN_FORMAT');
  }

  private insertAccount(tx: Tx, fields: { username: string; displayName: string; passwordHash: string; pinHash: string | null; roles: readonly StaffRole[]; mustChange: boolean; createdBy: string }, now: number): StaffAccountsTable {
    if (this.byUsername(fields.username)) throw new StationError('STAFF_USERNAME_TAKEN', fields.username);
    const at = new Date(now).toISOString();
    const accountId = randomUUID();
    this.db.run(
      this.db.q.insertInto('staff_accounts').values({
        account_id: accountId,
        username: fields.username,
        display_name: fields.displayName.normalize('NFC'),
        password_hash: fields.passwordHash,
        must_change_password: fields.mustChange ? 1 : 0,
        pin_hash: fields.pinHash,
        disabled_at: null,
        disabled_by: null,
        created_by: fields.createdBy,
        created_at: at,
        password_changed_at: at,
      }),
    );
    for (const role of new Set(fields.roles)) this.db.run(this.db.q.insertInto('staff_roles').values({ account_id: accountId, role, granted_by: fields.createdBy, granted_at: at }));
    const row = this.row(accountId);
    this.record(tx, { actor: fields.createdBy, action: 'staff.account.created', target: row.username, details: { accountId, displayName: row.display_name, roles: [...new Set(fields.roles)].sort(), mustChangePassword: fields.mustChange } }, now);
    return row;
  }

  // ---- set-up ---------------------------------------------------------------------------------

  /** The first chief invigilator from the configuration (IT policy file, the demo, tests), as the station opens. */
  createConfiguredChief(chief: FirstChief, now: number): void {
    if (this.hasAccounts()) return;
    try {
      this.checkNewAccount(chief.username, chief.displayName, chief.password);
    } catch (error) {
      // Said as what it is: the configuration's chief, not a person typing at a screen.
      if (error instanceof StationError) {
        const where = 'the first chief invigilator of the IT policy file (firstChiefUsername, firstChiefName, firstChiefPassword)';
        throw new StationError(error.code, error.detail ? `${where}: ${error.detail}` : where);
      }
      throw error;
    }
    const passwordHash = hashSecretSync(chief.password, this.options.hashParams);
    this.options.tx((tx) => {
      this.insertAccount(tx, { username: chief.username, displayName: chief.displayName, passwordHash, pinHash: null, roles: ['chief-invigilator'], mustChange: chief.mustChangePassword, createdBy: '(it-policy)' }, now);
    });
  }

  async setUpFirstChief(input: StationInput<'setUpFirstChief'>, now: () => number): Promise<StaffAccountView> {
    if (this.hasAccounts()) throw new StationError('STAFF_ALREADY_SET_UP');
    this.checkNewAccount(input.username, input.displayName, input.password);
    if (input.pin !== undefined) this.checkPin(input.pin);
    const passwordHash = await hashSecret(input.password, this.options.hashParams);
    const pinHash = input.pin === undefined ? null : await hashSecret(input.pin, this.options.hashParams);
    return this.options.tx((tx) => {
      // Asked again inside the transaction: two set-ups at once make one chief.
      if (this.hasAccounts()) throw new StationError('STAFF_ALREADY_SET_UP');
      return this.view(this.insertAccount(tx, { username: input.username, displayName: input.displayName, passwordHash, pinHash, roles: ['chief-invigilator'], mustChange: false, createdBy: '(set-up)' }, now()));
    });
  }

  // ---- failures and lockouts ------------------------------------------------------------------

  private screen(clientId: string): ScreenRecord {
    let record = this.screens.get(clientId);
    if (!record) {
      if (this.screens.size >= MAX_SCREENS) this.screens.delete(this.screens.keys().next().value!);
      record = { failures: 0, lockedUntil: 0, lockouts: 0, trusted: false };
      this.screens.set(clientId, record);
    }
    return record;
  }

  private account(accountId: string): AccountRecord {
    let record = this.accounts.get(accountId);
    if (!record) {
      record = { failures: [], lockedUntil: 0, ownScreens: new Set() };
      this.accounts.set(accountId, record);
    }
    return record;
  }

  private stationBudgetSpent(now: number): boolean {
    while (this.recentFailures.length > 0 && this.recentFailures[0]! < now - STATION_WINDOW_MS) this.recentFailures.shift();
    return this.recentFailures.length >= STATION_BUDGET;
  }

  /**
   * Let a password be tried on this screen (for this account), or refuse. The try is counted before
   * the password is checked, so tries sent at once cannot pass the limit while their hashes run; a
   * right password clears the count again.
   */
  private admit(clientId: string, account: StaffAccountsTable | undefined, now: number): void {
    const screen = this.screen(clientId);
    if (now < screen.lockedUntil) throw new StationError('STAFF_LOCKED_OUT', `this screen is locked for ${Math.ceil((screen.lockedUntil - now) / 1000)} s`);
    if (account) {
      const record = this.account(account.account_id);
      if (now < record.lockedUntil && !record.ownScreens.has(clientId)) {
        throw new StationError('STAFF_ACCOUNT_LOCKED', `the account is locked on screens it has not signed in on for ${Math.ceil((record.lockedUntil - now) / 1000)} s`);
      }
    }
    screen.failures += 1;
    const allowed = screen.trusted || !this.stationBudgetSpent(now) ? MAX_SCREEN_FAILURES : 1;
    if (screen.failures >= allowed) {
      screen.failures = 0;
      screen.lockouts += 1;
      screen.lockedUntil = now + Math.min(MAX_SCREEN_LOCKOUT_MS, SCREEN_LOCKOUT_MS * 2 ** (screen.lockouts - 1));
    }
  }

  /** The password was right: the screen's provisional count and lock are undone. */
  private succeeded(clientId: string, account: StaffAccountsTable): void {
    const screen = this.screen(clientId);
    screen.failures = 0;
    screen.lockouts = 0;
    screen.lockedUntil = 0;
    screen.trusted = true;
    const record = this.account(account.account_id);
    record.failures = [];
    record.ownScreens.add(clientId);
  }

  /** The password was wrong: audit it, and the lockouts it started. */
  private failed(clientId: string, account: StaffAccountsTable | undefined, action: string, now: number): void {
    const screen = this.screen(clientId);
    const screenLocked = screen.lockedUntil > now && screen.failures === 0;
    const budgetWasSpent = this.stationBudgetSpent(now);
    this.recentFailures.push(now);
    let accountLocked = false;
    if (account) {
      const record = this.account(account.account_id);
      record.failures = record.failures.filter((at) => at > now - ACCOUNT_WINDOW_MS);
      record.failures.push(now);
      if (record.failures.length >= MAX_ACCOUNT_FAILURES && record.lockedUntil <= now) {
        record.failures = [];
        record.lockedUntil = now + ACCOUNT_LOCKOUT_MS;
        accountLocked = true;
      }
    }
    // Once the station-wide budget is spent, single failures are not written one by one (new
    // screens cost nothing to make, and each entry is a durable write); the lockouts still are.
    this.options.tx((tx) => {
      const screenRef = screenName(clientId);
      if (!budgetWasSpent) this.record(tx, { actor: '(anonymous)', action, target: account?.username ?? null, details: { screen: screenRef, ...(account ? {} : { unknownUsername: true }) } }, now);
      if (!budgetWasSpent && this.stationBudgetSpent(now)) this.record(tx, { actor: '(station)', action: 'staff.sign-in.budget-spent', details: { failures: STATION_BUDGET, windowMs: STATION_WINDOW_MS } }, now);
      if (screenLocked) this.record(tx, { actor: '(station)', action: 'staff.screen.locked-out', details: { screen: screenRef, untilMs: screen.lockedUntil - now } }, now);
      if (accountLocked) this.record(tx, { actor: '(station)', action: 'staff.account.locked-out', target: account!.username, details: { lockoutMs: ACCOUNT_LOCKOUT_MS, failures: MAX_ACCOUNT_FAILURES } }, now);
    });
  }

  // ---- sessions -----------------------------------------------------------------------------

  async signIn(input: StationInput<'staffSignIn'>, now: () => number, clientId: string): Promise<StationOutput<'staffSignIn'>> {
    // Before set-up there is nobody to guess at: nothing is counted.
    if (!this.hasAccounts()) throw new StationError('STAFF_NOT_SET_UP');
    const account = this.byUsername(input.username);
    this.admit(clientId, account, now());
    const right = account ? await verifySecret(input.password, account.password_hash) : await spendVerification(input.password, this.options.hashParams);
    const at = now();
    if (!account || !right) {
      this.failed(clientId, account, 'staff.sign-in.failed', at);
      throw new StationError('STAFF_SIGN_IN_WRONG');
    }
    this.succeeded(clientId, account);
    // Read again: the account may have been disabled while its password was checked.
    let current = this.row(account.account_id);
    if (current.disabled_at !== null) {
      this.recordAlone({ actor: current.username, action: 'staff.sign-in.refused', target: current.username, details: { screen: screenName(clientId), why: 'disabled' } }, at);
      throw new StationError('STAFF_ACCOUNT_DISABLED');
    }
    // A hash made with cheaper parameters than the station's is made again now that the password is known.
    const rehash = isWeakerThan(current.password_hash, this.options.hashParams) ? await hashSecret(input.password, this.options.hashParams) : undefined;
    const staffToken = randomBytes(24).toString('base64url');
    this.prune(at);
    this.options.tx((tx) => {
      if (rehash) this.db.run(this.db.q.updateTable('staff_accounts').set({ password_hash: rehash }).where('account_id', '=', current.account_id));
      this.record(tx, { actor: current.username, action: 'staff.sign-in', target: current.username, details: { screen: screenName(clientId), mustChangePassword: current.must_change_password === 1 } }, at);
    });
    current = this.row(account.account_id);
    const session: Session = { accountId: current.account_id, clientId, expiresAt: at + SESSION_MS, lastActivity: at, locked: false, pinFailures: 0 };
    this.sessions.set(staffToken, session);
    return { staffToken, expiresAt: new Date(session.expiresAt).toISOString(), session: this.sessionView(session) };
  }

  private prune(now: number): void {
    for (const [token, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(token);
  }

  private endSessionsOf(accountId: string, except?: string): number {
    let ended = 0;
    for (const [token, session] of this.sessions) {
      if (session.accountId === accountId && token !== except) {
        this.sessions.delete(token);
        ended += 1;
      }
    }
    return ended;
  }

  private sessionView(session: Session): StaffSessionView {
    const row = this.row(session.accountId);
    const account = this.view(row);
    return {
      account,
      rights: rightsOf(account.roles),
      expiresAt: new Date(session.expiresAt).toISOString(),
      locked: session.locked,
      lockAfterMs: this.options.lockAfterMs,
      mustChangePassword: account.mustChangePassword,
    };
  }

  /**
   * The session of `staffToken` on this screen, locked first if it has been idle too long. Refuses a
   * token from another screen, an expired one, and one of a disabled account.
   */
  private session(staffToken: string | undefined, now: number, clientId: string): { token: string; session: Session } {
    const session = staffToken ? this.sessions.get(staffToken) : undefined;
    if (!staffToken || !session || session.clientId !== clientId) throw new StationError('STAFF_REQUIRED');
    if (session.expiresAt <= now) {
      this.sessions.delete(staffToken);
      throw new StationError('STAFF_REQUIRED', 'the session has expired');
    }
    if (!session.locked && now - session.lastActivity >= this.options.lockAfterMs) {
      session.locked = true;
      this.recordAlone({ actor: '(station)', action: 'staff.session.locked', target: this.row(session.accountId).username, details: { idleMs: now - session.lastActivity } }, now);
    }
    return { token: staffToken, session };
  }

  /**
   * Who may make this staff call: the signed-in person, with a session that is open (not locked), a
   * password of their own (unless the call is one they need to change it) and the right the call needs.
   * Every such call is activity that keeps the session from locking.
   */
  authorize<M extends StaffMethod>(method: M, input: StationInput<M> & { staffToken: string }, now: number, clientId: string): StaffActor {
    const { session } = this.session(input.staffToken, now, clientId);
    if (session.locked) throw new StationError('STAFF_SESSION_LOCKED');
    const row = this.row(session.accountId);
    if (row.must_change_password === 1 && !BEFORE_PASSWORD_CHANGE.has(method)) throw new StationError('STAFF_PASSWORD_CHANGE_REQUIRED');
    const roles = this.rolesOf(row.account_id);
    const right = rightNeeded(method, input);
    if (right !== 'own' && !holdsRight(roles, right)) {
      this.recordAlone({ actor: row.username, action: 'staff.refused', details: { method, right } }, now);
      throw new StationError('STAFF_ROLE_MISSING', `${method} needs ${right}`, { params: { roles: rolesText(rolesWith(right)) } });
    }
    session.lastActivity = now;
    return { accountId: row.account_id, username: row.username, roles };
  }

  signOut(staffToken: string, now: number, clientId: string): void {
    const { session } = this.session(staffToken, now, clientId);
    this.sessions.delete(staffToken);
    this.recordAlone({ actor: this.row(session.accountId).username, action: 'staff.sign-out', details: {} }, now);
  }

  lock(staffToken: string, now: number, clientId: string): void {
    const { session } = this.session(staffToken, now, clientId);
    if (session.locked) return;
    session.locked = true;
    this.recordAlone({ actor: this.row(session.accountId).username, action: 'staff.session.locked', target: this.row(session.accountId).username, details: { byPerson: true } }, now);
  }

  /** The session's state; asking is not activity, so a screen may ask as often as it likes. */
  describe(staffToken: string, now: number, clientId: string): StaffSessionView {
    return this.sessionView(this.session(staffToken, now, clientId).session);
  }

  async unlock(input: StationInput<'staffUnlock'>, now: () => number, clientId: string): Promise<StaffSessionView> {
    const { session } = this.session(input.staffToken, now(), clientId);
    const row = this.row(session.accountId);
    if (row.pin_hash === null) throw new StationError('STAFF_PIN_NOT_SET');
    // Counted before the check, so PINs sent at once cannot pass the limit.
    session.pinFailures += 1;
    const right = PIN_PATTERN.test(input.pin) && (await verifySecret(input.pin, row.pin_hash));
    const at = now();
    if (!right) {
      if (session.pinFailures >= MAX_PIN_FAILURES) {
        this.sessions.delete(input.staffToken);
        this.recordAlone({ actor: row.username, action: 'staff.session.ended', details: { why: 'wrong PIN', pinFailures: MAX_PIN_FAILURES } }, at);
        throw new StationError('STAFF_SESSION_ENDED');
      }
      this.recordAlone({ actor: row.username, action: 'staff.unlock.failed', details: { pinFailures: session.pinFailures } }, at);
      throw new StationError('STAFF_PIN_WRONG', `${MAX_PIN_FAILURES - session.pinFailures} left`);
    }
    session.pinFailures = 0;
    if (!this.sessions.has(input.staffToken)) throw new StationError('STAFF_REQUIRED');
    session.locked = false;
    session.lastActivity = at;
    this.recordAlone({ actor: row.username, action: 'staff.unlock', details: {} }, at);
    return this.sessionView(session);
  }

  /**
   * A password typed again to confirm a change of one's own account: a wrong one counts like a wrong
   * sign-in (on the screen and against the account), so an open session cannot be used to guess it.
   */
  private async confirmPassword(row: StaffAccountsTable, password: string, clientId: string, now: () => number): Promise<void> {
    this.admit(clientId, row, now());
    if (await verifySecret(password, row.password_hash)) {
      this.succeeded(clientId, row);
      return;
    }
    this.failed(clientId, row, 'staff.password.confirm-failed', now());
    throw new StationError('STAFF_PASSWORD_WRONG');
  }

  async changeOwnPassword(input: StationInput<'changeOwnPassword'>, actor: StaffActor, now: () => number, clientId: string): Promise<StaffSessionView> {
    const row = this.row(actor.accountId);
    await this.confirmPassword(row, input.currentPassword, clientId, now);
    if (input.newPassword.normalize('NFC') === input.currentPassword.normalize('NFC')) throw new StationError('PASSWORD_UNCHANGED');
    this.checkPassword(input.newPassword, row.username);
    const hash = await hashSecret(input.newPassword, this.options.hashParams);
    const at = now();
    this.options.tx((tx) => {
      this.db.run(this.db.q.updateTable('staff_accounts').set({ password_hash: hash, must_change_password: 0, password_changed_at: new Date(at).toISOString() }).where('account_id', '=', row.account_id));
      this.record(tx, { actor: row.username, action: 'staff.password.changed', target: row.username, details: { wasOneTime: row.must_change_password === 1 } }, at);
    });
    // Whoever else is signed in with the old password is signed out.
    this.endSessionsOf(row.account_id, input.staffToken);
    return this.describe(input.staffToken, at, clientId);
  }

  async setOwnPin(input: StationInput<'setOwnPin'>, actor: StaffActor, now: () => number, clientId: string): Promise<StaffSessionView> {
    const row = this.row(actor.accountId);
    this.checkPin(input.pin);
    await this.confirmPassword(row, input.password, clientId, now);
    const hash = await hashSecret(input.pin, this.options.hashParams);
    const at = now();
    this.options.tx((tx) => {
      this.db.run(this.db.q.updateTable('staff_accounts').set({ pin_hash: hash }).where('account_id', '=', row.account_id));
      this.record(tx, { actor: row.username, action: 'staff.pin.set', target: row.username, details: { replaced: row.pin_hash !== null } }, at);
    });
    return this.describe(input.staffToken, at, clientId);
  }

  // ---- administration (the chief invigilator's) -------------------------------------------------

  list(): StaffAccountView[] {
    return this.db.all(this.db.q.selectFrom('staff_accounts').selectAll().orderBy('username')).map((row) => this.view(row));
  }

  async create(input: StationInput<'createStaffAccount'>, actor: StaffActor, now: () => number): Promise<StaffAccountView> {
    this.checkNewAccount(input.username, input.displayName, input.password);
    if (this.byUsername(input.username)) throw new StationError('STAFF_USERNAME_TAKEN', input.username);
    const passwordHash = await hashSecret(input.password, this.options.hashParams);
    return this.options.tx((tx) =>
      this.view(this.insertAccount(tx, { username: input.username, displayName: input.displayName, passwordHash, pinHash: null, roles: input.roles, mustChange: true, createdBy: actor.username }, now())),
    );
  }

  /** Refuse a change that would leave the station without an enabled chief invigilator. */
  private keepAChief(accountId: string): void {
    const chiefs = this.enabledChiefs();
    if (chiefs.length === 1 && chiefs[0] === accountId) throw new StationError('STAFF_LAST_CHIEF');
  }

  disable(input: StationInput<'disableStaffAccount'>, actor: StaffActor, now: number): StaffAccountView {
    return this.options.tx((tx) => {
      const row = this.row(input.accountId);
      if (row.disabled_at !== null) return this.view(row);
      this.keepAChief(row.account_id);
      this.db.run(this.db.q.updateTable('staff_accounts').set({ disabled_at: new Date(now).toISOString(), disabled_by: actor.username }).where('account_id', '=', row.account_id));
      const ended = this.endSessionsOf(row.account_id);
      this.record(tx, { actor: actor.username, action: 'staff.account.disabled', target: row.username, details: { reason: input.reason ?? null, sessionsEnded: ended } }, now);
      return this.view(this.row(row.account_id));
    });
  }

  enable(input: StationInput<'enableStaffAccount'>, actor: StaffActor, now: number): StaffAccountView {
    return this.options.tx((tx) => {
      const row = this.row(input.accountId);
      if (row.disabled_at === null) return this.view(row);
      this.db.run(this.db.q.updateTable('staff_accounts').set({ disabled_at: null, disabled_by: null }).where('account_id', '=', row.account_id));
      this.record(tx, { actor: actor.username, action: 'staff.account.enabled', target: row.username, details: {} }, now);
      return this.view(this.row(row.account_id));
    });
  }

  grantRole(input: StationInput<'grantStaffRole'>, actor: StaffActor, now: number): StaffAccountView {
    return this.options.tx((tx) => {
      const row = this.row(input.accountId);
      if (this.rolesOf(row.account_id).includes(input.role)) return this.view(row);
      this.db.run(this.db.q.insertInto('staff_roles').values({ account_id: row.account_id, role: input.role, granted_by: actor.username, granted_at: new Date(now).toISOString() }));
      this.record(tx, { actor: actor.username, action: 'staff.role.granted', target: row.username, details: { role: input.role } }, now);
      return this.view(row);
    });
  }

  withdrawRole(input: StationInput<'withdrawStaffRole'>, actor: StaffActor, now: number): StaffAccountView {
    return this.options.tx((tx) => {
      const row = this.row(input.accountId);
      if (!this.rolesOf(row.account_id).includes(input.role)) return this.view(row);
      if (input.role === 'chief-invigilator') this.keepAChief(row.account_id);
      this.db.run(this.db.q.deleteFrom('staff_roles').where('account_id', '=', row.account_id).where('role', '=', input.role));
      this.record(tx, { actor: actor.username, action: 'staff.role.withdrawn', target: row.username, details: { role: input.role } }, now);
      return this.view(row);
    });
  }

  async resetPassword(input: StationInput<'resetStaffPassword'>, actor: StaffActor, now: () => number): Promise<StaffAccountView> {
    const target = this.row(input.accountId);
    this.checkPassword(input.password, target.username);
    const hash = await hashSecret(input.password, this.options.hashParams);
    return this.options.tx((tx) => {
      const at = now();
      this.db.run(this.db.q.updateTable('staff_accounts').set({ password_hash: hash, must_change_password: 1, password_changed_at: new Date(at).toISOString() }).where('account_id', '=', target.account_id));
      const ended = this.endSessionsOf(target.account_id);
      // A reset is how a locked-out person gets back in: the account's lockout ends with it.
      this.accounts.delete(target.account_id);
      this.record(tx, { actor: actor.username, action: 'staff.password.reset', target: target.username, details: { sessionsEnded: ended } }, at);
      return this.view(this.row(target.account_id));
    });
  }

  /** Record a staff action in the audit log, inside the transaction of the action. */
  recordAction(tx: Tx, actor: StaffActor, action: string, target: string | null, details: Record<string, unknown>, now: Date): void {
    this.audit.append(tx, { actor: actor.username, action, target, details }, now);
  }
}
