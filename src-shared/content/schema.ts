// The exam content format: what a test is made of (parts, tasks, stimuli, items), as a venue sees it.
// The source format that authors write adds answer keys; `source.ts` strips them before packing, so
// this schema is exactly what travels to a venue and it has no field that could carry an answer.
import { z } from 'zod';

export const CONTENT_FORMAT_VERSION = 3;

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'identifier: letters, digits, dot, dash, underscore');
/** A path of a media file inside the package, e.g. `media/listening-1.opus`. */
const mediaPath = z
  .string()
  .min(1)
  .max(200)
  .regex(/^media\/[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+$/, 'media path must look like media/NAME.ext');
const text = z.string().min(1).max(20_000);

export const LanguageLevel = z.object({
  level: z.enum(['A', 'B', 'C']),
  degree: z.union([z.literal(1), z.literal(2)]),
});
export type LanguageLevel = z.infer<typeof LanguageLevel>;

export const Stimulus = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), id, title: z.string().max(300).optional(), text }),
  z.object({ type: z.literal('image'), id, media: mediaPath, alt: z.string().min(1).max(1000) }),
  z.object({
    type: z.literal('audio'),
    id,
    media: mediaPath,
    /** How many times the candidate may play it; the station, not the button, refuses the extra play. */
    playLimit: z.number().int().min(1).max(10),
    durationSeconds: z.number().positive().max(3600).optional(),
  }),
]);
export type Stimulus = z.infer<typeof Stimulus>;

const option = z.object({ id, text: z.string().min(1).max(2000) });
const itemBase = {
  id,
  prompt: z.string().max(5000).default(''),
  points: z.number().min(0).max(100),
};

export const Item = z.discriminatedUnion('type', [
  z.object({ ...itemBase, type: z.literal('single-choice'), options: z.array(option).min(2).max(12) }),
  z.object({
    ...itemBase,
    type: z.literal('multiple-choice'),
    options: z.array(option).min(2).max(12),
    minSelect: z.number().int().min(0).default(1),
    maxSelect: z.number().int().min(1).optional(),
  }),
  z.object({ ...itemBase, type: z.literal('true-false-not-given'), statement: z.string().min(1).max(2000) }),
  z.object({
    ...itemBase,
    type: z.literal('gap-fill'),
    /** Text with gaps written as {{gapId}}. */
    text: z.string().min(1).max(10_000),
    gaps: z
      .array(z.object({ id, options: z.array(option).min(2).max(12).optional(), maxLength: z.number().int().min(1).max(200).default(40) }))
      .min(1)
      .max(30),
  }),
  z.object({
    ...itemBase,
    type: z.literal('matching'),
    left: z.array(option).min(1).max(20),
    right: z.array(option).min(1).max(26),
  }),
  z.object({ ...itemBase, type: z.literal('ordering'), elements: z.array(option).min(2).max(20) }),
  z.object({ ...itemBase, type: z.literal('short-text'), maxLength: z.number().int().min(1).max(2000).default(200) }),
  z.object({
    ...itemBase,
    type: z.literal('numeric'),
    /** A unit printed after the answer field ("cm²"): the candidate types the number alone. */
    unit: z.string().min(1).max(20).optional(),
    maxLength: z.number().int().min(1).max(100).default(30),
  }),
  z.object({
    ...itemBase,
    type: z.literal('extended-writing'),
    minWords: z.number().int().min(0).max(5000),
    maxWords: z.number().int().min(1).max(10_000),
  }),
  z.object({
    ...itemBase,
    type: z.literal('speaking'),
    preparationSeconds: z.number().int().min(0).max(1800),
    responseSeconds: z.number().int().min(5).max(1800),
    /** How many recordings the candidate may make; 1 means no re-recording. */
    recordingsAllowed: z.number().int().min(1).max(5).default(1),
  }),
]);
export type Item = z.infer<typeof Item>;
export type ItemType = Item['type'];

export const Task = z.object({
  id,
  title: z.string().min(1).max(300),
  instructions: z.string().max(10_000).default(''),
  stimuli: z.array(Stimulus).max(20).default([]),
  items: z.array(Item).min(1).max(100),
});
export type Task = z.infer<typeof Task>;

export const PartKind = z.enum(['listening', 'reading', 'writing', 'speaking', 'custom']);
export type PartKind = z.infer<typeof PartKind>;

export const Part = z.object({
  id,
  kind: PartKind,
  title: z.string().min(1).max(300),
  instructions: z.string().max(10_000).default(''),
  timeLimitSeconds: z.number().int().min(60).max(6 * 3600),
  tasks: z.array(Task).min(1).max(50),
});
export type Part = z.infer<typeof Part>;

const contentBase = {
  formatVersion: z.literal(CONTENT_FORMAT_VERSION),
  examId: id,
  title: z.string().min(1).max(300),
  /** The language the exam content is written in. */
  language: z.string().regex(/^[a-z]{2}$/),
  instructions: z.string().max(20_000).default(''),
  /** Whether pasting into text answers is allowed. */
  pastePolicy: z.enum(['allow', 'block']).default('block'),
  parts: z.array(Part).min(1).max(20),
};

