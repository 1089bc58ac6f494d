// Opening a USB transfer file (format.ts) at the centre: the header is read, the frames decrypted in
// order as they are read (nothing is held whole), the contents JSON parsed, each recording's audio
// handed to a receiver (by default a temp file) as it is decrypted, and at the end the device's
// signature over the header and the whole plaintext is checked. openTransfer resolves only when all
// of it passed; until then nothing it produced may be used, and on any refusal the temp files it made
// are gone. The receiver's own writes (the central API puts audio straight into upload parts) are the
// caller's to discard.
import { createHash, verify, type KeyObject } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, open, rm, stat, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { TransferError } from '../../errors.ts';
import { publicKeyFromBase64 } from '../request-signing.ts';
import {
  decodeHeader,
  FRAME_DATA,
  FRAME_FINAL,
  FRAME_HEAD_BYTES,
  frameKey,
  issuesOf,
  MAX_CONTENTS_BYTES,
  openFrame,
  sha256,
  SIGNATURE_BYTES,
  signedMessage,
  TAG_BYTES,
  TransferContents,
  type TransferHeader,
  type TransferRecording,
} from './format.ts';

export interface TransferKeys {
  /** The centre's X25519 private key of this keyId, or undefined when the centre has no such key. */
  centralPrivateKey(keyId: string): KeyObject | undefined;
  /**
   * The Ed25519 public key of the device that says it wrote the file, or undefined when it is not
   * known. May throw (a TransferError TRANSFER_FOREIGN) for a device that is revoked or of another venue.
   */
  devicePublicKey(header: TransferHeader): Promise<KeyObject | undefined> | KeyObject | undefined;
}

export interface OpenTransferOptions extends TransferKeys {
  /**
   * Where each recording's audio goes as it is decrypted: read `audio` to its end (exactly
   * `recording.bytes` bytes). Default: a temp file under `tempDir`, listed in `audioFiles`.
   */
  receiveAudio?: (recording: TransferRecording, audio: Readable) => Promise<void>;
  /** Parent of the default receiver's temp folder (default the OS temp folder). */
  tempDir?: string;
}

export interface OpenedTransfer {
  header: TransferHeader;
  contents: TransferContents;
  /** SHA-256 (hex) of the whole file and of the plaintext the device signed. */
  fileSha256: string;
  plaintextSha256: string;
  fileBytes: number;
  /** With the default receiver: recording id → temp file holding its verified audio. */
  audioFiles: Map<string, string>;
  /** Remove the default receiver's temp files. */
  dispose(): Promise<void>;
}

/** Decrypted plaintext, pulled frame by frame from the file. */
class PlainCursor {
  private position = 0;
  private index = 0;
  private buffered: Buffer = Buffer.alloc(0);
  private finalBody: Buffer | undefined;
  readonly plainHash = createHash('sha256');
  readonly fileHash = createHash('sha256');
  /** A refusal met while a receiver was reading (a receiver may report it as a mere broken stream). */
  failure: unknown;

  private readonly handle: FileHandle;
  private readonly fileSize: number;
  private readonly key: Buffer;
  private readonly headerHash: Buffer;
  private readonly frameBytes: number;

  constructor(handle: FileHandle, fileSize: number, key: Buffer, headerHash: Buffer, frameBytes: number, start: number) {
    this.handle = handle;
    this.fileSize = fileSize;
    this.key = key;
    this.headerHash = headerHash;
    this.frameBytes = frameBytes;
    this.position = start;
  }

  private async readRaw(length: number): Promise<Buffer> {
    const out = Buffer.alloc(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await this.handle.read(out, got, length - got, this.position);
      if (bytesRead === 0) break;
      got += bytesRead;
      this.position += bytesRead;
    }
    this.fileHash.update(out.subarray(0, got));
    return out.subarray(0, got);
  }

