// The trust list changes only through a signed update (issue 10 §5): a list signed by a key the
// station trusts, numbered above the list in effect, is verified before it replaces anything and
// stays in effect through a restart; an unsigned, wrongly signed, altered, older or empty one is
// refused and the old list kept; a file edited or dropped in the data folder changes no trust. The
// exam centre's tool signs such an update (npm run keys -- sign-update).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStationConfig } from '../../src-main/host/config.ts';
import { openStation } from '../../src-main/host/start.ts';
import { SigningKeyStore, TRUST_FILE, type TrustList } from '../../src-shared/node/package/keys.ts';
import { signTrustUpdate } from '../../src-shared/node/package/trust-update.ts';
import { buildMiniPackage, firstSignIn, makeKeys, openTestStation, tempDir, TEST_CHIEF_ENV, TEST_STAFF, writeProductionAssets, type TestKeys, type TestStation } from '../support/fixtures.ts';
import { refusal } from '../support/refusal.ts';

/** The station's key retired and a new one active: what an exam centre's rotation publishes. */
function rotated(station: TestStation, next: TestKeys): TrustList {
  const old = station.keys.trust.keys[0]!;
  return { formatVersion: 1, keys: [{ ...old, status: 'retired', retiredAt: new Date().toISOString() }, ...next.trust.keys] };
}

const update = (signer: TestKeys, sequence: number, list: TrustList): Uint8Array<ArrayBuffer> => new Uint8Array(signTrustUpdate(signer.signingKey, { sequence, issuedAt: new Date().toISOString(), list }));
const bytes = (text: string): Uint8Array<ArrayBuffer> => new Uint8Array(Buffer.from(text));

async function importFile(station: TestStation, staffToken: string, file: Buffer, name = `p-${Math.random()}.exampkg`): Promise<string> {
  const path = join(station.dir, name);
  writeFileSync(path, file);
  return station.service.importPackage({ staffToken, path }).then(
    () => 'imported',
    (error: { code: string }) => error.code,
  );
}

