// Exam packages on a station: verified before anything is stored, kept encrypted at rest, opened in
// memory once the key is released. The released key is kept so a restart mid-exam needs no re-entry.
import { StationError } from '../../../src-shared/errors.ts';
import type { PackageManifest, PackageSummary } from '../../../src-shared/package/manifest.ts';
import { sha256Hex } from '../../package/crypto.ts';
import { checkUsable, openPackage, verifyPackage, type OpenedPackage, type VerifyOptions } from '../../package/reader.ts';
import type { StationDatabase } from '../database.ts';
import type { PackagesTable } from '../tables.ts';

function summary(row: Pick<PackagesTable, 'package_id' | 'exam_id' | 'exam_version' | 'title' | 'venue' | 'valid_from' | 'valid_until' | 'imported_at'>, unlocked: boolean): PackageSummary {
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
  private readonly db: StationDatabase;

  constructor(db: StationDatabase) {
    this.db = db;
  }

  import(file: Buffer, options: VerifyOptions): { summary: PackageSummary; alreadyImported: boolean } {
    const container = verifyPackage(file, options);
    const { manifest } = container;
    const fileSha256 = sha256Hex(file);
    const existing = this.db.get(this.db.q.selectFrom('packages').select(['file_sha256']).where('package_id', '=', manifest.packageId));
    if (existing) {
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
      manifest_json: container.manifestBytes.toString('utf8'),
      signature: Buffer.from(container.signature),
      ciphertext: Buffer.from(container.ciphertext),
      file_sha256: fileSha256,
      imported_at: options.now.toISOString(),
    };
    this.db.transaction(() => this.db.run(this.db.q.insertInto('packages').values(row)));
    return { summary: summary(row, false), alreadyImported: false };
  }

  list(): PackageSummary[] {
    const rows = this.db.all(
      this.db.q
        .selectFrom('packages')
        .leftJoin('package_keys', 'package_keys.package_id', 'packages.package_id')
        .select(['packages.package_id', 'exam_id', 'exam_version', 'title', 'venue', 'valid_from', 'valid_until', 'imported_at', 'package_keys.released_at'])
        .orderBy('imported_at'),
    );
    return rows.map((row) => summary(row, row.released_at !== null));
  }

  summary(packageId: string): PackageSummary {
    const found = this.list().find((p) => p.packageId === packageId);
    if (!found) throw new StationError('PACKAGE_NOT_FOUND', packageId);
    return found;
  }

  private manifestAndCiphertext(packageId: string): { manifest: PackageManifest; ciphertext: Buffer } {
    const row = this.db.get(this.db.q.selectFrom('packages').select(['manifest_json', 'ciphertext']).where('package_id', '=', packageId));
    if (!row) throw new StationError('PACKAGE_NOT_FOUND', packageId);
    return { manifest: JSON.parse(row.manifest_json) as PackageManifest, ciphertext: row.ciphertext };
  }

  /** Open the package with the typed key; on success the key is stored so a restart reopens it. */
  unlock(packageId: string, typedKey: string, venue: string, now: Date): PackageSummary {
    const { manifest, ciphertext } = this.manifestAndCiphertext(packageId);
    checkUsable(manifest, venue, now);
    const opened = openPackage(manifest, ciphertext, typedKey);
    this.db.transaction(() =>
      this.db.run(
        this.db.q
          .insertInto('package_keys')
          .values({ package_id: packageId, content_key: typedKey, released_at: now.toISOString() })
          .onConflict((oc) => oc.column('package_id').doNothing()),
      ),
    );
    this.opened.set(packageId, opened);
    return this.summary(packageId);
  }

  /** The decrypted package, reopened from the stored key after a restart. */
  open(packageId: string): OpenedPackage {
    const cached = this.opened.get(packageId);
    if (cached) return cached;
    const key = this.db.get(this.db.q.selectFrom('package_keys').select('content_key').where('package_id', '=', packageId));
    const { manifest, ciphertext } = this.manifestAndCiphertext(packageId);
    if (!key) throw new StationError('PACKAGE_LOCKED', packageId);
    const opened = openPackage(manifest, ciphertext, key.content_key);
    this.opened.set(packageId, opened);
    return opened;
  }
}
