// The numeric item type: how a typed number is read (Latvian decimal comma, fractions, units), how it
// is scored against its key (tolerance, allowed forms, a unit when asked), what a key may not say,
// and the station's shape check.
import { describe, expect, it } from 'vitest';
import { answerKeyMismatch, ItemKey, scoreItem } from '../../src-shared/content/answer-key.ts';
import { readNumber, sameUnit } from '../../src-shared/content/numeric.ts';
import { isAnswered, responseMismatch } from '../../src-shared/content/responses.ts';
import { CONTENT_FORMAT_VERSION, ExamContent, type Item } from '../../src-shared/content/schema.ts';

const numeric = (extra: Partial<Extract<Item, { type: 'numeric' }>> = {}): Item => ({ id: 'n', type: 'numeric', prompt: '', points: 2, maxLength: 30, ...extra });
const key = (extra: Record<string, unknown>): ItemKey => ItemKey.parse({ type: 'numeric', ...extra });
const points = (item: Item, itemKey: ItemKey, text: string): number | undefined => {
  const score = scoreItem(item, itemKey, { type: 'numeric', text });
  return score.kind === 'scored' ? score.points : undefined;
};

describe('reading a typed number', () => {
  it.each([
    ['0,5', 0.5, 'decimal', ''],
    ['0.5', 0.5, 'decimal', ''],
    [',5', 0.5, 'decimal', ''],
    ['1/2', 0.5, 'fraction', ''],
    [' 1 / 2 ', 0.5, 'fraction', ''],
    ['1 1/2', 1.5, 'fraction', ''],
    ['−3', -3, 'decimal', ''],
    ['-1/4', -0.25, 'fraction', ''],
    ['12 500', 12_500, 'decimal', ''],
    ['12\u00a0500,75', 12_500.75, 'decimal', ''],
    ['1,250', 1.25, 'decimal', ''],
    ['x = 2,5', 2.5, 'decimal', ''],
    ['12 cm', 12, 'decimal', 'cm'],
    ['12cm²', 12, 'decimal', 'cm²'],
    ['25 %', 25, 'decimal', '%'],
    ['60 km/h', 60, 'decimal', 'km/h'],
    ['1/2 m', 0.5, 'fraction', 'm'],
  ])('reads %j as %d (%s), unit %j', (text, value, form, unit) => {
    expect(readNumber(text)).toEqual({ value, form, unit });
  });

  it.each(['', 'puse', '.', 'cm', '1.250,5', '3/0', '10²', '12:30', '5 5', '1/'])('reads no number in %j', (text) => {
    expect(readNumber(text)).toBeUndefined();
  });

  it('compares units ignoring case, spaces and how the power is written', () => {
    expect(sameUnit('cm²', 'CM ^2')).toBe(true);
    expect(sameUnit('cm2', 'cm²')).toBe(true);
    expect(sameUnit('m', 'mm')).toBe(false);
  });
});

