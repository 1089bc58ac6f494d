// @vitest-environment jsdom
// "Move to a spare seat" on the console (src-renderer/console/MoveCandidate.tsx): the candidate from the
// seats that report one, a connected free seat, a reason; the hub's refusal is shown next to the form;
// each move with how far it got and, flagged, the old seat's events that arrived after it.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { ConsoleApp } from '../../src-renderer/console/ConsoleApp.tsx';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import type { MoveView, RoomStatus, StationInput, StationOutput } from '../../src-shared/contracts/station-api.ts';
import { StationError } from '../../src-shared/errors.ts';
import { FakeStation, STAFF } from './fake-station.ts';

type HubSeat = NonNullable<RoomStatus['hub']>['seats'][number];

const seat = (label: string, candidateId: string | null, more: Partial<HubSeat> = {}): HubSeat => ({
  deviceId: `DEVICE-${label}`,
  label,
  revoked: false,
  presence: 'connected',
  connected: true,
  lastSeenAt: Date.now(),
  ackedSeq: 10,
  alarm: null,
  state: {
    attempt: candidateId ? { attemptId: '6f2b6c1e-8d7a-4f3b-9c2d-1a2b3c4d5e6f', candidateId, partId: 'reading', itemId: null, remainingMs: 754_000, screen: 'part' } : null,
    backlog: { events: 0, oldestAgeMs: null, audioBytes: 0 },
    recording: null,
    battery: null,
    diskFreeBytes: null,
    appVersion: '0.1.0',
    clockOffsetMs: 0,
    alarm: null,
  },
  ...more,
});

const MOVED: MoveView = {
  moveId: '0b7f3e0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  candidateId: 'C-0007',
  attemptId: '1b7f3e0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b',
  fromDeviceId: 'DEVICE-3C',
  toDeviceId: 'DEVICE-9B',
  reason: 'dators sastinga',
  movedBy: STAFF.username,
  movedAt: new Date().toISOString(),
  status: 'applied',
  code: null,
  lateEvents: 2,
};

class FakeHub extends FakeStation {
  seats: HubSeat[] = [seat('1A', 'C-0001'), seat('3C', null, { presence: 'missing', connected: false }), seat('9A', null), seat('9B', 'C-0007'), seat('9C', null, { connected: false, presence: 'missing' })];
  moves: MoveView[] = [MOVED];
  asked: StationInput<'moveCandidate'>[] = [];
  refuse: StationError | null = null;
  override async getRoom(): Promise<StationOutput<'getRoom'>> {
    return { role: 'hub', notice: null, hub: { address: { host: '10.0.0.5', port: 47300 }, pairing: { state: 'closed', code: null, expiresAt: null, consecutiveFailures: 0 }, seats: this.seats, moves: this.moves }, seat: null };
  }
  override async moveCandidate(input?: StationInput<'moveCandidate'>): Promise<StationOutput<'moveCandidate'>> {
    if (!input) throw new StationError('VALIDATION_FAILED', 'no move');
    this.asked.push(input);
    if (this.refuse) throw this.refuse;
    const move = { ...MOVED, moveId: '2b7f3e0a-1c2d-4e5f-8a9b-0c1d2e3f4a5b', candidateId: input.candidateId, fromDeviceId: 'DEVICE-1A', toDeviceId: input.toDeviceId, status: 'handing-over' as const, lateEvents: 0 };
    this.moves = [move, ...this.moves];
    return move;
  }
}

async function signedIn(hub: FakeHub) {
  render(<ConsoleApp station={hub} />);
  fireEvent.change(await screen.findByLabelText('Lietotājvārds'), { target: { value: STAFF.username } });
  fireEvent.change(screen.getByLabelText('Parole'), { target: { value: STAFF.password } });
  fireEvent.click(screen.getByRole('button', { name: 'Ienākt' }));
  return screen.findByRole('region', { name: 'Pārsēdināt kandidātu pie rezerves datora' });
}

beforeEach(() => settingsStore.getState().setLang('lv'));
afterEach(() => cleanup());

describe('moving a candidate on the console', () => {
  test('shows each move, and flags the old seat’s events that came after it', async () => {
    const section = await signedIn(new FakeHub());
    const [row] = within(section).getAllByTestId('move-row');
    expect(row!.textContent).toContain('C-0007: no 3C uz 9B — darbs nodots, kandidāts var turpināt');
    expect(within(row!).getByTestId('move-late').textContent).toContain('Pēc pārsēdināšanas no 3C pienāca 2 notikumi: tie ir saglabāti, bet netiek ņemti vērā kā kandidāta atbildes.');
  });

  test('moves a seated candidate to a connected free seat with a reason, and shows a refusal next to the form', async () => {
    const hub = new FakeHub();
    const section = await signedIn(hub);
    const who = within(section).getByLabelText('Kandidāts') as HTMLSelectElement;
    const to = within(section).getByLabelText('Uz brīvu kandidāta datoru') as HTMLSelectElement;
    // Only candidates that sit somewhere, and only free seats the hub can reach.
    expect([...who.options].map((o) => o.textContent)).toEqual(['—', 'C-0001 (pie 1A)', 'C-0007 (pie 9B)']);
    expect([...to.options].map((o) => o.textContent)).toEqual(['—', '9A']);
    const button = within(section).getByRole('button', { name: 'Pārsēdināt' });
    fireEvent.change(who, { target: { value: 'C-0001' } });
    fireEvent.change(to, { target: { value: 'DEVICE-9A' } });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(within(section).getByLabelText('Iemesls'), { target: { value: '  dators sastinga  ' } });
    hub.refuse = new StationError('SEAT_OCCUPIED');
    fireEvent.click(button);
    expect((await within(section).findByRole('alert')).textContent).toContain('Pie šī kandidāta datora jau ir kandidāts');
    hub.refuse = null;
    fireEvent.click(button);
    await within(section).findByText('C-0001: no 1A uz 9A — jaunais dators saņem darbu');
    expect(hub.asked.at(-1)).toEqual({ staffToken: expect.any(String), candidateId: 'C-0001', toDeviceId: 'DEVICE-9A', reason: 'dators sastinga' });
    expect(within(section).queryByRole('alert')).toBeNull();
  });
});
