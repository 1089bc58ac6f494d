// Named staff accounts on a station (issue 10.4): accounts made by the chief invigilator with a
// password that follows the rule, sign-in bound to the screen, lockouts per screen and per account
// (and their end), the PIN that re-opens one's own session after the inactivity lock, the last chief
// who cannot be disabled, a disabled account's sessions that end at once, and the hashes at rest.
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../src-shared/contracts/station-api.ts';
import { CodedError } from '../../src-shared/errors.ts';
import { StationService } from '../../src-main/station/service.ts';
import { makeKeys, openTestStation, tempDir, TEST_CHIEF, TEST_HASH_PARAMS, TEST_STAFF, type TestStation } from '../support/fixtures.ts';
import { refusal } from '../support/refusal.ts';
import { join } from 'node:path';

const screen = (clientId: string): Caller => ({ clientId, surfaces: ['public', 'staff'] });
const DESK = screen('chief-desk');
const ONE_TIME = 'Sakuma-Parole-1';
const OWN = 'Manas-Parole-22';

interface Clocked extends TestStation {
  later(ms: number): void;
  /** The chief signed in at their desk. */
  chiefToken: string;
}

async function station(extra: Parameters<typeof openTestStation>[0] = {}): Promise<Clocked> {
  let clock = Date.parse('2026-11-23T08:00:00Z');
  const opened = await openTestStation({ now: () => new Date(clock), ...extra });
  const { staffToken: chiefToken } = await opened.service.staffSignIn(TEST_STAFF, DESK);
  return { ...opened, chiefToken, later: (ms) => (clock += ms) };
}

/** An invigilator made by the chief, who has chosen their own password and signed in on `at`. */
async function invigilator(s: Clocked, at: Caller, username = 'ilze.ozola'): Promise<{ accountId: string; staffToken: string }> {
  const { accountId } = await s.service.createStaffAccount({ staffToken: s.chiefToken, username, displayName: 'Ilze Ozola', roles: ['invigilator'], password: ONE_TIME }, DESK);
  const first = await s.service.staffSignIn({ username, password: ONE_TIME }, at);
  await s.service.changeOwnPassword({ staffToken: first.staffToken, currentPassword: ONE_TIME, newPassword: OWN }, at);
  return { accountId, staffToken: first.staffToken };
}

async function errorOf(promise: Promise<unknown>): Promise<CodedError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CodedError) return error;
    throw error;
  }
  throw new Error('expected a refusal, the call succeeded');
}

