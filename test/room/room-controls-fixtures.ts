// A hub whose station has its room desk attached (as src-main/host/room.ts attaches it), so the staff's
// room methods of the station API reach the seats over the in-memory links; seats that report what the
// production seat reports (its candidate, started or not, a raised hand) and carry out the commands on
// their station; a second staff account on a desk of its own; a restart of the hub's process on the
// same database file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RoomDesk } from '../../src-main/lan/room-desk.ts';
import { RoomHub } from '../../src-main/lan/room-hub.ts';
import { applyOnStation } from '../../src-main/seat-link/apply-command.ts';
import { SeatLink } from '../../src-main/seat-link/seat-link.ts';
import type { RoomControl } from '../../src-main/station/room-control.ts';
import { StationService } from '../../src-main/station/service.ts';
import type { Caller } from '../../src-shared/contracts/station-api.ts';
import { StationError } from '../../src-shared/errors.ts';
import type { StaffRole } from '../../src-shared/rules/staff.ts';
import { buildMiniPackage, DEMO_CANDIDATE, DEMO_SESSION, makeKeys, openTestStation, seatOf, tempDir, TEST_STAFF, TEST_STAFF_OPTIONS, type TestKeys } from '../support/fixtures.ts';
import { cleanups, REPORT, type Seat } from './room-fixtures.ts';
import { linkPair } from './link-pair.ts';

export const CHIEF_DESK: Caller = { clientId: 'chief-desk', surfaces: ['public', 'staff'] };
export const SECOND_DESK: Caller = { clientId: 'second-desk', surfaces: ['public', 'staff'] };
export const SECOND_PERSON = { username: 'ilze.ozola', password: 'Otra-Parole-2026' } as const;

export interface ControlledHub {
  service: StationService;
  hub: RoomHub;
  desk: RoomDesk;
  chief: string;
  /** Let time pass on the hub's clock. */
  advance(ms: number): void;
  /**
   * The hub's process restarts: its station reopened on the same database file with a new room hub and
   * desk (what they held in memory is gone), the chief signed in again (`chief` is the new token).
   * Seats linked to the old hub are cut off; `connect` links them to the new one.
   */
  restart(): Promise<void>;
  /** The package the seats have pre-staged, unlocked at the hub with its key. */
  packageId: string;
  staged: ReturnType<typeof buildMiniPackage>;
  keys: TestKeys;
  dir: string;
}

function roomControl(desk: RoomDesk, hub: RoomHub): RoomControl {
  const none = () => {
    throw new StationError('ROOM_NOT_AVAILABLE', 'not in these tests');
  };
  return { desk, status: none, openPairing: none, closePairing: none, revokeSeat: none, pairWithHub: async () => none(), issueCommand: (input) => hub.issue(input), discoveredHubs: none, moveCandidate: none };
}

/** A hub with the roster, the package imported and unlocked (the hub holds its key), its desk attached. */
export async function controlledHub(): Promise<ControlledHub> {
  const dir = tempDir();
  // A key id of its own, so a seat can trust it beside its own test key.
  const keys = makeKeys('hub-test-key');
  const staged = buildMiniPackage(keys, {});
  let offset = 0;
  const now = () => new Date(Date.now() + offset);
  const options = { dbPath: join(dir, 'hub.db'), role: 'hub', venueCode: 'RIX01', trust: keys.trust, heartbeatMs: 0, now, ...TEST_STAFF_OPTIONS } as const;
  const open = (service: StationService) => {
    cleanups.push(() => service.close());
    const hub = new RoomHub({ db: service.db, outbox: service.outbox, now });
    const desk = new RoomDesk(hub, service.db);
    service.attachRoom(roomControl(desk, hub));
    return { service, hub, desk };
  };
  const service = new StationService(options);
  const { staffToken: chief } = await service.staffSignIn(TEST_STAFF, CHIEF_DESK);
  service.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE, { ...DEMO_CANDIDATE, candidateId: 'C-0002', givenName: 'Jānis', personalCode: '161175-19997', birthDate: '1975-11-16' }] });
  const path = join(dir, 'staged.exampkg');
  writeFileSync(path, staged.file);
  await service.importPackage({ staffToken: chief, path }, CHIEF_DESK);
  await service.unlockPackage({ staffToken: chief, packageId: staged.manifest.packageId, key: staged.contentKey }, CHIEF_DESK);
  const controlled: ControlledHub = {
    ...open(service),
    chief,
    advance: (ms) => (offset += ms),
    restart: async () => {
      for (const { deviceId } of controlled.hub.view()) controlled.hub.seat(deviceId)?.link?.close('the hub restarts');
      controlled.service.close();
      Object.assign(controlled, open(new StationService(options)));
      controlled.chief = (await controlled.service.staffSignIn(TEST_STAFF, CHIEF_DESK)).staffToken;
    },
    packageId: staged.manifest.packageId,
    staged,
    keys,
    dir,
  };
  return controlled;
}

