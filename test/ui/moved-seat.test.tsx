// @vitest-environment jsdom
// The candidate's screen on the seat they were moved away from (the hub's move-out): it says that their
// work goes on at another computer and that nothing more is saved here, and goes back to the
// invigilator's step, the seat forgotten.
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../src-renderer/App.tsx';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import { FakeStation, SEAT } from './fake-station.ts';

beforeEach(() => {
  localStorage.clear();
  settingsStore.getState().setLang('lv');
});
afterEach(() => cleanup());

describe('a screen whose candidate was moved to another seat', () => {
  test('says so at its next heartbeat and goes back to the invigilator step', async () => {
    const station = new FakeStation().inPart('p-w', 'w-q1');
    localStorage.setItem('exam-station.seat', JSON.stringify(SEAT));
    render(<App station={station} />);
    await screen.findByRole('textbox', { name: 'Jūsu atbilde' });
    station.movedOut = true;
    await screen.findByLabelText('Lietotājvārds', {}, { timeout: 5000 });
    expect(document.body.textContent).toContain('Jūsu darbs ir pārcelts uz citu datoru. Šajā datorā vairs nekas netiek saglabāts');
    expect(localStorage.getItem('exam-station.seat')).toBeNull();
  });

  test('says so when the screen starts again', async () => {
    const station = new FakeStation().inPart('p-w', 'w-q1');
    station.movedOut = true;
    localStorage.setItem('exam-station.seat', JSON.stringify(SEAT));
    render(<App station={station} />);
    await screen.findByLabelText('Lietotājvārds', {}, { timeout: 5000 });
    expect(document.body.textContent).toContain('Jūsu darbs ir pārcelts uz citu datoru.');
  });
});
