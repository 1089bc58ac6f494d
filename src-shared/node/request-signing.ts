// The device credential on the wire. A hub enrolls with its own Ed25519 key pair; the server keeps
// only the public key. Every request carries the device id, a timestamp, a fresh nonce, the SHA-256
// of its body and an Ed25519 signature over all of them plus the method, the path and the headers
// that say how the body is read and, for tus, where it goes (Content-Type, Tus-Resumable,
// Upload-Length, Upload-Offset, Upload-Metadata). A leaked log line therefore holds nothing reusable:
// the signature is bound to one body, one path, one upload target and one nonce, and expires with
// the replay window. Both sides (server check, hub and test clients) use this module.
import { createHash, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

// V2 added the covered headers: under V1 a machine in the middle could keep a signed tus request's
// body and signature but point it at another recording, length, offset or mime type.
export const SIGNATURE_SCHEME = 'EXAMSTATION-ED25519-V2';
/** For tus PATCH only: the body is not hashed up front; the whole file's SHA-256 is checked at the end. */
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export const HEADERS = {
  deviceId: 'x-device-id',
  timestamp: 'x-timestamp',
  nonce: 'x-nonce',
  contentSha256: 'x-content-sha256',
  signature: 'x-signature',
} as const;

/**
 * Request headers the signature covers besides its own, in this order; an absent one is signed as
 * empty, so adding it later breaks the signature too.
 */
export const SIGNED_HEADERS = ['content-type', 'tus-resumable', 'upload-length', 'upload-offset', 'upload-metadata'] as const;
export type SignedHeader = (typeof SIGNED_HEADERS)[number];

export interface SignedParts {
  method: string;
  /** Path with query string, exactly as sent. */
  path: string;
  deviceId: string;
  timestamp: string;
  nonce: string;
  contentSha256: string;
  /** The covered headers as sent (names in lower case); missing ones count as empty. */
  headers: Partial<Record<SignedHeader, string>>;
}

export function canonicalRequest(parts: SignedParts): string {
  const covered = SIGNED_HEADERS.map((name) => `${name}:${(parts.headers[name] ?? '').trim()}`);
  return [SIGNATURE_SCHEME, parts.method.toUpperCase(), parts.path, parts.deviceId, parts.timestamp, parts.nonce, parts.contentSha256, ...covered].join('\n');
}

/** The covered headers of a header set, names matched without regard to case. */
export function signedHeadersOf(headers: Record<string, string | string[] | undefined>): Partial<Record<SignedHeader, string>> {
  const out: Partial<Record<SignedHeader, string>> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (value === undefined || !(SIGNED_HEADERS as readonly string[]).includes(lower)) continue;
    out[lower as SignedHeader] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export const EMPTY_SHA256 = sha256Hex('');

export interface RequestToSign {
  method: string;
  /** Path with query string, exactly as sent. */
  path: string;
  /** The request's own headers, as they will be sent. */
  headers?: Record<string, string>;
  /** Hashed unless `contentSha256` is given. */
  body?: Uint8Array | string | undefined;
  contentSha256?: string;
  now?: number;
}

/**
 * The headers to send: the request's own headers (names in lower case) with the signing headers
 * added. Send exactly these: the covered ones are part of the signature.
 */
export function signRequest(credential: { deviceId: string; privateKey: KeyObject }, request: RequestToSign): Record<string, string> {
  const own: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) own[name.toLowerCase()] = value;
  const parts: SignedParts = {
    method: request.method,
    path: request.path,
    deviceId: credential.deviceId,
    timestamp: String(request.now ?? Date.now()),
    nonce: randomBytes(16).toString('base64url'),
    contentSha256: request.contentSha256 ?? (request.body === undefined ? EMPTY_SHA256 : sha256Hex(request.body)),
    headers: signedHeadersOf(own),
  };
  const signature = sign(null, Buffer.from(canonicalRequest(parts), 'utf8'), credential.privateKey).toString('base64');
  return {
    ...own,
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
