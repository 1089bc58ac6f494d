// @vitest-environment jsdom
// The numeric answer against the in-memory station: the text is saved exactly as typed (the decimal
// comma and fractions included), the field is a labelled native text field with the item's unit read
// out beside it, an answer that is no number is pointed out once the field is left and not while it is
// typed, and the package's paste policy holds.
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../src-renderer/App.tsx';
import { CONTENT_FORMAT_VERSION, ExamContent } from '../../src-shared/content/schema.ts';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import { FakeStation, SEAT } from './fake-station.ts';

const content = ExamContent.parse({
  formatVersion: CONTENT_FORMAT_VERSION,
  examId: 'ui-numeric',
  kind: 'centralized',
  subject: 'Matemātika',
  language: 'lv',
  title: 'Skaitļi',
  parts: [
    {
      id: 'p1',
      kind: 'custom',
      title: '1. daļa',
      timeLimitSeconds: 600,
      tasks: [
        {
          id: 't1',
          title: 'Aprēķini',
          items: [
            { id: 'half', type: 'numeric', prompt: 'Cik ir 1 : 2?', points: 1 },
            { id: 'area', type: 'numeric', prompt: 'Kāds ir laukums?', points: 1, unit: 'cm²' },
          ],
        },
      ],
    },
  ],
});

function seat(station: FakeStation) {
  localStorage.setItem('exam-station.seat', JSON.stringify(SEAT));
  return render(<App station={station} />);
}

async function field(): Promise<HTMLInputElement> {
  return (await screen.findByRole('textbox', { name: 'Jūsu atbilde' })) as HTMLInputElement;
}

function described(input: HTMLElement): string {
  return (input.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? `(missing ${id})`)
    .join(' | ');
}

beforeEach(() => {
  localStorage.clear();
  settingsStore.getState().setLang('lv');
});
afterEach(() => cleanup());

describe('the numeric answer', () => {
  test('saves the text as typed, Latvian decimal comma and fraction alike', async () => {
    const station = new FakeStation(content).inPart('p1', 'half');
    seat(station);
    const input = await field();
    fireEvent.change(input, { target: { value: '0,5' } });
    await waitFor(() => expect(station.revisions.at(-1)?.value).toEqual({ type: 'numeric', text: '0,5' }));
    fireEvent.change(input, { target: { value: ' 1/2' } });
    await waitFor(() => expect(station.revisions.at(-1)?.value).toEqual({ type: 'numeric', text: ' 1/2' }));
    expect(input.value).toBe(' 1/2');
  });

  test('is a labelled native text field that the keyboard reaches, offering a decimal keypad, with the help read out', async () => {
    seat(new FakeStation(content).inPart('p1', 'half'));
    const input = await field();
    // Not type="number": that would refuse "0,5" in some locales and "1/2" everywhere.
    expect(input.type).toBe('text');
    expect(input.tabIndex).toBe(0);
    expect(input.inputMode).toBe('decimal');
    expect(described(input)).toContain('Rakstiet skaitli, piemēram: 12; −3; 0,5; 1/2.');
    input.focus();
    expect(document.activeElement).toBe(input);
  });

  test("shows the item's unit beside the field and reads it out with the field", async () => {
    seat(new FakeStation(content).inPart('p1', 'area'));
    const input = await field();
    expect(described(input)).toMatch(/^cm² \| Rakstiet tikai skaitli/);
    expect(screen.getByText('cm²').className).toBe('numeric-unit');
  });

  test('points out an answer that is no number once the field is left, not while it is being typed', async () => {
    seat(new FakeStation(content).inPart('p1', 'half'));
    const input = await field();
    fireEvent.change(input, { target: { value: 'puse' } });
    expect(screen.queryByTestId('number-unreadable')).toBeNull();
    fireEvent.blur(input);
    expect(screen.getByTestId('number-unreadable').textContent).toContain('Šo atbildi nevar nolasīt kā skaitli');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(described(input)).toContain('nevar nolasīt kā skaitli');
    fireEvent.change(input, { target: { value: '1/' } });
    expect(screen.queryByTestId('number-unreadable')).toBeNull();
    fireEvent.change(input, { target: { value: '1/2' } });
    fireEvent.blur(input);
    expect(screen.queryByTestId('number-unreadable')).toBeNull();
    expect(input.getAttribute('aria-invalid')).toBeNull();
  });

  test('refuses a paste when the package blocks pasting, and says so', async () => {
    const station = new FakeStation(content).inPart('p1', 'half');
    seat(station);
    const input = await field();
    fireEvent.paste(input, { clipboardData: { getData: () => '42' } });
    expect(screen.getByRole('alert').textContent).toContain('ielīmēt nedrīkst');
    expect(station.saveCalls).toHaveLength(0);
  });
});
