// `npm run server` with no DATABASE_URL: the service starts a PostgreSQL of its own under a fresh data
// folder, seeds the demo day a demo station has (venue, sessions, roster; packages for that venue),
// releases a demo session's key before its start, serves the OpenAPI page, lets a hub enroll
// with the printed code and read its feed, and on SIGTERM shuts down cleanly, database included.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src-server/pg-cluster.ts';
import { DEMO_SESSIONS, DEMO_START_LEAD_MAX_MS, DEMO_VENUE, demoRoster } from '../../src-shared/demo-day.ts';
import { decodeHead, readManifest } from '../../src-shared/node/package/container.ts';
import { checkVenueRoster } from '../../src-shared/rules/roster.ts';
import { tempDir } from '../support/fixtures.ts';
import { HubClient } from './support/harness.ts';

const dataDir = tempDir('exam-embedded-');
// As root the embedded PostgreSQL runs as the postgres OS user, which must reach the data folder.
chmodSync(dataDir, 0o755);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const root = join(import.meta.dirname, '../..');
const mainScript = join(root, 'src-server/main.ts');
const { DATABASE_URL: _ignored, ADMIN_TOKEN: _token, ADMIN_TOKEN_SHA256: _hash, ...baseEnv } = process.env;

/** The token printed at the first start, for the second start to use. */
let firstToken = '';

type Feed = {
  venue: { code: string; name: string; address: string };
  sessions: { sessionId: string; examId: string; room: string; startsAt: string }[];
  packages: { examId: string; downloadPath: string }[];
  candidates: ({ candidateId: string; removed: boolean; version: number } & Record<string, unknown>)[];
};

const auditVerify = (url: string, token: string): Promise<Response> => fetch(`${url}/v1/admin/audit/verify`, { headers: { authorization: `Bearer ${token}` } });

