// The embedded default: a solo venue with the sample tests (the A2 and B1 language tests and the grade 9
// mathematics exam) and a small demo roster, both as the demo day (src-shared/demo-day.ts) defines them
// for the central API's demo too. On first start the demo makes its own signing key in the
// data folder (no private key is ever committed), builds the sample packages from assets/samples,
// imports them and keeps their content keys for the demo invigilator to type in. Only a demo start
// (host/start.ts) ever trusts that key. Its chief invigilator (DEMO_CHIEF) signs in with a password
// the README shows.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPackage } from '../../src-shared/node/package/builder.ts';
import { SigningKeyStore, writeFileAtomic, type TrustList } from '../../src-shared/node/package/keys.ts';
import { DEMO_SESSIONS, DEMO_VENUE, demoPackageValidity, demoRoster, demoStartsAt } from '../../src-shared/demo-day.ts';
import { shippedTrust } from './trust.ts';
import { ConfigError } from './config.ts';
import type { StationService } from '../station/service.ts';

/** The demo's chief invigilator (README): a demo station only; its password is not a one-time one. */
export const DEMO_CHIEF = { username: 'vaditajs', displayName: 'Demo Vadītājs', password: 'Eksamens-2026' } as const;

export interface DemoPackage {
  examId: string;
  packageId: string;
  title: string;
  contentKey: string;
}

/**
 * The demo trusts the shipped trust list and, only here, a key the demo made in its own data folder, and
 * the keys of `extraFile` (the central demo's, .data/server/demo-trusted-keys.json, when a demo hub is
 * pointed at `npm run server`).
 */
export function demoTrust(keysDir: string, assetsDir: string, extraFile?: string): TrustList {
  const base = shippedTrust(assetsDir);
  const store = new SigningKeyStore(keysDir);
  if (store.trust().keys.length === 0) store.generate('demo-venue-key', 'made by the embedded demo; not trusted by real stations');
  const extra = extraFile ? readTrustFile(extraFile) : [];
  return { formatVersion: 1, keys: [...base.keys, ...store.trust().keys, ...extra] };
}

function readTrustFile(file: string): TrustList['keys'] {
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as TrustList).keys;
  } catch (error) {
    throw new ConfigError(`the demo trust list ${file} could not be read: ${(error as Error).message} (start the central demo first: npm run server)`);
  }
}

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
  for (const { sample, examId } of DEMO_SESSIONS) {
    const fileOf = join(staged, `${sample}.exampkg`);
    const keyOf = join(staged, `${sample}.json`);
    if (!existsSync(keyOf) || !existsSync(fileOf)) {
      const built = buildPackage({ sourceDir: join(assetsDir, 'samples', sample), signingKey: store.signingKey(), venue: DEMO_VENUE.code, ...demoPackageValidity(new Date()) });
      if (built.manifest.examId !== examId) throw new Error(`the demo sample ${sample} is exam ${built.manifest.examId}; the demo day (src-shared/demo-day.ts) says ${examId}`);
      const entry: DemoPackage = { examId: built.manifest.examId, packageId: built.manifest.packageId, title: built.manifest.title, contentKey: built.contentKey };
      writeFileAtomic(fileOf, built.file);
      writeFileAtomic(keyOf, `${JSON.stringify(entry, null, 2)}\n`, 0o600);
    }
    const entry = JSON.parse(readFileSync(keyOf, 'utf8')) as DemoPackage;
    service.importPackageBytes(readFileSync(fileOf));
    packages.push(entry);
  }
  service.loadRoster(demoRoster(demoStartsAt(new Date())));
  writeFileAtomic(keysFile, `${JSON.stringify(packages, null, 2)}\n`, 0o600);
  return packages;
}