describe('a signed trust-list update', () => {
  it('signed by the trusted key, is verified, takes effect at once and through a restart; a package by the new key imports', async () => {
    const station = await openTestStation();
    const { service, staffToken } = station;
    const next = makeKeys('exam-2027');
    expect(await service.getTrustList({ staffToken })).toEqual({ sequence: 0, issuedAt: null, keys: [{ keyId: 'test-key', status: 'active' }] });
    expect(await importFile(station, staffToken, buildMiniPackage(next).file)).toBe('PACKAGE_SIGNER_UNKNOWN');
    const view = await service.applyTrustUpdate({ staffToken, data: update(station.keys, 1, rotated(station, next)) });
    expect(view).toMatchObject({ sequence: 1, keys: [{ keyId: 'test-key', status: 'retired' }, { keyId: 'exam-2027', status: 'active' }] });
    expect(await importFile(station, staffToken, buildMiniPackage(next).file)).toBe('imported');
    const audit = await service.listAudit({ staffToken, afterSeq: 0, limit: 500 });
    expect(audit.filter((e) => e.action === 'trust.updated').map((e) => [e.actor, e.target, e.details.from])).toEqual([[TEST_STAFF.username, '1', 0]]);
    service.close();
    // After a restart the kept update is verified again and is the list in effect.
    const again = station.reopen();
    const { staffToken: token } = await again.staffSignIn(TEST_STAFF);
    expect(await again.getTrustList({ staffToken: token })).toMatchObject({ sequence: 1 });
    writeFileSync(join(station.dir, 'after-restart.exampkg'), buildMiniPackage(next).file);
    expect(await again.importPackage({ staffToken: token, path: join(station.dir, 'after-restart.exampkg') })).toMatchObject({ alreadyImported: false });
    // A second update is signed by the key the first one made active; the first key no longer vouches.
    const third = makeKeys('exam-2028');
    expect(await refusal(again.applyTrustUpdate({ staffToken: token, data: update(station.keys, 2, third.trust) }))).toBe('TRUST_UPDATE_SIGNATURE');
    expect(await again.applyTrustUpdate({ staffToken: token, data: update(next, 2, third.trust) })).toMatchObject({ sequence: 2, keys: [{ keyId: 'exam-2028' }] });
    again.close();
  });

  it('unsigned, signed by a stranger, altered after signing, not newer, without an active key, or not an update at all: refused, the old list kept', async () => {
    const station = await openTestStation();
    const { service, staffToken } = station;
    const next = makeKeys('exam-2027');
    const good = update(station.keys, 1, rotated(station, next));
    const outer = JSON.parse(Buffer.from(good).toString('utf8')) as { payload: string; signature: string };
    const unsigned = bytes(JSON.stringify({ ...outer, signature: Buffer.alloc(64).toString('base64') }));
    // The payload changed after signing: the new key made "active" alongside, the signature kept.
    const payload = JSON.parse(Buffer.from(outer.payload, 'base64').toString('utf8')) as { list: TrustList };
    payload.list.keys.push({ ...makeKeys('smuggled').trust.keys[0]! });
    const altered = bytes(JSON.stringify({ ...outer, payload: Buffer.from(JSON.stringify(payload)).toString('base64') }));
    const stranger = makeKeys('test-key');
    const cases: [string, Uint8Array<ArrayBuffer>, string][] = [
      ['unsigned', unsigned, 'TRUST_UPDATE_SIGNATURE'],
      ['signed by a key of the same name that is not the trusted one', update(stranger, 1, rotated(station, next)), 'TRUST_UPDATE_SIGNATURE'],
      ['signed by an unknown key', update(next, 1, rotated(station, next)), 'TRUST_UPDATE_SIGNATURE'],
      ['altered after signing', altered, 'TRUST_UPDATE_SIGNATURE'],
      ['without an active key', update(station.keys, 1, { formatVersion: 1, keys: [{ ...station.keys.trust.keys[0]!, status: 'revoked' }] }), 'TRUST_UPDATE_INVALID'],
      ['a plain trust list', bytes(JSON.stringify(rotated(station, next))), 'TRUST_UPDATE_INVALID'],
      ['not JSON', bytes('trust me'), 'TRUST_UPDATE_INVALID'],
    ];
    for (const [name, data, code] of cases) {
      expect(await refusal(service.applyTrustUpdate({ staffToken, data })), name).toBe(code);
      expect(await service.getTrustList({ staffToken }), name).toMatchObject({ sequence: 0, keys: [{ keyId: 'test-key', status: 'active' }] });
    }
    expect(await importFile(station, staffToken, buildMiniPackage(next).file)).toBe('PACKAGE_SIGNER_UNKNOWN');
    expect(readdirSync(station.dir)).not.toContain('trust-updates');
    // Once it is taken, an update with the same number is not newer, even signed by the key now active.
    await service.applyTrustUpdate({ staffToken, data: good });
    expect(await refusal(service.applyTrustUpdate({ staffToken, data: update(next, 1, next.trust) }))).toBe('TRUST_UPDATE_STALE');
    const audit = await service.listAudit({ staffToken, afterSeq: 0, limit: 500 });
    expect(audit.filter((e) => e.action === 'trust.update.refused').map((e) => e.details.code)).toEqual([...cases.map(([, , c]) => c), 'TRUST_UPDATE_STALE']);
    service.close();
  });

  it('kept in the data folder and then edited by hand verifies nothing at the next start: the list before it is in effect', async () => {
    const station = await openTestStation();
    const next = makeKeys('exam-2027');
    await station.service.applyTrustUpdate({ staffToken: station.staffToken, data: update(station.keys, 1, rotated(station, next)) });
    station.service.close();
    const [kept] = readdirSync(join(station.dir, 'trust-updates'));
    const path = join(station.dir, 'trust-updates', kept!);
    const outer = JSON.parse(readFileSync(path, 'utf8')) as { payload: string };
    const payload = JSON.parse(Buffer.from(outer.payload, 'base64').toString('utf8')) as { list: TrustList };
    payload.list.keys.push(makeKeys('hand-added').trust.keys[0]!);
    writeFileSync(path, JSON.stringify({ ...outer, payload: Buffer.from(JSON.stringify(payload)).toString('base64') }));
    const again = station.reopen();
    const { staffToken } = await again.staffSignIn(TEST_STAFF);
    expect(await again.getTrustList({ staffToken })).toEqual({ sequence: 0, issuedAt: null, keys: [{ keyId: 'test-key', status: 'active' }] });
    again.close();
  });
});

