// The station in its own process (issue 8.4): the supervisor relays calls and replies unchanged,
// restarts the station process when it dies without losing anything acknowledged, answers a call cut
// off by the crash with STATION_RESTARTING, and does not restart a station that cannot open.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStationConfig } from '../../src-main/host/config.ts';
import { openStation } from '../../src-main/host/start.ts';
import { forkStation, StationSupervisor } from '../../src-main/host/supervisor.ts';
import { PACKAGE_CHUNK_BYTES } from '../../src-shared/contracts/station-api.ts';
import { StationError } from '../../src-shared/errors.ts';
import { buildMiniPackage, DEMO_CANDIDATE, DEMO_SESSION, makeKeys, saveId, tempDir, TEST_CHIEF_ENV, TEST_ONE_TIME_PASSWORD, TEST_STAFF, writeProductionAssets } from '../support/fixtures.ts';

const solo = { clientId: 'test-screen', surfaces: ['public', 'staff', 'candidate'] as const };
const running: StationSupervisor[] = [];
afterEach(async () => {
  for (const s of running.splice(0)) await s.stop();
});

/** A production station with the mini exam's signer in its shipped trust list. */
function productionStation(extra: Record<string, string> = {}) {
  const dir = tempDir();
  const keys = makeKeys();
  const built = buildMiniPackage(keys);
  writeFileSync(join(dir, 'mini.exampkg'), built.file);
  const env = { EXAM_STATION_POLICY: 'none', EXAM_STATION_MODE: 'production', EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: join(dir, 'station'), EXAM_STATION_ASSETS: writeProductionAssets(dir, keys.trust), ...TEST_CHIEF_ENV, ...extra };
  const supervisor = new StationSupervisor(forkStation(env), { restartDelaysMs: [50] });
  running.push(supervisor);
  return { supervisor, dir, built, env };
}

async function call<T>(supervisor: StationSupervisor, method: string, input: unknown): Promise<T> {
  const reply = await supervisor.handler(method, input, solo);
  if (!reply.ok) throw StationError.fromBody(reply.error);
  return reply.value as T;
}

/** Upload `file` through the supervisor as a console does and wait for its import job to end. */
async function uploadThrough(supervisor: StationSupervisor, staffToken: string, file: Buffer): Promise<void> {
  const { uploadId } = await call<{ uploadId: string }>(supervisor, 'beginPackageUpload', { staffToken, fileName: 'mini.exampkg', size: file.length });
  for (let index = 0, at = 0; at < file.length; index += 1, at += PACKAGE_CHUNK_BYTES) {
    const data = new Uint8Array(file.subarray(at, at + PACKAGE_CHUNK_BYTES));
    await call(supervisor, 'appendPackageChunk', { staffToken, uploadId, index, data, sha256: createHash('sha256').update(data).digest('hex') });
  }
  let job = await call<{ jobId: string; state: string }>(supervisor, 'finishPackageUpload', { staffToken, uploadId });
  while (job.state === 'running') {
    await new Promise((resolve) => setTimeout(resolve, 20));
    job = await call(supervisor, 'getPackageImport', { staffToken, jobId: job.jobId });
  }
  expect(job).toMatchObject({ state: 'done', error: null });
}

