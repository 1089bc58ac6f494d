// The embedded demo's first start must survive being cut off anywhere (issue 7.15, 7.17): a kill
// between the key file and its trust list, or in the middle of seeding, leaves a data folder the next
// start completes, with no duplicate package and every package openable with its recorded key.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_CHIEF } from '../../src-main/host/demo.ts';
import { openStationDatabase } from '../../src-main/station/database.ts';
import { openDemoStation, tempDir } from '../support/fixtures.ts';

const runner = join(import.meta.dirname, '../../src-main/runner/main.ts');

/** Start the runner on `dataDir` and kill it with SIGKILL after `ms` (or when it is ready). */
function startAndKill(dataDir: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [runner, '--data', dataDir, '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.stdout.on('data', () => undefined);
    child.stderr.on('data', () => undefined);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** The station process of a killed runner ends on its own; until then its database is locked. */
async function whenUnlocked(dataDir: string): Promise<void> {
  for (let tries = 0; ; tries += 1) {
    try {
      openStationDatabase(join(dataDir, 'station.db')).close();
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'DB_LOCKED' || tries > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

async function expectWholeDemo(dataDir: string): Promise<void> {
  await whenUnlocked(dataDir);
  const { service, demo } = openDemoStation(dataDir);
  try {
    const { staffToken } = await service.staffSignIn({ username: DEMO_CHIEF.username, password: DEMO_CHIEF.password });
    const packages = await service.listPackages({ staffToken });
    expect(packages.map((p) => p.examId).sort()).toEqual(['vpd-mat9-sample', 'vvpp-a2-sample', 'vvpp-b1-sample']);
    expect(demo.map((p) => p.packageId).sort()).toEqual(packages.map((p) => p.packageId).sort());
    for (const p of demo) expect((await service.unlockPackage({ staffToken, packageId: p.packageId, key: p.contentKey })).unlocked).toBe(true);
    // Three candidates on each sample's session; the mathematics exam's pupils have no language level.
    const candidates = await service.listCandidates({ staffToken });
    expect(candidates.map((c) => `${c.sessionId} ${c.level ?? '-'}`).sort()).toEqual([
      ...Array<string>(3).fill('DEMO-vpd-mat9-sample -'),
      ...Array<string>(3).fill('DEMO-vvpp-a2-sample A2'),
      ...Array<string>(3).fill('DEMO-vvpp-b1-sample B1'),
    ]);
  } finally {
    service.close();
  }
}

describe('the demo data folder after a first start cut off', () => {
  it('completes a key generation cut off between the key file and its trust list', async () => {
    const dataDir = tempDir();
    mkdirSync(join(dataDir, 'demo-signing-keys'), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(join(dataDir, 'demo-signing-keys', 'demo-venue-key.pem'), privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    expect(existsSync(join(dataDir, 'demo-signing-keys', 'trusted-keys.json'))).toBe(false);
    await expectWholeDemo(dataDir);
    const trust = JSON.parse(readFileSync(join(dataDir, 'demo-signing-keys', 'trusted-keys.json'), 'utf8')) as { keys: unknown[] };
    expect(trust.keys).toHaveLength(1);
  });

  it.each([150, 400, 700, 1000, 1400, 2000])('completes a first start killed after %i ms, with no duplicate and no package that cannot be opened', async (ms) => {
    const dataDir = tempDir();
    await startAndKill(dataDir, ms);
    await expectWholeDemo(dataDir);
  }, 60_000);
});
