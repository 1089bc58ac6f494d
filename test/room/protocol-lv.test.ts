// The protocol says it all in Latvian (src-main/lan/room-protocol-data.ts, src-shared/rules/system-reasons.ts):
// every reason and note the system writes in English is put in Latvian from its pattern with its numbers,
// a staff-typed reason is shown as typed, an accommodation code as words, a part by its title. A room goes
// through a two-person key release, a pause with a typed reason, the registered extra time, a move to a
// spare seat and the old seat's restart after the move; its protocol holds no English system phrase, and
// what the old seat sent after the move (its restart credit) is neither extra time nor the candidate's
// timeline there, nor on the console's time ledger, but one marked line.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RoomDesk } from '../../src-main/lan/room-desk.ts';
import { RoomSeal } from '../../src-main/lan/room-seal.ts';
import { applyOnStation } from '../../src-main/seat-link/apply-command.ts';
import { SeatLink, type SeatReport } from '../../src-main/seat-link/seat-link.ts';
import type { StationService } from '../../src-main/station/service.ts';
import type { Caller } from '../../src-shared/contracts/station-api.ts';
import { loadOrCreateDeviceIdentity } from '../../src-shared/node/room/identity.ts';
import { accommodationLabelsLv } from '../../src-shared/rules/accommodations.ts';
import { reasonInLatvian } from '../../src-shared/rules/system-reasons.ts';
import { DEMO_CANDIDATE, DEMO_SESSION, openTestStation, seatOf, tempDir } from '../support/fixtures.ts';
import { linkPair, type LinkPair } from './link-pair.ts';
import { atHub, cleanups, hubStation, REPORT, until } from './room-fixtures.ts';
import { connectSpare, spareSeat } from './spare-fixtures.ts';

const SESSION = DEMO_SESSION.sessionId;
const SECOND_DESK: Caller = { clientId: 'second-desk', surfaces: ['public', 'staff'] };
const MOVED = { ...DEMO_CANDIDATE, candidateId: 'C-0002', givenName: 'Jānis', familyName: 'Kalniņš', personalCode: '010101-10006', birthDate: null, accommodation: 'extra-time-25', accommodationDocNo: 'ĀA-2026/117', accommodationDocDate: '2026-10-01' };

