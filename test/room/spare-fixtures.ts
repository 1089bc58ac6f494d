// A spare seat for moving a candidate to (docs/room.md, "Moving a candidate"): a real station service
// with the package of another seat pre-staged and unlocked, no roster and no candidate, taking
// hand-overs and carrying out commands on its station, as src-main/host/room.ts wires a seat.
import { join } from 'node:path';
import type { RoomHub } from '../../src-main/lan/room-hub.ts';
import { applyOnStation } from '../../src-main/seat-link/apply-command.ts';
import { HandOverReceiver } from '../../src-main/seat-link/hand-over.ts';
import { SeatLink } from '../../src-main/seat-link/seat-link.ts';
import { StationService } from '../../src-main/station/service.ts';
import { tempDir, TEST_STAFF, TEST_STAFF_OPTIONS, type TestStation } from '../support/fixtures.ts';
import { linkPair, type LinkPair } from './link-pair.ts';
import { cleanups, REPORT } from './room-fixtures.ts';

export interface Spare {
  service: StationService;
  staffToken: string;
  link: SeatLink;
  pair: LinkPair | null;
  /** The spare seat's station opened again on its database (after `service.close()`). */
  reopen(): StationService;
}

/**
 * A spare seat: the package of `like` pre-staged and unlocked, no roster, no candidate; it takes
 * hand-overs and carries out commands on its station, as src-main/host/room.ts wires a seat.
 */
export async function spareSeat(like: TestStation, now: () => Date = () => new Date(), report?: () => typeof REPORT): Promise<Spare> {
  const options = { dbPath: join(tempDir(), 'spare.db'), role: 'seat' as const, venueCode: 'RIX01', trust: like.keys.trust, heartbeatMs: 0, now, ...TEST_STAFF_OPTIONS };
  const service = new StationService(options);
  const { staffToken } = await service.staffSignIn(TEST_STAFF);
  service.importPackageBytes(like.built.file);
  await service.unlockPackage({ staffToken, packageId: like.built.manifest.packageId, key: like.built.contentKey });
  const handOvers = new HandOverReceiver(service);
  const link = new SeatLink({
    db: service.db,
    outbox: service.outbox,
    apply: applyOnStation(service),
    report:
      report ??
      (() => {
        const open = service.roomSeatReport();
        return { ...REPORT, attempt: open ? { attemptId: open.attemptId, candidateId: open.candidateId, partId: open.partId, itemId: null, remainingMs: open.remainingMs, screen: 'part' } : null };
      }),
    heartbeatMs: 50,
    handOver: (piece) => handOvers.receive(piece),
  });
  const stopKick = service.onCommit(() => link.kick());
  cleanups.push(() => {
    stopKick();
    link.stop();
    service.close();
  });
  return { service, staffToken, link, pair: null, reopen: () => new StationService(options) };
}

export function connectSpare(hub: RoomHub, spare: Spare): LinkPair {
  const pair = linkPair();
  hub.attach(spare.service.deviceId, pair.hub);
  spare.link.connect(pair.seat);
  spare.pair = pair;
  return pair;
}