describe('the station process under its supervisor', () => {
  it('answers through the supervisor exactly as the service does, and keeps every acknowledged save through a kill', async () => {
    const { supervisor, dir, built, env } = productionStation();
    // The roster arrives from the central API (the sync client, later); here it is loaded beforehand.
    const direct = openStation(loadStationConfig({ env }), { heartbeatMs: 0 });
    direct.service.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE] });
    direct.service.close();

    const ready = await supervisor.start();
    expect(ready).toMatchObject({ mode: 'production', role: 'solo', venueCode: 'RIX01', demo: { packages: [] } });
    const firstPid = supervisor.pid!;
    expect(firstPid).not.toBe(process.pid);
    const { staffToken } = await call<{ staffToken: string }>(supervisor, 'staffSignIn', { username: TEST_STAFF.username, password: TEST_ONE_TIME_PASSWORD });
    await call(supervisor, 'changeOwnPassword', { staffToken, currentPassword: TEST_ONE_TIME_PASSWORD, newPassword: TEST_STAFF.password });
    // The package comes in as a screen sends it: its bytes in chunks, over the process boundary, then a job to follow.
    await uploadThrough(supervisor, staffToken, readFileSync(join(dir, 'mini.exampkg')));
    await call(supervisor, 'unlockPackage', { staffToken, packageId: built.manifest.packageId, key: built.contentKey });
    expect(await supervisor.handler('getStatus', { extra: true }, solo)).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    expect(await supervisor.handler('noSuchMethod', {}, solo)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const opened = await call<{ attemptId: string; candidateToken: string }>(supervisor, 'openAttempt', { staffToken, candidateId: 'C-0001', packageId: built.manifest.packageId });
    const seat = { attemptId: opened.attemptId, candidateToken: opened.candidateToken };
    await call(supervisor, 'recordTimerEvent', { ...seat, partId: 'writing', kind: 'start' });
    const texts: string[] = [];
    for (let i = 0; i < 20; i += 1) {
      texts.push(`atbilde ${i}`);
      await call(supervisor, 'saveResponse', { ...seat, itemId: 'w1-q1', value: { type: 'extended-writing', text: texts.at(-1) }, clientSaveId: saveId() });
    }
    // A crash: the supervisor starts the station again, and a call made meanwhile waits for it.
    const crashed = new Promise((resolve) => supervisor.once('crashed', resolve));
    process.kill(firstPid, 'SIGKILL');
    await crashed;
    expect(supervisor.status).toBe('restarting');
    const afterCrash = await call<{ responses: { value: { text: string }; revision: number }[] }>(supervisor, 'getAttempt', seat);
    expect(supervisor.pid).not.toBe(firstPid);
    expect(afterCrash.responses[0]).toMatchObject({ revision: 20, value: { text: texts.at(-1) } });
  }, 60_000);

  it('answers a call cut off by the crash with STATION_RESTARTING, and answers again once the station is back', async () => {
    const { supervisor } = productionStation();
    await supervisor.start();
    // A call the station never answers: it is killed while it checks the password (a slow scrypt hash).
    const pending = supervisor.handler('staffSignIn', { username: TEST_STAFF.username, password: TEST_ONE_TIME_PASSWORD }, solo);
    process.kill(supervisor.pid!, 'SIGKILL');
    const reply = await pending;
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error).toMatchObject({ code: 'STATION_RESTARTING', message: { lv: expect.stringMatching(/palaista no jauna/), en: expect.stringMatching(/starting again/) } });
    expect(await call(supervisor, 'getStatus', {})).toMatchObject({ role: 'solo' });
  }, 60_000);

  it('does not restart a station that cannot open: its error is the answer, naming the setting', async () => {
    const { supervisor } = productionStation({ EXAM_STATION_ROLE: 'kiosk' });
    const error = await supervisor.start().then(
      () => undefined,
      (e: unknown) => e as StationError,
    );
    expect(error?.detail).toMatch(/EXAM_STATION_ROLE/);
    expect(supervisor.status).toBe('failed');
    expect(await supervisor.handler('getStatus', {}, solo)).toMatchObject({ ok: false, error: { detail: expect.stringMatching(/EXAM_STATION_ROLE/) } });
  }, 30_000);

  it('stops cleanly: the station marks a clean stop, so the next start credits nothing', async () => {
    const { supervisor, dir } = productionStation();
    await supervisor.start();
    await supervisor.stop();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(join(dir, 'station', 'station.db'), { readonly: true });
    expect(db.prepare("SELECT value FROM meta WHERE key = 'clean_stop'").get()).toEqual({ value: '1' });
    db.close();
  }, 30_000);
});
