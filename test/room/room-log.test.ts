// The room log (the hub's hash-chained audit log) and its seal (src-main/lan/room-log.ts): at the seal
// the hub appends the seal entry and signs the chain's head with its device key. The check finds an
// entry changed in the database, a statement altered, and a signature by another key.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyRoomLog } from '../../src-main/lan/room-log.ts';
import { save, until } from './room-fixtures.ts';
import { endAndWait, sealRoom, seatIn, SESSION } from './seal-support.ts';

async function sealedRoom() {
  const room = await sealRoom();
  const seat = await seatIn(room);
  await save(seat, '350 eiro');
  await room.station.service.recordIncident({ staffToken: room.station.staffToken, sessionId: SESSION, candidateId: 'C-0001', kind: 'environment', note: 'Troksnis aiz loga' });
  await endAndWait(room, [seat]);
  room.seal.seal(SESSION, 'test.chief');
  await until('sealed', () => room.status().state === 'sealed');
  const read = () => room.station.service.listAudit({ staffToken: room.station.staffToken, limit: 5000 });
  return { room, seal: room.seal.sealed(SESSION)!, read };
}

describe('the room log and its signed seal', () => {
  it('holds the room’s actions and the seal, its head signed by the hub; a later entry does not disturb the check', async () => {
    const { room, seal, read } = await sealedRoom();
    const entries = await read();
    expect(entries.map((e) => e.action)).toEqual(expect.arrayContaining(['incident.recorded', 'room.end', 'room.seal.request', 'room.sealed']));
    const head = entries.find((e) => e.seq === seal.statement.auditHead.seq)!;
    expect(head).toMatchObject({ action: 'room.sealed', target: SESSION, details: { sessionDigest: seal.statement.sessionDigest } });
    expect(seal.statement).toMatchObject({ sessionId: SESSION, hubDeviceId: room.identity.deviceId, sealedBy: 'test.chief', sessionDigest: room.status().digest });
    expect(verifyRoomLog(entries, seal, room.identity.publicKey)).toEqual({ ok: true, entries: head.seq });
    // The log goes on after the seal (the protocol's export is an entry too): the signed part still checks.
    await room.seal.protocol(SESSION, 'test.chief');
    expect(verifyRoomLog(await read(), seal, room.identity.publicKey)).toMatchObject({ ok: true });
  });

  it('finds an entry changed in the hub’s database', async () => {
    const { room, seal, read } = await sealedRoom();
    const incident = (await read()).find((e) => e.action === 'incident.recorded')!;
    // Someone with the file and SQLite: past the append-only trigger, straight into the table.
    room.station.service.db.sqlite.exec('DROP TRIGGER audit_log_append_only_update');
    room.station.service.db.sqlite.prepare("UPDATE audit_log SET details_json = replace(details_json, 'environment', 'other') WHERE seq = ?").run(incident.seq);
    expect(verifyRoomLog(await read(), seal, room.identity.publicKey)).toEqual({ ok: false, brokenAt: incident.seq, reason: `entry ${incident.seq} was altered: its content does not give its hash` });
  });

  it('finds an entry removed, a chain rewritten after the seal, a statement altered and a signature by another key', async () => {
    const { room, seal, read } = await sealedRoom();
    const entries = await read();
    expect(verifyRoomLog(entries.filter((e) => e.seq !== 2), seal, room.identity.publicKey)).toMatchObject({ ok: false, brokenAt: 2 });
    // A chain made again from scratch up to the head gives another head hash than the one signed.
    const rewritten = entries.map((e) => (e.seq === seal.statement.auditHead.seq ? { ...e, hash: 'f'.repeat(64) } : e));
    expect(verifyRoomLog(rewritten, seal, room.identity.publicKey)).toMatchObject({ ok: false, brokenAt: seal.statement.auditHead.seq });
    const altered = { ...seal, statement: { ...seal.statement, sealedBy: 'someone.else' } };
    expect(verifyRoomLog(entries, altered, room.identity.publicKey)).toEqual({ ok: false, brokenAt: null, reason: "the signature is not the hub key's over this statement" });
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    expect(verifyRoomLog(entries, seal, other)).toEqual({ ok: false, brokenAt: null, reason: "the signature is not the hub key's over this statement" });
    expect(verifyRoomLog(entries, { ...seal, signature: 'AAAA' }, room.identity.publicKey)).toMatchObject({ ok: false, brokenAt: null });
  });
});
