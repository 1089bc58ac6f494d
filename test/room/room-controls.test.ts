// The console's room controls, from the hub's station API to the seats over the in-memory link (issue
// 10 §3, §5): the key held at the hub released to every seat in one command; the start gate (a seat
// begins no part before the room's start, a candidate who came late gets a start of their own); pause,
// resume and extra time for one candidate; a message to one seat or all, lock and unlock; incidents for
// the room, a candidate or a seat, and the removal of a candidate; a raised hand until acknowledged;
// time lost while a seat was silent during a running part, proposed and credited with one click, kept
// in the candidate's ledger; a proposal made before a restart of the hub is still there after it, and
// is credited once.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEMO_SESSION } from '../support/fixtures.ts';
import { CHIEF_DESK, controlledHub, roomSeat } from './room-controls-fixtures.ts';
import { connect, until } from './room-fixtures.ts';

const READING = 'reading';

/** A hub and a seat whose candidate works in the reading part, started with the room. */
async function workingInReading() {
  const hub = await controlledHub();
  const seat = await roomSeat(hub);
  const start = await hub.service.roomCommand({ staffToken: hub.chief, action: 'start', target: { kind: 'room' } }, CHIEF_DESK);
  await until('started', () => hub.desk.command(start.cmdId)!.applied === 1);
  await seat.service.recordTimerEvent({ ...seat.seat, partId: READING, kind: 'start' });
  await until('the hub sees the part running', () => hub.hub.view()[0]?.state?.attempt?.screen === 'part');
  return { hub, seat };
}

/** The seat silent for `silentMs` of the hub's time (its clock moves on between two heartbeats), until the desk lists `proposals`. */
async function silentFor(hub: Awaited<ReturnType<typeof controlledHub>>, seat: Awaited<ReturnType<typeof roomSeat>>, silentMs: number, proposals: number): Promise<void> {
  seat.pair!.cut('the seat froze');
  hub.advance(silentMs);
  connect(hub.hub, seat);
  await until(`${proposals} proposal(s)`, () => hub.desk.lostTime().length === proposals);
}