describe('a production station', () => {
  it('trusts the shipped list and its signed updates only: a trusted-keys.json put into the data folder changes nothing', async () => {
    const dir = tempDir();
    const shipped = makeKeys('shipped-key');
    const stranger = makeKeys('stranger-key');
    const dataDir = join(dir, 'station');
    const env = { EXAM_STATION_POLICY: 'none', EXAM_STATION_MODE: 'production', EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: dataDir, EXAM_STATION_ASSETS: writeProductionAssets(dir, shipped.trust), ...TEST_CHIEF_ENV };
    const first = openStation(loadStationConfig({ env }), { heartbeatMs: 0 });
    first.service.close();
    // Someone edits JSON in the data folder (where a demo keeps its key) and restarts.
    writeFileSync(join(dataDir, TRUST_FILE), JSON.stringify(stranger.trust));
    const store = new SigningKeyStore(join(dataDir, 'demo-signing-keys'));
    store.generate('planted');
    const opened = openStation(loadStationConfig({ env }), { heartbeatMs: 0 });
    const staffToken = await firstSignIn(opened.service);
    expect(await opened.service.getTrustList({ staffToken })).toMatchObject({ sequence: 0, keys: [{ keyId: 'shipped-key', status: 'active' }] });
    const path = join(dir, 'stranger.exampkg');
    writeFileSync(path, buildMiniPackage(stranger).file);
    expect(await refusal(opened.service.importPackage({ staffToken, path }))).toBe('PACKAGE_SIGNER_UNKNOWN');
    opened.service.close();
  });
});

describe('the exam centre tool', () => {
  it('signs the key folder\'s trust list as an update (after a rotation with the key stations trust now), which a station takes', async () => {
    const station = await openTestStation();
    const keysDir = tempDir('exam-keys-');
    const cli = join(import.meta.dirname, '../../src-server/tools/package-cli.ts');
    execFileSync(process.execPath, [cli, 'keys', 'generate', '--dir', keysDir, '--id', 'centre-2026'], { stdio: 'pipe' });
    const store = new SigningKeyStore(keysDir);
    // The station ships the centre's first list, then the centre rotates.
    const shipped = store.trust();
    execFileSync(process.execPath, [cli, 'keys', 'rotate', '--dir', keysDir, '--id', 'centre-2027'], { stdio: 'pipe' });
    const out = join(keysDir, 'update-1.examtrust');
    const printed = JSON.parse(execFileSync(process.execPath, [cli, 'keys', 'sign-update', out, '--dir', keysDir, '--sequence', '1', '--with', 'centre-2026'], { encoding: 'utf8' })) as { signedWith: string };
    expect(printed.signedWith).toBe('centre-2026');
    station.service.close();
    const centreStation = station.reopen({ trust: shipped, trustUpdatesDir: join(station.dir, 'centre-trust') });
    const { staffToken } = await centreStation.staffSignIn(TEST_STAFF);
    expect(await centreStation.applyTrustUpdate({ staffToken, data: new Uint8Array(readFileSync(out)) })).toMatchObject({ sequence: 1, keys: [{ keyId: 'centre-2026', status: 'retired' }, { keyId: 'centre-2027', status: 'active' }] });
    centreStation.close();
  });
});