  /** The next frame: data into the buffer, or the final frame kept aside. False once the final frame was read. */
  private async nextFrame(): Promise<boolean> {
    if (this.finalBody) return false;
    if (this.position === this.fileSize) throw new TransferError('TRANSFER_TRUNCATED', `the file ends after frame ${this.index - 1} without its final frame`);
    const head = await this.readRaw(FRAME_HEAD_BYTES);
    if (head.length < FRAME_HEAD_BYTES) throw new TransferError('TRANSFER_TRUNCATED', `the file ends inside frame ${this.index}`);
    const kind = head.readUInt8(0);
    const length = head.readUInt32BE(1);
    if (kind !== FRAME_DATA && kind !== FRAME_FINAL) throw new TransferError('TRANSFER_TAMPERED', `frame ${this.index} has kind ${kind}`);
    const final = kind === FRAME_FINAL;
    if (final ? length !== SIGNATURE_BYTES : length < 1 || length > this.frameBytes) throw new TransferError('TRANSFER_TAMPERED', `frame ${this.index} says it holds ${length} bytes`);
    const body = await this.readRaw(length + TAG_BYTES);
    if (body.length < length + TAG_BYTES) throw new TransferError('TRANSFER_TRUNCATED', `the file ends inside frame ${this.index}`);
    const plain = openFrame(this.key, this.headerHash, this.index, final, body);
    this.index += 1;
    if (final) {
      this.finalBody = plain;
      if (this.position !== this.fileSize) throw new TransferError('TRANSFER_TAMPERED', `${this.fileSize - this.position} bytes follow the final frame`);
      return false;
    }
    this.plainHash.update(plain);
    this.buffered = this.buffered.length === 0 ? plain : Buffer.concat([this.buffered, plain]);
    return true;
  }

  /** Exactly `length` plaintext bytes, as chunks; the plaintext ending first is a format error. */
  async *take(length: number, what: string): AsyncGenerator<Buffer> {
    let left = length;
    try {
      while (left > 0) {
        if (this.buffered.length === 0 && !(await this.nextFrame())) throw new TransferError('TRANSFER_FORMAT', `the plaintext ends inside ${what}`);
        const chunk = this.buffered.subarray(0, Math.min(left, this.buffered.length));
        this.buffered = this.buffered.subarray(chunk.length);
        left -= chunk.length;
        yield chunk;
      }
    } catch (error) {
      this.failure ??= error;
      throw error;
    }
  }

