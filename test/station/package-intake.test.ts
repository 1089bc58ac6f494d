// Packages come in from the console without a path (issue 10 §5): the bytes of a file the person
// picked, in chunks (a chunk sent twice is taken once, a gap or a damaged chunk refused, the size
// limit before a byte is sent, cancel leaves nothing), kept in the data folder until every byte is in
// and only then imported by a job the screen follows; two screens uploading at once do not mix; the
// import checks say what is wrong in both languages; and package files on removable media, listed
// by the station under its configured roots and picked by id, never by path.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStationHandler } from '../../src-main/station/dispatch.ts';
import type { StationService } from '../../src-main/station/service.ts';
import { PACKAGE_CHUNK_BYTES, type Caller, type PackageImportJob } from '../../src-shared/contracts/station-api.ts';
import { buildMiniPackage, makeKeys, openTestStation, tempDir, TEST_STAFF, type TestStation } from '../support/fixtures.ts';
import { refusal } from '../support/refusal.ts';

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const SCREEN_B: Caller = { clientId: 'console-b', surfaces: ['public', 'staff'] };

/** The file in chunks of `size` bytes, as the console sends them. */
function chunksOf(file: Uint8Array, size = 1024): { index: number; data: Uint8Array<ArrayBuffer>; sha256: string }[] {
  const chunks = [];
  for (let index = 0, at = 0; at < file.byteLength; index += 1, at += size) {
    const data = new Uint8Array(file.subarray(at, at + size));
    chunks.push({ index, data, sha256: sha(data) });
  }
  return chunks;
}

async function upload(service: StationService, staffToken: string, file: Uint8Array, caller?: Caller): Promise<PackageImportJob> {
  const { uploadId } = await service.beginPackageUpload({ staffToken, fileName: 'paketes/a2.exampkg', size: file.byteLength }, caller);
  for (const chunk of chunksOf(file)) await service.appendPackageChunk({ staffToken, uploadId, ...chunk }, caller);
  const job = await service.finishPackageUpload({ staffToken, uploadId }, caller);
  return service.packageImportSettled(job.jobId);
}

const uploadsOf = (station: TestStation): string[] => (existsSync(join(station.dir, 'package-uploads')) ? readdirSync(join(station.dir, 'package-uploads')) : []);

