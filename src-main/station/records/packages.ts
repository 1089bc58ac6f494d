// Exam packages on a station: verified before anything is stored, kept encrypted at rest frame by
// frame, opened once the key is released. An import streams the file: the head is verified first,
// then the frames are stored in short transactions (an import never holds the database for long while
// candidates save) under a row marked 'importing', which becomes 'ready' only when every frame is in
// and the ciphertext matches the signed manifest. The released key is kept so a restart mid-exam needs
// no re-entry, with the archive index so a restart does not decrypt the whole package again.
import { createHash } from 'node:crypto';
import { StationError } from '../../../src-shared/errors.ts';
import type { PackageManifest, PackageSummary } from '../../../src-shared/contracts/package-manifest.ts';
import { decodeHead, MAX_HEAD_BYTES } from '../../../src-shared/node/package/container.ts';
import { frameLayout } from '../../../src-shared/node/package/crypto.ts';
import { checkUsable, cipherParamsOf, openFrames, reopenFrames, verifyHead, type ArchiveIndex, type FrameSource, type OpenedPackage, type VerifyOptions } from '../../../src-shared/node/package/reader.ts';
import type { PreparedQuery, StationDatabase } from '../database.ts';
import type { PackagesTable } from '../tables.ts';

/** Bytes of a package file, read where they are (a file on disk, a buffer). */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Buffer;
}

export const bufferSource = (bytes: Buffer): ByteSource => ({ size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) });

export interface ImportResult {
  summary: PackageSummary;
  alreadyImported: boolean;
}

/** Frames per import transaction: a few MiB at the default chunk size, a short hold on the writer. */
const FRAMES_PER_TRANSACTION = 4;

type SummaryRow = Pick<PackagesTable, 'package_id' | 'exam_id' | 'exam_version' | 'title' | 'venue' | 'valid_from' | 'valid_until' | 'imported_at'>;

function summary(row: SummaryRow, unlocked: boolean): PackageSummary {
  return {
    packageId: row.package_id,
    examId: row.exam_id,
    examVersion: row.exam_version,
    title: row.title,
    venue: row.venue,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    importedAt: row.imported_at,
    unlocked,
  };
}

export class PackageStore {
  private readonly opened = new Map<string, OpenedPackage>();
  /** Packages whose import is under way (importStepwise lets others run meanwhile). */
  private readonly importing = new Set<string>();
  private readonly db: StationDatabase;
  private readonly frame: PreparedQuery<{ packageId: string; idx: number }, { frame: Buffer }>;

  constructor(db: StationDatabase) {
    this.db = db;
    this.frame = db.prepared<{ packageId: string; idx: number }, { frame: Buffer }>((p) =>
      db.q.selectFrom('package_frames').select('frame').where('package_id', '=', p.packageId).where('idx', '=', p.idx),
    );
  }

  /** Remove what an import cut off by a crash left behind. */
  removeInterruptedImports(): number {
    return this.db.transaction(() => {
      const stale = this.db.all(this.db.q.selectFrom('packages').select('package_id').where('state', '=', 'importing')).map((r) => r.package_id);
      for (const id of stale) this.discard(id);
      return stale.length;
    });
  }

  private discard(packageId: string): void {
    this.db.run(this.db.q.deleteFrom('package_frames').where('package_id', '=', packageId));
    this.db.run(this.db.q.deleteFrom('packages').where('package_id', '=', packageId));
  }

  import(source: ByteSource, options: VerifyOptions): ImportResult {
    const steps = this.importSteps(source, options);
    for (let step = steps.next(); ; step = steps.next()) if (step.done) return step.value;
  }

