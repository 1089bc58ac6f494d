import { describe, expect, it } from 'vitest';
import { languageTestPassed, scoreItem, type ItemKey } from '../../src-shared/content/answer-key.ts';
import type { Item } from '../../src-shared/content/schema.ts';

const single: Item = { id: 'q', type: 'single-choice', prompt: '', points: 1, options: [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }] };
const gaps: Item = { id: 'g', type: 'gap-fill', prompt: '', points: 2, text: '{{g1}} {{g2}}', gaps: [{ id: 'g1', maxLength: 40 }, { id: 'g2', maxLength: 40 }] };
const multi: Item = { id: 'm', type: 'multiple-choice', prompt: '', points: 2, minSelect: 1, options: [{ id: 'a', text: 'A' }, { id: 'b', text: 'B' }, { id: 'c', text: 'C' }] };

describe('objective scoring', () => {
  it('scores single choice right, wrong and unanswered', () => {
    const key: ItemKey = { type: 'single-choice', optionId: 'b' };
    expect(scoreItem(single, key, { type: 'single-choice', optionId: 'b' })).toEqual({ kind: 'scored', points: 1, max: 1 });
    expect(scoreItem(single, key, { type: 'single-choice', optionId: 'a' })).toEqual({ kind: 'scored', points: 0, max: 1 });
    expect(scoreItem(single, key, undefined)).toEqual({ kind: 'scored', points: 0, max: 1 });
  });

  it('scores gaps per gap, ignoring case, spaces and Unicode form', () => {
    const key: ItemKey = { type: 'gap-fill', gaps: { g1: ['Rīgā'], g2: ['350'] } };
    expect(scoreItem(gaps, key, { type: 'gap-fill', gaps: { g1: '  rīgā ', g2: '351' } })).toEqual({ kind: 'scored', points: 1, max: 2 });
    expect(scoreItem(gaps, key, { type: 'gap-fill', gaps: { g1: 'Ri\u0304ga\u0304', g2: '350' } })).toEqual({ kind: 'scored', points: 2, max: 2 });
  });

  it('scores multiple choice all-or-nothing or per option with wrong choices subtracted', () => {
    const all: ItemKey = { type: 'multiple-choice', optionIds: ['a', 'b'], scoring: 'all-or-nothing' };
    const per: ItemKey = { type: 'multiple-choice', optionIds: ['a', 'b'], scoring: 'per-option' };
    expect(scoreItem(multi, all, { type: 'multiple-choice', optionIds: ['a'] }).kind === 'scored' && scoreItem(multi, all, { type: 'multiple-choice', optionIds: ['a'] })).toMatchObject({ points: 0 });
    expect(scoreItem(multi, per, { type: 'multiple-choice', optionIds: ['a'] })).toMatchObject({ points: 1 });
    expect(scoreItem(multi, per, { type: 'multiple-choice', optionIds: ['a', 'c'] })).toMatchObject({ points: 0 });
  });

  it('sends writing and speaking to a rater', () => {
    const writing: Item = { id: 'w', type: 'extended-writing', prompt: '', points: 5, minWords: 10, maxWords: 50 };
    expect(scoreItem(writing, { type: 'extended-writing', rubric: '' }, { type: 'extended-writing', text: 'x' })).toEqual({ kind: 'rater', max: 5 });
  });

  it('passes the language test only with 60 % in every part (MK 157), threshold configurable', () => {
    expect(languageTestPassed([{ points: 9, max: 15 }, { points: 15, max: 15 }, { points: 9, max: 15 }, { points: 10, max: 15 }])).toBe(true);
    expect(languageTestPassed([{ points: 8.5, max: 15 }, { points: 15, max: 15 }, { points: 15, max: 15 }, { points: 15, max: 15 }])).toBe(false);
    expect(languageTestPassed([{ points: 8, max: 15 }], 0.5)).toBe(true);
    expect(languageTestPassed([])).toBe(false);
  });
});
