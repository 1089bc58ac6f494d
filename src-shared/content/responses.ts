// What a candidate's answer to each item type looks like, and the check that an answer fits its item.
// The station validates every saved answer against the item it claims to answer.
import { z } from 'zod';
import type { Item } from './schema.ts';

const ref = z.string().min(1).max(64);

export const ResponseValue = z.discriminatedUnion('type', [
  z.object({ type: z.literal('single-choice'), optionId: ref.nullable() }),
  z.object({ type: z.literal('multiple-choice'), optionIds: z.array(ref).max(12) }),
  z.object({ type: z.literal('true-false-not-given'), choice: z.enum(['true', 'false', 'not-given']).nullable() }),
  z.object({ type: z.literal('gap-fill'), gaps: z.record(ref, z.string().max(2000)) }),
  z.object({ type: z.literal('matching'), pairs: z.record(ref, ref.nullable()) }),
  z.object({ type: z.literal('ordering'), order: z.array(ref).max(20) }),
  z.object({ type: z.literal('short-text'), text: z.string().max(2000) }),
  // The text as typed, not the number read from it: the rater and the audit see what the candidate wrote.
  z.object({ type: z.literal('numeric'), text: z.string().max(100) }),
  z.object({ type: z.literal('extended-writing'), text: z.string().max(100_000) }),
  z.object({ type: z.literal('speaking'), recordingIds: z.array(z.string().uuid()).max(5) }),
]);
export type ResponseValue = z.infer<typeof ResponseValue>;

/** Why an answer does not fit its item, or undefined when it fits. */
export function responseMismatch(item: Item, value: ResponseValue): string | undefined {
  if (item.type !== value.type) return `item ${item.id} is ${item.type}, the answer is ${value.type}`;
  const unknown = (ids: Iterable<string | null>, allowed: string[]): string | undefined => {
    for (const idValue of ids) if (idValue !== null && !allowed.includes(idValue)) return `unknown choice ${idValue}`;
    return undefined;
  };
  switch (value.type) {
    case 'single-choice':
      return item.type === 'single-choice' ? unknown([value.optionId], item.options.map((o) => o.id)) : undefined;
    case 'multiple-choice': {
      if (item.type !== 'multiple-choice') return undefined;
      if (new Set(value.optionIds).size !== value.optionIds.length) return 'a choice is repeated';
      if (item.maxSelect !== undefined && value.optionIds.length > item.maxSelect) return `at most ${item.maxSelect} choices`;
      return unknown(value.optionIds, item.options.map((o) => o.id));
    }
    case 'gap-fill': {
      if (item.type !== 'gap-fill') return undefined;
      for (const [gapId, answer] of Object.entries(value.gaps)) {
        const gap = item.gaps.find((g) => g.id === gapId);
        if (!gap) return `unknown gap ${gapId}`;
        if (gap.options && answer !== '' && !gap.options.some((o) => o.id === answer)) return `unknown choice ${answer}`;
        if (!gap.options && answer.length > gap.maxLength) return `gap ${gapId} is longer than ${gap.maxLength}`;
      }
      return undefined;
    }
    case 'matching': {
      if (item.type !== 'matching') return undefined;
      return unknown(Object.keys(value.pairs), item.left.map((o) => o.id)) ?? unknown(Object.values(value.pairs), item.right.map((o) => o.id));
    }
    case 'ordering': {
      if (item.type !== 'ordering') return undefined;
      if (new Set(value.order).size !== value.order.length) return 'an element is repeated';
      return unknown(value.order, item.elements.map((e) => e.id));
    }
    case 'short-text':
      return item.type === 'short-text' && value.text.length > item.maxLength ? `longer than ${item.maxLength} characters` : undefined;
    case 'numeric':
      // Any text up to the length fits: "0," or "1/" is a number half typed, and what cannot be read as
      // a number is wrong when scored, not refused when saved.
      return item.type === 'numeric' && value.text.length > item.maxLength ? `longer than ${item.maxLength} characters` : undefined;
    case 'extended-writing':
    case 'true-false-not-given':
    case 'speaking':
      return undefined;
  }
}

/** Words as a candidate counts them: runs of letters or digits, Latvian diacritics included. */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*/gu)?.length ?? 0;
}

/** Whether an answer counts as given, for the overview, the end screen and the station's summary. */
export function isAnswered(item: Item, value: ResponseValue | undefined): boolean {
  if (!value || value.type !== item.type) return false;
  switch (value.type) {
    case 'single-choice':
      return value.optionId !== null;
    case 'multiple-choice':
      return value.optionIds.length > 0;
    case 'true-false-not-given':
      return value.choice !== null;
    case 'gap-fill':
      return item.type === 'gap-fill' && item.gaps.every((g) => (value.gaps[g.id] ?? '').trim() !== '');
    case 'matching':
      return item.type === 'matching' && item.left.every((l) => value.pairs[l.id]);
    case 'ordering':
      return value.order.length > 0;
    case 'short-text':
    case 'numeric':
      return value.text.trim() !== '';
    case 'extended-writing':
      return countWords(value.text) > 0;
    case 'speaking':
      return value.recordingIds.length > 0;
  }
}
