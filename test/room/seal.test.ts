// The end and seal of a session in the room (src-main/lan/room-seal.ts), between real station services
// over the in-memory link: "End" ends every seat's parts and the hub sees each seat's final state; the
// seal asks every seat for its final digest and compares it with what the hub holds; the room is sealed
// only when every seat matched or was accounted for by the chief invigilator; sealing twice, sealing
// with a seat whose digest differs, a seat answering for another are refused with their codes; after
// the seal neither the seat nor the hub writes anything of the session.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { saveId } from '../support/fixtures.ts';
import { save, sha, until } from './room-fixtures.ts';
import { endAndWait, refusedAsync, refusedWith, sealRoom, seatIn, SESSION } from './seal-support.ts';

describe('the end and seal of a session', () => {
  it('ends every seat, then seals once each seat digest matches; a second seal is refused; after it nothing of the session is written', async () => {
    const room = await sealRoom();
    const seat = await seatIn(room);
    await save(seat, '350 eiro');
    // A take under way at the end: the end closes it, and its audio is in both digests.
    await seat.service.recordTimerEvent({ ...seat.seat, partId: 'speaking', kind: 'start' });
    const { recordingId } = await seat.service.startRecording({ ...seat.seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    for (const [index, data] of [randomBytes(900), randomBytes(700)].entries()) await seat.service.appendAudioSegment({ ...seat.seat, recordingId, index, data, sha256: sha(data), durationMs: 1000 });
    refusedWith('ROOM_NOT_ENDED', () => room.seal.seal(SESSION, 'test.chief'));
    await endAndWait(room, [seat]);
    // The part under way ended; parts never begun stay so (after the seal none can begin).
    expect((await seat.service.getAttempt(seat.seat)).parts.map((p) => [p.partId, p.timer.status])).toEqual([
      ['listening', 'not-started'],
      ['reading', 'ended'],
      ['writing', 'not-started'],
      ['speaking', 'ended'],
    ]);
    expect(room.status()).toMatchObject({ state: 'ended', endedBy: 'test.chief', seats: [{ deviceId: seat.service.deviceId, end: 'applied', final: true, seal: 'pending' }] });

    expect(room.seal.seal(SESSION, 'test.chief').state).toBe('sealing');
    await until('sealed', () => room.status().state === 'sealed');
    const sealed = room.status();
    expect(sealed).toMatchObject({ sealedBy: 'test.chief', seats: [{ seal: 'matched', sealCode: null }] });
    const { cmd_id } = room.station.service.db.sqlite.prepare('SELECT cmd_id FROM room_seals').get() as { cmd_id: string };
    const answer = room.hub.commands.outcomes(cmd_id)[0]!.answer;
    expect(answer).toMatchObject({ deviceId: seat.service.deviceId, sessionId: SESSION, segments: 2 });
    expect(sealed.digest).toMatch(/^[0-9a-f]{64}$/);
    refusedWith('SESSION_ALREADY_SEALED', () => room.seal.seal(SESSION, 'test.chief'));
    refusedWith('SESSION_ALREADY_SEALED', () => room.seal.end(SESSION, 'test.chief', null));

    // The seat writes nothing more of the session, nor does the hub.
    await refusedAsync('SESSION_SEALED', seat.service.recordIncident({ staffToken: seat.staffToken, sessionId: SESSION, kind: 'other', note: 'after the seal' }));
    await refusedAsync('SESSION_SEALED', seat.service.markAttendance({ staffToken: seat.staffToken, candidateId: 'C-0001', status: 'absent' }));
    await refusedAsync('SESSION_SEALED', room.station.service.recordIncident({ staffToken: room.station.staffToken, sessionId: SESSION, kind: 'other', note: 'after the seal' }));
    // The seat's own record of its seal survives a restart of its station.
    seat.link.stop();
    seat.service.close();
    const again = seat.reopen();
    await refusedAsync('SESSION_SEALED', again.recordIncident({ staffToken: (await again.staffSignIn({ username: 'test.chief', password: 'Parbaude-2026!' })).staffToken, sessionId: SESSION, kind: 'other', note: 'after a restart' }));
    again.close();
  });

  it('refuses the seal while the hub holds other data than the seat: SEAL_DIGEST_MISMATCH, and such a seat is not accounted away', async () => {
    const room = await sealRoom();
    const seat = await seatIn(room);
    await save(seat, '350 eiro');
    await endAndWait(room, [seat]);
    // The hub's copy of the seat's answer is not what the seat wrote.
    room.station.service.db.sqlite
      .prepare("UPDATE outbox SET payload_json = replace(payload_json, '350 eiro', '360 eiro') WHERE device_id = ? AND kind = 'response.saved'")
      .run(seat.service.deviceId);
    room.seal.seal(SESSION, 'test.chief');
    await until('the mismatch seen', () => room.status().seats[0]?.seal === 'mismatch');
    expect(room.status()).toMatchObject({ state: 'sealing', seats: [{ seal: 'mismatch', sealCode: 'SEAL_DIGEST_MISMATCH' }] });
    refusedWith('SEAL_DIGEST_MISMATCH', () => room.seal.seal(SESSION, 'test.chief'));
    refusedWith('SEAL_DIGEST_MISMATCH', () => room.seal.account(SESSION, seat.service.deviceId, 'it looks fine', 'test.chief'));
    await new Promise((r) => setTimeout(r, 50));
    expect(room.status().state).toBe('sealing');
  });

  it("refuses a seat's answer that names another seat (SEAL_FOREIGN_SEAT); the room is not sealed until the chief accounts for it", async () => {
    const room = await sealRoom();
    const honest = await seatIn(room);
    // This seat answers the seal with its own digest but in another seat's name.
    const forger = await seatIn(room, (real) => (command) => {
      const answer = real(command);
      return command.type === 'seal' && answer ? { ...answer, deviceId: honest.service.deviceId } : answer;
    });
    await endAndWait(room, [honest, forger]);
    room.seal.seal(SESSION, 'test.chief');
    await until('both answers judged', () => room.status().seats.every((s) => s.seal !== 'pending' && s.seal !== 'waiting'));
    const status = room.status();
    expect(status.state).toBe('sealing');
    expect(status.seats.find((s) => s.deviceId === honest.service.deviceId)).toMatchObject({ seal: 'matched' });
    expect(status.seats.find((s) => s.deviceId === forger.service.deviceId)).toMatchObject({ seal: 'refused', sealCode: 'SEAL_FOREIGN_SEAT' });
    refusedWith('SEAL_NOT_NEEDED', () => room.seal.account(SESSION, honest.service.deviceId, 'nothing wrong', 'test.chief'));
    const after = room.seal.account(SESSION, forger.service.deviceId, 'the seat answered in another seat’s name; IT took it out', 'test.chief');
    expect(after).toMatchObject({ state: 'sealed' });
    expect(after.seats.find((s) => s.deviceId === forger.service.deviceId)).toMatchObject({ seal: 'accounted', accounted: { by: 'test.chief' } });
  });

  it('seals a room with a dead seat once the chief accounts for it with the reason; the other seat matched', async () => {
    const room = await sealRoom();
    const alive = await seatIn(room);
    const dead = await seatIn(room);
    await save(dead, 'pirms kļūmes');
    await until('the dead seat’s answer at the hub', () => room.status().seats.length === 2 && dead.link.status().backlogEvents === 0);
    dead.pair!.cut('the seat died');
    dead.link.stop();
    await endAndWait(room, [alive]);
    expect(room.status().seats.find((s) => s.deviceId === dead.service.deviceId)).toMatchObject({ end: 'pending', final: false });
    room.seal.seal(SESSION, 'test.chief');
    await until('the live seat matched', () => room.status().seats.find((s) => s.deviceId === alive.service.deviceId)?.seal === 'matched');
    await new Promise((r) => setTimeout(r, 30));
    expect(room.status()).toMatchObject({ state: 'sealing' });
    expect(room.status().seats.find((s) => s.deviceId === dead.service.deviceId)).toMatchObject({ seal: 'pending' });
    const sealed = room.seal.account(SESSION, dead.service.deviceId, 'the seat died; its candidate moved to seat 3B', 'test.chief');
    expect(sealed.state).toBe('sealed');
    expect(sealed.seats.find((s) => s.deviceId === dead.service.deviceId)).toMatchObject({ seal: 'accounted', accounted: { reason: 'the seat died; its candidate moved to seat 3B', by: 'test.chief' } });
    const entry = (await room.station.service.listAudit({ staffToken: room.station.staffToken })).find((e) => e.action === 'room.sealed')!;
    expect(entry.details.seats).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ deviceId: alive.service.deviceId, digest: expect.stringMatching(/^[0-9a-f]{64}$/) }),
        expect.objectContaining({ deviceId: dead.service.deviceId, accounted: { reason: 'the seat died; its candidate moved to seat 3B', by: 'test.chief' } }),
      ]),
    );
  });

  it('answers a repeated seal with the digest it kept, so a lost answer comes again the same', async () => {
    const room = await sealRoom();
    const seat = await seatIn(room);
    await save(seat, '350 eiro');
    await endAndWait(room, [seat]);
    room.seal.seal(SESSION, 'test.chief');
    await until('sealed', () => room.status().state === 'sealed');
    const { cmd_id } = room.station.service.db.sqlite.prepare('SELECT cmd_id FROM room_seals').get() as { cmd_id: string };
    const first = room.hub.commands.outcomes(cmd_id)[0]!.answer;
    // The hub forgets the result (as if the answer had been lost): it repeats the command, the seat answers again.
    room.station.service.db.sqlite.prepare('DELETE FROM room_command_results WHERE cmd_id = ?').run(cmd_id);
    await until('answered again', () => room.hub.commands.outcomes(cmd_id).length === 1);
    expect(room.hub.commands.outcomes(cmd_id)[0]!.answer).toEqual(first);
  });

  it('a seat refuses the seal while its part still runs (SESSION_NOT_ENDED) and writes on', async () => {
    const room = await sealRoom();
    const seat = await seatIn(room);
    const command = room.hub.issue({ target: { kind: 'room' }, type: 'seal', params: { sessionId: SESSION }, issuedBy: 'test.chief' });
    await until('the seat refused', () => room.hub.commands.outcomes(command.cmdId).length === 1);
    expect(room.hub.commands.outcomes(command.cmdId)[0]).toMatchObject({ status: 'refused', code: 'SESSION_NOT_ENDED' });
    await seat.service.saveResponse({ ...seat.seat, itemId: 'r1-q4', value: { type: 'short-text', text: 'vēl rakstu' }, clientSaveId: saveId() });
  });
});
