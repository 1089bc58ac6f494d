// The seat's side of package pre-staging (src-shared/contracts/room-protocol.ts). The hub offers the
// packages it holds; the seat fetches those it lacks one chunk at a time, keeps each chunk once its hash
// is checked (so a cut link resumes from the first chunk it lacks, in this run or after a restart), and
// only when the whole file matches the offer's size and SHA-256 hands it to the station's import, which
// checks the signature and stores it locked. A chunk that does not match its hash, a file that does not
// match the offer, or a package the import refuses is the seat's alarm, and nothing of it is imported:
// the import is all or nothing (records/packages.ts).
import { createHash } from 'node:crypto';
import { PACKAGE_CHUNK_BYTES, type HubFrame, type PackageOffer, type SeatFrame } from '../../src-shared/contracts/room-protocol.ts';
import { isCodedError } from '../../src-shared/errors.ts';
import type { StationDatabase } from '../station/database.ts';

type Frame<T extends HubFrame['type']> = Extract<HubFrame, { type: T }>;

export interface SeatStagingOptions {
  db: StationDatabase;
  /** The station's import of a whole package file (verified, stored locked); throws to refuse it. */
  importPackage: (file: Buffer) => void;
  /** A package larger than this is not fetched (the station would refuse to import it). */
  maxPackageBytes?: number;
  now?: () => Date;
}

const chunkCount = (size: number): number => Math.ceil(size / PACKAGE_CHUNK_BYTES);
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

export class SeatStaging {
  private readonly db: StationDatabase;
  private readonly importPackage: (file: Buffer) => void;
  private readonly maxPackageBytes: number;
  private readonly now: () => Date;
  private send: ((frame: SeatFrame) => void) | null = null;
  /** What the hub offered on this session that the seat still lacks, in the hub's order. */
  private queue: PackageOffer[] = [];
  /** The one chunk asked for and not yet here. */
  private wanted: { packageId: string; index: number } | null = null;
  /** Packages refused in this run (package id → the offered file's hash): not fetched again until a restart or another file. */
  private readonly refused = new Map<string, string>();
  /** Why the seat refused a package: stays until a person restarts the seat (or the hub offers another file of it that passes). */
  private refusal: { packageId: string; text: string } | null = null;

  constructor(options: SeatStagingOptions) {
    this.db = options.db;
    this.importPackage = options.importPackage;
    this.maxPackageBytes = options.maxPackageBytes ?? Number.MAX_SAFE_INTEGER;
    this.now = options.now ?? (() => new Date());
  }

  get alarm(): string | null {
    return this.refusal?.text ?? null;
  }

  /** A new session with the hub: nothing is asked for until its offer comes. */
  begin(send: (frame: SeatFrame) => void): void {
    this.send = send;
    this.queue = [];
    this.wanted = null;
  }

  end(): void {
    this.send = null;
    this.queue = [];
    this.wanted = null;
  }

  /** The packages stored on this seat, for the heartbeat. */
  packagesOnSeat(): string[] {
    return this.db.all(this.db.q.selectFrom('packages').select('package_id').where('state', '=', 'ready').orderBy('package_id')).map((r) => r.package_id);
  }

  /** The hub's list: fetch what the seat lacks, from where it left off. */
  onOffer(frame: Frame<'package-offer'>): void {
    const here = new Set(this.packagesOnSeat());
    const lacking: PackageOffer[] = [];
    for (const offer of frame.packages) {
      if (here.has(offer.packageId) || this.refused.get(offer.packageId) === offer.sha256) continue;
      if (offer.size > this.maxPackageBytes) {
        this.refuse(offer, 'PACKAGE_TOO_LARGE', `${offer.size} bytes; this station takes at most ${this.maxPackageBytes}`);
        continue;
      }
      lacking.push(offer);
    }
    this.db.transaction(() => {
      for (const offer of lacking) {
        const staged = this.db.get(this.db.q.selectFrom('seat_staging').select(['file_sha256', 'size']).where('package_id', '=', offer.packageId));
        if (staged && staged.file_sha256 === offer.sha256 && staged.size === offer.size) continue;
        // The chunks kept are of another file under this id: of no use now.
        if (staged) this.forget(offer.packageId);
        this.db.run(this.db.q.insertInto('seat_staging').values({ package_id: offer.packageId, file_sha256: offer.sha256, size: offer.size, offered_at: this.now().toISOString() }));
      }
    });
    // A chunk on its way stays wanted if its package is still offered (it goes first); otherwise it is let go.
    const wanted = this.wanted;
    const current = wanted ? lacking.find((o) => o.packageId === wanted.packageId) : undefined;
    this.queue = current ? [current, ...lacking.filter((o) => o !== current)] : lacking;
    if (!current) this.wanted = null;
    this.askNext();
  }

