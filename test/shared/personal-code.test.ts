import { describe, expect, it } from 'vitest';
import { maskPersonalCode, oldFormatCheckDigit, validatePersonalCode } from '../../src-shared/rules/personal-code.ts';

describe('personal code', () => {
  it.each([
    ['150785-12340', '1985-07-15'],
    ['161175-19997', '1975-11-16'],
    ['030303-10012', '1903-03-03'],
  ])('accepts the worked example %s from domain.md with its birth date', (code, birthDate) => {
    expect(validatePersonalCode(code)).toEqual({ valid: true, format: 'old', normalised: code.replace('-', ''), birthDate });
  });

  it('computes the check digit with the weights 1,6,3,7,9,10,5,8,4,2', () => {
    expect(oldFormatCheckDigit('1507851234')).toBe(0);
    expect(oldFormatCheckDigit('1611751999')).toBe(7);
    expect(oldFormatCheckDigit('0303031001')).toBe(2);
  });

  it('accepts the code without the hyphen and with spaces', () => {
    expect(validatePersonalCode(' 15078512340 ').valid).toBe(true);
    expect(validatePersonalCode('150785 12340').valid).toBe(true);
  });

  it('refuses a wrong check digit, an impossible date and a bad century', () => {
    expect(validatePersonalCode('150785-12341')).toEqual({ valid: false, reason: 'check-digit' });
    expect(validatePersonalCode('310285-12340')).toEqual({ valid: false, reason: 'date' });
    expect(validatePersonalCode('150785-32340')).toMatchObject({ valid: false });
    expect(validatePersonalCode('150785-52340')).toEqual({ valid: false, reason: 'century' });
  });

  it('accepts every new-format code starting 32..39 without a checksum', () => {
    for (const second of [2, 3, 4, 5, 6, 7, 8, 9]) expect(validatePersonalCode(`3${second}123456789`)).toMatchObject({ valid: true, format: 'new' });
    expect(validatePersonalCode('31123456789')).toMatchObject({ valid: false });
  });

  it('refuses wrong lengths and letters', () => {
    expect(validatePersonalCode('1507851234')).toEqual({ valid: false, reason: 'length' });
    expect(validatePersonalCode('15078512A40')).toEqual({ valid: false, reason: 'characters' });
    expect(validatePersonalCode('15-0785-12340')).toEqual({ valid: false, reason: 'length' });
  });

  it('masks the code on screen', () => {
    expect(maskPersonalCode('15078512340')).toBe('15****-***40');
  });
});
