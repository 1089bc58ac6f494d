// Check-in and the seat plan across the room (docs/room.md, "Check-in and seats"): the hub's roster,
// check-in with who and when, a checked-in candidate seated at a free connected seat by an 'assign'
// command, the seat opening the attempt itself and handing its kiosk screen the credentials once,
// the identity screen, "awaiting authorisation" and the invigilator's authorisation, each refusal with
// its code. Real station services on SQLite, joined by the in-memory link.
import { describe, expect, it } from 'vitest';
import { createStationHandler } from '../../src-main/station/dispatch.ts';
import { DEMO_CANDIDATE, DEMO_SESSION, TEST_STAFF } from '../support/fixtures.ts';
import { until } from './room-fixtures.ts';
import { checkIn, hubOf, KIOSK, refusedWith, rowOf, SECOND, seatOf } from './seating-fixtures.ts';

describe('check-in at the hub', () => {
  it('records who saw the ID document and who checked the personal code, and when; present only after both; late after the start, with an incident', async () => {
    const room = await hubOf();
    const { service, staffToken } = room.station;
    await refusedWith(service.checkInCandidate({ staffToken, candidateId: 'C-0001', status: 'present' }), 'CHECK_IN_INCOMPLETE');
    const seen = await service.recordCheckInStep({ staffToken, candidateId: 'C-0001', step: 'id-document' });
    expect(seen).toMatchObject({ state: 'expected', idDocumentSeen: { by: TEST_STAFF.username, at: expect.any(String) }, personalCodeChecked: null });
    await refusedWith(service.checkInCandidate({ staffToken, candidateId: 'C-0001', status: 'present' }), 'CHECK_IN_INCOMPLETE');
    await service.recordCheckInStep({ staffToken, candidateId: 'C-0001', step: 'personal-code' });
    // The session began on 23 November: a check-in now is late.
    const present = await service.checkInCandidate({ staffToken, candidateId: 'C-0001', status: 'present' });
    expect(present).toMatchObject({ state: 'checked-in', attendance: 'present', late: true, checkedInAt: expect.any(String), maskedPersonalCode: '15****-***40' });
    const incidents = service.outbox.read(0, 1000).filter((e) => e.kind === 'incident.recorded').map((e) => e.payload as { kind: string; candidateId: string });
    expect(incidents).toEqual([expect.objectContaining({ kind: 'candidate-late', candidateId: 'C-0001' })]);
    const audit = await service.listAudit({ staffToken });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['check-in.id-document', 'check-in.personal-code', 'attendance.marked']));
    // Accommodations are read for the desk.
    expect((await rowOf(room, 'C-0002')).accommodations).toEqual({ extraTimePercent: 25, largePrint: true, separateRoom: false, other: [] });
  });

  it('is not late before the session starts', async () => {
    const room = await hubOf(() => new Date(Date.parse(DEMO_SESSION.startsAt) - 10 * 60_000));
    await checkIn(room, 'C-0001');
    expect(await rowOf(room, 'C-0001')).toMatchObject({ state: 'checked-in', late: false });
  });
});

