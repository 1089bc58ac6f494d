// `npm run server` with no DATABASE_URL: the service starts a PostgreSQL of its own under a fresh data
// folder, seeds the demo venue with the sample packages, serves the OpenAPI page, lets a hub enroll
// with the printed code and read its feed, and on SIGTERM shuts down cleanly, database included.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src-server/pg-cluster.ts';
import { tempDir } from '../support/fixtures.ts';
import { HubClient } from './support/harness.ts';

const dataDir = tempDir('exam-embedded-');
// As root the embedded PostgreSQL runs as the postgres OS user, which must reach the data folder.
chmodSync(dataDir, 0o755);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm run server (embedded default)', () => {
  it('runs on its own PostgreSQL with the demo data and stops cleanly', async () => {
    const port = await freePort();
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, [join(import.meta.dirname, '../../src-server/main.ts')], {
      cwd: join(import.meta.dirname, '../..'),
      env: { ...env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn' },
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
      const url = `http://127.0.0.1:${port}`;
      expect((await fetch(`${url}/health/ready`)).status).toBe(200);
      expect((await fetch(`${url}/docs/`)).status).toBe(200);
      const openapi = (await (await fetch(`${url}/docs/json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/push', '/v1/uploads', '/v1/feed', '/v1/sessions/{sessionId}/key']));

      const hub = new HubClient(url);
      expect((await hub.enroll(code!)).status).toBe(201);
      const feed = await hub.call<{ venue: { code: string }; sessions: { sessionId: string }[]; packages: unknown[]; candidates: { sessionId: string }[] }>('GET', '/v1/feed');
      expect(feed.body.venue.code).toBe('RIX01');
      expect(feed.body.sessions.map((s) => s.sessionId).sort()).toEqual(['DEMO-A2-1', 'DEMO-B1-1', 'DEMO-MAT9-1']);
      expect(feed.body.packages.length).toBe(feed.body.sessions.length);
      // Each sample's session has its own candidates: two each, none on two sessions.
      expect(feed.body.candidates.map((c) => c.sessionId).sort()).toEqual(['DEMO-A2-1', 'DEMO-A2-1', 'DEMO-B1-1', 'DEMO-B1-1', 'DEMO-MAT9-1', 'DEMO-MAT9-1']);
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
