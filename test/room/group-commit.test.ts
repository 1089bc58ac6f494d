// The hub commits the writes of every seat that arrive in the same turn of its event loop in one
// transaction (one sync of the disk for all of them, not one each), and answers each after that
// commit: a refused write among them changes nothing and spoils none of the others; a commit that
// fails refuses them all, and the seats send them again.
import { describe, expect, it } from 'vitest';
import type { StationDatabase } from '../../src-main/station/database.ts';
import { atHub, connect, expectExactlyOnce, hubStation, save, seatEvents, seatStation, until, type Seat } from './room-fixtures.ts';

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
});
