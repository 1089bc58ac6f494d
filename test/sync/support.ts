// A central API on its own PostgreSQL with a venue, a published session of the mini exam and its
// roster, and a hub station (a real SQLite station) with a sync client: what each sync test starts from.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { StationService } from '../../src-main/station/service.ts';
import { syncStationOf } from '../../src-main/sync/station-adapter.ts';
import { SyncClient, type SyncClientOptions } from '../../src-main/sync/sync-client.ts';
import type { BuiltPackage } from '../../src-shared/node/package/builder.ts';
import type { ManagedPostgres } from '../../src-server/pg-cluster.ts';
import { startTestServer, type TestServer } from '../server/support/harness.ts';
import { buildMiniPackage, makeKeys, saveId, seatOf, tempDir, TEST_STAFF, TEST_STAFF_OPTIONS, type TestKeys } from '../support/fixtures.ts';

export const VENUE = 'RIX01';
export const SESSION = 'S-RIX01-A2';
export const CANDIDATES = ['C-0001', 'C-0002'];

export interface CentralDay {
  central: TestServer;
  keys: TestKeys;
  built: BuiltPackage;
  venueId: string;
  enrollmentCode: string;
}

/** The centre publishes a venue, the mini exam's package, a session that has started and its roster. */
export async function publishDay(postgres: ManagedPostgres, database: string, options: { startsAt?: string } = {}): Promise<CentralDay> {
  const central = await startTestServer(postgres, database);
  const keys = makeKeys();
  const built = buildMiniPackage(keys, { venue: VENUE });
  const { venueId } = await central.admin.ok<{ venueId: string }>('POST', '/v1/admin/venues', { code: VENUE, name: 'Rīgas eksāmenu centrs' });
  const packageId = await central.admin.publishPackage(built);
  await central.admin.ok('PUT', `/v1/admin/sessions/${SESSION}`, { venueId, examId: built.manifest.examId, packageId, room: '101', startsAt: options.startsAt ?? new Date(Date.now() - 60_000).toISOString() });
  await central.admin.ok('PUT', `/v1/admin/sessions/${SESSION}/roster`, {
    candidates: [
      { candidateId: CANDIDATES[0], givenName: 'Anna', familyName: 'Bērziņa', personalCode: '150785-12340', level: 'A2' },
      { candidateId: CANDIDATES[1], givenName: 'Jānis', familyName: 'Kalniņš', personalCode: '161175-19997', level: 'A2' },
    ],
  });
  const { code } = await central.admin.ok<{ code: string }>('POST', `/v1/admin/venues/${venueId}/enrollment-codes`);
  return { central, keys, built, venueId, enrollmentCode: code };
}

export interface Hub {
  service: StationService;
  client: SyncClient;
  dir: string;
  staffToken: string;
  /** The same hub after a crash: its database opened again, a new client. */
  restart(more?: Partial<SyncClientOptions>): Promise<void>;
  close(): Promise<void>;
}

export async function openHub(day: CentralDay, more: Partial<SyncClientOptions> = {}): Promise<Hub> {
  const dir = tempDir('exam-hub-');
  const open = () => new StationService({ dbPath: join(dir, 'station.db'), role: 'solo', venueCode: VENUE, trust: day.keys.trust, heartbeatMs: 0, ...TEST_STAFF_OPTIONS });
  const clientOf = (service: StationService, extra: Partial<SyncClientOptions>) => new SyncClient({ station: syncStationOf(service, VENUE, 'solo'), workDir: join(dir, 'central'), idleMs: 60_000, proxyEnv: {}, ...more, ...extra });
  const service = open();
  const { staffToken } = await service.staffSignIn(TEST_STAFF);
  const hub: Hub = {
    service,
    client: clientOf(service, {}),
    dir,
    staffToken,
    async restart(extra = {}) {
      await hub.client.stop();
      hub.service.close();
      hub.service = open();
      hub.staffToken = (await hub.service.staffSignIn(TEST_STAFF)).staffToken;
      hub.client = clientOf(hub.service, extra);
    },
    async close() {
      await hub.client.stop();
      hub.service.close();
    },
  };
  return hub;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A candidate takes the mini exam on the hub: answers, a spoken answer of `segments` × `segmentBytes`, submits. */
export async function takeTest(hub: Hub, candidateId: string, packageId: string, audio: { segments?: number; segmentBytes?: number } = {}): Promise<{ attemptId: string; recordingId: string; audio: Buffer }> {
  const { service, staffToken } = hub;
  await service.markAttendance({ staffToken, candidateId, status: 'present' });
  const seat = seatOf(await service.openAttempt({ staffToken, candidateId, packageId }));
  for (const partId of ['listening', 'reading', 'writing', 'speaking']) await service.recordTimerEvent({ ...seat, partId, kind: 'start' });
  await service.saveResponse({ ...seat, itemId: 'w1-q1', value: { type: 'extended-writing', text: 'Sveiks, Jāni!' }, clientSaveId: saveId() });
  await service.saveResponse({ ...seat, itemId: 'w1-q1', value: { type: 'extended-writing', text: 'Sveiks, Jāni! Kā tev iet?' }, clientSaveId: saveId() });
  const { recordingId } = await service.startRecording({ ...seat, itemId: 's1-q1', mimeType: 'audio/webm;codecs=opus' });
  const parts = Array.from({ length: audio.segments ?? 3 }, () => randomBytes(audio.segmentBytes ?? 4000));
  for (const [index, data] of parts.entries()) await service.appendAudioSegment({ ...seat, recordingId, index, data, sha256: sha(data), durationMs: 1000 });
  await service.closeRecording({ ...seat, recordingId });
  for (const partId of ['listening', 'reading', 'writing', 'speaking']) await service.recordTimerEvent({ ...seat, partId, kind: 'end' });
  await service.finishAttempt({ ...seat });
  return { attemptId: seat.attemptId, recordingId, audio: Buffer.concat(parts) };
}
