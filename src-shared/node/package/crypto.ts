// Package encryption: AES-256-GCM over fixed-size chunks, each with its own nonce (prefix + index)
// and the package id, chunk index and a final-chunk flag in the associated data, so chunks cannot be
// reordered, dropped or moved between packages. The content key is what the exam centre releases at
// the start time; it is typed by a person, so it is written in groups of base32 with a checksum.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { PackageError } from '../../errors.ts';

export const KEY_BYTES = 32;
const TAG_BYTES = 16;
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32: no I, L, O, U.

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function generateContentKey(): Buffer {
  return randomBytes(KEY_BYTES);
}

/**
 * GF(32) arithmetic (polynomial x^5 + x^2 + 1) for the key's check symbol: a weighted sum with a
 * different non-zero weight per position changes under every single-symbol substitution and every
 * swap of two different neighbours, which an 8-bit hash cannot promise.
 */
const GF_EXP: number[] = [];
const GF_LOG: number[] = new Array<number>(32).fill(0);
for (let i = 0, x = 1; i < 31; i += 1) {
  GF_EXP[i] = x;
  GF_LOG[x] = i;
  x <<= 1;
  if (x & 32) x ^= 0b100101;
}
const gfMul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : GF_EXP[(GF_LOG[a]! + GF_LOG[b]!) % 31]!);

/** The check symbol over the data symbols: XOR of symbol · α^(i mod 31), position i from 0. */
function checkSymbol(symbols: readonly number[]): number {
  let check = 0;
  symbols.forEach((symbol, i) => {
    // Weights repeat after 31 positions: every weight is non-zero (single substitutions) and any two
    // neighbours' weights differ (swaps), which is all the check needs.
    check ^= gfMul(symbol, GF_EXP[i % 31]!);
  });
  return check;
}

/** 256 key bits in 52 symbols (the 4 spare bits zero), then one check symbol. */
const DATA_SYMBOLS = 52;

/**
 * The content key as a person types it: 53 base32 characters in groups of four. The first 52 carry
 * the 32 key bytes (the 4 bits left over are zero and checked), the last is a check symbol, so every
 * single mistyped character, and every swap of two neighbours, is caught before any decryption.
 */
export function formatContentKey(key: Buffer): string {
  if (key.length !== KEY_BYTES) throw new Error(`a content key is ${KEY_BYTES} bytes`);
  const symbols: number[] = [];
  let bits = 0;
  let value = 0;
  for (const byte of key) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      symbols.push((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  symbols.push((value << (5 - bits)) & 31);
  symbols.push(checkSymbol(symbols));
  return symbols
    .map((v) => ALPHABET[v])
    .join('')
    .match(/.{1,4}/g)!
    .join('-');
}

export function parseContentKey(typed: string): Buffer {
  const clean = typed
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (clean.length !== DATA_SYMBOLS + 1 || [...clean].some((c) => !ALPHABET.includes(c))) throw new PackageError('KEY_MALFORMED', 'expected 53 base32 characters');
  const symbols = [...clean].map((c) => ALPHABET.indexOf(c));
  const data = symbols.slice(0, DATA_SYMBOLS);
  // The spare bits of the last data symbol are part of the check: they must be zero.
  if ((data[DATA_SYMBOLS - 1]! & 0b1111) !== 0 || checkSymbol(data) !== symbols[DATA_SYMBOLS]) throw new PackageError('KEY_MALFORMED', 'a character is mistyped (the check does not match)');
  let bits = 0;
  let value = 0;
  const bytes: number[] = [];
  for (const symbol of data) {
    value = (value << 5) | symbol;
    bits += 5;
    if (bits >= 8) {
      bytes.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Buffer.from(bytes.slice(0, KEY_BYTES));
}

function derive(key: Buffer, packageId: string, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.from(packageId, 'utf8'), Buffer.from(`exam-station/${purpose}`, 'utf8'), 32));
}

export function keyCheckValue(key: Buffer, packageId: string): Buffer {
  return createHmac('sha256', derive(key, packageId, 'key-check')).update('key-check').digest().subarray(0, 16);
}

function nonce(prefix: Buffer, index: number): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0, 0, 8);
  n.writeUInt32BE(index, 8);
  return n;
}

