// The hub as its room's certificate authority. At the hub's set-up it makes the room CA: a P-256 key of
// its own (room-ca/ca-key.pem, readable only by the station's user) and a self-signed CA certificate
// (room-ca/ca.pem). The room id is the CA key's hash, written like a device id. At every start the hub
// issues itself a fresh TLS server certificate for its device key; seats pin that key's hash, not the
// certificate. The CA key is kept apart from the device key so that a standby hub can one day carry a
// server certificate of the same room without sharing the primary's identity.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StationError } from '../../src-shared/errors.ts';
import { deviceIdFromHash, shortDeviceId } from '../../src-shared/rules/device-id.ts';
import { writeFileAtomic } from '../../src-shared/node/package/keys.ts';
import { createCaCertificate, issueCertificate, issuedBy, keyHashOf } from '../../src-shared/node/room/certificates.ts';
import type { DeviceIdentity } from '../../src-shared/node/room/identity.ts';

export const ROOM_CA_DIR = 'room-ca';

export interface RoomAuthority {
  /** The CA key's SHA-256 written like a device id: the same for as long as the hub keeps its CA. */
  roomId: string;
  caCertificate: string;
  /** The hub's TLS server certificate (PEM) for its device key, signed by the CA. */
  hubCertificate: string;
  /** SHA-256 (hex) of the hub's device key: the pin seats keep. */
  hubKeyHash: string;
  hubDeviceId: string;
  /** A certificate for a seat's key, its subject the seat's device id. */
  issueSeatCertificate(seatKey: KeyObject, deviceId: string): Promise<string>;
}

function readKey(path: string): KeyObject {
  try {
    const key = createPrivateKey(readFileSync(path));
    if (key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('not a P-256 key');
    return key;
  } catch (error) {
    throw new StationError('DEVICE_KEY_DAMAGED', `${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** The room CA from the hub's data folder, made on the first call (the hub's set-up). */
export async function openRoomAuthority(dataDir: string, identity: DeviceIdentity): Promise<RoomAuthority> {
  const dir = join(dataDir, ROOM_CA_DIR);
  const keyPath = join(dir, 'ca-key.pem');
  const certPath = join(dir, 'ca.pem');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let caKey: KeyObject;
  if (existsSync(keyPath)) {
    caKey = readKey(keyPath);
    chmodSync(keyPath, 0o600);
  } else {
    caKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    writeFileAtomic(keyPath, caKey.export({ type: 'pkcs8', format: 'pem' }), 0o600);
  }
  const caPublic = createPublicKey(caKey);
  const roomId = deviceIdFromHash(createHash('sha256').update(caPublic.export({ type: 'spki', format: 'der' })).digest());
  // The certificate follows from the key: one lost between the two writes of a set-up is made again.
  let caCertificate = existsSync(certPath) ? readFileSync(certPath, 'utf8') : undefined;
  if (caCertificate === undefined || keyHashOfPem(caCertificate) !== keyHashOf(caPublic)) {
    caCertificate = await createCaCertificate(`Exam Station room ${shortDeviceId(roomId)}`, { publicKey: caPublic, privateKey: caKey });
    writeFileAtomic(certPath, caCertificate);
  }
  const hubCertificate = await issueCertificate({ caCertificate, caPrivateKey: caKey, subjectKey: identity.publicKey, commonName: identity.deviceId, usage: 'server' });
  if (!issuedBy(hubCertificate, caCertificate)) throw new StationError('DEVICE_KEY_DAMAGED', `${certPath} does not belong to ${keyPath}`);
  return {
    roomId,
    caCertificate,
    hubCertificate,
    hubKeyHash: identity.keyHash,
    hubDeviceId: identity.deviceId,
    issueSeatCertificate: (seatKey, deviceId) => issueCertificate({ caCertificate, caPrivateKey: caKey, subjectKey: seatKey, commonName: deviceId, usage: 'client' }),
  };
}

function keyHashOfPem(pem: string): string | undefined {
  try {
    return keyHashOf(createPublicKey(pem));
  } catch {
    return undefined;
  }
}
