// The device credential on the wire. A hub enrolls with its own Ed25519 key pair; the server keeps
// only the public key. Every request carries the device id, a timestamp, a fresh nonce, the SHA-256
// of its body and an Ed25519 signature over all of them plus the method and path. A leaked log line
// therefore holds nothing reusable: the signature is bound to one body, one path and one nonce, and
// expires with the replay window. Both sides (server check, hub and test clients) use this module.
import { createHash, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

export const SIGNATURE_SCHEME = 'EXAMSTATION-ED25519-V1';
/** For tus PATCH only: the body is not hashed up front; the whole file's SHA-256 is checked at the end. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export const HEADERS = {
  deviceId: 'x-device-id',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  contentSha256: 'x-content-sha256',
  signature: 'x-signature',
} as const;

export interface SignedParts {
  method: string;
  /** Path with query string, exactly as sent. */
  path: string;
  deviceId: string;
  timestamp: string;
  nonce: string;
  contentSha256: string;
}

export function canonicalRequest(parts: SignedParts): string {
  return [SIGNATURE_SCHEME, parts.method.toUpperCase(), parts.path, parts.deviceId, parts.timestamp, parts.nonce, parts.contentSha256].join('\n');
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export const EMPTY_SHA256 = sha256Hex('');

/** The headers a device adds to a request. `body` is hashed unless `contentSha256` is given. */
export function signRequest(
  credential: { deviceId: string; privateKey: KeyObject },
  method: string,
  path: string,
  body: Uint8Array | string | undefined,
  options: { contentSha256?: string; now?: number } = {},
): Record<string, string> {
  const parts: SignedParts = {
    method,
    path,
    deviceId: credential.deviceId,
    timestamp: String(options.now ?? Date.now()),
    nonce: randomBytes(16).toString('base64url'),
    contentSha256: options.contentSha256 ?? (body === undefined ? EMPTY_SHA256 : sha256Hex(body)),
  };
  const signature = sign(null, Buffer.from(canonicalRequest(parts), 'utf8'), credential.privateKey).toString('base64');
  return {
    [HEADERS.deviceId]: parts.deviceId,
    [HEADERS.timestamp]: parts.timestamp,
    [HEADERS.nonce]: parts.nonce,
    [HEADERS.contentSha256]: parts.contentSha256,
    [HEADERS.signature]: signature,
  };
}

export function publicKeyFromBase64(spkiDerBase64: string): KeyObject {
  return createPublicKey({ key: Buffer.from(spkiDerBase64, 'base64'), format: 'der', type: 'spki' });
}

export function verifyRequestSignature(publicKey: KeyObject, parts: SignedParts, signatureBase64: string): boolean {
  const signature = Buffer.from(signatureBase64, 'base64');
  if (signature.length !== 64) return false;
  try {
    return verify(null, Buffer.from(canonicalRequest(parts), 'utf8'), publicKey, signature);
  } catch {
    // A malformed key or signature is a failed verification; the caller answers AUTH_SIGNATURE_INVALID.
    return false;
  }
}
