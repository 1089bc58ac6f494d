import { describe, expect, it } from 'vitest';
import { runContract } from './run-contract.ts';

describe('the event contract from seat to central (npm run test:contract)', () => {
  it('a whole A2 attempt pushed in batches (one twice) is held at the centre exactly as at the station, and its receipt says so', async () => {
    const result = await runContract();
    expect(result.problems).toEqual([]);
    expect(result.mismatches).toBe(0);
    expect(result.kinds).toBe(11);
    expect(result.compared).toBeGreaterThan(60);
  }, 180_000);
});
