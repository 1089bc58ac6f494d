import { describe, expect, it } from 'vitest';
import { checkRosterCandidates, RosterError } from '../../src-shared/rules/roster.ts';
import { validatePersonalCode } from '../../src-shared/rules/personal-code.ts';

const anna = { candidateId: 'C1', givenName: 'Anna', familyName: 'Bērziņa', personalCode: '150785-12340' };
const janis = { candidateId: 'C2', givenName: 'Jānis', familyName: 'Kalniņš', personalCode: '161175-19997' };

function problems(rows: unknown[]) {
  try {
    checkRosterCandidates(rows);
  } catch (error) {
    if (error instanceof RosterError) return error.problems;
    throw error;
  }
  return [];
}

describe('the shared roster rules', () => {
  it('normalises personal codes and keeps names exactly as given', () => {
    const [first] = checkRosterCandidates([{ ...anna, givenName: 'Anna-Marija  Ō’Neill' }]);
    expect(first).toMatchObject({ personalCode: '15078512340', givenName: 'Anna-Marija  Ō’Neill', level: null });
  });

  it('accepts a personal code typed with an en dash, an em dash or a minus sign', () => {
    for (const dash of ['\u2013', '\u2014', '\u2212', '\u2011']) expect(validatePersonalCode(`150785${dash}12340`)).toMatchObject({ valid: true, normalised: '15078512340' });
  });

  it('names the row and field of every problem', () => {
    const found = problems([anna, { ...janis, givenName: '' }, { ...janis, candidateId: 'C3', level: 'Z9' }, { candidateId: 'C4', familyName: 'X', personalCode: '150785-12341' }]);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ row: 1, candidateId: 'C2', field: 'givenName' }),
        expect.objectContaining({ row: 2, candidateId: 'C3', field: 'level' }),
        expect.objectContaining({ row: 3, candidateId: 'C4', field: 'givenName' }),
      ]),
    );
  });

  it('refuses a candidate id listed twice and one personal code on two candidates', () => {
    expect(problems([anna, { ...janis, candidateId: 'C1' }])).toEqual([expect.objectContaining({ row: 1, field: 'candidateId', message: expect.stringContaining('row 1') })]);
    expect(problems([anna, { ...janis, personalCode: '15078512340' }])).toEqual([expect.objectContaining({ row: 1, field: 'personalCode', message: expect.stringContaining('row 1') })]);
  });

  it('refuses a check digit that does not match, with what to do', () => {
    expect(problems([{ ...anna, personalCode: '150785-12341' }])).toEqual([expect.objectContaining({ field: 'personalCode', message: expect.stringContaining('mistyped') })]);
  });

  it('refuses a birth date that contradicts the personal code, and control characters in names', () => {
    expect(problems([{ ...anna, birthDate: '1985-07-16' }])).toEqual([expect.objectContaining({ field: 'birthDate' })]);
    expect(problems([{ ...anna, familyName: 'Bērziņa\u0000' }])).toEqual([expect.objectContaining({ field: 'familyName' })]);
  });
});
