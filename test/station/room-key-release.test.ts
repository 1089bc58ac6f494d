// The key release at the hub (issue 10 §3): for a session with two-person release, the first person
// starts it and a second, distinct account confirms it within 2 minutes, or it lapses and the console
// says so; both are named in the command to the seats and in the audit log. A release waiting for its
// second person, and one released, are kept in the hub's database: a restart of the hub changes neither
// who may confirm nor until when. Who may do what of the room
// controls: two-person release is the chief's setting, extra time for an incident the chief's, the
// removal of a candidate the chief's; a station without a room has no key to release.
import { describe, expect, it } from 'vitest';
import { RoomCommand } from '../../src-shared/contracts/room-protocol.ts';
import { KEY_RELEASE_CONFIRM_MS } from '../../src-main/station/room-staff.ts';
import { DEMO_SESSION, openTestStation } from '../support/fixtures.ts';
import { CHIEF_DESK, controlledHub, secondPerson, SECOND_DESK, SECOND_PERSON, type ControlledHub } from '../room/room-controls-fixtures.ts';

const SESSION = DEMO_SESSION.sessionId;

async function twoPersonHub() {
  const hub = await controlledHub();
  const second = await secondPerson(hub);
  await hub.service.setTwoPersonRelease({ staffToken: hub.chief, sessionId: SESSION, required: true }, CHIEF_DESK);
  const release = (token: string, desk = CHIEF_DESK) => hub.service.releaseKey({ staffToken: token, packageId: hub.packageId, sessionId: SESSION }, desk);
  const issued = () => hub.service.db.all(hub.service.db.q.selectFrom('room_commands').select('command_json')).map((r) => RoomCommand.parse(JSON.parse(r.command_json)));
  const audit = async () => (await hub.service.listAudit({ staffToken: hub.chief, afterSeq: 0, limit: 1000 }, CHIEF_DESK)).filter((e) => e.action.startsWith('room.key'));
  return { hub, second, release, issued, audit };
}

/** After a restart of the hub everyone signs in again: the second person's new token. */
async function secondSignsInAgain(hub: ControlledHub): Promise<string> {
  return (await hub.service.staffSignIn(SECOND_PERSON, SECOND_DESK)).staffToken;
}

const keyReleases = async (hub: ControlledHub) => (await hub.service.getRoomControls({ staffToken: hub.chief }, CHIEF_DESK)).keyReleases;