  /**
   * The same import with the event loop free between its transactions, for an import a screen
   * started (an upload, a removable drive): the station goes on answering its other screens, reports
   * the bytes stored so far, and stops between two transactions when `cancelled` says so, removing
   * what it stored. Two imports of one package at once would write each other's frames: the second
   * is refused UPLOAD_BUSY while the first runs.
   */
  async importStepwise(source: ByteSource, options: VerifyOptions, progress: { stored(bytes: number): void; cancelled(): boolean }): Promise<ImportResult> {
    const steps = this.importSteps(source, options);
    for (let step = steps.next(); ; ) {
      if (step.done) return step.value;
      progress.stored(step.value);
      await new Promise((resolve) => setImmediate(resolve));
      step = steps.next(progress.cancelled());
    }
  }

  /**
   * The import as steps: each yield is a committed batch of frames (the bytes of the file read so
   * far); a `true` sent back in stops it, and what was stored is removed.
   */
  private *importSteps(source: ByteSource, options: VerifyOptions): Generator<number, ImportResult, boolean | undefined> {
    const head = decodeHead(source.read(0, Math.min(source.size, MAX_HEAD_BYTES)), source.size);
    const manifest = verifyHead(head, options);
    const layout = frameLayout(cipherParamsOf(manifest));
    const ciphertextBytes = source.size - head.ciphertextOffset;
    if (ciphertextBytes !== manifest.cipher.ciphertextSize || ciphertextBytes !== layout.ciphertextSize) {
      throw new StationError('PACKAGE_CONTENT_ALTERED', `the ciphertext is ${ciphertextBytes} bytes, the signed manifest says ${manifest.cipher.ciphertextSize}`);
    }
    if (this.importing.has(manifest.packageId)) throw new StationError('UPLOAD_BUSY', `package ${manifest.packageId} is being imported from another screen`);
    const existing = this.db.get(this.db.q.selectFrom('packages').select(['file_sha256', 'state']).where('package_id', '=', manifest.packageId));
    if (existing?.state === 'ready') {
      const fileSha256 = this.hashSource(source);
      if (existing.file_sha256 !== fileSha256) throw new StationError('PACKAGE_CONFLICT', `package ${manifest.packageId} is stored with other content`);
      return { summary: this.summary(manifest.packageId), alreadyImported: true };
    }
    const row: PackagesTable = {
      package_id: manifest.packageId,
      exam_id: manifest.examId,
      exam_version: manifest.examVersion,
      title: manifest.title,
      venue: manifest.venue,
      valid_from: manifest.validFrom,
      valid_until: manifest.validUntil,
      signing_key_id: manifest.signingKeyId,
      manifest_json: head.manifestBytes.toString('utf8'),
      signature: Buffer.from(head.signature),
      file_sha256: '',
      imported_at: options.now.toISOString(),
      state: 'importing',
    };
    this.db.transaction(() => {
      if (existing) this.discard(manifest.packageId);
      this.db.run(this.db.q.insertInto('packages').values(row));
    });
    this.importing.add(manifest.packageId);
    try {
      const fileHash = createHash('sha256').update(source.read(0, head.ciphertextOffset));
      const cipherHash = createHash('sha256');
      let at = head.ciphertextOffset;
      for (let first = 0; first < manifest.cipher.chunkCount; first += FRAMES_PER_TRANSACTION) {
        const frames: Buffer[] = [];
        for (let i = first; i < Math.min(first + FRAMES_PER_TRANSACTION, manifest.cipher.chunkCount); i += 1) {
          const frame = Buffer.from(source.read(at, layout.frameBytes(i)));
          at += frame.length;
          fileHash.update(frame);
          cipherHash.update(frame);
          frames.push(frame);
        }
        this.db.transaction(() => {
          frames.forEach((frame, k) => this.db.run(this.db.q.insertInto('package_frames').values({ package_id: manifest.packageId, idx: first + k, frame })));
        });
        if (yield at) throw new StationError('IMPORT_CANCELLED', `package ${manifest.packageId}`);
      }
      if (cipherHash.digest('hex') !== manifest.cipher.ciphertextSha256) {
        throw new StationError('PACKAGE_CONTENT_ALTERED', 'the ciphertext hash differs from the signed manifest');
      }
      const fileSha256 = fileHash.digest('hex');
      this.db.transaction(() => this.db.run(this.db.q.updateTable('packages').set({ state: 'ready', file_sha256: fileSha256 }).where('package_id', '=', manifest.packageId)));
    } catch (error) {
      this.db.transaction(() => this.discard(manifest.packageId));
      throw error;
    } finally {
      this.importing.delete(manifest.packageId);
    }
    return { summary: summary(row, false), alreadyImported: false };
  }

