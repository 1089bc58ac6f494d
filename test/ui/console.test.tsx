// @vitest-environment jsdom
// The invigilator's console on a hub: sign in as a named person; the room at a glance, seats that need
// attention first and counted, "only those" on request; "add seats" shows the one-time code with its
// time left and a paused pairing says why; unpairing a seat asks first. Against an in-memory hub.
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConsoleApp } from '../../src-renderer/console/ConsoleApp.tsx';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import type { RoomStatus, StationInput, StationOutput } from '../../src-shared/contracts/station-api.ts';
import { StationError } from '../../src-shared/errors.ts';
import { deviceIdFromHash } from '../../src-shared/rules/device-id.ts';
import { FakeStation, PACKAGE_ID, STAFF } from './fake-station.ts';

type HubSeat = NonNullable<RoomStatus['hub']>['seats'][number];

const state = (candidateId: string, events = 0) => ({
  attempt: { attemptId: '6f2b6c1e-8d7a-4f3b-9c2d-1a2b3c4d5e6f', candidateId, partId: 'reading', itemId: null, remainingMs: 754_000, screen: 'part' as const },
  backlog: { events, oldestAgeMs: events ? 12_000 : null, audioBytes: 0 },
  recording: null,
  battery: null,
  diskFreeBytes: null,
  appVersion: '0.1.0',
  clockOffsetMs: 0,
  alarm: null,
});
const seat = (label: string, more: Partial<HubSeat> = {}): HubSeat => ({
  deviceId: `DEVICE-${label}`,
  label,
  revoked: false,
  presence: 'connected',
  connected: true,
  lastSeenAt: Date.now(),
  ackedSeq: 10,
  alarm: null,
  state: state(`C-${label}`),
  ...more,
});

/** A hub: its room and its pairing, as getRoom and the pairing methods answer them. */
class FakeHub extends FakeStation {
  seats: HubSeat[] = [seat('1A'), seat('1B', { presence: 'missing', connected: false }), seat('2A', { state: state('C-2A', 7) })];
  pairing: NonNullable<RoomStatus['hub']>['pairing'] = { state: 'closed', code: null, expiresAt: null, consecutiveFailures: 0 };
  revoked: string[] = [];
  requests: NonNullable<NonNullable<RoomStatus['hub']>['requests']> = [];
  decided: StationInput<'decideSeatRequest'>[] = [];
  override async getRoom(): Promise<StationOutput<'getRoom'>> {
    return { role: 'hub', notice: null, hub: { address: { host: '10.0.0.5', port: 47300 }, pairing: this.pairing, seats: this.seats, requests: this.requests }, seat: null };
  }
  override async decideSeatRequest(input?: StationInput<'decideSeatRequest'>): Promise<StationOutput<'decideSeatRequest'>> {
    if (!input) throw new StationError('VALIDATION_FAILED', 'no request named');
    const request = this.requests.find((r) => r.deviceId === input.deviceId && r.decision === null);
    if (!request) throw new StationError('NOT_FOUND', input.deviceId);
    this.decided.push(input);
    request.decision = input.decision === 'accept' ? 'accepted' : 'refused';
    return { ok: true };
  }
  override async getRoomControls(): Promise<StationOutput<'getRoomControls'>> {
    return { twoPersonSessions: [], keyReleases: [], hands: [], lostTime: [], ledger: [], commands: [], partTitles: {} };
  }
  override async openPairing(): Promise<StationOutput<'openPairing'>> {
    const expiresAt = new Date(Date.now() + 120_000).toISOString();
    this.pairing = { state: 'open', code: '48151623', expiresAt, consecutiveFailures: 0 };
    return { code: '48151623', expiresAt };
  }
  override async closePairing(): Promise<StationOutput<'closePairing'>> {
    this.pairing = { state: 'closed', code: null, expiresAt: null, consecutiveFailures: 0 };
    return { ok: true };
  }
  override async revokeSeat(input?: StationInput<'revokeSeat'>): Promise<StationOutput<'revokeSeat'>> {
    if (!input) throw new StationError('VALIDATION_FAILED', 'no seat named');
    const found = this.seats.find((s) => s.deviceId === input.deviceId);
    if (!found) throw new StationError('NOT_FOUND', input.deviceId);
    this.revoked.push(input.deviceId);
    found.revoked = true;
    return { ok: true };
  }
}