describe('staff accounts', () => {
  it('are made by the chief with a password that follows the rule, each broken rule refused with its own code in both languages', async () => {
    const s = await station();
    const create = (password: string, username = 'ilze.ozola') => s.service.createStaffAccount({ staffToken: s.chiefToken, username, displayName: 'Ilze Ozola', roles: ['invigilator'], password }, DESK);
    const cases: [string, string, RegExp, RegExp][] = [
      ['Eks-2026', 'PASSWORD_TOO_SHORT', /vismaz 9/, /at least 9/],
      ['EKSAMENS-2026', 'PASSWORD_NEEDS_LOWERCASE', /mazajam burtam/, /lower-case/],
      ['eksamens-2026', 'PASSWORD_NEEDS_UPPERCASE', /lielajam burtam/, /upper-case/],
      ['Eksamens-divi', 'PASSWORD_NEEDS_DIGIT', /ciparam/, /digit/],
      ['Eksamens2026', 'PASSWORD_NEEDS_SPECIAL', /speciālajai/, /special/],
      ['Ilze.Ozola-2026', 'PASSWORD_CONTAINS_USERNAME', /lietotājvārds/, /username/],
      ['Sasha_007', 'PASSWORD_COMMON', /plaši lietotajām/, /widely used/],
    ];
    for (const [password, code, lv, en] of cases) {
      const error = await errorOf(create(password));
      expect(error.code, password).toBe(code);
      expect(error.text.lv, password).toMatch(lv);
      expect(error.text.en, password).toMatch(en);
    }
    expect(await s.service.listStaffAccounts({ staffToken: s.chiefToken }, DESK)).toHaveLength(1);
    const made = await create(ONE_TIME);
    expect(made).toMatchObject({ username: 'ilze.ozola', displayName: 'Ilze Ozola', roles: ['invigilator'], disabled: false, mustChangePassword: true, hasPin: false, createdBy: TEST_STAFF.username });
    // Usernames are one account without regard to case, and follow their own rule.
    expect(await refusal(create('Cita-Parole-33', 'ILZE.OZOLA'))).toBe('STAFF_USERNAME_TAKEN');
    expect(await refusal(create('Cita-Parole-33', 'jānis.bērziņš'))).toBe('STAFF_USERNAME_INVALID');
    expect(await refusal(create('Cita-Parole-33', 'candidate'))).toBe('STAFF_USERNAME_INVALID');
    expect(await refusal(s.service.createStaffAccount({ staffToken: s.chiefToken, username: 'peteris', displayName: '<script>', roles: ['it'], password: 'Cita-Parole-33' }, DESK))).toBe('STAFF_DISPLAY_NAME_INVALID');
  });

  it('sign in by username in any case; a one-time password must be changed before anything else, to a new one that follows the rule', async () => {
    const s = await station();
    await s.service.createStaffAccount({ staffToken: s.chiefToken, username: 'ilze.ozola', displayName: 'Ilze Ozola', roles: ['invigilator'], password: ONE_TIME }, DESK);
    const at = screen('ilze-desk');
    const { staffToken, session } = await s.service.staffSignIn({ username: 'Ilze.Ozola', password: ONE_TIME }, at);
    expect(session).toMatchObject({ mustChangePassword: true, locked: false, lockAfterMs: 300_000, account: { username: 'ilze.ozola' } });
    expect(await refusal(s.service.listCandidates({ staffToken }, at))).toBe('STAFF_PASSWORD_CHANGE_REQUIRED');
    expect(await refusal(s.service.changeOwnPassword({ staffToken, currentPassword: 'Wrong-Password-1', newPassword: OWN }, at))).toBe('STAFF_PASSWORD_WRONG');
    expect(await refusal(s.service.changeOwnPassword({ staffToken, currentPassword: ONE_TIME, newPassword: ONE_TIME }, at))).toBe('PASSWORD_UNCHANGED');
    expect(await refusal(s.service.changeOwnPassword({ staffToken, currentPassword: ONE_TIME, newPassword: 'short-1A' }, at))).toBe('PASSWORD_TOO_SHORT');
    expect(await s.service.changeOwnPassword({ staffToken, currentPassword: ONE_TIME, newPassword: OWN }, at)).toMatchObject({ mustChangePassword: false, rights: ['roster.read', 'attendance.mark', 'attempt.open', 'time.control', 'time.credit', 'time.extend.accommodation', 'incident.record', 'room.move', 'package.list', 'key.release', 'seats.control', 'room.view', 'room.end'] });
    expect(await s.service.listCandidates({ staffToken }, at)).toHaveLength(1);
    expect(await refusal(s.service.staffSignIn({ username: 'ilze.ozola', password: ONE_TIME }, at))).toBe('STAFF_SIGN_IN_WRONG');
    // A username nobody has gets the answer a wrong password gets.
    expect(await refusal(s.service.staffSignIn({ username: 'nobody.here', password: OWN }, at))).toBe('STAFF_SIGN_IN_WRONG');
  });

  it('hand out a token that works only on the screen that signed in, until sign-out or the end of the day', async () => {
    const s = await station({ staffLockMs: 24 * 3600_000 });
    expect(await refusal(s.service.listCandidates({ staffToken: s.chiefToken }, screen('someone-else')))).toBe('STAFF_REQUIRED');
    expect(await s.service.listCandidates({ staffToken: s.chiefToken }, DESK)).toHaveLength(1);
    s.later(8 * 3600_000);
    expect(await refusal(s.service.listCandidates({ staffToken: s.chiefToken }, DESK))).toBe('STAFF_REQUIRED');
    const { staffToken } = await s.service.staffSignIn(TEST_STAFF, DESK);
    expect(await s.service.staffSignOut({ staffToken }, DESK)).toEqual({ ok: true });
    expect(await refusal(s.service.listCandidates({ staffToken }, DESK))).toBe('STAFF_REQUIRED');
  });
});

