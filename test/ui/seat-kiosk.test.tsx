// @vitest-environment jsdom
// A room's seat as its candidate sees it (the kiosk): before the hub assigns anyone, a calm waiting
// screen with the seat's label that asks for nothing of any attempt and offers no staff sign-in; once a
// candidate is assigned, their identity screen; after "Yes", "awaiting authorisation" until the
// invigilator authorises them from the console, and only then the instructions; after "No", waiting
// again with the invigilator told.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../src-renderer/App.tsx';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import { FakeStation } from './fake-station.ts';

/** A seat's station with no candidate yet, which counts the calls that reach an attempt. */
function seatStation(): { station: FakeStation; attemptCalls: string[] } {
  const station = new FakeStation();
  station.role = 'seat';
  station.seatPlan = { label: '4C', assigned: false, claimed: false, handedBack: false };
  station.token = null;
  const attemptCalls: string[] = [];
  const methods = station as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of ['getAttempt', 'getCandidate', 'getExamContent', 'seatHeartbeat', 'openAttempt', 'listCandidates']) {
    const original = methods[name]!.bind(station);
    methods[name] = (...args: unknown[]) => {
      attemptCalls.push(name);
      return original(...args);
    };
  }
  return { station, attemptCalls };
}

const POLL = { timeout: 5000 };

beforeEach(() => {
  localStorage.clear();
  settingsStore.getState().setLang('lv');
});
afterEach(() => cleanup());

describe("a room's seat before its candidate is assigned", () => {
  test('waits calmly with its label, reaches no attempt, offers no staff sign-in, and shows the identity screen once the hub assigns a candidate', async () => {
    const { station, attemptCalls } = seatStation();
    render(<App station={station} kiosk />);
    expect(await screen.findByRole('heading', { name: 'Gaidām pārbaudījuma vadītāju', level: 1 })).toBeTruthy();
    expect(screen.getByTestId('seat-label').textContent).toBe('Vieta 4C');
    expect(screen.getByRole('status').textContent).toBe('Pārbaudījuma vadītājs drīz atvērs jūsu pārbaudījumu šajā datorā. Lūdzu, uzgaidiet.');
    expect(screen.queryByLabelText('Lietotājvārds')).toBeNull();
    // It keeps asking its station, and still reaches nothing.
    await new Promise((r) => setTimeout(r, 2200));
    expect(attemptCalls).toEqual([]);

    station.assignHere('4C');
    expect((await screen.findByTestId('candidate-name', {}, POLL)).textContent).toContain('Anna Bērziņa');
    expect(screen.getByRole('heading', { name: 'Pārbaudiet savus datus', level: 1 })).toBeTruthy();
  });

  test('in English too', async () => {
    settingsStore.getState().setLang('en');
    const { station } = seatStation();
    render(<App station={station} kiosk />);
    expect(await screen.findByRole('heading', { name: 'Waiting for the invigilator', level: 1 })).toBeTruthy();
    expect(screen.getByTestId('seat-label').textContent).toBe('Seat 4C');
  });

  test('a second screen finds the candidate taken and is told to call the invigilator', async () => {
    const { station } = seatStation();
    station.assignHere('4C');
    station.seatPlan!.claimed = true;
    render(<App station={station} kiosk />);
    expect((await screen.findByRole('status')).textContent).toBe('Šī kandidāta pārbaudījums ir atvērts citā ekrānā. Paceliet roku un pasauciet pārbaudījuma vadītāju.');
  });
});

describe('awaiting authorisation', () => {
  test('after "Yes" the seat waits for the invigilator, cannot begin, and goes on to the instructions only once authorised', async () => {
    const { station } = seatStation();
    station.assignHere('4C');
    render(<App station={station} kiosk />);
    fireEvent.click(await screen.findByRole('button', { name: 'Jā, tie ir mani dati' }, POLL));
    expect(await screen.findByRole('heading', { name: 'Gaidām pārbaudījuma vadītāja atļauju', level: 1 })).toBeTruthy();
    expect(screen.getByTestId('awaiting-authorisation').textContent).toContain('Anna Bērziņa');
    expect(screen.queryByRole('heading', { name: 'Norādījumi' })).toBeNull();
    // A reload keeps it waiting: the station, not the screen, knows whether the invigilator authorised.
    cleanup();
    render(<App station={station} kiosk />);
    expect(await screen.findByRole('heading', { name: 'Gaidām pārbaudījuma vadītāja atļauju', level: 1 })).toBeTruthy();

    station.authorise();
    expect(await screen.findByRole('heading', { name: 'Norādījumi' }, POLL)).toBeTruthy();
    expect([...station.timers.values()].flat()).toEqual([]);
  });

  test('with the package still waiting for its key: the identity screen from the roster, authorisation, then waiting for the start until the key comes', async () => {
    const { station } = seatStation();
    station.assignHere('4C');
    station.contentLocked = true;
    render(<App station={station} kiosk />);
    expect((await screen.findByTestId('candidate-name', {}, POLL)).textContent).toContain('Anna Bērziņa');
    expect(screen.getByTestId('candidate-level').textContent).toBe('A2');
    fireEvent.click(screen.getByRole('button', { name: 'Jā, tie ir mani dati' }));
    expect(await screen.findByRole('heading', { name: 'Gaidām pārbaudījuma vadītāja atļauju', level: 1 })).toBeTruthy();
    station.authorise();
    await waitFor(() => expect(screen.getByTestId('seat-waiting').textContent).toContain('Pārbaudījums sāksies, kad pārbaudījuma vadītājs to atvērs visai telpai. Lūdzu, uzgaidiet.'), POLL);
    expect(screen.getByTestId('seat-label').textContent).toBe('Vieta 4C');
    station.contentLocked = false;
    expect(await screen.findByRole('heading', { name: 'Norādījumi' }, POLL)).toBeTruthy();
  });

  test('"No" on the identity screen hands the seat back: it waits again, saying the invigilator has been told', async () => {
    const { station } = seatStation();
    station.assignHere('4C');
    render(<App station={station} kiosk />);
    fireEvent.click(await screen.findByRole('button', { name: 'Nē — pasaukšu pārbaudījuma vadītāju' }, POLL));
    fireEvent.click(screen.getByLabelText('Vārds vai uzvārds nav mans'));
    fireEvent.click(screen.getByRole('button', { name: 'Atdot ekrānu pārbaudījuma vadītājam' }));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Pārbaudījuma vadītājam ir paziņots, ka dati nav jūsu. Lūdzu, uzgaidiet pie datora.'));
    expect(screen.getByTestId('seat-label').textContent).toBe('Vieta 4C');
    expect(screen.queryByLabelText('Lietotājvārds')).toBeNull();
    expect(station.incidents).toEqual([{ kind: 'candidate-identity', attemptId: expect.any(String), note: 'declined: name' }]);
  });
});
