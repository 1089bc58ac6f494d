import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeContainer } from '../../../src-shared/node/package/container.ts';
import { sha256Hex } from '../../../src-shared/node/package/crypto.ts';
import { migrate } from '../../../src-main/station/migrations/index.ts';
import { StationService } from '../../../src-main/station/service.ts';
import { buildMiniPackage, makeKeys, tempDir, TEST_STAFF, TEST_STAFF_OPTIONS } from '../../support/fixtures.ts';

describe('migration 0004: package frames', () => {
  it('moves each stored ciphertext into frames, and a package unlocked before opens after it', async () => {
    const keys = makeKeys();
    const built = buildMiniPackage(keys);
    const { manifest, manifestBytes, signature, ciphertext } = decodeContainer(built.file);
    const path = join(tempDir(), 'station.db');
    const v3 = new Database(path);
    migrate(v3, 3);
    v3.prepare(
      `INSERT INTO packages (package_id, exam_id, exam_version, title, venue, valid_from, valid_until, signing_key_id, manifest_json, signature, ciphertext, file_sha256, imported_at)
       VALUES (?, ?, 1, ?, 'any', ?, ?, ?, ?, ?, ?, ?, '2026-11-01T00:00:00Z')`,
    ).run(manifest.packageId, manifest.examId, manifest.title, manifest.validFrom, manifest.validUntil, manifest.signingKeyId, manifestBytes.toString('utf8'), signature, ciphertext, sha256Hex(built.file));
    v3.prepare("INSERT INTO package_keys (package_id, content_key, released_at) VALUES (?, ?, '2026-11-01T00:00:00Z')").run(manifest.packageId, built.contentKey);
    expect(migrate(v3, 4)).toBe(4);
    const frames = v3.prepare('SELECT frame FROM package_frames WHERE package_id = ? ORDER BY idx').all(manifest.packageId) as { frame: Buffer }[];
    expect(frames).toHaveLength(manifest.cipher.chunkCount);
    expect(Buffer.concat(frames.map((f) => f.frame)).equals(ciphertext)).toBe(true);
    expect((v3.prepare('PRAGMA table_info(packages)').all() as { name: string }[]).map((c) => c.name)).not.toContain('ciphertext');
    v3.close();

    const service = new StationService({ dbPath: path, role: 'solo', venueCode: 'RIX01', trust: keys.trust, heartbeatMs: 0, ...TEST_STAFF_OPTIONS });
    const { staffToken } = await service.staffSignIn(TEST_STAFF);
    expect(await service.listPackages({ staffToken })).toEqual([expect.objectContaining({ packageId: manifest.packageId, unlocked: true })]);
    service.close();
  });
});
