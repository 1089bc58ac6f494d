// @vitest-environment jsdom
// The top bar names the kind of test the attempt is: a state language test, or a centralized exam (a
// state examination such as the grade 9 mathematics exam), never the language test for both; before
// an attempt is open (the invigilator's step) it claims neither.
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../src-renderer/App.tsx';
import { ExamContent } from '../../src-shared/content/schema.ts';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import { FakeStation, SEAT, testExamSource } from './fake-station.ts';

function seat(station: FakeStation) {
  localStorage.setItem('exam-station.seat', JSON.stringify(SEAT));
  return render(<App station={station} />);
}

beforeEach(() => {
  localStorage.clear();
  settingsStore.getState().setLang('lv');
});
afterEach(() => cleanup());

describe('the top bar', () => {
  test("names only the station on the invigilator's step, before any test is chosen", async () => {
    render(<App station={new FakeStation()} />);
    await screen.findByLabelText('Lietotājvārds');
    expect(screen.getByTestId('app-name').textContent).toBe('Pārbaudījumu stacija');
  });

  test('names a state language test as such', async () => {
    seat(new FakeStation().inPart('p-l', 'l-q1'));
    await screen.findByRole('radio', { name: 'Uz Rīgu' });
    expect(screen.getByTestId('app-name').textContent).toBe('Valsts valodas prasmes pārbaude');
  });

  test('names a centralized exam a state examination, in the chosen interface language', async () => {
    const { level: _level, ...source } = testExamSource();
    const content = ExamContent.parse({ ...source, kind: 'centralized', subject: 'Matemātika' });
    seat(new FakeStation(content).inPart('p-l', 'l-q1'));
    await screen.findByRole('radio', { name: 'Uz Rīgu' });
    expect(screen.getByTestId('app-name').textContent).toBe('Valsts pārbaudes darbs');
    settingsStore.getState().setLang('en');
    expect((await screen.findByTestId('app-name')).textContent).toBe('State examination');
  });
});
