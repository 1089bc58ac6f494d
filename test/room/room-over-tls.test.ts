// A hub and a seat as openStation makes them (production configuration, their own data folders and
// keys), joined the way IT joins them: "add seats" on the hub shows a code, the seat pairs with it over
// TLS, and from then on the room protocol runs over the mutual-TLS channel. The package is pre-staged on
// the seat, locked; the hub releases its key; the candidate's work reaches the hub attributed to the
// seat's key; the hub's pause is carried out on the seat.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadStationConfig } from '../../src-main/host/config.ts';
import { startRoom, type StationRoom } from '../../src-main/host/room.ts';
import { openStation, type OpenedStation } from '../../src-main/host/start.ts';
import { buildMiniPackage, DEMO_CANDIDATE, DEMO_SESSION, firstSignIn, makeKeys, saveId, seatOf, tempDir, TEST_CHIEF_ENV, writeProductionAssets } from '../support/fixtures.ts';
import { until } from './room-fixtures.ts';

const keys = makeKeys();
const built = buildMiniPackage(keys);
const closing: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closing.splice(0).reverse()) await close();
});

function station(role: 'hub' | 'seat'): OpenedStation {
  const dir = tempDir(`room-${role}-`);
  const config = loadStationConfig({
    env: { EXAM_STATION_MODE: 'production', EXAM_STATION_ROLE: role, EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_DATA: join(dir, 'data'), EXAM_STATION_ASSETS: writeProductionAssets(dir, keys.trust), ...TEST_CHIEF_ENV },
    machinePolicyFile: join(dir, 'absent.json'),
  });
  const opened = openStation(config, { heartbeatMs: 0 });
  closing.push(() => opened.service.close());
  return opened;
}

async function room(opened: OpenedStation): Promise<StationRoom> {
  const started = await startRoom(opened, { host: '127.0.0.1', heartbeatMs: 100 });
  closing.push(() => started.close());
  return started;
}

