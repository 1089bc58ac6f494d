// Writing a USB transfer file (format.ts) at the venue hub: the contents JSON and each recording's
// audio are streamed through the frames into a temporary name in the chosen folder, the device signs
// the header and the plaintext's hash, and the finished file is made durable and renamed into place.
// The audio is never held whole in memory; a recording whose bytes do not match what its close said
// stops the export (nothing is left in the folder).
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { EventEnvelope } from '../../contracts/events.ts';
import { TransferError } from '../../errors.ts';
import { publicKeyFromBase64 } from '../request-signing.ts';
import {
  DEFAULT_FRAME_BYTES,
  encodeHeader,
  frameKey,
  issuesOf,
  sealFrame,
  sha256,
  signedMessage,
  TRANSFER_EXTENSION,
  TRANSFER_FORMAT_VERSION,
  TransferContents,
  type TransferHeader,
  type TransferRecording,
} from './format.ts';

export interface TransferRecordingSource extends TransferRecording {
  /** The audio: a stream of exactly `bytes` bytes, or the path of the file holding them. */
  open(): Readable | string;
}

export interface WriteTransferOptions {
  /** The chosen folder (a USB stick); the file appears there only when it is complete. */
  folder: string;
  deviceId: string;
  venueCode: string;
  /** The hub's Ed25519 device key (the one it signs central API requests with). */
  signingKey: KeyObject;
  /** The centre's transfer key, from GET /v1/transfer-keys (publicKey: SPKI DER base64, or a KeyObject). */
  central: { keyId: string; publicKey: KeyObject | string };
  /** The sessions the export covers (for the people who carry and import it). */
  sessions: string[];
  /** The device's own push stream from acked_seq + 1: consecutive seqs, exactly what POST /v1/push would carry. */
  events: EventEnvelope[];
  recordings: TransferRecordingSource[];
  /** Default: now. */
  createdAt?: Date;
  /** Default `<venue>-<created at>-<device>.estransfer`. */
  fileName?: string;
  /** Plaintext per data frame (default 1 MiB). */
  frameBytes?: number;
}

export interface WrittenTransfer {
  file: string;
  bytes: number;
  /** SHA-256 (hex) of the whole file. */
  sha256: string;
}

/** Frames out to the file: plaintext is gathered into frames of `frameBytes`, each sealed and written in order. */
class FrameSink {
  private readonly pending: Buffer;
  private filled = 0;
  private index = 0;
  private readonly plainHash = createHash('sha256');
  readonly fileHash = createHash('sha256');
  written = 0;

  private readonly handle: FileHandle;
  private readonly key: Buffer;
  private readonly headerHash: Buffer;

  constructor(handle: FileHandle, key: Buffer, headerHash: Buffer, frameBytes: number) {
    this.handle = handle;
    this.key = key;
    this.headerHash = headerHash;
    this.pending = Buffer.alloc(frameBytes);
  }

  async raw(bytes: Buffer): Promise<void> {
    this.fileHash.update(bytes);
    let at = 0;
    while (at < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, at, bytes.length - at, this.written);
      at += bytesWritten;
      this.written += bytesWritten;
    }
  }

  async plain(data: Buffer): Promise<void> {
    this.plainHash.update(data);
    let at = 0;
    while (at < data.length) {
      const take = Math.min(data.length - at, this.pending.length - this.filled);
      data.copy(this.pending, this.filled, at, at + take);
      this.filled += take;
      at += take;
      if (this.filled === this.pending.length) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    if (this.filled === 0) return;
    await this.raw(sealFrame(this.key, this.headerHash, this.index, false, this.pending.subarray(0, this.filled)));
    this.index += 1;
    this.filled = 0;
  }

  /** The last data frame, then the final frame with the signature over the header and the plaintext. */
  async finish(signingKey: KeyObject): Promise<void> {
    await this.flush();
    const signature = sign(null, signedMessage(this.headerHash, this.plainHash.digest()), signingKey);
    await this.raw(sealFrame(this.key, this.headerHash, this.index, true, signature));
  }
}

const compactTime = (at: Date): string => at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

