import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/fixtures.ts';

describe('npm start where Electron is not installed', () => {
  it('says so plainly, in Latvian and English, and starts the browser runner on the embedded demo', async () => {
    const dataDir = tempDir();
    const child = spawn(process.execPath, [join(import.meta.dirname, '../src-main/launch.ts'), '--port', '0'], {
      env: { ...process.env, EXAM_STATION_DATA: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      let output = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line in: ${output}`)), 90_000);
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const ready = /\{"event":"ready","url":"([^"]+)"/.exec(output);
          // The keys are printed in the demo's order; the mathematics exam's comes last.
          if (ready?.[1] && /Package key for .*matemātikā/.test(output)) {
            clearTimeout(timer);
            resolve(ready[1]);
          }
        });
        child.on('exit', (code) => reject(new Error(`launcher exited with ${code}: ${output}`)));
      });
      expect(output).toMatch(/Electron is not installed on this machine/);
      expect(output).toMatch(/Electron šajā datorā nav instalēts/);
      expect(output).toMatch(/Demo chief invigilator: username vaditajs, password Eksamens-2026/);
      const call = async <T,>(method: string, input: unknown): Promise<T> =>
        (await (await fetch(`${url}api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) })).json()) as T;
      expect(await call('getStatus', {})).toMatchObject({ ok: true, value: { role: 'solo' } });
      const { value: signedIn } = await call<{ value: { staffToken: string } }>('staffSignIn', { username: 'vaditajs', password: 'Eksamens-2026' });
      const packages = await call<{ value: { examId: string }[] }>('listPackages', { staffToken: signedIn.staffToken });
      expect(packages.value.map((p) => p.examId).sort()).toEqual(['vpd-mat9-sample', 'vvpp-a2-sample', 'vvpp-b1-sample']);
      const page = await (await fetch(url)).text();
      expect(page).toMatch(/<div id="root">/);
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);
});
