// Production start-up apart from the demo (issue 8.3): one configuration from the IT policy file and the
// environment, checked with one schema; a production station trusts only the shipped trust list,
// imports nothing by itself and never trusts a key it made; the demo is what npm start runs.
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadStationConfig } from '../../src-main/host/config.ts';
import { openStation } from '../../src-main/host/start.ts';
import { DEVICE_KEY_FILE } from '../../src-shared/node/room/identity.ts';
import { normalizeDeviceId } from '../../src-shared/rules/device-id.ts';
import { openDemoStation, tempDir, TEST_STAFF_PIN } from '../support/fixtures.ts';
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
    const file = policy(dir, { role: 'hub', venueCode: 'RIX01', dataDir: join(dir, 'data'), initialStaffPin: TEST_STAFF_PIN, port: 6000 });
    const config = load({ EXAM_STATION_POLICY: file, PORT: '6001' }, dir);
    expect(config).toMatchObject({ mode: 'production', role: 'hub', venueCode: 'RIX01', dataDir: join(dir, 'data'), port: 6001, policyFile: file, initialStaffPin: TEST_STAFF_PIN });
    expect(loadStationConfig({ env: {}, demoByDefault: true, machinePolicyFile: join(dir, 'absent.json') })).toMatchObject({ mode: 'demo', venueCode: 'DEMO01', initialStaffPin: '246810' });
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
    expect(configError(() => load({ EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_STAFF_PIN: '12' }, dir))).toMatch(/EXAM_STATION_STAFF_PIN: 6 to 12 digits/);
  });
});

describe('a production station', () => {
  it('trusts only the shipped trust list: a package signed by the demo key is refused, and it imports nothing by itself', async () => {
    const demoDir = tempDir();
    const demo = openDemoStation(demoDir);
    demo.service.close();
    const dir = tempDir();
    const config = load({ EXAM_STATION_VENUE: 'DEMO01', EXAM_STATION_DATA: join(dir, 'station'), EXAM_STATION_STAFF_PIN: TEST_STAFF_PIN }, dir);
    const { service, demo: seeded } = openStation(config, { heartbeatMs: 0 });
    try {
      expect(seeded).toEqual([]);
      const { staffToken } = await service.staffSignIn({ pin: TEST_STAFF_PIN });
      expect(await service.listPackages({ staffToken })).toEqual([]);
      // The demo's sample package, signed by the key the demo made in its own data folder.
      expect(await refusal(service.importPackage({ staffToken, path: join(demoDir, 'demo-packages', 'a2.exampkg') }))).toBe('PACKAGE_SIGNER_UNKNOWN');
      expect(await service.listPackages({ staffToken })).toEqual([]);
      expect(await service.listCandidates({ staffToken })).toEqual([]);
    } finally {
      service.close();
    }
  });

  it('makes its device key pair at its first start, in its data folder, and keeps it through restarts', () => {
    const dir = tempDir();
    const config = load({ EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_ROLE: 'seat', EXAM_STATION_DATA: join(dir, 'station'), EXAM_STATION_STAFF_PIN: TEST_STAFF_PIN }, dir);
    const first = openStation(config, { heartbeatMs: 0 });
    first.service.close();
    expect(statSync(join(dir, 'station', DEVICE_KEY_FILE)).mode & 0o777).toBe(0o600);
    const again = openStation(config, { heartbeatMs: 0 });
    again.service.close();
    expect(again.identity.deviceId).toBe(first.identity.deviceId);
    expect(normalizeDeviceId(first.identity.deviceId)).toBe(first.identity.deviceId);
  });

  it('will not start for the first time without a staff PIN to set', () => {
    const dir = tempDir();
    const config = load({ EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: join(dir, 'station') }, dir);
    expect(configError(() => openStation(config, { heartbeatMs: 0 }))).toMatch(/no staff PIN is set on this station yet.*"initialStaffPin"/);
  });
});
