// Test fixtures: temporary folders, signing keys with their trust list, a small exam with every item
// type the language tests use (the numeric type has its own tests), built into a real package, and a
// station service on a real SQLite file.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTENT_FORMAT_VERSION } from '../../src-shared/content/schema.ts';
import { buildPackage, type BuildOptions, type BuiltPackage } from '../../src-shared/node/package/builder.ts';
import type { SigningKey, TrustList } from '../../src-shared/node/package/keys.ts';
import { StationService, type StationOptions } from '../../src-main/station/service.ts';
import { COMMON_PASSWORDS_FILE, SOURCE_COMMON_PASSWORDS } from '../../src-main/station/passwords.ts';
import type { StationApi } from '../../src-shared/contracts/station-api.ts';
import { loadStationConfig } from '../../src-main/host/config.ts';
import { openStation, type OpenedStation } from '../../src-main/host/start.ts';

export function tempDir(prefix = 'exam-station-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestKeys {
  signingKey: SigningKey;
  trust: TrustList;
}

export function makeKeys(keyId = 'test-key'): TestKeys {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    signingKey: { keyId, privateKey },
    trust: {
      formatVersion: 1,
      keys: [{ keyId, publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), status: 'active', createdAt: new Date(0).toISOString() }],
    },
  };
}

/** A small state language test that uses every item type; answers on each objective item. */
export function miniExamSource(): Record<string, unknown> {
  return {
    formatVersion: CONTENT_FORMAT_VERSION,
    examId: 'mini-a2',
    title: 'Mazais A2 tests',
    language: 'lv',
    kind: 'state-language',
    level: { level: 'A', degree: 2 },
    parts: [
      {
        id: 'listening',
        kind: 'listening',
        title: 'Klausīšanās',
        timeLimitSeconds: 600,
        tasks: [
          {
            id: 'l1',
            title: 'Paziņojums stacijā',
            stimuli: [{ type: 'audio', id: 'l1-audio', media: 'media/l1.opus', playLimit: 2, durationSeconds: 20 }],
            items: [
              { id: 'l1-q1', type: 'single-choice', prompt: 'Uz kurieni brauc vilciens?', points: 1, options: [{ id: 'a', text: 'Uz Rīgu' }, { id: 'b', text: 'Uz Cēsīm' }], answer: 'b' },
              { id: 'l1-q2', type: 'true-false-not-given', statement: 'Vilciens kavējas.', points: 1, answer: 'true' },
              { id: 'l1-q3', type: 'multiple-choice', prompt: 'Ko drīkst ņemt līdzi?', points: 2, options: [{ id: 'a', text: 'Velosipēdu' }, { id: 'b', text: 'Suni' }, { id: 'c', text: 'Ugunskuru' }], answer: ['a', 'b'] },
            ],
          },
        ],
      },
      {
        id: 'reading',
        kind: 'reading',
        title: 'Lasīšana',
        timeLimitSeconds: 900,
        tasks: [
          {
            id: 'r1',
            title: 'Sludinājums',
            stimuli: [{ type: 'text', id: 'r1-text', text: 'Izīrē divistabu dzīvokli Liepājā, netālu no jūras. Īre 350 eiro mēnesī.' }],
            items: [
              { id: 'r1-q1', type: 'gap-fill', points: 2, text: 'Dzīvoklis ir {{g1}}. Īre ir {{g2}} eiro.', gaps: [{ id: 'g1', options: [{ id: 'liepaja', text: 'Liepājā' }, { id: 'riga', text: 'Rīgā' }] }, { id: 'g2' }], answer: { g1: ['liepaja'], g2: ['350', 'trīssimt piecdesmit'] } },
              { id: 'r1-q2', type: 'matching', points: 2, left: [{ id: 'l1', text: 'Istabas' }, { id: 'l2', text: 'Pilsēta' }], right: [{ id: 'x', text: 'Divas' }, { id: 'y', text: 'Liepāja' }], answer: { l1: 'x', l2: 'y' } },
              { id: 'r1-q3', type: 'ordering', points: 1, elements: [{ id: 'e1', text: 'Zvanīt' }, { id: 'e2', text: 'Apskatīt' }, { id: 'e3', text: 'Parakstīt līgumu' }], answer: ['e1', 'e2', 'e3'] },
              { id: 'r1-q4', type: 'short-text', prompt: 'Cik maksā īre?', points: 1, maxLength: 50, answer: ['350 eiro', '350'] },
            ],
          },
        ],
      },
      {
        id: 'writing',
        kind: 'writing',
        title: 'Rakstīšana',
        timeLimitSeconds: 1200,
        tasks: [{ id: 'w1', title: 'Vēstule', items: [{ id: 'w1-q1', type: 'extended-writing', prompt: 'Uzrakstiet vēstuli draugam.', points: 5, minWords: 10, maxWords: 80, rubric: 'Saturs, gramatika, vārdu krājums.' }] }],
      },
      {
        id: 'speaking',
        kind: 'speaking',
        title: 'Runāšana',
        timeLimitSeconds: 600,
        tasks: [{ id: 's1', title: 'Par sevi', items: [{ id: 's1-q1', type: 'speaking', prompt: 'Pastāstiet par savu ģimeni.', points: 5, preparationSeconds: 10, responseSeconds: 30, recordingsAllowed: 2 }] }],
      },
    ],
  };
}

