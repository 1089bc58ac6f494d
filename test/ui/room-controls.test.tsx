// @vitest-environment jsdom
// The console's room controls and incidents (RoomControls.tsx, Incidents.tsx) against an in-memory hub:
// the key release with two people (who started it and until when, and a lapse said as such); the room's
// start and one late candidate's own; pause, lock, a message to one seat or all; extra time only with
// grounds and a reason; a raised hand next to its seat, problems first, until "seen"; a lost-time
// proposal credited with one click and the ledger; incidents for a seat and the removal of a candidate.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConsoleApp } from '../../src-renderer/console/ConsoleApp.tsx';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import type { IssuedCommandView, KeyReleaseView, RoomControlsView, RoomStatus, StationInput, StationOutput } from '../../src-shared/contracts/station-api.ts';
import { FakeStation, PACKAGE_ID, STAFF } from './fake-station.ts';

type HubSeat = NonNullable<RoomStatus['hub']>['seats'][number];
type HubState = NonNullable<HubSeat['state']>;

const SESSION = 'S-UI-1';
const state = (candidateId: string, more: Partial<HubState> = {}, started = true): HubState => ({
  attempt: { attemptId: '6f2b6c1e-8d7a-4f3b-9c2d-1a2b3c4d5e6f', candidateId, partId: 'p-l', itemId: null, remainingMs: 500_000, screen: 'part', started },
  backlog: { events: 0, oldestAgeMs: null, audioBytes: 0 },
  recording: null,
  battery: null,
  diskFreeBytes: null,
  appVersion: '0.1.0',
  clockOffsetMs: 0,
  alarm: null,
  ...more,
});
const seat = (label: string, s: HubState): HubSeat => ({ deviceId: `DEVICE-${label}`, label, revoked: false, presence: 'connected', connected: true, lastSeenAt: Date.now(), ackedSeq: 3, alarm: null, state: s });
const HAND_AT = Date.parse('2026-12-02T09:41:00');

const command = (type: string, target: IssuedCommandView['target']): IssuedCommandView => ({ cmdId: '11111111-2222-4333-8444-555555555555', type, target, issuedBy: STAFF.username, issuedAt: Date.now(), reason: null, applied: 0, refused: [] });

/** A hub with three seats: 1A working, 2A with a raised hand, 3A whose candidate came after the start. */
class FakeControlHub extends FakeStation {
  seats: HubSeat[] = [seat('1A', state('C-1A')), seat('2A', state('C-2A', { hand: { reason: 'technical', at: HAND_AT } })), seat('3A', state('C-3A', {}, false))];
  controls: RoomControlsView = { twoPersonSessions: [SESSION], keyReleases: [], hands: [{ deviceId: 'DEVICE-2A', candidateId: 'C-2A', reason: 'technical', at: HAND_AT }], lostTime: [], ledger: [], commands: [], partTitles: {} };
  calls: [string, unknown][] = [];
  private note(method: string, input: unknown): void {
    const { staffToken: _t, ...rest } = input as Record<string, unknown>;
    this.calls.push([method, rest]);
  }
  override async getRoom(): Promise<StationOutput<'getRoom'>> {
    return { role: 'hub', notice: null, hub: { address: { host: '10.0.0.5', port: 47300 }, pairing: { state: 'closed', code: null, expiresAt: null, consecutiveFailures: 0 }, seats: this.seats }, seat: null };
  }
  override async getRoomControls(): Promise<StationOutput<'getRoomControls'>> {
    return structuredClone(this.controls);
  }
  override async listPackages(): Promise<StationOutput<'listPackages'>> {
    return (await super.listPackages()).map((p) => ({ ...p, unlocked: true }));
  }
  override async listCandidates(): Promise<StationOutput<'listCandidates'>> {
    return ['C-1A', 'C-2A', 'C-3A'].map((candidateId) => ({ candidateId, sessionId: SESSION, givenName: 'Anna', familyName: `Kandidāte ${candidateId}`, maskedPersonalCode: '150785-*****', level: 'A2', attendance: 'present', accommodation: null }));
  }
  override async setTwoPersonRelease(input?: StationInput<'setTwoPersonRelease'>): Promise<StationOutput<'setTwoPersonRelease'>> {
    this.note('setTwoPersonRelease', input);
    this.controls.twoPersonSessions = input!.required ? [SESSION] : [];
    return { sessionId: SESSION, required: input!.required };
  }
  override async releaseKey(input?: StationInput<'releaseKey'>): Promise<StationOutput<'releaseKey'>> {
    this.note('releaseKey', input);
    const release: KeyReleaseView = { packageId: input!.packageId, sessionId: input!.sessionId, state: 'awaiting-second', startedBy: STAFF.username, startedAt: Date.parse('2026-12-02T09:00:00'), expiresAt: Date.parse('2026-12-02T09:02:00'), confirmedBy: null, command: null };
    this.controls.keyReleases = [release];
    return release;
  }
  override async roomCommand(input?: StationInput<'roomCommand'>): Promise<StationOutput<'roomCommand'>> {
    this.note('roomCommand', input);
    return command(input!.action, { kind: 'room' });
  }
  override async acknowledgeHand(input?: StationInput<'acknowledgeHand'>): Promise<StationOutput<'acknowledgeHand'>> {
    this.note('acknowledgeHand', input);
    this.controls.hands = [];
    return command('hand-ack', { kind: 'seat', deviceId: input!.deviceId });
  }
  override async settleLostTime(input?: StationInput<'settleLostTime'>): Promise<StationOutput<'settleLostTime'>> {
    this.note('settleLostTime', input);
    const proposal = this.controls.lostTime[0]!;
    this.controls.lostTime = [];
    this.controls.ledger = [{ source: 'hub', cmdId: '11111111-2222-4333-8444-555555555555', candidateId: proposal.candidateId, grounds: 'lost-time', amountMs: proposal.amountMs, reason: proposal.reason, issuedBy: STAFF.username, issuedAt: Date.parse('2026-12-02T09:45:00'), applied: true }];
    return { command: command('extend', { kind: 'candidate', candidateId: proposal.candidateId }) };
  }
  override async recordRoomIncident(input?: StationInput<'recordRoomIncident'>): Promise<StationOutput<'recordRoomIncident'>> {
    this.note('recordRoomIncident', input);
    return { incidentId: '7d1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5c', at: new Date().toISOString() };
  }
  override async removeCandidate(input?: StationInput<'removeCandidate'>): Promise<StationOutput<'removeCandidate'>> {
    this.note('removeCandidate', input);
    return { incidentId: '7d1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5c', at: new Date().toISOString(), command: null };
  }
}