export const ExamContent = z
  .discriminatedUnion('kind', [
    z.object({ ...contentBase, kind: z.literal('state-language'), level: LanguageLevel }),
    z.object({ ...contentBase, kind: z.literal('centralized'), subject: z.string().min(1).max(200) }),
  ])
  .superRefine((content, ctx) => {
    const seen = new Set<string>();
    const note = (value: string, path: (string | number)[]): void => {
      if (seen.has(value)) ctx.addIssue({ code: 'custom', message: `duplicate identifier ${value}`, path });
      seen.add(value);
    };
    content.parts.forEach((part, p) => {
      note(`part:${part.id}`, ['parts', p, 'id']);
      if (content.kind === 'state-language' && part.kind === 'custom') {
        ctx.addIssue({ code: 'custom', message: 'a state language test has only listening, reading, writing and speaking parts', path: ['parts', p, 'kind'] });
      }
      part.tasks.forEach((task, t) => {
        note(`task:${task.id}`, ['parts', p, 'tasks', t, 'id']);
        task.stimuli.forEach((s, si) => note(`stimulus:${s.id}`, ['parts', p, 'tasks', t, 'stimuli', si, 'id']));
        task.items.forEach((item, i) => {
          note(`item:${item.id}`, ['parts', p, 'tasks', t, 'items', i, 'id']);
          const path = ['parts', p, 'tasks', t, 'items', i];
          const choices = item.type === 'matching' ? [...item.left, ...item.right] : 'options' in item ? item.options : item.type === 'ordering' ? item.elements : [];
          if (new Set(choices.map((o) => o.id)).size !== choices.length) ctx.addIssue({ code: 'custom', message: 'an option identifier is repeated', path });
          if (item.type === 'extended-writing' && item.minWords > item.maxWords) {
            ctx.addIssue({ code: 'custom', message: 'minWords is above maxWords', path });
          }
          if (item.type === 'multiple-choice' && item.maxSelect !== undefined && item.maxSelect < item.minSelect) {
            ctx.addIssue({ code: 'custom', message: 'maxSelect is below minSelect', path });
          }
          if (item.type === 'gap-fill') {
            const inText = [...item.text.matchAll(/\{\{([^}]+)\}\}/g)].map((m) => m[1]);
            const declared = item.gaps.map((g) => g.id);
            if (inText.length !== declared.length || declared.some((g) => !inText.includes(g))) {
              ctx.addIssue({ code: 'custom', message: 'gaps in the text and declared gaps differ', path });
            }
          }
          if (item.type === 'speaking' && part.kind !== 'speaking' && part.kind !== 'custom') {
            ctx.addIssue({ code: 'custom', message: 'a speaking item belongs in a speaking part', path });
          }
        });
      });
    });
  });
export type ExamContent = z.infer<typeof ExamContent>;

/** Every item of a test with where it sits; the order is the order the candidate meets them. */
export function listItems(content: ExamContent): { part: Part; task: Task; item: Item }[] {
  return content.parts.flatMap((part) => part.tasks.flatMap((task) => task.items.map((item) => ({ part, task, item }))));
}

const itemIndexes = new WeakMap<ExamContent, Map<string, { part: Part; task: Task; item: Item }>>();

/** Where an item sits. Indexed once per content object: this is on the path of every saved answer. */
export function findItem(content: ExamContent, itemId: string): { part: Part; task: Task; item: Item } | undefined {
  let index = itemIndexes.get(content);
  if (!index) {
    index = new Map(listItems(content).map((entry) => [entry.item.id, entry]));
    itemIndexes.set(content, index);
  }
  return index.get(itemId);
}

export function findStimulus(content: ExamContent, stimulusId: string): { part: Part; task: Task; stimulus: Stimulus } | undefined {
  for (const part of content.parts) {
    for (const task of part.tasks) {
      const stimulus = task.stimuli.find((s) => s.id === stimulusId);
      if (stimulus) return { part, task, stimulus };
    }
  }
  return undefined;
}

/** Media files the content refers to; a package must carry each of them. */
export function referencedMedia(content: ExamContent): string[] {
  const media = new Set<string>();
  for (const part of content.parts) for (const task of part.tasks) for (const s of task.stimuli) if (s.type !== 'text') media.add(s.media);
  return [...media].sort();
}

/** Whether the test plays recordings or records spoken answers: only then does a seat need its headphones and microphone checked. */
export function usesSound(content: ExamContent): boolean {
  return content.parts.some((part) => part.tasks.some((task) => task.stimuli.some((s) => s.type === 'audio') || task.items.some((item) => item.type === 'speaking')));
}

export function maxPointsOfPart(part: Part): number {
  return part.tasks.reduce((sum, task) => sum + task.items.reduce((s, item) => s + item.points, 0), 0);
}
