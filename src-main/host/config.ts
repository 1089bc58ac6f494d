// The station's configuration, read once and checked with one schema, from two sources: the IT policy
// file (`/etc/exam-station/policy.json`, or the file EXAM_STATION_POLICY names; on Windows later the
// registry) and environment variables, which win over the file for a development or test run. An
// invalid setting stops the start with a message naming the setting and where it came from.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { DEMO_VENUE as DEMO_DAY_VENUE } from '../../src-shared/demo-day.ts';
import { LINUX_MEDIA_ROOTS } from '../station/package-intake.ts';

export const DEFAULT_POLICY_FILE = '/etc/exam-station/policy.json';
/** The demo venue's code (the demo day's, src-shared/demo-day.ts). */
export const DEMO_VENUE = DEMO_DAY_VENUE.code;

/** The settings, each with the policy key it is read from and the environment variable that overrides it. */
const SETTINGS = {
  mode: { env: 'EXAM_STATION_MODE', schema: z.enum(['production', 'demo']) },
  role: { env: 'EXAM_STATION_ROLE', schema: z.enum(['hub', 'seat', 'solo']) },
  venueCode: { env: 'EXAM_STATION_VENUE', schema: z.string().regex(/^[A-Z0-9][A-Z0-9-]{1,31}$/, 'upper-case letters, digits and dashes, 2 to 32') },
  dataDir: { env: 'EXAM_STATION_DATA', schema: z.string().min(1) },
  assetsDir: { env: 'EXAM_STATION_ASSETS', schema: z.string().min(1) },
  firstChiefUsername: { env: 'EXAM_STATION_FIRST_CHIEF', schema: z.string().min(1).max(64) },
  firstChiefName: { env: 'EXAM_STATION_FIRST_CHIEF_NAME', schema: z.string().min(1).max(200) },
  firstChiefPassword: { env: 'EXAM_STATION_FIRST_CHIEF_PASSWORD', schema: z.string().min(1).max(256) },
  staffLockMinutes: { env: 'EXAM_STATION_STAFF_LOCK_MINUTES', schema: z.coerce.number().int().min(1).max(120) },
  port: { env: 'PORT', schema: z.coerce.number().int().min(0).max(65535) },
  roomHost: { env: 'EXAM_STATION_ROOM_HOST', schema: z.string().min(1).max(253) },
  roomPort: { env: 'EXAM_STATION_ROOM_PORT', schema: z.coerce.number().int().min(0).max(65535) },
  maxPackageMiB: { env: 'EXAM_STATION_MAX_PACKAGE_MIB', schema: z.coerce.number().int().min(1).max(16 * 1024) },
  roomDiscovery: { env: 'EXAM_STATION_ROOM_DISCOVERY', schema: z.enum(['on', 'off']) },
  /** A folder where package files are looked for besides removable media (the IT policy's; a network share, a download folder). */
  packageFolder: { env: 'EXAM_STATION_PACKAGE_FOLDER', schema: z.string().min(1).max(4096) },
  /** Folders whose grandchildren are mounted removable drives; a list (policy) or paths joined by ':' (environment). */
  mediaRoots: { env: 'EXAM_STATION_MEDIA_ROOTS', schema: z.union([z.array(z.string().min(1)).max(16), z.string().transform((text) => text.split(':').filter((p) => p !== ''))]) },
  demoKeysDir: { env: 'EXAM_STATION_DEMO_KEYS', schema: z.string().min(1) },
  /** The central API a hub reports to (https in production; http only on loopback). */
  centralUrl: { env: 'EXAM_STATION_CENTRAL_URL', schema: z.url({ protocol: /^https?$/ }).max(500) },
  /** A PEM file of CA certificates trusted for the central API beside the system store. */
  centralCaBundle: { env: 'EXAM_STATION_CENTRAL_CA', schema: z.string().min(1).max(4096) },
  /** A one-time enrolment code: a hub not yet enrolled enrols with it at start (unattended set-up, the demo). */
  centralEnrolmentCode: { env: 'EXAM_STATION_CENTRAL_CODE', schema: z.string().trim().min(16).max(40) },
  /** Demo only: a further trust list (the central demo's signing key, .data/server/demo-trusted-keys.json). */
  demoTrustFile: { env: 'EXAM_STATION_DEMO_TRUST', schema: z.string().min(1).max(4096) },
} as const;

