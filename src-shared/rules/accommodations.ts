// Registered accommodations, as the roster carries them (a candidate's `accommodation`, with the number
// and date of the document that grants it; never a diagnosis, MK 117 11.3.10). The roster names them
// by code, separated by commas or semicolons:
//   extra-time-N    N % more time in every part (1–100), applied when the part starts
//   large-print     the seat opens with large text
//   separate-room   the candidate sits in a room of their own (the invigilator's to arrange)
// Anything else is kept as written and shown to the invigilator, who applies it by hand: the station
// never guesses what free text means.

export interface Accommodations {
  extraTimePercent: number | null;
  largePrint: boolean;
  separateRoom: boolean;
  /** What the roster said that is not a code above, as written. */
  other: string[];
}

const EXTRA_TIME = /^extra-time-(\d{1,3})$/;

export function parseAccommodations(text: string | null | undefined): Accommodations {
  const found: Accommodations = { extraTimePercent: null, largePrint: false, separateRoom: false, other: [] };
  for (const raw of (text ?? '').split(/[;,]/)) {
    const token = raw.trim();
    if (token === '') continue;
    const code = token.toLowerCase();
    const extra = EXTRA_TIME.exec(code);
    if (extra && Number(extra[1]) >= 1 && Number(extra[1]) <= 100) found.extraTimePercent = Math.max(found.extraTimePercent ?? 0, Number(extra[1]));
    else if (code === 'large-print') found.largePrint = true;
    else if (code === 'separate-room') found.separateRoom = true;
    else found.other.push(token);
  }
  return found;
}

/** The extra time a part of this length gets, in whole seconds (0 without the accommodation). */
export function accommodationExtraMs(partLimitMs: number, accommodations: Accommodations): number {
  if (!accommodations.extraTimePercent) return 0;
  return Math.round((partLimitMs * accommodations.extraTimePercent) / 100 / 1000) * 1000;
}

/** The reason kept with the extra time, naming the accommodation and the document behind it. */
export function accommodationReason(accommodations: Accommodations, docNo: string | null, docDate: string | null): string {
  const doc = [docNo, docDate].filter(Boolean).join(', ');
  return `registered accommodation: extra-time-${accommodations.extraTimePercent ?? 0}${doc ? ` (${doc})` : ''}`;
}

/**
 * The accommodations of a roster text as Latvian words, one per code (the console's check-in shows the
 * same in both languages from its text catalogue); what is not a code stays as written.
 */
export function accommodationLabelsLv(text: string | null | undefined): string[] {
  const { extraTimePercent, largePrint, separateRoom, other } = parseAccommodations(text);
  return [...(extraTimePercent ? [`papildlaiks ${extraTimePercent} %`] : []), ...(largePrint ? ['liels šrifts'] : []), ...(separateRoom ? ['atsevišķa telpa'] : []), ...other];
}
