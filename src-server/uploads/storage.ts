// Where files live: audio uploads and exam packages. The interface is shaped like object storage
// (an upload in progress is appended to, then committed under its final key, like a multipart
// upload; finished objects are read whole or by byte range), so an S3-style store can replace the
// file system implementation used by the embedded default.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform, Writable } from 'node:stream';

export interface AppendResult {
  /** Bytes taken from the source and written; may be short if the source ended early or broke. */
  written: number;
  /** SHA-256 (hex) of exactly the bytes written. */
  sha256: string;
  /** The source broke off (client went away) before it ended. */
  interrupted: boolean;
}

export interface BlobStorage {
  /** Write the source at `offset` (0 starts the upload), at most `maxBytes`; more makes it throw UploadOverflow. */
  appendUpload(uploadId: string, offset: number, source: Readable, maxBytes: number): Promise<AppendResult>;
  /** Forget anything written past `length` (an unverified or interrupted chunk). */
  truncateUpload(uploadId: string, length: number): Promise<void>;
  /** SHA-256 of the upload's first `length` bytes. */
  hashUpload(uploadId: string, length: number): Promise<string>;
  /**
   * Ready the upload to become the object under `key`: its first `length` bytes are made final and,
   * when `fsync` is set, durable, and so is the place `key` goes. `exact` says the upload holds
   * exactly `length` bytes (written in one piece), so nothing needs trimming. No object changes, so
   * this needs no lock; only the bytes' own upload may be writing to them.
   */
  prepareCommit(uploadId: string, key: string, length: number, options: { fsync: boolean; exact: boolean }): Promise<void>;
  /** Make the prepared upload the object under `key` (replacing one there), durable when `fsync` is set. */
  commitUpload(uploadId: string, key: string, options: { fsync: boolean }): Promise<void>;
  deleteUpload(uploadId: string): Promise<void>;
  putObject(key: string, data: Uint8Array): Promise<void>;
  /** Size in bytes, or undefined when there is no such object. */
  statObject(key: string): Promise<number | undefined>;
  /** Bytes start..end inclusive, or the whole object. */
  readObject(key: string, range?: { start: number; end: number }): Readable;
  deleteObject(key: string): Promise<void>;
}

/** fdatasync a file (its bytes and size) or fsync a folder (its entries). */
async function syncPath(path: string, kind: 'data' | 'full'): Promise<void> {
  const handle = await open(path, 'r');
  try {
    if (kind === 'data') await handle.datasync();
    else await handle.sync();
  } finally {
    await handle.close();
  }
}

export class UploadOverflow extends Error {
  override name = 'UploadOverflow';
}

/**
 * The part file's end of an append: each chunk is written at its place, and bytesWritten counts what
 * reached the file. A failure of the file itself (disk full, an I/O error) is kept in `failure`: it
 * ends the pipeline just as the client going away does, but it is the centre's fault and must not be
 * taken for an interrupted upload.
 */
class PartFileSink extends Writable {
  bytesWritten = 0;
  failure: Error | undefined;
  private position: number;
  private pending: Promise<void> = Promise.resolve();
  private readonly handle: FileHandle;

