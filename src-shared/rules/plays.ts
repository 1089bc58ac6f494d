// When a play of restricted listening audio may be handed back. A granted play whose audio failed to
// start (the player refused it, the bytes never arrived) is given back so the candidate loses nothing;
// but a screen must not be able to replay a recording by claiming failure, so the station gives back
// only the latest play of that recording, only just after it was granted, and only once per recording
// in an attempt. The station enforces it (returnAudioPlay); the fake station keeps the same rule.

/** How long after its grant a play can still be handed back: a failed start shows within a second or two. */
export const PLAY_RETURN_WINDOW_MS = 10_000;

export interface PlayRecord {
  play: number;
  /** When the station granted it, ms since the epoch. */
  grantedAt: number;
  returned: boolean;
}

/** Plays that count against the limit: every granted play not handed back. */
export function playsCounted(plays: readonly PlayRecord[]): number {
  return plays.filter((p) => !p.returned).length;
}

/**
 * Whether `play` of one recording (given all of that recording's plays in the attempt) can be handed
 * back at `now`: 'return' it, 'already' handed back (a resend after a lost reply, acknowledged again
 * without a change), or refused with the reason.
 */
export function playReturn(plays: readonly PlayRecord[], play: number, now: number): { verdict: 'return' | 'already' } | { verdict: 'refused'; why: string } {
  const returned = plays.find((p) => p.returned);
  if (returned?.play === play) return { verdict: 'already' };
  if (returned) return { verdict: 'refused', why: `play ${returned.play} of this recording was handed back already; a recording gives back one play per attempt` };
  const latest = plays.reduce<PlayRecord | undefined>((a, p) => (a && a.play > p.play ? a : p), undefined);
  if (!latest) return { verdict: 'refused', why: 'no play of this recording was granted' };
  if (latest.play !== play) return { verdict: 'refused', why: `play ${play} is not the latest play of this recording (${latest.play} is)` };
  const age = now - latest.grantedAt;
  if (age > PLAY_RETURN_WINDOW_MS) return { verdict: 'refused', why: `play ${play} was granted ${Math.round(age / 1000)} s ago; a play is handed back only within ${PLAY_RETURN_WINDOW_MS / 1000} s of its grant` };
  return { verdict: 'return' };
}
