// How a package file reaches the station from a screen, without the screen ever naming a path: the
// bytes of a file the person picked, sent in chunks (an upload), or one of the package files the
// station itself found on removable media, picked by its id. An upload is written to a file of its
// own in the data folder and imported only once every byte is in, so nothing half-sent is ever
// imported; both ways end in an import job that stores the package in steps, reports its progress
// and can be cancelled. Uploads and jobs belong to the screen that began them: another screen's id
// is not found, so two screens importing at once never mix.
import { createHash, randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CodedError, StationError } from '../../src-shared/errors.ts';
import { PACKAGE_CHUNK_BYTES, type PackageImportJob, type PackageImportResult, type PackageSource } from '../../src-shared/contracts/station-api.ts';
import { openPackageFile } from '../../src-shared/node/package/package-file.ts';
import type { VerifyOptions } from '../../src-shared/node/package/reader.ts';
import type { PackageStore } from './records/packages.ts';

export const PACKAGE_SUFFIX = '.exampkg';

/**
 * Where package files are looked for. `mediaRoots`: folders whose grandchildren are mounted drives
 * (/media/USER/LABEL, /run/media/USER/LABEL on Linux; a drive mounted as a child, /media/usb0, has its
 * top level listed); `folders`: folders looked in themselves (the one the IT policy names). In each
 * drive and folder, the top level and the folders one level down are listed.
 */
export interface PackageSourceRoots {
  mediaRoots: readonly string[];
  folders: readonly string[];
}

export const LINUX_MEDIA_ROOTS = ['/media', '/run/media'] as const;

/** At most this many files are listed: a drive full of packages is not a list a person reads. */
const MAX_SOURCES = 200;

interface Upload {
  clientId: string;
  fileName: string;
  size: number;
  path: string;
  fd: number;
  received: number;
  /** The SHA-256 of each chunk taken, by index: a chunk sent again is recognised and taken once. */
  chunks: string[];
}

interface Job {
  clientId: string;
  view: PackageImportJob;
  cancel: boolean;
  /** Settles when the job has ended (tests, and a station closing). */
  ended: Promise<void>;
}

export interface IntakeOptions<A> {
  /** The uploads' folder in the data folder. */
  dir: string;
  maxBytes: number;
  roots: PackageSourceRoots;
  store: PackageStore;
  /** The checks of an import as they are now (the trust list may have changed since the station started). */
  verify: () => VerifyOptions;
  /** Told how every job ended, for the audit log. */
  ended: (job: PackageImportJob, actor: A) => void;
}

/** A file the station could not write (the uploads' folder, a trust-list update) as an error a person can act on. */
export function diskError(error: unknown): unknown {
  if (error instanceof CodedError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new StationError('DISK_FULL', `${code}: ${(error as Error).message}`, { cause: error });
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new StationError('STORAGE_IO', `${code}: ${(error as Error).message}`, { cause: error });
  return error;
}

const errorOf = (error: unknown): NonNullable<PackageImportJob['error']> => {
  if (error instanceof CodedError) return { code: error.code, message: error.text, ...(error.detail === undefined ? {} : { detail: error.detail }) };
  const internal = new StationError('INTERNAL', (error as Error)?.message ?? String(error));
  return { code: internal.code, message: internal.text, ...(internal.detail === undefined ? {} : { detail: internal.detail }) };
};

function listFolder(dir: string, volume: string, prefix: string, depth: number, into: { path: string; volume: string; fileName: string }[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    // A drive pulled out while it is read, a folder one may not read: it simply has nothing to offer.
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    // Only regular files and real folders: a link could lead anywhere on this machine.
    if (entry.isFile() && entry.name.toLowerCase().endsWith(PACKAGE_SUFFIX)) into.push({ path: join(dir, entry.name), volume, fileName: prefix + entry.name });
    else if (entry.isDirectory() && depth > 0) listFolder(join(dir, entry.name), volume, `${prefix}${entry.name}/`, depth - 1, into);
  }
}

export const subfolders = (dir: string): string[] => {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => join(dir, e.name));
  } catch {
    return [];
  }
};

export class PackageIntake<A> {
  private readonly options: IntakeOptions<A>;
  private readonly uploads = new Map<string, Upload>();
  private readonly jobs = new Map<string, Job>();
  /** The job each finished upload became (a job forgotten makes its entry meaningless, so both go together). */
  private readonly finished = new Map<string, string>();

  constructor(options: IntakeOptions<A>) {
    this.options = options;
  }

  /** An upload or a job left by a station that stopped: nothing of it can be finished, so it goes. */
  removeLeftovers(): void {
    if (existsSync(this.options.dir)) rmSync(this.options.dir, { recursive: true, force: true });
  }

