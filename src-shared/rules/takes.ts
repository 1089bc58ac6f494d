// How many takes of a speaking item count against the takes it allows. The station enforces it; the
// candidate's screen uses the same rule to say how many are left.

export type TakeInterruption = 'station-restart' | 'seat-restart' | 'submitted';

/**
 * Every take the candidate finished, and every take the seat cut off (a reload, a frozen screen)
 * except the first such one on the item, counts. Takes cut off by a station restart, or closed when
 * the test was submitted, never count: the candidate could do nothing about them.
 */
export function takesUsed(takes: readonly { interruption: TakeInterruption | null }[]): number {
  const finished = takes.filter((t) => t.interruption === null).length;
  const cutBySeat = takes.filter((t) => t.interruption === 'seat-restart').length;
  return finished + Math.max(0, cutBySeat - 1);
}

/**
 * How many more takes the candidate may start. A take still open (a reload cut it off) counts as the
 * next start will close it: cut off by the seat. Should the station find that it was cut off by its
 * own restart instead, that take is free, so the screen never promises a take the station refuses.
 */
export function takesLeft(allowed: number, takes: readonly { closed: boolean; interruption: TakeInterruption | null }[]): number {
  return Math.max(0, allowed - takesUsed(takes.map((t) => ({ interruption: t.closed ? t.interruption : 'seat-restart' }))));
}
