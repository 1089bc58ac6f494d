// Answer keys: written by authors beside the content, split off by the package builder into a separate
// file for the central API. They never travel to a venue. The objective scoring rule lives here too.
import { z } from 'zod';
import type { ExamContent, Item } from './schema.ts';
import { listItems } from './schema.ts';
import type { ResponseValue } from './responses.ts';
import { readNumber, sameUnit, withinTolerance } from './numeric.ts';

const ref = z.string().min(1).max(64);
const accepted = z.array(z.string().min(1).max(2000)).min(1);
/** A key's number: a JSON number, or text in the candidate's notation ("1/3") where no decimal is exact. */
const keyNumber = z.union([
  z.number().finite(),
  z.string().max(100).refine((s) => readNumber(s)?.unit === '', 'a number such as 0.5, "0,5" or "1/3", without a unit'),
]);

export const ItemKey = z.discriminatedUnion('type', [
  z.object({ type: z.literal('single-choice'), optionId: ref }),
  z.object({ type: z.literal('multiple-choice'), optionIds: z.array(ref).min(1), scoring: z.enum(['all-or-nothing', 'per-option']).default('all-or-nothing') }),
  z.object({ type: z.literal('true-false-not-given'), choice: z.enum(['true', 'false', 'not-given']) }),
  z.object({ type: z.literal('gap-fill'), gaps: z.record(ref, accepted) }),
  z.object({ type: z.literal('matching'), pairs: z.record(ref, ref) }),
  z.object({ type: z.literal('ordering'), order: z.array(ref).min(2) }),
  z.object({ type: z.literal('short-text'), accepted }),
  z.object({
    type: z.literal('numeric'),
    value: keyNumber,
    /** Absolute: an answer within value ± tolerance is right (a value read off a graph or measured). */
    tolerance: z.number().min(0).max(1e9).default(0),
    /** How the number may be written: a decimal (integers too, comma or point) and/or a fraction. */
    forms: z.array(z.enum(['decimal', 'fraction'])).min(1).default(['decimal', 'fraction']),
    /** Spellings of the one unit the answer is in ("cm", "centimetri"); never a conversion. */
    units: z.array(z.string().min(1).max(20)).max(20).default([]),
    /** The task asks for the unit: a bare number is wrong. */
    unitRequired: z.boolean().default(false),
  }),
  z.object({ type: z.literal('extended-writing'), rubric: z.string().max(20_000).default('') }),
  z.object({ type: z.literal('speaking'), rubric: z.string().max(20_000).default('') }),
]);
export type ItemKey = z.infer<typeof ItemKey>;

export const ANSWER_KEY_FORMAT_VERSION = 1;

export const AnswerKey = z.object({
  formatVersion: z.literal(ANSWER_KEY_FORMAT_VERSION),
  examId: z.string().min(1),
  examVersion: z.number().int().min(1),
  /** The package this key belongs to: the central API refuses to pair it with another. */
  packageId: z.string().uuid(),
  items: z.record(z.string(), ItemKey),
});
export type AnswerKey = z.infer<typeof AnswerKey>;

/** Why a key cannot score its item: it names an option, gap or element the item does not have. */
function keyReferenceMismatch(item: Item, key: ItemKey): string | undefined {
  const missing = (ids: string[], known: string[], what: string): string | undefined => {
    const bad = ids.find((id) => !known.includes(id));
    return bad === undefined ? undefined : `item ${item.id}: the answer names ${what} ${bad}, which the item does not have`;
  };
  if (item.type === 'single-choice' && key.type === 'single-choice') return missing([key.optionId], item.options.map((o) => o.id), 'option');
  if (item.type === 'multiple-choice' && key.type === 'multiple-choice') return missing(key.optionIds, item.options.map((o) => o.id), 'option');
  if (item.type === 'matching' && key.type === 'matching') {
    return missing(Object.keys(key.pairs), item.left.map((o) => o.id), 'left entry') ?? missing(Object.values(key.pairs), item.right.map((o) => o.id), 'right entry');
  }
  if (item.type === 'ordering' && key.type === 'ordering') {
    const known = item.elements.map((e) => e.id);
    if (key.order.length !== known.length || new Set(key.order).size !== known.length) return `item ${item.id}: the answer must order every element once`;
    return missing(key.order, known, 'element');
  }
  if (item.type === 'numeric' && key.type === 'numeric') {
    if (key.unitRequired && key.units.length === 0) return `item ${item.id}: the answer requires a unit but names none`;
    // The field already shows the unit; asking the candidate to type it again would mark right answers wrong.
    if (key.unitRequired && item.unit !== undefined) return `item ${item.id}: the item shows its unit ${item.unit} after the field, so the answer cannot require one`;
  }
  if (item.type === 'gap-fill' && key.type === 'gap-fill') {
    const gapIds = item.gaps.map((g) => g.id);
    const unkeyed = gapIds.find((g) => !(g in key.gaps));
    if (unkeyed) return `item ${item.id}: gap ${unkeyed} has no answer`;
    for (const [gapId, accepted] of Object.entries(key.gaps)) {
      const gap = item.gaps.find((g) => g.id === gapId);
      if (!gap) return `item ${item.id}: the answer names gap ${gapId}, which the item does not have`;
      // A dropdown gap stores the chosen option's id, so its answer must be an option id, not the word.
      if (gap.options) {
        const wrong = missing(accepted, gap.options.map((o) => o.id), `for dropdown gap ${gapId} the option`);
        if (wrong) return wrong;
      }
    }
  }
  return undefined;
}

