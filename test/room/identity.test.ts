import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICE_KEY_FILE, loadOrCreateDeviceIdentity } from '../../src-shared/node/room/identity.ts';
import { deviceIdFromHash } from '../../src-shared/rules/device-id.ts';
import { refusalOf } from '../support/refusal.ts';
import { tempDir } from '../support/fixtures.ts';

describe("a station's device identity", () => {
  it('is a P-256 key made at the first start, readable only by the station, and its id is the hash of its public key', () => {
    const dir = tempDir();
    const identity = loadOrCreateDeviceIdentity(dir);
    const path = join(dir, DEVICE_KEY_FILE);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'identity')).mode & 0o777).toBe(0o700);
    expect(identity.privateKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const hash = createHash('sha256').update(identity.publicKey.export({ type: 'spki', format: 'der' })).digest();
    expect(identity.keyHash).toBe(hash.toString('hex'));
    expect(identity.deviceId).toBe(deviceIdFromHash(hash));
  });

  it('survives a restart: the same key and id are loaded, and the file is made private again', async () => {
    const dir = tempDir();
    const first = loadOrCreateDeviceIdentity(dir);
    const { chmodSync } = await import('node:fs');
    chmodSync(join(dir, DEVICE_KEY_FILE), 0o644);
    const again = loadOrCreateDeviceIdentity(dir);
    expect(again.deviceId).toBe(first.deviceId);
    expect(again.keyHash).toBe(first.keyHash);
    expect(statSync(join(dir, DEVICE_KEY_FILE)).mode & 0o777).toBe(0o600);
  });

  it('is never replaced when its file is damaged: the start is refused and the file left as it was', () => {
    const dir = tempDir();
    loadOrCreateDeviceIdentity(dir);
    const path = join(dir, DEVICE_KEY_FILE);
    writeFileSync(path, '-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n');
    expect(refusalOf(() => loadOrCreateDeviceIdentity(dir))).toBe('DEVICE_KEY_DAMAGED');
    expect(readFileSync(path, 'utf8')).toContain('broken');
  });

  it('does not serialise its private key', () => {
    const identity = loadOrCreateDeviceIdentity(tempDir());
    expect(JSON.stringify(identity)).not.toMatch(/PRIVATE|"d"/);
  });
});
