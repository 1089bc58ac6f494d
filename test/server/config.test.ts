// The central API's key release margin: ten minutes before a session's start, except on a server that
// seeds the demo (the embedded default), whose sessions start up to an hour and a half after the
// seeding (demoStartsAt) and whose keys a hub should have at once; a margin set in the environment wins.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src-server/config.ts';
import { DEMO_START_LEAD_MAX_MS } from '../../src-shared/demo-day.ts';

const margin = (env: Record<string, string>): number => loadConfig({ DATA_DIR: '/tmp/exam-config-test', ...env }).keyReleaseMarginMs;

describe('the key release margin', () => {
  it("covers the demo's lead where the demo is seeded: the embedded default, or SEED_DEMO on a database of one's own", () => {
    expect(margin({})).toBe(DEMO_START_LEAD_MAX_MS);
    expect(margin({ DATABASE_URL: 'postgres://u:p@db.example:5432/c', SEED_DEMO: '1' })).toBe(DEMO_START_LEAD_MAX_MS);
  });

  it('is ten minutes where no demo is seeded', () => {
    expect(margin({ DATABASE_URL: 'postgres://u:p@db.example:5432/c' })).toBe(600_000);
    expect(margin({ SEED_DEMO: 'false' })).toBe(600_000);
  });

  it('is what KEY_RELEASE_MARGIN_SECONDS says when it is set, demo or not', () => {
    expect(margin({ KEY_RELEASE_MARGIN_SECONDS: '0' })).toBe(0);
    expect(margin({ DATABASE_URL: 'postgres://u:p@db.example:5432/c', KEY_RELEASE_MARGIN_SECONDS: '1800' })).toBe(1_800_000);
  });
});
