// The room protocol between real stations (SQLite files, the station service) over an in-memory link
// that carries frames as JSON and that the test can cut, duplicate and replay: every event a seat
// writes reaches the hub exactly once, attributed to the seat, through cuts, duplicates, replays,
// forgeries and a hub rebuilt from nothing; commands are stored before they apply, applied once and
// repeated until confirmed; the seat keeps the room's clock; the hub sees who is late or missing.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SeatLink } from '../../src-main/seat-link/seat-link.ts';
import { SEAT_LATE_MS, SEAT_MISSING_MS, type RoomCommand } from '../../src-shared/contracts/room-protocol.ts';
import { StationError } from '../../src-shared/errors.ts';
import { linkPair } from './link-pair.ts';
import { atHub, cleanups, connect, expectExactlyOnce, hubStation, REPORT, save, seatEvents, seatStation, sha, until } from './room-fixtures.ts';

describe('the push from a seat to its hub', () => {
  it('brings every event of the seat to the hub once, relayed into the hub stream with the seat as origin', async () => {
    const { station, hub } = await hubStation();
    await station.service.openAttempt({ staffToken: station.staffToken, candidateId: 'C-0001', packageId: station.built.manifest.packageId }); // an event of the hub's own
    const seat = await seatStation();
    connect(hub, seat);
    for (let i = 0; i < 30; i += 1) await save(seat, `answer ${i}`);
    await until('the seat to know the hub holds every event', () => seat.link.status().backlogEvents === 0);
    expect(hub.streams.ackedSeq(seat.service.deviceId)).toBe(seat.service.outbox.lastSeq());
    expectExactlyOnce(station, seat);
    expect(seat.link.status()).toMatchObject({ connected: true, backlogEvents: 0, oldestUnackedAgeMs: null });
    // The hub's own stream numbers them after its own events: what it pushes on carries the seat's origin.
    const hubOwn = station.service.outbox.read(0, 100_000).filter((e) => e.origin.deviceId === station.service.deviceId);
    expect(hubOwn.length).toBeGreaterThan(0);
    expect(atHub(station, seat.service.deviceId)[0]!.seq).toBeGreaterThan(hubOwn.at(-1)!.seq);
  });

  it('keeps working while the link is cut and catches up on reconnect, nothing twice', async () => {
    const { station, hub } = await hubStation();
    const seat = await seatStation();
    const first = connect(hub, seat);
    await save(seat, 'before the cut');
    await until('the first save acknowledged', () => seat.link.status().connected && seat.link.status().backlogEvents === 0);
    first.cut();
    for (let i = 0; i < 20; i += 1) await save(seat, `offline ${i}`);
    await until('the seat to see the cut', () => !seat.link.status().connected);
    expect(seat.link.status().backlogEvents).toBe(20);
    expect(seat.link.status().oldestUnackedAgeMs).not.toBeNull();
    connect(hub, seat);
    await until('the backlog to reach the hub', () => hub.streams.ackedSeq(seat.service.deviceId) === seat.service.outbox.lastSeq());
    expectExactlyOnce(station, seat);
  });

  it('applies duplicated and replayed pushes once: the watermark and the hub stream stay as they were', async () => {
    const { station, hub } = await hubStation();
    const seat = await seatStation();
    const pair = connect(hub, seat);
    pair.duplicate(true);
    for (let i = 0; i < 10; i += 1) await save(seat, `twice ${i}`);
    await until('everything at the hub', () => hub.streams.ackedSeq(seat.service.deviceId) === seat.service.outbox.lastSeq());
    pair.duplicate(false);
    const before = station.service.outbox.lastSeq();
    // Replay every push the seat ever sent, in reverse order.
    for (const frame of [...pair.seatFrames].reverse().filter((f) => (f as { type: string }).type === 'push')) pair.injectToHub(frame);
    await new Promise((r) => setTimeout(r, 100));
    expect(station.service.outbox.lastSeq()).toBe(before);
    expectExactlyOnce(station, seat);
  });

  it('refuses a push that leaves a gap, changing nothing, and says where to start; the seat starts there', async () => {
    const { station, hub } = await hubStation();
    const seat = await seatStation();
    const pair = connect(hub, seat);
    await until('connected', () => seat.link.status().connected && seat.link.status().backlogEvents === 0);
    for (let i = 0; i < 3; i += 1) await save(seat, `gap ${i}`);
    await until('the saves acknowledged', () => seat.link.status().backlogEvents === 0);
    // A push from beyond what the seat has: events the hub cannot place.
    const lastSeq = seat.service.outbox.lastSeq();
    const beyond = seatEvents(seat).slice(-2).map((e, i) => ({ ...e, seq: lastSeq + 5 + i, origin: { ...e.origin, seq: lastSeq + 5 + i } }));
    const replies: unknown[] = [];
    pair.seat.onFrame((f) => replies.push(f));
    pair.injectToHub({ type: 'push', pushId: 999, events: beyond });
    await until('the refusal', () => replies.some((r) => (r as { pushId?: number }).pushId === 999));
    expect(replies.find((r) => (r as { pushId?: number }).pushId === 999)).toMatchObject({ type: 'push-refused', code: 'SEQ_GAP', expectedSeq: lastSeq + 1 });
    expect(hub.streams.ackedSeq(seat.service.deviceId)).toBe(lastSeq);
    expect(atHub(station, seat.service.deviceId).map((e) => e.origin.seq)).toEqual(seatEvents(seat).map((e) => e.seq));
    await save(seat, 'after the refusal');
    seat.link.kick();
    await until('the seat to catch up', () => hub.streams.ackedSeq(seat.service.deviceId) === seat.service.outbox.lastSeq());
    expectExactlyOnce(station, seat);
  });

  it('raises an integrity alarm for the same seq with another body, and refuses a seat pushing as another', async () => {
    const { station, hub } = await hubStation();
    const seat = await seatStation();
    const pair = connect(hub, seat);
    await until('everything at the hub', () => seat.link.status().connected && hub.streams.ackedSeq(seat.service.deviceId) === seat.service.outbox.lastSeq());
    const held = station.service.outbox.lastSeq();
    const [firstEvent] = seatEvents(seat);
    const replies: { type: string; pushId?: number; code?: string }[] = [];
    pair.seat.onFrame((f) => replies.push(f as never));
    pair.injectToHub({ type: 'push', pushId: 500, events: [{ ...firstEvent!, createdAt: new Date(0).toISOString() }] });
    const other = await seatStation();
    const forged = seatEvents(other).map((e) => ({ ...e, seq: e.seq + 1000 }));
    pair.injectToHub({ type: 'push', pushId: 501, events: forged.slice(0, 2) });
    await until('both refusals', () => replies.filter((r) => r.type === 'push-refused').length === 2);
    expect(replies.find((r) => r.pushId === 500)).toMatchObject({ code: 'EVENT_CONFLICT' });
    expect(replies.find((r) => r.pushId === 501)).toMatchObject({ code: 'PUSH_FOREIGN_ORIGIN' });
    expect(station.service.outbox.lastSeq()).toBe(held);
    expect(atHub(station, other.service.deviceId)).toEqual([]);
    expect(hub.view()[0]).toMatchObject({ deviceId: seat.service.deviceId, alarm: expect.stringMatching(/^(EVENT_CONFLICT|PUSH_FOREIGN_ORIGIN)/) });
  });

  it('lets a hub rebuilt with an empty database get every event and every segment of audio again from the seat', async () => {
    const first = await hubStation();
    const seat = await seatStation();
    await seat.service.recordTimerEvent({ ...seat.seat, partId: 'speaking', kind: 'start' });
    const { recordingId } = await seat.service.startRecording({ ...seat.seat, itemId: 's1-q1', mimeType: 'audio/webm' });
    const segments = [randomBytes(3000), randomBytes(2000), randomBytes(1000)];
    for (const [index, data] of segments.entries()) await seat.service.appendAudioSegment({ ...seat.seat, recordingId, index, data, sha256: sha(data), durationMs: 1000 });
    await seat.service.closeRecording({ ...seat.seat, recordingId });
    connect(first.hub, seat);
    await until('audio at the first hub', () => first.hub.streams.audioOf(recordingId).length === 3 && seat.link.status().audioSegmentsPending === 0);
    seat.pair!.cut();
    // A new hub: nothing of this seat; the seat sends it all again, events and audio.
    const second = await hubStation();
    await until('the seat to see the cut', () => !seat.link.status().connected);
    connect(second.hub, seat);
    await until('everything at the new hub', () => second.hub.streams.ackedSeq(seat.service.deviceId) === seat.service.outbox.lastSeq() && second.hub.streams.audioOf(recordingId).length === 3);
    expectExactlyOnce(second.station, seat);
    expect(second.hub.streams.audioOf(recordingId)).toEqual(segments.map((data, index) => ({ index, sha256: sha(data), bytes: data.length })));
  });

  it('refuses audio whose bytes do not match their hash, and keeps nothing of it', async () => {
    const { hub } = await hubStation();
    const seat = await seatStation();
    const pair = connect(hub, seat);
    await until('connected', () => seat.link.status().connected);
    const replies: { type: string; code?: string }[] = [];
    pair.seat.onFrame((f) => replies.push(f as never));
    const recordingId = '00000000-0000-4000-8000-000000000001';
    pair.injectToHub({ type: 'audio', recordingId, index: 0, sha256: sha(Buffer.from('other')), data: Buffer.from('these bytes').toString('base64') });
    await until('the refusal', () => replies.some((r) => r.type === 'audio-refused'));
    expect(replies.find((r) => r.type === 'audio-refused')).toMatchObject({ code: 'UPLOAD_CHUNK_CHECKSUM_MISMATCH' });
    expect(hub.streams.audioOf(recordingId)).toEqual([]);
  });

  it('ends a link whose frames are not the protocol, and one that does not begin with hello', async () => {
    const { hub } = await hubStation();
    const garbage = linkPair();
    hub.attach('stranger', garbage.hub);
    garbage.seat.send({ type: 'push', pushId: 1, events: [] });
    await until('the link to close', () => garbage.seat.closed);
    const noHello = linkPair();
    hub.attach('stranger-2', noHello.hub);
    noHello.seat.send({ type: 'command-result', result: { cmdId: '00000000-0000-4000-8000-000000000002', status: 'applied' } });
    await until('the link to close', () => noHello.seat.closed);
  });
});

