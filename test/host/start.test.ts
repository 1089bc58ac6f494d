// Production start-up apart from the demo (issue 8.3): one configuration from the IT policy file and the
// environment, checked with one schema; a production station trusts only the shipped trust list,
// imports nothing by itself and never trusts a key it made; the demo is what npm start runs.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadStationConfig } from '../../src-main/host/config.ts';
import { openStation } from '../../src-main/host/start.ts';
import { DEMO_CHIEF } from '../../src-main/host/demo.ts';
import { openStationDatabase } from '../../src-main/station/database.ts';
import { DEMO_SESSIONS, DEMO_VENUE, demoRoster, demoStartsAt } from '../../src-shared/demo-day.ts';
import { DEVICE_KEY_FILE } from '../../src-shared/node/room/identity.ts';
import { maskPersonalCode } from '../../src-shared/rules/personal-code.ts';
import { normalizeDeviceId } from '../../src-shared/rules/device-id.ts';
import { buildMiniPackage, firstSignIn, makeKeys, openDemoStation, tempDir, TEST_CHIEF_ENV, TEST_ONE_TIME_PASSWORD, TEST_STAFF } from '../support/fixtures.ts';
import { refusal } from '../support/refusal.ts';

function policy(dir: string, settings: Record<string, unknown>): string {
  const file = join(dir, 'policy.json');
  writeFileSync(file, JSON.stringify(settings));
  return file;
}

const load = (env: Record<string, string>, dir: string) => loadStationConfig({ env, machinePolicyFile: join(dir, 'absent.json') });

function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('the station configuration', () => {
  it('reads the IT policy file, lets the environment override it, and starts in production unless told otherwise', () => {
    const dir = tempDir();
    const chief = { firstChiefUsername: 'anna.kalna', firstChiefName: 'Anna Kalniņa', firstChiefPassword: TEST_ONE_TIME_PASSWORD };
    const file = policy(dir, { role: 'hub', venueCode: 'RIX01', dataDir: join(dir, 'data'), ...chief, staffLockMinutes: 10, port: 6000 });
    const config = load({ EXAM_STATION_POLICY: file, PORT: '6001' }, dir);
    expect(config).toMatchObject({ mode: 'production', role: 'hub', venueCode: 'RIX01', dataDir: join(dir, 'data'), port: 6001, policyFile: file, staffLockMs: 600_000 });
    expect(config.firstChief).toEqual({ username: 'anna.kalna', displayName: 'Anna Kalniņa', password: TEST_ONE_TIME_PASSWORD });
    expect(loadStationConfig({ env: {}, demoByDefault: true, machinePolicyFile: join(dir, 'absent.json') })).toMatchObject({ mode: 'demo', venueCode: 'DEMO01', firstChief: undefined, staffLockMs: 300_000 });
  });

  it('stops a start with an invalid setting, naming the setting and where it came from', () => {
    const dir = tempDir();
    expect(configError(() => load({ EXAM_STATION_ROLE: 'kiosk', EXAM_STATION_VENUE: 'RIX01' }, dir))).toMatch(/EXAM_STATION_ROLE/);
    expect(configError(() => load({ EXAM_STATION_POLICY: policy(dir, { venueCode: 'rix 01' }) }, dir))).toMatch(/"venueCode" in .*policy\.json: upper-case/);
    expect(configError(() => load({ EXAM_STATION_POLICY: policy(dir, { venueCode: 'RIX01', staffPin: '1234' }) }, dir))).toMatch(/does not know: staffPin/);
    expect(configError(() => load({ EXAM_STATION_POLICY: join(dir, 'nope.json') }, dir))).toMatch(/does not exist/);
    writeFileSync(join(dir, 'broken.json'), '{ "venueCode": ');
    expect(configError(() => load({ EXAM_STATION_POLICY: join(dir, 'broken.json') }, dir))).toMatch(/could not be read as JSON/);
    expect(configError(() => load({}, dir))).toMatch(/needs its venue code/);
    // The policy's first chief follows the password rule like anyone; the start says which rule and whose.
    const weak = load({ EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: join(dir, 'weak'), EXAM_STATION_FIRST_CHIEF: 'anna.kalna', EXAM_STATION_FIRST_CHIEF_PASSWORD: 'password1' }, dir);
    expect(() => openStation(weak, { heartbeatMs: 0 })).toThrow(/PASSWORD_NEEDS_UPPERCASE.*first chief invigilator of the IT policy file/);
    expect(configError(() => load({ EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_FIRST_CHIEF: 'anna.kalna' }, dir))).toMatch(/needs both "firstChiefUsername" and "firstChiefPassword".*only the username/);
    expect(configError(() => load({ EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_STAFF_LOCK_MINUTES: '0' }, dir))).toMatch(/EXAM_STATION_STAFF_LOCK_MINUTES/);
    // The station-wide PIN of earlier versions is gone: a policy that still sets it is told so.
    expect(configError(() => load({ EXAM_STATION_POLICY: policy(dir, { venueCode: 'RIX01', initialStaffPin: '246810' }) }, dir))).toMatch(/does not know: initialStaffPin/);
    // The central API is reached by https; plain http only on this machine (a demo, a test).
    expect(configError(() => load({ EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_CENTRAL_URL: 'http://central.example.lv' }, dir))).toMatch(/centralUrl: .*plain http/);
    expect(configError(() => load({ EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_CENTRAL_URL: 'ftp://central.example.lv' }, dir))).toMatch(/EXAM_STATION_CENTRAL_URL/);
    expect(load({ EXAM_STATION_POLICY: policy(dir, { venueCode: 'RIX01', centralUrl: 'https://central.example.lv', centralCaBundle: 'ca.pem' }) }, dir).central).toEqual({ url: 'https://central.example.lv', caBundleFile: resolve('ca.pem'), enrolmentCode: undefined });
    expect(load({ EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_CENTRAL_URL: 'http://127.0.0.1:8787' }, dir).central.url).toBe('http://127.0.0.1:8787');
  });
});

