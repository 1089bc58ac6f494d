// The password rule of domain.md ("Seed 004"): at least 9 characters, lower and upper case, a digit,
// a special character, not a common password (the shipped list), and not the username. Each rule is
// tried alone, with a password that meets every other one.
import { describe, expect, it } from 'vitest';
import { loadCommonPasswords, SOURCE_COMMON_PASSWORDS } from '../../src-main/station/passwords.ts';
import { passwordProblems, PASSWORD_RULES, usernameProblem, type PasswordRule } from '../../src-shared/rules/staff.ts';

const common = loadCommonPasswords(SOURCE_COMMON_PASSWORDS);
const problems = (password: string, username = 'anna.kalna') => passwordProblems(password, username, (lower) => common.has(lower));

describe('the password rule', () => {
  it('takes a password that meets every rule, with Latvian letters counted as letters', () => {
    expect(problems('Eksamens-2026')).toEqual([]);
    expect(problems('Ābeļdārzs-7')).toEqual([]);
    expect(problems('ŽUBURS-ļoti-9')).toEqual([]);
  });

  const alone: [PasswordRule, string][] = [
    ['length', 'Eks-2026'],
    ['too-long', `Aa1-${'x'.repeat(125)}`],
    ['lowercase', 'EKSAMENS-2026'],
    ['uppercase', 'eksamens-2026'],
    ['digit', 'Eksamens-divi'],
    ['special', 'Eksamens2026'],
    ['username', 'Anna.Kalna-2026'],
    // In the shipped list as "sasha_007"; compared without regard to case.
    ['common', 'Sasha_007'],
  ];
  for (const [rule, password] of alone) {
    it(`refuses a password that breaks only "${rule}"`, () => {
      expect(problems(password)).toEqual([rule]);
    });
  }

  it('names every broken rule, in the order it reports them', () => {
    expect(problems('abc')).toEqual(['length', 'uppercase', 'digit', 'special']);
    expect(PASSWORD_RULES).toEqual(['length', 'too-long', 'lowercase', 'uppercase', 'digit', 'special', 'username', 'common']);
  });

  it('ships a list of common passwords of at least 10 000 entries, in lower case', () => {
    expect(common.size).toBeGreaterThan(10_000);
    expect(common.has('password')).toBe(true);
    expect(common.has('Password')).toBe(false);
    expect(problems('PASSWORD')).toContain('common');
  });
});

describe('usernames', () => {
  it('are Latin letters, digits, dot, dash and underscore, from a letter, 3 to 32; the station’s own names are reserved', () => {
    for (const good of ['anna.kalna', 'J.Ozols', 'it-admin_2']) expect(usernameProblem(good), good).toBeUndefined();
    for (const bad of ['an', 'jānis', '1anna', 'anna kalna', 'a'.repeat(33), '(set-up)']) expect(usernameProblem(bad), bad).toBe('format');
    for (const reserved of ['candidate', 'Invigilator', 'station']) expect(usernameProblem(reserved), reserved).toBe('reserved');
  });
});
