import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('crash safety (a short run of npm run test:crash)', () => {
  it('a station killed with SIGKILL at random moments loses no acknowledged answer or audio segment and leaves no outbox gap', () => {
    const output = execFileSync(process.execPath, [join(import.meta.dirname, 'crash-test.ts'), '--kills', '12'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const result = JSON.parse(output.trim().split('\n').at(-1)!) as { kills: number; acknowledged: number; lost: number; gaps: number };
    expect(result.kills).toBe(12);
    expect(result.acknowledged).toBeGreaterThan(50);
    expect(result).toMatchObject({ lost: 0, gaps: 0 });
  }, 120_000);
});