async function signedIn(hub: FakeControlHub) {
  render(<ConsoleApp station={hub} />);
  fireEvent.change(await screen.findByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
  fireEvent.change(screen.getByLabelText('Parole'), { target: { value: STAFF.password } });
  fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
  await screen.findByRole('heading', { name: 'Paketes atslēgas izsniegšana' });
}

const settle = () => act(async () => new Promise((r) => setTimeout(r, 20)));
const section = (name: string) => screen.getByRole('heading', { name }).closest('section')!;

beforeEach(() => settingsStore.getState().setLang('lv'));
afterEach(() => cleanup());

describe('the room controls on the console', () => {
  test('two-person key release: who started it and until when, the button to confirm, and a lapse said as such', async () => {
    const hub = new FakeControlHub();
    await signedIn(hub);
    const keys = section('Paketes atslēgas izsniegšana');
    await settle();
    expect(within(keys).getByLabelText<HTMLInputElement>(/Atslēgu izsniedz divi darbinieki/).checked).toBe(true);
    fireEvent.click(within(keys).getByRole('button', { name: 'Izsniegt atslēgu' }));
    await settle();
    expect(hub.calls).toEqual([['releaseKey', { packageId: PACKAGE_ID, sessionId: SESSION }]]);
    expect(within(keys).getByTestId('key-awaiting').textContent).toMatch(/^Izsniegšanu sāka vaditajs\. Otram darbiniekam ar savu kontu tā jāapstiprina līdz \d\d:\d\d\.$/);
    expect(within(keys).getByRole('button', { name: 'Apstiprināt izsniegšanu' })).toBeTruthy();
    hub.controls.keyReleases = [{ ...hub.controls.keyReleases[0]!, state: 'lapsed' }];
    await act(async () => new Promise((r) => setTimeout(r, 2100)));
    expect(within(keys).getByTestId('key-lapsed').textContent).toContain('netika apstiprināta 2 minūšu laikā un ir atcelta');
    expect(within(keys).getByRole('button', { name: 'Izsniegt atslēgu' })).toBeTruthy();
  });

  test("a package still locked at the hub: its key is typed once there, and only then can it be released", async () => {
    const hub = new FakeControlHub();
    let unlocked = false;
    hub.listPackages = async () => (await FakeStation.prototype.listPackages.call(hub)).map((p) => ({ ...p, unlocked }));
    Object.assign(hub, { unlockPackage: async (input: StationInput<'unlockPackage'>) => {
      hub.calls.push(['unlockPackage', { packageId: input.packageId, key: input.key }]);
      unlocked = true;
      return { ...(await FakeStation.prototype.listPackages.call(hub))[0]!, unlocked: true };
    } });
    await signedIn(hub);
    const keys = section('Paketes atslēgas izsniegšana');
    await settle();
    const release = within(keys).getByRole<HTMLButtonElement>('button', { name: 'Izsniegt atslēgu' });
    expect(release.disabled).toBe(true);
    const unlock = within(keys).getByRole<HTMLButtonElement>('button', { name: 'Atslēgt paketi telpas datorā' });
    expect(unlock.disabled).toBe(true);
    fireEvent.change(within(keys).getByLabelText('Paketes atslēga'), { target: { value: '  AAAA-BBBB-CCCC  ' } });
    fireEvent.click(unlock);
    await settle();
    expect(hub.calls).toEqual([['unlockPackage', { packageId: PACKAGE_ID, key: 'AAAA-BBBB-CCCC' }]]);
    expect(within(keys).queryByLabelText('Paketes atslēga')).toBeNull();
    expect(within(keys).getByRole<HTMLButtonElement>('button', { name: 'Izsniegt atslēgu' }).disabled).toBe(false);
  });

  test('starts the room, and one candidate who came after the start; pauses one, locks a seat, sends a message to one seat or all', async () => {
    const hub = new FakeControlHub();
    await signedIn(hub);
    fireEvent.click(within(section('Visa telpa')).getByRole('button', { name: 'Sākt pārbaudījumu telpā' }));
    const one = section('Viens kandidāta dators');
    fireEvent.change(within(one).getByTestId('seat-choice'), { target: { value: 'DEVICE-3A' } });
    expect(within(one).getByText('Kandidātam C-3A pārbaudījums vēl nav sākts.')).toBeTruthy();
    fireEvent.click(within(one).getByRole('button', { name: 'Sākt šim kandidātam' }));
    await settle();
    fireEvent.click(within(one).getByRole('button', { name: 'Pauzēt' }));
    await settle();
    fireEvent.click(within(one).getByRole('button', { name: 'Bloķēt datoru' }));
    await settle();
    fireEvent.change(within(one).getByLabelText('Ziņas teksts'), { target: { value: 'Lūdzu, pārbaudiet austiņas.' } });
    fireEvent.click(within(one).getByRole('button', { name: 'Sūtīt ziņu' }));
    await settle();
    fireEvent.click(within(one).getByLabelText('Visiem kandidātu datoriem'));
    fireEvent.click(within(one).getByRole('button', { name: 'Sūtīt ziņu' }));
    await settle();
    expect(hub.calls.map(([, input]) => input)).toEqual([
      { action: 'start', target: { kind: 'room' } },
      { action: 'start', target: { kind: 'candidate', candidateId: 'C-3A' } },
      { action: 'pause', target: { kind: 'candidate', candidateId: 'C-3A' } },
      { action: 'lock', deviceId: 'DEVICE-3A' },
      { action: 'message', target: { kind: 'seat', deviceId: 'DEVICE-3A' }, text: 'Lūdzu, pārbaudiet austiņas.' },
      { action: 'message', target: { kind: 'room' }, text: 'Lūdzu, pārbaudiet austiņas.' },
    ]);
  });

  test('gives extra time only with its grounds and a reason', async () => {
    const hub = new FakeControlHub();
    await signedIn(hub);
    const one = section('Viens kandidāta dators');
    fireEvent.change(within(one).getByTestId('seat-choice'), { target: { value: 'DEVICE-1A' } });
    const give = within(one).getByRole<HTMLButtonElement>('button', { name: 'Piešķirt papildlaiku' });
    fireEvent.change(within(one).getByLabelText('Minūtes'), { target: { value: '5' } });
    expect(give.disabled).toBe(true);
    fireEvent.change(within(one).getByLabelText('Pamats'), { target: { value: 'incident' } });
    expect(give.disabled).toBe(true);
    fireEvent.change(within(one).getByLabelText('Iemesls'), { target: { value: 'Trauksme telpā' } });
    expect(give.disabled).toBe(false);
    fireEvent.click(give);
    await settle();
    expect(hub.calls).toEqual([['roomCommand', { action: 'extend', candidateId: 'C-1A', amountMs: 300_000, grounds: 'incident', reason: 'Trauksme telpā' }]]);
  });

  test('shows a raised hand next to its seat, among the problems first, until an invigilator says it is seen', async () => {
    const hub = new FakeControlHub();
    await signedIn(hub);
    const rows = await screen.findAllByTestId('seat-row');
    expect(within(rows[0]!).getByRole('rowheader').textContent).toBe('2A');
    expect(within(rows[0]!).getByTestId('raised-hand').textContent).toContain('Pacelta roka: problēma ar datoru vai austiņām');
    const hands = section('1 pacelta roka');
    fireEvent.click(within(hands).getByRole('button', { name: 'Redzēts' }));
    await settle();
    expect(hub.calls).toEqual([['acknowledgeHand', { deviceId: 'DEVICE-2A' }]]);
    expect(screen.queryByRole('heading', { name: '1 pacelta roka' })).toBeNull();
  });

  test('credits a lost-time proposal with one click and keeps it in the ledger: who, when, how much, why (the system’s reason in Latvian)', async () => {
    const hub = new FakeControlHub();
    hub.controls.partTitles = { 'p-l': 'Klausīšanās' };
    hub.controls.lostTime = [{ proposalId: '22222222-3333-4444-8555-666666666666', deviceId: 'DEVICE-1A', candidateId: 'C-1A', partId: 'p-l', from: Date.parse('2026-12-02T09:40:00'), to: Date.parse('2026-12-02T09:40:40'), amountMs: 38_000, reason: 'lost time: the seat was silent 40 s during p-l' }];
    await signedIn(hub);
    const lost = section('Zaudētais laiks');
    expect(within(lost).getByText(/1A, C-1A, daļa Klausīšanās: dators nebija sasniedzams no 09:40 līdz 09:40; ierosināts pieskaitīt 0:38\./)).toBeTruthy();
    fireEvent.click(within(lost).getByRole('button', { name: 'Pieskaitīt 0:38' }));
    await settle();
    expect(hub.calls).toEqual([['settleLostTime', { proposalId: '22222222-3333-4444-8555-666666666666', confirm: true }]]);
    const row = within(screen.getByTestId('ledger')).getAllByRole('row')[1]!;
    expect([...row.querySelectorAll('th,td')].map((c) => c.textContent)).toEqual(['C-1A', '09:45', '+0:38', 'Kļūmē zaudētais laiks', 'zaudētais laiks: kandidāta dators klusēja 40 s daļā „Klausīšanās”', STAFF.username]);
  });

  test('records an incident for a seat in the taxonomy, and removes a candidate only after asking', async () => {
    const hub = new FakeControlHub();
    await signedIn(hub);
    const incidents = section('Incidenti');
    fireEvent.change(within(incidents).getByLabelText('Veids'), { target: { value: 'technical-freezing' } });
    fireEvent.click(within(incidents).getByLabelText('Kandidāta dators'));
    fireEvent.change(within(incidents).getByTestId('incident-which'), { target: { value: 'DEVICE-2A' } });
    fireEvent.change(within(incidents).getByLabelText('Kas notika'), { target: { value: 'Ekrāns sastinga uz 30 s.' } });
    fireEvent.click(within(incidents).getByRole('button', { name: 'Reģistrēt incidentu' }));
    await settle();
    expect(within(incidents).getByRole('status').textContent).toBe('Incidents reģistrēts.');
    fireEvent.click(within(incidents).getByLabelText('Kandidāts'));
    fireEvent.change(within(incidents).getByTestId('incident-which'), { target: { value: 'C-3A' } });
    fireEvent.change(within(incidents).getByLabelText('Kas notika'), { target: { value: 'Lietoja tālruni.' } });
    fireEvent.click(within(incidents).getByRole('button', { name: 'Izraidīt kandidātu' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Izraidīt Anna Kandidāte C-3A (C-3A) no sesijas? Darbs netiks vērtēts (MK 157)');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Izraidīt kandidātu' }));
    await settle();
    expect(hub.calls).toEqual([
      ['recordRoomIncident', { kind: 'technical-freezing', note: 'Ekrāns sastinga uz 30 s.', target: { kind: 'seat', deviceId: 'DEVICE-2A' } }],
      ['removeCandidate', { candidateId: 'C-3A', note: 'Lietoja tālruni.' }],
    ]);
  });
});
