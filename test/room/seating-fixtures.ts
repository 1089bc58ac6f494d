// A hub with the roster and its seat plan, and seats paired with it, for the tests of check-in, the seat
// plan and what follows a seated candidate (a move to a spare seat): real station services on SQLite
// joined by the in-memory link, the hub's station reaching its room as src-main/host/room.ts wires it,
// each seat reporting what a production seat reports, carrying out commands and taking hand-overs on its
// station. The kiosk caller, check-in and the refusal check the tests share.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { hubControl, seatReport } from '../../src-main/host/room.ts';
import { RoomDesk } from '../../src-main/lan/room-desk.ts';
import { RoomHub } from '../../src-main/lan/room-hub.ts';
import type { SeatRecord } from '../../src-main/lan/seat-directory.ts';
import { applyOnStation } from '../../src-main/seat-link/apply-command.ts';
import { HandOverReceiver } from '../../src-main/seat-link/hand-over.ts';
import { SeatLink, type SeatReport } from '../../src-main/seat-link/seat-link.ts';
import type { RoomControl } from '../../src-main/station/room-control.ts';
import { StationService } from '../../src-main/station/service.ts';
import type { HandOver } from '../../src-shared/contracts/hand-over.ts';
import type { Caller, RosterRow } from '../../src-shared/contracts/station-api.ts';
import { ERROR_CATALOGUE, type ErrorCode } from '../../src-shared/errors.ts';
import { DEMO_CANDIDATE, DEMO_SESSION, openTestStation, TEST_STAFF, TEST_STAFF_OPTIONS, tempDir, type TestStation } from '../support/fixtures.ts';
import { linkPair, type LinkPair } from './link-pair.ts';
import { cleanups, until } from './room-fixtures.ts';

/** The seat's kiosk window: the candidate's surface and the public one, nothing of the staff's. */
export const KIOSK: Caller = { clientId: 'kiosk', surfaces: ['public', 'candidate'] };
export const SECOND = { ...DEMO_CANDIDATE, candidateId: 'C-0002', givenName: 'Jānis', familyName: 'Ozols', personalCode: '010190-12349', birthDate: '1990-01-01', accommodation: 'extra-time-25; large-print', accommodationDocNo: 'VSK-7', accommodationDocDate: '2026-09-01' };

export interface PlanHub {
  station: TestStation;
  hub: RoomHub;
  /** The room's paired seats as the room server keeps them (label, revoked). */
  paired: SeatRecord[];
  packageId: string;
}

export async function hubOf(now?: () => Date): Promise<PlanHub> {
  const station = await openTestStation({ role: 'hub', ...(now ? { now } : {}) });
  station.service.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE, SECOND] });
  const hub = new RoomHub({ db: station.service.db, outbox: station.service.outbox });
  const paired: SeatRecord[] = [];
  const server = {
    address: { host: '127.0.0.1', port: 47300 },
    seats: () => paired,
    revoke: () => undefined,
    // No seat asks to be let in here: the seats are paired by the fixture.
    requests: () => [],
    pairing: { status: () => ({ state: 'closed' as const, code: null, consecutiveFailures: 0, failures: [] }), open: () => ({ code: '00000000', expiresAt: '' }), close: () => undefined },
  } as unknown as Parameters<typeof hubControl>[1];
  station.service.attachRoom(hubControl(hub, server, new RoomDesk(hub, station.service.db)));
  cleanups.push(() => station.service.close());
  return { station, hub, paired, packageId: station.built.manifest.packageId };
}

export interface PlanSeat {
  service: StationService;
  deviceId: string;
  link: SeatLink;
  /** The current link to the hub (null until connected). */
  pair: LinkPair | null;
  /** Every hand-over the seat was given whole, in order. */
  handOvers: HandOver[];
}

/** A seat paired with the hub under `label`, the hub's package pre-staged on it (unlocked), no candidate yet. */
export async function seatOf(room: PlanHub, label: string, options: { report?: () => SeatReport; connect?: boolean; locked?: boolean } = {}): Promise<PlanSeat> {
  const dir = tempDir('seat-');
  const service = new StationService({ dbPath: join(dir, 'station.db'), role: 'seat', venueCode: 'RIX01', trust: room.station.keys.trust, heartbeatMs: 0, ...TEST_STAFF_OPTIONS });
  const { staffToken } = await service.staffSignIn(TEST_STAFF);
  const path = join(dir, 'mini.exampkg');
  writeFileSync(path, room.station.built.file);
  await service.importPackage({ staffToken, path });
  if (!options.locked) await service.unlockPackage({ staffToken, packageId: room.packageId, key: room.station.built.contentKey });
  await service.staffSignOut({ staffToken });
  const seatRoom = { status: () => ({ role: 'seat', notice: null, hub: null, seat: { paired: true, label, hubDeviceId: null, connected: true, ackedSeq: 0, backlogEvents: 0, audioBytesPending: 0, clockOffsetMs: null, alarm: null } }) } as unknown as RoomControl;
  service.attachRoom(seatRoom);
  const handOvers: HandOver[] = [];
  const receiver = new HandOverReceiver({ roomHandOver: (handOver) => (handOvers.push(handOver), service.roomHandOver(handOver)) });
  const link = new SeatLink({ db: service.db, outbox: service.outbox, apply: applyOnStation(service), report: options.report ?? seatReport({ service }, '0.1.0-test'), heartbeatMs: 30, handOver: (piece) => receiver.receive(piece) });
  room.paired.push({ deviceId: service.deviceId, keyHash: service.deviceId, label, certificate: '', pairedBy: 'code', pairedAt: new Date(0).toISOString(), revokedAt: null });
  const seat: PlanSeat = { service, deviceId: service.deviceId, link, pair: null, handOvers };
  if (options.connect !== false) {
    seat.pair = linkPair();
    room.hub.attach(service.deviceId, seat.pair.hub);
    link.connect(seat.pair.seat);
    await until(`${label} heard by the hub`, () => room.hub.view().some((v) => v.deviceId === service.deviceId && v.state !== null));
  }
  cleanups.push(() => {
    link.stop();
    service.close();
  });
  return seat;
}

export async function checkIn(room: PlanHub, candidateId: string): Promise<void> {
  const staffToken = room.station.staffToken;
  await room.station.service.recordCheckInStep({ staffToken, candidateId, step: 'id-document' });
  await room.station.service.recordCheckInStep({ staffToken, candidateId, step: 'personal-code' });
  await room.station.service.checkInCandidate({ staffToken, candidateId, status: 'present' });
}

export const rowOf = async (room: PlanHub, candidateId: string): Promise<RosterRow> => (await room.station.service.getRoster({ staffToken: room.station.staffToken })).find((r) => r.candidateId === candidateId)!;

/** The refusal has its code and a text in both languages that is not the generic one. */
export async function refusedWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e as { code: string; text: { lv: string; en: string } },
  );
  expect(error?.code).toBe(code);
  expect(error?.text).toEqual({ lv: ERROR_CATALOGUE[code].lv, en: ERROR_CATALOGUE[code].en });
}
