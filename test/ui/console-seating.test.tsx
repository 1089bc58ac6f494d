// @vitest-environment jsdom
// The console's check-in desk and seat plan on a hub: the roster searched by name, masked personal
// code and session; the two checks of a check-in with who and when, present refused before both; late
// after the start; accommodations on the row; a checked-in candidate seated at a free connected seat,
// refusals shown on the seat they concern, "awaiting authorisation" authorised from the console and a
// "No" on the identity screen shown next to its seat. Against the in-memory station.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConsoleApp } from '../../src-renderer/console/ConsoleApp.tsx';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import type { RoomStatus, StationOutput } from '../../src-shared/contracts/station-api.ts';
import type { SeatState } from '../../src-shared/contracts/room-protocol.ts';
import { ERROR_CATALOGUE } from '../../src-shared/errors.ts';
import { FakeStation, STAFF } from './fake-station.ts';

type HubSeat = NonNullable<RoomStatus['hub']>['seats'][number];
type Screen = NonNullable<SeatState['attempt']>['screen'];

const seat = (label: string, more: Partial<HubSeat> = {}): HubSeat => ({
  deviceId: `DEVICE-${label}`,
  label,
  revoked: false,
  presence: 'connected',
  connected: true,
  lastSeenAt: Date.now(),
  ackedSeq: 0,
  alarm: null,
  state: { attempt: null, backlog: { events: 0, oldestAgeMs: null, audioBytes: 0 }, recording: null, battery: null, diskFreeBytes: null, appVersion: '0.1.0', clockOffsetMs: 0, alarm: null },
  ...more,
});

/** A hub with a few seats; a test says what a seat's heartbeat reports of its candidate (report()). */
class FakeRoom extends FakeStation {
  seats: HubSeat[] = [seat('2A'), seat('1A'), seat('1B', { presence: 'missing', connected: false }), seat('1C', { revoked: true })];
  constructor() {
    super();
    this.role = 'hub';
    this.candidate = { ...this.candidate, attendance: 'expected' };
    this.others = [
      { candidateId: 'C-2', sessionId: 'S-B', givenName: 'Jānis', familyName: 'Ozols', maskedPersonalCode: '01****-***49', level: 'B1', attendance: 'expected', accommodation: 'extra-time-25; large-print; separate-room' },
    ];
  }
  override async getRoom(): Promise<StationOutput<'getRoom'>> {
    return { role: 'hub', notice: null, hub: { address: { host: '10.0.0.5', port: 47300 }, pairing: { state: 'closed', code: null, expiresAt: null, consecutiveFailures: 0 }, seats: this.seats }, seat: null };
  }
  report(label: string, candidateId: string, screen: Screen, declineReason?: 'personal-code'): void {
    const found = this.seats.find((s) => s.label === label)!;
    found.state = { ...found.state!, attempt: { attemptId: '6f2b6c1e-8d7a-4f3b-9c2d-1a2b3c4d5e6f', candidateId, partId: null, itemId: null, remainingMs: null, screen, ...(declineReason ? { declineReason } : {}) } };
  }
  checkedIn(candidateId: string): void {
    const done = { by: STAFF.username, at: new Date().toISOString() };
    this.checks.set(candidateId, { idDocument: done, personalCode: done, late: false, checkedInAt: done.at });
    if (candidateId === this.candidate.candidateId) this.candidate = { ...this.candidate, attendance: 'present' };
    else this.others = this.others.map((c) => (c.candidateId === candidateId ? { ...c, attendance: 'present' } : c));
  }
}

const POLL = { timeout: 4000 };

