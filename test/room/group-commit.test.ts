// The hub commits the writes of every seat that arrive in the same turn of its event loop in one
// transaction (one sync of the disk for all of them, not one each), and answers each after that
// commit: a refused write among them changes nothing and spoils none of the others; a commit that
// fails refuses them all, and the seats send them again; an answer that cannot be sent ends only its
// seat's session. And the seat's low-water for unsent audio passes no segment still to go.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { StationDatabase } from '../../src-main/station/database.ts';
import { StationError } from '../../src-shared/errors.ts';
import { linkPair } from './link-pair.ts';
import { atHub, connect, expectExactlyOnce, hubStation, save, seatEvents, seatStation, sha, until, type Seat } from './room-fixtures.ts';

/** Counts the transactions begun on `db` (not those joined), and can make the next one fail at its commit. */
function watchTransactions(db: StationDatabase): { count: () => number; failNext: () => void } {
  const real = db.transaction.bind(db);
  let count = 0;
  let fail = false;
  db.transaction = <T>(fn: Parameters<StationDatabase['transaction']>[0]): T => {
    if (db.sqlite.inTransaction) return real(fn) as T;
    count += 1;
    if (!fail) return real(fn) as T;
    fail = false;
    // As a failed COMMIT (a full disk): the writes are rolled back and the error is SQLite's, not a refusal.
    return real((tx) => {
      fn(tx);
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    }) as T;
  };
  return { count: () => count, failNext: () => (fail = true) };
}

async function room(seats: number) {
  const { station, hub } = await hubStation();
  const all: Seat[] = [];
  for (let i = 0; i < seats; i += 1) all.push(await seatStation());
  for (const seat of all) connect(hub, seat);
  await until('every seat connected and caught up', () => all.every((s) => s.link.status().connected && hub.streams.ackedSeq(s.service.deviceId) === s.service.outbox.lastSeq()), 10_000);
  return { station, hub, seats: all };
}