describe('wrong passwords', () => {
  const wrong = { username: TEST_STAFF.username, password: 'Wrong-Password-1' };

  it('lock the screen that typed them for a minute, then two; never another screen', async () => {
    const s = await station();
    const stranger = screen('stranger');
    for (let i = 0; i < 5; i += 1) expect(await refusal(s.service.staffSignIn(wrong, stranger))).toBe('STAFF_SIGN_IN_WRONG');
    expect(await refusal(s.service.staffSignIn(TEST_STAFF, stranger))).toBe('STAFF_LOCKED_OUT');
    expect((await s.service.staffSignIn(TEST_STAFF, DESK)).staffToken).toBeTruthy();
    s.later(61_000);
    for (let i = 0; i < 5; i += 1) expect(await refusal(s.service.staffSignIn(wrong, stranger))).toBe('STAFF_SIGN_IN_WRONG');
    s.later(61_000);
    expect(await refusal(s.service.staffSignIn(TEST_STAFF, stranger))).toBe('STAFF_LOCKED_OUT');
    s.later(60_000);
    expect((await s.service.staffSignIn(TEST_STAFF, stranger)).staffToken).toBeTruthy();
  });

  it('lock the account after ten, but only on screens it never signed in on: its owner goes on at their own desk, and the lock ends', async () => {
    const s = await station();
    // Strangers' screens, four guesses each (below a screen's own limit).
    for (const name of ['a', 'b', 'c']) for (let i = 0; i < 4; i += 1) await refusal(s.service.staffSignIn(wrong, screen(`stranger-${name}`)));
    expect(await refusal(s.service.staffSignIn(TEST_STAFF, screen('new-screen')))).toBe('STAFF_ACCOUNT_LOCKED');
    expect(await refusal(s.service.staffSignIn(TEST_STAFF, screen('stranger-a')))).toBe('STAFF_ACCOUNT_LOCKED');
    // The chief's own desk signed in before the guessing: it is not locked.
    expect((await s.service.staffSignIn(TEST_STAFF, DESK)).staffToken).toBeTruthy();
    // Other accounts are not affected.
    await invigilator(s, screen('ilze-desk'));
    expect((await s.service.staffSignIn({ username: 'ilze.ozola', password: OWN }, screen('new-screen'))).staffToken).toBeTruthy();
    s.later(15 * 60_000);
    expect((await s.service.staffSignIn(TEST_STAFF, screen('new-screen'))).staffToken).toBeTruthy();
  });

  it("end the account's lock when the chief resets its password", async () => {
    const s = await station();
    const { accountId } = await invigilator(s, screen('ilze-desk'));
    const wrongIlze = { username: 'ilze.ozola', password: 'Wrong-Password-1' };
    for (const name of ['a', 'b', 'c']) for (let i = 0; i < 4; i += 1) await refusal(s.service.staffSignIn(wrongIlze, screen(`stranger-${name}`)));
    expect(await refusal(s.service.staffSignIn({ username: 'ilze.ozola', password: OWN }, screen('spare-laptop')))).toBe('STAFF_ACCOUNT_LOCKED');
    expect(await s.service.resetStaffPassword({ staffToken: s.chiefToken, accountId, password: 'Atjaunota-Parole-5' }, DESK)).toMatchObject({ mustChangePassword: true });
    expect((await s.service.staffSignIn({ username: 'ilze.ozola', password: 'Atjaunota-Parole-5' }, screen('spare-laptop'))).session.mustChangePassword).toBe(true);
  });
});