async function signedIn(room: FakeRoom, page: 'Reģistrācija' | 'Sēdvietu plāns') {
  render(<ConsoleApp station={room} />);
  fireEvent.change(await screen.findByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
  fireEvent.change(screen.getByLabelText('Parole'), { target: { value: STAFF.password } });
  fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
  fireEvent.click(await screen.findByRole('button', { name: page }));
  await screen.findByRole('heading', { name: page, level: 1 });
}

const rowOf = (name: string) => screen.getAllByTestId('roster-row').find((r) => within(r).queryByRole('rowheader', { name }))!;
const cardOf = (label: string) => screen.getByRole('listitem', { name: label });

beforeEach(() => settingsStore.getState().setLang('lv'));
afterEach(() => cleanup());

describe('the check-in desk', () => {
  test('searches by name without its marks, by the masked personal code and by session, and shows state and accommodations', async () => {
    const room = new FakeRoom();
    await signedIn(room, 'Reģistrācija');
    await screen.findByRole('rowheader', { name: 'Jānis Ozols' });
    expect(within(rowOf('Jānis Ozols')).getByTestId('accommodations').textContent).toBe('+25 % laikaLiels šriftsAtsevišķa telpa');
    expect(within(rowOf('Anna Bērziņa')).getByText('Gaidāms')).toBeTruthy();
    const search = screen.getByLabelText('Meklēt pēc vārda, personas koda vai sesijas');
    fireEvent.change(search, { target: { value: 'berzina' } });
    expect(screen.getAllByTestId('roster-row').map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['Anna Bērziņa']);
    fireEvent.change(search, { target: { value: '01****-***49' } });
    expect(screen.getAllByTestId('roster-row').map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['Jānis Ozols']);
    fireEvent.change(search, { target: { value: 's-b' } });
    expect(screen.getAllByTestId('roster-row').map((r) => within(r).getByRole('rowheader').textContent)).toEqual(['Jānis Ozols']);
    expect(screen.getByText('Rādīti 1 no 2')).toBeTruthy();
    fireEvent.change(search, { target: { value: 'nav tāda' } });
    expect(screen.getByText('Neviens kandidāts neatbilst meklētajam.')).toBeTruthy();
  });

  test('records each check with who and when, refuses "present" before both in the row, and marks a check-in after the start late; absent too', async () => {
    const room = new FakeRoom();
    await signedIn(room, 'Reģistrācija');
    await screen.findByRole('rowheader', { name: 'Anna Bērziņa' });
    fireEvent.click(within(rowOf('Anna Bērziņa')).getByRole('button', { name: 'Ieradies' }));
    expect((await within(rowOf('Anna Bērziņa')).findByRole('alert')).textContent).toContain(ERROR_CATALOGUE.CHECK_IN_INCOMPLETE.lv);
    fireEvent.click(within(rowOf('Anna Bērziņa')).getByRole('checkbox', { name: /Personu apliecinošais dokuments apskatīts/ }));
    const idBox = within(rowOf('Anna Bērziņa')).getByRole('checkbox', { name: /Personu apliecinošais dokuments apskatīts/ }) as HTMLInputElement;
    await waitFor(() => expect(idBox.checked).toBe(true));
    // Who and when, beside the check; a check is recorded once.
    expect(idBox.parentElement?.textContent).toMatch(new RegExp(`^Personu apliecinošais dokuments apskatīts \\(${STAFF.username}, \\d\\d:\\d\\d\\)$`));
    expect(idBox.disabled).toBe(true);
    const codeBox = within(rowOf('Anna Bērziņa')).getByRole('checkbox', { name: /Personas kods pārbaudīts/ }) as HTMLInputElement;
    fireEvent.click(codeBox);
    await waitFor(() => expect(codeBox.parentElement?.textContent).toContain(`(${STAFF.username}, `));
    fireEvent.click(within(rowOf('Anna Bērziņa')).getByRole('button', { name: 'Ieradies' }));
    expect(await within(rowOf('Anna Bērziņa')).findByText('Reģistrēts')).toBeTruthy();
    expect(within(rowOf('Anna Bērziņa')).getByText('ar nokavēšanos', { exact: false })).toBeTruthy();
    expect(within(rowOf('Anna Bērziņa')).queryByRole('alert')).toBeNull();
    fireEvent.click(within(rowOf('Jānis Ozols')).getByRole('button', { name: 'Nav ieradies' }));
    expect(await within(rowOf('Jānis Ozols')).findByText('Nav ieradies', { selector: '.roster-state' })).toBeTruthy();
  });
});

describe('the seat plan', () => {
  test('seats a checked-in candidate at a free connected seat only, shows a refusal on the seat it concerns, and authorises once the seat awaits it', async () => {
    const room = new FakeRoom();
    room.checkedIn('C-1');
    room.checkedIn('C-2');
    await signedIn(room, 'Sēdvietu plāns');
    // The grid in the room's order.
    await screen.findByRole('listitem', { name: '1A' });
    expect(screen.getAllByTestId('seat-card').map((c) => within(c).getByRole('heading').textContent)).toEqual(['1A', '1B', '1C', '2A']);
    fireEvent.change(screen.getByLabelText('Kandidāts, ko nosēdināt'), { target: { value: 'C-1' } });
    // A missing or unpaired seat offers no place.
    expect(within(cardOf('1B')).queryByRole('button')).toBeNull();
    expect(within(cardOf('1C')).queryByRole('button')).toBeNull();
    fireEvent.click(within(cardOf('1A')).getByRole('button', { name: 'Nosēdināt Anna Bērziņa pie datora 1A' }));
    expect(await within(cardOf('1A')).findByText('Anna Bērziņa')).toBeTruthy();
    expect(within(cardOf('1A')).getByTestId('seat-stage').textContent).toBe('Gaida ziņu no kandidāta datora');
    expect(within(cardOf('1A')).getByRole('button', { name: 'Atcelt vietu' })).toBeTruthy();

    // 2A went silent since the page last asked: the hub refuses, and says so on 2A.
    fireEvent.change(screen.getByLabelText('Kandidāts, ko nosēdināt'), { target: { value: 'C-2' } });
    room.seats.find((s) => s.label === '2A')!.presence = 'missing';
    fireEvent.click(within(cardOf('2A')).getByRole('button', { name: 'Nosēdināt Jānis Ozols pie datora 2A' }));
    expect((await within(cardOf('2A')).findByRole('alert')).textContent).toContain(ERROR_CATALOGUE.SEAT_NOT_CONNECTED.lv);
    expect(within(cardOf('1A')).queryByRole('alert')).toBeNull();

    room.report('1A', 'C-1', 'awaiting-authorisation');
    fireEvent.click(await within(cardOf('1A')).findByRole('button', { name: 'Atļaut sākt' }, POLL));
    await waitFor(() => expect(room.assignments.get('C-1')?.authorised).toMatchObject({ by: STAFF.username }));
    room.report('1A', 'C-1', 'instructions');
    expect(await within(cardOf('1A')).findByText('Atļauts sākt', {}, POLL)).toBeTruthy();
  });

  test('shows a "No" on the identity screen next to its seat, with what was wrong', async () => {
    const room = new FakeRoom();
    room.checkedIn('C-1');
    await signedIn(room, 'Sēdvietu plāns');
    fireEvent.change(await screen.findByLabelText('Kandidāts, ko nosēdināt'), { target: { value: 'C-1' } });
    fireEvent.click(await screen.findByRole('button', { name: 'Nosēdināt Anna Bērziņa pie datora 2A' }));
    room.report('2A', 'C-1', 'identity-declined', 'personal-code');
    expect((await within(cardOf('2A')).findByText(/Kandidāts atbildēja „Nē”/, {}, POLL)).textContent).toBe('Kandidāts atbildēja „Nē”: personas kods nav pareizs');
    expect(cardOf('2A').className).toContain('seat-problem');
    expect(within(cardOf('2A')).queryByRole('button', { name: 'Atļaut sākt' })).toBeNull();
  });
});
