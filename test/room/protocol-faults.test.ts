// Faults a review of the room protocol found, one behaviour per test: a hub restored from an earlier
// copy gets its audio again; a segment the hub could not store once is sent again; a slow link carries
// audio while a take is recorded, not only after it; a paired seat cannot smuggle fields past the
// contract nor store audio its events never announced; a frame the hub cannot handle ends that session
// with an alarm, not the process.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StationError } from '../../src-shared/errors.ts';
import { atHub, connect, hubStation, seatEvents, seatStation, sha, until, type Seat } from './room-fixtures.ts';

async function speaking(seat: Seat): Promise<string> {
  await seat.service.recordTimerEvent({ ...seat.seat, partId: 'speaking', kind: 'start' });
  const { recordingId } = await seat.service.startRecording({ ...seat.seat, itemId: 's1-q1', mimeType: 'audio/webm' });
  return recordingId;
}

async function segment(seat: Seat, recordingId: string, index: number): Promise<Buffer> {
  const data = randomBytes(3000);
  await seat.service.appendAudioSegment({ ...seat.seat, recordingId, index, data, sha256: sha(data), durationMs: 1000 });
  seat.link.kick();
  return data;
}

describe('the room protocol under faults', () => {
  it('sends the audio again to a hub restored from an earlier copy (same database id, lower watermark)', async () => {
    const { station, hub } = await hubStation();
    const seat = await seatStation();
    const recordingId = await speaking(seat);
    for (let i = 0; i < 3; i += 1) await segment(seat, recordingId, i);
    const pair = connect(hub, seat);
    await until('everything at the hub', () => hub.streams.audioOf(recordingId).length === 3 && seat.link.status().backlogEvents === 0 && seat.link.status().audioSegmentsPending === 0);
    pair.cut();
    await until('the seat to see the cut', () => !seat.link.status().connected);
    // The hub's database goes back to a copy from before the audio: same id, fewer of the seat's events.
    const db = station.service.db;
    const keep = 2;
    db.transaction(() => {
      db.run(db.q.deleteFrom('seat_audio'));
      db.run(db.q.deleteFrom('outbox').where('device_id', '=', seat.service.deviceId).where('origin_seq', '>', keep));
      db.run(db.q.updateTable('seat_streams').set({ acked_seq: keep }).where('device_id', '=', seat.service.deviceId));
    });
    station.service.outbox.forget();
    connect(hub, seat);
    await until('the audio at the restored hub', () => hub.streams.audioOf(recordingId).length === 3, 10_000);
    expect(atHub(station, seat.service.deviceId).map((e) => e.origin.seq)).toEqual(seatEvents(seat).map((e) => e.seq));
  });

  it('sends again a segment the hub could not store for a moment', async () => {
    const { hub } = await hubStation();
    const seat = await seatStation();
    const recordingId = await speaking(seat);
    const store = hub.streams.storeAudio.bind(hub.streams);
    let failures = 1;
    hub.streams.storeAudio = (deviceId, s) => {
      if (failures > 0) {
        failures -= 1;
        throw new StationError('DISK_FULL', 'the hub disk was full for a moment');
      }
      return store(deviceId, s);
    };
    await segment(seat, recordingId, 0);
    connect(hub, seat);
    await until('the segment at the hub after the retry', () => hub.streams.audioOf(recordingId).length === 1, 10_000);
  }, 15_000);

  it('carries audio over a slow link while the take is being recorded, not only after it', async () => {
    const { hub } = await hubStation();
    const seat = await seatStation();
    const recordingId = await speaking(seat);
    connect(hub, seat, 150);
    await until('connected', () => seat.link.status().connected);
    // A segment every 100 ms while each frame takes 150 ms each way: the push is always in flight.
    for (let i = 0; i < 20; i += 1) {
      await segment(seat, recordingId, i);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(hub.streams.audioOf(recordingId).length).toBeGreaterThan(5);
  }, 15_000);

  it('keeps what the contract says of a pushed event, not fields smuggled into it, and stores no audio the seat never announced', async () => {
    const { station, hub } = await hubStation();
    const seat = await seatStation();
    const pair = connect(hub, seat);
    await until('caught up', () => seat.link.status().connected && seat.link.status().backlogEvents === 0);
    const next = seat.service.outbox.lastSeq() + 1;
    const forged = {
      seq: next,
      origin: { deviceId: seat.service.deviceId, seq: next },
      kind: 'response.saved',
      entityId: seat.seat.attemptId,
      payload: { attemptId: seat.seat.attemptId, itemId: 'r1-q4', revision: 99, value: { type: 'short-text', text: 'x', smuggled: 'y'.repeat(10_000) }, savedAt: new Date().toISOString() },
      createdAt: new Date().toISOString(),
    };
    const replies: { type: string; code?: string; pushId?: number }[] = [];
    pair.seat.onFrame((f) => replies.push(f as never));
    pair.injectToHub({ type: 'push', pushId: 77, events: [forged] });
    pair.injectToHub({ type: 'audio', recordingId: '00000000-0000-4000-8000-0000000000aa', index: 0, sha256: sha(Buffer.from('z')), data: Buffer.from('z').toString('base64') });
    await until('both answers', () => replies.some((r) => r.pushId === 77) && replies.some((r) => r.type === 'audio-refused'));
    const stored = atHub(station, seat.service.deviceId).at(-1)!;
    expect(stored.payload).toEqual({ ...forged.payload, value: { type: 'short-text', text: 'x' } });
    expect(replies.find((r) => r.type === 'audio-refused')).toMatchObject({ code: 'NOT_FOUND' });
    expect(hub.streams.audioOf('00000000-0000-4000-8000-0000000000aa')).toEqual([]);
  });

  it('ends only the session when the hub cannot handle a frame, and says so on the room view', async () => {
    const { hub } = await hubStation();
    const seat = await seatStation();
    hub.commands.pendingFor = () => {
      throw new StationError('DISK_FULL', 'the hub disk is full');
    };
    const pair = connect(hub, seat);
    await until('the session ended', () => pair.seat.closed);
    expect(hub.view()[0]).toMatchObject({ deviceId: seat.service.deviceId, alarm: expect.stringMatching(/^HUB_DISK_FULL/) });
  });
});

describe('alarms', () => {
  it('clear a passing trouble with the next success, and keep an integrity alarm', async () => {
    const { hub } = await hubStation();
    const seat = await seatStation();
    const apply = hub.streams.apply.bind(hub.streams);
    let failing = true;
    hub.streams.apply = (deviceId, events) => {
      if (failing) throw new StationError('DISK_FULL', 'the hub disk is full');
      return apply(deviceId, events);
    };
    connect(hub, seat);
    await until('the trouble shown at the hub and at the seat', () => hub.view()[0]?.alarm?.startsWith('HUB_DISK_FULL') === true && seat.link.status().alarm?.startsWith('HUB_DISK_FULL') === true);
    failing = false;
    await until('the push through after the retry', () => seat.link.status().backlogEvents === 0, 10_000);
    // The hub shows what the seat's heartbeat says too: the seat's echo of the trouble goes with its next beat.
    await until('the alarm gone at the hub', () => hub.view()[0]?.alarm === null, 1000);
    expect(seat.link.status().alarm).toBeNull();
  }, 15_000);
});
