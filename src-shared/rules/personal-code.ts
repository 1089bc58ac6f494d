// Latvian personal code (personas kods) validation: the old DDMMYY-CNNNK format with its check digit
// and the new 32..39 format (from 1 July 2017) that has no official checksum.

export type PersonalCodeResult =
  | { valid: true; format: 'old'; normalised: string; birthDate: string }
  | { valid: true; format: 'new'; normalised: string }
  | { valid: false; reason: 'length' | 'characters' | 'century' | 'date' | 'check-digit' };

const WEIGHTS = [1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;

/** Check digit of the old format. A remainder of 10 is accepted as 0 (policy UNCONFIRMED in domain.md). */
export function oldFormatCheckDigit(firstTenDigits: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i += 1) sum += (WEIGHTS[i] ?? 0) * Number(firstTenDigits[i]);
  const k = (((1101 - sum) % 11) + 11) % 11;
  return k === 10 ? 0 : k;
}

/** Dashes a keyboard, a word processor or a PDF may put where the hyphen belongs. */
const DASHES = /[\u2010-\u2015\u2212\ufe58\ufe63\uff0d]/g;

export function validatePersonalCode(input: string): PersonalCodeResult {
  let code = input.replace(/\s+/g, '').replace(DASHES, '-');
  if (code.length === 12 && code[6] === '-') code = code.slice(0, 6) + code.slice(7);
  if (code.length !== 11) return { valid: false, reason: 'length' };
  if (!/^\d{11}$/.test(code)) return { valid: false, reason: 'characters' };
  const normalised = code;
  if (/^3[2-9]/.test(code)) return { valid: true, format: 'new', normalised };

  const day = Number(code.slice(0, 2));
  const month = Number(code.slice(2, 4));
  const yy = Number(code.slice(4, 6));
  const century = code[6];
  const base = century === '0' ? 1800 : century === '1' ? 1900 : century === '2' ? 2000 : undefined;
  if (base === undefined) return { valid: false, reason: 'century' };
  const year = base + yy;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return { valid: false, reason: 'date' };
  }
  if (oldFormatCheckDigit(code) !== Number(code[10])) return { valid: false, reason: 'check-digit' };
  const birthDate = `${String(year).padStart(4, '0')}-${code.slice(2, 4)}-${code.slice(0, 2)}`;
  return { valid: true, format: 'old', normalised, birthDate };
}

/** What a candidate sees of their own code on screen: the birth part and the last digit hidden. */
export function maskPersonalCode(normalised: string): string {
  if (normalised.length !== 11) return '******-*****';
  return `${normalised.slice(0, 2)}****-***${normalised.slice(9)}`;
}