  private hashSource(source: ByteSource): string {
    const hash = createHash('sha256');
    const step = 4 * 1024 * 1024;
    for (let at = 0; at < source.size; at += step) hash.update(source.read(at, Math.min(step, source.size - at)));
    return hash.digest('hex');
  }

  list(): PackageSummary[] {
    const rows = this.db.all(
      this.db.q
        .selectFrom('packages')
        .leftJoin('package_keys', 'package_keys.package_id', 'packages.package_id')
        .select(['packages.package_id', 'exam_id', 'exam_version', 'title', 'venue', 'valid_from', 'valid_until', 'imported_at', 'package_keys.released_at'])
        .where('state', '=', 'ready')
        .orderBy('imported_at'),
    );
    return rows.map((row) => summary(row, row.released_at !== null));
  }

  summary(packageId: string): PackageSummary {
    const found = this.list().find((p) => p.packageId === packageId);
    if (!found) throw new StationError('PACKAGE_NOT_FOUND', packageId);
    return found;
  }

  private manifest(packageId: string): PackageManifest {
    const row = this.db.get(this.db.q.selectFrom('packages').select('manifest_json').where('package_id', '=', packageId).where('state', '=', 'ready'));
    if (!row) throw new StationError('PACKAGE_NOT_FOUND', packageId);
    return JSON.parse(row.manifest_json) as PackageManifest;
  }

  private frames(packageId: string): FrameSource {
    return (idx) => {
      const row = this.frame.get({ packageId, idx });
      if (!row) throw new StationError('PACKAGE_CONTENT_ALTERED', `frame ${idx} of package ${packageId} is missing`);
      return row.frame;
    };
  }

  /** Open the package with the typed key; on success the key and the archive index are stored so a restart reopens it. */
  unlock(packageId: string, typedKey: string, venue: string, now: Date): PackageSummary {
    const manifest = this.manifest(packageId);
    checkUsable(manifest, venue, now);
    const { opened, index } = openFrames(manifest, this.frames(packageId), typedKey);
    this.db.transaction(() =>
      this.db.run(
        this.db.q
          .insertInto('package_keys')
          .values({ package_id: packageId, content_key: typedKey, released_at: now.toISOString(), archive_index: JSON.stringify(index) })
          .onConflict((oc) => oc.column('package_id').doUpdateSet({ archive_index: JSON.stringify(index) })),
      ),
    );
    this.opened.set(packageId, opened);
    return this.summary(packageId);
  }

  /** The decrypted package, reopened from the stored key after a restart. */
  open(packageId: string): OpenedPackage {
    const cached = this.opened.get(packageId);
    if (cached) return cached;
    const manifest = this.manifest(packageId);
    const key = this.db.get(this.db.q.selectFrom('package_keys').select(['content_key', 'archive_index']).where('package_id', '=', packageId));
    if (!key) throw new StationError('PACKAGE_LOCKED', packageId);
    let opened: OpenedPackage;
    if (key.archive_index) {
      opened = reopenFrames(manifest, this.frames(packageId), key.content_key, JSON.parse(key.archive_index) as ArchiveIndex);
    } else {
      // Unlocked before schema 4: check every frame once and keep the index from now on.
      const full = openFrames(manifest, this.frames(packageId), key.content_key);
      this.db.transaction(() => this.db.run(this.db.q.updateTable('package_keys').set({ archive_index: JSON.stringify(full.index) }).where('package_id', '=', packageId)));
      opened = full.opened;
    }
    this.opened.set(packageId, opened);
    return opened;
  }
}
