// Two replicas of the API on one database (and shared file storage): a hub can push through either,
// concurrent pushes through both are serialised on the device row, and an upload started on one
// replica is resumed on the other.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { describe, expect } from 'vitest';
import { buildMiniPackage, makeKeys, tempDir } from '../support/fixtures.ts';
import { centralTest, startCentral } from './support/central-test.ts';
import { makeVenue, outboxEvents } from './support/harness.ts';

// Both replicas keep their files in one storage folder, and write audio through to disk.
// eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; there are none
centralTest.override('centralOptions', { scope: 'file' }, ({}, { onCleanup }) => {
  const storage = tempDir('exam-shared-storage-');
  onCleanup(() => rmSync(storage, { recursive: true, force: true }));
  return { env: { STORAGE_DIR: storage, AUDIO_FSYNC: 'true' } };
});

const it = centralTest
  /** The second replica: another server on the first one's database and storage. */
  .extend('second', { scope: 'file' }, async ({ postgres, centralOptions, central: _first }, { onCleanup }) => {
    const second = await startCentral(postgres, centralOptions);
    onCleanup(() => second.stop());
    return second;
  })
  .extend('venue', { scope: 'file' }, async ({ central }) => makeVenue(central, 'RIX01', await central.admin.publishPackage(buildMiniPackage(makeKeys())), 'mini-a2'))
  /** The same hub credential, talking to the other replica. */
  .extend('viaSecond', { scope: 'file' }, ({ venue, second }) => venue.hub.atServer(second.url));

/** Events of the contract that are kept as events only: the segments of one recording. */
const recordingId = randomUUID();
const notes = (deviceId: string, from: number, count: number) =>
  outboxEvents(
    deviceId,
    from,
    Array.from({ length: count }, (_, i) => ({ kind: 'recording.segment', entityId: recordingId, payload: { recordingId, index: from + i, sha256: 'a'.repeat(64), bytes: 4000, durationMs: 1000 } })),
  );

describe('two replicas on one database', () => {
  it('continue one outbox, whichever replica each push reaches', async ({ venue, viaSecond }) => {
    expect((await venue.hub.push(notes(venue.hub.deviceId, 1, 5))).body).toMatchObject({ ackedSeq: 5 });
    expect((await viaSecond.push(notes(venue.hub.deviceId, 6, 5))).body).toMatchObject({ ackedSeq: 10 });
    const gap = await venue.hub.push(notes(venue.hub.deviceId, 12, 1));
    expect(gap.body).toMatchObject({ code: 'SEQ_GAP', expectedSeq: 11 });
  });

  it('serialise concurrent pushes of one hub arriving at both replicas', async ({ db, venue, viaSecond }) => {
    const batch = notes(venue.hub.deviceId, 11, 30);
    const results = await Promise.all([venue.hub, viaSecond, venue.hub, viaSecond, venue.hub, viaSecond].map((hub) => hub.push(batch)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.reduce((sum, r) => sum + r.body.accepted, 0)).toBe(30);
    const stored = await db.selectFrom('outbox_event').select('seq').where('device_id', '=', venue.hub.deviceId).execute();
    expect(stored).toHaveLength(40);
  });

  it('resume on one replica an upload started on the other', async ({ venue, viaSecond, second }) => {
    const audio = randomBytes(120_000);
    const created = await venue.hub.createUpload(randomUUID(), audio);
    expect((await venue.hub.patch(created.location, 0, audio.subarray(0, 50_000))).status).toBe(204);
    expect(await viaSecond.uploadOffset(created.location)).toBe(50_000);
    const rest = await viaSecond.patch(created.location, 50_000, audio.subarray(50_000));
    expect(rest.status).toBe(204);
    const row = await second.server.ctx.db.selectFrom('upload').select(['status', 'sha256']).where('upload_id', '=', created.body.uploadId).executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'complete', sha256: createHash('sha256').update(audio).digest('hex') });
  });
});
