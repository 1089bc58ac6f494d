// The USB transfer file (`.estransfer`): what a venue hub with no network carries to the centre. One
// file per export. Layout:
//
//   "EXSTXFR" + layout digit ("1")  u32 header length  header (UTF-8 JSON)
//   frames: u8 kind (0 data, 1 final)  u32 plaintext length  AES-256-GCM ciphertext  16-byte tag
//
// The header says, in the clear, who wrote it and to whom (format version, the keyId of the centre's
// transfer key, device id, venue code, created at, an ephemeral X25519 public key, the frame size).
// The frame key is HKDF-SHA256 over X25519(ephemeral, centre) with the header's SHA-256 as salt, so
// it is bound to every header byte. Each frame's nonce is its index; its associated data is the header
// hash, the index and the final flag, so a frame moved, swapped, dropped, taken from another file or
// cut off is detected, and a file without its final frame is truncated.
// The data frames carry the plaintext: u32 length, the contents JSON (TransferContents), then each
// recording's audio in the order the JSON lists them. The final frame carries the device's Ed25519
// signature over the header hash and the plaintext's SHA-256: anyone can encrypt to the centre's
// public key, only the device can sign, and a reader believes nothing before that signature checks.
import { createCipheriv, createDecipheriv, createHash, diffieHellman, hkdfSync, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { EventEnvelope } from '../../contracts/events.ts';
import { TransferError } from '../../errors.ts';

export const TRANSFER_FORMAT_VERSION = 1;
export const TRANSFER_EXTENSION = '.estransfer';
const MAGIC_STEM = Buffer.from('EXSTXFR', 'ascii');
export const MAGIC = Buffer.concat([MAGIC_STEM, Buffer.from(String(TRANSFER_FORMAT_VERSION), 'ascii')]);
const MAX_HEADER_BYTES = 16 * 1024;
/** Data frames carry at most this much plaintext (the header says what its writer used). */
export const DEFAULT_FRAME_BYTES = 1024 * 1024;
const MIN_FRAME_BYTES = 4 * 1024;
const MAX_FRAME_BYTES = 16 * 1024 * 1024;
export const FRAME_HEAD_BYTES = 5;
export const TAG_BYTES = 16;
export const SIGNATURE_BYTES = 64;
export const FRAME_DATA = 0;
export const FRAME_FINAL = 1;
/** The contents JSON is held in memory to be read; events of a venue's sessions are far below this. */
export const MAX_CONTENTS_BYTES = 256 * 1024 * 1024;
const KEY_INFO = Buffer.from('exam-station/transfer/v1/frames', 'utf8');
const SIGNATURE_CONTEXT = Buffer.from('EXAMSTATION-TRANSFER-V1\n', 'utf8');

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const TransferHeader = z
  .object({
    formatVersion: z.literal(TRANSFER_FORMAT_VERSION),
    /** Of the centre's transfer key the frames are encrypted to (GET /v1/transfer-keys). */
    keyId: z.string().min(1).max(64),
    deviceId: z.string().min(1).max(64),
    venueCode: z.string().min(1).max(32),
    createdAt: z.iso.datetime(),
    /** X25519 SubjectPublicKeyInfo, DER, base64. */
    ephemeralPublicKey: z.string().min(1).max(200),
    frameBytes: z.number().int().min(MIN_FRAME_BYTES).max(MAX_FRAME_BYTES),
  })
  .strict();
export type TransferHeader = z.infer<typeof TransferHeader>;

export const TransferRecording = z
  .object({
    recordingId: z.uuid(),
    sha256: sha256Hex,
    bytes: z.number().int().min(1),
    mimeType: z.string().min(1).max(100),
  })
  .strict();
export type TransferRecording = z.infer<typeof TransferRecording>;

/** The plaintext's JSON part: the device's own push stream from what the centre has not acknowledged, and the audio that follows. */
export const TransferContents = z
  .object({
    formatVersion: z.literal(TRANSFER_FORMAT_VERSION),
    deviceId: z.string().min(1).max(64),
    venueCode: z.string().min(1).max(32),
    createdAt: z.iso.datetime(),
    sessions: z.array(z.string().min(1).max(64)),
    /** Exactly what POST /v1/push would carry: consecutive seqs of the device's own stream. */
    events: z.array(EventEnvelope),
    recordings: z.array(TransferRecording),
  })
  .strict()
  .superRefine((contents, ctx) => {
    const seen = new Set<string>();
    for (const [index, recording] of contents.recordings.entries()) {
      if (seen.has(recording.recordingId)) ctx.addIssue({ code: 'custom', path: ['recordings', index, 'recordingId'], message: 'listed twice' });
      seen.add(recording.recordingId);
    }
    for (const [index, event] of contents.events.entries()) {
      const first = contents.events[0]!.seq;
      if (event.seq !== first + index) {
        ctx.addIssue({ code: 'custom', path: ['events', index, 'seq'], message: `expected ${first + index}: the events are not consecutive` });
        break;
      }
    }
  });
export type TransferContents = z.infer<typeof TransferContents>;

export function issuesOf(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.')}: ${i.message}`)
    .join('; ');
}

export function encodeHeader(header: TransferHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, length, json]);
}