/** A second person at the hub, an invigilator (or `roles`), signed in on a desk of their own with a password of their own. */
export async function secondPerson(hub: ControlledHub, roles: StaffRole[] = ['invigilator']): Promise<string> {
  const once = 'Vienreizeja-Parole-7';
  await hub.service.createStaffAccount({ staffToken: hub.chief, username: SECOND_PERSON.username, displayName: 'Ilze Ozola', roles, password: once }, CHIEF_DESK);
  const { staffToken } = await hub.service.staffSignIn({ username: SECOND_PERSON.username, password: once }, SECOND_DESK);
  await hub.service.changeOwnPassword({ staffToken, currentPassword: once, newPassword: SECOND_PERSON.password }, SECOND_DESK);
  return staffToken;
}

/**
 * A seat of the hub's room with the hub's package pre-staged (locked until the key release) beside its own
 * unlocked one; its candidate's attempt opened now, or only later with `seat.open()` (a candidate who
 * came late). Its heartbeat reports what a production seat reports; commands run on its station.
 */
export async function roomSeat(hub: ControlledHub, options: { candidateId?: string; openNow?: boolean } = {}): Promise<Seat & { open(): Promise<void> }> {
  const station = await openTestStation({ role: 'seat' });
  // The hub's package is signed with the hub test's keys: this seat trusts them too, as seats trust the centre.
  station.service.close();
  const service = station.reopen({ trust: { formatVersion: 1, keys: [...station.keys.trust.keys, ...hub.keys.trust.keys] } });
  const path = join(station.dir, 'staged.exampkg');
  writeFileSync(path, hub.staged.file);
  const { staffToken } = await service.staffSignIn(TEST_STAFF);
  await service.importPackage({ staffToken, path });
  const candidateId = options.candidateId ?? DEMO_CANDIDATE.candidateId;
  if (candidateId !== DEMO_CANDIDATE.candidateId) service.loadRoster({ sessions: [DEMO_SESSION], candidates: [{ ...DEMO_CANDIDATE, candidateId }] });
  const seat = { attemptId: '', candidateToken: '' };
  const open = async () => {
    Object.assign(seat, seatOf(await service.openAttempt({ staffToken, candidateId, packageId: station.built.manifest.packageId })));
  };
  if (options.openNow !== false) await open();
  const link = new SeatLink({
    db: service.db,
    outbox: service.outbox,
    report: () => {
      const r = service.roomSeatReport();
      return {
        ...REPORT,
        attempt: r ? { attemptId: r.attemptId, candidateId: r.candidateId, partId: r.partId, itemId: null, remainingMs: r.remainingMs, screen: r.paused ? 'paused' : r.partId ? 'part' : 'staff', started: r.started } : null,
        hand: r?.hand ?? null,
      };
    },
    apply: applyOnStation(service),
    heartbeatMs: 50,
  });
  cleanups.push(() => {
    link.stop();
    service.close();
  });
  const pair = linkPair();
  hub.hub.attach(service.deviceId, pair.hub);
  link.connect(pair.seat);
  return { ...station, service, staffToken, seat, link, applied: [], pair, open };
}