  // ---- uploads ------------------------------------------------------------------------------------

  begin(clientId: string, fileName: string, size: number): { uploadId: string; chunkBytes: number; maxBytes: number } {
    if (size > this.options.maxBytes) throw new StationError('PACKAGE_TOO_LARGE', `${fileName} is ${size} bytes; at most ${this.options.maxBytes}`);
    // One upload per screen: the screen that begins another has left the one before.
    for (const [id, upload] of this.uploads) if (upload.clientId === clientId) this.drop(id);
    mkdirSync(this.options.dir, { recursive: true });
    const uploadId = randomUUID();
    const path = join(this.options.dir, `${uploadId}.upload`);
    const fd = openSync(path, 'wx', 0o600);
    this.uploads.set(uploadId, { clientId, fileName: basename(fileName), size, path, fd, received: 0, chunks: [] });
    return { uploadId, chunkBytes: PACKAGE_CHUNK_BYTES, maxBytes: this.options.maxBytes };
  }

  private upload(clientId: string, uploadId: string): Upload {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.clientId !== clientId) throw new StationError('UPLOAD_NOT_FOUND', uploadId);
    return upload;
  }

  append(clientId: string, input: { uploadId: string; index: number; data: Uint8Array; sha256: string }): { uploadId: string; index: number; receivedBytes: number; size: number; duplicate: boolean } {
    const upload = this.upload(clientId, input.uploadId);
    const hash = createHash('sha256').update(input.data).digest('hex');
    if (hash !== input.sha256) throw new StationError('UPLOAD_CHUNK_CHECKSUM_MISMATCH', `chunk ${input.index}`);
    const reply = (duplicate: boolean) => ({ uploadId: input.uploadId, index: input.index, receivedBytes: upload.received, size: upload.size, duplicate });
    const earlier = upload.chunks[input.index];
    if (earlier !== undefined) {
      // Its reply was lost and the screen sent it again: taken once. Other bytes under its index are not the same file.
      if (earlier !== hash) throw new StationError('UPLOAD_CHUNK_CONFLICT', `chunk ${input.index}`);
      return reply(true);
    }
    if (input.index !== upload.chunks.length) throw new StationError('UPLOAD_CHUNK_OUT_OF_ORDER', `chunk ${input.index}; the next is ${upload.chunks.length}`);
    if (upload.received + input.data.byteLength > upload.size) throw new StationError('UPLOAD_TOO_LARGE', `${upload.received + input.data.byteLength} bytes; the file was announced as ${upload.size}`);
    let done = 0;
    while (done < input.data.byteLength) done += writeSync(upload.fd, input.data, done, input.data.byteLength - done, upload.received + done);
    upload.received += input.data.byteLength;
    upload.chunks.push(hash);
    return reply(false);
  }

  cancelUpload(clientId: string, uploadId: string): void {
    this.upload(clientId, uploadId);
    this.drop(uploadId);
  }

  private drop(uploadId: string): void {
    const upload = this.uploads.get(uploadId);
    if (!upload) return;
    this.uploads.delete(uploadId);
    closeSync(upload.fd);
    rmSync(upload.path, { force: true });
  }

  /** Every byte is in: flushed to disk, closed, and imported from there by a job; the file goes when the job ends. */
  finish(clientId: string, uploadId: string, actor: A): PackageImportJob {
    // Finished already and the reply lost: the screen sends the same finish again and gets its job.
    const finishedAs = this.finished.get(uploadId);
    const earlier = finishedAs === undefined ? undefined : this.jobs.get(finishedAs);
    if (earlier && earlier.clientId === clientId) return { ...earlier.view };
    const upload = this.upload(clientId, uploadId);
    if (upload.received !== upload.size) throw new StationError('UPLOAD_INCOMPLETE', `${upload.received} of ${upload.size} bytes`);
    this.requireNoRunningJob(clientId);
    fsyncSync(upload.fd);
    closeSync(upload.fd);
    this.uploads.delete(uploadId);
    const job = this.startJob(clientId, upload.fileName, upload.path, actor, () => rmSync(upload.path, { force: true }));
    this.finished.set(uploadId, job.jobId);
    return job;
  }

  // ---- removable media ------------------------------------------------------------------------------

  private found(): (PackageSource & { path: string })[] {
    const files: { path: string; volume: string; fileName: string }[] = [];
    for (const root of this.options.roots.mediaRoots) {
      for (const owner of subfolders(root)) {
        // A drive mounted straight under the root (/media/usb0, as usbmount does) shows its top level here.
        listFolder(owner, basename(owner), '', 0, files);
        for (const drive of subfolders(owner)) listFolder(drive, basename(drive), '', 1, files);
      }
    }
    for (const folder of this.options.roots.folders) listFolder(folder, basename(folder), '', 1, files);
    const sources: (PackageSource & { path: string })[] = [];
    for (const file of files) {
      let stat;
      try {
        stat = statSync(file.path);
      } catch {
        continue;
      }
      // The id names this file as it is now: the same name with other bytes written since is another id.
      const sourceId = createHash('sha256').update(`${file.path}\0${stat.size}\0${stat.mtimeMs}`).digest('hex').slice(0, 32);
      sources.push({ sourceId, volume: file.volume, fileName: file.fileName, size: stat.size, modifiedAt: stat.mtime.toISOString(), path: file.path });
    }
    return sources.sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt) || a.fileName.localeCompare(b.fileName)).slice(0, MAX_SOURCES);
  }

  listSources(): PackageSource[] {
    return this.found().map(({ path: _path, ...source }) => source);
  }

  importSource(clientId: string, sourceId: string, actor: A): PackageImportJob {
    // Looked up again now: the id is only ever one of the station's own listing, never a path from the screen.
    const source = this.found().find((s) => s.sourceId === sourceId);
    if (!source) throw new StationError('PACKAGE_SOURCE_GONE', sourceId);
    this.requireNoRunningJob(clientId);
    return this.startJob(clientId, source.fileName, source.path, actor, () => undefined);
  }

  // ---- jobs ---------------------------------------------------------------------------------------

  private requireNoRunningJob(clientId: string): void {
    for (const job of this.jobs.values()) if (job.clientId === clientId && job.view.state === 'running') throw new StationError('UPLOAD_BUSY', `job ${job.view.jobId} is still running on this screen`);
  }

  private startJob(clientId: string, fileName: string, path: string, actor: A, cleanUp: () => void): PackageImportJob {
    // A screen keeps the job it ran last, to read how it ended; the one before is forgotten.
    for (const [id, job] of this.jobs) if (job.clientId === clientId) this.jobs.delete(id);
    for (const [uploadId, jobId] of this.finished) if (!this.jobs.has(jobId)) this.finished.delete(uploadId);
    let file;
    try {
      file = openPackageFile(path, this.options.maxBytes);
    } catch (error) {
      cleanUp();
      throw error;
    }
    const view: PackageImportJob = { jobId: randomUUID(), fileName, state: 'running', doneBytes: 0, totalBytes: file.size, result: null, error: null };
    const job: Job = { clientId, view, cancel: false, ended: Promise.resolve() };
    const opened = file;
    const settle = (state: PackageImportJob['state'], result: PackageImportResult | null, error: unknown) => {
      opened.close();
      cleanUp();
      Object.assign(view, { state, result, error: error === null ? null : errorOf(error), ...(state === 'done' ? { doneBytes: view.totalBytes } : {}) });
      try {
        this.options.ended({ ...view }, actor);
      } catch (caught) {
        // The import is done or undone either way; only its audit entry could not be written (a station closing).
        console.error('station: an import ended but could not be recorded:', (caught as Error).message);
      }
    };
    job.ended = this.options.store
      .importStepwise(opened, this.options.verify(), { stored: (bytes) => (view.doneBytes = bytes), cancelled: () => job.cancel })
      .then(
        (result) => settle('done', result, null),
        (error: unknown) => settle(error instanceof CodedError && error.code === 'IMPORT_CANCELLED' ? 'cancelled' : 'failed', null, error),
      );
    this.jobs.set(view.jobId, job);
    return { ...view };
  }

  private job(clientId: string, jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job || job.clientId !== clientId) throw new StationError('NOT_FOUND', `import ${jobId}`);
    return job;
  }

  status(clientId: string, jobId: string): PackageImportJob {
    return { ...this.job(clientId, jobId).view };
  }

  cancel(clientId: string, jobId: string): PackageImportJob {
    const job = this.job(clientId, jobId);
    if (job.view.state === 'running') job.cancel = true;
    return { ...job.view };
  }

  /** Resolves once the job has ended however it ended (tests wait on it instead of polling). */
  async settled(jobId: string): Promise<PackageImportJob> {
    const job = this.jobs.get(jobId);
    if (!job) throw new StationError('NOT_FOUND', `import ${jobId}`);
    await job.ended;
    return { ...job.view };
  }

  close(): void {
    for (const id of [...this.uploads.keys()]) this.drop(id);
    for (const job of this.jobs.values()) job.cancel = true;
  }
}
