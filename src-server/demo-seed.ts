// The embedded default's demo data: the demo day a demo station has too (src-shared/demo-day.ts: venue
// DEMO01, a session per sample with its room and roster), the samples from assets/samples/*/ built into
// signed packages for that venue (with their keys and answer keys stored centrally), the sessions
// starting at demoStartsAt (the embedded default releases their keys that long ahead, config.ts), and a
// one-time enrollment code for a hub. Runs only on an empty database.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_SESSIONS, DEMO_VENUE, demoPackageValidity, demoRoster, demoStartsAt } from '../src-shared/demo-day.ts';
import { buildPackage } from '../src-shared/node/package/builder.ts';
import { ADMIN_ACTOR } from './auth/admin.ts';
import { createEnrollmentCode } from './auth/devices.ts';
import { ConfigError } from './config.ts';
import type { ServerContext } from './context.ts';
import { storeAnswerKey, storeContentKey, storePackageFile } from './packages.ts';
import { publishRoster, publishSession } from './sessions.ts';
import { createVenue } from './venues.ts';

export interface DemoSeed {
  venueId: string;
  venueCode: string;
  enrollmentCode: string;
  sessions: { sessionId: string; examId: string; packageId: string; startsAt: string }[];
  trustListFile: string;
}

export async function seedDemo(ctx: ServerContext, samplesDir: string): Promise<DemoSeed | undefined> {
  const anyVenue = await ctx.db.selectFrom('venue').select('venue_id').limit(1).executeTakeFirst();
  if (anyVenue) return undefined;
  // Every sample is there before anything is written: a demo seeded half would never be seeded again.
  const missing = DEMO_SESSIONS.filter((s) => !existsSync(join(samplesDir, s.sample, 'content.json'))).map((s) => join(samplesDir, s.sample));
  if (missing.length > 0) throw new ConfigError(`the demo's sample tests are missing: ${missing.join(', ')}. Start the server from the project folder, or set SEED_DEMO=false`);
  const venue = await createVenue(ctx.db, { ...DEMO_VENUE }, ADMIN_ACTOR);

  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const keyId = `demo-${new Date().toISOString().slice(0, 10)}`;
  mkdirSync(ctx.config.dataDir, { recursive: true });
  const trustListFile = join(ctx.config.dataDir, 'demo-trusted-keys.json');
  const trust = { formatVersion: 1, keys: [{ keyId, publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), status: 'active', createdAt: new Date(Date.now() - 60_000).toISOString() }] };
  writeFileSync(trustListFile, `${JSON.stringify(trust, null, 2)}\n`);

  const now = new Date();
  const startsAt = demoStartsAt(now);
  const roster = demoRoster(startsAt);
  const sessions: DemoSeed['sessions'] = [];
  for (const { sample, examId, sessionId, room } of DEMO_SESSIONS) {
    const built = buildPackage({ sourceDir: join(samplesDir, sample), signingKey: { keyId, privateKey }, venue: DEMO_VENUE.code, ...demoPackageValidity(now) });
    if (built.manifest.examId !== examId) throw new Error(`the demo sample ${sample} is exam ${built.manifest.examId}; the demo day (src-shared/demo-day.ts) says ${examId}`);
    const { packageId } = await storePackageFile(ctx, built.file, ADMIN_ACTOR);
    await storeContentKey(ctx, packageId, built.contentKey, ADMIN_ACTOR);
    await storeAnswerKey(ctx.db, built.answerKey, ADMIN_ACTOR);
    await publishSession(ctx.db, sessionId, { venueId: venue.venueId, examId, packageId, room, startsAt }, ADMIN_ACTOR);
    const candidates = roster.candidates.filter((c) => c.sessionId === sessionId).map(({ sessionId: _session, ...candidate }) => candidate);
    await publishRoster(ctx.db, sessionId, candidates, ADMIN_ACTOR);
    sessions.push({ sessionId, examId, packageId, startsAt });
  }
  const { code } = await createEnrollmentCode(ctx.db, venue.venueId, ctx.config.enrollmentCodeTtlMs, ADMIN_ACTOR);
  return { venueId: venue.venueId, venueCode: venue.code, enrollmentCode: code, sessions, trustListFile };
}
