// Which commands the hub repeats to a seat in its heartbeat replies: those meant for the room, for the
// seat, or for the candidate sitting there, that the seat has not confirmed, oldest first, at most the
// limit (RoomCommands.pendingFor, asked at every heartbeat of every seat). A command issued with an id
// chosen beforehand (a lost-time credit) is issued once, however often and across however many restarts.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RoomCommands } from '../../src-main/lan/room-commands.ts';
import { openStationDatabase, type StationDatabase } from '../../src-main/station/database.ts';
import { tempDir } from '../support/fixtures.ts';

let db: StationDatabase | undefined;
afterEach(() => db?.close());

describe('the commands a seat has still to confirm', () => {
  it('are those for the room, the seat or its candidate, unconfirmed, oldest first, up to the limit', () => {
    db = openStationDatabase(join(tempDir('room-commands-'), 'hub.db'));
    const commands = new RoomCommands(db);
    const room = commands.issue({ target: { kind: 'room' }, type: 'pause', issuedBy: 'chief' });
    const seatA = commands.issue({ target: { kind: 'seat', deviceId: 'SEAT-A' }, type: 'lock', issuedBy: 'chief' });
    const seatB = commands.issue({ target: { kind: 'seat', deviceId: 'SEAT-B' }, type: 'lock', issuedBy: 'chief' });
    const anna = commands.issue({ target: { kind: 'candidate', candidateId: 'C-0001' }, type: 'extend', params: { amountMs: 60_000 }, issuedBy: 'chief' });
    const ids = (list: { cmdId: string }[]) => list.map((c) => c.cmdId);

    expect(ids(commands.pendingFor({ deviceId: 'SEAT-A', candidateId: 'C-0001' }, 50))).toEqual([room.cmdId, seatA.cmdId, anna.cmdId]);
    expect(ids(commands.pendingFor({ deviceId: 'SEAT-A', candidateId: null }, 50))).toEqual([room.cmdId, seatA.cmdId]);
    expect(ids(commands.pendingFor({ deviceId: 'SEAT-B', candidateId: 'C-0002' }, 50))).toEqual([room.cmdId, seatB.cmdId]);
    expect(ids(commands.pendingFor({ deviceId: 'SEAT-A', candidateId: 'C-0001' }, 2))).toEqual([room.cmdId, seatA.cmdId]);

    commands.confirm('SEAT-A', { cmdId: room.cmdId, status: 'applied' });
    commands.confirm('SEAT-A', { cmdId: anna.cmdId, status: 'refused', code: 'ATTEMPT_CLOSED', detail: null });
    expect(ids(commands.pendingFor({ deviceId: 'SEAT-A', candidateId: 'C-0001' }, 50))).toEqual([seatA.cmdId]);
    // Another seat's confirmation is not this seat's.
    expect(ids(commands.pendingFor({ deviceId: 'SEAT-B', candidateId: null }, 50))).toEqual([room.cmdId, seatB.cmdId]);
    expect(commands.pendingFor({ deviceId: 'SEAT-A', candidateId: 'C-0001' }, 50)[0]).toEqual(seatA);
  });
});

describe('a command with an id chosen beforehand', () => {
  it('is the command stored the first time when issued again, also after the hub database is reopened', () => {
    const path = join(tempDir('room-commands-'), 'hub.db');
    db = openStationDatabase(path);
    const cmdId = '4f0c9a52-7d3e-4b1a-9c6d-2e8f1a3b5c7d';
    const credit = { target: { kind: 'candidate', candidateId: 'C-0001' }, type: 'extend', params: { amountMs: 38_000, grounds: 'lost-time' }, reason: 'lost time', issuedBy: 'chief', cmdId } as const;
    const first = new RoomCommands(db, () => new Date(1_000)).issue(credit);
    expect(first).toMatchObject({ cmdId, roomSeq: 1, effectiveAt: 1_000 });
    db.close();
    db = openStationDatabase(path);
    const commands = new RoomCommands(db, () => new Date(9_000));
    expect(commands.issue({ ...credit, issuedBy: 'invigilator' })).toEqual(first);
    expect(commands.pendingFor({ deviceId: 'SEAT-A', candidateId: 'C-0001' }, 50)).toEqual([first]);
  });
});
