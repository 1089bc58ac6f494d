// A station's long-term identity: a P-256 key pair made at its first start and kept in its data folder
// (identity/device-key.pem, readable only by the station's user), loaded on every later start. The
// device id is the SHA-256 of the public key (SPKI DER) written for people (rules/device-id.ts). The
// private key leaves this module only as the key for Node's TLS in the same process; no API returns it.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StationError } from '../../errors.ts';
import { deviceIdFromHash } from '../../rules/device-id.ts';
import { writeFileAtomic } from '../package/keys.ts';
import { selfSignedCertificate } from './certificates.ts';

export const DEVICE_KEY_FILE = join('identity', 'device-key.pem');

export interface DeviceIdentity {
  deviceId: string;
  /** SHA-256 (hex) of the public key's SPKI DER: what the room pins and lists. */
  keyHash: string;
  publicKey: KeyObject;
  /** For TLS and signatures in this process; never serialised by any API. */
  readonly privateKey: KeyObject;
}

function identityOf(privateKey: KeyObject): DeviceIdentity {
  const publicKey = createPublicKey(privateKey);
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const hash = createHash('sha256').update(spki).digest();
  return { deviceId: deviceIdFromHash(hash), keyHash: hash.toString('hex'), publicKey, privateKey };
}

/**
 * The station's identity from its data folder, made there on the first call. A key file that is not a
 * P-256 private key is refused (DEVICE_KEY_DAMAGED) and left as it is: replacing it would silently
 * give the station a new identity and cut it off from its room.
 */
export function loadOrCreateDeviceIdentity(dataDir: string): DeviceIdentity {
  const path = join(dataDir, DEVICE_KEY_FILE);
  if (!existsSync(path)) {
    mkdirSync(join(dataDir, 'identity'), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileAtomic(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), 0o600);
    return identityOf(privateKey);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (error) {
    throw new StationError('DEVICE_KEY_DAMAGED', `${path}: ${(error as Error).message}`, { cause: error });
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new StationError('DEVICE_KEY_DAMAGED', `${path} holds a ${privateKey.asymmetricKeyType ?? 'non-asymmetric'} key, not a P-256 key`);
  }
  // A copy restored from a backup may have come back readable by others; the key is the station's alone.
  chmodSync(path, 0o600);
  return identityOf(privateKey);
}

/** The certificate a station shows in TLS before it is paired: its own key, signed by itself. */
export function selfSignedCertificateOf(identity: DeviceIdentity): Promise<string> {
  return selfSignedCertificate(identity.deviceId, identity);
}