/** The header from the first bytes of a file: `readExactly(n)` returns up to n bytes (fewer at the end). */
export async function decodeHeader(readExactly: (n: number) => Promise<Buffer>): Promise<{ header: TransferHeader; bytes: Buffer }> {
  const start = await readExactly(MAGIC.length + 4);
  if (start.length < MAGIC_STEM.length || !start.subarray(0, MAGIC_STEM.length).equals(MAGIC_STEM)) throw new TransferError('TRANSFER_FORMAT', 'not an Exam Station transfer file (bad magic)');
  if (start.length < MAGIC.length + 4) throw new TransferError('TRANSFER_TRUNCATED', 'the file ends inside its header');
  const digit = start.subarray(MAGIC_STEM.length, MAGIC.length).toString('latin1');
  if (!/^[0-9]$/.test(digit)) throw new TransferError('TRANSFER_FORMAT', 'the layout digit is not a digit');
  if (Number(digit) > TRANSFER_FORMAT_VERSION) throw new TransferError('TRANSFER_FORMAT_TOO_NEW', `transfer layout ${digit}; this program reads ${TRANSFER_FORMAT_VERSION}`);
  if (Number(digit) !== TRANSFER_FORMAT_VERSION) throw new TransferError('TRANSFER_FORMAT', `transfer layout ${digit} is not supported`);
  const length = start.readUInt32BE(MAGIC.length);
  if (length === 0 || length > MAX_HEADER_BYTES) throw new TransferError('TRANSFER_FORMAT', `header length ${length} is out of range`);
  const json = await readExactly(length);
  if (json.length < length) throw new TransferError('TRANSFER_TRUNCATED', 'the file ends inside its header');
  let raw: unknown;
  try {
    raw = JSON.parse(json.toString('utf8'));
  } catch {
    throw new TransferError('TRANSFER_FORMAT', 'the header is not JSON');
  }
  const version = typeof raw === 'object' && raw !== null && 'formatVersion' in raw ? raw.formatVersion : undefined;
  if (typeof version === 'number' && version > TRANSFER_FORMAT_VERSION) throw new TransferError('TRANSFER_FORMAT_TOO_NEW', `transfer format ${version}`);
  const parsed = TransferHeader.safeParse(raw);
  if (!parsed.success) throw new TransferError('TRANSFER_FORMAT', `header: ${issuesOf(parsed.error)}`);
  return { header: parsed.data, bytes: Buffer.concat([start, json]) };
}

/** The frame key: HKDF-SHA256 over the X25519 secret, salted with the header's hash (which holds the ephemeral key). */
export function frameKey(privateKey: KeyObject, publicKey: KeyObject, headerHash: Buffer): Buffer {
  const secret = diffieHellman({ privateKey, publicKey });
  return Buffer.from(hkdfSync('sha256', secret, headerHash, KEY_INFO, 32));
}

function nonceOf(index: number): Buffer {
  const nonce = Buffer.alloc(12);
  nonce.writeBigUInt64BE(BigInt(index), 4);
  return nonce;
}

function aadOf(headerHash: Buffer, index: number, final: boolean): Buffer {
  const aad = Buffer.alloc(headerHash.length + 9);
  headerHash.copy(aad, 0);
  aad.writeBigUInt64BE(BigInt(index), headerHash.length);
  aad.writeUInt8(final ? 1 : 0, headerHash.length + 8);
  return aad;
}

/** One frame as written: kind, length, ciphertext, tag. */
export function sealFrame(key: Buffer, headerHash: Buffer, index: number, final: boolean, plain: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonceOf(index));
  cipher.setAAD(aadOf(headerHash, index, final));
  const head = Buffer.alloc(FRAME_HEAD_BYTES);
  head.writeUInt8(final ? FRAME_FINAL : FRAME_DATA, 0);
  head.writeUInt32BE(plain.length, 1);
  return Buffer.concat([head, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** Decrypt and authenticate frame `index` (its body: ciphertext and tag); a wrong, moved or foreign frame fails. */
export function openFrame(key: Buffer, headerHash: Buffer, index: number, final: boolean, body: Buffer): Buffer {
  const plainLength = body.length - TAG_BYTES;
  const decipher = createDecipheriv('aes-256-gcm', key, nonceOf(index));
  decipher.setAAD(aadOf(headerHash, index, final));
  decipher.setAuthTag(body.subarray(plainLength));
  try {
    const plain = decipher.update(body.subarray(0, plainLength));
    decipher.final();
    return plain;
  } catch (error) {
    throw new TransferError('TRANSFER_TAMPERED', `frame ${index} fails its authentication: altered, moved or from another file`, { cause: error });
  }
}

/** What the device signs: the header hash and the SHA-256 of the whole plaintext. */
export function signedMessage(headerHash: Buffer, plaintextSha256: Buffer): Buffer {
  return Buffer.concat([SIGNATURE_CONTEXT, headerHash, plaintextSha256]);
}

export const sha256 = (data: Uint8Array): Buffer => createHash('sha256').update(data).digest();