type SettingName = keyof typeof SETTINGS;

export interface StationConfig {
  /** production: trusts only the shipped trust list and imports nothing by itself; demo: the embedded default. */
  mode: 'production' | 'demo';
  role: 'hub' | 'seat' | 'solo';
  venueCode: string;
  dataDir: string;
  assetsDir: string;
  /**
   * The first chief invigilator, made when the station has no staff account yet, with a one-time
   * password that must be changed at the first sign-in. Ignored once any account exists.
   */
  firstChief: { username: string; displayName: string; password: string } | undefined;
  /** Inactivity after which a staff session locks. */
  staffLockMs: number;
  /** The browser runner's port on 127.0.0.1. */
  port: number;
  /** Where a hub listens for its seats (the room's TLS port on the venue LAN). */
  roomHost: string;
  roomPort: number;
  /**
   * DNS-SD on the venue LAN: a hub advertises its room port, an unpaired seat looks for hubs when IT
   * opens its set-up screen. On by default for a production station whose room address is not
   * loopback; IT can turn it off ("roomDiscovery": "off"), and then seats are given the address.
   */
  roomDiscovery: boolean;
  maxPackageBytes: number;
  /** Where package files are offered from (listPackageSources): removable drives under `mediaRoots`, and `folders` themselves. */
  packageSources: { mediaRoots: string[]; folders: string[] };
  /**
   * The demo's signing key folder (demo mode only): the data folder's own by default; a demo room's seats
   * name their hub's, so that they trust the packages the hub hands them (npm run demo:room).
   */
  demoKeysDir: string;
  /** The hub's central API: where it is, the CA bundle beside the system store, a one-time code to enrol with at start. */
  central: { url: string | undefined; caBundleFile: string | undefined; enrolmentCode: string | undefined };
  /** Demo only: a further trust list file (the central demo's packages). */
  demoTrustFile: string | undefined;
  /** The policy file that was read, if any. */
  policyFile: string | undefined;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The assets folder shipped with the app: found above this module (source tree or bundle). */
function findAssets(): string | undefined {
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'assets', 'keys'))) return join(dir, 'assets');
  }
  return undefined;
}

