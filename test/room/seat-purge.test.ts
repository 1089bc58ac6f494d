// The room's purge (docs/sync.md): once the centre confirmed a session, the hub tells its seats to delete
// what they hold of it. Each seat deletes its candidate, attempt, answers, audio and events of the session
// in one transaction and answers what it deleted as deletion-certificate manifests; the same command
// again changes nothing; a seat whose events of the session the hub does not all hold refuses.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SEAT_ACKED_SEQ_META } from '../../src-main/station/tables.ts';
import { PurgeAnswer } from '../../src-shared/contracts/room-protocol.ts';
import { save, sha, until } from './room-fixtures.ts';
import { endAndWait, sealRoom, seatIn, SESSION } from './seal-support.ts';

const rows = (seat: { service: { db: { sqlite: { prepare(sql: string): { pluck(): { get(): unknown } } } } } }, table: string): number => Number(seat.service.db.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get());

describe('the purge on a seat', () => {
  it('deletes the session from the seat and answers its manifests; the command repeated is answered the same', async () => {
    const room = await sealRoom();
    const seat = await seatIn(room);
    await save(seat, '350 eiro');
    await seat.service.recordTimerEvent({ ...seat.seat, partId: 'speaking', kind: 'start' });
    const { recordingId } = await seat.service.startRecording({ ...seat.seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    for (const [index, data] of [randomBytes(900), randomBytes(700)].entries()) await seat.service.appendAudioSegment({ ...seat.seat, recordingId, index, data, sha256: sha(data), durationMs: 1000 });
    await seat.service.closeRecording({ ...seat.seat, recordingId });
    await endAndWait(room, [seat]);
    await until('the hub holds every event of the seat', () => Number(seat.service.db.sqlite.prepare(`SELECT value FROM meta WHERE key = '${SEAT_ACKED_SEQ_META}'`).pluck().get() ?? 0) === seat.service.outbox.lastSeq());
    const before = seat.service.outbox.lastSeq();
    const command = room.hub.issue({ target: { kind: 'room' }, type: 'purge', params: { sessionId: SESSION }, issuedBy: 'test.chief' });
    await until('the seat answered', () => room.hub.commands.outcomes(command.cmdId).some((o) => o.status === 'applied'));
    const answer = PurgeAnswer.parse(room.hub.commands.outcomes(command.cmdId).find((o) => o.status === 'applied')!.answer);
    expect(answer).toMatchObject({ deviceId: seat.service.deviceId, sessionId: SESSION });
    const items = Object.fromEntries(answer.items.map((i) => [i.kind, i.count]));
    expect(items).toMatchObject({ attempts: 1, recordings: 1, 'audio-segments': 2, candidates: 1 });
    expect(answer.items.find((i) => i.kind === 'audio-segments')!.bytes).toBe(1600);
    for (const table of ['candidates', 'attempts', 'response_revisions', 'recordings', 'recording_segments', 'outbox']) expect(rows(seat, table), table).toBe(0);
    // The seat's stream goes on above what it deleted.
    expect(seat.service.outbox.lastSeq()).toBe(before);
  });

  it('refuses while the hub does not hold every event of the session the seat wrote: nothing is deleted', async () => {
    const room = await sealRoom();
    const seat = await seatIn(room);
    await save(seat, '350 eiro');
    // As if the hub had acknowledged less than the seat wrote.
    seat.link.stop();
    seat.service.db.sqlite.prepare(`UPDATE meta SET value = '1' WHERE key = '${SEAT_ACKED_SEQ_META}'`).run();
    expect(() => seat.service.roomPurge({ sessionId: SESSION })).toThrow(/PURGE_NOT_CONFIRMED/);
    expect(rows(seat, 'attempts')).toBe(1);
  });
});