describe('a package uploaded from the console in chunks', () => {
  it('is imported once every chunk is in; a chunk or the finish sent again is taken once; the upload file goes; begin and end are audited', async () => {
    const station = await openTestStation();
    const { service, staffToken } = station;
    const built = buildMiniPackage(station.keys);
    const chunks = chunksOf(built.file);
    expect(chunks.length).toBeGreaterThan(3);
    const begun = await service.beginPackageUpload({ staffToken, fileName: 'a2.exampkg', size: built.file.length });
    expect(begun).toMatchObject({ chunkBytes: PACKAGE_CHUNK_BYTES, maxBytes: 1024 * 1024 * 1024 });
    const { uploadId } = begun;
    expect(await service.appendPackageChunk({ staffToken, uploadId, ...chunks[0]! })).toEqual({ uploadId, index: 0, receivedBytes: 1024, size: built.file.length, duplicate: false });
    // The reply was lost; the console sends chunk 0 again: taken once, the count does not move.
    expect(await service.appendPackageChunk({ staffToken, uploadId, ...chunks[0]! })).toMatchObject({ index: 0, receivedBytes: 1024, duplicate: true });
    for (const chunk of chunks.slice(1)) await service.appendPackageChunk({ staffToken, uploadId, ...chunk });
    // While the upload is open its bytes are in the data folder, in a file of its own, not yet a package.
    expect(uploadsOf(station)).toEqual([`${uploadId}.upload`]);
    expect((await service.listPackages({ staffToken })).map((p) => p.packageId)).not.toContain(built.manifest.packageId);
    const job = await service.finishPackageUpload({ staffToken, uploadId });
    expect(job).toMatchObject({ state: 'running', fileName: 'a2.exampkg', totalBytes: built.file.length, result: null, error: null });
    // The finish's reply was lost and the console sends it again: the same job, not a second import.
    expect(await service.finishPackageUpload({ staffToken, uploadId })).toMatchObject({ jobId: job.jobId });
    const ended = await service.packageImportSettled(job.jobId);
    expect(ended).toMatchObject({ state: 'done', doneBytes: built.file.length, result: { summary: { packageId: built.manifest.packageId, title: 'Mazais A2 tests' }, alreadyImported: false }, error: null });
    expect(await service.getPackageImport({ staffToken, jobId: job.jobId })).toEqual(ended);
    expect((await service.listPackages({ staffToken })).map((p) => p.packageId)).toContain(built.manifest.packageId);
    expect(uploadsOf(station)).toEqual([]);
    // The imported package is whole: its key opens it.
    expect(await service.unlockPackage({ staffToken, packageId: built.manifest.packageId, key: built.contentKey })).toMatchObject({ unlocked: true });
    const audit = await service.listAudit({ staffToken, afterSeq: 0, limit: 500 });
    expect(audit.filter((e) => e.action.startsWith('package.')).map((e) => [e.action, e.actor])).toEqual(
      expect.arrayContaining([
        ['package.upload.begun', TEST_STAFF.username],
        ['package.imported', TEST_STAFF.username],
      ]),
    );
    expect(audit.filter((e) => e.action === 'package.imported').at(-1)?.details).toMatchObject({ fileName: 'a2.exampkg', alreadyImported: false });
    service.close();
  });

  it('refuses a damaged chunk, a gap, other bytes under a taken index, more bytes than announced, and a finish before the last byte; the upload goes on after each', async () => {
    const station = await openTestStation();
    const { service, staffToken } = station;
    const built = buildMiniPackage(station.keys);
    const chunks = chunksOf(built.file);
    const { uploadId } = await service.beginPackageUpload({ staffToken, fileName: 'a2.exampkg', size: built.file.length });
    await service.appendPackageChunk({ staffToken, uploadId, ...chunks[0]! });
    expect(await refusal(service.appendPackageChunk({ staffToken, uploadId, ...chunks[1]!, sha256: sha(new Uint8Array([1])) }))).toBe('UPLOAD_CHUNK_CHECKSUM_MISMATCH');
    expect(await refusal(service.appendPackageChunk({ staffToken, uploadId, ...chunks[2]! }))).toBe('UPLOAD_CHUNK_OUT_OF_ORDER');
    const other = new Uint8Array(1024).fill(7);
    expect(await refusal(service.appendPackageChunk({ staffToken, uploadId, index: 0, data: other, sha256: sha(other) }))).toBe('UPLOAD_CHUNK_CONFLICT');
    expect(await refusal(service.finishPackageUpload({ staffToken, uploadId }))).toBe('UPLOAD_INCOMPLETE');
    for (const chunk of chunks.slice(1)) await service.appendPackageChunk({ staffToken, uploadId, ...chunk });
    const extra = new Uint8Array([0]);
    expect(await refusal(service.appendPackageChunk({ staffToken, uploadId, index: chunks.length, data: extra, sha256: sha(extra) }))).toBe('UPLOAD_TOO_LARGE');
    const job = await service.finishPackageUpload({ staffToken, uploadId });
    expect(await service.packageImportSettled(job.jobId)).toMatchObject({ state: 'done' });
    // A finished upload is closed: nothing more is taken under its id.
    expect(await refusal(service.appendPackageChunk({ staffToken, uploadId, ...chunks[0]! }))).toBe('UPLOAD_NOT_FOUND');
    service.close();
  });

  it('is refused PACKAGE_TOO_LARGE before a byte is sent when the file is over the limit (maxPackageBytes)', async () => {
    const station = await openTestStation({ maxPackageBytes: 64 * 1024 });
    expect(await refusal(station.service.beginPackageUpload({ staffToken: station.staffToken, fileName: 'big.exampkg', size: 64 * 1024 + 1 }))).toBe('PACKAGE_TOO_LARGE');
    expect(uploadsOf(station)).toEqual([]);
    // The contract bounds a chunk too: more than PACKAGE_CHUNK_BYTES is refused at the boundary.
    const handler = createStationHandler(station.service);
    const { uploadId } = await station.service.beginPackageUpload({ staffToken: station.staffToken, fileName: 'a.exampkg', size: 1000 });
    const big = new Uint8Array(PACKAGE_CHUNK_BYTES + 1);
    expect(await handler('appendPackageChunk', { staffToken: station.staffToken, uploadId, index: 0, data: big, sha256: sha(big) }, { clientId: 'in-process', surfaces: ['staff'] })).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    station.service.close();
  });

  it('cancelled, leaves nothing: the upload file goes and its id is closed; an import job cancelled mid-way stores nothing', async () => {
    const station = await openTestStation();
    const { service, staffToken } = station;
    const built = buildMiniPackage(station.keys);
    const chunks = chunksOf(built.file);
    const first = await service.beginPackageUpload({ staffToken, fileName: 'a2.exampkg', size: built.file.length });
    await service.appendPackageChunk({ staffToken, uploadId: first.uploadId, ...chunks[0]! });
    expect(await service.cancelPackageUpload({ staffToken, uploadId: first.uploadId })).toEqual({ ok: true });
    expect(uploadsOf(station)).toEqual([]);
    expect(await refusal(service.appendPackageChunk({ staffToken, uploadId: first.uploadId, ...chunks[1]! }))).toBe('UPLOAD_NOT_FOUND');

    const { uploadId } = await service.beginPackageUpload({ staffToken, fileName: 'a2.exampkg', size: built.file.length });
    for (const chunk of chunks) await service.appendPackageChunk({ staffToken, uploadId, ...chunk });
    const job = await service.finishPackageUpload({ staffToken, uploadId });
    expect(await service.cancelPackageImport({ staffToken, jobId: job.jobId })).toMatchObject({ state: 'running' });
    const ended = await service.packageImportSettled(job.jobId);
    expect(ended).toMatchObject({ state: 'cancelled', result: null, error: { code: 'IMPORT_CANCELLED', message: { lv: 'Importēšana atcelta. Nekas netika saglabāts.', en: 'The import was cancelled. Nothing was stored.' } } });
    expect(ended.doneBytes).toBeLessThan(built.file.length);
    expect((await service.listPackages({ staffToken })).map((p) => p.packageId)).not.toContain(built.manifest.packageId);
    expect(service.db.get(service.db.q.selectFrom('package_frames').select((eb) => eb.fn.countAll<number>().as('n')).where('package_id', '=', built.manifest.packageId))?.n).toBe(0);
    expect(uploadsOf(station)).toEqual([]);
    // Cancelled is not refused for good: the same file imports afterwards.
    expect(await upload(service, staffToken, built.file)).toMatchObject({ state: 'done' });
    service.close();
  });

  it('from two screens at once does not mix: each screen has its own upload and job, and neither reaches the other', async () => {
    const station = await openTestStation();
    const { service, staffToken } = station;
    const { staffToken: tokenB } = await service.staffSignIn(TEST_STAFF, SCREEN_B);
    const a = buildMiniPackage(station.keys);
    const b = buildMiniPackage(station.keys);
    const chunksA = chunksOf(a.file);
    const chunksB = chunksOf(b.file);
    const upA = await service.beginPackageUpload({ staffToken, fileName: 'a.exampkg', size: a.file.length });
    const upB = await service.beginPackageUpload({ staffToken: tokenB, fileName: 'b.exampkg', size: b.file.length }, SCREEN_B);
    // Interleaved, chunk by chunk, as two consoles sending at the same time.
    for (let i = 0; i < Math.max(chunksA.length, chunksB.length); i += 1) {
      if (chunksA[i]) await service.appendPackageChunk({ staffToken, uploadId: upA.uploadId, ...chunksA[i]! });
      if (chunksB[i]) await service.appendPackageChunk({ staffToken: tokenB, uploadId: upB.uploadId, ...chunksB[i]! }, SCREEN_B);
    }
    // An upload id is the screen's own: from the other screen it is not found.
    expect(await refusal(service.appendPackageChunk({ staffToken: tokenB, uploadId: upA.uploadId, ...chunksA[0]! }, SCREEN_B))).toBe('UPLOAD_NOT_FOUND');
    expect(await refusal(service.finishPackageUpload({ staffToken: tokenB, uploadId: upA.uploadId }, SCREEN_B))).toBe('UPLOAD_NOT_FOUND');
    const jobA = await service.finishPackageUpload({ staffToken, uploadId: upA.uploadId });
    const jobB = await service.finishPackageUpload({ staffToken: tokenB, uploadId: upB.uploadId }, SCREEN_B);
    expect(await refusal(service.getPackageImport({ staffToken: tokenB, jobId: jobA.jobId }, SCREEN_B))).toBe('NOT_FOUND');
    const [endA, endB] = await Promise.all([service.packageImportSettled(jobA.jobId), service.packageImportSettled(jobB.jobId)]);
    expect(endA).toMatchObject({ state: 'done', result: { summary: { packageId: a.manifest.packageId } } });
    expect(endB).toMatchObject({ state: 'done', result: { summary: { packageId: b.manifest.packageId } } });
    // Both whole: each opens with its own key.
    await service.unlockPackage({ staffToken, packageId: a.manifest.packageId, key: a.contentKey });
    await service.unlockPackage({ staffToken, packageId: b.manifest.packageId, key: b.contentKey });
    service.close();
  });

  it('the same package from two screens at once is stored once and whole: the second import is UPLOAD_BUSY or finds it imported', async () => {
    const station = await openTestStation();
    const { service, staffToken } = station;
    const { staffToken: tokenB } = await service.staffSignIn(TEST_STAFF, SCREEN_B);
    const built = buildMiniPackage(station.keys);
    const [endA, endB] = await Promise.all([upload(service, staffToken, built.file), upload(service, tokenB, built.file, SCREEN_B)]);
    const outcomes = [endA, endB].map((e) => (e.state === 'done' ? `done:${e.result?.alreadyImported}` : e.error?.code));
    expect(outcomes).toContain('done:false');
    expect(outcomes.filter((o) => o !== 'done:false').every((o) => o === 'UPLOAD_BUSY' || o === 'done:true')).toBe(true);
    expect(await service.unlockPackage({ staffToken, packageId: built.manifest.packageId, key: built.contentKey })).toMatchObject({ unlocked: true });
    service.close();
  });

  it('says why a package is refused, in Latvian and English, and stores nothing: an unknown signer, a broken signature, altered content, not a package', async () => {
    const station = await openTestStation();
    const { service, staffToken } = station;
    const stranger = buildMiniPackage(makeKeys('stranger-key'));
    const tampered = Buffer.from(buildMiniPackage(station.keys).file);
    tampered[20] = tampered[20]! ^ 1;
    const altered = Buffer.from(buildMiniPackage(station.keys).file);
    altered[altered.length - 10] = altered[altered.length - 10]! ^ 1;
    const cases: [Uint8Array, string][] = [
      [stranger.file, 'PACKAGE_SIGNER_UNKNOWN'],
      [tampered, 'PACKAGE_SIGNATURE_INVALID'],
      [altered, 'PACKAGE_CONTENT_ALTERED'],
      [new TextEncoder().encode('not a package at all, just some text'), 'PACKAGE_MALFORMED'],
    ];
    const before = (await service.listPackages({ staffToken })).length;
    for (const [file, code] of cases) {
      const ended = await upload(service, staffToken, file);
      expect(ended, code).toMatchObject({ state: 'failed', result: null, error: { code } });
      expect(ended.error!.message.lv.length).toBeGreaterThan(20);
      expect(ended.error!.message.en).not.toBe(ended.error!.message.lv);
    }
    expect((await service.listPackages({ staffToken })).length).toBe(before);
    expect(uploadsOf(station)).toEqual([]);
    const audit = await service.listAudit({ staffToken, afterSeq: 0, limit: 500 });
    expect(audit.filter((e) => e.action === 'package.import.failed').map((e) => e.details.code)).toEqual(cases.map(([, code]) => code));
    service.close();
  });

  it('left open when the station stopped is gone at the next start (nothing half-sent is ever imported)', async () => {
    const station = await openTestStation();
    const built = buildMiniPackage(station.keys);
    const { uploadId } = await station.service.beginPackageUpload({ staffToken: station.staffToken, fileName: 'a2.exampkg', size: built.file.length });
    await station.service.appendPackageChunk({ staffToken: station.staffToken, uploadId, ...chunksOf(built.file)[0]! });
    // A crash: the database is closed under the service, the upload file stays behind.
    station.service.db.close();
    expect(uploadsOf(station)).toEqual([`${uploadId}.upload`]);
    const again = station.reopen();
    expect(uploadsOf(station)).toEqual([]);
    const { staffToken } = await again.staffSignIn(TEST_STAFF);
    expect((await again.listPackages({ staffToken })).map((p) => p.packageId)).not.toContain(built.manifest.packageId);
    again.close();
  });
});