/**
 * Current state language content written as format 1, as the first pilots stored it
 * (src-shared/content/versions.ts): level as text, part limits in minutes, no kind, and speaking items
 * with allowRerecord instead of a number of recordings.
 */
export function asContentFormat1(content: unknown): Record<string, unknown> {
  const v2 = JSON.parse(JSON.stringify(content)) as { level: { level: string; degree: number }; parts: Record<string, unknown>[]; kind?: unknown };
  const { kind: _kind, ...rest } = v2;
  return {
    ...rest,
    formatVersion: 1,
    level: `${v2.level.level}${v2.level.degree}`,
    parts: v2.parts.map((part) => {
      const { timeLimitSeconds, ...others } = part as { timeLimitSeconds: number };
      const tasks = (part as { tasks: { items: Record<string, unknown>[] }[] }).tasks.map((task) => ({
        ...task,
        items: task.items.map((item) => {
          if (item.type !== 'speaking') return item;
          const { recordingsAllowed, ...kept } = item;
          return { ...kept, allowRerecord: (recordingsAllowed as number) > 1 };
        }),
      }));
      return { ...others, timeLimitMinutes: timeLimitSeconds / 60, tasks };
    }),
  };
}

export function writeSource(dir: string, source: Record<string, unknown> = miniExamSource(), media: Record<string, Buffer> = { 'l1.opus': randomBytes(3000) }): string {
  mkdirSync(join(dir, 'media'), { recursive: true });
  writeFileSync(join(dir, 'content.json'), JSON.stringify(source, null, 2));
  for (const [name, bytes] of Object.entries(media)) writeFileSync(join(dir, 'media', name), bytes);
  return dir;
}

/** An exam as its author writes it (content.json with answers) and its media files by name. */
export interface ExamSource {
  source: Record<string, unknown>;
  media: Record<string, Buffer>;
}

/** The mini exam (or `exam`) built into a signed package. */
export function buildMiniPackage(keys: TestKeys, overrides: Partial<BuildOptions> = {}, exam?: ExamSource): BuiltPackage {
  const sourceDir = writeSource(tempDir('exam-source-'), exam?.source, exam?.media);
  return buildPackage({
    sourceDir,
    signingKey: keys.signingKey,
    validFrom: new Date('2020-01-01T00:00:00Z'),
    validUntil: new Date('2100-01-01T00:00:00Z'),
    chunkSize: 1024,
    ...overrides,
  });
}

export const DEMO_SESSION = {
  sessionId: 'S-2026-11-23-RIX01',
  examId: 'mini-a2',
  venueCode: 'RIX01',
  venueName: 'Rīgas eksāmenu centrs',
  room: '101',
  startsAt: '2026-11-23T09:00:00+02:00',
  endsAt: null,
};

export const DEMO_CANDIDATE = {
  candidateId: 'C-0001',
  sessionId: DEMO_SESSION.sessionId,
  givenName: 'Anna',
  familyName: 'Bērziņa',
  personalCode: '150785-12340',
  birthDate: '1985-07-15',
  level: 'A2' as const,
  accommodation: null,
  accommodationDocNo: null,
  accommodationDocDate: null,
};

/** The test station's chief invigilator: what staffSignIn takes. */
export const TEST_STAFF = { username: 'test.chief', password: 'Parbaude-2026!' } as const;
export const TEST_CHIEF = { ...TEST_STAFF, displayName: 'Testa Vadītāja', mustChangePassword: false } as const;
/**
 * Cheap scrypt parameters for test stations: each test station hashes a password at least twice, and
 * the production cost (about 0.7 s a hash) would add minutes to the suite. Hashes carry their
 * parameters, so the station checks these as it checks its own (test/station/staff-accounts.test.ts
 * checks the production ones).
 */