async function signedIn(hub: FakeHub) {
  render(<ConsoleApp station={hub} />);
  fireEvent.change(await screen.findByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
  fireEvent.change(screen.getByLabelText('Parole'), { target: { value: STAFF.password } });
  fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
  await screen.findByRole('heading', { name: 'Telpa', level: 1 });
}

beforeEach(() => settingsStore.getState().setLang('lv'));
afterEach(() => cleanup());

describe('the console', () => {
  test('refuses a wrong password in both languages and signs in the named person', async () => {
    const hub = new FakeHub();
    render(<ConsoleApp station={hub} />);
    expect(screen.getByTestId('app-name').textContent).toBe('Telpas dators');
    fireEvent.change(await screen.findByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
    fireEvent.change(screen.getByLabelText('Parole'), { target: { value: 'nepareiza' } });
    fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toMatch(/parol/i);
    expect(alert.querySelector('[lang="en"]')?.textContent).toMatch(/password/i);
    fireEvent.change(screen.getByLabelText('Parole'), { target: { value: STAFF.password } });
    fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
    expect(await screen.findByRole('heading', { name: 'Telpa', level: 1 })).toBeTruthy();
  });

  test('lists every seat with its state, counts those that need attention and can show only them', async () => {
    await signedIn(new FakeHub());
    const rows = await screen.findAllByTestId('seat-row');
    // Those that need attention first (not heard from; work not yet at the hub), then the rest.
    expect(rows.map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['1B', '2A', '1A']);
    expect(within(rows[0]!).getByText('Nav sakaru (15 s)')).toBeTruthy();
    expect(within(rows[1]!).getByText('7 notikumi, vecākais 12 s')).toBeTruthy();
    expect(within(rows[2]!).getByText('12:34')).toBeTruthy();
    expect(screen.getByTestId('room-summary').textContent).toBe('2 datoriem vajadzīga uzmanība (saraksta sākumā).');
    fireEvent.click(screen.getByLabelText('Rādīt tikai datorus, kam vajadzīga uzmanība'));
    expect(screen.getAllByTestId('seat-row').map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['1B', '2A']);
  });

  test('shows the pairing code with its time left, and says when pairing paused after wrong codes', async () => {
    const hub = new FakeHub();
    await signedIn(hub);
    fireEvent.click(await screen.findByRole('button', { name: 'Rādīt pievienošanas kodu' }));
    expect((await screen.findByTestId('pairing-code')).textContent).toBe('4815 1623');
    expect(screen.getByText(/Kods derīgs vēl [12]:\d\d/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Beigt pievienošanu' }));
    await act(async () => new Promise((r) => setTimeout(r, 10)));
    expect(screen.queryByTestId('pairing-code')).toBeNull();
    hub.pairing = { state: 'paused', code: null, expiresAt: null, consecutiveFailures: 5 };
    await act(async () => new Promise((r) => setTimeout(r, 2100)));
    expect(screen.getByRole('alert').textContent).toContain('Pievienošana apturēta pēc 5 kļūdainām ievadēm');
  });

  test("says for each seat whether the hub's package is on it yet, and shows the hub's device id where seats are added", async () => {
    const hub = new FakeHub();
    const hubId = deviceIdFromHash(new Uint8Array(32).fill(3));
    hub.getStatus = async () => ({ deviceId: hubId, role: 'hub', appVersion: 'test', schemaVersion: 0, lastSeq: 0, staffSetUp: true });
    hub.seats = [seat('1A', { state: { ...state('C-1A'), packages: [PACKAGE_ID] } }), seat('1B', { state: { ...state('C-1B'), packages: [] } })];
    await signedIn(hub);
    const row = async (label: string) => (await screen.findAllByTestId('seat-row')).find((r) => within(r).getByRole('rowheader').textContent === label)!;
    expect(within(await row('1A')).getByTestId('packages-on-seat').textContent).toBe('jā');
    expect(within(await row('1B')).getByTestId('packages-on-seat').textContent).toBe('nē (0 no 1)');
    expect(screen.getByRole('columnheader', { name: 'Pakete datorā' })).toBeTruthy();
    expect((await screen.findByTestId('hub-device-id')).textContent).toContain(`${hubId.slice(0, 4)}-${hubId.slice(4, 8)}`);
  });

  test('shows the next code as soon as a seat has used the one on screen', async () => {
    const hub = new FakeHub();
    await signedIn(hub);
    fireEvent.click(await screen.findByRole('button', { name: 'Rādīt pievienošanas kodu' }));
    expect((await screen.findByTestId('pairing-code')).textContent).toBe('4815 1623');
    // A seat paired with it: the hub made the next code, and the room view carries it.
    hub.pairing = { ...hub.pairing, code: '90210337' };
    await act(async () => new Promise((r) => setTimeout(r, 2100)));
    expect(screen.getByTestId('pairing-code').textContent).toBe('9021 0337');
  });

  test("lists a seat asking to rejoin a hub that lost its database, with its id and label, and accepts or refuses it", async () => {
    const hub = new FakeHub();
    const rejoinId = deviceIdFromHash(new Uint8Array(32).fill(7));
    const otherId = deviceIdFromHash(new Uint8Array(32).fill(9));
    hub.requests = [
      { deviceId: rejoinId, label: '3C', kind: 'rejoin', address: '10.0.0.23:51234', requestedAt: new Date().toISOString(), decision: null },
      { deviceId: otherId, label: '3D', kind: 'rejoin', address: '10.0.0.24:51234', requestedAt: new Date().toISOString(), decision: null },
    ];
    await signedIn(hub);
    expect((await screen.findByRole('heading', { name: 'Datori, kas lūdz pievienoties (2)' })).textContent).toBeTruthy();
    const [first, second] = screen.getAllByTestId('seat-request');
    expect(first!.textContent).toContain('3C');
    expect(first!.textContent).toContain(`${rejoinId.slice(0, 4)}-${rejoinId.slice(4, 8)}`);
    expect(first!.textContent).toContain('pievienojas no jauna: telpas dators to vairs nepazina');
    fireEvent.click(within(first!).getByRole('button', { name: 'Pieņemt' }));
    await act(async () => new Promise((r) => setTimeout(r, 10)));
    fireEvent.click(within(second!).getByRole('button', { name: 'Noraidīt' }));
    await act(async () => new Promise((r) => setTimeout(r, 10)));
    expect(hub.decided.map((d) => [d.deviceId, d.decision])).toEqual([
      [rejoinId, 'accept'],
      [otherId, 'refuse'],
    ]);
    // The accepted one leaves the list; the refused one stays, as refused.
    expect(screen.queryAllByTestId('seat-request')).toEqual([]);
    expect(screen.getByTestId('seat-request-refused').textContent).toContain('3D');
    expect(screen.getByTestId('seat-request-refused').textContent).toContain('noraidīts');
  });

  test('asks before unpairing a seat, and unpairs only on yes', async () => {
    const hub = new FakeHub();
    await signedIn(hub);
    const first = (await screen.findAllByTestId('seat-row')).find((r) => within(r).getByRole('rowheader').textContent === '1A')!;
    fireEvent.click(within(first).getByRole('button', { name: 'Atvienot' }));
    const dialog = await screen.findByRole('alertdialog');
    expect(dialog.textContent).toContain('Atvienot kandidāta datoru 1A?');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Atcelt' }));
    expect(hub.revoked).toEqual([]);
    fireEvent.click(within(screen.getAllByTestId('seat-row').find((r) => within(r).getByRole('rowheader').textContent === '1A')!).getByRole('button', { name: 'Atvienot' }));
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Atvienot' }));
    await act(async () => new Promise((r) => setTimeout(r, 10)));
    expect(hub.revoked).toEqual(['DEVICE-1A']);
  });
});
