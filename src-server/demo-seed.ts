// The embedded default's demo data: one venue (RIX01) with a roster, the sample exams from
// assets/samples/*/ built into signed packages (with their keys and answer keys stored centrally),
// one session per package that has already started (so its key can be released at once), and a
// one-time enrollment code for a hub. Runs only on an empty database.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildPackage } from '../src-shared/node/package/builder.ts';
import { ADMIN_ACTOR } from './auth/admin.ts';
import { createEnrollmentCode } from './auth/devices.ts';
import type { ServerContext } from './context.ts';
import { storeAnswerKey, storeContentKey, storePackageFile } from './packages.ts';
import { publishRoster, publishSession } from './sessions.ts';
import { createVenue } from './venues.ts';

export interface DemoSeed {
  venueId: string;
  venueCode: string;
  enrollmentCode: string;
  sessions: { sessionId: string; examId: string; packageId: string }[];
  trustListFile: string;
}

/** The demo candidates, each on the session of one sample (by its folder name); a candidate sits one session. */
export const DEMO_ROSTER = [
  { sample: 'a2', candidateId: 'C-0001', givenName: 'Anna', familyName: 'Bērziņa', personalCode: '150785-12340', birthDate: '1985-07-15', level: 'A2' },
  { sample: 'a2', candidateId: 'C-0002', givenName: 'Jānis', familyName: 'Kalniņš', personalCode: '161175-19997', birthDate: '1975-11-16', level: 'A2', accommodation: 'papildu laiks 30 min', accommodationDocNo: 'AS-2026/114', accommodationDocDate: '2026-09-01' },
  { sample: 'b1', candidateId: 'C-0003', givenName: 'Olga', familyName: 'Ivanova', personalCode: '030303-10012', birthDate: '1903-03-03', level: 'B1' },
  { sample: 'b1', candidateId: 'C-0004', givenName: 'Pēteris', familyName: 'Ozols', personalCode: '32579461005', level: 'B1' },
  // Grade 9 pupils: a centralized exam has no language level.
  { sample: 'mat9', candidateId: 'C-0005', givenName: 'Marta', familyName: 'Liepiņa', personalCode: '140311-20126', birthDate: '2011-03-14', level: null },
  { sample: 'mat9', candidateId: 'C-0006', givenName: 'Roberts', familyName: 'Ozols', personalCode: '020611-20348', birthDate: '2011-06-02', level: null },
];

export async function seedDemo(ctx: ServerContext, samplesDir: string): Promise<DemoSeed | undefined> {
  const anyVenue = await ctx.db.selectFrom('venue').select('venue_id').limit(1).executeTakeFirst();
  if (anyVenue) return undefined;
  const venue = await createVenue(ctx.db, { code: 'RIX01', name: 'Rīgas eksāmenu centrs', address: 'Vaļņu iela 2, Rīga' }, ADMIN_ACTOR);

  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyId = `demo-${new Date().toISOString().slice(0, 10)}`;
  mkdirSync(ctx.config.dataDir, { recursive: true });
  const trustListFile = join(ctx.config.dataDir, 'demo-trusted-keys.json');
  const trust = { formatVersion: 1, keys: [{ keyId, publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), status: 'active', createdAt: new Date(Date.now() - 60_000).toISOString() }] };
  writeFileSync(trustListFile, `${JSON.stringify(trust, null, 2)}\n`);

  const samples = existsSync(samplesDir) ? readdirSync(samplesDir).filter((d) => existsSync(join(samplesDir, d, 'content.json'))).sort() : [];
  const sessions: (DemoSeed['sessions'][number] & { sample: string })[] = [];
  const now = Date.now();
  for (const sample of samples) {
    const built = buildPackage({
      sourceDir: join(samplesDir, sample),
      signingKey: { keyId, privateKey },
      venue: 'any',
      validFrom: new Date(now - 24 * 3600 * 1000),
      validUntil: new Date(now + 365 * 24 * 3600 * 1000),
    });
    const { packageId } = await storePackageFile(ctx, built.file, ADMIN_ACTOR);
    await storeContentKey(ctx, packageId, built.contentKey, ADMIN_ACTOR);
    await storeAnswerKey(ctx.db, built.answerKey, ADMIN_ACTOR);
    const sessionId = `DEMO-${sample.toUpperCase()}-1`;
    await publishSession(ctx.db, sessionId, { venueId: venue.venueId, examId: built.manifest.examId, packageId, room: '101', startsAt: new Date(now - 5 * 60_000).toISOString() }, ADMIN_ACTOR);
    sessions.push({ sessionId, examId: built.manifest.examId, packageId, sample });
  }
  for (const session of sessions) {
    const roster = DEMO_ROSTER.filter((c) => c.sample === session.sample).map(({ sample: _sample, ...candidate }) => candidate);
    await publishRoster(ctx.db, session.sessionId, roster, ADMIN_ACTOR);
  }
  const { code } = await createEnrollmentCode(ctx.db, venue.venueId, ctx.config.enrollmentCodeTtlMs, ADMIN_ACTOR);
  return { venueId: venue.venueId, venueCode: venue.code, enrollmentCode: code, sessions: sessions.map(({ sample: _sample, ...session }) => session), trustListFile };
}