export const TEST_HASH_PARAMS = { ln: 10, r: 8, p: 1 } as const;
/** What a test's own StationService needs for its staff: the test chief, made with the cheap hash. */
export const TEST_STAFF_OPTIONS = { firstChief: TEST_CHIEF, staffHashParams: TEST_HASH_PARAMS } as const;

/** The one-time password a production test station's IT policy gives the test chief (changed at the first sign-in). */
export const TEST_ONE_TIME_PASSWORD = 'Vienreizeja-Parole-1';
/** The environment that names the test chief as a production station's first chief invigilator. */
export const TEST_CHIEF_ENV = { EXAM_STATION_FIRST_CHIEF: TEST_STAFF.username, EXAM_STATION_FIRST_CHIEF_NAME: TEST_CHIEF.displayName, EXAM_STATION_FIRST_CHIEF_PASSWORD: TEST_ONE_TIME_PASSWORD };

/**
 * The first sign-in of a production test station's chief: the one-time password from the policy is
 * replaced by TEST_STAFF's, as a person would at their first sign-in. Returns the session's token.
 */
export async function firstSignIn(station: Pick<StationApi, 'staffSignIn' | 'changeOwnPassword'>): Promise<string> {
  const { staffToken } = await station.staffSignIn({ username: TEST_STAFF.username, password: TEST_ONE_TIME_PASSWORD });
  await station.changeOwnPassword({ staffToken, currentPassword: TEST_ONE_TIME_PASSWORD, newPassword: TEST_STAFF.password });
  return staffToken;
}

/** A production station's assets folder under `dir`: `trust` as the shipped trust list, and the shipped list of common passwords. */
export function writeProductionAssets(dir: string, trust: TrustList): string {
  const assets = join(dir, 'assets');
  mkdirSync(join(assets, 'keys'), { recursive: true });
  writeFileSync(join(assets, 'keys', 'trusted-keys.json'), JSON.stringify(trust));
  mkdirSync(join(assets, 'passwords'), { recursive: true });
  copyFileSync(SOURCE_COMMON_PASSWORDS, join(assets, COMMON_PASSWORDS_FILE));
  return assets;
}

export interface TestStation {
  service: StationService;
  staffToken: string;
  dbPath: string;
  dir: string;
  keys: TestKeys;
  built: BuiltPackage;
  reopen(extra?: Partial<StationOptions>): StationService;
}

/** A station with the mini exam (or `exam`) imported and unlocked and one candidate on its roster. */
export async function openTestStation(extra: Partial<StationOptions> = {}, exam?: ExamSource): Promise<TestStation> {
  const dir = tempDir();
  const keys = makeKeys();
  const built = buildMiniPackage(keys, {}, exam);
  const dbPath = join(dir, 'station.db');
  const options = (more: Partial<StationOptions> = {}): StationOptions => ({
    dbPath,
    role: 'solo',
    venueCode: 'RIX01',
    trust: keys.trust,
    heartbeatMs: 0,
    ...TEST_STAFF_OPTIONS,
    ...extra,
    ...more,
  });
  const service = new StationService(options());
  const { staffToken } = await service.staffSignIn(TEST_STAFF);
  service.loadRoster({ sessions: [DEMO_SESSION], candidates: [DEMO_CANDIDATE] });
  const packagePath = join(dir, 'mini.exampkg');
  writeFileSync(packagePath, built.file);
  await service.importPackage({ staffToken, path: packagePath });
  await service.unlockPackage({ staffToken, packageId: built.manifest.packageId, key: built.contentKey });
  return { service, staffToken, dbPath, dir, keys, built, reopen: (more) => new StationService(options(more)) };
}

export const saveId = (): string => randomUUID();

/** What a candidate screen holds after the invigilator opened its attempt. */
export const seatOf = (opened: { attemptId: string; candidateToken: string }): { attemptId: string; candidateToken: string } => ({ attemptId: opened.attemptId, candidateToken: opened.candidateToken });

/** The station as `npm start` opens it (the embedded demo) on `dataDir`, ignoring this machine's policy file. */
export function openDemoStation(dataDir: string, env: Record<string, string> = {}): OpenedStation {
  return openStation(loadStationConfig({ env: { EXAM_STATION_MODE: 'demo', EXAM_STATION_DATA: dataDir, ...env }, machinePolicyFile: join(dataDir, 'no-policy.json') }), { heartbeatMs: 0 });
}
