// The file storage under uploads: an append keeps apart a client that goes away (what reached the disk
// is kept and reported as interrupted) and a disk that refuses the bytes (thrown: the centre's fault).
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FileBlobStorage, UploadOverflow } from '../../src-server/uploads/storage.ts';
import { tempDir } from '../support/fixtures.ts';

const partFile = (root: string, uploadId: string) => join(root, 'uploads', `${uploadId}.part`);

describe('appending to an upload', () => {
  it('writes the source at the offset and reports its hash', async () => {
    const root = tempDir('exam-storage-');
    const storage = new FileBlobStorage(root);
    const uploadId = randomUUID();
    const data = randomBytes(100_000);
    expect(await storage.appendUpload(uploadId, 0, Readable.from([data.subarray(0, 40_000)]), 100_000)).toMatchObject({ written: 40_000, interrupted: false });
    expect(await storage.appendUpload(uploadId, 40_000, Readable.from([data.subarray(40_000, 70_000), data.subarray(70_000)]), 60_000)).toMatchObject({ written: 60_000, interrupted: false });
    expect(readFileSync(partFile(root, uploadId)).equals(data)).toBe(true);
    await expect(storage.appendUpload(uploadId, 100_000, Readable.from([randomBytes(10)]), 5)).rejects.toBeInstanceOf(UploadOverflow);
  });

  it('keeps what reached the disk when the source breaks off, and says it was interrupted', async () => {
    const root = tempDir('exam-storage-');
    const storage = new FileBlobStorage(root);
    const uploadId = randomUUID();
    const source = new PassThrough();
    const appended = storage.appendUpload(uploadId, 0, source, 1_000_000);
    source.write(randomBytes(30_000));
    await new Promise((r) => setTimeout(r, 50));
    source.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    const result = await appended;
    expect(result).toMatchObject({ interrupted: true, written: 30_000 });
    expect(readFileSync(partFile(root, uploadId))).toHaveLength(30_000);
  });

  it("throws the disk's own refusal (here ENOSPC) instead of calling the upload interrupted", async () => {
    const root = tempDir('exam-storage-');
    const storage = new FileBlobStorage(root);
    const uploadId = randomUUID();
    mkdirSync(join(root, 'uploads'), { recursive: true });
    // /dev/full refuses every write with ENOSPC: a disk that is full.
    symlinkSync('/dev/full', partFile(root, uploadId));
    await expect(storage.appendUpload(uploadId, 0, Readable.from([randomBytes(20_000)]), 1_000_000)).rejects.toMatchObject({ code: 'ENOSPC' });
    await expect(storage.appendUpload(uploadId, 4096, Readable.from([randomBytes(20_000)]), 1_000_000)).rejects.toMatchObject({ code: 'ENOSPC' });
  });
});
