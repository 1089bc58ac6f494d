// A hub with its seal (src-main/lan/room-seal.ts) and seats that carry out the room's commands on their
// stations, over the in-memory link, for the tests of the end, the seal, the room log and the protocol.
import { expect } from 'vitest';
import { RoomSeal } from '../../src-main/lan/room-seal.ts';
import { applyOnStation } from '../../src-main/seat-link/apply-command.ts';
import type { CommandApplier } from '../../src-main/seat-link/seat-link.ts';
import type { SealStatus } from '../../src-shared/contracts/room-seal.ts';
import { loadOrCreateDeviceIdentity, type DeviceIdentity } from '../../src-shared/node/room/identity.ts';
import type { ErrorCode } from '../../src-shared/errors.ts';
import { CodedError } from '../../src-shared/errors.ts';
import { DEMO_SESSION, tempDir, type TestStation } from '../support/fixtures.ts';
import { atHub, connect, hubStation, seatStation, seatEvents, until, type Seat } from './room-fixtures.ts';
import type { RoomHub } from '../../src-main/lan/room-hub.ts';

export const SESSION = DEMO_SESSION.sessionId;

export interface SealRoom {
  station: TestStation;
  hub: RoomHub;
  seal: RoomSeal;
  identity: DeviceIdentity;
  status(): SealStatus;
}

export async function sealRoom(): Promise<SealRoom> {
  const { station, hub } = await hubStation();
  const identity = loadOrCreateDeviceIdentity(tempDir('hub-identity-'));
  const seal = new RoomSeal({ db: station.service.db, hub, identity, onSealed: (id) => station.service.noteSessionSealed(id), settleMs: 5 });
  // The hub's station reaches the seal through its room, as src-main/host/room.ts attaches it.
  station.service.attachRoom({ status: () => ({ role: 'hub', notice: null, hub: null, seat: null }), openPairing: () => ({ code: '', expiresAt: '' }), closePairing: () => undefined, revokeSeat: () => undefined, pairWithHub: async () => ({ role: 'hub', notice: null, hub: null, seat: null }), issueCommand: (input) => hub.issue(input), desk: null, discoveredHubs: () => ({ browsing: false, hubs: [], error: null }), moveCandidate: () => {
      throw new Error('no moves in these tests');
    }, seal });
  return { station, hub, seal, identity, status: () => seal.status(SESSION) };
}

/** A seat carrying out commands on its station (or what `wrap` makes of that), connected to the hub, its events there. */
export async function seatIn(room: SealRoom, wrap?: (real: CommandApplier, station: TestStation) => CommandApplier): Promise<Seat> {
  const seat = await seatStation({ onStation: (s) => (wrap ? wrap(applyOnStation(s.service), s) : applyOnStation(s.service)) });
  connect(room.hub, seat);
  await until('the seat at the hub', () => atHub(room.station, seat.service.deviceId).length === seatEvents(seat).length);
  return seat;
}

export function refusedWith(code: ErrorCode, fn: () => unknown): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, `refused ${code}`).toBeInstanceOf(CodedError);
  expect((caught as CodedError).code).toBe(code);
}

export async function refusedAsync(code: ErrorCode, promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error, `refused ${code}`).toBeInstanceOf(CodedError);
  expect((error as CodedError).code).toBe(code);
}

/** End the session and wait until every connected seat carried it out and the hub holds it all. */
export async function endAndWait(room: SealRoom, seats: Seat[], actor = 'test.chief'): Promise<void> {
  room.seal.end(SESSION, actor, 'the time is over');
  await until('every seat final', () => {
    const status = room.status();
    return seats.every((seat) => status.seats.find((s) => s.deviceId === seat.service.deviceId)?.final === true);
  });
}
