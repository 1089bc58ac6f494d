// The fault harness checked in CI: a short run (two seats, a seat killed while recording, frames
// duplicated, reordered and replayed, the link cut for two seconds, then the hub's database lost and
// each seat's rejoin request accepted) must find every acknowledged
// answer and segment at the hub once; and a run whose hub database lost a few events behind its back
// must find them lost and fail. The full run (npm run test:room-faults) stays out of npm test.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const RUN = join(import.meta.dirname, 'run.ts');

function harness(args: string[]): Promise<{ code: number | null; result: { faults: number; acknowledged: number; lost: number; duplicates: number }; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let log = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        resolve({ code, result: JSON.parse(last), log });
      } catch {
        reject(new Error(`the harness ended (${code}) without its JSON line:\n${out}\n${log}`));
      }
    });
  });
}

describe('npm run test:room-faults', () => {
  it('finds everything once through a seat kill, disordered frames, a cut and a hub rebuilt from its seats, and finds a loss when there is one', async () => {
    const [clean, sabotaged] = await Promise.all([
      harness(['--seats', '2', '--faults', 'seat-kill,chaos,cut,rebuild', '--cut-seconds', '2', '--calm-seconds', '1']),
      harness(['--seats', '1', '--faults', '', '--calm-seconds', '2', '--lose-at-hub', '3']),
    ]);
    expect(clean.result, clean.log).toEqual({ faults: 4, acknowledged: expect.any(Number), lost: 0, duplicates: 0 });
    expect(clean.result.acknowledged).toBeGreaterThan(20);
    expect(clean.code).toBe(0);
    expect(sabotaged.result.lost, sabotaged.log).toBeGreaterThanOrEqual(4);
    expect(sabotaged.code).toBe(1);
  }, 240_000);
});
