// Package pre-staging (issue 10 §3): a package imported at the hub reaches each seat over the room
// channel before the start, encrypted, chunk by chunk as the seat asks; the seat imports it locked only
// once the whole file matches the hub's offer, resumes after a cut from the first chunk it lacks, and
// refuses (as its alarm, importing nothing) a tampered chunk, a file that is not the offered one, or a
// package whose signature does not hold. The content key never travels this way.
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadStationConfig } from '../../src-main/host/config.ts';
import { startRoom } from '../../src-main/host/room.ts';
import { openStation, type OpenedStation } from '../../src-main/host/start.ts';
import { HubPackages } from '../../src-main/lan/package-staging.ts';
import { RoomHub } from '../../src-main/lan/room-hub.ts';
import { SeatLink } from '../../src-main/seat-link/seat-link.ts';
import { SeatStaging } from '../../src-main/seat-link/staging.ts';
import { StationService } from '../../src-main/station/service.ts';
import { PACKAGE_CHUNK_BYTES, type FrameLink, type HubFrame } from '../../src-shared/contracts/room-protocol.ts';
import { buildMiniPackage, firstSignIn, makeKeys, miniExamSource, openTestStation, tempDir, TEST_CHIEF_ENV, TEST_STAFF, TEST_STAFF_OPTIONS, writeProductionAssets, type TestKeys, type TestStation } from '../support/fixtures.ts';
import { linkPair, type LinkPair } from './link-pair.ts';
import { cleanups, REPORT, until } from './room-fixtures.ts';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
/** Media large enough that the package file takes three chunks. */
const BIG_EXAM = { source: miniExamSource(), media: { 'l1.opus': randomBytes(PACKAGE_CHUNK_BYTES * 2 + 1000) } };

async function hubWithPackage(): Promise<{ station: TestStation; hub: RoomHub }> {
  const station = await openTestStation({ role: 'hub' }, BIG_EXAM);
  cleanups.push(() => station.service.close());
  return { station, hub: new RoomHub({ db: station.service.db, outbox: station.service.outbox, packages: new HubPackages(station.service.db) }) };
}

interface BareSeat {
  service: StationService;
  staffToken: string;
  dir: string;
  link: SeatLink;
  /** Starts another link over the same station, as after a restart of the seat. */
  relink(): SeatLink;
}

/** A seat station with no package of its own, trusting `trust`'s signers. */
async function bareSeat(keys: TestKeys): Promise<BareSeat> {
  const dir = tempDir('staging-seat-');
  const service = new StationService({ dbPath: join(dir, 'station.db'), role: 'seat', venueCode: 'RIX01', trust: keys.trust, heartbeatMs: 0, ...TEST_STAFF_OPTIONS });
  const { staffToken } = await service.staffSignIn(TEST_STAFF);
  const makeLink = () =>
    new SeatLink({
      db: service.db,
      outbox: service.outbox,
      report: () => REPORT,
      apply: () => undefined,
      heartbeatMs: 50,
      staging: new SeatStaging({ db: service.db, importPackage: (file) => void service.importPackageBytes(file) }),
    });
  const seat: BareSeat = {
    service,
    staffToken,
    dir,
    link: makeLink(),
    relink() {
      seat.link.stop();
      seat.link = makeLink();
      return seat.link;
    },
  };
  cleanups.push(() => {
    seat.link.stop();
    service.close();
  });
  return seat;
}

/** The hub's end of a link, with what the hub sends passing through `rewrite` (a tampering relay), and recorded. */
function hubEnd(pair: LinkPair, sent: HubFrame[], rewrite: (frame: HubFrame) => HubFrame = (f) => f): FrameLink {
  return {
    send: (frame) => {
      const out = rewrite(frame as HubFrame);
      sent.push(out);
      pair.hub.send(out);
    },
    onFrame: (l) => pair.hub.onFrame(l),
    onClose: (l) => pair.hub.onClose(l),
    close: (r) => pair.hub.close(r),
  };
}

