// Stations of a room for the protocol's tests: a hub and seats, each a real station service on its own
// SQLite file, joined by in-memory links (link-pair.ts), closed after each test.
import { createHash } from 'node:crypto';
import { afterEach, expect } from 'vitest';
import { RoomHub } from '../../src-main/lan/room-hub.ts';
import { SeatLink, type CommandApplier, type SeatReport } from '../../src-main/seat-link/seat-link.ts';
import type { EventEnvelope } from '../../src-shared/contracts/events.ts';
import type { RoomCommand } from '../../src-shared/contracts/room-protocol.ts';
import { openTestStation, saveId, seatOf, type TestStation } from '../support/fixtures.ts';
import { linkPair, type LinkPair } from './link-pair.ts';

export const REPORT: SeatReport = { attempt: null, recording: null, battery: null, diskFreeBytes: null, appVersion: '0.1.0-test' };
export const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** Wait until `condition` (sync or async) holds. */
export async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface Seat extends TestStation {
  seat: { attemptId: string; candidateToken: string };
  link: SeatLink;
  applied: RoomCommand[];
  pair: LinkPair | null;
}

export async function hubStation(now?: () => Date): Promise<{ station: TestStation; hub: RoomHub }> {
  const station = await openTestStation({ role: 'hub' });
  cleanups.push(() => station.service.close());
  return { station, hub: new RoomHub({ db: station.service.db, outbox: station.service.outbox, ...(now ? { now } : {}) }) };
}

/**
 * A seat with the mini exam, its candidate's attempt open and the reading part running. Commands go to
 * `apply`, or to what `onStation` makes of the seat's station, or are only collected in `applied`.
 */
export async function seatStation(options: { apply?: CommandApplier; onStation?: (station: TestStation) => CommandApplier; now?: () => Date } = {}): Promise<Seat> {
  const station = await openTestStation({ role: 'seat' });
  const seat = seatOf(await station.service.openAttempt({ staffToken: station.staffToken, candidateId: 'C-0001', packageId: station.built.manifest.packageId }));
  // A seat begins no part before its room's start: the candidate here was started with the room.
  station.service.roomStart({ candidateId: null, at: Date.now() });
  await station.service.recordTimerEvent({ ...seat, partId: 'reading', kind: 'start' });
  const applied: RoomCommand[] = [];
  const link = new SeatLink({
    db: station.service.db,
    outbox: station.service.outbox,
    // The seat says which candidate sits there, as the real seat does: the hub routes commands by it.
    report: () => {
      const [open] = station.service.roomAttempts();
      return { ...REPORT, attempt: open ? { attemptId: open.attemptId, candidateId: open.candidateId, partId: null, itemId: null, remainingMs: null, screen: 'part' } : null };
    },
    apply: options.apply ?? options.onStation?.(station) ?? ((command) => void applied.push(command)),
    heartbeatMs: 50,
    ...(options.now ? { now: options.now } : {}),
  });
  cleanups.push(() => {
    link.stop();
    station.service.close();
  });
  return { ...station, seat, link, applied, pair: null };
}

export function connect(hub: RoomHub, seat: Seat, delayMs = 0): LinkPair {
  const pair = linkPair(delayMs);
  hub.attach(seat.service.deviceId, pair.hub);
  seat.link.connect(pair.seat);
  seat.pair = pair;
  return pair;
}

export async function save(seat: Seat, text: string): Promise<void> {
  await seat.service.saveResponse({ ...seat.seat, itemId: 'r1-q4', value: { type: 'short-text', text }, clientSaveId: saveId() });
  seat.link.kick();
}

/** The seat's events as the hub holds them, in the hub's order. */
export function atHub(station: TestStation, deviceId: string): EventEnvelope[] {
  return station.service.outbox.read(0, 100_000).filter((e) => e.origin.deviceId === deviceId);
}

export function seatEvents(seat: Seat): EventEnvelope[] {
  return seat.service.outbox.read(0, 100_000);
}

const body = (e: EventEnvelope) => ({ origin: e.origin, kind: e.kind, entityId: e.entityId, payload: e.payload, createdAt: e.createdAt });

/** Every event of the seat is at the hub once, in the seat's order, with its origin and body unchanged. */
export function expectExactlyOnce(station: TestStation, seat: Seat): void {
  const held = atHub(station, seat.service.deviceId);
  expect(new Set(held.map((e) => e.origin.seq)).size).toBe(held.length);
  expect(held.map(body)).toEqual(seatEvents(seat).map(body));
}

