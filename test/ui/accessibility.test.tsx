// @vitest-environment jsdom
// The candidate's screens as a screen reader and a keyboard meet them, rule by rule (no axe-core on
// this machine: the rules are asserted one by one): one <h1> per screen and headings in order, modal
// dialogs that give the focus back, live regions that speak when something changes rather than with
// every keystroke, Latvian content marked Latvian inside the English interface, fields named by their
// context, instructions heard once, drop-down options whole. Tab kept inside a modal is Chromium's
// (the e2e checks it); speaking stages are in speaking-item.test.tsx.
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CONTENT_FORMAT_VERSION, ExamContent } from '../../src-shared/content/schema.ts';
import { App } from '../../src-renderer/App.tsx';
import { gapContext, ItemView } from '../../src-renderer/items/ItemView.tsx';
import { createExam, ExamContext } from '../../src-renderer/store/exam.ts';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import { isModal } from './dialog.ts';
import { listen } from './live-regions.ts';
import { FakeStation, SEAT } from './fake-station.ts';

function seat(station: FakeStation) {
  localStorage.setItem('exam-station.seat', JSON.stringify(SEAT));
  return render(<App station={station} />);
}

/** The levels of the page's headings, in document order. */
function outline(): number[] {
  return [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((h) => Number(h.tagName[1]));
}

/** One <h1>, first, and no heading deeper than one level below the one before it. */
function expectSaneOutline(screenName: string): void {
  const levels = outline();
  expect(levels.filter((l) => l === 1), `${screenName}: ${levels.join(' ')}`).toHaveLength(1);
  expect(levels[0], screenName).toBe(1);
  levels.forEach((level, i) => {
    if (i > 0) expect(level, `${screenName}: ${levels.join(' ')}`).toBeLessThanOrEqual(levels[i - 1]! + 1);
  });
}

/** The language a text is read in: the `lang` of the nearest element around it. */
function langOf(container: Element, text: string): string | null {
  const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.textContent?.includes(text)) return node.parentElement?.closest('[lang]')?.getAttribute('lang') ?? null;
  }
  throw new Error(`"${text}" is not in ${container.outerHTML.slice(0, 200)}`);
}

beforeEach(() => {
  localStorage.clear();
  settingsStore.getState().setLang('lv');
  settingsStore.getState().setTextSize('normal');
  settingsStore.getState().setHighContrast(false);
});
afterEach(() => cleanup());

describe('headings', () => {
  test('every screen has exactly one <h1>, first, and no heading skips a level', async () => {
    render(<App station={new FakeStation()} />);
    await screen.findByLabelText('Lietotājvārds');
    expectSaneOutline('staff');
    cleanup();

    seat(new FakeStation());
    await screen.findByTestId('candidate-name');
    expectSaneOutline('identity');
    fireEvent.click(screen.getByRole('button', { name: 'Jā, tie ir mani dati' }));
    await screen.findByRole('heading', { name: 'Norādījumi' });
    expectSaneOutline('instructions');
    fireEvent.click(screen.getByRole('button', { name: 'Turpināt' }));
    await screen.findByRole('heading', { name: 'Austiņu un mikrofona pārbaude' });
    expectSaneOutline('equipment');
    cleanup();

    seat(new FakeStation().inPart('p-l', 'l-q1'));
    await screen.findByText('Uz kurieni?');
    for (const name of ['l-q1', 'l-q2', 'l-q3']) {
      fireEvent.click(screen.getByTestId(`nav-${name}`));
      await waitFor(() => expect(document.querySelector('.item')?.getAttribute('data-item-id')).toBe(name));
      expectSaneOutline(`part screen, ${name}`);
    }
    fireEvent.click(screen.getByTestId('submit-part'));
    fireEvent.click(await screen.findByRole('button', { name: 'Jā, iesniegt' }));
    await screen.findByTestId('start-part');
    expectSaneOutline('part introduction');
    cleanup();

    const station = new FakeStation().inPart('p-s', 's-q1');
    seat(station);
    fireEvent.click(await screen.findByTestId('submit-part'));
    fireEvent.click(await screen.findByRole('button', { name: 'Jā, iesniegt' }));
    await screen.findByTestId('end-title');
    expectSaneOutline('end');
  });

  test('on a part screen the <h1> is the part, the task is an <h2> and the question an <h3>', async () => {
    seat(new FakeStation().inPart('p-l', 'l-q1'));
    await screen.findByText('Uz kurieni?');
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Klausīšanās · 1. daļa no 3');
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Paziņojums');
    expect(screen.getByRole('heading', { level: 3 }).textContent).toBe('1. jautājums no 3');
    // The question's heading still takes the focus on every move.
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 3 }));
  });
});

