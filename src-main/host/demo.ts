// The embedded default: a solo venue with the sample tests (the A2 and B1 language tests and the grade 9
// mathematics exam) and a small demo roster. On first start the demo makes its own signing key in the
// data folder (no private key is ever committed), builds the sample packages from assets/samples,
// imports them and keeps their content keys for the demo invigilator to type in. Only a demo start
// (host/start.ts) ever trusts that key. Its chief invigilator (DEMO_CHIEF) signs in with a password
// the README shows.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPackage } from '../../src-shared/node/package/builder.ts';
import { SigningKeyStore, writeFileAtomic, type TrustList } from '../../src-shared/node/package/keys.ts';
import { DEMO_VENUE } from './config.ts';
import { shippedTrust } from './trust.ts';
import type { StationService } from '../station/service.ts';
import type { RosterInput } from '../station/records/roster.ts';

/** The demo's chief invigilator (README): a demo station only; its password is not a one-time one. */
export const DEMO_CHIEF = { username: 'vaditajs', displayName: 'Demo Vadītājs', password: 'Eksamens-2026' } as const;

export interface DemoPackage {
  examId: string;
  packageId: string;
  title: string;
  contentKey: string;
}

/** The demo trusts the shipped trust list and, only here, a key the demo made in its own data folder. */
export function demoTrust(keysDir: string, assetsDir: string): TrustList {
  const base = shippedTrust(assetsDir);
  const store = new SigningKeyStore(keysDir);
  if (store.trust().keys.length === 0) store.generate('demo-venue-key', 'made by the embedded demo; not trusted by real stations');
  return { formatVersion: 1, keys: [...base.keys, ...store.trust().keys] };
}

/**
 * When the demo's sessions start: the first full hour at least half an hour after the demo was set up,
 * so that a candidate checked in on the demo day is on time (a fixed 09:00 made everyone late after it).
 */
export function demoStartsAt(now: Date): string {
  const hour = 3_600_000;
  return new Date(Math.ceil((now.getTime() + hour / 2) / hour) * hour).toISOString();
}

const ROSTER_SESSION = (examId: string, index: number, startsAt: string) => ({
  sessionId: `DEMO-${examId}`,
  examId,
  venueCode: DEMO_VENUE,
  venueName: 'Demonstrācijas eksāmenu vieta',
  room: `${101 + index}`,
  startsAt,
  endsAt: null,
});

const DEMO_ADULTS = [
  { givenName: 'Anna', familyName: 'Bērziņa', personalCode: '150785-12340', birthDate: '1985-07-15' },
  { givenName: 'Jānis', familyName: 'Kalniņš', personalCode: '161175-19997', birthDate: '1975-11-16' },
  { givenName: 'Olga', familyName: 'Ivanova', personalCode: '32845019376', birthDate: null },
];

const DEMO_PUPILS = [
  { givenName: 'Marta', familyName: 'Liepiņa', personalCode: '140311-20126', birthDate: '2011-03-14' },
  { givenName: 'Roberts', familyName: 'Ozols', personalCode: '020611-20348', birthDate: '2011-06-02' },
  { givenName: 'Daniils', familyName: 'Petrovs', personalCode: '250910-20454', birthDate: '2010-09-25' },
];

/** The samples the demo offers, each with its session's candidates; a centralized exam has no level. */
const DEMO_SAMPLES = [
  { sample: 'a2', level: 'A2', people: DEMO_ADULTS },
  { sample: 'b1', level: 'B1', people: DEMO_ADULTS },
  { sample: 'mat9', level: null, people: DEMO_PUPILS },
] as const;

/**
 * Seed an empty demo station; a second call finds the packages in place and changes nothing. Each step
 * can be cut off and done again: a package is built once and its file and key are written before it
 * is imported (importing the same file again is a no-op), the roster is an upsert, and the list of
 * keys that says "seeded" is written last.
 */
export function seedDemo(service: StationService, dataDir: string, assetsDir: string, keysDir = join(dataDir, 'demo-signing-keys')): DemoPackage[] {
  const keysFile = join(dataDir, 'demo-package-keys.json');
  if (existsSync(keysFile)) return JSON.parse(readFileSync(keysFile, 'utf8')) as DemoPackage[];
  const staged = join(dataDir, 'demo-packages');
  mkdirSync(staged, { recursive: true });
  const store = new SigningKeyStore(keysDir);
  const packages: DemoPackage[] = [];
  const sessions: RosterInput['sessions'] = [];
  const startsAt = demoStartsAt(new Date());
  const candidates: RosterInput['candidates'] = [];
  for (const [index, { sample, level, people }] of DEMO_SAMPLES.entries()) {
    const fileOf = join(staged, `${sample}.exampkg`);
    const keyOf = join(staged, `${sample}.json`);
    if (!existsSync(keyOf) || !existsSync(fileOf)) {
      const built = buildPackage({
        sourceDir: join(assetsDir, 'samples', sample),
        signingKey: store.signingKey(),
        venue: DEMO_VENUE,
        validFrom: new Date(Date.now() - 24 * 3600 * 1000),
        validUntil: new Date(Date.now() + 365 * 24 * 3600 * 1000),
      });
      const entry: DemoPackage = { examId: built.manifest.examId, packageId: built.manifest.packageId, title: built.manifest.title, contentKey: built.contentKey };
      writeFileAtomic(fileOf, built.file);
      writeFileAtomic(keyOf, `${JSON.stringify(entry, null, 2)}\n`, 0o600);
    }
    const entry = JSON.parse(readFileSync(keyOf, 'utf8')) as DemoPackage;
    service.importPackageBytes(readFileSync(fileOf));
    packages.push(entry);
    const session = ROSTER_SESSION(entry.examId, index, startsAt);
    sessions.push(session);
    people.forEach((person, p) =>
      candidates.push({
        ...person,
        candidateId: `DEMO-${sample.toUpperCase()}-${p + 1}`,
        sessionId: session.sessionId,
        level,
        accommodation: p === 2 ? 'extra-time-25' : null,
        accommodationDocNo: p === 2 ? 'ĀA-2026/117' : null,
        accommodationDocDate: p === 2 ? '2026-10-01' : null,
      }),
    );
  }
  service.loadRoster({ sessions, candidates });
  writeFileAtomic(keysFile, `${JSON.stringify(packages, null, 2)}\n`, 0o600);
  return packages;
}