function readPolicy(path: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`the IT policy file ${path} could not be read as JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`the IT policy file ${path} must hold one JSON object`);
  const unknown = Object.keys(raw).filter((key) => !Object.hasOwn(SETTINGS, key));
  if (unknown.length > 0) throw new ConfigError(`the IT policy file ${path} has settings this version does not know: ${unknown.join(', ')} (known: ${Object.keys(SETTINGS).join(', ')})`);
  return raw as Record<string, unknown>;
}

/** A loopback address: nothing on the LAN could reach it, so there is nothing to advertise. */
const isLoopback = (host: string): boolean => host === 'localhost' || host === '::1' || host.startsWith('127.');

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  /** Start the embedded demo unless the settings say otherwise (npm start). */
  demoByDefault?: boolean;
  /** Where the machine's policy file is looked for when EXAM_STATION_POLICY names none (tests: a path that does not exist). */
  machinePolicyFile?: string;
}

export function loadStationConfig(options: LoadOptions = {}): StationConfig {
  const env = options.env ?? process.env;
  // EXAM_STATION_POLICY=none: no policy file at all (a test, a developer's run).
  const named = env.EXAM_STATION_POLICY === 'none' ? undefined : env.EXAM_STATION_POLICY;
  const machine = options.machinePolicyFile ?? DEFAULT_POLICY_FILE;
  const policyFile = named ? resolve(named) : env.EXAM_STATION_POLICY !== 'none' && existsSync(machine) ? machine : undefined;
  if (named && !existsSync(policyFile!)) throw new ConfigError(`EXAM_STATION_POLICY names ${policyFile}, which does not exist`);
  const policy = policyFile ? readPolicy(policyFile) : {};
  const values: Partial<Record<SettingName, unknown>> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const fromEnv = env[setting.env];
    const source = fromEnv !== undefined && fromEnv !== '' ? `${setting.env}` : name in policy ? `"${name}" in ${policyFile}` : undefined;
    if (!source) continue;
    const parsed = setting.schema.safeParse(fromEnv !== undefined && fromEnv !== '' ? fromEnv : policy[name]);
    if (!parsed.success) throw new ConfigError(`invalid setting ${source}: ${parsed.error.issues[0]?.message ?? 'not valid'}`);
    values[name] = parsed.data;
  }
  const mode = (values.mode as StationConfig['mode'] | undefined) ?? (options.demoByDefault ? 'demo' : 'production');
  const venueCode = (values.venueCode as string | undefined) ?? (mode === 'demo' ? DEMO_VENUE : undefined);
  if (!venueCode) throw new ConfigError(`a production station needs its venue code: set "venueCode" in the IT policy file (${policyFile ?? DEFAULT_POLICY_FILE}) or EXAM_STATION_VENUE`);
  const chiefUsername = values.firstChiefUsername as string | undefined;
  const chiefPassword = values.firstChiefPassword as string | undefined;
  if ((chiefUsername === undefined) !== (chiefPassword === undefined)) {
    throw new ConfigError(`the first chief invigilator needs both "firstChiefUsername" and "firstChiefPassword" (EXAM_STATION_FIRST_CHIEF and EXAM_STATION_FIRST_CHIEF_PASSWORD); only ${chiefUsername === undefined ? 'the password' : 'the username'} is set`);
  }
  const centralUrl = values.centralUrl as string | undefined;
  if (centralUrl && new URL(centralUrl).protocol === 'http:' && !isLoopback(new URL(centralUrl).hostname.replace(/^\[|\]$/g, ''))) {
    throw new ConfigError(`invalid setting centralUrl: ${centralUrl} is plain http to another machine; the central API is reached by https (http only on this machine, for a demo or a test)`);
  }
  const assetsDir = (values.assetsDir as string | undefined) ?? findAssets();
  if (!assetsDir) throw new ConfigError('the assets folder (trust list, sample tests) was not found: set "assetsDir" or EXAM_STATION_ASSETS');
  return {
    mode,
    role: (values.role as StationConfig['role'] | undefined) ?? 'solo',
    venueCode,
    dataDir: resolve((values.dataDir as string | undefined) ?? '.data/station'),
    assetsDir: resolve(assetsDir),
    firstChief: chiefUsername && chiefPassword ? { username: chiefUsername, displayName: (values.firstChiefName as string | undefined) ?? chiefUsername, password: chiefPassword } : undefined,
    staffLockMs: ((values.staffLockMinutes as number | undefined) ?? 5) * 60_000,
    port: (values.port as number | undefined) ?? 5170,
    roomHost: (values.roomHost as string | undefined) ?? '0.0.0.0',
    roomPort: (values.roomPort as number | undefined) ?? 47_300,
    roomDiscovery: values.roomDiscovery === undefined ? mode === 'production' && !isLoopback((values.roomHost as string | undefined) ?? '0.0.0.0') : values.roomDiscovery === 'on',
    maxPackageBytes: ((values.maxPackageMiB as number | undefined) ?? 1024) * 1024 * 1024,
    packageSources: {
      mediaRoots: ((values.mediaRoots as string[] | undefined) ?? [...LINUX_MEDIA_ROOTS]).map((root) => resolve(root)),
      folders: values.packageFolder === undefined ? [] : [resolve(values.packageFolder as string)],
    },
    demoKeysDir: resolve((values.demoKeysDir as string | undefined) ?? join(resolve((values.dataDir as string | undefined) ?? '.data/station'), 'demo-signing-keys')),
    central: {
      url: values.centralUrl as string | undefined,
      caBundleFile: values.centralCaBundle === undefined ? undefined : resolve(values.centralCaBundle as string),
      enrolmentCode: values.centralEnrolmentCode as string | undefined,
    },
    demoTrustFile: mode === 'demo' && values.demoTrustFile !== undefined ? resolve(values.demoTrustFile as string) : undefined,
    policyFile,
  };
}