function join2(hub: RoomHub, seat: BareSeat, rewrite?: (frame: HubFrame) => HubFrame): { pair: LinkPair; sent: HubFrame[] } {
  const pair = linkPair();
  const sent: HubFrame[] = [];
  hub.attach(seat.service.deviceId, hubEnd(pair, sent, rewrite));
  seat.link.connect(pair.seat);
  return { pair, sent };
}

const wants = (pair: LinkPair) => pair.seatFrames.filter((f): f is { type: 'package-want'; packageId: string; index: number } => (f as { type: string }).type === 'package-want');
const chunks = (sent: HubFrame[]) => sent.filter((f): f is Extract<HubFrame, { type: 'package-chunk' }> => f.type === 'package-chunk');
const stagedRows = (seat: BareSeat) => seat.service.db.all(seat.service.db.q.selectFrom('seat_staging_chunks').select('idx'));
/** The packages stored on a seat's station. */
const onSeat = (seat: BareSeat): string[] => seat.service.db.all(seat.service.db.q.selectFrom('packages').select('package_id').where('state', '=', 'ready')).map((r) => r.package_id);
const seatView = (hub: RoomHub, seat: BareSeat) => hub.view().find((v) => v.deviceId === seat.service.deviceId);

describe('package pre-staging from the hub to its seats', () => {
  it('stages the hub package on the seat, locked and byte for byte, in chunks of at most 512 KiB; the heartbeat says it is there; the key never travels with it', async () => {
    const { station, hub } = await hubWithPackage();
    const packageId = station.built.manifest.packageId;
    const seat = await bareSeat(station.keys);
    const { sent } = join2(hub, seat);
    await until('the package on the seat', () => onSeat(seat).includes(packageId), 10_000);
    expect(await seat.service.listPackages({ staffToken: seat.staffToken })).toEqual([expect.objectContaining({ packageId, unlocked: false })]);
    // The whole file, as it was imported at the hub.
    const fileAtSeat = seat.service.db.get(seat.service.db.q.selectFrom('packages').select('file_sha256').where('package_id', '=', packageId))!.file_sha256;
    expect(fileAtSeat).toBe(sha(station.built.file));
    expect(sent.find((f) => f.type === 'package-offer')).toEqual({ type: 'package-offer', packages: [{ packageId, sha256: sha(station.built.file), size: station.built.file.length }] });
    const sentChunks = chunks(sent);
    expect(sentChunks.map((c) => c.index)).toEqual([0, 1, 2]);
    for (const chunk of sentChunks) expect(Buffer.from(chunk.data, 'base64').length).toBeLessThanOrEqual(PACKAGE_CHUNK_BYTES);
    expect(stagedRows(seat)).toEqual([]);
    // No frame of the hub's carries the content key (it goes only with 'key-release').
    expect(JSON.stringify(sent)).not.toContain(station.built.contentKey);
    await until('the heartbeat to report it', () => seatView(hub, seat)?.state?.packages?.includes(packageId) === true);
    expect(seatView(hub, seat)?.state?.alarm).toBeNull();
    // The key released at the start opens what was staged.
    expect(await seat.service.unlockPackage({ staffToken: seat.staffToken, packageId, key: station.built.contentKey })).toMatchObject({ packageId, unlocked: true });
  });

  it('resumes after a cut link, and after the seat restarts, from the first chunk it lacks', async () => {
    const { station, hub } = await hubWithPackage();
    const packageId = station.built.manifest.packageId;
    const seat = await bareSeat(station.keys);
    const first = join2(hub, seat);
    // The link drops as soon as the first chunk is in.
    first.pair.seat.onFrame((f) => (f as { type: string }).type === 'package-chunk' && first.pair.cut());
    await until('the cut', () => first.pair.seat.closed);
    await until('the seat to see it', () => !seat.link.status().connected);
    expect(stagedRows(seat)).toEqual([{ idx: 0 }]);
    expect(onSeat(seat)).toEqual([]);
    // The seat restarts its link (as after a restart of the seat): it asks from chunk 1, not from the start.
    seat.relink();
    const second = join2(hub, seat);
    await until('the package on the seat', () => onSeat(seat).includes(packageId), 10_000);
    expect(wants(second.pair).map((w) => w.index)).toEqual([1, 2]);
    expect(chunks(first.sent).length + chunks(second.sent).length).toBe(3);
    expect(stagedRows(seat)).toEqual([]);
  });

  it('offers a package imported at the hub later within a beat, and a seat that joins later gets every package', async () => {
    const { station, hub } = await hubWithPackage();
    const seat = await bareSeat(station.keys);
    join2(hub, seat);
    await until('the first package on the seat', () => onSeat(seat).length === 1, 10_000);
    const second = buildMiniPackage(station.keys);
    const path = join(station.dir, 'second.exampkg');
    writeFileSync(path, second.file);
    await station.service.importPackage({ staffToken: station.staffToken, path });
    await until('the second package on the seat', () => onSeat(seat).includes(second.manifest.packageId), 10_000);
    const late = await bareSeat(station.keys);
    join2(hub, late);
    await until('both on the late seat', () => onSeat(late).length === 2, 10_000);
    expect(onSeat(late).sort()).toEqual([station.built.manifest.packageId, second.manifest.packageId].sort());
  });

  it('refuses a chunk that does not match its hash: the seat alarm says so, nothing of the package is kept or imported', async () => {
    const { station, hub } = await hubWithPackage();
    const seat = await bareSeat(station.keys);
    const tamper = (frame: HubFrame): HubFrame => {
      if (frame.type !== 'package-chunk' || frame.index !== 1) return frame;
      const data = Buffer.from(frame.data, 'base64');
      data[100] = data[100]! ^ 0xff;
      return { ...frame, data: data.toString('base64') };
    };
    join2(hub, seat, tamper);
    await until('the alarm', () => seat.link.status().alarm !== null, 10_000);
    expect(seat.link.status().alarm).toMatch(/^PACKAGE_CHUNK_ALTERED: chunk 1 of package/);
    await until('the hub to see the alarm', () => seatView(hub, seat)?.state?.alarm?.startsWith('PACKAGE_CHUNK_ALTERED') === true);
    expect(onSeat(seat)).toEqual([]);
    expect(stagedRows(seat)).toEqual([]);
  });

  it('refuses a file that is not the one offered, even when every chunk matches the hash sent with it', async () => {
    const { station, hub } = await hubWithPackage();
    const seat = await bareSeat(station.keys);
    const tamper = (frame: HubFrame): HubFrame => {
      if (frame.type !== 'package-chunk' || frame.index !== 2) return frame;
      const data = Buffer.from(frame.data, 'base64');
      data[0] = data[0]! ^ 0xff;
      return { ...frame, data: data.toString('base64'), sha256: sha(data) };
    };
    join2(hub, seat, tamper);
    await until('the alarm', () => seat.link.status().alarm !== null, 10_000);
    expect(seat.link.status().alarm).toMatch(/^PACKAGE_CONTENT_ALTERED: /);
    expect(onSeat(seat)).toEqual([]);
    expect(stagedRows(seat)).toEqual([]);
  });

  it('refuses a package whose signature does not hold for the seat: its alarm names the import refusal, nothing is imported, and it is not fetched again in this run', async () => {
    const { hub } = await hubWithPackage();
    // The seat trusts another key under the same key id: the hub's package is not signed by it.
    const seat = await bareSeat(makeKeys());
    const first = join2(hub, seat);
    await until('the alarm', () => seat.link.status().alarm !== null, 10_000);
    expect(seat.link.status().alarm).toMatch(/^PACKAGE_SIGNATURE_INVALID: /);
    expect(onSeat(seat)).toEqual([]);
    expect(stagedRows(seat)).toEqual([]);
    expect(chunks(first.sent)).toHaveLength(3);
    // The link drops and comes back: the hub offers the same file again, and the seat does not fetch it.
    first.pair.cut();
    await until('the seat to see the cut', () => !seat.link.status().connected);
    const second = join2(hub, seat);
    await until('the offer on the new session', () => second.sent.some((f) => f.type === 'package-offer') && seat.link.status().connected);
    await new Promise((r) => setTimeout(r, 200));
    expect(wants(second.pair)).toEqual([]);
    expect(seat.link.status().alarm).toMatch(/^PACKAGE_SIGNATURE_INVALID: /);
  });
});