describe('npm run server (embedded default)', () => {
  it('runs on its own PostgreSQL with the demo data and stops cleanly', async () => {
    const port = await freePort();
    const startedAt = Date.now();
    const child = spawn(process.execPath, [mainScript], {
      cwd: root,
      env: { ...baseEnv, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 200 && !/enrollment code [0-9A-Z-]+/.test(stderr); i += 1) await new Promise((r) => setTimeout(r, 100));
      const code = /enrollment code ([0-9A-Z-]+)/.exec(stderr)?.[1];
      expect(code, stderr).toBeDefined();
      expect(stderr).toMatch(/admin token \(shown once/);
      firstToken = /admin token \(shown once[^)]*\): (\S+)/.exec(stderr)![1]!;
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
      expect((await fetch(`${url}/docs/`)).status).toBe(200);
      const openapi = (await (await fetch(`${url}/docs/json`)).json()) as {
        paths: Record<string, Record<string, { security?: unknown }>>;
        components: { securitySchemes?: Record<string, { type: string; scheme: string }> };
      };
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/push', '/v1/uploads', '/v1/feed', '/v1/sessions/{sessionId}/key']));
      // The /docs page can authorise: a bearer scheme named by the admin routes, the device signature by the venue's, none by a public one.
      expect(openapi.components.securitySchemes?.adminToken).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(openapi.paths['/v1/admin/audit/verify']?.get?.security).toEqual([{ adminToken: [] }]);
      expect(openapi.paths['/v1/push']?.post?.security).toEqual([{ deviceSignature: [] }]);
      expect(openapi.paths['/health/ready']?.get?.security).toEqual([]);
      expect((await auditVerify(url, firstToken)).status).toBe(200);

      const hub = new HubClient(url);
      expect((await hub.enroll(code!)).status).toBe(201);
      const feed = await hub.call<Feed>('GET', '/v1/feed');
      // The demo day a demo station has too (src-shared/demo-day.ts): its venue, sessions and roster.
      expect(feed.body.venue).toMatchObject({ code: 'DEMO01', name: DEMO_VENUE.name, address: DEMO_VENUE.address });
      expect(feed.body.sessions.map((s) => [s.sessionId, s.examId, s.room])).toEqual(DEMO_SESSIONS.map((s) => [s.sessionId, s.examId, s.room]));
      // Every session starts at the demo's start, on the hour and at least half an hour after the seeding.
      const startsAt = feed.body.sessions[0]!.startsAt;
      expect(feed.body.sessions.every((s) => s.startsAt === startsAt)).toBe(true);
      expect(Date.parse(startsAt) % 3_600_000).toBe(0);
      expect(Date.parse(startsAt) - startedAt).toBeGreaterThanOrEqual(30 * 60_000);
      expect(Date.parse(startsAt) - startedAt).toBeLessThan(DEMO_START_LEAD_MAX_MS);
      const expected = checkVenueRoster(demoRoster(startsAt)).candidates;
      expect(feed.body.candidates.map(({ removed: _r, version: _v, ...c }) => c).sort((a, b) => a.candidateId.localeCompare(b.candidateId))).toEqual(
        expected.sort((a, b) => a.candidateId.localeCompare(b.candidateId)),
      );
      // The packages are built for the demo venue, as a demo station builds its own.
      expect(feed.body.packages.map((p) => p.examId).sort()).toEqual(DEMO_SESSIONS.map((s) => s.examId).sort());
      for (const p of feed.body.packages) {
        const file = Buffer.from(await (await hub.raw('GET', p.downloadPath)).arrayBuffer());
        expect(readManifest(decodeHead(file, file.length)).venue).toBe('DEMO01');
      }
      // The session has not started, yet its key is released: the embedded default's margin covers the demo's lead.
      const key = await hub.call<{ sessionId: string; contentKey: string }>('POST', `/v1/sessions/${DEMO_SESSIONS[0]!.sessionId}/key`);
      expect(key.status).toBe(200);
      expect(key.body.contentKey).not.toBe('');
      expect(existsSync(join(dataDir, 'postgres', 'data', 'PG_VERSION'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    expect(stderr).toContain('PostgreSQL stopped');
    expect(existsSync(join(dataDir, 'postgres', 'data', 'postmaster.pid'))).toBe(false);
    expect(readFileSync(join(dataDir, 'admin-token.sha256'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
  });
});

describe('npm run server, started again on the same data folder', () => {
  it('says where the token is and how to get a new one; new-admin-token replaces it while the server runs', async () => {
    expect(firstToken).not.toBe('');
    const port = await freePort();
    const child = spawn(process.execPath, [mainScript], { cwd: root, env: { ...baseEnv, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 200 && !/enrollment code/.test(stderr); i += 1) await new Promise((r) => setTimeout(r, 100));
      expect(stderr).not.toMatch(/shown once/);
      expect(stderr).toContain('lost it? run `npm run server -- new-admin-token`');
      const url = `http://127.0.0.1:${port}`;
      expect((await auditVerify(url, firstToken)).status).toBe(200);

      const rotate = spawnSync(process.execPath, [mainScript, 'new-admin-token'], { cwd: root, env: { ...baseEnv, DATA_DIR: dataDir }, encoding: 'utf8' });
      expect(rotate.status, rotate.stderr).toBe(0);
      const newToken = rotate.stdout.trim();
      expect(newToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(rotate.stderr).toContain('the old token no longer works');
      expect(rotate.stderr).not.toContain('wins over the file');
      expect(readFileSync(join(dataDir, 'admin-token.sha256'), 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);

      // The running server takes the new one at once and refuses the old.
      const refused = await auditVerify(url, firstToken);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { code: string }).code).toBe('ADMIN_AUTH_REQUIRED');
      expect((await auditVerify(url, newToken)).status).toBe(200);

      // With ADMIN_TOKEN set, the command still writes the file but says the environment wins.
      const shadowed = spawnSync(process.execPath, [mainScript, 'new-admin-token'], { cwd: root, env: { ...baseEnv, DATA_DIR: dataDir, ADMIN_TOKEN: 'x'.repeat(32) }, encoding: 'utf8' });
      expect(shadowed.status).toBe(0);
      expect(shadowed.stderr).toContain('ADMIN_TOKEN is set in the environment and wins over the file');
    } finally {
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