describe('package files on removable media', () => {
  /** /media/USER/DRIVE as Linux mounts a USB drive, under a temporary root, and a folder the IT policy names. */
  function drives(station: TestStation) {
    const root = tempDir('exam-station-media-');
    const drive = join(root, 'media', 'anna', 'KINGSTON');
    mkdirSync(join(drive, 'RIX01', 'deeper'), { recursive: true });
    const a = buildMiniPackage(station.keys);
    const b = buildMiniPackage(station.keys);
    writeFileSync(join(drive, 'a2.exampkg'), a.file);
    writeFileSync(join(drive, 'RIX01', 'b1.EXAMPKG'), b.file);
    writeFileSync(join(drive, 'RIX01', 'deeper', 'too-deep.exampkg'), b.file);
    writeFileSync(join(drive, 'notes.txt'), 'not a package');
    writeFileSync(join(drive, '.hidden.exampkg'), a.file);
    // A link named like a package could lead anywhere on this machine: not offered.
    symlinkSync('/etc/hostname', join(drive, 'link.exampkg'));
    // A drive mounted straight under the root, as Debian's usbmount does.
    mkdirSync(join(root, 'media', 'usb0'));
    writeFileSync(join(root, 'media', 'usb0', 'b1.exampkg'), b.file);
    const policyFolder = join(root, 'it-folder');
    mkdirSync(policyFolder);
    writeFileSync(join(policyFolder, 'mat9.exampkg'), a.file);
    return { root, drive, a, b, sources: { mediaRoots: [join(root, 'media')], folders: [policyFolder] } };
  }

  it('are listed from the configured roots (top level and one folder down, regular files only) and imported by id with progress', async () => {
    const probe = await openTestStation();
    const media = drives(probe);
    probe.service.close();
    const station = probe.reopen({ packageSources: media.sources });
    const { staffToken } = await station.staffSignIn(TEST_STAFF);
    const listed = await station.listPackageSources({ staffToken });
    expect(listed.map((s) => [s.volume, s.fileName]).sort()).toEqual([
      ['KINGSTON', 'RIX01/b1.EXAMPKG'],
      ['KINGSTON', 'a2.exampkg'],
      ['it-folder', 'mat9.exampkg'],
      ['usb0', 'b1.exampkg'],
    ]);
    expect(listed.every((s) => /^[0-9a-f]{32}$/.test(s.sourceId) && !JSON.stringify(s).includes(media.root))).toBe(true);
    const a2 = listed.find((s) => s.fileName === 'a2.exampkg')!;
    expect(a2.size).toBe(media.a.file.length);
    const job = await station.importPackageSource({ staffToken, sourceId: a2.sourceId });
    expect(job).toMatchObject({ state: 'running', fileName: 'a2.exampkg', totalBytes: media.a.file.length });
    const seen: number[] = [];
    let now = job;
    while (now.state === 'running') {
      seen.push(now.doneBytes);
      await new Promise((resolve) => setImmediate(resolve));
      now = await station.getPackageImport({ staffToken, jobId: job.jobId });
    }
    expect(now).toMatchObject({ state: 'done', doneBytes: media.a.file.length, result: { summary: { packageId: media.a.manifest.packageId } } });
    // Progress grew in steps the screen could show: part of the file before the end.
    expect(seen.some((bytes) => bytes > 0 && bytes < media.a.file.length)).toBe(true);
    const audit = await station.listAudit({ staffToken, afterSeq: 0, limit: 500 });
    expect(audit.filter((e) => e.action === 'package.import.begun').at(-1)?.details).toMatchObject({ from: 'removable-media', fileName: 'a2.exampkg' });
    station.close();
  });

  it('takes only an id of its own listing: a changed file, an unknown id, a path are refused', async () => {
    const probe = await openTestStation();
    const media = drives(probe);
    probe.service.close();
    const station = probe.reopen({ packageSources: media.sources });
    const { staffToken } = await station.staffSignIn(TEST_STAFF);
    const a2 = (await station.listPackageSources({ staffToken })).find((s) => s.fileName === 'a2.exampkg')!;
    // The drive's file was replaced since the listing: the id named the file as it was.
    writeFileSync(join(media.drive, 'a2.exampkg'), media.b.file);
    expect(await refusal(station.importPackageSource({ staffToken, sourceId: a2.sourceId }))).toBe('PACKAGE_SOURCE_GONE');
    expect(await refusal(station.importPackageSource({ staffToken, sourceId: 'f'.repeat(32) }))).toBe('PACKAGE_SOURCE_GONE');
    const handler = createStationHandler(station);
    const desk: Caller = { clientId: 'in-process', surfaces: ['staff'] };
    expect(await handler('importPackageSource', { staffToken, sourceId: join(media.drive, 'a2.exampkg') }, desk)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    // No method of the station API takes a path any more.
    expect(await handler('importPackage', { staffToken, path: join(media.drive, 'a2.exampkg') }, desk)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    station.close();
  });
});