describe('a hub and a seat over the room channel', () => {
  it('pairs by code, releases the key to the pre-staged package, brings the work to the hub under the seat key and pauses the seat', async () => {
    const hubStation = station('hub');
    const seatStation = station('seat');
    expect(seatStation.service.deviceId).toBe(seatStation.identity.deviceId);
    // The package is on the seat before the day, locked; the roster too.
    const seatStaff = await firstSignIn(seatStation.service);
    seatStation.service.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE] });
    const packagePath = join(seatStation.config.dataDir, 'mini.exampkg');
    writeFileSync(packagePath, built.file);
    await seatStation.service.importPackage({ staffToken: seatStaff, path: packagePath });

    const hubRoom = await room(hubStation);
    if (hubRoom.role !== 'hub') throw new Error('not a hub');
    const seatRoom = await room(seatStation);
    expect(seatRoom).toMatchObject({ role: 'seat', paired: false });
    expect(await seatStation.service.getRoom({ staffToken: seatStaff })).toMatchObject({ role: 'seat', notice: 'this seat is not paired with a hub yet', seat: { paired: false } });
    // IT pairs the seat through the station API: "add seats" on the hub, the code typed on the seat.
    const hubStaff = await firstSignIn(hubStation.service);
    const { code } = await hubStation.service.openPairing({ staffToken: hubStaff });
    const paired = await seatStation.service.pairWithHub({ staffToken: seatStaff, ...hubRoom.server.address, code, label: '1A' });
    expect(paired.seat).toMatchObject({ paired: true, label: '1A', hubDeviceId: hubStation.identity.deviceId });
    const seatId = seatStation.identity.deviceId;
    await until('the seat on the room view', () => hubRoom.hub.view().some((s) => s.deviceId === seatId && s.connected && s.state !== null));
    const roomAtHub = await hubStation.service.getRoom({ staffToken: hubStaff });
    // The code is used: the hub shows the next one for the next seat, to those who may pair seats only.
    expect(roomAtHub.hub?.pairing).toMatchObject({ state: 'open', code: expect.stringMatching(/^\d{8}$/) });
    expect(roomAtHub.hub?.pairing.code).not.toBe(code);
    await hubStation.service.createStaffAccount({ staffToken: hubStaff, username: 'kontrolieris', displayName: 'Ilze Kontroliere', roles: ['invigilator'], password: 'Sakuma-Parole-1' });
    const { staffToken: invigilatorToken } = await hubStation.service.staffSignIn({ username: 'kontrolieris', password: 'Sakuma-Parole-1' });
    await hubStation.service.changeOwnPassword({ staffToken: invigilatorToken, currentPassword: 'Sakuma-Parole-1', newPassword: 'Manas-Parole-22' });
    expect((await hubStation.service.getRoom({ staffToken: invigilatorToken })).hub?.pairing).toMatchObject({ state: 'open', code: null });
    expect(roomAtHub.hub?.seats).toEqual([expect.objectContaining({ deviceId: seatId, label: '1A', revoked: false, presence: 'connected', connected: true })]);
    // The audit log on each station says who did it.
    const audit = async (s: OpenedStation, staffToken: string) => (await s.service.listAudit({ staffToken, afterSeq: 0, limit: 1000 })).map((e) => e.action);
    expect(await audit(hubStation, hubStaff)).toContain('room.pairing.open');
    expect(await audit(seatStation, seatStaff)).toContain('room.paired');

    // The key goes out over the channel at the start.
    const release = hubRoom.hub.issue({ target: { kind: 'room' }, type: 'key-release', params: { packageId: built.manifest.packageId, key: built.contentKey }, issuedBy: 'test.chief' });
    await until('the key released on the seat', () => hubRoom.hub.commands.outcomes(release.cmdId).length === 1);
    expect(hubRoom.hub.commands.outcomes(release.cmdId)[0]).toMatchObject({ deviceId: seatId, status: 'applied' });

    // The candidate works on the seat; every event reaches the hub, attributed to the seat's key.
    const seat = seatOf(await seatStation.service.openAttempt({ staffToken: seatStaff, candidateId: DEMO_CANDIDATE.candidateId, packageId: built.manifest.packageId }));
    await seatStation.service.recordTimerEvent({ ...seat, partId: 'reading', kind: 'start' });
    for (let i = 0; i < 5; i += 1) await seatStation.service.saveResponse({ ...seat, itemId: 'r1-q4', value: { type: 'short-text', text: `atbilde ${i}` }, clientSaveId: saveId() });
    const seatEvents = seatStation.service.outbox.read(0, 10_000);
    await until('every event at the hub', () => hubRoom.hub.streams.ackedSeq(seatId) === seatStation.service.outbox.lastSeq(), 10_000);
    const atHub = hubStation.service.outbox.read(0, 10_000).filter((e) => e.origin.deviceId === seatId);
    expect(atHub.map((e) => [e.origin.seq, e.kind, e.payload])).toEqual(seatEvents.map((e) => [e.seq, e.kind, e.payload]));
    await until('the seat reports its candidate', () => hubRoom.hub.view().find((s) => s.deviceId === seatId)?.state?.attempt?.partId === 'reading');
    expect(hubRoom.hub.view().find((s) => s.deviceId === seatId)?.state?.attempt).toMatchObject({ attemptId: seat.attemptId, candidateId: DEMO_CANDIDATE.candidateId, partId: 'reading' });

    // The invigilator pauses the room: the seat's running part is paused on the seat itself.
    const pause = hubRoom.hub.issue({ target: { kind: 'room' }, type: 'pause', reason: 'trauksme', issuedBy: 'test.chief' });
    await until('the pause carried out', () => hubRoom.hub.commands.outcomes(pause.cmdId).length === 1);
    expect((await seatStation.service.getTimer({ ...seat, partId: 'reading' })).status).toBe('paused');
    await until('the seat reports it paused', () => hubRoom.hub.view().find((s) => s.deviceId === seatId)?.state?.attempt?.screen === 'paused');
  }, 60_000);
});