describe('the inactivity lock and the PIN', () => {
  it('locks a session idle for the configured time; the PIN opens it again, and any staff call is activity', async () => {
    const s = await station({ staffLockMs: 120_000 });
    expect(await refusal(s.service.setOwnPin({ staffToken: s.chiefToken, password: TEST_STAFF.password, pin: '12' }, DESK))).toBe('STAFF_PIN_FORMAT');
    expect(await refusal(s.service.setOwnPin({ staffToken: s.chiefToken, password: 'Wrong-Password-1', pin: '4321' }, DESK))).toBe('STAFF_PASSWORD_WRONG');
    expect(await s.service.setOwnPin({ staffToken: s.chiefToken, password: TEST_STAFF.password, pin: '4321' }, DESK)).toMatchObject({ account: { hasPin: true }, lockAfterMs: 120_000 });
    s.later(119_000);
    await s.service.listCandidates({ staffToken: s.chiefToken }, DESK);
    s.later(119_000);
    expect((await s.service.getStaffSession({ staffToken: s.chiefToken }, DESK)).locked).toBe(false);
    s.later(1_000);
    // Asking for the session's state is not activity: the lock comes all the same.
    expect((await s.service.getStaffSession({ staffToken: s.chiefToken }, DESK)).locked).toBe(true);
    expect(await refusal(s.service.listCandidates({ staffToken: s.chiefToken }, DESK))).toBe('STAFF_SESSION_LOCKED');
    const wrongPin = await errorOf(s.service.staffUnlock({ staffToken: s.chiefToken, pin: '0000' }, DESK));
    expect([wrongPin.code, wrongPin.detail]).toEqual(['STAFF_PIN_WRONG', '2 left']);
    expect(await s.service.staffUnlock({ staffToken: s.chiefToken, pin: '4321' }, DESK)).toMatchObject({ locked: false });
    expect(await s.service.listCandidates({ staffToken: s.chiefToken }, DESK)).toHaveLength(1);
    // The person locks it themself when they step away.
    await s.service.staffLock({ staffToken: s.chiefToken }, DESK);
    expect(await refusal(s.service.listCandidates({ staffToken: s.chiefToken }, DESK))).toBe('STAFF_SESSION_LOCKED');
    // The PIN works only on the screen holding the session.
    expect(await refusal(s.service.staffUnlock({ staffToken: s.chiefToken, pin: '4321' }, screen('stranger')))).toBe('STAFF_REQUIRED');
  });

  it('ends the session at the third wrong PIN: a full sign-in is needed then', async () => {
    const s = await station();
    await s.service.setOwnPin({ staffToken: s.chiefToken, password: TEST_STAFF.password, pin: '4321' }, DESK);
    await s.service.staffLock({ staffToken: s.chiefToken }, DESK);
    expect(await refusal(s.service.staffUnlock({ staffToken: s.chiefToken, pin: '1111' }, DESK))).toBe('STAFF_PIN_WRONG');
    expect(await refusal(s.service.staffUnlock({ staffToken: s.chiefToken, pin: '2222' }, DESK))).toBe('STAFF_PIN_WRONG');
    expect(await refusal(s.service.staffUnlock({ staffToken: s.chiefToken, pin: '3333' }, DESK))).toBe('STAFF_SESSION_ENDED');
    expect(await refusal(s.service.staffUnlock({ staffToken: s.chiefToken, pin: '4321' }, DESK))).toBe('STAFF_REQUIRED');
    expect(await refusal(s.service.listCandidates({ staffToken: s.chiefToken }, DESK))).toBe('STAFF_REQUIRED');
    const { staffToken } = await s.service.staffSignIn(TEST_STAFF, DESK);
    expect(await s.service.listCandidates({ staffToken }, DESK)).toHaveLength(1);
  });

  it('is not offered to an account without a PIN: it signs in again', async () => {
    const s = await station({ staffLockMs: 60_000 });
    s.later(60_000);
    expect(await refusal(s.service.listCandidates({ staffToken: s.chiefToken }, DESK))).toBe('STAFF_SESSION_LOCKED');
    expect(await refusal(s.service.staffUnlock({ staffToken: s.chiefToken, pin: '1234' }, DESK))).toBe('STAFF_PIN_NOT_SET');
  });
});