describe('commands from the hub', () => {
  it('reach a seat that was away when they were issued, are applied once in order, and stop repeating once confirmed', async () => {
    const { hub } = await hubStation();
    const seat = await seatStation();
    const start = hub.issue({ target: { kind: 'room' }, type: 'start', params: { partId: 'reading' }, issuedBy: 'chief' });
    const pause = hub.issue({ target: { kind: 'seat', deviceId: seat.service.deviceId }, type: 'pause', params: { partId: 'reading' }, reason: 'fire alarm', issuedBy: 'chief' });
    hub.issue({ target: { kind: 'seat', deviceId: 'another-seat' }, type: 'lock', issuedBy: 'chief' });
    const pair = connect(hub, seat);
    pair.duplicate(true);
    await until('both applied and confirmed', () => hub.commands.outcomes(pause.cmdId).length === 1 && hub.commands.outcomes(start.cmdId).length === 1);
    await new Promise((r) => setTimeout(r, 200)); // more heartbeats: nothing is applied twice
    expect(seat.applied.map((c) => c.cmdId)).toEqual([start.cmdId, pause.cmdId]);
    expect(hub.commands.pendingFor({ deviceId: seat.service.deviceId, candidateId: null }, 50)).toEqual([]);
    // Issued while connected: sent at once.
    const message = hub.issue({ target: { kind: 'room' }, type: 'message', params: { text: 'Atlikušas 10 minūtes' }, issuedBy: 'invigilator' });
    await until('the message applied', () => seat.applied.some((c) => c.cmdId === message.cmdId));
    expect(seat.applied.filter((c) => c.cmdId === message.cmdId)).toHaveLength(1);
  });

  it('gives a seat only the commands issued since it was paired: a spare seat paired later does not carry out the morning\'s room commands', async () => {
    const { hub } = await hubStation();
    const morning = hub.issue({ target: { kind: 'room' }, type: 'extend', params: { amountMs: 600_000 }, reason: 'a fault in the morning', issuedBy: 'chief' });
    await new Promise((r) => setTimeout(r, 5));
    const pairedAt = new Date().toISOString();
    const spare = await seatStation();
    const pair = linkPair();
    hub.attach(spare.service.deviceId, pair.hub, pairedAt);
    spare.link.connect(pair.seat);
    const later = hub.issue({ target: { kind: 'room' }, type: 'message', params: { text: 'Sveiki' }, issuedBy: 'chief' });
    await until('the later command applied', () => spare.applied.some((c) => c.cmdId === later.cmdId));
    await new Promise((r) => setTimeout(r, 200)); // heartbeats: the morning's command is not among them
    expect(spare.applied.map((c) => c.cmdId)).toEqual([later.cmdId]);
    expect(hub.commands.outcomes(morning.cmdId)).toEqual([]);
  });

  it('keeps a refusal with its code, and the hub shows it', async () => {
    const { hub } = await hubStation();
    const seat = await seatStation({
      apply: (command) => {
        if (command.type === 'end') throw new StationError('TIMER_TRANSITION', 'the part is not running');
      },
    });
    connect(hub, seat);
    const end = hub.issue({ target: { kind: 'room' }, type: 'end', params: { partId: 'writing' }, issuedBy: 'chief' });
    await until('the outcome', () => hub.commands.outcomes(end.cmdId).length === 1);
    expect(hub.commands.outcomes(end.cmdId)[0]).toMatchObject({ deviceId: seat.service.deviceId, status: 'refused', code: 'TIMER_TRANSITION' });
  });

  it('applies a command exactly once: stored and not carried out when the seat stopped, it is carried out at the next start; applied, never again', async () => {
    const { hub } = await hubStation();
    const seat = await seatStation();
    seat.link.stop();
    const pause = hub.issue({ target: { kind: 'room' }, type: 'pause', params: { partId: 'reading' }, issuedBy: 'chief' });
    // The seat had stored the command when it stopped (the process died before carrying it out).
    seat.service.db.transaction(() =>
      seat.service.db.run(
        seat.service.db.q.insertInto('seat_commands').values({ cmd_id: pause.cmdId, term: pause.term, room_seq: pause.roomSeq, command_json: JSON.stringify(pause), received_at: new Date().toISOString(), status: 'stored', code: null, detail: null, applied_at: null }),
      ),
    );
    // The seat starts again: the stored command is carried out first, once.
    const applied: string[] = [];
    const again = new SeatLink({ db: seat.service.db, outbox: seat.service.outbox, report: () => REPORT, apply: (c) => void applied.push(c.cmdId), heartbeatMs: 50 });
    cleanups.push(() => again.stop());
    expect(applied).toEqual([pause.cmdId]);
    const pair = linkPair();
    hub.attach(seat.service.deviceId, pair.hub);
    again.connect(pair.seat);
    await until('confirmed at the hub', () => hub.commands.outcomes(pause.cmdId).length === 1);
    // The hub's repeats (and another start of the seat) do not carry it out again.
    await new Promise((r) => setTimeout(r, 200));
    again.stop();
    const third = new SeatLink({ db: seat.service.db, outbox: seat.service.outbox, report: () => REPORT, apply: (c) => void applied.push(c.cmdId), heartbeatMs: 50 });
    cleanups.push(() => third.stop());
    expect(applied).toEqual([pause.cmdId]);
  });

  it('marks a command applied in the same transaction as its effect: a refusal leaves no effect, and one failure does not stop the commands after it', async () => {
    const { hub } = await hubStation();
    const effects: string[] = [];
    const seat = await seatStation({
      apply: (command) => {
        // The effect is written in the seat's database, then the applier fails: both must go.
        seat.service.db.run(seat.service.db.q.insertInto('meta').values({ key: `effect-${command.cmdId}`, value: '1' }));
        if (command.type === 'end') throw new Error('the station failed half-way');
        effects.push(command.type);
      },
    });
    connect(hub, seat);
    const end = hub.issue({ target: { kind: 'room' }, type: 'end', issuedBy: 'chief' });
    const pause = hub.issue({ target: { kind: 'room' }, type: 'pause', issuedBy: 'chief' });
    await until('both outcomes', () => hub.commands.outcomes(end.cmdId).length === 1 && hub.commands.outcomes(pause.cmdId).length === 1);
    expect(hub.commands.outcomes(end.cmdId)[0]).toMatchObject({ status: 'refused', code: 'INTERNAL' });
    expect(hub.commands.outcomes(pause.cmdId)[0]).toMatchObject({ status: 'applied' });
    const meta = (key: string) => seat.service.db.get(seat.service.db.q.selectFrom('meta').select('value').where('key', '=', key));
    expect(meta(`effect-${end.cmdId}`)).toBeUndefined();
    expect(meta(`effect-${pause.cmdId}`)).toEqual({ value: '1' });
    expect(effects).toEqual(['pause']);
  });

  it('refuses a command from a lower term than the seat has seen', async () => {
    const { station, hub } = await hubStation();
    const seat = await seatStation();
    station.service.db.transaction(() => station.service.db.run(station.service.db.q.insertInto('meta').values({ key: 'room_term', value: '3' })));
    connect(hub, seat);
    await until('connected', () => seat.link.status().connected);
    // A hub of an earlier term (the primary before the standby was promoted) sends a command.
    const stale: RoomCommand = { cmdId: '00000000-0000-4000-8000-00000000000a', term: 2, roomSeq: 1, target: { kind: 'room' }, type: 'pause', params: {}, effectiveAt: Date.now(), reason: null, issuedBy: 'old-hub' };
    const results: unknown[] = [];
    const pair = seat.pair!;
    const seatSends = pair.seat.send.bind(pair.seat);
    pair.seat.send = (frame) => {
      if ((frame as { type: string }).type === 'command-result') results.push(frame);
      seatSends(frame);
    };
    pair.hub.send({ type: 'command', command: stale });
    await until('the refusal', () => results.length > 0);
    expect(results[0]).toMatchObject({ result: { cmdId: stale.cmdId, status: 'refused', code: 'COMMAND_STALE_TERM' } });
    expect(seat.applied).toEqual([]);
  });
});

