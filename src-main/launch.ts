// npm start: the Electron app where Electron is installed; otherwise say so plainly and start the
// browser runner on the same station, with the same embedded default (a demo venue with sample tests).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function electronBinary(): string | undefined {
  try {
    // The electron package exports the path of its binary, and throws when the binary was never downloaded.
    const path = createRequire(import.meta.url)('electron') as unknown;
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
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
  const child = spawn(electron, [root], { stdio: 'inherit', env: process.env });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  if (!forceBrowser) {
    console.log('Electron is not installed on this machine (its binary was never downloaded), so the desktop app cannot open.');
    console.log('Elektron šajā datorā nav instalēts, tāpēc darbvirsmas lietotni nevar atvērt.');
    console.log('Starting the browser runner instead: the same station and screens, in your browser.\n');
  }
  const child = spawn(process.execPath, [resolve(root, 'src-main/runner/main.ts'), ...process.argv.slice(2).filter((a) => !a.startsWith('--browser') && a !== '--rebuild')], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
}