describe('pre-staging in the room as the stations start it', () => {
  function production(role: 'hub' | 'seat', keys: TestKeys): OpenedStation {
    const dir = tempDir(`staging-${role}-`);
    const config = loadStationConfig({
      env: { EXAM_STATION_MODE: 'production', EXAM_STATION_ROLE: role, EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: join(dir, 'data'), EXAM_STATION_ASSETS: writeProductionAssets(dir, keys.trust), ...TEST_CHIEF_ENV },
      machinePolicyFile: join(dir, 'absent.json'),
    });
    const opened = openStation(config, { heartbeatMs: 0 });
    cleanups.push(() => opened.service.close());
    return opened;
  }

  it('a seat paired over TLS gets the package imported at the hub, locked, and the key released at the start opens it', async () => {
    const keys = makeKeys();
    const built = buildMiniPackage(keys);
    const hubStation = production('hub', keys);
    const seatStation = production('seat', keys);
    const hubStaff = await firstSignIn(hubStation.service);
    const seatStaff = await firstSignIn(seatStation.service);
    const path = join(hubStation.config.dataDir, 'mini.exampkg');
    writeFileSync(path, built.file);
    await hubStation.service.importPackage({ staffToken: hubStaff, path });
    const hubRoom = await startRoom(hubStation, { host: '127.0.0.1', heartbeatMs: 100 });
    const seatRoom = await startRoom(seatStation, { host: '127.0.0.1', heartbeatMs: 100 });
    cleanups.push(() => void seatRoom.close(), () => void hubRoom.close());
    if (hubRoom.role !== 'hub') throw new Error('not a hub');
    const { code } = await hubStation.service.openPairing({ staffToken: hubStaff });
    await seatStation.service.pairWithHub({ staffToken: seatStaff, ...hubRoom.server.address, code, label: '2B' });
    const packageId = built.manifest.packageId;
    const onTheSeat = async () => (await seatStation.service.listPackages({ staffToken: seatStaff })).find((p) => p.packageId === packageId);
    const staged = () => seatStation.service.db.get(seatStation.service.db.q.selectFrom('packages').select('state').where('package_id', '=', packageId))?.state === 'ready';
    await until('the package on the seat', staged, 20_000);
    expect(await onTheSeat()).toMatchObject({ unlocked: false });
    const seatId = seatStation.identity.deviceId;
    await until('the console to show it on the seat', () => hubRoom.hub.view().find((s) => s.deviceId === seatId)?.state?.packages?.includes(packageId) === true, 20_000);
    const release = hubRoom.hub.issue({ target: { kind: 'room' }, type: 'key-release', params: { packageId, key: built.contentKey }, issuedBy: 'test.chief' });
    await until('the key released on the seat', () => hubRoom.hub.commands.outcomes(release.cmdId).length === 1, 20_000);
    expect(hubRoom.hub.commands.outcomes(release.cmdId)[0]).toMatchObject({ deviceId: seatId, status: 'applied' });
    expect(await onTheSeat()).toMatchObject({ unlocked: true });
  }, 90_000);
});
