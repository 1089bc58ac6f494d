import { describe, expect, it } from 'vitest';
import { latestSchemaVersion } from '../../src-shared/schema-versions.ts';

const history = (...versions: number[]) => versions.map((version) => ({ version, name: `m${version}` }));

describe('schema versions of a migration history', () => {
  it('is the highest declared version, with gaps allowed (a point fix takes a number in one)', () => {
    expect(latestSchemaVersion([])).toBe(0);
    expect(latestSchemaVersion(history(1, 2, 3))).toBe(3);
    expect(latestSchemaVersion(history(1, 2, 3, 4, 5, 6, 10, 20))).toBe(20);
  });

  it('refuses versions twice, out of order, or not whole numbers from 1', () => {
    expect(() => latestSchemaVersion(history(1, 2, 2, 3))).toThrow(/version 2 is declared twice/);
    expect(() => latestSchemaVersion(history(1, 10, 6))).toThrow(/version 6 comes after version 10/);
    expect(() => latestSchemaVersion(history(0, 1))).toThrow(/declares version 0/);
    expect(() => latestSchemaVersion(history(1, 2.5))).toThrow(/declares version 2.5/);
  });
});