describe('room controls from the console', () => {
  it('releases the key held at the hub to every seat in one command, never showing the key', async () => {
    const hub = await controlledHub();
    const seats = [await roomSeat(hub), await roomSeat(hub, { candidateId: 'C-0002' })];
    const released = await hub.service.releaseKey({ staffToken: hub.chief, packageId: hub.packageId, sessionId: DEMO_SESSION.sessionId }, CHIEF_DESK);
    expect(released).toMatchObject({ state: 'released', startedBy: 'test.chief', confirmedBy: null });
    await until('both seats unlocked', () => hub.desk.command(released.command!.cmdId)!.applied === 2);
    for (const seat of seats) {
      expect((await seat.service.listPackages({ staffToken: seat.staffToken })).find((p) => p.packageId === hub.packageId)).toMatchObject({ unlocked: true });
    }
    const controls = await hub.service.getRoomControls({ staffToken: hub.chief }, CHIEF_DESK);
    expect(JSON.stringify(controls)).not.toContain(hub.staged.contentKey);
    expect(controls.keyReleases).toEqual([expect.objectContaining({ packageId: hub.packageId, state: 'released' })]);
  });

  it('gates the start: no part before the room starts; a candidate seated after the start waits for their own', async () => {
    const hub = await controlledHub();
    const onTime = await roomSeat(hub);
    const late = await roomSeat(hub, { candidateId: 'C-0002', openNow: false });
    await expect(onTime.service.recordTimerEvent({ ...onTime.seat, partId: READING, kind: 'start' })).rejects.toMatchObject({ code: 'ROOM_NOT_STARTED' });
    expect((await onTime.service.seatHeartbeat(onTime.seat)).waitingForStart).toBe(true);
    const start = await hub.service.roomCommand({ staffToken: hub.chief, action: 'start', target: { kind: 'room' } }, CHIEF_DESK);
    await until('the start on both seats', () => hub.desk.command(start.cmdId)!.applied === 2);
    expect((await onTime.service.seatHeartbeat(onTime.seat)).waitingForStart).toBe(false);
    await expect(onTime.service.recordTimerEvent({ ...onTime.seat, partId: READING, kind: 'start' })).resolves.toMatchObject({ status: 'running' });
    // The late candidate is seated after the room's start.
    await late.open();
    await expect(late.service.recordTimerEvent({ ...late.seat, partId: READING, kind: 'start' })).rejects.toMatchObject({ code: 'ROOM_NOT_STARTED' });
    await until('the hub sees the late candidate not started', () => hub.hub.view().some((s) => s.state?.attempt?.candidateId === 'C-0002' && s.state.attempt.started === false));
    const own = await hub.service.roomCommand({ staffToken: hub.chief, action: 'start', target: { kind: 'candidate', candidateId: 'C-0002' } }, CHIEF_DESK);
    await until('their start applied', () => hub.desk.command(own.cmdId)!.applied === 1);
    await expect(late.service.recordTimerEvent({ ...late.seat, partId: READING, kind: 'start' })).resolves.toMatchObject({ status: 'running' });
  });

  it('pauses and resumes one candidate, gives extra time with grounds and reason, and keeps it in the ledger', async () => {
    const hub = await controlledHub();
    const anna = await roomSeat(hub);
    const janis = await roomSeat(hub, { candidateId: 'C-0002' });
    const start = await hub.service.roomCommand({ staffToken: hub.chief, action: 'start', target: { kind: 'room' } }, CHIEF_DESK);
    await until('started', () => hub.desk.command(start.cmdId)!.applied === 2);
    for (const s of [anna, janis]) await s.service.recordTimerEvent({ ...s.seat, partId: READING, kind: 'start' });
    await until('the hub routes by candidate', () => hub.hub.view().filter((s) => s.state?.attempt?.started).length === 2);
    const pause = await hub.service.roomCommand({ staffToken: hub.chief, action: 'pause', target: { kind: 'candidate', candidateId: 'C-0002' }, reason: 'slikti jūtas' }, CHIEF_DESK);
    await until('paused', () => hub.desk.command(pause.cmdId)!.applied === 1);
    expect((await janis.service.getTimer({ ...janis.seat, partId: READING })).status).toBe('paused');
    expect((await anna.service.getTimer({ ...anna.seat, partId: READING })).status).toBe('running');
    const resume = await hub.service.roomCommand({ staffToken: hub.chief, action: 'resume', target: { kind: 'candidate', candidateId: 'C-0002' } }, CHIEF_DESK);
    const extend = await hub.service.roomCommand({ staffToken: hub.chief, action: 'extend', candidateId: 'C-0002', amountMs: 300_000, grounds: 'incident', reason: 'trauksme telpā' }, CHIEF_DESK);
    await until('resumed and extended', () => hub.desk.command(resume.cmdId)!.applied === 1 && hub.desk.command(extend.cmdId)!.applied === 1);
    expect(await janis.service.getTimer({ ...janis.seat, partId: READING })).toMatchObject({ status: 'running', addedMs: 300_000 });
    expect((await anna.service.getTimer({ ...anna.seat, partId: READING })).addedMs).toBe(0);
    const { ledger } = await hub.service.getRoomControls({ staffToken: hub.chief }, CHIEF_DESK);
    expect(ledger).toEqual([expect.objectContaining({ source: 'hub', candidateId: 'C-0002', grounds: 'incident', amountMs: 300_000, reason: 'trauksme telpā', issuedBy: 'test.chief', applied: true })]);
    const actions = (await hub.service.listAudit({ staffToken: hub.chief, afterSeq: 0, limit: 1000 }, CHIEF_DESK)).map((e) => [e.action, e.target]);
    expect(actions).toEqual(expect.arrayContaining([['room.start', null], ['room.pause', 'C-0002'], ['room.resume', 'C-0002'], ['room.extend', 'C-0002']]));
  });

  it('sends a message to one seat or to all, locks and unlocks one seat', async () => {
    const hub = await controlledHub();
    const a = await roomSeat(hub);
    const b = await roomSeat(hub, { candidateId: 'C-0002' });
    const toOne = await hub.service.roomCommand({ staffToken: hub.chief, action: 'message', target: { kind: 'seat', deviceId: b.service.deviceId }, text: 'Lūdzu, pārbaudiet austiņas.' }, CHIEF_DESK);
    await until('one message', () => hub.desk.command(toOne.cmdId)!.applied === 1);
    expect((await a.service.seatHeartbeat(a.seat)).roomMessage).toBeNull();
    expect((await b.service.seatHeartbeat(b.seat)).roomMessage).toMatchObject({ text: 'Lūdzu, pārbaudiet austiņas.' });
    const toAll = await hub.service.roomCommand({ staffToken: hub.chief, action: 'message', target: { kind: 'room' }, text: 'Atlikušas 10 minūtes.' }, CHIEF_DESK);
    await until('to all', () => hub.desk.command(toAll.cmdId)!.applied === 2);
    expect((await a.service.seatHeartbeat(a.seat)).roomMessage).toMatchObject({ text: 'Atlikušas 10 minūtes.' });
    const lock = await hub.service.roomCommand({ staffToken: hub.chief, action: 'lock', deviceId: a.service.deviceId, reason: 'pārsēžas' }, CHIEF_DESK);
    await until('locked', () => hub.desk.command(lock.cmdId)!.applied === 1);
    expect((await a.service.seatHeartbeat(a.seat)).locked).toMatchObject({ reason: 'pārsēžas' });
    expect((await b.service.seatHeartbeat(b.seat)).locked).toBeNull();
    const unlock = await hub.service.roomCommand({ staffToken: hub.chief, action: 'unlock', deviceId: a.service.deviceId }, CHIEF_DESK);
    await until('unlocked', () => hub.desk.command(unlock.cmdId)!.applied === 1);
    expect((await a.service.seatHeartbeat(a.seat)).locked).toBeNull();
    await expect(hub.service.roomCommand({ staffToken: hub.chief, action: 'lock', deviceId: 'NO-SUCH-SEAT' }, CHIEF_DESK)).rejects.toMatchObject({ code: 'SEAT_UNKNOWN' });
  });

  it('records incidents for the room, a candidate and a seat, and removes a candidate: attendance, incident, their seat locked', async () => {
    const hub = await controlledHub();
    const seat = await roomSeat(hub);
    await until('the seat reports its candidate', () => hub.desk.seatOf('C-0001') === seat.service.deviceId);
    await hub.service.recordRoomIncident({ staffToken: hub.chief, kind: 'environment', note: 'Troksnis aiz loga.', target: { kind: 'room', sessionId: DEMO_SESSION.sessionId } }, CHIEF_DESK);
    await hub.service.recordRoomIncident({ staffToken: hub.chief, kind: 'candidate-illness', note: 'Slikta dūša.', target: { kind: 'candidate', candidateId: 'C-0002' } }, CHIEF_DESK);
    await hub.service.recordRoomIncident({ staffToken: hub.chief, kind: 'technical-freezing', note: 'Ekrāns sastinga.', target: { kind: 'seat', deviceId: seat.service.deviceId } }, CHIEF_DESK);
    const removed = await hub.service.removeCandidate({ staffToken: hub.chief, candidateId: 'C-0001', note: 'Lietoja tālruni.' }, CHIEF_DESK);
    const incidents = hub.service.outbox.read(0, 10_000).filter((e) => e.kind === 'incident.recorded').map((e) => e.payload);
    expect(incidents).toEqual([
      expect.objectContaining({ kind: 'environment', candidateId: null, note: 'Troksnis aiz loga.' }),
      expect.objectContaining({ kind: 'candidate-illness', candidateId: 'C-0002' }),
      expect.objectContaining({ kind: 'technical-freezing', candidateId: 'C-0001', note: `[${seat.service.deviceId}] Ekrāns sastinga.` }),
      expect.objectContaining({ kind: 'candidate-removed', candidateId: 'C-0001', note: 'Lietoja tālruni.', recordedBy: 'test.chief' }),
    ]);
    expect((await hub.service.listCandidates({ staffToken: hub.chief }, CHIEF_DESK)).find((c) => c.candidateId === 'C-0001')?.attendance).toBe('removed');
    await until('the seat locked', () => hub.desk.command(removed.command!.cmdId)!.applied === 1);
    expect((await seat.service.seatHeartbeat(seat.seat)).locked).toMatchObject({ reason: 'candidate removed from the session' });
  });

  it('shows a raised hand with its reason at the hub until an invigilator acknowledges it, then it goes down on the seat', async () => {
    const hub = await controlledHub();
    const seat = await roomSeat(hub);
    const raised = await seat.service.raiseHand({ ...seat.seat, reason: 'technical' });
    expect((await seat.service.seatHeartbeat(seat.seat)).hand).toEqual(raised);
    await until('the hand at the hub', () => hub.desk.hands().length === 1);
    expect((await hub.service.getRoomControls({ staffToken: hub.chief }, CHIEF_DESK)).hands).toEqual([{ deviceId: seat.service.deviceId, candidateId: 'C-0001', reason: 'technical', at: raised.at }]);
    const ack = await hub.service.acknowledgeHand({ staffToken: hub.chief, deviceId: seat.service.deviceId }, CHIEF_DESK);
    expect((await hub.service.getRoomControls({ staffToken: hub.chief }, CHIEF_DESK)).hands).toEqual([]);
    await until('acknowledged on the seat', () => hub.desk.command(ack.cmdId)!.applied === 1);
    expect((await seat.service.seatHeartbeat(seat.seat)).hand).toBeNull();
  });

  it("proposes the time a seat was silent during a running part, credits it with one click, and keeps it in the candidate's ledger", async () => {
    const { hub, seat } = await workingInReading();
    // The seat goes silent for 40 s of the hub's time while its part runs (the hub's clock moves on between two heartbeats).
    await silentFor(hub, seat, 40_000, 1);
    const [proposal] = (await hub.service.getRoomControls({ staffToken: hub.chief }, CHIEF_DESK)).lostTime;
    expect(proposal).toMatchObject({ deviceId: seat.service.deviceId, candidateId: 'C-0001', partId: READING });
    expect(proposal!.amountMs).toBeGreaterThanOrEqual(37_000);
    expect(proposal!.amountMs).toBeLessThanOrEqual(40_000);
    const before = await seat.service.getTimer({ ...seat.seat, partId: READING });
    const settled = await hub.service.settleLostTime({ staffToken: hub.chief, proposalId: proposal!.proposalId, confirm: true }, CHIEF_DESK);
    await expect(hub.service.settleLostTime({ staffToken: hub.chief, proposalId: proposal!.proposalId, confirm: true }, CHIEF_DESK)).rejects.toMatchObject({ code: 'LOST_TIME_SETTLED' });
    await until('credited on the seat', () => hub.desk.command(settled.command!.cmdId)!.applied === 1);
    expect((await seat.service.getTimer({ ...seat.seat, partId: READING })).creditedMs).toBe(before.creditedMs + proposal!.amountMs);
    const { ledger, lostTime } = await hub.service.getRoomControls({ staffToken: hub.chief }, CHIEF_DESK);
    expect(lostTime).toEqual([]);
    expect(ledger).toEqual([expect.objectContaining({ source: 'hub', candidateId: 'C-0001', grounds: 'lost-time', amountMs: proposal!.amountMs, issuedBy: 'test.chief', applied: true, reason: expect.stringContaining('silent 40 s') })]);
  });

  it('withdraws a proposal whose candidate was moved away from that seat (the spare seat credited the gap) or whose attempt is submitted', async () => {
    const { hub, seat } = await workingInReading();
    await silentFor(hub, seat, 40_000, 1);
    // The console names the part by its title, from the package unlocked at the hub.
    const { partTitles } = await hub.service.getRoomControls({ staffToken: hub.chief }, CHIEF_DESK);
    expect(partTitles[READING]).toMatch(/\p{L}{3,}/u);
    expect(partTitles[READING]).not.toBe(READING);
    const db = hub.service.db;
    // A move of the candidate away from this seat (as room-moves.ts keeps it): the proposal goes; a refused move brings it back.
    db.sqlite
      .prepare("INSERT INTO room_moves (move_id, attempt_id, candidate_id, package_id, from_device, to_device, through_seq, from_last_seen_at, reason, moved_by, created_at, status) VALUES (?, ?, 'C-0001', 'p', ?, 'SPARE', 0, NULL, 'dators sastinga', 'test.chief', ?, 'applied')")
      .run(randomUUID(), seat.seat.attemptId, seat.service.deviceId, new Date().toISOString());
    expect(hub.desk.lostTime()).toEqual([]);
    db.sqlite.prepare("UPDATE room_moves SET status = 'refused'").run();
    expect(hub.desk.lostTime()).toHaveLength(1);
    // The candidate finishes: every part ended, the attempt submitted and at the hub.
    await seat.service.recordTimerEvent({ ...seat.seat, partId: READING, kind: 'end' });
    for (const partId of (await seat.service.getAttempt(seat.seat)).parts.map((p) => p.partId).filter((id) => id !== READING)) {
      await seat.service.recordTimerEvent({ ...seat.seat, partId, kind: 'start' });
      await seat.service.recordTimerEvent({ ...seat.seat, partId, kind: 'end' });
    }
    await seat.service.finishAttempt(seat.seat);
    await until('the submission at the hub', () => db.sqlite.prepare("SELECT 1 FROM outbox WHERE kind = 'attempt.submitted'").get() !== undefined);
    expect(hub.desk.lostTime()).toEqual([]);
    const proposalId = (db.sqlite.prepare('SELECT proposal_id FROM room_lost_time').get() as { proposal_id: string }).proposal_id;
    await expect(hub.service.settleLostTime({ staffToken: hub.chief, proposalId, confirm: true }, CHIEF_DESK)).rejects.toMatchObject({ code: 'LOST_TIME_SETTLED' });
  });

  it('keeps lost-time proposals through a hub restart: still listed, one credited once (also when clicked again after another restart), one dismissed', async () => {
    const { hub, seat } = await workingInReading();
    // Silent twice while the part runs: 40 s, then 20 s of the hub's time.
    for (const [silentMs, proposals] of [[40_000, 1], [20_000, 2]] as const) await silentFor(hub, seat, silentMs, proposals);
    const proposed = (await hub.service.getRoomControls({ staffToken: hub.chief }, CHIEF_DESK)).lostTime;
    expect(proposed.map((p) => p.reason)).toEqual([expect.stringContaining('silent 40 s'), expect.stringContaining('silent 20 s')]);
    const [credit, dismiss] = proposed;

    await hub.restart();
    expect((await hub.service.getRoomControls({ staffToken: hub.chief }, CHIEF_DESK)).lostTime).toEqual(proposed);
    connect(hub.hub, seat);
    const before = await seat.service.getTimer({ ...seat.seat, partId: READING });
    const settled = await hub.service.settleLostTime({ staffToken: hub.chief, proposalId: credit!.proposalId, confirm: true }, CHIEF_DESK);
    await expect(hub.service.settleLostTime({ staffToken: hub.chief, proposalId: dismiss!.proposalId, confirm: false }, CHIEF_DESK)).resolves.toEqual({ command: null });
    await until('credited on the seat', () => hub.desk.command(settled.command!.cmdId)!.applied === 1);
    expect((await seat.service.getTimer({ ...seat.seat, partId: READING })).creditedMs).toBe(before.creditedMs + credit!.amountMs);

    await hub.restart();
    for (const proposal of [credit!, dismiss!]) {
      for (const confirm of [true, false]) {
        await expect(hub.service.settleLostTime({ staffToken: hub.chief, proposalId: proposal.proposalId, confirm }, CHIEF_DESK)).rejects.toMatchObject({ code: 'LOST_TIME_SETTLED' });
      }
    }
    const { ledger, lostTime } = await hub.service.getRoomControls({ staffToken: hub.chief }, CHIEF_DESK);
    expect(lostTime).toEqual([]);
    expect(ledger).toEqual([expect.objectContaining({ source: 'hub', cmdId: settled.command!.cmdId, candidateId: 'C-0001', grounds: 'lost-time', amountMs: credit!.amountMs, applied: true })]);
    const actions = (await hub.service.listAudit({ staffToken: hub.chief, afterSeq: 0, limit: 1000 }, CHIEF_DESK)).map((e) => e.action).filter((a) => a.startsWith('room.lost-time'));
    expect(actions).toEqual(['room.lost-time.credited', 'room.lost-time.dismissed']);
  });
});