describe('the system’s reasons in Latvian', () => {
  const words = { partTitle: (id: string) => ({ reading: 'Lasīšana' })[id] ?? id, seatName: (id: string) => ({ DEVICE1: '4C', DEVICE2: '9A' })[id] ?? id, time: () => '2026-12-02 16:07:17' };
  it.each([
    ['station restart: 111 s lost while the station was down', 'dators restartēts: 111 s zaudētas, kamēr dators nedarbojās'],
    ['seat interrupted: 14 s without the candidate screen', 'darbs pārtraukts: 14 s bez kandidāta ekrāna'],
    ["moved to another seat: 59 s from the old seat's last sign of life to the hand-over", 'pārsēdināts pie cita datora: 59 s no vecā datora pēdējās dzīvības zīmes līdz darba nodošanai'],
    ['moved to another seat: until the candidate is at this seat', 'pārsēdināts pie cita datora: pauze, līdz kandidāts ir pie šī datora'],
    ['the moved candidate is at this seat', 'pārsēdinātais kandidāts ir pie šī datora'],
    ['registered accommodation: extra-time-25 (ĀA-2026/117, 2026-10-01)', 'reģistrēts pielāgojums: papildlaiks 25 % (ĀA-2026/117, 2026-10-01)'],
    ['registered accommodation: extra-time-10', 'reģistrēts pielāgojums: papildlaiks 10 %'],
    ['two-person release: vaditajs, liga', 'divu personu apstiprinājums: vaditajs, liga'],
    ['lost time: the seat was silent 40 s during reading', 'zaudētais laiks: kandidāta dators klusēja 40 s daļā „Lasīšana”'],
    ['lost time: the seat was silent 40 s during reading, 12 s of it credited by the seat', 'zaudētais laiks: kandidāta dators klusēja 40 s daļā „Lasīšana”, no tām 12 s dators atguva pats'],
    ['candidate removed from the session', 'kandidāts atstādināts no sesijas'],
    [
      'moved from seat DEVICE1 to seat DEVICE2 (attempt A-1): dators sastinga. Events of DEVICE1 about the attempt after its seq 17 arrived after the move and do not count.',
      'pārsēdināts no datora 4C pie datora 9A (darbs A-1): dators sastinga. Datora 4C ieraksti par šo darbu pēc ieraksta Nr. 17 saņemti pēc pārsēdināšanas un nav ņemti vērā.',
    ],
    [
      // A typed reason that ends with its own full stop gets no second one.
      'moved from seat DEVICE1 to seat DEVICE2 (attempt A-1): Dators sastinga.. Events of DEVICE1 about the attempt after its seq 17 arrived after the move and do not count.',
      'pārsēdināts no datora 4C pie datora 9A (darbs A-1): Dators sastinga. Datora 4C ieraksti par šo darbu pēc ieraksta Nr. 17 saņemti pēc pārsēdināšanas un nav ņemti vērā.',
    ],
    ["checked in at 2026-12-02T14:07:17.000Z, 8 min after the session's start", 'reģistrējās 2026-12-02 16:07:17, 8 min pēc sesijas sākuma'],
    ['the candidate declined the details on the identity screen: the name is not theirs', 'kandidāts identitātes ekrānā noraidīja datus: vārds nav viņa'],
    // A seat keeps the issuer with a command's reason; the reason itself may be the system's or a person's.
    ['Ugunsdzēsības trauksme; by vaditajs', 'Ugunsdzēsības trauksme; rīkojumu deva vaditajs'],
    ['by vaditajs', 'rīkojumu deva vaditajs'],
    ['lost time: the seat was silent 40 s during reading; by vaditajs', 'zaudētais laiks: kandidāta dators klusēja 40 s daļā „Lasīšana”; rīkojumu deva vaditajs'],
  ])('%s', (stored, latvian) => {
    expect(reasonInLatvian(stored, words)).toBe(latvian);
  });

  it('shows a reason it does not know as written: a person typed it', () => {
    expect(reasonInLatvian('Atgūts sastingšanas laiks', words)).toBe('Atgūts sastingšanas laiks');
    expect(reasonInLatvian('station restart was mentioned by someone', words)).toBe('station restart was mentioned by someone');
  });

  it('names each accommodation code in Latvian and keeps the rest of the roster text as written', () => {
    expect(accommodationLabelsLv('extra-time-25; large-print, separate-room; ar asistentu')).toEqual(['papildlaiks 25 %', 'liels šrifts', 'atsevišķa telpa', 'ar asistentu']);
    expect(accommodationLabelsLv(null)).toEqual([]);
  });
});

/** A hub with its desk, its moves and its seal attached to its station, as src-main/host/room.ts attaches them. */
async function protocolHub() {
  const { station, hub } = await hubStation();
  station.service.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE, MOVED] });
  const seal = new RoomSeal({ db: station.service.db, hub, identity: loadOrCreateDeviceIdentity(tempDir('hub-identity-')), onSealed: (id) => station.service.noteSessionSealed(id), settleMs: 5 });
  const desk = new RoomDesk(hub, station.service.db);
  const none = () => {
    throw new Error('not in these tests');
  };
  station.service.attachRoom({ status: none, openPairing: none, closePairing: none, revokeSeat: none, pairWithHub: async () => none(), discoveredHubs: none, issueCommand: (input) => hub.issue(input), desk, moveCandidate: (input) => hub.moves.move(input), seal });
  return { station, hub, desk };
}

/** A seat's link carrying out commands on its station; `report`: what its heartbeat says (the production seat's by default). */
function linkSeat(hub: Awaited<ReturnType<typeof protocolHub>>['hub'], service: StationService, report?: () => SeatReport): { link: SeatLink; pair: LinkPair } {
  const link = new SeatLink({
    db: service.db,
    outbox: service.outbox,
    report:
      report ??
      (() => {
        const [open] = service.roomAttempts();
        return { ...REPORT, attempt: open ? { attemptId: open.attemptId, candidateId: open.candidateId, partId: null, itemId: null, remainingMs: null, screen: 'part' } : null };
      }),
    apply: applyOnStation(service),
    heartbeatMs: 50,
  });
  cleanups.push(() => link.stop());
  const pair = linkPair();
  hub.attach(service.deviceId, pair.hub);
  link.connect(pair.seat);
  return { link, pair };
}