  onChunk(frame: Frame<'package-chunk'>): void {
    const offer = this.queue[0];
    if (!this.wanted || this.wanted.packageId !== frame.packageId || this.wanted.index !== frame.index || offer?.packageId !== frame.packageId) return;
    this.wanted = null;
    const data = Buffer.from(frame.data, 'base64');
    const count = chunkCount(offer.size);
    const expected = frame.index === count - 1 ? offer.size - frame.index * PACKAGE_CHUNK_BYTES : PACKAGE_CHUNK_BYTES;
    if (data.length !== expected || sha256(data) !== frame.sha256) {
      // The chunk is not what the hub said it sent: keep nothing of it, and fetch nothing more of this package in this run.
      this.refuse(offer, 'PACKAGE_CHUNK_ALTERED', `chunk ${frame.index} of package ${offer.packageId} is ${data.length} bytes${data.length === expected ? ' with another hash than its frame says' : `, not ${expected}`}`);
      this.queue.shift();
      this.askNext();
      return;
    }
    this.db.transaction(() =>
      this.db.run(this.db.q.insertInto('seat_staging_chunks').values({ package_id: offer.packageId, idx: frame.index, data }).onConflict((oc) => oc.columns(['package_id', 'idx']).doNothing())),
    );
    this.askNext();
  }

  onRefused(frame: Frame<'package-refused'>): void {
    if (!this.wanted || this.wanted.packageId !== frame.packageId || this.wanted.index !== frame.index) return;
    // The hub no longer has it (or not that much of it): drop it from this session; a later offer says what it has.
    this.wanted = null;
    this.queue = this.queue.filter((o) => o.packageId !== frame.packageId);
    this.askNext();
  }

  /** Ask for the first chunk the first lacking package still needs; import a package whose chunks are all here. */
  private askNext(): void {
    while (this.send && !this.wanted && this.queue.length > 0) {
      const offer = this.queue[0]!;
      const have = new Set(this.db.all(this.db.q.selectFrom('seat_staging_chunks').select('idx').where('package_id', '=', offer.packageId)).map((r) => Number(r.idx)));
      let index = 0;
      while (have.has(index)) index += 1;
      if (index < chunkCount(offer.size)) {
        this.wanted = { packageId: offer.packageId, index };
        this.send({ type: 'package-want', packageId: offer.packageId, index });
        return;
      }
      this.queue.shift();
      this.finish(offer);
    }
  }

  /** Every chunk is here: the whole file checked against the offer, then imported, or refused whole. */
  private finish(offer: PackageOffer): void {
    const chunks = this.db.all(this.db.q.selectFrom('seat_staging_chunks').select('data').where('package_id', '=', offer.packageId).orderBy('idx')).map((r) => r.data);
    const file = Buffer.concat(chunks);
    if (file.length !== offer.size || sha256(file) !== offer.sha256) {
      this.refuse(offer, 'PACKAGE_CONTENT_ALTERED', `the file of package ${offer.packageId} as received does not match the hub's offer (its size or SHA-256)`);
      return;
    }
    try {
      this.importPackage(file);
    } catch (error) {
      this.refuse(offer, isCodedError(error) ? error.code : 'INTERNAL', error instanceof Error ? error.message : String(error));
      return;
    }
    this.db.transaction(() => this.forget(offer.packageId));
    if (this.refusal?.packageId === offer.packageId) this.refusal = null;
  }

  private refuse(offer: PackageOffer, code: string, detail: string): void {
    this.refused.set(offer.packageId, offer.sha256);
    this.refusal = { packageId: offer.packageId, text: `${code}: ${detail}`.slice(0, 200) };
    this.db.transaction(() => this.forget(offer.packageId));
  }

  private forget(packageId: string): void {
    this.db.run(this.db.q.deleteFrom('seat_staging_chunks').where('package_id', '=', packageId));
    this.db.run(this.db.q.deleteFrom('seat_staging').where('package_id', '=', packageId));
  }
}
