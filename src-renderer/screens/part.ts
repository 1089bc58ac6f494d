// What the part screens share: the part the attempt is in, and its items numbered in the order the
// candidate meets them.
import type { Item, Part, Task } from '../../src-shared/content/schema.ts';
import { useAttempt } from '../store/exam.ts';

/** The part the attempt is in, with its place among the test's parts; null outside a part. */
export function usePart(): { part: Part; index: number; total: number } | null {
  const content = useAttempt((s) => s.content);
  const partId = useAttempt((s) => s.partId);
  if (!content || !partId) return null;
  const index = content.parts.findIndex((p) => p.id === partId);
  const part = content.parts[index];
  return part ? { part, index, total: content.parts.length } : null;
}

/** An item of the part with its task and its number (1, 2, …) across the part. */
export interface PlacedItem {
  item: Item;
  task: Task;
  number: number;
}