describe('the hub commits its seats’ writes together', () => {
  it('commits the pushes of several seats that arrive together in one transaction, and acknowledges each', async () => {
    const { station, seats } = await room(4);
    const transactions = watchTransactions(station.service.db);
    // Four candidates save at the same moment: their pushes reach the hub in the same turn.
    await Promise.all(seats.map((seat, i) => save(seat, `together ${i}`)));
    await until('every save acknowledged', () => seats.every((s) => s.link.status().backlogEvents === 0));
    expect(transactions.count()).toBe(1);
    for (const seat of seats) expectExactlyOnce(station, seat);
  });

  it('refuses a conflicting push without touching the others committed with it', async () => {
    const { station, seats } = await room(3);
    const [bad, ...good] = seats as [Seat, Seat, Seat];
    const held = atHub(station, bad.service.deviceId);
    const replies: { type: string; pushId?: number; code?: string }[] = [];
    bad.pair!.seat.onFrame((f) => replies.push(f as never));
    const transactions = watchTransactions(station.service.db);
    bad.pair!.injectToHub({ type: 'push', pushId: 700, events: [{ ...seatEvents(bad)[0]!, createdAt: new Date(0).toISOString() }] });
    await Promise.all(good.map((seat, i) => save(seat, `beside the conflict ${i}`)));
    await until('the refusal and the acknowledgements', () => replies.some((r) => r.pushId === 700) && good.every((s) => s.link.status().backlogEvents === 0));
    expect(transactions.count()).toBe(1);
    expect(replies.find((r) => r.pushId === 700)).toMatchObject({ type: 'push-refused', code: 'EVENT_CONFLICT' });
    expect(atHub(station, bad.service.deviceId)).toEqual(held);
    for (const seat of good) expectExactlyOnce(station, seat);
  });

  it('refuses every write of a transaction whose commit failed; the seats send them again and each arrives once', async () => {
    const { station, hub, seats } = await room(2);
    const replies: { type: string; code?: string }[] = [];
    for (const seat of seats) seat.pair!.seat.onFrame((f) => replies.push(f as never));
    const transactions = watchTransactions(station.service.db);
    transactions.failNext();
    const before = station.service.outbox.lastSeq();
    await Promise.all(seats.map((seat, i) => save(seat, `the disk fills ${i}`)));
    await until('both refused', () => replies.filter((r) => r.type === 'push-refused').length === 2);
    expect(replies.filter((r) => r.type === 'push-refused').map((r) => r.code)).toEqual(['INTERNAL', 'INTERNAL']);
    expect(station.service.outbox.lastSeq()).toBe(before);
    // After the refusal each seat waits and sends again.
    await until('every save at the hub after the retry', () => seats.every((s) => hub.streams.ackedSeq(s.service.deviceId) === s.service.outbox.lastSeq()), 10_000);
    for (const seat of seats) expectExactlyOnce(station, seat);
    // The hub's stream numbers on where it was: nothing handed out in the failed transaction is skipped.
    expect(station.service.outbox.read(0, 100_000).map((e) => e.seq)).toEqual(Array.from({ length: station.service.outbox.lastSeq() }, (_, i) => i + 1));
  }, 20_000);

  it('undoes a write refused after it had written, alone: the others committed with it are kept', async () => {
    const { station, hub, seats } = await room(3);
    const [bad, ...good] = seats as [Seat, Seat, Seat];
    const held = atHub(station, bad.service.deviceId);
    const apply = hub.streams.apply.bind(hub.streams);
    let refuse = true;
    // A refusal that comes after the push's events are written (no refusal of today's does; one may).
    hub.streams.apply = (deviceId, events) => {
      const result = apply(deviceId, events);
      if (deviceId === bad.service.deviceId && refuse) throw new StationError('DISK_FULL', 'refused after writing');
      return result;
    };
    const transactions = watchTransactions(station.service.db);
    await Promise.all(seats.map((seat, i) => save(seat, `written then refused ${i}`)));
    await until('the others acknowledged', () => good.every((s) => s.link.status().backlogEvents === 0));
    expect(transactions.count()).toBe(1);
    expect(atHub(station, bad.service.deviceId)).toEqual(held);
    expect(hub.streams.ackedSeq(bad.service.deviceId)).toBe(held.length);
    for (const seat of good) expectExactlyOnce(station, seat);
    refuse = false;
    await until('the refused save at the hub after the retry', () => hub.streams.ackedSeq(bad.service.deviceId) === bad.service.outbox.lastSeq(), 10_000);
    expectExactlyOnce(station, bad);
    expect(station.service.outbox.read(0, 100_000).map((e) => e.seq)).toEqual(Array.from({ length: station.service.outbox.lastSeq() }, (_, i) => i + 1));
  }, 15_000);

  it('ends only the session of a seat whose answer cannot be sent, says so on the room view, and answers the others', async () => {
    const { hub } = await hubStation();
    const [bad, good] = [await seatStation(), await seatStation()];
    const pair = linkPair();
    const send = pair.hub.send.bind(pair.hub);
    pair.hub.send = (frame) => {
      if ((frame as { type: string }).type === 'push-ack') throw new StationError('FRAME_TOO_LARGE', 'a push-ack frame too large to send');
      send(frame);
    };
    hub.attach(bad.service.deviceId, pair.hub);
    bad.link.connect(pair.seat);
    connect(hub, good);
    await until('the session ended', () => pair.seat.closed);
    await until('the other seat acknowledged', () => good.link.status().backlogEvents === 0);
    expect(hub.view().find((v) => v.deviceId === bad.service.deviceId)).toMatchObject({ alarm: expect.stringMatching(/^FRAME_TOO_LARGE/) });
    // What the push carried is committed; only its answer was lost, and the seat gets it on its next link.
    connect(hub, bad);
    await until('the seat caught up on its next link', () => bad.link.status().backlogEvents === 0);
  });
});

describe('the seat’s low-water for unsent audio', () => {
  it('passes no segment recorded while the event that announces it has still to go: every one reaches the hub', async () => {
    const { hub } = await hubStation();
    const seat = await seatStation();
    await seat.service.recordTimerEvent({ ...seat.seat, partId: 'speaking', kind: 'start' });
    const { recordingId } = await seat.service.startRecording({ ...seat.seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    connect(hub, seat, 100);
    await until('connected', () => seat.link.status().connected);
    // Each frame takes 100 ms each way, so a push is in flight whenever a segment is recorded and the
    // link looks for audio before that segment's event has gone.
    for (let index = 0; index < 8; index += 1) {
      const data = randomBytes(2000);
      await seat.service.appendAudioSegment({ ...seat.seat, recordingId, index, data, sha256: sha(data), durationMs: 1000 });
      seat.link.kick();
      await new Promise((r) => setTimeout(r, 60));
    }
    await until('every segment at the hub and acknowledged', () => hub.streams.audioOf(recordingId).length === 8 && seat.link.status().audioSegmentsPending === 0, 10_000);
  }, 15_000);
});
