// @vitest-environment jsdom
// The seat's set-up by IT (issue 10 §1): on a seat not paired with a room computer, the staff step after
// sign-in offers pairing — a room computer found on the network or a typed address, the 8-digit code,
// the seat's label — and shows each refusal next to the field it is about, in Latvian and English.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../src-renderer/App.tsx';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import type { ErrorCode } from '../../src-shared/errors.ts';
import { deviceIdFromHash, shortDeviceId } from '../../src-shared/rules/device-id.ts';
import { FakeStation, STAFF } from './fake-station.ts';

const HUB_ID = deviceIdFromHash(new Uint8Array(32).fill(7));

function unpairedSeat(discovered: FakeStation['discovered'] = { browsing: true, hubs: [{ deviceId: HUB_ID, name: `Exam Station ${shortDeviceId(HUB_ID)}`, addresses: ['10.20.0.1'], port: 47300 }], error: null }): FakeStation {
  const station = new FakeStation();
  station.role = 'seat';
  station.seatRoom = { paired: false, label: null, hubDeviceId: null };
  station.discovered = discovered;
  return station;
}

async function signIn(station: FakeStation): Promise<void> {
  render(<App station={station} />);
  fireEvent.change(await screen.findByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
  fireEvent.change(screen.getByLabelText('Parole'), { target: { value: STAFF.password } });
  fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
  await screen.findByTestId('seat-setup');
}

const codeField = () => screen.getByLabelText('Pievienošanas kods (8 cipari, redzami telpas datorā)') as HTMLInputElement;
const labelField = () => screen.getByLabelText('Vietas apzīmējums (kā uz galda, piemēram, 1A)') as HTMLInputElement;

function fillAndPair(code = '12345678', label = '1A'): void {
  fireEvent.change(codeField(), { target: { value: code } });
  fireEvent.change(labelField(), { target: { value: label } });
  fireEvent.click(screen.getByRole('button', { name: 'Pievienot' }));
}

beforeEach(() => {
  localStorage.clear();
  settingsStore.getState().setLang('lv');
});
afterEach(() => cleanup());

describe("the seat's set-up screen", () => {
  test('lists the room computers found on the network by device id and address, and pairs with the chosen one under its device id; then the invigilator step goes on', async () => {
    const station = unpairedSeat();
    await signIn(station);
    const found = await screen.findByRole('radio', { name: new RegExp(shortDeviceId(HUB_ID)) });
    expect(found.closest('label')!.textContent).toContain('adrese 10.20.0.1:47300');
    fireEvent.click(found);
    fillAndPair('1234 5678', ' 2b ');
    await screen.findByTestId('seat-paired');
    expect(station.pairCalls).toEqual([{ staffToken: expect.any(String), host: '10.20.0.1', port: 47300, hubDeviceId: HUB_ID, code: '12345678', label: '2b' }]);
    expect(screen.getByTestId('seat-paired').textContent).toContain(`Kandidāta dators 2b ir pievienots telpas datoram ${shortDeviceId(HUB_ID)}.`);
    // The invigilator step is next: choose the candidate.
    expect(await screen.findByText('Izvēlieties kandidātu')).toBeTruthy();
    expect(screen.queryByTestId('seat-setup')).toBeNull();
  });

  test('with looking on the network turned off it says so and pairs with the typed address and port', async () => {
    const station = unpairedSeat({ browsing: false, hubs: [], error: null });
    await signIn(station);
    expect(await screen.findByText('Šajā datorā meklēšana tīklā ir izslēgta. Ievadiet telpas datora adresi.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Telpas datora adrese (IP adrese vai nosaukums)'), { target: { value: '192.168.5.10' } });
    fireEvent.change(screen.getByLabelText('Ports'), { target: { value: '47301' } });
    fillAndPair();
    await screen.findByTestId('seat-paired');
    expect(station.pairCalls).toEqual([{ staffToken: expect.any(String), host: '192.168.5.10', port: 47301, code: '12345678', label: '1A' }]);
  });

  const cases: { code: ErrorCode; field: 'code' | 'hub' | 'label'; lv: string; en: string }[] = [
    { code: 'PAIRING_CODE_WRONG', field: 'code', lv: 'Savienošanas kods nav pareizs', en: 'The pairing code is not correct' },
    { code: 'PAIRING_CODE_EXPIRED', field: 'code', lv: 'derīguma laiks (2 minūtes) ir beidzies', en: 'The pairing code has expired' },
    { code: 'PAIRING_PAUSED', field: 'code', lv: 'savienošana pārī ir apturēta', en: 'Pairing is paused' },
    { code: 'HUB_UNREACHABLE', field: 'hub', lv: 'Telpas dators šajā adresē neatbild', en: 'The room computer at this address does not answer' },
    { code: 'HUB_KEY_CHANGED', field: 'hub', lv: 'tā atslēga ir mainījusies', en: 'its key changed' },
    { code: 'SEAT_LABEL_TAKEN', field: 'label', lv: 'jau ir cits dators ar šo vietas apzīmējumu', en: 'already has this label' },
  ];
  for (const c of cases) {
    test(`${c.code} is shown next to the ${c.field} in Latvian and English, and the seat stays unpaired`, async () => {
      const station = unpairedSeat();
      station.pairRefusal = c.code;
      await signIn(station);
      fireEvent.click(await screen.findByRole('radio', { name: new RegExp(shortDeviceId(HUB_ID)) }));
      fillAndPair();
      const error = await screen.findByTestId(`seat-setup-${c.field}-error`);
      expect(error.getAttribute('role')).toBe('alert');
      expect(error.textContent).toContain(c.lv);
      expect(error.textContent).toContain(c.en);
      // Next to its field: the field names it as its description.
      const described = c.field === 'code' ? codeField() : c.field === 'label' ? labelField() : (screen.getByRole('group', { name: 'Telpas dators' }) as HTMLElement);
      expect(described.getAttribute('aria-describedby')).toBe(error.id);
      expect(screen.queryAllByRole('alert')).toHaveLength(1);
      expect(screen.queryByTestId('seat-paired')).toBeNull();
      expect(station.seatRoom?.paired).toBe(false);
      // A refused code is of no more use: the field is empty for the next one.
      if (c.field === 'code') expect(codeField().value).toBe('');
    });
  }

  test('checks the code, the label and the choice of room computer before asking the station', async () => {
    const station = unpairedSeat();
    await signIn(station);
    await screen.findByRole('radio', { name: new RegExp(shortDeviceId(HUB_ID)) });
    fillAndPair('1234567', '');
    expect(within(await screen.findByTestId('seat-setup-code-error')).getByText('Kodā ir 8 cipari.')).toBeTruthy();
    expect(screen.getByTestId('seat-setup-label-error').textContent).toContain('A label has 1 to 8 characters.');
    expect(screen.getByTestId('seat-setup-hub-error').textContent).toContain('Izvēlieties telpas datoru vai ievadiet tā adresi.');
    expect(station.pairCalls).toEqual([]);
  });

  test('a paired seat, and a solo station, go straight to the invigilator step', async () => {
    const station = unpairedSeat();
    station.seatRoom = { paired: true, label: '1A', hubDeviceId: HUB_ID };
    render(<App station={station} />);
    fireEvent.change(await screen.findByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
    fireEvent.change(screen.getByLabelText('Parole'), { target: { value: STAFF.password } });
    fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
    await waitFor(() => expect(screen.getByText('Izvēlieties kandidātu')).toBeTruthy());
    expect(screen.queryByTestId('seat-setup')).toBeNull();
    expect(screen.queryByTestId('seat-rejoin')).toBeNull();
  });

  test('a seat whose hub lost its database says it waits for the hub to accept it again, and the invigilator step goes on', async () => {
    const station = unpairedSeat();
    station.seatRoom = { paired: true, label: '1A', hubDeviceId: HUB_ID, rejoin: 'requested' };
    render(<App station={station} />);
    fireEvent.change(await screen.findByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
    fireEvent.change(screen.getByLabelText('Parole'), { target: { value: STAFF.password } });
    fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
    await waitFor(() => expect(screen.getByText('Izvēlieties kandidātu')).toBeTruthy());
    expect(screen.getByTestId('seat-rejoin').textContent).toContain('Gaidām, kad IT vai galvenais pārbaudījuma vadītājs telpas datorā to pieņems no jauna');
    settingsStore.getState().setLang('en');
    await waitFor(() => expect(screen.getByTestId('seat-rejoin').textContent).toContain('Waiting for IT or the chief invigilator to accept it again on the hub'));
  });
});