function aad(packageId: string, index: number, final: boolean): Buffer {
  return Buffer.from(`${packageId}:${index}:${final ? 1 : 0}`, 'utf8');
}

export function chunkCount(plainSize: number, chunkSize: number): number {
  return Math.max(1, Math.ceil(plainSize / chunkSize));
}

export function encryptContent(plain: Buffer, key: Buffer, packageId: string, noncePrefix: Buffer, chunkSize: number): Buffer {
  const contentKey = derive(key, packageId, 'content');
  const count = chunkCount(plain.length, chunkSize);
  const frames: Buffer[] = [];
  for (let i = 0; i < count; i += 1) {
    const cipher = createCipheriv('aes-256-gcm', contentKey, nonce(noncePrefix, i));
    cipher.setAAD(aad(packageId, i, i === count - 1));
    frames.push(cipher.update(plain.subarray(i * chunkSize, (i + 1) * chunkSize)), cipher.final(), cipher.getAuthTag());
  }
  return Buffer.concat(frames);
}

export interface CipherParams {
  packageId: string;
  noncePrefix: Buffer;
  chunkSize: number;
  chunkCount: number;
  plainSize: number;
  keyCheck: Buffer;
}

/** The sizes of the ciphertext frames the manifest promises: each chunk's plaintext plus its tag. */
export function frameLayout(params: CipherParams): { frameBytes: (index: number) => number; ciphertextSize: number } {
  const expectedCount = chunkCount(params.plainSize, params.chunkSize);
  if (expectedCount !== params.chunkCount) throw new PackageError('PACKAGE_CONTENT_ALTERED', 'the chunk count does not match the content size');
  const plainOf = (i: number): number => Math.min(params.chunkSize, params.plainSize - i * params.chunkSize);
  return { frameBytes: (i) => plainOf(i) + TAG_BYTES, ciphertextSize: params.plainSize + params.chunkCount * TAG_BYTES };
}

/** Check the typed key against the manifest's key check and derive the content key from it. */
export function contentKeyFor(key: Buffer, params: CipherParams): Buffer {
  const check = keyCheckValue(key, params.packageId);
  if (check.length !== params.keyCheck.length || !timingSafeEqual(check, params.keyCheck)) throw new PackageError('KEY_WRONG');
  return derive(key, params.packageId, 'content');
}

/** Decrypt and authenticate one frame (chunk `index`); a wrong or moved frame fails its tag. */
export function decryptFrame(contentKey: Buffer, params: CipherParams, index: number, frame: Buffer): Buffer {
  const plainLength = frame.length - TAG_BYTES;
  if (index < 0 || index >= params.chunkCount || plainLength !== Math.min(params.chunkSize, params.plainSize - index * params.chunkSize)) {
    throw new PackageError('PACKAGE_CONTENT_ALTERED', `chunk ${index} has the wrong size`);
  }
  const decipher = createDecipheriv('aes-256-gcm', contentKey, nonce(params.noncePrefix, index));
  decipher.setAAD(aad(params.packageId, index, index === params.chunkCount - 1));
  decipher.setAuthTag(frame.subarray(plainLength));
  try {
    const out = decipher.update(frame.subarray(0, plainLength));
    decipher.final();
    return out;
  } catch (error) {
    throw new PackageError('PACKAGE_CONTENT_ALTERED', `chunk ${index} failed authentication`, { cause: error });
  }
}

/** Decrypt and authenticate every chunk of a whole ciphertext. A wrong key and altered content are told apart by the key check. */
export function decryptContent(ciphertext: Buffer, key: Buffer, params: CipherParams): Buffer {
  const contentKey = contentKeyFor(key, params);
  const layout = frameLayout(params);
  if (ciphertext.length !== layout.ciphertextSize) throw new PackageError('PACKAGE_CONTENT_ALTERED', 'ciphertext length does not match the manifest');
  const out = Buffer.alloc(params.plainSize);
  let at = 0;
  for (let i = 0; i < params.chunkCount; i += 1) {
    const size = layout.frameBytes(i);
    decryptFrame(contentKey, params, i, ciphertext.subarray(at, at + size)).copy(out, i * params.chunkSize);
    at += size;
  }
  return out;
}
