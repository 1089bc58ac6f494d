// What the Chromium tests need around the real app: a copy of the samples with shorter speaking times,
// the browser runner as a child process on a free loopback port (killable and restartable on the same
// data folder), Debian's Chromium with a fake microphone fed from a Latvian WAV made by espeak-ng,
// and screenshots of each screen under test-output/screens.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SCREENS_DIR = join(ROOT, 'test-output', 'screens');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Speaking times used by the e2e run instead of the A2 sample's 10–30 s preparation and 30–45 s answers. */
export const E2E_SPEAKING = { preparationSeconds: 2, responseSeconds: 6 } as const;

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * A copy of assets/ whose A2 sample has short speaking preparation and answer times; everything else
 * (parts, tasks, items, listening audio, limits) is the A2 sample as shipped, unless `keepItems` names
 * the only items to keep (a task left with none goes; every part keeps at least one item): a test that
 * needs the whole day but not every question.
 */
export function shortenedAssets(dir: string, options: { keepItems?: readonly string[] } = {}): string {
  const assets = join(dir, 'assets');
  cpSync(join(ROOT, 'assets'), assets, { recursive: true });
  const file = join(assets, 'samples', 'a2', 'content.json');
  const content = JSON.parse(readFileSync(file, 'utf8')) as { parts: { id: string; tasks: { items: Record<string, unknown>[] }[] }[] };
  for (const part of content.parts) {
    if (options.keepItems) {
      const keep = new Set(options.keepItems);
      for (const task of part.tasks) task.items = task.items.filter((item) => keep.has(item.id as string));
      part.tasks = part.tasks.filter((task) => task.items.length > 0);
      if (part.tasks.length === 0) throw new Error(`shortenedAssets: keepItems leaves part ${part.id} with no item`);
    }
    for (const task of part.tasks) {
      for (const item of task.items) if (item.type === 'speaking') Object.assign(item, E2E_SPEAKING);
    }
  }
  writeFileSync(file, JSON.stringify(content, null, 2));
  return assets;
}

/** A Latvian voice at 48 kHz mono 16-bit for Chromium's fake microphone. */
export function latvianVoiceWav(dir: string): string {
  const raw = join(dir, 'voice-raw.wav');
  const wav = join(dir, 'voice.wav');
  const text =
    'Labdien! Mani sauc Anna Bērziņa. Es dzīvoju Rīgā kopā ar savu ģimeni. Brīvdienās es eju uz parku, lasu grāmatas un gatavoju ēst. ' +
    'Mana pilsēta ir skaista, tur ir upe, veci nami un daudz zaļu koku.';
  run('espeak-ng', ['-v', 'lv', '-s', '140', '-w', raw, text]);
  run('sox', [raw, '-r', '48000', '-c', '1', '-b', '16', wav]);
  return wav;
}

export function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) throw new Error(`${command} could not run (${result.error.message}); install it: apt-get install -y chromium espeak-ng sox ffmpeg`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

/** Like run, for a command whose output is bytes (decoded audio). */
export function runBytes(command: string, args: string[]): Buffer {
  const result = spawnSync(command, args, { maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw new Error(`${command} could not run (${result.error.message})`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr.toString()}`);
  return result.stdout;
}

/** A port free on loopback right now (one helper for the whole project). */
export { freePort } from '../../src-server/pg-cluster.ts';

/** The browser runner as a child process: started, killed without warning, started again. */
export class Runner {
  readonly dataDir: string;
  readonly port: number;
  readonly assetsDir: string;
  private child: ChildProcess | null = null;
  url = '';
  /** The station process under the runner (it changes when the runner's supervisor restarts it). */
  stationPid = 0;
  private stationReady: (() => void)[] = [];
  /** Everything the runner and its station wrote to stderr, across restarts (for a failing test to show). */
  stderr = '';

  /** Settings for the station process (EXAM_STATION_ROLE, the room's port ...), over the test's own environment. */
  private readonly env: Record<string, string>;

  constructor(options: { dataDir: string; port: number; assetsDir: string; env?: Record<string, string> }) {
    this.dataDir = options.dataDir;
    this.port = options.port;
    this.assetsDir = options.assetsDir;
    this.env = options.env ?? {};
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [join(ROOT, 'src-main/runner/main.ts'), '--data', this.dataDir, '--port', String(this.port), '--quiet'], {
      cwd: ROOT,
      env: { ...process.env, EXAM_STATION_ASSETS: this.assetsDir, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      this.stderr += chunk.toString();
    });
    const lines = createInterface({ input: child.stdout! });
    this.url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`runner did not start in 30 s: ${stderr}`)), 30_000);
      child.once('exit', (code) => reject(new Error(`runner exited with ${code}: ${stderr}`)));
      lines.on('line', (line) => {
        try {
          const event = JSON.parse(line) as { event?: string; url?: string; pid?: number; stationPid?: number };
          if (event.event === 'station-ready' && event.pid) {
            this.stationPid = event.pid;
            for (const wake of this.stationReady.splice(0)) wake();
          }
          if (event.event === 'ready' && event.url) {
            this.stationPid = event.stationPid ?? this.stationPid;
            clearTimeout(timer);
            resolveUrl(event.url);
          }
        } catch {
          // not the ready line
        }
      });
    });
  }

  /** SIGKILL: the station gets no chance to mark a clean stop, as in a crash or power cut. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /**
   * SIGKILL to the station process alone: the runner (and the page it serves) stay, and the runner's
   * supervisor starts the station again. Resolves once the new station process is ready.
   */
  async killStation(): Promise<void> {
    const restarted = new Promise<void>((resolveReady) => this.stationReady.push(resolveReady));
    process.kill(this.stationPid, 'SIGKILL');
    await restarted;
  }

  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.kill(signal);
    await exited;
    this.child = null;
  }

  demoKeys(): { examId: string; packageId: string; contentKey: string; title: string }[] {
    return JSON.parse(readFileSync(join(this.dataDir, 'demo-package-keys.json'), 'utf8')) as { examId: string; packageId: string; contentKey: string; title: string }[];
  }
}

/** Debian's Chromium, headless; with a WAV, its fake microphone speaks that file (looped). */
export async function launchChromium(voiceWav?: string): Promise<Browser> {
  const microphone = voiceWav ? ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${voiceWav}`] : [];
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      ...microphone,
    ],
  });
}

