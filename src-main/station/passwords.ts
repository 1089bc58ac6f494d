// Staff secrets at rest: passwords and PINs kept only as scrypt hashes, each with its own salt and the
// parameters it was made with (`$scrypt$ln=17,r=8,p=1$salt$hash`), so the cost can be raised later
// and older hashes still check (and are made again at the next sign-in). Hashing runs on libuv's
// thread pool, never on the thread that answers the candidates' saves. Also the shipped list of
// common passwords (assets/passwords), read once per file.
import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { StationError } from '../../src-shared/errors.ts';

export interface ScryptParams {
  /** log2 of the cost N. */
  ln: number;
  r: number;
  p: number;
}

/** OWASP's minimum for scrypt (N = 2^17, r = 8, p = 1): about 0.7 s and 128 MiB per hash on a 2-core machine. */
export const PASSWORD_HASH_PARAMS: ScryptParams = { ln: 17, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

function options(params: ScryptParams): ScryptOptions {
  const N = 2 ** params.ln;
  return { N, r: params.r, p: params.p, maxmem: 256 * N * params.r + 1024 * 1024 };
}

function encode(params: ScryptParams, salt: Buffer, key: Buffer): string {
  return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function decode(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } {
  const match = FORMAT.exec(stored);
  if (!match) throw new Error('not a scrypt hash of this station');
  const params = { ln: Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  if (params.ln < 10 || params.ln > 22 || params.r < 1 || params.r > 32 || params.p < 1 || params.p > 16) throw new Error('scrypt parameters out of range');
  return { params, salt: Buffer.from(match[4]!, 'base64'), key: Buffer.from(match[5]!, 'base64') };
}

const derive = (secret: string, salt: Buffer, params: ScryptParams): Promise<Buffer> =>
  new Promise((resolve, reject) => scrypt(secret.normalize('NFC'), salt, KEY_BYTES, options(params), (error, key) => (error ? reject(error) : resolve(key))));

export async function hashSecret(secret: string, params: ScryptParams = PASSWORD_HASH_PARAMS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  return encode(params, salt, await derive(secret, salt, params));
}

/** For the first chief made while the station opens, before it answers anyone. */
export function hashSecretSync(secret: string, params: ScryptParams = PASSWORD_HASH_PARAMS): string {
  const salt = randomBytes(SALT_BYTES);
  return encode(params, salt, scryptSync(secret.normalize('NFC'), salt, KEY_BYTES, options(params)));
}

/** Whether `secret` is the one `stored` was made from; compared in constant time. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const { params, salt, key } = decode(stored);
  const given = await derive(secret, salt, params);
  return given.length === key.length && timingSafeEqual(given, key);
}

/** Spend what a verification costs, for a username that does not exist: the answer takes as long. */
export async function spendVerification(secret: string, params: ScryptParams = PASSWORD_HASH_PARAMS): Promise<false> {
  await derive(secret, randomBytes(SALT_BYTES), params);
  return false;
}

/** Whether `stored` was made with parameters cheaper than `params` (it is made again at the next sign-in). */
export function isWeakerThan(stored: string, params: ScryptParams): boolean {
  const made = decode(stored).params;
  return made.ln < params.ln || made.r < params.r || made.p < params.p;
}

export const COMMON_PASSWORDS_FILE = join('passwords', 'common-passwords.txt');

/** The shipped list in the source tree, for stations opened without a configuration (tests, tools). */
export const SOURCE_COMMON_PASSWORDS = join(import.meta.dirname, '..', '..', 'assets', COMMON_PASSWORDS_FILE);

export interface CommonPasswords {
  size: number;
  /** `lowerCased` is the password in lower case; the list is in lower case. */
  has(lowerCased: string): boolean;
}

const loaded = new Map<string, CommonPasswords>();

/** The list of common passwords in `file` (one a line); a missing or empty file stops the start. */
export function loadCommonPasswords(file: string): CommonPasswords {
  let list = loaded.get(file);
  if (!list) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new StationError('CONFIG_INVALID', `the list of common passwords ${file} could not be read: ${(error as Error).message}`, { cause: error });
    }
    const words = new Set(text.split('\n').map((line) => line.normalize('NFC').toLowerCase()).filter((line) => line !== ''));
    if (words.size < 1000) throw new StationError('CONFIG_INVALID', `the list of common passwords ${file} holds ${words.size} entries: it is not the shipped list`);
    list = { size: words.size, has: (lowerCased) => words.has(lowerCased) };
    loaded.set(file, list);
  }
  return list;
}
