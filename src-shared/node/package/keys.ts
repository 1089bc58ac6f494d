// Ed25519 signing keys for exam packages. The exam centre keeps private keys in a key folder
// (one PEM per key, readable only by its owner) and publishes the public half in a trust list that
// every station ships. Rotation makes a new active key and retires the old one: a retired key still
// verifies packages it signed before it was retired; a revoked key verifies nothing.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { join } from 'node:path';
import { z } from 'zod';

export const TrustedKey = z.object({
  keyId: z.string().min(1).max(64),
  /** SubjectPublicKeyInfo DER, base64. */
  publicKey: z.string().min(1),
  status: z.enum(['active', 'retired', 'revoked']),
  createdAt: z.iso.datetime({ offset: true }),
  retiredAt: z.iso.datetime({ offset: true }).optional(),
  revokedAt: z.iso.datetime({ offset: true }).optional(),
  note: z.string().max(500).optional(),
});
export type TrustedKey = z.infer<typeof TrustedKey>;

export const TrustList = z.object({
  formatVersion: z.literal(1),
  /**
   * The number of the signed update this list is (trust-update.ts); a station takes only updates numbered
   * above the list in effect. A list shipped with the app carries the number of the last update it
   * includes, so an older update kept on a station cannot undo a newer app's list; none is 0.
   */
  sequence: z.number().int().min(0).optional(),
  keys: z.array(TrustedKey),
});
export type TrustList = z.infer<typeof TrustList>;

export const TRUST_FILE = 'trusted-keys.json';

/** A key folder or trust list refuses what it was asked (a key name twice, no active key, a damaged list): the message says why. */
export class KeyStoreError extends Error {
  override name = 'KeyStoreError';
}

/** Read a trust list; a file that is not one is a KeyStoreError naming it (errors reading the file pass through). */
export function readTrustList(path: string): TrustList {
  return parseTrustList(readFileSync(path, 'utf8'), path);
}

/** A trust list from the text of the file at `path`, or a KeyStoreError saying why it is not one. */
export function parseTrustList(text: string, path: string): TrustList {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new KeyStoreError(`the trust list ${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = TrustList.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new KeyStoreError(`${path} is not a trust list: ${first ? `${first.path.join('.') || '(top)'}: ${first.message}` : 'invalid'}`);
  }
  return parsed.data;
}

/**
 * Write a file so that a reader (or a start after a crash) sees the old content or the new, never a
 * part: the bytes go to a temporary file, are flushed to disk, and are renamed into place, and the
 * folder is flushed so the rename survives a power cut.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

export type SignerCheck = { ok: true; key: TrustedKey } | { ok: false; why: string };

/** May this key vouch for a package created at `createdAt`? */
export function checkSigner(trust: TrustList, keyId: string, createdAt: string): SignerCheck {
  const key = trust.keys.find((k) => k.keyId === keyId);
  if (!key) return { ok: false, why: `key ${keyId} is not trusted by this station` };
  if (key.status === 'revoked') return { ok: false, why: `key ${keyId} was revoked` };
  if (key.status === 'retired' && key.retiredAt && Date.parse(createdAt) > Date.parse(key.retiredAt)) {
    return { ok: false, why: `key ${keyId} was retired before the package was made` };
  }
  return { ok: true, key };
}

export function publicKeyOf(key: TrustedKey): KeyObject {
  return createPublicKey({ key: Buffer.from(key.publicKey, 'base64'), format: 'der', type: 'spki' });
}

export function verifySignature(key: TrustedKey, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, data, publicKeyOf(key), signature);
  } catch {
    // A malformed signature or key is a failed verification, reported by the caller as such.
    return false;
  }
}

export interface SigningKey {
  keyId: string;
  privateKey: KeyObject;
}

export function signBytes(key: SigningKey, data: Uint8Array): Buffer {
  return sign(null, data, key.privateKey);
}

/** The signing key folder of the exam centre: `<keyId>.pem` files and the trust list. */
export class SigningKeyStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  get trustPath(): string {
    return join(this.dir, TRUST_FILE);
  }

  trust(): TrustList {
    return existsSync(this.trustPath) ? readTrustList(this.trustPath) : { formatVersion: 1, keys: [] };
  }

  /**
   * Make a new active key. Earlier active keys are retired (rotation); they keep verifying older
   * packages. The private key is written first and the trust list second: a key file without its
   * trust entry is what a generation cut off in between leaves, was never used to sign anything
   * (signingKey needs the entry), and is replaced by the next generation of that name.
   */
  generate(keyId = `exam-${new Date().toISOString().slice(0, 10)}-${Math.random().toString(36).slice(2, 8)}`, note?: string): TrustedKey {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(keyId)) throw new KeyStoreError(`a key id is letters, digits, dot, dash and underscore (got ${keyId})`);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const trust = this.trust();
    if (trust.keys.some((k) => k.keyId === keyId)) throw new KeyStoreError(`a key named ${keyId} already exists`);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeFileAtomic(join(this.dir, `${keyId}.pem`), privateKey.export({ format: 'pem', type: 'pkcs8' }), 0o600);
    const now = new Date().toISOString();
    const keys = trust.keys.map((k) => (k.status === 'active' ? { ...k, status: 'retired' as const, retiredAt: now } : k));
    const entry: TrustedKey = {
      keyId,
      publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      status: 'active',
      createdAt: now,
      ...(note ? { note } : {}),
    };
    writeFileAtomic(this.trustPath, `${JSON.stringify({ formatVersion: 1, keys: [...keys, entry] }, null, 2)}\n`);
    return entry;
  }

  revoke(keyId: string): TrustedKey {
    const trust = this.trust();
    const key = trust.keys.find((k) => k.keyId === keyId);
    if (!key) throw new KeyStoreError(`no key named ${keyId}`);
    const revoked: TrustedKey = { ...key, status: 'revoked', revokedAt: new Date().toISOString() };
    writeFileAtomic(this.trustPath, `${JSON.stringify({ formatVersion: 1, keys: trust.keys.map((k) => (k.keyId === keyId ? revoked : k)) }, null, 2)}\n`);
    return revoked;
  }

  /** The key to sign with: the named one, or the one active key. */
  signingKey(keyId?: string): SigningKey {
    const trust = this.trust();
    const entry = keyId ? trust.keys.find((k) => k.keyId === keyId) : trust.keys.find((k) => k.status === 'active');
    if (!entry) throw new KeyStoreError(keyId ? `no key named ${keyId} in ${this.dir}` : `no active signing key in ${this.dir}; run: npm run keys -- generate --dir ${this.dir}`);
    if (entry.status !== 'active') throw new KeyStoreError(`key ${entry.keyId} is ${entry.status}; sign with the active key`);
    return { keyId: entry.keyId, privateKey: createPrivateKey(readFileSync(join(this.dir, `${entry.keyId}.pem`))) };
  }
}
