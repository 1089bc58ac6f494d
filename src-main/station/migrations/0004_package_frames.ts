// Schema version 4: packages are kept frame by frame (one row per ciphertext chunk with its tag), so a
// large package is imported, stored and read without ever being held whole in memory. A package row
// is 'importing' until every frame is in and checked; a start finds and removes one a crash cut off.
// The key row keeps the archive index found when the package was first unlocked.
import type { Migration } from './index.ts';

/** The frame sizes of format 1 packages, written out here so this migration never changes with the code. */
const TAG_BYTES = 16;
const frameBytes = (manifest: { cipher: { chunkSize: number }; content: { size: number } }, i: number): number =>
  Math.min(manifest.cipher.chunkSize, manifest.content.size - i * manifest.cipher.chunkSize) + TAG_BYTES;

export const migration0004: Migration = {
  version: 4,
  name: 'package frames',
  up(db) {
    db.exec(`
      CREATE TABLE package_frames (
        package_id TEXT NOT NULL REFERENCES packages(package_id),
        idx INTEGER NOT NULL,
        frame BLOB NOT NULL,
        PRIMARY KEY (package_id, idx)
      ) STRICT;
      ALTER TABLE packages ADD COLUMN state TEXT NOT NULL DEFAULT 'ready' CHECK (state IN ('importing', 'ready'));
      ALTER TABLE package_keys ADD COLUMN archive_index TEXT;
    `);
    const insert = db.prepare('INSERT INTO package_frames (package_id, idx, frame) VALUES (?, ?, ?)');
    const one = db.prepare('SELECT package_id, manifest_json, ciphertext FROM packages WHERE package_id = ?');
    // One package at a time: a station's packages are not all held in memory at once.
    for (const { package_id } of db.prepare('SELECT package_id FROM packages').all() as { package_id: string }[]) {
      const row = one.get(package_id) as { package_id: string; manifest_json: string; ciphertext: Buffer };
      const manifest = JSON.parse(row.manifest_json) as { cipher: { chunkSize: number }; content: { size: number } };
      let at = 0;
      for (let i = 0; at < row.ciphertext.length; i += 1) {
        const size = frameBytes(manifest, i);
        insert.run(row.package_id, i, row.ciphertext.subarray(at, at + size));
        at += size;
      }
    }
    db.exec('ALTER TABLE packages DROP COLUMN ciphertext');
  },
};
