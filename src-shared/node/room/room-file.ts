// The room file: what a hub exports (to a USB stick) so that many seats can enrol without a code each.
// It names the room and the hub (its key, its CA, its addresses) and carries one-time enrolment tokens,
// and the hub signs it with its device key. The signature and the key hashes make the file one whole:
// a file with any field changed, or put together from two hubs' files, is refused. A seat that imports
// it pins the hub's key from the file and sends a token only inside TLS to that key, so the file is
// as trustworthy as the hand that carried it, and the invigilator still accepts each seat on the hub.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../../canonical-json.ts';
import { RoomFile, type RoomFileBody } from '../../contracts/room-link.ts';
import { StationError } from '../../errors.ts';
import { deviceIdFromHash } from '../../rules/device-id.ts';
import { certificateKeyHash, issuedBy } from './certificates.ts';

/** Sign a room file's body with the hub's device key. */
export function signRoomFile(body: RoomFileBody, hubKey: KeyObject): RoomFile {
  const signature = sign('sha256', Buffer.from(canonicalJson(body), 'utf8'), hubKey).toString('base64');
  return { ...body, signature };
}

/** The SHA-256 (hex) of a token: all the hub keeps of it. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A room file read from its text, checked whole; ROOM_FILE_INVALID says what is wrong with it. */
export function readRoomFile(text: string, now: Date): RoomFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StationError('ROOM_FILE_INVALID', 'the file is not JSON');
  }
  const parsed = RoomFile.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new StationError('ROOM_FILE_INVALID', `not a room file: ${first ? `${first.path.join('.') || '(top)'}: ${first.message}` : 'invalid'}`);
  }
  const file = parsed.data;
  const { signature, ...body } = file;
  let hubKey: KeyObject;
  try {
    hubKey = createPublicKey({ key: Buffer.from(file.hubPublicKey, 'base64'), format: 'der', type: 'spki' });
  } catch {
    throw new StationError('ROOM_FILE_INVALID', 'the hub key in the file is not a public key');
  }
  const hash = createHash('sha256').update(hubKey.export({ type: 'spki', format: 'der' })).digest();
  if (hash.toString('hex') !== file.hubKeyHash || deviceIdFromHash(hash) !== file.hubDeviceId) throw new StationError('ROOM_FILE_INVALID', 'the hub key does not match its hash or device id');
  let signed: boolean;
  try {
    signed = verify('sha256', Buffer.from(canonicalJson(body), 'utf8'), hubKey, Buffer.from(signature, 'base64'));
  } catch {
    signed = false;
  }
  if (!signed) throw new StationError('ROOM_FILE_INVALID', 'the signature does not match the content');
  let roomId: string;
  try {
    if (!issuedBy(file.caCertificate, file.caCertificate)) throw new Error('not self-signed');
    roomId = deviceIdFromHash(Buffer.from(certificateKeyHash(file.caCertificate), 'hex'));
  } catch (error) {
    throw new StationError('ROOM_FILE_INVALID', `the CA certificate is not valid: ${(error as Error).message}`);
  }
  if (roomId !== file.roomId) throw new StationError('ROOM_FILE_INVALID', 'the room id is not that of the CA certificate');
  if (now.toISOString() >= file.validUntil) throw new StationError('ROOM_FILE_INVALID', `the file was valid until ${file.validUntil}`);
  return file;
}