describe('the room clock and the room view', () => {
  it('gives a seat whose clock is 10 minutes off the hub time', async () => {
    const { hub } = await hubStation();
    const skew = -10 * 60_000;
    const seat = await seatStation({ now: () => new Date(Date.now() + skew) });
    connect(hub, seat);
    await until('a heartbeat after the push', () => seat.link.status().clockOffsetMs !== null && hub.view()[0]?.state?.backlog.events === 0);
    expect(Math.abs(seat.link.hubNow() - Date.now())).toBeLessThan(250); // within the round trip, whatever the load
    expect(Math.abs(seat.link.status().clockOffsetMs! + skew)).toBeLessThan(250);
    expect(hub.view()[0]!.state).toMatchObject({ appVersion: '0.1.0-test', backlog: { events: 0 } });
  });

  it('shows a silent seat as late after 6 s and missing after 15 s, problems first', async () => {
    let offset = 0;
    const { hub } = await hubStation(() => new Date(Date.now() + offset));
    const quiet = await seatStation();
    const busy = await seatStation();
    connect(hub, quiet);
    connect(hub, busy);
    await until('both seen', () => hub.view().filter((s) => s.presence === 'connected').length === 2);
    quiet.pair!.cut();
    busy.link.stop();
    await until('both links closed', () => hub.view().every((s) => !s.connected));
    offset = SEAT_LATE_MS;
    expect(hub.view().map((s) => s.presence)).toEqual(['late', 'late']);
    offset = SEAT_MISSING_MS;
    expect(hub.view().every((s) => s.presence === 'missing' && !s.connected)).toBe(true);
  });
});