/** fsync a folder so the rename into it survives a power cut (or pulling the stick). */
async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch (error) {
    // Windows cannot open or sync a folder; the file itself was synced before the rename.
    const code = (error as NodeJS.ErrnoException).code;
    if (process.platform !== 'win32' || (code !== 'EPERM' && code !== 'EISDIR' && code !== 'EINVAL')) throw error;
  } finally {
    await handle?.close();
  }
}

/** Write one export. Resolves once the file is complete, synced and renamed into `folder`. */
export async function writeTransfer(options: WriteTransferOptions): Promise<WrittenTransfer> {
  const createdAt = (options.createdAt ?? new Date()).toISOString();
  const contentsCheck = TransferContents.safeParse({
    formatVersion: TRANSFER_FORMAT_VERSION,
    deviceId: options.deviceId,
    venueCode: options.venueCode,
    createdAt,
    sessions: options.sessions,
    events: options.events,
    recordings: options.recordings.map(({ recordingId, sha256: hash, bytes, mimeType }) => ({ recordingId, sha256: hash, bytes, mimeType })),
  });
  if (!contentsCheck.success) throw new TransferError('TRANSFER_FORMAT', `the export's contents: ${issuesOf(contentsCheck.error)}`);
  const contents = contentsCheck.data;

  const centralKey = typeof options.central.publicKey === 'string' ? publicKeyFromBase64(options.central.publicKey) : options.central.publicKey;
  if (centralKey.asymmetricKeyType !== 'x25519') throw new TransferError('TRANSFER_FORMAT', `the centre's transfer key is ${centralKey.asymmetricKeyType ?? 'not an asymmetric key'}, not X25519`);
  if (createPublicKey(options.signingKey).asymmetricKeyType !== 'ed25519') throw new TransferError('TRANSFER_FORMAT', 'the device signing key is not Ed25519');
  const ephemeral = generateKeyPairSync('x25519');
  const header: TransferHeader = {
    formatVersion: TRANSFER_FORMAT_VERSION,
    keyId: options.central.keyId,
    deviceId: options.deviceId,
    venueCode: options.venueCode,
    createdAt,
    ephemeralPublicKey: ephemeral.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    frameBytes: options.frameBytes ?? DEFAULT_FRAME_BYTES,
  };
  const headerBytes = encodeHeader(header);
  const headerHash = sha256(headerBytes);
  const key = frameKey(ephemeral.privateKey, centralKey, headerHash);

  const name = options.fileName ?? `${options.venueCode}-${compactTime(new Date(createdAt))}-${options.deviceId.slice(0, 8)}${TRANSFER_EXTENSION}`;
  if (name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new TransferError('TRANSFER_FORMAT', `not a file name: ${name}`);
  const file = join(options.folder, name);
  const temp = join(options.folder, `.${name}.${randomBytes(6).toString('hex')}.partial`);
  const handle = await open(temp, 'wx');
  let sink: FrameSink;
  try {
    sink = new FrameSink(handle, key, headerHash, header.frameBytes);
    await sink.raw(headerBytes);
    const json = Buffer.from(JSON.stringify(contents), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(json.length);
    await sink.plain(length);
    await sink.plain(json);
    for (const recording of options.recordings) await streamRecording(sink, recording);
    await sink.finish(options.signingKey);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await syncFolder(options.folder);
  return { file, bytes: sink.written, sha256: sink.fileHash.digest('hex') };
}

/** One recording's audio into the frames, checked against what its close said as it passes. */
async function streamRecording(sink: FrameSink, recording: TransferRecordingSource): Promise<void> {
  const opened = recording.open();
  const source = typeof opened === 'string' ? createReadStream(opened) : opened;
  const hash = createHash('sha256');
  let count = 0;
  const mismatch = (why: string): TransferError => new TransferError('TRANSFER_SOURCE_MISMATCH', `recording ${recording.recordingId}: ${why}`);
  try {
    for await (const chunk of source) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
      count += bytes.length;
      if (count > recording.bytes) throw mismatch(`more than the ${recording.bytes} bytes it was closed with`);
      hash.update(bytes);
      await sink.plain(bytes);
    }
  } finally {
    source.destroy();
  }
  if (count !== recording.bytes) throw mismatch(`${count} bytes, closed with ${recording.bytes}`);
  const got = hash.digest('hex');
  if (got !== recording.sha256) throw mismatch(`SHA-256 ${got}, closed with ${recording.sha256}`);
}