describe('administration', () => {
  it('never disables the last enabled chief invigilator nor takes the role from them; with a second chief it may', async () => {
    const s = await station();
    const [chief] = await s.service.listStaffAccounts({ staffToken: s.chiefToken }, DESK);
    expect(await refusal(s.service.disableStaffAccount({ staffToken: s.chiefToken, accountId: chief!.accountId }, DESK))).toBe('STAFF_LAST_CHIEF');
    expect(await refusal(s.service.withdrawStaffRole({ staffToken: s.chiefToken, accountId: chief!.accountId, role: 'chief-invigilator' }, DESK))).toBe('STAFF_LAST_CHIEF');
    const second = await s.service.createStaffAccount({ staffToken: s.chiefToken, username: 'otra.vaditaja', displayName: 'Otrā Vadītāja', roles: ['chief-invigilator', 'it'], password: ONE_TIME }, DESK);
    // A disabled chief does not count as the one left.
    await s.service.disableStaffAccount({ staffToken: s.chiefToken, accountId: second.accountId }, DESK);
    expect(await refusal(s.service.withdrawStaffRole({ staffToken: s.chiefToken, accountId: chief!.accountId, role: 'chief-invigilator' }, DESK))).toBe('STAFF_LAST_CHIEF');
    await s.service.enableStaffAccount({ staffToken: s.chiefToken, accountId: second.accountId }, DESK);
    expect(await s.service.withdrawStaffRole({ staffToken: s.chiefToken, accountId: chief!.accountId, role: 'chief-invigilator' }, DESK)).toMatchObject({ roles: [] });
    // The withdrawal holds at once, in the session already open.
    expect(await refusal(s.service.listStaffAccounts({ staffToken: s.chiefToken }, DESK))).toBe('STAFF_ROLE_MISSING');
  });

  it("ends a disabled account's sessions at once; it cannot sign in until enabled again", async () => {
    const s = await station();
    const ilzeDesk = screen('ilze-desk');
    const ilze = await invigilator(s, ilzeDesk);
    expect(await s.service.listCandidates({ staffToken: ilze.staffToken }, ilzeDesk)).toHaveLength(1);
    expect(await s.service.disableStaffAccount({ staffToken: s.chiefToken, accountId: ilze.accountId, reason: 'left the venue' }, DESK)).toMatchObject({ disabled: true });
    expect(await refusal(s.service.listCandidates({ staffToken: ilze.staffToken }, ilzeDesk))).toBe('STAFF_REQUIRED');
    expect(await refusal(s.service.staffSignIn({ username: 'ilze.ozola', password: OWN }, ilzeDesk))).toBe('STAFF_ACCOUNT_DISABLED');
    // A wrong password for a disabled account says nothing about it.
    expect(await refusal(s.service.staffSignIn({ username: 'ilze.ozola', password: 'Wrong-Password-1' }, ilzeDesk))).toBe('STAFF_SIGN_IN_WRONG');
    await s.service.enableStaffAccount({ staffToken: s.chiefToken, accountId: ilze.accountId }, DESK);
    expect((await s.service.staffSignIn({ username: 'ilze.ozola', password: OWN }, ilzeDesk)).session.account.disabled).toBe(false);
  });

  it('grants and withdraws roles, effective in open sessions; a password reset ends the sessions and asks for a new password', async () => {
    const s = await station();
    const ilzeDesk = screen('ilze-desk');
    const ilze = await invigilator(s, ilzeDesk);
    expect(await refusal(s.service.importPackage({ staffToken: ilze.staffToken, path: '/nowhere.exampkg' }, ilzeDesk))).toBe('STAFF_ROLE_MISSING');
    expect(await s.service.grantStaffRole({ staffToken: s.chiefToken, accountId: ilze.accountId, role: 'centre-staff' }, DESK)).toMatchObject({ roles: ['centre-staff', 'invigilator'] });
    expect(await refusal(s.service.importPackage({ staffToken: ilze.staffToken, path: '/nowhere.exampkg' }, ilzeDesk))).toBe('FILE_UNREADABLE');
    await s.service.withdrawStaffRole({ staffToken: s.chiefToken, accountId: ilze.accountId, role: 'invigilator' }, DESK);
    expect(await refusal(s.service.openAttempt({ staffToken: ilze.staffToken, candidateId: 'C-0001', packageId: s.built.manifest.packageId }, ilzeDesk))).toBe('STAFF_ROLE_MISSING');
    await s.service.resetStaffPassword({ staffToken: s.chiefToken, accountId: ilze.accountId, password: 'Atjaunota-Parole-5' }, DESK);
    expect(await refusal(s.service.listCandidates({ staffToken: ilze.staffToken }, ilzeDesk))).toBe('STAFF_REQUIRED');
    expect(await refusal(s.service.staffSignIn({ username: 'ilze.ozola', password: OWN }, ilzeDesk))).toBe('STAFF_SIGN_IN_WRONG');
  });

  it('is set up once: setUpFirstChief is refused on a station that has an account', async () => {
    const s = await station();
    expect(await refusal(s.service.setUpFirstChief({ username: 'cits.vaditajs', displayName: 'Cits', password: 'Cita-Parole-33' }, DESK))).toBe('STAFF_ALREADY_SET_UP');
  });
});

