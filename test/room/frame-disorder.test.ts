// Duplicated, replayed and reordered frames between real station services (room-fixtures.ts): every
// frame both ways arrives twice, some arrive after the one behind them, and the seat's earlier frames
// (pushes, audio, hellos, heartbeats) come again later. Each event and segment is still applied once,
// in the seat's order, and nothing is left behind.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { disorderly } from '../support/frame-disorder.ts';
import { linkPair } from './link-pair.ts';
import { atHub, expectExactlyOnce, hubStation, save, seatStation, sha, until } from './room-fixtures.ts';

describe('frames in disorder', () => {
  it('apply every event and every audio segment once, in order, through duplicates, replays and reordering both ways', async () => {
    const { station, hub } = await hubStation();
    const seat = await seatStation();
    const pair = linkPair();
    hub.attach(seat.service.deviceId, disorderly(pair.hub));
    seat.link.connect(disorderly(pair.seat));
    await seat.service.recordTimerEvent({ ...seat.seat, partId: 'speaking', kind: 'start' });
    const { recordingId } = await seat.service.startRecording({ ...seat.seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    const segments: Buffer[] = [];
    for (let i = 0; i < 40; i += 1) {
      await save(seat, `atbilde ${i}`);
      if (i % 4 === 0) {
        const data = randomBytes(1500);
        await seat.service.appendAudioSegment({ ...seat.seat, recordingId, index: segments.length, data, sha256: sha(data), durationMs: 1000 });
        segments.push(data);
        seat.link.kick();
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    // The hello itself comes again, late: the session was greeted once, and its old lastSeq is no alarm.
    await until('most of it at the hub', () => hub.streams.ackedSeq(seat.service.deviceId) > 30, 15_000);
    pair.injectToHub(pair.seatFrames.find((f) => (f as { type: string }).type === 'hello'));
    await until('everything at the hub', () => hub.streams.ackedSeq(seat.service.deviceId) === seat.service.outbox.lastSeq() && seat.link.status().audioSegmentsPending === 0, 15_000);
    // Replays keep arriving for a while: still nothing twice.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expectExactlyOnce(station, seat);
    expect(atHub(station, seat.service.deviceId).map((e) => e.origin.seq)).toEqual(seat.service.outbox.read(0, 100_000).map((e) => e.seq));
    expect(hub.streams.audioOf(recordingId)).toEqual(segments.map((data, index) => ({ index, sha256: sha(data), bytes: data.length })));
    expect(hub.view()[0]).toMatchObject({ deviceId: seat.service.deviceId, alarm: null });
    expect(seat.link.status().alarm).toBeNull();
  });
});
