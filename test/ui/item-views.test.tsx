// @vitest-environment jsdom
// Every item type of the content format has its view: the registry in ItemView.tsx is checked by the
// compiler (a type without a view does not typecheck, below), and each view is rendered here.
import type { ComponentType } from 'react';
import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { CONTENT_FORMAT_VERSION, ExamContent, type ItemType } from '../../src-shared/content/schema.ts';
import { ITEM_VIEWS, ItemView, type ItemOf, type ItemViews } from '../../src-renderer/items/ItemView.tsx';
import { createExam, ExamContext } from '../../src-renderer/store/exam.ts';
import { settingsStore } from '../../src-renderer/store/settings.ts';
import { FakeStation } from './fake-station.ts';

// A registry without a view for one type is a type error (the line below must fail to typecheck).
// @ts-expect-error speaking has no view here
const _incomplete = { ...ITEM_VIEWS, speaking: undefined } satisfies ItemViews;
// A view of another type's item is a type error too.
// @ts-expect-error the ordering view cannot show a matching item
const _swapped = { ...ITEM_VIEWS, matching: ITEM_VIEWS.ordering } satisfies ItemViews;
const _oneView: ComponentType<{ item: ItemOf<'gap-fill'> }> = ITEM_VIEWS['gap-fill'];

const content = ExamContent.parse({
  formatVersion: CONTENT_FORMAT_VERSION,
  examId: 'every-type',
  kind: 'centralized',
  subject: 'test',
  language: 'lv',
  title: 'Visi veidi',
  parts: [
    {
      id: 'p1',
      kind: 'custom',
      title: 'Daļa',
      timeLimitSeconds: 600,
      tasks: [
        {
          id: 't1',
          title: 'Uzdevums',
          items: [
            { id: 'sc', type: 'single-choice', points: 1, options: [{ id: 'a', text: 'Viens' }, { id: 'b', text: 'Divi' }] },
            { id: 'mc', type: 'multiple-choice', points: 1, options: [{ id: 'a', text: 'Sarkans' }, { id: 'b', text: 'Zaļš' }], maxSelect: 2 },
            { id: 'tf', type: 'true-false-not-given', points: 1, statement: 'Saule spīd.' },
            { id: 'gf', type: 'gap-fill', points: 1, text: 'Es dzīvoju {{g1}}.', gaps: [{ id: 'g1' }] },
            { id: 'ma', type: 'matching', points: 1, left: [{ id: 'l1', text: 'Suns' }], right: [{ id: 'x', text: 'Rej' }] },
            { id: 'or', type: 'ordering', points: 1, elements: [{ id: 'e1', text: 'Pirmais' }, { id: 'e2', text: 'Otrais' }] },
            { id: 'st', type: 'short-text', points: 1, maxLength: 30 },
            { id: 'nu', type: 'numeric', points: 1, unit: 'cm' },
            { id: 'ew', type: 'extended-writing', points: 1, minWords: 1, maxWords: 10 },
            { id: 'sp', type: 'speaking', points: 1, preparationSeconds: 5, responseSeconds: 10 },
          ],
        },
      ],
    },
  ],
});

/** What shows that each type's own view was rendered. */
const SHOWN_BY: { [T in ItemType]: () => HTMLElement } = {
  'single-choice': () => screen.getByRole('radio', { name: /Viens/ }),
  'multiple-choice': () => screen.getByRole('checkbox', { name: /Sarkans/ }),
  'true-false-not-given': () => screen.getByRole('radio', { name: 'Nav informācijas' }),
  'gap-fill': () => screen.getByRole('textbox', { name: '1. tukšā vieta: Es dzīvoju …' }),
  matching: () => screen.getByRole('combobox', { name: 'Pāris vienumam: Suns' }),
  ordering: () => screen.getByRole('button', { name: 'Pārvietot lejup: Pirmais' }),
  'short-text': () => screen.getByText('Atlikušas 30 rakstzīmes'),
  numeric: () => screen.getByText(/Mērvienība jau ir norādīta/),
  'extended-writing': () => screen.getByTestId('word-count'),
  speaking: () => screen.getByTestId('start-preparation'),
};

beforeEach(() => settingsStore.getState().setLang('lv'));
afterEach(() => cleanup());

describe('ItemView', () => {
  const items = content.parts[0]!.tasks[0]!.items;

  test('the content here has one item of every type', () => {
    expect(items.map((i) => i.type).sort()).toEqual(Object.keys(ITEM_VIEWS).sort());
  });

  for (const item of items) {
    test(`shows a ${item.type} item with its own answer control`, () => {
      const exam = createExam(new FakeStation(content));
      render(
        <ExamContext.Provider value={exam}>
          <ItemView item={item} />
        </ExamContext.Provider>,
      );
      const root = document.querySelector(`[data-item-id="${item.id}"]`);
      expect(root?.className).toBe(`item item-${item.type}`);
      expect(SHOWN_BY[item.type]()).toBeTruthy();
      exam.dispose();
    });
  }
});