describe('the room clock on a seat', () => {
  it('follows the offset the link measures, keeps it across a restart beside the database, and starts from the seat clock without one', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { RoomClock } = await import('../../src-main/seat-link/room-clock.ts');
    const dir = mkdtempSync(join(tmpdir(), 'room-clock-'));
    const skew = 10 * 60_000;
    const own = () => Date.now() - skew;
    const clock = new RoomClock(join(dir, 'room-clock.json'), own);
    expect(Math.abs(clock.nowMs() - own())).toBeLessThan(5);
    const { hub } = await hubStation();
    const seat = await seatStation({ now: () => new Date(own()) });
    // The seat's link tells the clock each new estimate (as the seat's composition wires it).
    const link = new SeatLink({ db: seat.service.db, outbox: seat.service.outbox, report: () => REPORT, apply: () => undefined, heartbeatMs: 50, now: () => new Date(own()), onClockOffset: (o) => clock.observe(o) });
    cleanups.push(() => link.stop());
    seat.link.stop();
    const pair = linkPair();
    hub.attach(seat.service.deviceId, pair.hub);
    link.connect(pair.seat);
    await until('a measured offset', () => link.status().clockOffsetMs !== null && Math.abs(clock.nowMs() - Date.now()) < 250);
    await new Promise((r) => setTimeout(r, 150));
    const again = new RoomClock(join(dir, 'room-clock.json'), own);
    expect(Math.abs(again.offsetMs() - skew)).toBeLessThan(250);
    writeFileSync(join(dir, 'damaged.json'), '{"offsetMs": ');
    expect(new RoomClock(join(dir, 'damaged.json'), own).offsetMs()).toBe(0);
  });
});

describe('the room clock when the seat clock steps', () => {
  it('runs on from its anchor when the seat clock steps, and takes the new offset at the next estimate', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { RoomClock } = await import('../../src-main/seat-link/room-clock.ts');
    let own = 1_000_000;
    let mono = 0;
    const clock = new RoomClock(join(mkdtempSync(join(tmpdir(), 'room-clock-')), 'room-clock.json'), () => own, () => mono);
    clock.observe(5000); // the hub is 5 s ahead
    expect(clock.nowMs()).toBe(1_005_000);
    own += 1000;
    mono += 1000;
    expect(clock.nowMs()).toBe(1_006_000);
    // A second passes, and NTP steps the seat's clock 10 minutes forward: the room's time does not jump.
    own += 1000 + 600_000;
    mono += 1000;
    expect(clock.nowMs()).toBe(1_007_000);
    // The next estimate is measured against the stepped clock: 10 minutes less, and the time goes on.
    clock.observe(5000 - 600_000);
    mono += 1000;
    own += 1000;
    expect(clock.nowMs()).toBe(1_008_000);
  });
});