/** Why a key does not fit its content, or undefined when every item has a usable key of its own type. */
export function answerKeyMismatch(content: ExamContent, items: Record<string, ItemKey>): string | undefined {
  for (const { item } of listItems(content)) {
    const key = items[item.id];
    if (!key) return `item ${item.id} has no answer key`;
    if (key.type !== item.type) return `item ${item.id} is ${item.type}, its key is ${key.type}`;
    const reference = keyReferenceMismatch(item, key);
    if (reference) return reference;
  }
  const known = new Set(listItems(content).map((e) => e.item.id));
  const stray = Object.keys(items).find((itemId) => !known.has(itemId));
  return stray ? `answer key for unknown item ${stray}` : undefined;
}

export type ItemScore = { kind: 'scored'; points: number; max: number } | { kind: 'rater'; max: number };

const normaliseText = (s: string): string => s.normalize('NFC').trim().replace(/\s+/g, ' ').toLocaleLowerCase('lv');

/** Score one objective item; writing and speaking go to a rater. A missing answer scores 0. */
export function scoreItem(item: Item, key: ItemKey, value: ResponseValue | undefined): ItemScore {
  const max = item.points;
  if (key.type === 'extended-writing' || key.type === 'speaking') return { kind: 'rater', max };
  const scored = (fraction: number): ItemScore => ({ kind: 'scored', points: Math.round(max * fraction * 100) / 100, max });
  if (!value || value.type !== key.type) return scored(0);
  switch (key.type) {
    case 'single-choice':
      return scored(value.type === 'single-choice' && value.optionId === key.optionId ? 1 : 0);
    case 'true-false-not-given':
      return scored(value.type === 'true-false-not-given' && value.choice === key.choice ? 1 : 0);
    case 'multiple-choice': {
      if (value.type !== 'multiple-choice') return scored(0);
      const chosen = new Set(value.optionIds);
      const right = key.optionIds.filter((o) => chosen.has(o)).length;
      const wrong = value.optionIds.filter((o) => !key.optionIds.includes(o)).length;
      if (key.scoring === 'all-or-nothing') return scored(right === key.optionIds.length && wrong === 0 ? 1 : 0);
      return scored(Math.max(0, right - wrong) / key.optionIds.length);
    }
    case 'gap-fill': {
      if (value.type !== 'gap-fill') return scored(0);
      const gaps = Object.entries(key.gaps);
      const right = gaps.filter(([gapId, ok]) => {
        const given = value.gaps[gapId];
        return given !== undefined && ok.some((a) => normaliseText(a) === normaliseText(given));
      }).length;
      return scored(right / gaps.length);
    }
    case 'matching': {
      if (value.type !== 'matching') return scored(0);
      const pairs = Object.entries(key.pairs);
      return scored(pairs.filter(([l, r]) => value.pairs[l] === r).length / pairs.length);
    }
    case 'ordering':
      return scored(value.type === 'ordering' && value.order.join('|') === key.order.join('|') ? 1 : 0);
    case 'short-text':
      return scored(value.type === 'short-text' && key.accepted.some((a) => normaliseText(a) === normaliseText(value.text)) ? 1 : 0);
    case 'numeric':
      return scored(value.type === 'numeric' && item.type === 'numeric' && numericAnswerRight(item.unit, key, value.text) ? 1 : 0);
  }
}

/**
 * A numeric answer is right when it reads as a number in an allowed form, within the tolerance, and its
 * unit (if any) is one the key accepts or the one the field shows. All or nothing.
 */
function numericAnswerRight(shownUnit: string | undefined, key: Extract<ItemKey, { type: 'numeric' }>, text: string): boolean {
  const read = readNumber(text);
  if (!read || !key.forms.includes(read.form)) return false;
  const expected = typeof key.value === 'number' ? key.value : readNumber(key.value)?.value;
  if (expected === undefined || !withinTolerance(read.value, expected, key.tolerance)) return false;
  if (read.unit === '') return !key.unitRequired;
  return [...(shownUnit === undefined ? [] : [shownUnit]), ...key.units].some((u) => sameUnit(u, read.unit));
}

/** MK 157: the test is passed when each part reaches the threshold share of its maximum (60 % by default). */
export function languageTestPassed(parts: { points: number; max: number }[], threshold = 0.6): boolean {
  return parts.length > 0 && parts.every((p) => p.max > 0 && p.points >= p.max * threshold - 1e-9);
}