/**
 * Screenshots of the viewport (what the candidate sees; sticky bars stay in place), numbered in order;
 * a second e2e file gives a prefix so that its numbers do not overwrite the first file's.
 */
export function screenshots(page: Page, prefix = ''): (name: string) => Promise<void> {
  mkdirSync(SCREENS_DIR, { recursive: true });
  let n = 0;
  return async (name) => {
    n += 1;
    await page.screenshot({ path: join(SCREENS_DIR, `${prefix}${String(n).padStart(2, '0')}-${name}.png`) });
  };
}

/**
 * The central API (`node src-server/main.ts`) as a child process on a database the test gives it:
 * killed without warning (SIGKILL) and started again on the same database, data folder and port.
 * It runs in `cwd` so that its demo seed (SEED_DEMO=1) builds the packages from `cwd`/assets/samples.
 */
export class CentralProcess {
  readonly url: string;
  readonly adminToken = `e2e-admin-${Math.random().toString(36).slice(2)}-token-for-the-day`;
  private child: ChildProcess | null = null;
  /** What the server printed to stderr since its last start (the demo seed's sessions and packages). */
  log = '';

  private readonly options: { databaseUrl: string; dataDir: string; port: number; cwd: string };

  constructor(options: { databaseUrl: string; dataDir: string; port: number; cwd: string }) {
    this.options = options;
    this.url = `http://127.0.0.1:${options.port}`;
  }

  async start(): Promise<void> {
    // Decided before the start: the seed writes demo-hub.json right after its lines.
    const seeding = this.seeding;
    const child = spawn(process.execPath, [join(ROOT, 'src-server/main.ts')], {
      cwd: this.options.cwd,
      env: { ...process.env, ...this.env(), PORT: String(this.options.port), ADMIN_TOKEN: this.adminToken, SEED_DEMO: '1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    this.log = '';
    await new Promise<void>((resolveUp, reject) => {
      const timer = setTimeout(() => reject(new Error(`the central API did not start in 60 s: ${this.log}`)), 60_000);
      child.once('exit', (code) => reject(new Error(`the central API exited with ${code}: ${this.log}`)));
      createInterface({ input: child.stderr! }).on('line', (line) => {
        this.log += `${line}\n`;
        // The last line of a start: after the demo's (written with demo-hub.json), or the listener's on a seeded database.
        if (line.includes('a demo hub joins with') || (line.includes('central sync API on') && !seeding)) {
          clearTimeout(timer);
          resolveUp();
        }
      });
    });
  }

  /** True until the first start has seeded the demo (its start ends with the demo's lines). */
  private get seeding(): boolean {
    try {
      readFileSync(join(this.options.dataDir, 'demo-hub.json'));
      return false;
    } catch {
      return true;
    }
  }

  /** The settings a CLI command of the server needs to work on the same database and data folder. */
  env(): Record<string, string> {
    return { DATABASE_URL: this.options.databaseUrl, DATA_DIR: this.options.dataDir, AUDIO_FSYNC: 'false' };
  }

  /** `node src-server/main.ts ARGS` against this centre's database (import-transfer ...): its stdout. */
  cli(args: string[]): string {
    const result = spawnSync(process.execPath, [join(ROOT, 'src-server/main.ts'), ...args], { cwd: this.options.cwd, env: { ...process.env, ...this.env(), LOG_LEVEL: 'warn' }, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`server ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return result.stdout;
  }

  demoHub(): { venueCode: string; enrollmentCode: string; trustListFile: string } {
    return JSON.parse(readFileSync(join(this.options.dataDir, 'demo-hub.json'), 'utf8')) as { venueCode: string; enrollmentCode: string; trustListFile: string };
  }

  /** An admin call; throws on a status of 300 or more with the reply's body. */
  async admin<T>(method: string, path: string, body?: unknown): Promise<T> {
    const reply = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await reply.text();
    if (reply.status >= 300) throw new Error(`${method} ${path}: ${reply.status} ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.kill('SIGKILL');
    await exited;
    this.child = null;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
    child.kill('SIGTERM');
    await exited;
    this.child = null;
  }
}