describe('scoring a numeric answer', () => {
  it('takes a half written as 0,5, 0.5 or 1/2, and not 0,05', () => {
    const half = key({ value: 0.5 });
    for (const text of ['0,5', '0.5', '1/2', '2/4', ' 0,50 ']) expect(points(numeric(), half, text), text).toBe(2);
    for (const text of ['0,05', '5', 'puse', '']) expect(points(numeric(), half, text), text).toBe(0);
    expect(scoreItem(numeric(), half, undefined)).toEqual({ kind: 'scored', points: 0, max: 2 });
  });

  it('accepts only the forms the key allows: a fraction asked for is not a decimal', () => {
    const third = key({ value: '1/3', forms: ['fraction'] });
    expect(points(numeric(), third, '1/3')).toBe(2);
    expect(points(numeric(), third, '2/6')).toBe(2);
    expect(points(numeric(), third, '0,333')).toBe(0);
    const decimalOnly = key({ value: 0.75, forms: ['decimal'] });
    expect(points(numeric(), decimalOnly, '0,75')).toBe(2);
    expect(points(numeric(), decimalOnly, '3/4')).toBe(0);
  });

  it('takes a measured value within its tolerance, edges included', () => {
    const reading = key({ value: 14.5, tolerance: 0.5 });
    for (const text of ['14', '14,5', '15', '14,8']) expect(points(numeric(), reading, text), text).toBe(2);
    for (const text of ['13,9', '15,1']) expect(points(numeric(), reading, text), text).toBe(0);
    // Binary rounding does not move an edge: 0,1 + 0,2 against 0,3 exactly.
    expect(points(numeric(), key({ value: 0.1 + 0.2 }), '0,3')).toBe(2);
  });

  it('requires a unit when the task asks for one, in any accepted spelling, and refuses another unit', () => {
    const area = key({ value: 24, units: ['cm²', 'kv. cm'], unitRequired: true });
    for (const text of ['24 cm²', '24cm2', '24 CM^2', '24 kv. cm']) expect(points(numeric(), area, text), text).toBe(2);
    for (const text of ['24', '24 m²', '2400 mm²']) expect(points(numeric(), area, text), text).toBe(0);
  });

  it('allows the unit the field shows or a listed one when no unit is required, and no other trailing text', () => {
    const shown = numeric({ unit: 'cm' });
    const length = key({ value: 12 });
    expect(points(shown, length, '12')).toBe(2);
    expect(points(shown, length, '12 cm')).toBe(2);
    expect(points(shown, length, '12 mm')).toBe(0);
    expect(points(numeric(), length, '12 cm')).toBe(0);
    expect(points(numeric(), key({ value: 12, units: ['eiro', '€'] }), '12 €')).toBe(2);
  });

  it('refuses a key whose value is no number, and one that requires a unit it cannot accept', () => {
    expect(ItemKey.safeParse({ type: 'numeric', value: 'puse' }).success).toBe(false);
    expect(ItemKey.safeParse({ type: 'numeric', value: '5 cm' }).success).toBe(false);
    expect(ItemKey.safeParse({ type: 'numeric', value: 1, tolerance: -1 }).success).toBe(false);
    const content = ExamContent.parse({
      formatVersion: CONTENT_FORMAT_VERSION,
      examId: 'k',
      kind: 'centralized',
      subject: 'Matemātika',
      language: 'lv',
      title: 'K',
      parts: [{ id: 'p', kind: 'custom', title: 'P', timeLimitSeconds: 600, tasks: [{ id: 't', title: 'T', items: [numeric({ id: 'a' }), numeric({ id: 'b', unit: 'cm' })] }] }],
    });
    expect(answerKeyMismatch(content, { a: key({ value: 1 }), b: key({ value: 2 }) })).toBeUndefined();
    expect(answerKeyMismatch(content, { a: key({ value: 1, unitRequired: true }), b: key({ value: 2 }) })).toMatch(/requires a unit but names none/);
    expect(answerKeyMismatch(content, { a: key({ value: 1 }), b: key({ value: 2, units: ['cm'], unitRequired: true }) })).toMatch(/shows its unit cm/);
  });
});

describe('the station and a numeric answer', () => {
  it('takes any text up to the item length, half-typed numbers included, and counts blank as unanswered', () => {
    const item = numeric({ maxLength: 10 });
    expect(responseMismatch(item, { type: 'numeric', text: '1/' })).toBeUndefined();
    expect(responseMismatch(item, { type: 'numeric', text: '1'.repeat(11) })).toMatch(/longer than 10/);
    expect(responseMismatch(item, { type: 'short-text', text: '1' })).toMatch(/numeric/);
    expect(isAnswered(item, { type: 'numeric', text: '  ' })).toBe(false);
    expect(isAnswered(item, { type: 'numeric', text: '0,5' })).toBe(true);
  });
});
