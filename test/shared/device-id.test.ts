import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DEVICE_ID_ALPHABET, DEVICE_ID_LENGTH, checkCharacter, deviceIdFromHash, normalizeDeviceId, shortDeviceId } from '../../src-shared/rules/device-id.ts';

const sample = deviceIdFromHash(createHash('sha256').update('a seat').digest());

describe('device ids', () => {
  it('are the key hash in 32 symbols without 0, O, I or L, and a check character', () => {
    expect(DEVICE_ID_ALPHABET).toHaveLength(32);
    expect(new Set(DEVICE_ID_ALPHABET).size).toBe(32);
    expect(DEVICE_ID_ALPHABET).not.toMatch(/[0OIL]/);
    expect(sample).toHaveLength(DEVICE_ID_LENGTH);
    expect(sample).toMatch(/^[1-9A-HJKMNP-Z]+$/);
    expect(deviceIdFromHash(createHash('sha256').update('a seat').digest())).toBe(sample);
    expect(deviceIdFromHash(createHash('sha256').update('another seat').digest())).not.toBe(sample);
  });

  it('refuse every single changed character, at every position', () => {
    expect(normalizeDeviceId(sample)).toBe(sample);
    let tried = 0;
    for (let at = 0; at < sample.length; at++) {
      for (const symbol of DEVICE_ID_ALPHABET) {
        if (symbol === sample[at]) continue;
        const typo = `${sample.slice(0, at)}${symbol}${sample.slice(at + 1)}`;
        expect(normalizeDeviceId(typo), typo).toBeUndefined();
        tried++;
      }
    }
    expect(tried).toBe(DEVICE_ID_LENGTH * 31);
  });

  it('refuse every swap of two different neighbours, the check character included', () => {
    let tried = 0;
    for (let at = 0; at + 1 < sample.length; at++) {
      if (sample[at] === sample[at + 1]) continue;
      const swapped = `${sample.slice(0, at)}${sample[at + 1]}${sample[at]}${sample.slice(at + 2)}`;
      expect(normalizeDeviceId(swapped), swapped).toBeUndefined();
      tried++;
    }
    expect(tried).toBeGreaterThan(40);
    // Every ordered pair of symbols, side by side in an id with its check character made to fit.
    const body = sample.slice(0, DEVICE_ID_LENGTH - 1);
    for (const a of DEVICE_ID_ALPHABET) {
      for (const b of DEVICE_ID_ALPHABET) {
        if (a === b) continue;
        const withPair = `${body.slice(0, 20)}${a}${b}${body.slice(22)}`;
        const id = `${withPair}${checkCharacter(withPair)}`;
        expect(normalizeDeviceId(id)).toBe(id);
        expect(normalizeDeviceId(`${body.slice(0, 20)}${b}${a}${body.slice(22)}${checkCharacter(withPair)}`)).toBeUndefined();
      }
    }
  });

  it('are read back from what a person types: lower case, spaces and dashes', () => {
    const typed = `${sample.slice(0, 4).toLowerCase()}-${sample.slice(4, 20)} ${sample.slice(20)}`;
    expect(normalizeDeviceId(typed)).toBe(sample);
    expect(normalizeDeviceId(sample.slice(1))).toBeUndefined();
    expect(normalizeDeviceId(sample.replace(/^./, '0'))).toBeUndefined();
  });

  it('are shown on screens as two groups of four', () => {
    expect(shortDeviceId(sample)).toBe(`${sample.slice(0, 4)}-${sample.slice(4, 8)}`);
  });
});
