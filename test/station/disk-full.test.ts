import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CodedError, StationError } from '../../src-shared/errors.ts';
import { StationService } from '../../src-main/station/service.ts';
import { DEMO_CANDIDATE, DEMO_SESSION, TEST_STAFF, TEST_STAFF_OPTIONS, buildMiniPackage, makeKeys, openTestStation, saveId, tempDir, seatOf } from '../support/fixtures.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    if (error instanceof CodedError) return error.code;
    throw error;
  }
}

describe('a full disk: a clear error, nothing acknowledged is lost, work resumes when space returns', () => {
  it('while saving answers (SQLite page limit injected)', async () => {
    const { service, built, staffToken } = await openTestStation();
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    await service.recordTimerEvent({ ...seat, partId: 'writing', kind: 'start' });
    const pages = service.db.sqlite.pragma('page_count', { simple: true }) as number;
    service.db.sqlite.pragma(`max_page_count = ${pages + 8}`);
    const acknowledged: string[] = [];
    let failure: StationError | undefined;
    for (let i = 0; i < 500 && !failure; i += 1) {
      const text = `${i} ${'Šis ir garš teksts. '.repeat(100)}`;
      try {
        await service.saveResponse({ ...seat, itemId: 'w1-q1', value: { type: 'extended-writing', text }, clientSaveId: saveId() });
        acknowledged.push(text);
      } catch (error) {
        failure = error as StationError;
      }
    }
    expect(failure?.code).toBe('DISK_FULL');
    expect(failure?.text.lv).toMatch(/disks ir pilns/);
    expect(failure?.text.en).toMatch(/NOT saved/);
    expect(acknowledged.length).toBeGreaterThan(0);
    const view = await service.getAttempt(seat);
    expect(view.responses[0]).toMatchObject({ revision: acknowledged.length, value: { text: acknowledged.at(-1) } });

    service.db.sqlite.pragma('max_page_count = 1073741823');
    const after = await service.saveResponse({ ...seat, itemId: 'w1-q1', value: { type: 'extended-writing', text: 'atkal strādā' }, clientSaveId: saveId() });
    expect(after.revision).toBe(acknowledged.length + 1);
    const seqs = (await service.readOutbox({ staffToken, afterSeq: 0, limit: 10_000 })).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it('while appending audio (SQLite page limit injected)', async () => {
    const { service, built, staffToken } = await openTestStation();
    const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
    await service.recordTimerEvent({ ...seat, partId: 'speaking', kind: 'start' });
    const { recordingId } = await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    const pages = service.db.sqlite.pragma('page_count', { simple: true }) as number;
    service.db.sqlite.pragma(`max_page_count = ${pages + 20}`);
    const stored: Buffer[] = [];
    let code = 'ok';
    while (code === 'ok' && stored.length < 200) {
      const data = randomBytes(8192);
      code = await codeOf(service.appendAudioSegment({ ...seat, recordingId, index: stored.length, data, sha256: sha(data), durationMs: 1000 }));
      if (code === 'ok') stored.push(data);
    }
    expect(code).toBe('DISK_FULL');
    service.db.sqlite.pragma('max_page_count = 1073741823');
    const last = randomBytes(8192);
    await service.appendAudioSegment({ ...seat, recordingId, index: stored.length, data: last, sha256: sha(last), durationMs: 1000 });
    const closed = await service.closeRecording({ ...seat, recordingId });
    expect(closed.sha256).toBe(sha(Buffer.concat([...stored, last])));
  });

  describe('on a real, tiny file system', () => {
    const mountPoint = join(tempDir(), 'tiny');
    mkdirSync(mountPoint);
    const isRoot = process.getuid?.() === 0;
    const mounted = isRoot && spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mountPoint]).status === 0;
    afterAll(() => {
      if (mounted) execFileSync('umount', ['-l', mountPoint]);
    });

    // Mounting needs root; CI runs as root. Elsewhere the page-limit tests above cover the same paths.
    it.runIf(mounted)('fills a 3 MB tmpfs with audio: ENOSPC is refused clearly, every acknowledged segment survives a reopen', async () => {
      const keys = makeKeys();
      const built = buildMiniPackage(keys);
      const dbPath = join(mountPoint, 'station.db');
      const open = () => new StationService({ dbPath, role: 'solo', venueCode: 'RIX01', trust: keys.trust, heartbeatMs: 0, ...TEST_STAFF_OPTIONS });
      let service = open();
      const { staffToken } = await service.staffSignIn(TEST_STAFF);
      service.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE] });
      service.importPackageBytes(built.file);
      await service.unlockPackage({ staffToken, packageId: built.manifest.packageId, key: built.contentKey });
      const seat = seatOf(await service.openAttempt({ staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId }));
      await service.recordTimerEvent({ ...seat, partId: 'speaking', kind: 'start' });
      const { recordingId } = await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm' });
      // Something else on the machine takes most of the space.
      const filler = join(mountPoint, 'filler.bin');
      writeFileSync(filler, Buffer.alloc(1024 * 1024));
      const stored: Buffer[] = [];
      let code = 'ok';
      while (code === 'ok' && stored.length < 1000) {
        const data = randomBytes(8192);
        code = await codeOf(service.appendAudioSegment({ ...seat, recordingId, index: stored.length, data, sha256: sha(data), durationMs: 1000 }));
        if (code === 'ok') stored.push(data);
      }
      expect(['DISK_FULL', 'STORAGE_IO']).toContain(code);
      expect(stored.length).toBeGreaterThan(10);
      service.close();
      rmSync(filler);
      service = open();
      const view = await service.getAttempt(seat);
      expect(view.recordings[0]).toMatchObject({ segmentCount: stored.length, closed: false });
      const closed = await service.closeRecording({ ...seat, recordingId });
      expect(closed.sha256).toBe(sha(Buffer.concat(stored)));
      service.close();
    });
  });
});
