// npm start: the Electron app where Electron is installed; otherwise say so plainly and start the
// browser runner on the same station, with the same embedded default (a demo venue with sample tests).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * The Electron binary if it was downloaded. Read from the electron package's files rather than by
 * require('electron'): since Electron 45 that require tries to download a missing binary, which on a
 * machine without access to the download host only hangs and fails.
 */
function electronBinary(): string | undefined {
  try {
    const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const pathFile = join(packageDir, 'path.txt');
    if (!existsSync(pathFile)) return undefined;
    const binary = join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined; // the electron package itself is not installed (npm ci --omit=dev)
  }
}

function build(): void {
  const result = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const forceBrowser = process.argv.includes('--browser');
const electron = forceBrowser ? undefined : electronBinary();
if (!existsSync(resolve(root, 'out/renderer/index.html')) || process.argv.includes('--rebuild') || (electron && !existsSync(resolve(root, 'out/main/main.js')))) build();

if (electron) {
  // `electron .` runs package.json's main (out/main/main.js) with the project as the app path.
  // npm start is the embedded demo; a shipped app starts in production from its IT policy file.
  const child = spawn(electron, [root], { stdio: 'inherit', env: { EXAM_STATION_MODE: 'demo', ...process.env } });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!forceBrowser) {
    console.log('Electron is not installed on this machine (its binary was never downloaded), so the desktop app cannot open.');
    console.log('Electron šajā datorā nav instalēts, tāpēc darbvirsmas lietotni nevar atvērt.');
    console.log('To install it where its download host is reachable: npx install-electron');
    console.log('Starting the browser runner instead: the same station and screens, in your browser.\n');
  }
  const child = spawn(process.execPath, [resolve(root, 'src-main/runner/main.ts'), ...process.argv.slice(2).filter((a) => !a.startsWith('--browser') && a !== '--rebuild')], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
}
