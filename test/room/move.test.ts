// Moving a candidate to a spare seat mid-part (issue 10 §5; src-main/lan/room-moves.ts, the seat's
// src-main/seat-link/hand-over.ts and StationService.roomHandOver), between real station services over
// the in-memory link: the candidate answers and records on seat 1, seat 1 drops off, the invigilator
// moves them to a spare seat that has the package but not the candidate; the spare seat gets every
// acknowledged answer, take and play and the timers, credits the time the candidate could not work, and
// the candidate goes on there; seat 1 comes back, stops the attempt (move-out) and pushes what it wrote
// after the hub lost it: stored once, flagged late-after-move, never the answer. A candidate the seat
// plan seated is seated at the spare seat by the move: its kiosk takes the attempt and goes straight on,
// the roster shows the spare seat, and the seat they left is free. The end and seal of a room with a
// moved candidate: each seat's digest covers what it wrote itself, the moved attempt once. And every refusal.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RoomHub } from '../../src-main/lan/room-hub.ts';
import { applyOnStation } from '../../src-main/seat-link/apply-command.ts';
import type { RoomControl } from '../../src-main/station/room-control.ts';
import { StationService } from '../../src-main/station/service.ts';
import type { EventEnvelope } from '../../src-shared/contracts/events.ts';
import { HANDOVER_CHUNK_CHARS } from '../../src-shared/contracts/room-protocol.ts';
import { deriveTimer, type TimerEvent } from '../../src-shared/rules/timer.ts';
import { openTestStation, saveId, seatOf, TEST_STAFF } from '../support/fixtures.ts';
import { atHub, cleanups, connect, expectExactlyOnce, hubStation, REPORT, save, seatEvents, seatStation, sha, until, type Seat } from './room-fixtures.ts';
import { connectSpare, spareSeat, type Spare } from './spare-fixtures.ts';
import { checkIn, hubOf, KIOSK, rowOf, seatOf as planSeat } from './seating-fixtures.ts';
import { endAndWait, sealRoom, seatIn, SESSION, type SealRoom } from './seal-support.ts';
import { SealAnswer } from '../../src-shared/contracts/room-protocol.ts';

const CANDIDATE = 'C-0001';

/** A clock a test can move on: the real one plus `ahead` ms. */
function clock() {
  const c = { ahead: 0, frozen: null as number | null, now: () => new Date(c.frozen ?? Date.now() + c.ahead) };
  return c;
}

/** Seat 1's station as the fixture's exactly-once check wants a seat. */
const asSeat = (spare: Spare): Seat => ({ service: spare.service }) as unknown as Seat;

const timerEventsOf = (events: EventEnvelope[], attemptId: string, partId: string): TimerEvent[] =>
  events
    .filter((e) => e.kind === 'timer.event')
    .map((e) => e.payload as { attemptId: string; partId: string; kind: TimerEvent['kind']; at: number; amountMs: number | null })
    .filter((p) => p.attemptId === attemptId && p.partId === partId)
    .map((p) => ({ kind: p.kind, at: p.at, amountMs: p.amountMs }));

