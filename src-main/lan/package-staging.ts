// The hub's side of package pre-staging (src-shared/contracts/room-protocol.ts): the packages this hub
// holds, offered to its seats as the files they were imported from, and those files cut into chunks on
// request. The file is rebuilt from what the station stores (the signed head and the ciphertext frames,
// src-main/station/records/packages.ts), so it is the same file byte for byte: its SHA-256 is the one
// taken at the import. Only ciphertext leaves this way; a content key goes only with 'key-release'.
import { createHash } from 'node:crypto';
import { PACKAGE_CHUNK_BYTES, ROOM_OFFER_MAX_PACKAGES, type PackageOffer } from '../../src-shared/contracts/room-protocol.ts';
import { encodeContainer } from '../../src-shared/node/package/container.ts';
import type { StationDatabase } from '../station/database.ts';

interface Layout {
  sha256: string;
  size: number;
  /** Magic, lengths, the signed manifest and its signature: the file up to the ciphertext. */
  head: Buffer;
  /** Where each ciphertext frame starts in the file, and its length, in order. */
  frames: { idx: number; start: number; length: number }[];
}

export class HubPackages {
  private readonly db: StationDatabase;
  private readonly layouts = new Map<string, Layout>();

  constructor(db: StationDatabase) {
    this.db = db;
  }

  /** What the hub offers: every package it holds that is not past its validity. */
  offer(now: Date): PackageOffer[] {
    const rows = this.db.all(
      this.db.q
        .selectFrom('packages')
        .select(['package_id', 'file_sha256'])
        .where('state', '=', 'ready')
        .where('valid_until', '>', now.toISOString())
        .orderBy('imported_at')
        .orderBy('package_id')
        .limit(ROOM_OFFER_MAX_PACKAGES),
    );
    return rows.map((row) => {
      const layout = this.layout(row.package_id, row.file_sha256);
      return { packageId: row.package_id, sha256: layout.sha256, size: layout.size };
    });
  }

  /** Chunk `index` of a package's file with its SHA-256, or null if the hub has no such chunk. */
  chunk(packageId: string, index: number): { sha256: string; data: Buffer } | null {
    const row = this.db.get(this.db.q.selectFrom('packages').select('file_sha256').where('package_id', '=', packageId).where('state', '=', 'ready'));
    if (!row) return null;
    const layout = this.layout(packageId, row.file_sha256);
    const from = index * PACKAGE_CHUNK_BYTES;
    if (from >= layout.size) return null;
    const to = Math.min(from + PACKAGE_CHUNK_BYTES, layout.size);
    const parts: Buffer[] = [];
    if (from < layout.head.length) parts.push(layout.head.subarray(from, Math.min(to, layout.head.length)));
    for (const frame of layout.frames) {
      const end = frame.start + frame.length;
      if (end <= from || frame.start >= to) continue;
      const bytes = this.db.get(this.db.q.selectFrom('package_frames').select('frame').where('package_id', '=', packageId).where('idx', '=', frame.idx))!.frame;
      parts.push(bytes.subarray(Math.max(0, from - frame.start), Math.min(frame.length, to - frame.start)));
    }
    const data = Buffer.concat(parts);
    return { sha256: createHash('sha256').update(data).digest('hex'), data };
  }

  /** Where the bytes of a package's file are, worked out once per package (and again if it was imported anew). */
  private layout(packageId: string, fileSha256: string): Layout {
    const known = this.layouts.get(packageId);
    if (known && known.sha256 === fileSha256) return known;
    const row = this.db.get(this.db.q.selectFrom('packages').select(['manifest_json', 'signature']).where('package_id', '=', packageId))!;
    const head = encodeContainer(Buffer.from(row.manifest_json, 'utf8'), row.signature, Buffer.alloc(0));
    const lengths = this.db.all(
      this.db.q
        .selectFrom('package_frames')
        .select((eb) => ['idx', eb.fn<number>('length', ['frame']).as('length')])
        .where('package_id', '=', packageId)
        .orderBy('idx'),
    );
    let at = head.length;
    const frames = lengths.map((f) => {
      const frame = { idx: Number(f.idx), start: at, length: Number(f.length) };
      at += frame.length;
      return frame;
    });
    const layout: Layout = { sha256: fileSha256, size: at, head, frames };
    this.layouts.set(packageId, layout);
    return layout;
  }
}