describe('a production station', () => {
  it('trusts only the shipped trust list: a package signed by the demo key is refused, and it imports nothing by itself', async () => {
    const demoDir = tempDir();
    const demo = openDemoStation(demoDir);
    demo.service.close();
    const dir = tempDir();
    const config = load({ EXAM_STATION_VENUE: 'DEMO01', EXAM_STATION_DATA: join(dir, 'station'), ...TEST_CHIEF_ENV }, dir);
    const { service, demo: seeded } = openStation(config, { heartbeatMs: 0 });
    try {
      expect(seeded).toEqual([]);
      // Not the demo's chief: a production station has only the staff its policy names.
      expect(await refusal(service.staffSignIn({ username: DEMO_CHIEF.username, password: DEMO_CHIEF.password }))).toBe('STAFF_SIGN_IN_WRONG');
      const staffToken = await firstSignIn(service);
      expect(await service.listPackages({ staffToken })).toEqual([]);
      // The demo's sample package, signed by the key the demo made in its own data folder.
      expect(await refusal(service.importPackage({ staffToken, path: join(demoDir, 'demo-packages', 'a2.exampkg') }))).toBe('PACKAGE_SIGNER_UNKNOWN');
      expect(await service.listPackages({ staffToken })).toEqual([]);
      expect(await service.listCandidates({ staffToken })).toEqual([]);
    } finally {
      service.close();
    }
  });

  it('a demo hub pointed at a central API seeds nothing of its own: the feed brings the day, signed by the key of the trust list it is given', async () => {
    const dir = tempDir();
    const keys = makeKeys('central-demo-key');
    writeFileSync(join(dir, 'central-trust.json'), JSON.stringify(keys.trust));
    const hub = openDemoStation(join(dir, 'hub'), { EXAM_STATION_ROLE: 'hub', EXAM_STATION_CENTRAL_URL: 'http://127.0.0.1:9', EXAM_STATION_DEMO_TRUST: join(dir, 'central-trust.json') });
    try {
      expect(hub.demo).toEqual([]);
      const { staffToken } = await hub.service.staffSignIn(DEMO_CHIEF);
      expect(await hub.service.listCandidates({ staffToken })).toEqual([]);
      const built = buildMiniPackage(keys, { venue: 'DEMO01' });
      writeFileSync(join(dir, 'central.exampkg'), built.file);
      expect(hub.service.importPackageFile(join(dir, 'central.exampkg')).summary.packageId).toBe(built.manifest.packageId);
    } finally {
      hub.service.close();
    }
    // A trust list that is not there stops a demo start with what to do.
    expect(() => openDemoStation(join(dir, 'other'), { EXAM_STATION_ROLE: 'hub', EXAM_STATION_DEMO_TRUST: join(dir, 'missing.json') })).toThrow(/npm run server/);
  });

  it("a demo seat seeds nothing of its own and trusts the demo key it is pointed at: its hub's packages import, its own key is not made", async () => {
    const dir = tempDir();
    const hub = openDemoStation(join(dir, 'hub'), { EXAM_STATION_ROLE: 'hub' });
    hub.service.close();
    expect(hub.demo.length).toBeGreaterThan(0);
    const seat = openDemoStation(join(dir, 'seat'), { EXAM_STATION_ROLE: 'seat', EXAM_STATION_DEMO_KEYS: join(dir, 'hub', 'demo-signing-keys') });
    try {
      expect(seat.demo).toEqual([]);
      const { staffToken } = await seat.service.staffSignIn(DEMO_CHIEF);
      expect(await seat.service.listCandidates({ staffToken })).toEqual([]);
      expect(await seat.service.listPackages({ staffToken })).toEqual([]);
      const imported = await seat.service.importPackage({ staffToken, path: join(dir, 'hub', 'demo-packages', 'a2.exampkg') });
      expect(imported.summary.packageId).toBe(hub.demo.find((p) => p.title === imported.summary.title)?.packageId);
      expect(existsSync(join(dir, 'seat', 'demo-signing-keys'))).toBe(false);
    } finally {
      seat.service.close();
    }
  });

  it("seeds the demo day the central API's demo seeds too: its venue, sessions, rooms, start and roster, packages for its venue", async () => {
    const dir = tempDir();
    const before = new Date();
    const { service, demo } = openDemoStation(dir);
    const after = new Date();
    try {
      const { staffToken } = await service.staffSignIn(DEMO_CHIEF);
      const expected = demoRoster(demoStartsAt(before));
      const listed = await service.listCandidates({ staffToken });
      expect(listed.map((c) => [c.candidateId, c.sessionId, c.givenName, c.familyName, c.maskedPersonalCode, c.level, c.accommodation]).sort()).toEqual(
        expected.candidates.map((c) => [c.candidateId, c.sessionId, c.givenName, c.familyName, maskPersonalCode(c.personalCode.replace('-', '')), c.level ?? null, c.accommodation ?? null]).sort(),
      );
      expect((await service.listPackages({ staffToken })).map((p) => p.examId).sort()).toEqual(DEMO_SESSIONS.map((s) => s.examId).sort());
      expect(demo.map((p) => p.examId)).toEqual(DEMO_SESSIONS.map((s) => s.examId));
    } finally {
      service.close();
    }
    const db = openStationDatabase(join(dir, 'station.db'));
    try {
      const sessions = db.all(db.q.selectFrom('sessions').select(['session_id', 'exam_id', 'venue_code', 'venue_name', 'room', 'starts_at']).orderBy('room'));
      const startsAt = sessions[0]?.starts_at;
      expect([demoStartsAt(before), demoStartsAt(after)]).toContain(startsAt);
      expect(sessions).toEqual(DEMO_SESSIONS.map((s) => ({ session_id: s.sessionId, exam_id: s.examId, venue_code: DEMO_VENUE.code, venue_name: DEMO_VENUE.name, room: s.room, starts_at: startsAt })));
      const venues = db.all(db.q.selectFrom('packages').select('venue'));
      expect(venues.map((p) => p.venue)).toEqual(['DEMO01', 'DEMO01', 'DEMO01']);
    } finally {
      db.close();
    }
  });

  it('makes its device key pair at its first start, in its data folder, and keeps it through restarts', () => {
    const dir = tempDir();
    const config = load({ EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_ROLE: 'seat', EXAM_STATION_DATA: join(dir, 'station') }, dir);
    const first = openStation(config, { heartbeatMs: 0 });
    first.service.close();
    expect(statSync(join(dir, 'station', DEVICE_KEY_FILE)).mode & 0o777).toBe(0o600);
    const again = openStation(config, { heartbeatMs: 0 });
    again.service.close();
    expect(again.identity.deviceId).toBe(first.identity.deviceId);
    expect(normalizeDeviceId(first.identity.deviceId)).toBe(first.identity.deviceId);
  });

  it("makes the policy's first chief invigilator with a one-time password that must be changed before anything else", async () => {
    const dir = tempDir();
    const config = load({ EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: join(dir, 'station'), ...TEST_CHIEF_ENV }, dir);
    const { service } = openStation(config, { heartbeatMs: 0 });
    try {
      const { staffToken, session } = await service.staffSignIn({ username: TEST_STAFF.username, password: TEST_ONE_TIME_PASSWORD });
      expect(session).toMatchObject({ mustChangePassword: true, account: { username: TEST_STAFF.username, displayName: 'Testa Vadītāja', roles: ['chief-invigilator'], createdBy: '(it-policy)' } });
      expect(await refusal(service.listCandidates({ staffToken }))).toBe('STAFF_PASSWORD_CHANGE_REQUIRED');
      expect(await service.changeOwnPassword({ staffToken, currentPassword: TEST_ONE_TIME_PASSWORD, newPassword: TEST_STAFF.password })).toMatchObject({ mustChangePassword: false });
      expect(await service.listCandidates({ staffToken })).toEqual([]);
    } finally {
      service.close();
    }
    // Once an account exists the policy's first chief is not made again, nor its password put back.
    const again = openStation(config, { heartbeatMs: 0 }).service;
    try {
      expect(await refusal(again.staffSignIn({ username: TEST_STAFF.username, password: TEST_ONE_TIME_PASSWORD }))).toBe('STAFF_SIGN_IN_WRONG');
      expect((await again.staffSignIn(TEST_STAFF)).session.mustChangePassword).toBe(false);
    } finally {
      again.close();
    }
  });

  it('starts without staff when the policy names no first chief: sign-in says so, and IT sets up the first chief once', async () => {
    const dir = tempDir();
    const config = load({ EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: join(dir, 'station') }, dir);
    const { service } = openStation(config, { heartbeatMs: 0 });
    try {
      expect(await service.getStatus()).toMatchObject({ staffSetUp: false });
      expect(await refusal(service.staffSignIn(TEST_STAFF))).toBe('STAFF_NOT_SET_UP');
      expect(await service.setUpFirstChief({ ...TEST_STAFF, displayName: 'Testa Vadītāja' })).toMatchObject({ roles: ['chief-invigilator'], createdBy: '(set-up)', mustChangePassword: false });
      expect(await refusal(service.setUpFirstChief({ username: 'second.chief', displayName: 'Otrais', password: 'Cita-Parole-99' }))).toBe('STAFF_ALREADY_SET_UP');
      expect(await service.getStatus()).toMatchObject({ staffSetUp: true });
      expect((await service.staffSignIn(TEST_STAFF)).session.account.username).toBe(TEST_STAFF.username);
    } finally {
      service.close();
    }
  });
});