describe('secrets at rest', () => {
  it('keeps passwords and PINs only as salted scrypt hashes with their parameters, OWASP-strength by default', async () => {
    const dir = tempDir();
    const keys = makeKeys();
    const dbPath = join(dir, 'station.db');
    const service = new StationService({ dbPath, role: 'solo', venueCode: 'RIX01', trust: keys.trust, heartbeatMs: 0, firstChief: TEST_CHIEF });
    service.close();
    const db = new Database(dbPath, { readonly: true });
    const [row] = db.prepare('SELECT password_hash, pin_hash FROM staff_accounts').all() as { password_hash: string; pin_hash: string | null }[];
    db.close();
    expect(row!.password_hash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(row!.password_hash).not.toContain(TEST_STAFF.password);
  });

  it('checks a hash made with other parameters, and makes it again with the station’s at the next sign-in', async () => {
    const s = await station();
    await invigilator(s, screen('ilze-desk'));
    await s.service.setOwnPin({ staffToken: s.chiefToken, password: TEST_STAFF.password, pin: '4321' }, DESK);
    const hashes = () => s.service.db.sqlite.prepare('SELECT username, password_hash, pin_hash FROM staff_accounts ORDER BY username').all() as { username: string; password_hash: string; pin_hash: string | null }[];
    const before = hashes();
    expect(before.every((h) => h.password_hash.startsWith(`$scrypt$ln=${TEST_HASH_PARAMS.ln},`))).toBe(true);
    expect(before[1]!.pin_hash).toMatch(/^\$scrypt\$/);
    s.service.close();
    const raised = s.reopen({ staffHashParams: { ln: 11, r: 8, p: 1 } });
    await raised.staffSignIn(TEST_STAFF, DESK);
    const after = raised.db.sqlite.prepare('SELECT username, password_hash FROM staff_accounts ORDER BY username').all() as { username: string; password_hash: string }[];
    expect(after.find((h) => h.username === TEST_STAFF.username)!.password_hash).toMatch(/^\$scrypt\$ln=11,/);
    // An account that has not signed in since keeps its hash, and it still checks.
    expect(after.find((h) => h.username === 'ilze.ozola')!.password_hash).toBe(before.find((h) => h.username === 'ilze.ozola')!.password_hash);
    expect((await raised.staffSignIn({ username: 'ilze.ozola', password: OWN }, screen('ilze-desk'))).staffToken).toBeTruthy();
    raised.close();
  });
});