describe('moving a candidate to a spare seat mid-part', () => {
  it('resumes on the spare seat with every acknowledged answer, take, play and the timer; the old seat’s late events are merged once and flagged', async () => {
    const { station: hubStationOf, hub } = await hubStation();
    const seat1 = await seatStation({ onStation: (s) => applyOnStation(s.service) });
    connect(hub, seat1);
    const cand = seat1.seat;
    // On seat 1: two revisions of an answer, a finished take, a take under way, a listening play.
    await save(seat1, 'pirmā atbilde');
    await save(seat1, 'otrā atbilde');
    await seat1.service.recordTimerEvent({ ...cand, partId: 'speaking', kind: 'start' });
    await seat1.service.recordTimerEvent({ ...cand, partId: 'listening', kind: 'start' });
    await seat1.service.grantAudioPlay({ ...cand, stimulusId: 'l1-audio' });
    const audio = [randomBytes(2000), randomBytes(1800), randomBytes(1500), randomBytes(1700)];
    const take1 = await seat1.service.startRecording({ ...cand, itemId: 's1-q1', mimeType: 'audio/webm' });
    for (const [index, data] of audio.slice(0, 2).entries()) await seat1.service.appendAudioSegment({ ...cand, recordingId: take1.recordingId, index, data, sha256: sha(data), durationMs: 1000 });
    await seat1.service.closeRecording({ ...cand, recordingId: take1.recordingId, segmentCount: 2 });
    const take2 = await seat1.service.startRecording({ ...cand, itemId: 's1-q1', mimeType: 'audio/webm' });
    await seat1.service.appendAudioSegment({ ...cand, recordingId: take2.recordingId, index: 0, data: audio[2]!, sha256: sha(audio[2]!), durationMs: 1000 });
    seat1.link.kick();
    await until('seat 1 all at the hub', () => seat1.link.status().backlogEvents === 0 && seat1.link.status().audioSegmentsPending === 0 && seat1.link.status().connected);
    const acknowledged = seat1.service.outbox.lastSeq();

    // Seat 1 drops off the room; the candidate typed on and spoke on before anyone noticed.
    seat1.pair!.cut();
    await until('the hub to see seat 1 gone', () => hub.seat(seat1.service.deviceId)?.link === null);
    await save(seat1, 'vēlā atbilde no 1. datora');
    await seat1.service.appendAudioSegment({ ...cand, recordingId: take2.recordingId, index: 1, data: audio[3]!, sha256: sha(audio[3]!), durationMs: 1000 });
    const lastSeenAt = hub.seat(seat1.service.deviceId)!.lastSeenAt!;

    // The spare seat, its clock 30 s on: the move came half a minute after seat 1 was last heard.
    const spareClock = clock();
    spareClock.ahead = 30_000;
    const spare = await spareSeat(seat1, spareClock.now);
    connectSpare(hub, spare);
    await until('the spare greeted', () => Boolean(hub.seat(spare.service.deviceId)?.link) && spare.link.status().connected);
    const move = hub.moves.move({ candidateId: CANDIDATE, toDeviceId: spare.service.deviceId, reason: 'dators sastinga', movedBy: TEST_STAFF.username });
    expect(move).toMatchObject({ candidateId: CANDIDATE, attemptId: cand.attemptId, fromDeviceId: seat1.service.deviceId, toDeviceId: spare.service.deviceId, status: 'handing-over', lateEvents: 0 });
    // The second click, while the hand-over is on its way.
    expect(() => hub.moves.move({ candidateId: CANDIDATE, toDeviceId: spare.service.deviceId, reason: 'dators sastinga', movedBy: TEST_STAFF.username })).toThrow(expect.objectContaining({ code: 'MOVE_IN_PROGRESS' }));
    await until('the hand-over taken', () => hub.moves.view()[0]!.status === 'applied');
    // And once it is done: the candidate sits there already.
    expect(() => hub.moves.move({ candidateId: CANDIDATE, toDeviceId: spare.service.deviceId, reason: 'vēlreiz', movedBy: TEST_STAFF.username })).toThrow(expect.objectContaining({ code: 'SEAT_OCCUPIED' }));

    // The invigilator opens the attempt for the spare seat's screen: it is the same attempt, resumed.
    const opened = await spare.service.openAttempt({ staffToken: spare.staffToken, candidateId: CANDIDATE, packageId: seat1.built.manifest.packageId });
    expect(opened.attemptId).toBe(cand.attemptId);
    expect(opened.responses).toEqual([expect.objectContaining({ itemId: 'r1-q4', revision: 2, value: { type: 'short-text', text: 'otrā atbilde' } })]);
    expect(opened.audioPlays).toEqual({ 'l1-audio': 1 });
    expect(opened.recordings).toEqual([
      expect.objectContaining({ recordingId: take1.recordingId, take: 1, segmentCount: 2, closed: true, interrupted: false }),
      // Cut off by the old seat: closed here with what the hub had, and it does not count against the takes.
      expect.objectContaining({ recordingId: take2.recordingId, take: 2, segmentCount: 1, closed: true, interrupted: true, interruption: 'station-restart' }),
    ]);
    expect(spare.service.recordingFile(take1.recordingId)).toEqual(Buffer.concat(audio.slice(0, 2)));
    expect(spare.service.recordingFile(take2.recordingId)).toEqual(audio[2]);
    // The candidate's name came with the hand-over: the spare seat had no roster.
    expect((await spare.service.listCandidates({ staffToken: spare.staffToken })).map((c) => [c.candidateId, c.familyName])).toEqual([[CANDIDATE, 'Bērziņa']]);

    // The timer: the half minute from seat 1's last sign of life to the hand-over is credited (less one
    // beat), and the part waits, paused, until the candidate's screen is at the spare seat: the walk
    // over costs nothing.
    const spareSeatCreds = seatOf(opened);
    const remainingThen = deriveTimer(900_000, timerEventsOf(atHub(hubStationOf, seat1.service.deviceId), cand.attemptId, 'reading'), lastSeenAt).remainingMs;
    spareClock.ahead = 40_000;
    spareClock.frozen = Date.now() + spareClock.ahead;
    const reading = await spare.service.getTimer({ ...spareSeatCreds, partId: 'reading' });
    expect(reading.status).toBe('running');
    expect(Math.abs(reading.remainingMs - (remainingThen - 2000))).toBeLessThan(1000);
    expect(reading.creditedMs).toBeGreaterThan(27_000);

    // The candidate goes on at the spare seat: the next revision, a take (take 2 was free).
    const saved = await spare.service.saveResponse({ ...spareSeatCreds, itemId: 'r1-q4', value: { type: 'short-text', text: 'atbilde rezerves datorā' }, clientSaveId: saveId() });
    expect(saved.revision).toBe(3);
    spareClock.frozen = null;
    const take3 = await spare.service.startRecording({ ...spareSeatCreds, itemId: 's1-q1', mimeType: 'audio/webm' });
    expect(take3.take).toBe(3);
    await spare.service.appendAudioSegment({ ...spareSeatCreds, recordingId: take3.recordingId, index: 0, data: audio[0]!, sha256: sha(audio[0]!), durationMs: 1000 });
    await until('the spare seat all at the hub', () => spare.link.status().backlogEvents === 0 && spare.link.status().audioSegmentsPending === 0);

    // The spare seat's stream is its own: nothing it was handed went back to the hub as its own.
    const spareEvents = spare.service.outbox.read(0, 10_000);
    expect(spareEvents.map((e) => e.kind)).not.toContain('attempt.opened');
    expect(spareEvents.filter((e) => e.kind === 'response.saved').map((e) => (e.payload as { revision: number }).revision)).toEqual([3]);
    expect(spareEvents.filter((e) => e.kind === 'recording.segment').map((e) => e.entityId)).toEqual([take3.recordingId]);
    expectExactlyOnce(hubStationOf, asSeat(spare));

    // Seat 1 comes back: it gets its move-out and pushes what it wrote after the hub lost it.
    connect(hub, seat1);
    await until('seat 1 caught up and moved out', () => seat1.link.status().backlogEvents === 0 && seat1.link.status().audioSegmentsPending === 0 && seat1.service.roomAttempts().length === 0);
    expectExactlyOnce(hubStationOf, seat1);
    const late = hub.moves.lateEvents(move.moveId);
    expect(late.map((e) => [e.kind, e.origin.deviceId, e.origin.seq > acknowledged])).toEqual([
      ['response.saved', seat1.service.deviceId, true],
      ['recording.segment', seat1.service.deviceId, true],
    ]);
    expect(hub.moves.view()[0]).toMatchObject({ moveId: move.moveId, status: 'applied', lateEvents: 2 });
    // Both seats have a revision 3 of r1-q4: the spare seat's counts, the late one is kept and flagged.
    const revisions3 = atHub(hubStationOf, seat1.service.deviceId)
      .concat(atHub(hubStationOf, spare.service.deviceId))
      .filter((e) => e.kind === 'response.saved' && (e.payload as { revision: number }).revision === 3)
      .sort((a, b) => a.seq - b.seq);
    expect(revisions3.map((e) => [e.origin.deviceId, hub.moves.isLate(e.seq)])).toEqual([
      [spare.service.deviceId, false],
      [seat1.service.deviceId, true],
    ]);
    expect(hub.moves.countingAnswers(cand.attemptId)).toEqual([{ itemId: 'r1-q4', revision: 3, value: { type: 'short-text', text: 'atbilde rezerves datorā' }, origin: { deviceId: spare.service.deviceId, seq: saved.seq } }]);
    // Every segment at the hub once: seat 1's four (the late one too), the spare seat's one.
    expect(hub.streams.audioOf(take1.recordingId).map((s) => s.sha256)).toEqual([sha(audio[0]!), sha(audio[1]!)]);
    expect(hub.streams.audioOf(take2.recordingId).map((s) => s.sha256)).toEqual([sha(audio[2]!), sha(audio[3]!)]);
    expect(hub.streams.audioOf(take3.recordingId).map((s) => s.sha256)).toEqual([sha(audio[0]!)]);

    // On seat 1 the attempt has stopped: its screen is told, and nothing new is written for it.
    const before = seat1.service.outbox.lastSeq();
    await expect(seat1.service.getAttempt(cand)).rejects.toMatchObject({ code: 'ATTEMPT_MOVED' });
    await expect(seat1.service.saveResponse({ ...cand, itemId: 'r1-q4', value: { type: 'short-text', text: 'vēl' }, clientSaveId: saveId() })).rejects.toMatchObject({ code: 'ATTEMPT_MOVED' });
    // Nor can the invigilator open it there again: it goes on at the spare seat.
    await expect(seat1.service.openAttempt({ staffToken: seat1.staffToken, candidateId: CANDIDATE, packageId: seat1.built.manifest.packageId })).rejects.toMatchObject({ code: 'ATTEMPT_MOVED' });
    expect(seat1.service.outbox.lastSeq()).toBe(before);

    // The remaining time on the spare seat is what the hub's events of the attempt say (the late ones left out).
    spareClock.frozen = Date.now() + spareClock.ahead;
    const now = spareClock.frozen;
    const atTheSpare = await spare.service.getTimer({ ...spareSeatCreds, partId: 'reading' });
    await until('the spare seat all at the hub', () => spare.link.status().backlogEvents === 0);
    const counted = hubStationOf.service.outbox.read(0, 100_000).filter((e) => !hub.moves.isLate(e.seq));
    expect(deriveTimer(900_000, timerEventsOf(counted, cand.attemptId, 'reading'), now)).toEqual(atTheSpare);

    // The candidate cannot be moved back to the seat they left.
    expect(() => hub.moves.move({ candidateId: CANDIDATE, toDeviceId: seat1.service.deviceId, reason: 'atpakaļ', movedBy: TEST_STAFF.username })).toThrow(expect.objectContaining({ code: 'MOVE_TARGET_FORMER_SEAT' }));
  });

  it('does not carry out again on the spare seat what the old seat did before the move (extra time for the candidate), and keeps the part waiting through a restart', async () => {
    const { hub } = await hubStation();
    const seat1 = await seatStation({ onStation: (s) => applyOnStation(s.service) });
    connect(hub, seat1);
    const extend = hub.issue({ target: { kind: 'candidate', candidateId: CANDIDATE }, type: 'extend', params: { amountMs: 120_000 }, reason: 'lost time', issuedBy: TEST_STAFF.username });
    await until('extended on seat 1 and at the hub', () => hub.commands.outcomes(extend.cmdId).length === 1 && seat1.link.status().backlogEvents === 0);
    const spare = await spareSeat(seat1);
    connectSpare(hub, spare);
    await until('the spare greeted', () => spare.link.status().connected);
    hub.moves.move({ candidateId: CANDIDATE, toDeviceId: spare.service.deviceId, reason: 'dators sastinga', movedBy: TEST_STAFF.username });
    await until('the hand-over taken', () => hub.moves.view()[0]!.status === 'applied');
    await until('the spare seat confirmed the extra time as carried out', () => hub.commands.outcomes(extend.cmdId).length === 2);
    // The spare seat restarts before the candidate gets there: the part waits for them all the same.
    spare.link.stop();
    spare.service.close();
    const again = spare.reopen();
    try {
      const { staffToken } = await again.staffSignIn(TEST_STAFF);
      const opened = await again.openAttempt({ staffToken, candidateId: CANDIDATE, packageId: seat1.built.manifest.packageId });
      const reading = opened.parts.find((p) => p.partId === 'reading')!.timer;
      expect(reading.status).toBe('paused');
      expect(reading.addedMs).toBeLessThan(130_000);
      expect(reading.addedMs).toBeGreaterThanOrEqual(120_000);
      // The candidate's first call from this seat's screen resumes it.
      expect((await again.getTimer({ ...seatOf(opened), partId: 'reading' })).status).toBe('running');
    } finally {
      again.close();
    }
  });

  it('sends a hand-over larger than a frame in pieces under 512 KiB, and again when the spare seat comes back', async () => {
    const { hub } = await hubStation();
    const seat1 = await seatStation();
    connect(hub, seat1);
    await seat1.service.recordTimerEvent({ ...seat1.seat, partId: 'speaking', kind: 'start' });
    const { recordingId } = await seat1.service.startRecording({ ...seat1.seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    for (let index = 0; index < 4; index += 1) {
      const data = randomBytes(400_000);
      await seat1.service.appendAudioSegment({ ...seat1.seat, recordingId, index, data, sha256: sha(data), durationMs: 1000 });
    }
    seat1.link.kick();
    await until('the audio at the hub', () => seat1.link.status().audioSegmentsPending === 0 && seat1.link.status().backlogEvents === 0, 10_000);
    const spare = await spareSeat(seat1);
    const first = connectSpare(hub, spare);
    await until('the spare greeted', () => spare.link.status().connected);
    // The spare seat is cut off as the pieces go: the hub sends them again at its next hello.
    const pieces: { chunk: string }[] = [];
    first.seat.onFrame((f) => {
      if ((f as { type: string }).type === 'handover') pieces.push(f as { chunk: string });
      if (pieces.length === 1) first.cut();
    });
    hub.moves.move({ candidateId: CANDIDATE, toDeviceId: spare.service.deviceId, reason: 'dators sastinga', movedBy: TEST_STAFF.username });
    await until('the cut seen', () => !spare.link.status().connected);
    expect(hub.moves.view()[0]!.status).toBe('handing-over');
    const second = connectSpare(hub, spare);
    const frames: string[] = [];
    second.seat.onFrame((f) => void ((f as { type: string }).type === 'handover' && frames.push(JSON.stringify(f))));
    await until('the hand-over taken', () => hub.moves.view()[0]!.status === 'applied', 10_000);
    expect(frames.length).toBeGreaterThan(1);
    for (const frame of frames) expect(Buffer.byteLength(frame)).toBeLessThanOrEqual(512 * 1024);
    expect(JSON.parse(frames[0]!).chunk.length).toBe(HANDOVER_CHUNK_CHARS);
    const opened = await spare.service.openAttempt({ staffToken: spare.staffToken, candidateId: CANDIDATE, packageId: seat1.built.manifest.packageId });
    expect(opened.recordings).toEqual([expect.objectContaining({ recordingId, segmentCount: 4, closed: true, interruption: 'station-restart' })]);
    expect(spare.service.recordingFile(recordingId)).toEqual(seat1.service.recordingFile(recordingId));
  });

  it('refuses a move to a seat that is occupied, not connected, revoked or unknown, and of a candidate not seated', async () => {
    const station = await openTestStation({ role: 'hub' });
    cleanups.push(() => station.service.close());
    const revoked = new Set<string>();
    const paired = new Set<string>();
    const hub = new RoomHub({ db: station.service.db, outbox: station.service.outbox, directory: (id) => (paired.has(id) ? { revoked: revoked.has(id) } : undefined) });
    const seat1 = await seatStation();
    paired.add(seat1.service.deviceId);
    connect(hub, seat1);
    await until('seat 1 at the hub', () => seat1.link.status().backlogEvents === 0 && seat1.link.status().connected);
    const move = (toDeviceId: string, candidateId = CANDIDATE) => () => hub.moves.move({ candidateId, toDeviceId, reason: 'dators sastinga', movedBy: TEST_STAFF.username });
    // A seat where another candidate works (as its heartbeat says).
    const busy = await spareSeat(seat1, undefined, () => ({ ...REPORT, attempt: { attemptId: '4f3c2b1a-0000-4000-8000-000000000001', candidateId: 'C-0002', partId: 'reading', itemId: null, remainingMs: 1000, screen: 'part' } }));
    const away = await spareSeat(seat1);
    const unpaired = await spareSeat(seat1);
    for (const s of [busy, away, unpaired]) {
      paired.add(s.service.deviceId);
      connectSpare(hub, s);
    }
    await until('the seats greeted and heard', () => [busy, away, unpaired].every((s) => s.link.status().connected) && hub.seat(busy.service.deviceId)?.state?.attempt !== undefined && hub.seat(busy.service.deviceId)?.state !== null);
    away.pair!.cut();
    await until('the hub to see it gone', () => hub.seat(away.service.deviceId)?.link === null);
    revoked.add(unpaired.service.deviceId);

    expect(move(busy.service.deviceId)).toThrow(expect.objectContaining({ code: 'SEAT_OCCUPIED' }));
    expect(move(away.service.deviceId)).toThrow(expect.objectContaining({ code: 'SEAT_NOT_CONNECTED' }));
    expect(move(unpaired.service.deviceId)).toThrow(expect.objectContaining({ code: 'SEAT_REVOKED' }));
    expect(move('NO-SUCH-SEAT')).toThrow(expect.objectContaining({ code: 'SEAT_NOT_PAIRED' }));
    expect(move(seat1.service.deviceId)).toThrow(expect.objectContaining({ code: 'SEAT_OCCUPIED' }));
    expect(move(busy.service.deviceId, 'C-9999')).toThrow(expect.objectContaining({ code: 'CANDIDATE_NOT_SEATED' }));
    expect(hub.moves.view()).toEqual([]);
    // Nothing was told to seat 1 either.
    expect(station.service.outbox.read(0, 1000).filter((e) => e.origin.deviceId === station.service.deviceId && e.kind === 'incident.recorded')).toEqual([]);
  });

  it('is a staff method of the hub: the invigilator’s right, a reason, audited, refused where there is no room', async () => {
    const { station, hub } = await hubStation();
    const seat1 = await seatStation();
    connect(hub, seat1);
    await until('seat 1 at the hub', () => seat1.link.status().backlogEvents === 0 && seat1.link.status().connected);
    await expect(station.service.moveCandidate({ staffToken: station.staffToken, candidateId: CANDIDATE, toDeviceId: 'X', reason: 'r' })).rejects.toMatchObject({ code: 'ROOM_NOT_AVAILABLE' });
    station.service.attachRoom({ moveCandidate: (input) => hub.moves.move(input) } as RoomControl);
    const spare = await spareSeat(seat1);
    connectSpare(hub, spare);
    await until('the spare greeted', () => spare.link.status().connected);
    const moved = await station.service.moveCandidate({ staffToken: station.staffToken, candidateId: CANDIDATE, toDeviceId: spare.service.deviceId, reason: 'dators sastinga' });
    expect(moved).toMatchObject({ movedBy: TEST_STAFF.username, reason: 'dators sastinga' });
    const audit = await station.service.listAudit({ staffToken: station.staffToken, afterSeq: 0, limit: 500 });
    expect(audit.at(-1)).toMatchObject({ actor: TEST_STAFF.username, action: 'room.candidate.move', target: CANDIDATE });
    // The move is in the session's record: an incident the protocol lists, attributed.
    const incident = station.service.outbox.read(0, 1000).find((e) => e.kind === 'incident.recorded');
    expect(incident?.payload).toMatchObject({ candidateId: CANDIDATE, kind: 'technical-workstation', recordedBy: TEST_STAFF.username });
  });
});

describe('a candidate the seat plan seated, moved to a spare seat', () => {
  it('is seated there: the kiosk takes the attempt and goes on with the running part, the roster shows the spare seat, the old seat is free', async () => {
    const room = await hubOf();
    const old = await planSeat(room, '4C');
    const spare = await planSeat(room, '9A');
    const { service, staffToken } = room.station;
    // Checked in, seated at 4C, identity confirmed, authorised, started with the room, at work.
    await checkIn(room, CANDIDATE);
    await service.assignSeat({ staffToken, candidateId: CANDIDATE, deviceId: old.deviceId, packageId: room.packageId });
    await until('seated at 4C', () => old.service.roomSeatReport() !== null);
    const kiosk = (await old.service.claimSeat({}, KIOSK)).seat!;
    await old.service.confirmIdentity(kiosk);
    await until('awaiting authorisation at the hub', async () => (await rowOf(room, CANDIDATE)).seat?.stage === 'awaiting-authorisation');
    await service.authoriseCandidate({ staffToken, candidateId: CANDIDATE });
    await until('authorised at 4C', async () => (await old.service.seatHeartbeat(kiosk)).authorisation === 'authorised');
    await service.roomCommand({ staffToken, action: 'start', target: { kind: 'room' } });
    await until('started at 4C', async () => !(await old.service.seatHeartbeat(kiosk)).waitingForStart);
    await old.service.recordTimerEvent({ ...kiosk, partId: 'reading', kind: 'start' });
    await old.service.saveResponse({ ...kiosk, itemId: 'r1-q4', value: { type: 'short-text', text: 'pie 4C' }, clientSaveId: saveId() });
    await until('4C all at the hub', () => old.link.status().backlogEvents === 0);

    await service.moveCandidate({ staffToken, candidateId: CANDIDATE, toDeviceId: spare.deviceId, reason: 'dators sastinga' });
    await until('the hand-over taken', () => room.hub.moves.view()[0]?.status === 'applied');

    // The spare seat's kiosk takes the same attempt, once, and the candidate is past identity, authorisation and the start.
    const claimed = await spare.service.claimSeat({}, KIOSK);
    expect(claimed).toMatchObject({ label: '9A', waiting: null, seat: { attemptId: kiosk.attemptId } });
    const there = claimed.seat!;
    expect(await spare.service.claimSeat({}, { ...KIOSK, clientId: 'another' })).toMatchObject({ seat: null, waiting: 'claimed' });
    expect(await spare.service.seatHeartbeat(there)).toMatchObject({ authorisation: 'authorised', waitingForStart: false });
    expect(spare.service.roomSeatReport()).toMatchObject({ candidateId: CANDIDATE, partId: 'reading', screen: 'part', started: true });
    const saved = await spare.service.saveResponse({ ...there, itemId: 'r1-q4', value: { type: 'short-text', text: 'pie 9A' }, clientSaveId: saveId() });
    expect(saved.revision).toBe(2);
    // A part not begun before the move begins here: the room's start let them through.
    await spare.service.recordTimerEvent({ ...there, partId: 'listening', kind: 'start' });
    await until('the save at the hub', () => atHub(room.station, spare.deviceId).some((e) => e.kind === 'response.saved' && (e.payload as { revision: number }).revision === 2));
    expect(room.hub.moves.countingAnswers(kiosk.attemptId)).toEqual([expect.objectContaining({ itemId: 'r1-q4', revision: 2, origin: { deviceId: spare.deviceId, seq: saved.seq } })]);

    // The roster shows the candidate at 9A, authorised as they were at 4C, at work.
    await until('the roster shows 9A', async () => (await rowOf(room, CANDIDATE)).seat?.label === '9A');
    expect(await rowOf(room, CANDIDATE)).toMatchObject({ state: 'working', seat: { deviceId: spare.deviceId, label: '9A', stage: 'authorised', authorised: { by: TEST_STAFF.username } } });
    const plan = room.station.service.db.all(room.station.service.db.q.selectFrom('room_assignments').select(['device_id', 'ended_at']).where('candidate_id', '=', CANDIDATE).orderBy('assigned_at'));
    expect(plan.map((p) => [p.device_id, p.ended_at === null])).toEqual([
      [old.deviceId, false],
      [spare.deviceId, true],
    ]);

    // 4C is free of them, in the plan and on the seat itself: the next candidate is seated there.
    await until('4C moved out', async () => (await old.service.claimSeat({}, KIOSK)).waiting === 'no-candidate');
    await checkIn(room, 'C-0002');
    await service.assignSeat({ staffToken, candidateId: 'C-0002', deviceId: old.deviceId, packageId: room.packageId });
    await until('the next candidate at 4C', () => old.service.roomSeatReport()?.candidateId === 'C-0002');

    // The same hand-over again changes nothing.
    expect(spare.handOvers).toHaveLength(1);
    const lastSeq = spare.service.outbox.lastSeq();
    expect(spare.service.roomHandOver(spare.handOvers[0]!)).toMatchObject({ alreadyApplied: true });
    expect(await spare.service.claimSeat({}, KIOSK)).toMatchObject({ seat: null, waiting: 'claimed' });
    expect(spare.service.outbox.lastSeq()).toBe(lastSeq);

    // Had the spare seat refused the hand-over only now (4C looked free while it ran, and is taken): the
    // refusal settles, the candidate is not put back over the one at 4C but left without a seat in the plan.
    const db = room.station.service.db;
    const { move_id: moveId } = db.sqlite.prepare('SELECT move_id FROM room_moves').get() as { move_id: string };
    db.sqlite.prepare("UPDATE room_moves SET status = 'handing-over' WHERE move_id = ?").run(moveId);
    room.hub.moves.settle(spare.deviceId, { type: 'handover-result', moveId, status: 'refused', code: 'HANDOVER_REFUSED', detail: 'late refusal' });
    expect(room.hub.moves.view()[0]).toMatchObject({ status: 'refused' });
    const live = db.all(db.q.selectFrom('room_assignments').select(['candidate_id', 'device_id']).where('ended_at', 'is', null).orderBy('candidate_id'));
    expect(live).toEqual([{ candidate_id: 'C-0002', device_id: old.deviceId }]);
  });
});

describe('the end and seal of a room with a moved candidate', () => {
  /** Seat 1 works, the candidate is moved to a spare seat and goes on there: an answer, the other parts, a take with audio. */
  async function movedRoom(options: { oldSeatDies: boolean }) {
    const room = await sealRoom();
    const seat1 = await seatIn(room);
    await save(seat1, 'pie 1. datora');
    await until('seat 1 all at the hub', () => seat1.link.status().backlogEvents === 0);
    if (options.oldSeatDies) {
      seat1.pair!.cut();
      await until('the hub to see seat 1 gone', () => room.hub.seat(seat1.service.deviceId)?.link === null);
    }
    const spare = await spareSeat(seat1);
    connectSpare(room.hub, spare);
    await until('the spare greeted', () => spare.link.status().connected);
    room.hub.moves.move({ candidateId: CANDIDATE, toDeviceId: spare.service.deviceId, reason: 'dators sastinga', movedBy: TEST_STAFF.username });
    await until('the hand-over taken', () => room.hub.moves.view()[0]!.status === 'applied');
    const there = (await spare.service.claimSeat({}, KIOSK)).seat!;
    await spare.service.saveResponse({ ...there, itemId: 'r1-q4', value: { type: 'short-text', text: 'pie rezerves datora' }, clientSaveId: saveId() });
    // Every part begun (seat 1 began the reading): the end submits the attempt, and the spare seat's heartbeat names nobody after it.
    for (const partId of ['listening', 'writing', 'speaking']) await spare.service.recordTimerEvent({ ...there, partId, kind: 'start' });
    const take = await spare.service.startRecording({ ...there, itemId: 's1-q1', mimeType: 'audio/webm' });
    const audio = randomBytes(1200);
    await spare.service.appendAudioSegment({ ...there, recordingId: take.recordingId, index: 0, data: audio, sha256: sha(audio), durationMs: 1000 });
    await until('the spare seat all at the hub', () => spare.link.status().backlogEvents === 0 && spare.link.status().audioSegmentsPending === 0);
    return { room, seat1, spare };
  }

  const sealAnswers = (room: SealRoom) => {
    const { cmd_id } = room.station.service.db.sqlite.prepare('SELECT cmd_id FROM room_seals').get() as { cmd_id: string };
    return new Map(room.hub.commands.outcomes(cmd_id).map((o) => [o.deviceId, SealAnswer.parse(o.answer)]));
  };

  /** What a station wrote itself of the session's attempt: every event of it in its outbox. */
  const ownEventsOfAttempt = (service: StationService, attemptId: string) =>
    service.outbox.read(0, 100_000).filter((e) => e.origin.deviceId === service.deviceId && ((e.payload as { attemptId?: string }).attemptId === attemptId || e.kind === 'recording.segment'));

  it('seals with both seats final: each digest matches what the hub holds of that seat, and the moved attempt is counted once', async () => {
    const { room, seat1, spare } = await movedRoom({ oldSeatDies: false });
    await endAndWait(room, [seat1, asSeat(spare)]);
    expect(room.status().seats.map((s) => [s.deviceId, s.candidateIds, s.end, s.final])).toEqual(
      [
        [seat1.service.deviceId, [CANDIDATE], 'applied', true],
        [spare.service.deviceId, [CANDIDATE], 'applied', true],
      ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    );
    room.seal.seal(SESSION, TEST_STAFF.username);
    await until('sealed', () => room.status().state === 'sealed');
    expect(room.status().seats.map((s) => s.seal)).toEqual(['matched', 'matched']);
    // The spare seat's digest covers what it wrote itself of the attempt (from the hand-over on: the
    // pause and resume, the answer, the take, the ends), never the events and audio it was handed, which are seat 1's.
    const answers = sealAnswers(room);
    const attemptId = seat1.seat.attemptId;
    const spareOwn = ownEventsOfAttempt(spare.service, attemptId);
    expect(new Set(spareOwn.map((e) => e.kind))).toEqual(new Set(['timer.event', 'response.saved', 'recording.started', 'recording.segment', 'recording.closed', 'attempt.submitted']));
    expect(answers.get(spare.service.deviceId)).toMatchObject({ events: spareOwn.length, segments: 1 });
    expect(answers.get(seat1.service.deviceId)).toMatchObject({ events: seatEvents(seat1).length, segments: 0 });
    // Together the two digests cover every event the hub holds of the attempt, each once.
    const atTheHub = [...atHub(room.station, seat1.service.deviceId), ...atHub(room.station, spare.service.deviceId)];
    expect(answers.get(seat1.service.deviceId)!.events + answers.get(spare.service.deviceId)!.events).toBe(atTheHub.length);
  });

  it('seals with the dead old seat accounted for by the chief with a reason, the spare seat matched', async () => {
    const { room, seat1, spare } = await movedRoom({ oldSeatDies: true });
    await endAndWait(room, [asSeat(spare)]);
    room.seal.seal(SESSION, TEST_STAFF.username);
    await until('the spare seat matched', () => room.status().seats.find((s) => s.deviceId === spare.service.deviceId)?.seal === 'matched');
    expect(room.status()).toMatchObject({ state: 'sealing' });
    expect(room.status().seats.find((s) => s.deviceId === seat1.service.deviceId)).toMatchObject({ end: 'pending', seal: 'pending' });
    room.seal.account(SESSION, seat1.service.deviceId, 'dators sastinga, kandidāts pārsēdināts pie rezerves datora', TEST_STAFF.username);
    expect(room.status()).toMatchObject({ state: 'sealed', seats: expect.arrayContaining([expect.objectContaining({ deviceId: seat1.service.deviceId, seal: 'accounted' }), expect.objectContaining({ deviceId: spare.service.deviceId, seal: 'matched' })]) });
    expect(sealAnswers(room).get(spare.service.deviceId)).toMatchObject({ events: ownEventsOfAttempt(spare.service, seat1.seat.attemptId).length, segments: 1 });
  });
});