describe('the seat plan', () => {
  it('seats a checked-in candidate: the seat opens the attempt, hands its screen the credentials once, and goes past identity only once authorised', async () => {
    const room = await hubOf();
    const seat = await seatOf(room, '4C');
    const { service, staffToken } = room.station;
    await checkIn(room, 'C-0002');
    const seated = await service.assignSeat({ staffToken, candidateId: 'C-0002', deviceId: seat.deviceId, packageId: room.packageId });
    expect(seated).toMatchObject({ state: 'seated', seat: { deviceId: seat.deviceId, label: '4C', packageId: room.packageId, assignedBy: TEST_STAFF.username } });
    const claimed = await until('the seat has its candidate', () => seat.service.roomSeatReport() !== null).then(() => seat.service.claimSeat({}, KIOSK));
    expect(claimed).toMatchObject({ label: '4C', waiting: null, seat: { attemptId: expect.any(String), candidateToken: expect.any(String) } });
    const kiosk = claimed.seat!;
    // The seat holds only this candidate, with the code masked as the hub shows it.
    expect(await seat.service.getCandidate(kiosk)).toMatchObject({ candidateId: 'C-0002', givenName: 'Jānis', familyName: 'Ozols', maskedPersonalCode: '01****-***49', accommodation: 'extra-time-25; large-print' });
    expect(seat.service.db.all(seat.service.db.q.selectFrom('candidates').select('candidate_id')).map((c) => c.candidate_id)).toEqual(['C-0002']);
    // Once per assignment: a second screen gets nothing.
    expect(await seat.service.claimSeat({}, { ...KIOSK, clientId: 'another' })).toMatchObject({ seat: null, waiting: 'claimed' });

    await until('the hub sees the identity screen', async () => (await rowOf(room, 'C-0002')).seat?.stage === 'identity');
    await refusedWith(service.authoriseCandidate({ staffToken, candidateId: 'C-0002' }), 'IDENTITY_NOT_CONFIRMED');
    await refusedWith(seat.service.recordTimerEvent({ ...kiosk, partId: 'listening', kind: 'start' }), 'CANDIDATE_NOT_AUTHORISED');
    expect(await seat.service.confirmIdentity(kiosk)).toEqual({ authorisation: 'needed' });
    expect((await seat.service.seatHeartbeat(kiosk)).authorisation).toBe('needed');
    await until('the hub sees awaiting authorisation', async () => (await rowOf(room, 'C-0002')).seat?.stage === 'awaiting-authorisation');

    const authorised = await service.authoriseCandidate({ staffToken, candidateId: 'C-0002' });
    expect(authorised.seat?.authorised).toEqual({ by: TEST_STAFF.username, at: expect.any(String) });
    await until('authorised on the seat', async () => (await seat.service.seatHeartbeat(kiosk)).authorisation === 'authorised');
    await until('the hub sees it', async () => (await rowOf(room, 'C-0002')).seat?.stage === 'authorised');
    // Authorised, the candidate still waits for the start: the room's, or (as here) their own.
    await refusedWith(seat.service.recordTimerEvent({ ...kiosk, partId: 'listening', kind: 'start' }), 'ROOM_NOT_STARTED');
    await service.roomCommand({ staffToken, action: 'start', target: { kind: 'candidate', candidateId: 'C-0002' } });
    await until('started on the seat', async () => !(await seat.service.seatHeartbeat(kiosk)).waitingForStart);
    await seat.service.recordTimerEvent({ ...kiosk, partId: 'listening', kind: 'start' });
    // The registered extra time came with the roster row: 25 % of 10 minutes.
    expect((await seat.service.getTimer({ ...kiosk, partId: 'listening' })).addedMs).toBe(150_000);
    await until('working at the hub', async () => (await rowOf(room, 'C-0002')).state === 'working');
    await refusedWith(service.unassignSeat({ staffToken, candidateId: 'C-0002' }), 'CANDIDATE_STARTED');
  });

  it('seats a candidate at a seat whose package still waits for its key: identity and authorisation go on, the test comes with the key', async () => {
    const room = await hubOf();
    const seat = await seatOf(room, '8G', { locked: true });
    const { service, staffToken } = room.station;
    await checkIn(room, 'C-0001');
    await service.assignSeat({ staffToken, candidateId: 'C-0001', deviceId: seat.deviceId, packageId: room.packageId });
    await until('assigned', () => seat.service.roomSeatReport() !== null);
    const kiosk = (await seat.service.claimSeat({}, KIOSK)).seat!;
    await refusedWith(seat.service.getAttempt(kiosk), 'PACKAGE_LOCKED');
    expect(await seat.service.getCandidate(kiosk)).toMatchObject({ candidateId: 'C-0001', level: 'A2' });
    expect(await seat.service.seatHeartbeat(kiosk)).toMatchObject({ parts: [], authorisation: 'needed' });
    await seat.service.confirmIdentity(kiosk);
    await until('awaiting at the hub', async () => (await rowOf(room, 'C-0001')).seat?.stage === 'awaiting-authorisation');
    await service.authoriseCandidate({ staffToken, candidateId: 'C-0001' });
    await until('authorised on the seat', async () => (await seat.service.seatHeartbeat(kiosk)).authorisation === 'authorised');
    const release = room.hub.issue({ target: { kind: 'room' }, type: 'key-release', params: { packageId: room.packageId, key: room.station.built.contentKey }, issuedBy: TEST_STAFF.username });
    await until('the key released', () => room.hub.commands.outcomes(release.cmdId).length === 1);
    expect((await seat.service.seatHeartbeat(kiosk)).parts).toHaveLength(4);
    expect(await seat.service.getAttempt(kiosk)).toMatchObject({ candidateId: 'C-0001', status: 'open' });
  });

  it('refuses two candidates on one seat, one candidate on two seats, an absent, removed or unchecked candidate, and an unpaired, unknown or silent seat', async () => {
    const room = await hubOf();
    const [a, b] = [await seatOf(room, '1A'), await seatOf(room, '1B')];
    const silent = await seatOf(room, '1C', { connect: false });
    const { service, staffToken } = room.station;
    const assign = (candidateId: string, deviceId: string) => service.assignSeat({ staffToken, candidateId, deviceId, packageId: room.packageId });
    await refusedWith(assign('C-0001', a.deviceId), 'CANDIDATE_NOT_CHECKED_IN');
    await service.checkInCandidate({ staffToken, candidateId: 'C-0001', status: 'absent' });
    await refusedWith(assign('C-0001', a.deviceId), 'CANDIDATE_ABSENT');
    await service.markAttendance({ staffToken, candidateId: 'C-0001', status: 'removed' });
    await refusedWith(assign('C-0001', a.deviceId), 'CANDIDATE_REMOVED');
    await refusedWith(service.checkInCandidate({ staffToken, candidateId: 'C-0001', status: 'present' }), 'CANDIDATE_REMOVED');
    await checkIn(room, 'C-0002');
    await refusedWith(assign('C-0002', 'NO-SUCH-SEAT'), 'SEAT_UNKNOWN');
    await refusedWith(assign('C-0002', silent.deviceId), 'SEAT_NOT_CONNECTED');
    room.paired.find((p) => p.deviceId === b.deviceId)!.revokedAt = new Date().toISOString();
    await refusedWith(assign('C-0002', b.deviceId), 'SEAT_UNPAIRED');
    room.paired.find((p) => p.deviceId === b.deviceId)!.revokedAt = null;
    await assign('C-0002', a.deviceId);
    await refusedWith(assign('C-0002', b.deviceId), 'CANDIDATE_SEATED');
    // A third candidate finds the seat taken.
    service.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE, SECOND, { ...SECOND, candidateId: 'C-0003', givenName: 'Līga', personalCode: '020290-12347', birthDate: '1990-02-02' }] });
    await checkIn(room, 'C-0003');
    await refusedWith(assign('C-0003', a.deviceId), 'SEAT_TAKEN');
    await refusedWith(service.checkInCandidate({ staffToken, candidateId: 'C-0002', status: 'absent' }), 'CANDIDATE_SEATED');
    await refusedWith(service.unassignSeat({ staffToken, candidateId: 'C-0003' }), 'CANDIDATE_NOT_SEATED');
    // Nothing of the refused ones reached a seat: only the one assignment was sent.
    expect((await service.listAudit({ staffToken })).filter((e) => e.action === 'seat.assigned')).toHaveLength(1);
    await until('only 1A holds a candidate', () => a.service.roomSeatReport()?.candidateId === 'C-0002');
    expect(b.service.roomSeatReport()).toBeNull();
  });

  it('unassigns before the start: the seat forgets the candidate, its screen loses the attempt, and the seat takes another', async () => {
    const room = await hubOf();
    const seat = await seatOf(room, '2B');
    const { service, staffToken } = room.station;
    await checkIn(room, 'C-0001');
    await checkIn(room, 'C-0002');
    await service.assignSeat({ staffToken, candidateId: 'C-0001', deviceId: seat.deviceId, packageId: room.packageId });
    await until('assigned', () => seat.service.roomSeatReport() !== null);
    const first = (await seat.service.claimSeat({}, KIOSK)).seat!;
    expect(await service.unassignSeat({ staffToken, candidateId: 'C-0001' })).toMatchObject({ state: 'checked-in', seat: null });
    await until('the seat let go', async () => (await seat.service.claimSeat({}, KIOSK)).waiting === 'no-candidate');
    await refusedWith(seat.service.getAttempt(first), 'CANDIDATE_TOKEN_WRONG');
    await service.assignSeat({ staffToken, candidateId: 'C-0002', deviceId: seat.deviceId, packageId: room.packageId });
    await until('the next candidate', async () => (await seat.service.claimSeat({}, KIOSK)).seat !== null);
    expect(seat.service.roomSeatReport()).toMatchObject({ candidateId: 'C-0002', screen: 'identity' });
  });

  it('shows a "No" on the identity screen next to the seat, and the invigilator hands the seat the candidate again', async () => {
    const room = await hubOf();
    const seat = await seatOf(room, '3A');
    const { service, staffToken } = room.station;
    await checkIn(room, 'C-0001');
    await service.assignSeat({ staffToken, candidateId: 'C-0001', deviceId: seat.deviceId, packageId: room.packageId });
    await until('assigned', () => seat.service.roomSeatReport() !== null);
    const kiosk = (await seat.service.claimSeat({}, KIOSK)).seat!;
    await seat.service.declineIdentity({ ...kiosk, reason: 'personal-code' });
    await until('the hub sees the No', async () => (await rowOf(room, 'C-0001')).seat?.stage === 'identity-declined');
    expect((await rowOf(room, 'C-0001')).seat).toMatchObject({ label: '3A', declineReason: 'personal-code' });
    expect(await seat.service.claimSeat({}, KIOSK)).toMatchObject({ seat: null, waiting: 'handed-back' });
    await refusedWith(service.authoriseCandidate({ staffToken, candidateId: 'C-0001' }), 'IDENTITY_NOT_CONFIRMED');
    // Handed again to the same seat (the details were put right): the screen takes the candidate anew.
    expect(await service.assignSeat({ staffToken, candidateId: 'C-0001', deviceId: seat.deviceId, packageId: room.packageId })).toMatchObject({ seat: { label: '3A' } });
    await until('handed again', async () => (await seat.service.claimSeat({}, KIOSK)).seat !== null);
    await until('identity again at the hub', async () => (await rowOf(room, 'C-0001')).seat?.stage === 'identity');
  });

  it("routes a candidate's commands to the seat the plan put them at, before the seat reports them", async () => {
    const room = await hubOf();
    // This seat's heartbeat names no candidate: only the seat plan says who sits there.
    const seat = await seatOf(room, '5D', { report: () => ({ attempt: null, recording: null, battery: null, diskFreeBytes: null, appVersion: '0.1.0-test' }) });
    const { service, staffToken } = room.station;
    await checkIn(room, 'C-0001');
    await service.assignSeat({ staffToken, candidateId: 'C-0001', deviceId: seat.deviceId, packageId: room.packageId });
    const message = room.hub.issue({ target: { kind: 'candidate', candidateId: 'C-0001' }, type: 'message', params: { text: 'Lūdzu, pārbaudiet austiņas.' }, issuedBy: TEST_STAFF.username });
    await until('the message carried out at the seat', () => room.hub.commands.outcomes(message.cmdId).length === 1);
    expect(room.hub.commands.outcomes(message.cmdId)[0]).toMatchObject({ deviceId: seat.deviceId, status: 'applied' });
  });

  it("refuses an assignment the seat cannot hold (its package is not there) and the hub shows the seat's code", async () => {
    const room = await hubOf();
    const seat = await seatOf(room, '6E');
    seat.service.db.run(seat.service.db.q.deleteFrom('package_keys'));
    seat.service.db.run(seat.service.db.q.deleteFrom('package_frames'));
    seat.service.db.run(seat.service.db.q.deleteFrom('packages'));
    const { service, staffToken } = room.station;
    await checkIn(room, 'C-0001');
    await service.assignSeat({ staffToken, candidateId: 'C-0001', deviceId: seat.deviceId, packageId: room.packageId });
    await until('the refusal at the hub', async () => (await rowOf(room, 'C-0001')).seat?.refused !== null);
    expect((await rowOf(room, 'C-0001')).seat?.refused).toMatchObject({ code: 'PACKAGE_NOT_ON_SEAT' });
    expect(await seat.service.claimSeat({}, KIOSK)).toMatchObject({ seat: null, waiting: 'no-candidate' });
  });
});

describe("an unassigned seat's candidate surface", () => {
  it('reaches nothing: no credentials, no staff method, no attempt', async () => {
    const room = await hubOf();
    const seat = await seatOf(room, '7F');
    const handler = createStationHandler(seat.service, { validateOutput: true });
    expect(await handler('claimSeat', {}, KIOSK)).toEqual({ ok: true, value: { label: '7F', seat: null, waiting: 'no-candidate' } });
    for (const [method, input] of [
      ['listCandidates', { staffToken: 'x'.repeat(20) }],
      ['openAttempt', { staffToken: 'x'.repeat(20), candidateId: 'C-0001', packageId: room.packageId }],
    ] as const) {
      expect(await handler(method, input, KIOSK)).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SCREEN' } });
    }
    expect(seat.service.roomSeatReport()).toBeNull();
    // Only a seat hands its screen a candidate: the hub has none to hand.
    await refusedWith(room.station.service.claimSeat({}, KIOSK), 'ROOM_NOT_AVAILABLE');
  });
});