  async read(length: number, what: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this.take(length, what)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  /** After the last recording: the final frame must come next; returns its signature. */
  async signature(): Promise<Buffer> {
    if (this.buffered.length > 0 || (await this.nextFrame())) throw new TransferError('TRANSFER_FORMAT', 'the plaintext goes on past the audio its contents list');
    return this.finalBody!;
  }
}

/** Open, decrypt and verify a transfer file; resolves only when everything in it has passed. */
export async function openTransfer(file: string, options: OpenTransferOptions): Promise<OpenedTransfer> {
  const fileSize = (await stat(file)).size;
  const handle = await open(file, 'r');
  let tempFolder: string | undefined;
  const audioFiles = new Map<string, string>();
  const dispose = async (): Promise<void> => {
    if (tempFolder) await rm(tempFolder, { recursive: true, force: true });
  };
  try {
    let position = 0;
    const { header, bytes: headerBytes } = await decodeHeader(async (n) => {
      const out = Buffer.alloc(n);
      const { bytesRead } = await handle.read(out, 0, n, position);
      position += bytesRead;
      return out.subarray(0, bytesRead);
    });
    const headerHash = sha256(headerBytes);

    const centralKey = options.centralPrivateKey(header.keyId);
    if (!centralKey) throw new TransferError('TRANSFER_FOREIGN', `encrypted to transfer key ${header.keyId}, which this centre does not hold`);
    const deviceKey = await options.devicePublicKey(header);
    if (!deviceKey) throw new TransferError('TRANSFER_FOREIGN', `signed as device ${header.deviceId}, which this centre does not know`);
    let ephemeral: KeyObject;
    try {
      ephemeral = publicKeyFromBase64(header.ephemeralPublicKey);
    } catch (error) {
      throw new TransferError('TRANSFER_FORMAT', 'the ephemeral key is not a public key', { cause: error });
    }
    if (ephemeral.asymmetricKeyType !== 'x25519') throw new TransferError('TRANSFER_FORMAT', 'the ephemeral key is not X25519');
    let key: Buffer;
    try {
      key = frameKey(centralKey, ephemeral, headerHash);
    } catch (error) {
      throw new TransferError('TRANSFER_TAMPERED', 'no key can be agreed with the ephemeral key', { cause: error });
    }

    const cursor = new PlainCursor(handle, fileSize, key, headerHash, header.frameBytes, position);
    cursor.fileHash.update(headerBytes);
    const jsonLength = (await cursor.read(4, 'the contents length')).readUInt32BE(0);
    if (jsonLength === 0 || jsonLength > MAX_CONTENTS_BYTES) throw new TransferError('TRANSFER_FORMAT', `the contents are said to be ${jsonLength} bytes`);
    const json = await cursor.read(jsonLength, 'the contents');
    let raw: unknown;
    try {
      raw = JSON.parse(json.toString('utf8'));
    } catch {
      throw new TransferError('TRANSFER_FORMAT', 'the contents are not JSON');
    }
    const parsed = TransferContents.safeParse(raw);
    if (!parsed.success) throw new TransferError('TRANSFER_FORMAT', `contents: ${issuesOf(parsed.error)}`);
    const contents = parsed.data;

    const receive =
      options.receiveAudio ??
      (async (recording: TransferRecording, audio: Readable): Promise<void> => {
        tempFolder ??= await mkdtemp(join(options.tempDir ?? tmpdir(), 'estransfer-'));
        const path = join(tempFolder, recording.recordingId);
        audioFiles.set(recording.recordingId, path);
        await pipeline(audio, createWriteStream(path, { flags: 'wx' }));
      });
    const received: { recording: TransferRecording; sha256: string; bytes: number }[] = [];
    for (const recording of contents.recordings) {
      const hash = createHash('sha256');
      let count = 0;
      const counted = async function* (source: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
        for await (const chunk of source) {
          hash.update(chunk);
          count += chunk.length;
          yield chunk;
        }
      };
      await receive(recording, Readable.from(counted(cursor.take(recording.bytes, `the audio of recording ${recording.recordingId}`)), { objectMode: false }));
      if (cursor.failure) throw cursor.failure;
      if (count !== recording.bytes) throw new Error(`the audio receiver read ${count} of the ${recording.bytes} bytes of recording ${recording.recordingId}`);
      received.push({ recording, sha256: hash.digest('hex'), bytes: count });
    }

    const signature = await cursor.signature();
    const plaintextSha256 = cursor.plainHash.digest();
    let signedByDevice: boolean;
    try {
      signedByDevice = verify(null, signedMessage(headerHash, plaintextSha256), deviceKey, signature);
    } catch {
      // A key that cannot verify Ed25519 signatures did not sign this.
      signedByDevice = false;
    }
    if (!signedByDevice) {
      throw new TransferError('TRANSFER_FOREIGN', `the signature is not device ${header.deviceId}'s: the file was written by someone else`);
    }
    // Signed by the device: from here on, a disagreement is the writer's own.
    if (contents.deviceId !== header.deviceId || contents.venueCode !== header.venueCode || contents.createdAt !== header.createdAt) {
      throw new TransferError('TRANSFER_FORMAT', 'the contents name another device, venue or time than the header');
    }
    for (const { recording, sha256: got } of received) {
      if (got !== recording.sha256) throw new TransferError('TRANSFER_FORMAT', `the audio of recording ${recording.recordingId} has SHA-256 ${got}, listed as ${recording.sha256}`);
    }
    return { header, contents, fileSha256: cursor.fileHash.digest('hex'), plaintextSha256: plaintextSha256.toString('hex'), fileBytes: fileSize, audioFiles, dispose };
  } catch (error) {
    await dispose();
    throw error;
  } finally {
    await handle.close();
  }
}
