// The interface's words (src-renderer/text.ts) and the error catalogue's Latvian: every key is said
// somewhere in the renderer, counted words agree with their number (Intl.PluralRules), quotations are
// Latvian, and nothing says "I" in one gender only.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../src-shared/errors.ts';
import { TEXT, translate, type TextKey } from '../src-renderer/text.ts';

const renderer = join(import.meta.dirname, '..', 'src-renderer');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.tsx?$/.test(entry.name) && path !== join(renderer, 'text.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

const keys = Object.keys(TEXT) as TextKey[];
/** Every Latvian text a person can meet: the interface's and the error catalogue's. */
const latvian: [string, string][] = [...keys.map((k): [string, string] => [k, TEXT[k].lv]), ...Object.entries(ERROR_CATALOGUE).map(([code, e]): [string, string] => [code, e.lv])];

describe('the text catalogue', () => {
  it('has no key that the renderer never uses', () => {
    const code = sources(renderer).join('\n');
    const unused = keys.filter((key) => !code.includes(`'${key}'`) && !code.includes(`TEXT.${key}`) && !code.includes(`k="${key}"`));
    expect(unused).toEqual([]);
  });

  it('counts with the form that fits the number, in Latvian and in English, never with "reizi(-es)" or "time(s)"', () => {
    for (const key of keys) for (const lang of ['lv', 'en'] as const) expect(TEXT[key][lang], key).not.toMatch(/\((-\p{L}+|s)\)/u);
    const lv = (key: TextKey, vars: Record<string, number>) => translate('lv', key, vars);
    const en = (key: TextKey, vars: Record<string, number>) => translate('en', key, vars);
    // Latvian: one for 1, 21, 31, … (not 11); the rest (0, 2–20, 22, …) alike.
    expect([1, 2, 11, 21, 0].map((n) => lv('takesLeft', { n }))).toEqual([
      'Atļauts ierakstīt vēl 1 reizi.',
      'Atļauts ierakstīt vēl 2 reizes.',
      'Atļauts ierakstīt vēl 11 reizes.',
      'Atļauts ierakstīt vēl 21 reizi.',
      'Atļauts ierakstīt vēl 0 reizes.',
    ]);
    expect([1, 2].map((n) => en('takesLeft', { n }))).toEqual(['You may record 1 more time.', 'You may record 2 more times.']);
    expect(lv('takesAllowed', { n: 2, left: 1 })).toBe('Šo atbildi drīkst ierakstīt 2 reizes; atlikusi 1.');
    expect(lv('takesAllowed', { n: 1, left: 1 })).toBe('Šo atbildi drīkst ierakstīt 1 reizi; atlikusi 1.');
    expect(en('takesAllowed', { n: 1, left: 1 })).toBe('This answer may be recorded 1 time; 1 left.');
    expect(lv('timeForPart', { min: 1 })).toBe('Laiks: 1 minūte');
    expect(lv('timeForPart', { min: 25 })).toBe('Laiks: 25 minūtes');
    expect(en('timeForPart', { min: 1 })).toBe('Time: 1 minute');
    expect(lv('timeAdded', { s: 1 })).toBe('Pārtraukuma dēļ jūsu laikam pievienota 1 sekunde.');
    expect(lv('timeAdded', { s: 12 })).toBe('Pārtraukuma dēļ jūsu laikam pievienotas 12 sekundes.');
    expect(en('timeAdded', { s: 1 })).toBe('1 second was added to your time because of the interruption.');
    expect(lv('submitFlagged', { n: 2 })).toBe('2 jautājumi atzīmēti pārskatīšanai.');
    expect(lv('submitFlagged', { n: 1 })).toBe('1 jautājums atzīmēts pārskatīšanai.');
    expect(en('submitUnanswered', { n: 1 })).toBe('1 question is not answered.');
    expect(lv('charsLeft', { n: 1 })).toBe('Atlikusi 1 rakstzīme');
    expect(lv('playsUsed', { used: 0, limit: 1 })).toBe('Atskaņots 0 no 1 reizes');
    expect(lv('playsUsed', { used: 1, limit: 2 })).toBe('Atskaņots 1 no 2 reizēm');
    expect(en('playLimit', { limit: 1 })).toBe('The recording may be played 1 time.');
    expect(lv('endPart', { a: 1, total: 1 }).replace('{part}', 'Rakstīšana')).toBe('Rakstīšana: atbildēts 1 no 1 jautājuma');
    expect(lv('answeredCount', { a: 21, total: 30 })).toBe('Atbildēts 21 no 30');
  });

  it('fills every placeholder and every counted word of every text', () => {
    for (const key of keys) {
      for (const lang of ['lv', 'en'] as const) {
        const names = [...TEXT[key][lang].matchAll(/\{(\w+)/g)].map((m) => m[1]!);
        for (const n of [1, 2, 11]) expect(translate(lang, key, Object.fromEntries(names.map((name) => [name, n]))), key).not.toMatch(/[{}|]/);
      }
    }
  });

  it('numbers parts and questions the Latvian way: "1. daļa no 4", "1. jautājums no 11"', () => {
    expect(translate('lv', 'partOf', { n: 1, total: 4 })).toBe('1. daļa no 4');
    expect(translate('lv', 'itemNofM', { n: 1, total: 11 })).toBe('1. jautājums no 11');
    expect(translate('lv', 'itemN', { n: 3 })).toBe('3. jautājums');
    expect(translate('en', 'partOf', { n: 1, total: 4 })).toBe('Part 1 of 4');
  });
});

describe('the Latvian texts', () => {
  it('quote with „…”', () => {
    for (const [key, text] of latvian) {
      expect(text, key).not.toMatch(/["“]/);
      expect(text.split('„').length, key).toBe(text.split('”').length);
    }
    expect(translate('lv', 'submitConfirmTitle', { part: 'Lasīšana' })).toBe('Iesniegt daļu „Lasīšana”?');
  });

  it('fit every candidate and every invigilator: no "I" with a gender ("Esmu gatavs", "Esmu beidzis runāt"), no "the invigilator has …-is"', () => {
    for (const [key, text] of latvian) {
      // "esmu gatavs / gatava", "esat pārliecināts / pārliecināta": the form would have to follow the person.
      expect(text, key).not.toMatch(/(^|[^\p{L}])(esmu|esi|esat)([^\p{L}]|$)/iu);
      expect(text, key).not.toMatch(/(vadītājs|kandidāts) ir \p{L}+(is|usi)([^\p{L}]|$)/u);
    }
    expect(TEXT.startNow.lv).toBe('Sākt runāt tagad');
    expect(TEXT.stopRecording.lv).toBe('Beigt runāt');
  });
});
