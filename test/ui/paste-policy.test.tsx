// @vitest-environment jsdom
// The package's paste policy in every text answer (a short text, a free gap, a number, a piece of
// writing), held by one shared piece (items/paste.tsx): a refused paste is said under its field, and
// the message lasts only as long as its cause — typing in the field again, or moving to another item,
// ends it.
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { App } from '../../src-renderer/App.tsx';
import { CONTENT_FORMAT_VERSION, ExamContent } from '../../src-shared/content/schema.ts';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import { FakeStation, SEAT } from './fake-station.ts';

function contentWith(pastePolicy: 'allow' | 'block'): ExamContent {
  return ExamContent.parse({
    formatVersion: CONTENT_FORMAT_VERSION,
    examId: 'ui-paste',
    kind: 'centralized',
    subject: 'Latviešu valoda',
    language: 'lv',
    title: 'Teksti',
    pastePolicy,
    parts: [
      {
        id: 'p1',
        kind: 'custom',
        title: '1. daļa',
        timeLimitSeconds: 600,
        tasks: [
          {
            id: 't1',
            title: 'Rakstīšana',
            items: [
              { id: 'short', type: 'short-text', prompt: 'Kā jūs sauc?', points: 1, maxLength: 40 },
              { id: 'gap', type: 'gap-fill', points: 1, text: 'Es dzīvoju {{g1}}.', gaps: [{ id: 'g1' }] },
              { id: 'number', type: 'numeric', prompt: 'Cik ir 2 + 2?', points: 1 },
              { id: 'essay', type: 'extended-writing', prompt: 'Uzrakstiet vēstuli.', points: 4, minWords: 3, maxWords: 50 },
            ],
          },
        ],
      },
    ],
  });
}

/** Each text answer's field, as the candidate finds it. */
const FIELD: Record<string, () => Promise<HTMLElement>> = {
  short: () => screen.findByRole('textbox', { name: 'Jūsu atbilde' }),
  gap: () => screen.findByRole('textbox', { name: /^1\. tukšā vieta: Es dzīvoju/ }),
  number: () => screen.findByRole('textbox', { name: 'Jūsu atbilde' }),
  essay: () => screen.findByRole('textbox', { name: 'Jūsu atbilde' }),
};

function seat(station: FakeStation) {
  localStorage.setItem('exam-station.seat', JSON.stringify(SEAT));
  return render(<App station={station} />);
}

const REFUSED = /tekstu ielīmēt nedrīkst/;

/** A paste as the browser sends it; false when the page refused it. */
function paste(field: HTMLElement): boolean {
  return fireEvent.paste(field, { clipboardData: { getData: () => 'iekopēts teksts' } });
}

beforeEach(() => {
  localStorage.clear();
  settingsStore.getState().setLang('lv');
});
afterEach(() => cleanup());

describe('a refused paste', () => {
  for (const itemId of Object.keys(FIELD)) {
    test(`in the ${itemId} answer is said under its field and goes as soon as the candidate types there again`, async () => {
      const station = new FakeStation(contentWith('block')).inPart('p1', itemId);
      seat(station);
      const field = await FIELD[itemId]!();
      expect(paste(field)).toBe(false);
      const item = document.querySelector<HTMLElement>(`.item[data-item-id="${itemId}"]`)!;
      expect(within(item).getByRole('alert').textContent).toContain('Šajā pārbaudījumā tekstu ielīmēt nedrīkst');
      expect(station.saveCalls).toHaveLength(0);

      fireEvent.change(field, { target: { value: '4' } });
      expect(screen.queryByText(REFUSED)).toBeNull();
      // A second refusal is said again.
      expect(paste(field)).toBe(false);
      expect(screen.getByText(REFUSED)).toBeTruthy();
    });
  }

  test('goes with the item: back on it after moving on, nothing is said', async () => {
    seat(new FakeStation(contentWith('block')).inPart('p1', 'short'));
    paste(await FIELD.short!());
    expect(screen.getByText(REFUSED)).toBeTruthy();
    fireEvent.click(screen.getByTestId('next'));
    await FIELD.gap!();
    expect(screen.queryByText(REFUSED)).toBeNull();
    fireEvent.click(screen.getByTestId('prev'));
    await screen.findByText('Kā jūs sauc?');
    expect(screen.queryByText(REFUSED)).toBeNull();
  });

  test('is not refused when the package allows pasting, and nothing is said', async () => {
    seat(new FakeStation(contentWith('allow')).inPart('p1', 'essay'));
    expect(paste(await FIELD.essay!())).toBe(true);
    expect(screen.queryByText(REFUSED)).toBeNull();
  });
});