  constructor(handle: FileHandle, start: number) {
    super();
    this.handle = handle;
    this.position = start;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.run([chunk], callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (error?: Error | null) => void): void {
    this.run(
      chunks.map((c) => c.chunk),
      callback,
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    // Once the write in flight has ended, bytesWritten is what the file holds.
    void this.pending.then(() => callback(error));
  }

  private run(buffers: Buffer[], callback: (error?: Error | null) => void): void {
    this.pending = this.writeAll(buffers).then(
      () => callback(),
      (error: Error) => {
        this.failure ??= error;
        callback(error);
      },
    );
  }

  private async writeAll(buffers: Buffer[]): Promise<void> {
    let rest = buffers;
    while (rest.length > 0) {
      const { bytesWritten } = await this.handle.writev(rest, this.position);
      this.position += bytesWritten;
      this.bytesWritten += bytesWritten;
      // A short write (rare for a file): go on with what is left.
      let skip = bytesWritten;
      while (rest.length > 0 && skip >= rest[0]!.length) {
        skip -= rest[0]!.length;
        rest = rest.slice(1);
      }
      if (skip > 0) rest = [rest[0]!.subarray(skip), ...rest.slice(1)];
    }
  }
}

const SAFE_KEY = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;

export class FileBlobStorage implements BlobStorage {
  readonly root: string;
  /** Folders known to exist, so a busy server does not ask the file system again and again. */
  private readonly folders = new Set<string>();
  /** Folders made durable (their entries in every folder up to the root synced), once each. */
  private readonly durableFolders = new Map<string, Promise<void>>();

  constructor(root: string) {
    this.root = root;
  }

  private async folder(path: string): Promise<void> {
    const dir = dirname(path);
    if (this.folders.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.folders.add(dir);
  }

  /**
   * The folder of `path` exists and survives a power cut: a folder just made (by this process or
   * another) is only as durable as its entry in its parent, so each folder up to the root is synced.
   */
  private durableFolder(path: string): Promise<void> {
    const dir = dirname(path);
    let ready = this.durableFolders.get(dir);
    if (!ready) {
      ready = (async () => {
        await this.folder(path);
        const root = resolve(this.root);
        for (let parent = dirname(resolve(dir)); parent.startsWith(root); parent = dirname(parent)) {
          await syncPath(parent, 'full');
          if (parent === root) break;
        }
      })();
      this.durableFolders.set(dir, ready);
      // Not a swallow: the caller awaits `ready` and gets the error; it is only forgotten here, so the
      // next commit into this folder tries again instead of failing on the cached rejection.
      ready.catch(() => this.durableFolders.delete(dir));
    }
    return ready;
  }

  private uploadPath(uploadId: string): string {
    if (!/^[0-9a-f-]{36}$/.test(uploadId)) throw new Error(`bad upload id ${uploadId}`);
    return join(this.root, 'uploads', `${uploadId}.part`);
  }

  private objectPath(key: string): string {
    if (!SAFE_KEY.test(key) || key.includes('..')) throw new Error(`bad object key ${key}`);
    return join(this.root, 'objects', key);
  }

  async appendUpload(uploadId: string, offset: number, source: Readable, maxBytes: number): Promise<AppendResult> {
    const hash = createHash('sha256');
    let written = 0;
    let interrupted = false;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        if (written + chunk.length > maxBytes) {
          callback(new UploadOverflow(`more than ${maxBytes} bytes`));
          return;
        }
        written += chunk.length;
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    const path = this.uploadPath(uploadId);
    if (offset === 0) await this.folder(path);
    // A file that cannot be opened is the centre's fault, and is thrown as it is.
    const handle = await open(path, offset === 0 ? 'w' : 'r+');
    const sink = new PartFileSink(handle, offset);
    try {
      await pipeline(source, counter, sink);
    } catch (error) {
      if (error instanceof UploadOverflow) throw error;
      // The disk refused the bytes: not an interrupted upload, whatever else broke off after it.
      if (sink.failure) throw sink.failure;
      // The client went away mid-chunk: what reached the disk is kept and reported.
      interrupted = true;
      await new Promise<void>((resolve) => (sink.closed ? resolve() : sink.once('close', () => resolve())));
    } finally {
      // Waits for a write still in flight.
      await handle.close();
    }
    // bytesWritten, not the count passed on: a broken-off stream may drop what it had not yet written.
    return { written: interrupted ? sink.bytesWritten : written, sha256: hash.digest('hex'), interrupted };
  }

  async truncateUpload(uploadId: string, length: number): Promise<void> {
    try {
      await truncate(this.uploadPath(uploadId), length);
    } catch (error) {
      // Nothing was written yet: there is nothing to trim.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || length > 0) throw error;
    }
  }

  async hashUpload(uploadId: string, length: number): Promise<string> {
    const hash = createHash('sha256');
    if (length > 0) for await (const chunk of createReadStream(this.uploadPath(uploadId), { start: 0, end: length - 1 })) hash.update(chunk as Buffer);
    return hash.digest('hex');
  }

  async prepareCommit(uploadId: string, key: string, length: number, options: { fsync: boolean; exact: boolean }): Promise<void> {
    const from = this.uploadPath(uploadId);
    const to = this.objectPath(key);
    if (!options.exact) await truncate(from, length);
    // The bytes and size go to disk now, so the rename that commits them needs only its folder synced.
    if (options.fsync) await syncPath(from, 'data');
    if (options.fsync) await this.durableFolder(to);
    else await this.folder(to);
  }

  async commitUpload(uploadId: string, key: string, options: { fsync: boolean }): Promise<void> {
    const to = this.objectPath(key);
    await rename(this.uploadPath(uploadId), to);
    // The rename is durable only once its folder is: otherwise a power cut could undo it.
    if (options.fsync) await syncPath(dirname(to), 'full');
  }

  async deleteUpload(uploadId: string): Promise<void> {
    await rm(this.uploadPath(uploadId), { force: true });
  }

  async putObject(key: string, data: Uint8Array): Promise<void> {
    const path = this.objectPath(key);
    await this.folder(path);
    const temp = `${path}.${process.pid}.tmp`;
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  }

  async statObject(key: string): Promise<number | undefined> {
    try {
      return (await stat(this.objectPath(key))).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  readObject(key: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.objectPath(key), range ? { start: range.start, end: range.end } : {});
  }

  async deleteObject(key: string): Promise<void> {
    await rm(this.objectPath(key), { force: true });
  }
}
