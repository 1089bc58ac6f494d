// Reading a number as a candidate types it, for the numeric item type. Shared by the renderer (which
// says when an answer cannot be read as a number) and the scoring (which compares the number read
// with the key). Latvian writes the decimal separator as a comma, so "0,5" and "0.5" are one number;
// a fraction "1/2", a mixed number "1 1/2", thousands grouped by spaces ("12 500"), the minus sign
// "−" and a leading "x =" are read too. What follows the number is its unit ("12 cm", "25 %").

export type NumberForm = 'decimal' | 'fraction';

export interface ReadNumber {
  value: number;
  /** How it was written: an integer or decimal, or a fraction (a mixed number counts as a fraction). */
  form: NumberForm;
  /** What followed the number, trimmed; '' when nothing did. Compare units with `sameUnit`. */
  unit: string;
}

// A unit starts with a letter or a unit sign (%, °, €): so "12:30" is no number with a unit ":30", and
// "10²" (a power) is no number at all.
const UNIT = String.raw`(?:\s*([\p{L}%‰°€$].*))?`;
const SIGN = String.raw`([+-])?\s*`;

const PATTERNS: { re: RegExp; form: NumberForm; read: (m: RegExpExecArray) => number | undefined }[] = [
  // 1 1/2: a whole number, a space, a fraction.
  { re: new RegExp(`^${SIGN}(\\d+) (\\d+)\\s*/\\s*(\\d+)${UNIT}$`, 'u'), form: 'fraction', read: (m) => fraction(m[3]!, m[4]!, Number(m[2])) },
  { re: new RegExp(`^${SIGN}(\\d+)\\s*/\\s*(\\d+)${UNIT}$`, 'u'), form: 'fraction', read: (m) => fraction(m[2]!, m[3]!, 0) },
  // 12 500 or 12 500,75: groups of exactly three digits, so "1 1/2" above is never read as 11/2.
  { re: new RegExp(`^${SIGN}(\\d{1,3}(?: \\d{3})+)(?:[.,](\\d+))?${UNIT}$`, 'u'), form: 'decimal', read: (m) => decimal(m[2]!.replaceAll(' ', ''), m[3]) },
  { re: new RegExp(`^${SIGN}(\\d*)(?:[.,](\\d*))?${UNIT}$`, 'u'), form: 'decimal', read: (m) => (m[2] === '' && !m[3] ? undefined : decimal(m[2] || '0', m[3])) },
];

function fraction(numerator: string, denominator: string, whole: number): number | undefined {
  const d = Number(denominator);
  return d === 0 ? undefined : whole + Number(numerator) / d;
}

function decimal(whole: string, fractional: string | undefined): number {
  return Number(`${whole}.${fractional ?? ''}0`);
}

/** The number in `text`, or undefined when it holds none that can be read with certainty. */
export function readNumber(text: string): ReadNumber | undefined {
  const folded = text
    .normalize('NFC')
    .replace(/[\u2212\u2012\u2013]/gu, '-')
    .replace(/[\u2044\u2215÷]/gu, '/')
    // \s covers the no-break and thin spaces a word processor puts between groups of digits.
    .replace(/\s+/gu, ' ')
    .trim()
    // "x = 2,5" is how a worked answer is often written down; the letter is not part of the number.
    .replace(/^\p{L}\s*=\s*/u, '');
  for (const { re, form, read } of PATTERNS) {
    const m = re.exec(folded);
    if (!m) continue;
    const magnitude = read(m);
    if (magnitude === undefined || !Number.isFinite(magnitude)) return undefined;
    const unit = (m[m.length - 1] ?? '').trim();
    return { value: m[1] === '-' ? -magnitude : magnitude, form, unit };
  }
  return undefined;
}

/** Units are compared ignoring case, spaces and a "^" before a power ("CM ^2", "cm2" and "cm²" are one unit). */
export function sameUnit(a: string, b: string): boolean {
  const norm = (u: string): string => u.normalize('NFKC').toLocaleLowerCase('lv').replace(/[\s^]/gu, '');
  return norm(a) === norm(b);
}

/** Equal within the tolerance; a tiny relative slack absorbs binary rounding (0,1 + 0,2 is 0,3). */
export function withinTolerance(given: number, expected: number, tolerance: number): boolean {
  return Math.abs(given - expected) <= tolerance + 1e-9 * Math.max(1, Math.abs(expected));
}