describe('dialogs and panels', () => {
  test('the overview is a modal <dialog>: the first item has the focus, Tab goes round inside it, Escape closes it and the focus is back on "Pārskats"', async () => {
    seat(new FakeStation().inPart('p-l', 'l-q1'));
    await screen.findByText('Uz kurieni?');
    const opener = screen.getByTestId('overview');
    opener.focus();
    fireEvent.click(opener);
    const dialog = await screen.findByRole('dialog', { name: 'Daļas pārskats' });
    expect(dialog.tagName).toBe('DIALOG');
    expect(isModal(dialog)).toBe(true);
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: '1. jautājums' }));
    // The close button comes first, at the top (reachable without scrolling); the last item's button last.
    const controls = within(dialog).getAllByRole('button');
    const [first, last] = [controls[0]!, controls.at(-1)!];
    expect(first).toBe(within(dialog).getByRole('button', { name: 'Aizvērt pārskatu' }));
    // Tab from the last control comes round to the first, Shift+Tab from the first to the last.
    last.focus();
    fireEvent.keyDown(last, { key: 'Tab' });
    expect(document.activeElement).toBe(first);
    fireEvent.keyDown(first, { key: 'Tab', shiftKey: true });
    expect(document.activeElement).toBe(last);
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByRole('dialog', { name: 'Daļas pārskats' })).toBeNull());
    expect(document.activeElement).toBe(screen.getByTestId('overview'));

    // Closed with its button, the same.
    fireEvent.click(screen.getByTestId('overview'));
    fireEvent.click(within(await screen.findByRole('dialog', { name: 'Daļas pārskats' })).getByRole('button', { name: 'Aizvērt pārskatu' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(document.activeElement).toBe(screen.getByTestId('overview'));
  });

  test('the settings panel closed with Escape or its button gives the focus back to "Iestatījumi"', async () => {
    seat(new FakeStation().inPart('p-l', 'l-q1'));
    await screen.findByText('Uz kurieni?');
    const button = screen.getByRole('button', { name: /Iestatījumi/ });
    button.focus();
    fireEvent.click(button);
    const panel = screen.getByRole('dialog', { name: 'Iestatījumi' });
    expect(panel.contains(document.activeElement)).toBe(true);
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByRole('dialog', { name: 'Iestatījumi' })).toBeNull();
    expect(document.activeElement).toBe(button);

    fireEvent.click(button);
    fireEvent.click(within(screen.getByRole('dialog', { name: 'Iestatījumi' })).getByRole('button', { name: 'Aizvērt' }));
    expect(document.activeElement).toBe(button);
  });

  test('the submit dialog says how many questions are flagged for review, and how many are not answered', async () => {
    seat(new FakeStation().inPart('p-l', 'l-q1'));
    await screen.findByText('Uz kurieni?');
    fireEvent.click(screen.getByTestId('flag'));
    fireEvent.click(screen.getByTestId('nav-l-q2'));
    fireEvent.click(await screen.findByTestId('flag'));
    fireEvent.click(screen.getByRole('button', { name: 'Iesniegt daļu' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Iesniegt daļu „Klausīšanās”?' });
    expect(dialog.textContent).toContain('3 jautājumi nav atbildēti.');
    expect(dialog.textContent).toContain('2 jautājumi atzīmēti pārskatīšanai.');
  });
});

describe('live regions', () => {
  test('twenty characters typed and acknowledged are announced at most twice; "not saved" and the way back to "saved" once each', async () => {
    const station = new FakeStation().inPart('p-w', 'w-q1');
    seat(station);
    const box = await screen.findByRole('textbox', { name: 'Jūsu atbilde' });
    const indicator = () => screen.getByTestId('save-indicator').dataset.state;
    const live = listen();
    const text = 'Es šodien jūtos slik';
    expect(text).toHaveLength(20);
    for (let i = 1; i <= text.length; i += 1) {
      fireEvent.change(box, { target: { value: text.slice(0, i) } });
      await waitFor(() => expect(station.revisions.at(-1)?.value).toEqual({ type: 'extended-writing', text: text.slice(0, i) }));
      await waitFor(() => expect(indicator()).toBe('saved'));
    }
    expect(live.said.length, live.said.join(' | ')).toBeLessThanOrEqual(2);
    live.said.length = 0;

    station.mode = 'hang';
    fireEvent.change(box, { target: { value: `${text}i` } });
    await waitFor(() => expect(indicator()).toBe('not-saved'), { timeout: 3000 });
    fireEvent.change(box, { target: { value: `${text}ij` } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    act(() => station.comeBack());
    await waitFor(() => expect(indicator()).toBe('saved'), { timeout: 5000 });
    await waitFor(() =>
      expect(live.said).toEqual(['Nav saglabāts — pasauciet pārbaudījuma vadītāju. Jūsu atbildes ir šajā ekrānā un tiks saglabātas, tiklīdz savienojums atjaunosies.', 'Saglabāts']),
    );
    live.stop();
  });
});

describe('the English interface', () => {
  test('marks Latvian content as Latvian: the part in the top bar, the tasks in the overview, the part in the submit dialog and on the end screen', async () => {
    settingsStore.getState().setLang('en');
    seat(new FakeStation().inPart('p-l', 'l-q1'));
    await screen.findByText('Uz kurieni?');
    expect(document.documentElement.lang).toBe('en');
    const title = screen.getByRole('heading', { level: 1 });
    expect(langOf(title, 'Klausīšanās')).toBe('lv');
    expect(langOf(title, 'Part 1 of 3')).toBe('en');
    fireEvent.click(screen.getByTestId('overview'));
    const overview = await screen.findByRole('dialog', { name: 'Overview of the part' });
    expect(langOf(overview, 'Paziņojums')).toBe('lv');
    expect(langOf(overview, 'Question 1')).toBe('en');
    fireEvent.keyDown(overview, { key: 'Escape' });
    fireEvent.click(screen.getByRole('button', { name: 'Submit the part' }));
    const submit = await screen.findByRole('alertdialog', { name: 'Submit the part “Klausīšanās”?' });
    expect(langOf(submit, 'Klausīšanās')).toBe('lv');
    expect(langOf(submit, 'Submit the part')).toBe('en');
    fireEvent.click(within(submit).getByRole('button', { name: 'Yes, submit' }));
    await screen.findByTestId('start-part');
    expect(langOf(document.querySelector('.topbar')!, 'Rakstīšana')).toBe('lv');
    cleanup();

    const station = new FakeStation().inPart('p-s', 's-q1');
    seat(station);
    fireEvent.click(await screen.findByTestId('submit-part'));
    fireEvent.click(await screen.findByRole('button', { name: 'Yes, submit' }));
    const summary = await screen.findByTestId('end-summary');
    for (const part of ['Klausīšanās', 'Rakstīšana', 'Runāšana']) expect(langOf(summary, part)).toBe('lv');
    expect(summary.textContent).toContain('Rakstīšana: 0 of 1 question answered');
  });
});

const itemsContent = ExamContent.parse({
  formatVersion: CONTENT_FORMAT_VERSION,
  examId: 'a11y-items',
  kind: 'state-language',
  level: { level: 'B', degree: 1 },
  language: 'lv',
  title: 'Vienumi',
  parts: [
    {
      id: 'p1',
      kind: 'reading',
      title: 'Lasīšana',
      timeLimitSeconds: 600,
      tasks: [
        {
          id: 't1',
          title: 'Uzdevums',
          items: [
            {
              id: 'gaps',
              type: 'gap-fill',
              points: 3,
              text: 'Nākamnedēļ veikalā būs {{g1}}. Trešdien Annai {{g2}}. Piektdien Anna strādās {{g3}}.',
              gaps: [
                { id: 'g1', options: [{ id: 'a', text: 'remonts' }, { id: 'b', text: 'izpārdošana' }] },
                { id: 'g2', options: [{ id: 'a', text: 'jāstrādā no rīta' }, { id: 'b', text: 'ir brīvdiena' }] },
                { id: 'g3', options: [{ id: 'a', text: 'no rīta' }, { id: 'b', text: 'vakara maiņā' }] },
              ],
            },
            {
              id: 'free',
              type: 'gap-fill',
              points: 2,
              text: 'Sveiks, Kārli! Es tagad dzīvoju {{g1}} (Liepāja). Katru dienu es braucu uz darbu ar {{g2}} (velosipēds).\nVieta: {{g3}}',
              gaps: [{ id: 'g1' }, { id: 'g2' }, { id: 'g3' }],
            },
            {
              id: 'match',
              type: 'matching',
              points: 2,
              left: [
                { id: 'l1', text: '1. rindkopa' },
                { id: 'l2', text: 'Pirmdien' },
              ],
              right: [
                { id: 'A', text: 'A. Ierodieties laikā' },
                { id: 'D', text: 'Auksts, naktī gandrīz nulle grādu' },
                { id: 'E', text: 'E' },
              ],
            },
            { id: 'one', type: 'single-choice', points: 1, options: [{ id: 'a', text: 'Viens' }, { id: 'b', text: 'Divi' }] },
            { id: 'some', type: 'multiple-choice', points: 1, options: [{ id: 'a', text: 'Sarkans' }, { id: 'b', text: 'Zaļš' }, { id: 'c', text: 'Zils' }], minSelect: 2, maxSelect: 2 },
          ],
        },
      ],
    },
  ],
});

function showItem(id: string) {
  const item = itemsContent.parts[0]!.tasks[0]!.items.find((i) => i.id === id)!;
  const exam = createExam(new FakeStation(itemsContent));
  render(
    <ExamContext.Provider value={exam}>
      <ItemView item={item} />
    </ExamContext.Provider>,
  );
  return exam;
}

describe('the items', () => {
  test('each gap field is named by the sentence it stands in, not by its number alone', () => {
    const exam = showItem('gaps');
    expect(screen.getAllByRole('combobox').map((c) => c.getAttribute('aria-label'))).toEqual([
      '1. tukšā vieta: Nākamnedēļ veikalā būs …',
      '2. tukšā vieta: Trešdien Annai …',
      '3. tukšā vieta: Piektdien Anna strādās …',
    ]);
    exam.dispose();
    cleanup();
    showItem('free').dispose();
    expect(screen.getByRole('textbox', { name: '1. tukšā vieta: Es tagad dzīvoju … (Liepāja)' })).toBeTruthy();
    expect(screen.getByRole('textbox', { name: '2. tukšā vieta: Katru dienu es braucu uz darbu ar … (velosipēds)' })).toBeTruthy();
    expect(screen.getByRole('textbox', { name: '3. tukšā vieta: Vieta: …' })).toBeTruthy();
    // Other gaps of the same sentence are "…" too.
    expect(gapContext('Es {{a}} un tu {{b}}!', 'b')).toBe('Es … un tu …');
  });

  test('"choose one answer" and "choose 2 answers" are heard once, as the name of the options', () => {
    for (const [id, hint] of [
      ['one', 'Izvēlieties vienu atbildi.'],
      ['some', 'Izvēlieties 2 atbildes.'],
    ] as const) {
      const exam = showItem(id);
      expect(screen.getByRole('group', { name: hint })).toBeTruthy();
      const heard = screen.getAllByText(hint).filter((el) => !el.closest('[aria-hidden="true"]'));
      expect(heard, id).toHaveLength(1);
      exam.dispose();
      cleanup();
    }
  });

  test("a matching drop-down offers each option's whole text, with its letter once", () => {
    showItem('match').dispose();
    const select = screen.getByRole('combobox', { name: 'Pāris vienumam: Pirmdien' });
    expect([...(select as HTMLSelectElement).options].map((o) => o.text)).toEqual(['— izvēlieties —', 'A. Ierodieties laikā', 'D — Auksts, naktī gandrīz nulle grādu', 'E']);
    expect([...document.querySelectorAll('.match-right li')].map((li) => li.textContent)).toEqual(['A. Ierodieties laikā', 'D — Auksts, naktī gandrīz nulle grādu', 'E']);
  });
});
