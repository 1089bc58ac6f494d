// The room's commands carried out on a seat's station (src-main/seat-link/apply-command.ts): a room
// pause, resume and extra time change the running part's timer in the seat's database, attributed to
// the invigilator who issued them, and the timer events come back to the hub like every other event;
// the content key released at the hub unlocks the seat's package; what a seat cannot do yet is refused
// with a code the hub shows.
import { describe, expect, it } from 'vitest';
import { applyOnStation } from '../../src-main/seat-link/apply-command.ts';
import { atHub, connect, hubStation, seatStation, until } from './room-fixtures.ts';
import { buildMiniPackage, saveId } from '../support/fixtures.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const READING = 'reading';

describe('commands carried out on the seat', () => {
  it('pauses, resumes and extends the running part of the seat, and the hub gets the timer events', async () => {
    const { station, hub } = await hubStation();
    const seat = await seatStation({ onStation: (s) => applyOnStation(s.service) });
    connect(hub, seat);
    const timer = () => seat.service.getTimer({ ...seat.seat, partId: READING });
    const pause = hub.issue({ target: { kind: 'room' }, type: 'pause', reason: 'fire alarm', issuedBy: 'Ilze Kalniņa' });
    await until('the pause carried out', () => hub.commands.outcomes(pause.cmdId).length === 1);
    expect(hub.commands.outcomes(pause.cmdId)[0]).toMatchObject({ status: 'applied' });
    expect((await timer()).status).toBe('paused');
    const frozen = (await timer()).remainingMs;
    const resume = hub.issue({ target: { kind: 'room' }, type: 'resume', issuedBy: 'Ilze Kalniņa' });
    const extend = hub.issue({ target: { kind: 'candidate', candidateId: 'C-0001' }, type: 'extend', params: { amountMs: 120_000 }, reason: 'lost time: the seat froze', issuedBy: 'Ilze Kalniņa' });
    await until('both carried out', () => hub.commands.outcomes(resume.cmdId).length === 1 && hub.commands.outcomes(extend.cmdId).length === 1);
    const after = await timer();
    expect(after.status).toBe('running');
    expect(after.remainingMs).toBeGreaterThan(frozen + 110_000);
    await until('the timer events at the hub', () => atHub(station, seat.service.deviceId).filter((e) => e.kind === 'timer.event').length === 4);
    const reasons = atHub(station, seat.service.deviceId)
      .filter((e) => e.kind === 'timer.event')
      .map((e) => e.payload as { kind: string; reason: string | null });
    expect(reasons.slice(1)).toEqual([
      expect.objectContaining({ kind: 'pause', reason: 'fire alarm; by Ilze Kalniņa' }),
      expect.objectContaining({ kind: 'resume', reason: 'by Ilze Kalniņa' }),
      expect.objectContaining({ kind: 'extend', reason: 'lost time: the seat froze; by Ilze Kalniņa' }),
    ]);
  });

  it('skips a seat with nothing to resume, refuses extra time without an amount and a move-out for the whole room', async () => {
    const { hub } = await hubStation();
    const seat = await seatStation({ onStation: (s) => applyOnStation(s.service) });
    connect(hub, seat);
    const resume = hub.issue({ target: { kind: 'room' }, type: 'resume', issuedBy: 'chief' });
    const extend = hub.issue({ target: { kind: 'room' }, type: 'extend', issuedBy: 'chief' });
    const moveOut = hub.issue({ target: { kind: 'room' }, type: 'move-out', issuedBy: 'chief' });
    await until('three outcomes', () => [resume, extend, moveOut].every((c) => hub.commands.outcomes(c.cmdId).length === 1));
    expect(hub.commands.outcomes(resume.cmdId)[0]).toMatchObject({ status: 'applied' });
    expect(hub.commands.outcomes(extend.cmdId)[0]).toMatchObject({ status: 'refused', code: 'VALIDATION_FAILED' });
    // A move-out is for one seat or candidate (test/room/move.test.ts): one for the whole room is refused.
    expect(hub.commands.outcomes(moveOut.cmdId)[0]).toMatchObject({ status: 'refused', code: 'VALIDATION_FAILED' });
    expect((await seat.service.getTimer({ ...seat.seat, partId: READING })).status).toBe('running');
  });

  it('unlocks a package pre-staged on the seat with the key released at the hub, and refuses a wrong key', async () => {
    const { hub } = await hubStation();
    const seat = await seatStation({ onStation: (s) => applyOnStation(s.service) });
    // A second package, imported on the seat but still locked, as pre-staged before the day.
    const staged = buildMiniPackage(seat.keys, {});
    const path = join(seat.dir, 'staged.exampkg');
    writeFileSync(path, staged.file);
    await seat.service.importPackage({ staffToken: seat.staffToken, path });
    connect(hub, seat);
    const wrong = hub.issue({ target: { kind: 'room' }, type: 'key-release', params: { packageId: staged.manifest.packageId, key: buildMiniPackage(seat.keys, {}).contentKey }, issuedBy: 'chief' });
    const right = hub.issue({ target: { kind: 'room' }, type: 'key-release', params: { packageId: staged.manifest.packageId, key: staged.contentKey }, issuedBy: 'chief' });
    await until('both outcomes', () => hub.commands.outcomes(wrong.cmdId).length === 1 && hub.commands.outcomes(right.cmdId).length === 1);
    expect(hub.commands.outcomes(wrong.cmdId)[0]).toMatchObject({ status: 'refused', code: 'KEY_WRONG' });
    expect(hub.commands.outcomes(right.cmdId)[0]).toMatchObject({ status: 'applied' });
    const listed = await seat.service.listPackages({ staffToken: seat.staffToken });
    expect(listed.find((p) => p.packageId === staged.manifest.packageId)).toMatchObject({ unlocked: true });
  });

  it("shows the invigilator's message on the seat's screen until another replaces it, and refuses one without text", async () => {
    const { hub } = await hubStation();
    const seat = await seatStation({ onStation: (s) => applyOnStation(s.service) });
    connect(hub, seat);
    const first = hub.issue({ target: { kind: 'room' }, type: 'message', params: { text: 'Atlikušas 10 minūtes.' }, issuedBy: 'Ilze Kalniņa' });
    const empty = hub.issue({ target: { kind: 'room' }, type: 'message', params: {}, issuedBy: 'Ilze Kalniņa' });
    await until('both outcomes', () => hub.commands.outcomes(first.cmdId).length === 1 && hub.commands.outcomes(empty.cmdId).length === 1);
    expect(hub.commands.outcomes(empty.cmdId)[0]).toMatchObject({ status: 'refused', code: 'VALIDATION_FAILED' });
    expect((await seat.service.seatHeartbeat(seat.seat)).roomMessage).toEqual({ id: first.cmdId, text: 'Atlikušas 10 minūtes.', at: first.effectiveAt });
    const second = hub.issue({ target: { kind: 'candidate', candidateId: 'C-0001' }, type: 'message', params: { text: 'Lūdzu, pārbaudiet austiņas.' }, issuedBy: 'Ilze Kalniņa' });
    await until('the second applied', () => hub.commands.outcomes(second.cmdId).length === 1);
    expect((await seat.service.seatHeartbeat(seat.seat)).roomMessage).toMatchObject({ id: second.cmdId, text: 'Lūdzu, pārbaudiet austiņas.' });
    // A restart of the seat's station keeps it.
    seat.link.stop();
    seat.service.close();
    const again = seat.reopen();
    try {
      expect((await again.seatHeartbeat(seat.seat)).roomMessage).toMatchObject({ id: second.cmdId });
    } finally {
      again.close();
    }
  });

  it('locks the seat: nothing new begins, an answer on its way is still kept, the screen is told why; unlock lets it go on', async () => {
    const { hub } = await hubStation();
    const seat = await seatStation({ onStation: (s) => applyOnStation(s.service) });
    connect(hub, seat);
    const lock = hub.issue({ target: { kind: 'seat', deviceId: seat.service.deviceId }, type: 'lock', reason: 'kandidāts pārsēžas', issuedBy: 'Ilze Kalniņa' });
    await until('locked', () => hub.commands.outcomes(lock.cmdId).length === 1);
    expect((await seat.service.seatHeartbeat(seat.seat)).locked).toEqual({ reason: 'kandidāts pārsēžas', at: lock.effectiveAt });
    await expect(seat.service.startRecording({ ...seat.seat, itemId: 's1-q1', mimeType: 'audio/webm' })).rejects.toMatchObject({ code: 'SEAT_LOCKED' });
    await expect(seat.service.recordTimerEvent({ ...seat.seat, partId: 'writing', kind: 'start' })).rejects.toMatchObject({ code: 'SEAT_LOCKED' });
    await expect(seat.service.saveResponse({ ...seat.seat, itemId: 'r1-q4', value: { type: 'short-text', text: 'rakstīts pirms bloķēšanas' }, clientSaveId: saveId() })).resolves.toMatchObject({ revision: 1 });
    const unlock = hub.issue({ target: { kind: 'seat', deviceId: seat.service.deviceId }, type: 'unlock', issuedBy: 'Ilze Kalniņa' });
    await until('unlocked', () => hub.commands.outcomes(unlock.cmdId).length === 1);
    expect((await seat.service.seatHeartbeat(seat.seat)).locked).toBeNull();
    await expect(seat.service.recordTimerEvent({ ...seat.seat, partId: 'writing', kind: 'start' })).resolves.toMatchObject({ status: 'running' });
  });
});