describe('the protocol of a room that went through the system’s own reasons', () => {
  it('is Latvian throughout; the old seat’s restart credit after the move is one marked line, not extra time, and not on the time ledger', async () => {
    const { station, hub, desk } = await protocolHub();
    const { service, staffToken } = station;

    // Seat 4C: Jānis with his registered 25 % extra time, given at the start of the reading.
    const old = await openTestStation({ role: 'seat' });
    old.service.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE, MOVED] });
    const cand = seatOf(await old.service.openAttempt({ staffToken: old.staffToken, candidateId: MOVED.candidateId, packageId: old.built.manifest.packageId }));
    old.service.roomStart({ candidateId: null, at: Date.now() });
    await old.service.recordTimerEvent({ ...cand, partId: 'reading', kind: 'start' });
    const oldLink = linkSeat(hub, old.service);

    // The key, released by two people.
    await service.createStaffAccount({ staffToken, username: 'ilze.ozola', displayName: 'Ilze Ozola', roles: ['invigilator'], password: 'Vienreizeja-Parole-7' });
    const { staffToken: once } = await service.staffSignIn({ username: 'ilze.ozola', password: 'Vienreizeja-Parole-7' }, SECOND_DESK);
    await service.changeOwnPassword({ staffToken: once, currentPassword: 'Vienreizeja-Parole-7', newPassword: 'Otra-Parole-2026' }, SECOND_DESK);
    const { staffToken: second } = await service.staffSignIn({ username: 'ilze.ozola', password: 'Otra-Parole-2026' }, SECOND_DESK);
    await service.setTwoPersonRelease({ staffToken, sessionId: SESSION, required: true });
    await service.releaseKey({ staffToken, packageId: station.built.manifest.packageId, sessionId: SESSION });
    await expect(service.releaseKey({ staffToken: second, packageId: station.built.manifest.packageId, sessionId: SESSION }, SECOND_DESK)).resolves.toMatchObject({ state: 'released' });

    // A pause with the invigilator's reason, and the resume.
    const target = { kind: 'candidate' as const, candidateId: MOVED.candidateId };
    const pause = await service.roomCommand({ staffToken, action: 'pause', target, reason: 'Ugunsdzēsības trauksme' });
    await until('paused at 4C', () => hub.commands.outcomes(pause.cmdId).length === 1);
    const resume = await service.roomCommand({ staffToken, action: 'resume', target });
    await until('resumed at 4C', () => hub.commands.outcomes(resume.cmdId).length === 1);
    await until('4C all at the hub', () => oldLink.link.status().backlogEvents === 0 && atHub(station, old.service.deviceId).length === old.service.outbox.lastSeq());

    // 4C drops off; Jānis is moved to a spare seat whose clock says the move came 30 s later.
    oldLink.pair.cut();
    await until('the hub to see 4C gone', () => hub.seat(old.service.deviceId)?.link === null);
    const spare = await spareSeat(old, () => new Date(Date.now() + 30_000));
    connectSpare(hub, spare);
    await until('the spare greeted', () => spare.link.status().connected);
    await service.moveCandidate({ staffToken, candidateId: MOVED.candidateId, toDeviceId: spare.service.deviceId, reason: 'dators sastinga' });
    await until('the hand-over taken', () => hub.moves.view()[0]?.status === 'applied');
    const there = seatOf(await spare.service.openAttempt({ staffToken: spare.staffToken, candidateId: MOVED.candidateId, packageId: old.built.manifest.packageId }));
    expect((await spare.service.getTimer({ ...there, partId: 'reading' })).status).toBe('running');
    // The ledger reads a seat's credits through the attempt its heartbeat names: wait for both.
    await until('the spare seat all at the hub, its heartbeat naming the attempt', () => spare.link.status().backlogEvents === 0 && hub.seat(spare.service.deviceId)?.state?.attempt?.attemptId === there.attemptId);

    // 4C was down meanwhile: it starts again 111 s later, credits its attempt the time it was down (it
    // does not know of the move yet), then hears of the move. Its heartbeat still names the attempt, as
    // it does until it has carried out the move-out.
    oldLink.link.stop();
    old.service.close({ clean: false });
    const restarted = old.reopen({ now: () => new Date(Date.now() + 111_000) });
    const stale: SeatReport = { ...REPORT, attempt: { attemptId: cand.attemptId, candidateId: MOVED.candidateId, partId: 'reading', itemId: null, remainingMs: null, screen: 'part' } };
    const back = linkSeat(hub, restarted, () => stale);
    cleanups.push(() => restarted.close());
    await until('the restart credit at the hub, flagged late', () => hub.moves.lateEvents(hub.moves.view()[0]!.moveId).some((e) => e.kind === 'timer.event'));
    await until('4C caught up', () => back.link.status().backlogEvents === 0 && hub.seat(restarted.deviceId)?.state?.attempt?.attemptId === cand.attemptId);

    // The console's time ledger: the spare seat's credit for the move is there, the old seat's restart credit is not.
    const ledger = desk.ledger().filter((e) => e.candidateId === MOVED.candidateId);
    expect(ledger.map((e) => [e.source, e.reason.replace(/\d+ s/, 'N s')])).toEqual([['seat', "moved to another seat: N s from the old seat's last sign of life to the hand-over"]]);

    const file = await service.getRoomProtocol({ staffToken, sessionId: SESSION });
    const path = join(tempDir('protocol-'), file.fileName);
    writeFileSync(path, file.data);
    const flat = execFileSync('pdftotext', ['-raw', '-enc', 'UTF-8', path, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    for (const english of ['station restart', 'lost while', 'seat interrupted', 'moved to another seat', 'the moved candidate', 'registered accommodation', 'extra-time-', 'two-person release', '; by ', 'lost time', 'moved from seat', 'arrived after the move', 'checked in at']) {
      expect(flat, english).not.toContain(english);
    }
    // Parts by their titles, never their ids.
    expect(flat).not.toMatch(/\breading\b/);
    expect(flat).toContain('Jānis Kalniņš: Lasīšana — pauze — Ugunsdzēsības trauksme; rīkojumu deva test.chief');
    expect(flat).toContain('Jānis Kalniņš: Lasīšana — daļa turpināta pēc pauzes — rīkojumu deva test.chief');
    expect(flat).toContain('Eksāmena atslēga izsniegta: visa telpa ilze.ozola divu personu apstiprinājums: test.chief, ilze.ozola');
    expect(flat).toContain('reģistrēts pielāgojums: papildlaiks 25 % (ĀA-2026/117, 2026-10-01)');
    expect(flat).toMatch(/Jānis Kalniņš 01\*{4}-\*{3}06 ieradās papildlaiks 25 %/);
    expect(flat).toMatch(/Lasīšana atgūtais laiks \d+ s pārsēdināts pie cita datora: \d+ s no vecā datora pēdējās dzīvības zīmes līdz darba nodošanai/);
    expect(flat).toContain('pārsēdināts pie cita datora: pauze, līdz kandidāts ir pie šī datora');
    expect(flat).toContain('pārsēdinātais kandidāts ir pie šī datora');
    expect(flat).toContain(`pārsēdināts no datora ${old.service.deviceId.slice(0, 8)} pie datora ${spare.service.deviceId.slice(0, 8)}`);
    // Who sat where: the spare seat too, from the move.
    expect(flat).toContain(`Jānis Kalniņš no vietas ${old.service.deviceId.slice(0, 8)} uz vietu ${spare.service.deviceId.slice(0, 8)}`);
    // The restart credit sent after the move is not extra time given: only the marked line counts it.
    expect(flat).not.toContain('dators restartēts');
    expect(flat).toContain(`Pēc pārsēdināšanas saņemts no vecā datora ${old.service.deviceId.slice(0, 8)}, nav ņemts vērā: Jānis Kalniņš (ierakstu skaits: 1; tajos atgūtais laiks 2 min).`);
  }, 30_000);
});