describe('two-person key release', () => {
  it('waits for a second, distinct person; the same person twice is refused; both are named in the command and the audit', async () => {
    const { hub, second, release, issued, audit } = await twoPersonHub();
    const started = await release(hub.chief);
    expect(started).toMatchObject({ state: 'awaiting-second', startedBy: 'test.chief', confirmedBy: null, command: null });
    expect(started.expiresAt! - started.startedAt).toBe(KEY_RELEASE_CONFIRM_MS);
    await expect(release(hub.chief)).rejects.toMatchObject({ code: 'KEY_RELEASE_SAME_PERSON' });
    expect(issued()).toEqual([]);
    hub.advance(KEY_RELEASE_CONFIRM_MS - 1000);
    const done = await release(second, SECOND_DESK);
    expect(done).toMatchObject({ state: 'released', startedBy: 'test.chief', confirmedBy: SECOND_PERSON.username });
    const [command] = issued();
    expect(command).toMatchObject({ type: 'key-release', target: { kind: 'room' }, issuedBy: SECOND_PERSON.username, params: { packageId: hub.packageId, key: hub.staged.contentKey, startedBy: 'test.chief', confirmedBy: SECOND_PERSON.username } });
    const entries = await audit();
    expect(entries.map((e) => [e.actor, e.action])).toEqual([
      ['test.chief', 'room.key.two-person'],
      ['test.chief', 'room.key.release.started'],
      [SECOND_PERSON.username, 'room.key.released'],
    ]);
    expect(entries[2]!.details).toMatchObject({ startedBy: 'test.chief', confirmedBy: SECOND_PERSON.username });
    expect(JSON.stringify(entries)).not.toContain(hub.staged.contentKey);
  });

  it('lapses after 2 minutes: the console says so, and the next call starts a new release', async () => {
    const { hub, second, release, issued, audit } = await twoPersonHub();
    await release(hub.chief);
    hub.advance(KEY_RELEASE_CONFIRM_MS + 1);
    expect((await hub.service.getRoomControls({ staffToken: hub.chief }, CHIEF_DESK)).keyReleases).toEqual([expect.objectContaining({ state: 'lapsed', startedBy: 'test.chief' })]);
    // The second person comes too late to confirm: their call starts a release of their own.
    const again = await release(second, SECOND_DESK);
    expect(again).toMatchObject({ state: 'awaiting-second', startedBy: SECOND_PERSON.username });
    expect(issued()).toEqual([]);
    const done = await release(hub.chief);
    expect(done).toMatchObject({ state: 'released', startedBy: SECOND_PERSON.username, confirmedBy: 'test.chief' });
    expect((await audit()).map((e) => e.action)).toEqual(['room.key.two-person', 'room.key.release.started', 'room.key.release.lapsed', 'room.key.release.started', 'room.key.released']);
  });

  it('keeps a release waiting for its second person through a hub restart: shown as before, the same person refused, another confirms within the 2 minutes from its start, once', async () => {
    const { hub, release, issued } = await twoPersonHub();
    const started = await release(hub.chief);
    hub.advance(60_000);
    await hub.restart();
    const second = await secondSignsInAgain(hub);
    expect(await keyReleases(hub)).toEqual([started]);
    await expect(release(hub.chief)).rejects.toMatchObject({ code: 'KEY_RELEASE_SAME_PERSON' });
    // A second before the 2 minutes from the start run out (a minute and more after the restart).
    hub.advance(KEY_RELEASE_CONFIRM_MS - 60_000 - 1000);
    const done = await release(second, SECOND_DESK);
    expect(done).toMatchObject({ state: 'released', startedBy: 'test.chief', startedAt: started.startedAt, confirmedBy: SECOND_PERSON.username });
    expect(issued()).toEqual([expect.objectContaining({ cmdId: done.command!.cmdId, params: expect.objectContaining({ startedBy: 'test.chief', confirmedBy: SECOND_PERSON.username }) })]);
    // Released, also after another restart: a further call is not a second confirmation of it.
    await hub.restart();
    expect(await keyReleases(hub)).toEqual([expect.objectContaining({ state: 'released', startedBy: 'test.chief', confirmedBy: SECOND_PERSON.username, expiresAt: null, command: expect.objectContaining({ cmdId: done.command!.cmdId }) })]);
    await expect(release(await secondSignsInAgain(hub), SECOND_DESK)).resolves.toMatchObject({ state: 'awaiting-second', startedBy: SECOND_PERSON.username });
    expect(issued()).toHaveLength(1);
  });

  it('lapses 2 minutes after its start, a hub restart in between: the console says so, and the next call starts a new release', async () => {
    const { hub, release, issued, audit } = await twoPersonHub();
    const started = await release(hub.chief);
    hub.advance(KEY_RELEASE_CONFIRM_MS - 30_000);
    await hub.restart();
    const second = await secondSignsInAgain(hub);
    expect(await keyReleases(hub)).toEqual([started]);
    hub.advance(30_001);
    expect(await keyReleases(hub)).toEqual([{ ...started, state: 'lapsed' }]);
    const again = await release(second, SECOND_DESK);
    expect(again).toMatchObject({ state: 'awaiting-second', startedBy: SECOND_PERSON.username });
    expect(issued()).toEqual([]);
    expect((await audit()).map((e) => e.action)).toEqual(['room.key.two-person', 'room.key.release.started', 'room.key.release.lapsed', 'room.key.release.started']);
  });

  it('releases at once for a session without it, and not at all without the key at the hub or a room', async () => {
    const hub = await controlledHub();
    await expect(hub.service.releaseKey({ staffToken: hub.chief, packageId: hub.packageId, sessionId: SESSION }, CHIEF_DESK)).resolves.toMatchObject({ state: 'released', confirmedBy: null });
    await expect(hub.service.releaseKey({ staffToken: hub.chief, packageId: '0b5e8f5a-1111-4222-8333-944455556666', sessionId: SESSION }, CHIEF_DESK)).rejects.toMatchObject({ code: 'KEY_NOT_HELD' });
    const solo = await openTestStation();
    try {
      await expect(solo.service.releaseKey({ staffToken: solo.staffToken, packageId: solo.built.manifest.packageId, sessionId: SESSION })).rejects.toMatchObject({ code: 'ROOM_NOT_AVAILABLE' });
    } finally {
      solo.service.close();
    }
  });
});

describe('who may use the room controls', () => {
  it('leaves two-person release, extra time for an incident and removal to the chief; an invigilator starts, pauses and gives registered extra time', async () => {
    const hub = await controlledHub();
    const invigilator = await secondPerson(hub);
    const as = SECOND_DESK;
    await expect(hub.service.setTwoPersonRelease({ staffToken: invigilator, sessionId: SESSION, required: false }, as)).rejects.toMatchObject({ code: 'STAFF_ROLE_MISSING' });
    await expect(hub.service.roomCommand({ staffToken: invigilator, action: 'extend', candidateId: 'C-0001', amountMs: 60_000, grounds: 'incident', reason: 'trauksme' }, as)).rejects.toMatchObject({ code: 'STAFF_ROLE_MISSING' });
    await expect(hub.service.removeCandidate({ staffToken: invigilator, candidateId: 'C-0001', note: 'x' }, as)).rejects.toMatchObject({ code: 'STAFF_ROLE_MISSING' });
    await expect(hub.service.roomCommand({ staffToken: invigilator, action: 'start', target: { kind: 'room' } }, as)).resolves.toMatchObject({ type: 'start', issuedBy: SECOND_PERSON.username });
    await expect(hub.service.roomCommand({ staffToken: invigilator, action: 'extend', candidateId: 'C-0001', amountMs: 60_000, grounds: 'accommodation', reason: 'extra-time-25' }, as)).resolves.toMatchObject({ type: 'extend' });
    await expect(hub.service.releaseKey({ staffToken: invigilator, packageId: hub.packageId, sessionId: SESSION }, as)).resolves.toMatchObject({ state: 'released' });
  });
});
