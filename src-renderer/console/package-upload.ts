// Bringing a package file into the station from the console: the file the person picked is read a
// chunk at a time (never whole in the page's memory) and sent with each chunk's SHA-256; a chunk whose
// reply was lost is sent again, which the station takes once. Once every byte is in, the station
// checks and stores the package as a job the console follows until it ends; a job from a USB drive is
// followed the same way. Cancelling stops the upload or the job, and the station keeps nothing of it.
import type { PackageImportJob, StationApi } from '../../src-shared/contracts/station-api.ts';
import { StationError } from '../../src-shared/errors.ts';
import { StationUnreachable } from '../station/client.ts';

export interface ImportProgress {
  /** Sending the bytes (an upload), or the station checking and storing them. */
  phase: 'sending' | 'storing';
  doneBytes: number;
  totalBytes: number;
}

const JOB_POLL_MS = 300;
/** A chunk is sent again this many times while the station cannot be reached (a restart, a moment's trouble). */
const RESENDS = 5;
const RESEND_DELAY_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function sha256Hex(data: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A call the station did not answer, or answered "restarting": the same call again is safe. */
const worthResending = (error: unknown): boolean => error instanceof StationUnreachable || (error instanceof StationError && error.code === 'STATION_RESTARTING');

async function resending<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= RESENDS || !worthResending(error)) throw error;
      await sleep(RESEND_DELAY_MS);
    }
  }
}

/** Follow an import job until it ends; an abort asks the station to cancel it and waits for it to say so. */
export async function followImport(station: StationApi, staffToken: string, started: PackageImportJob, onProgress: (p: ImportProgress) => void, signal: AbortSignal): Promise<PackageImportJob> {
  let job = started;
  let cancelAsked = false;
  while (job.state === 'running') {
    onProgress({ phase: 'storing', doneBytes: job.doneBytes, totalBytes: job.totalBytes });
    if (signal.aborted && !cancelAsked) {
      cancelAsked = true;
      job = await resending(() => station.cancelPackageImport({ staffToken, jobId: started.jobId }));
      continue;
    }
    await sleep(JOB_POLL_MS);
    job = await resending(() => station.getPackageImport({ staffToken, jobId: started.jobId }));
  }
  return job;
}

/** Upload `file` and follow its import. Resolves with the ended job; a cancel during the upload resolves with null. */
export async function uploadPackage(station: StationApi, staffToken: string, file: File, onProgress: (p: ImportProgress) => void, signal: AbortSignal): Promise<PackageImportJob | null> {
  const { uploadId, chunkBytes } = await station.beginPackageUpload({ staffToken, fileName: file.name, size: file.size });
  onProgress({ phase: 'sending', doneBytes: 0, totalBytes: file.size });
  for (let index = 0, at = 0; at < file.size; index += 1, at += chunkBytes) {
    if (signal.aborted) {
      await station.cancelPackageUpload({ staffToken, uploadId }).catch(() => undefined);
      return null;
    }
    const data = new Uint8Array(await file.slice(at, at + chunkBytes).arrayBuffer());
    const sha256 = await sha256Hex(data);
    const reply = await resending(() => station.appendPackageChunk({ staffToken, uploadId, index, data, sha256 }));
    onProgress({ phase: 'sending', doneBytes: reply.receivedBytes, totalBytes: file.size });
  }
  const job = await resending(() => station.finishPackageUpload({ staffToken, uploadId }));
  return followImport(station, staffToken, job, onProgress, signal);
}
