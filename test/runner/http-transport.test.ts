// The station's HTTP transport as a hostile page or client meets it (issue 7.7, 7.12, 7.13, 7.18):
// only this station's own pages may call it, only with JSON; traversal and malformed URLs get a 4xx and
// never end the process; an oversized body is answered 413, not reset.
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createStationHttpServer } from '../../src-main/runner/http-server.ts';
import { createStationHandler } from '../../src-main/station/dispatch.ts';
import { openTestStation, tempDir, TEST_STAFF, type TestStation } from '../support/fixtures.ts';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let station: TestStation;
let server: FastifyInstance;
let port = 0;

/** A raw request: the test sets every header itself (Host, Origin, Content-Type) as an attacker could. */
function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

const json = { 'content-type': 'application/json' };
const code = (answer: Answer): string => (JSON.parse(answer.body) as { error: { code: string } }).error.code;

beforeAll(async () => {
  station = await openTestStation();
  const root = tempDir('exam-station-static-');
  mkdirSync(join(root, 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(root, 'renderer', 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(join(root, 'renderer', 'assets', 'app.js'), 'console.log(1)');
  mkdirSync(join(root, 'renderer-old'));
  writeFileSync(join(root, 'renderer-old', 'x'), 'SECRET-OUTSIDE-THE-ROOT');
  server = await createStationHttpServer({ handler: createStationHandler(station.service, { validateOutput: true }), staticDir: join(root, 'renderer'), surfaces: ['public', 'staff', 'candidate'] });
  await server.listen({ host: '127.0.0.1', port: 0 });
  port = (server.server.address() as { port: number }).port;
});

afterAll(async () => {
  await server.close();
  station.service.close();
});

describe('the station over HTTP', () => {
  it('answers its own pages: the page with a station cookie and a strict CSP, the API with JSON', async () => {
    const page = await send('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<div id="root">');
    expect(String(page.headers['set-cookie'])).toMatch(/exam_station_client=[\w-]+; HttpOnly; SameSite=Strict/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'self'/);
    expect((await send('/assets/app.js')).body).toBe('console.log(1)');
    const status = await send('/api/getStatus', { method: 'POST', headers: json, body: '{}' });
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toMatchObject({ ok: true, value: { role: 'solo' } });
  });

  it('refuses a request naming another Host (DNS rebinding), from another Origin, or marked cross-site', async () => {
    expect((await send('/api/getStatus', { method: 'POST', headers: { ...json, host: 'exam.attacker.example' }, body: '{}' })).status).toBe(403);
    expect((await send('/', { headers: { host: 'exam.attacker.example' } })).status).toBe(403);
    const foreign = await send('/api/staffSignIn', { method: 'POST', headers: { ...json, origin: 'http://attacker.example' }, body: JSON.stringify({ username: TEST_STAFF.username, password: 'Wrong-Password-1' }) });
    expect([foreign.status, code(foreign)]).toEqual([403, 'REQUEST_FOREIGN_ORIGIN']);
    // Another port of the same machine is another origin.
    expect((await send('/api/getStatus', { method: 'POST', headers: { ...json, origin: `http://127.0.0.1:${port + 1}` }, body: '{}' })).status).toBe(403);
    expect((await send('/api/getStatus', { method: 'POST', headers: { ...json, 'sec-fetch-site': 'cross-site' }, body: '{}' })).status).toBe(403);
    expect((await send('/api/getStatus', { method: 'POST', headers: { ...json, origin: `http://localhost:${port}` }, body: '{}' })).status).toBe(200);
  });

  it('takes only JSON: the "simple" posts a foreign page can send without asking are 415 and lock nobody out', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const answer = await send('/api/staffSignIn', { method: 'POST', headers: { 'content-type': type }, body: JSON.stringify({ username: TEST_STAFF.username, password: 'Wrong-Password-1' }) });
      expect([answer.status, code(answer)], type).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    }
    const untyped = await send('/api/staffSignIn', { method: 'POST', body: JSON.stringify({ username: TEST_STAFF.username, password: 'Wrong-Password-1' }) });
    expect(untyped.status).toBe(415);
    expect(code(await send('/api/getStatus', { method: 'POST', headers: json, body: '{"' }))).toBe('BODY_NOT_JSON');
    const signIn = await send('/api/staffSignIn', { method: 'POST', headers: json, body: JSON.stringify(TEST_STAFF) });
    expect(JSON.parse(signIn.body)).toMatchObject({ ok: true });
  });

  it('answers malformed URLs and traversal with a 4xx and keeps running', async () => {
    for (const path of ['/%ZZ', '/api/%E0%A4%A', '/%E0%A4%A', '/api/%ZZ', '/..%2frenderer-old%2fx', '/..%2f..%2frenderer-old%2fx', '/assets/..%2f..%2frenderer-old%2fx', '/%2e%2e/renderer-old/x', '/assets/%2e%2e%2f%2e%2e%2frenderer-old%2fx', '/%00']) {
      const answer = await send(path);
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.status, path).toBeLessThan(500);
      expect(answer.body, path).not.toContain('SECRET-OUTSIDE-THE-ROOT');
    }
    expect((await send('/api/getStatus', { method: 'POST', headers: json, body: '{}' })).status).toBe(200);
  });

  it('answers an oversized body with 413 in the station’s own shape, not a reset connection', async () => {
    const answer = await send('/api/saveResponse', { method: 'POST', headers: json, body: Buffer.alloc(6 * 1024 * 1024, 0x20) });
    expect([answer.status, code(answer)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect((await send('/api/getStatus', { method: 'POST', headers: json, body: '{}' })).status).toBe(200);
  });

  it('treats each tab (station cookie) as its own client: wrong passwords lock only that tab', async () => {
    const cookieOf = (answer: Answer): string => String(answer.headers['set-cookie']).split(';')[0]!;
    const stranger = cookieOf(await send('/'));
    const invigilator = cookieOf(await send('/'));
    expect(stranger).not.toBe(invigilator);
    const signIn = (cookie: string, password: string) => send('/api/staffSignIn', { method: 'POST', headers: { ...json, cookie }, body: JSON.stringify({ username: TEST_STAFF.username, password }) });
    for (let i = 0; i < 5; i += 1) expect(code(await signIn(stranger, 'Wrong-Password-1'))).toBe('STAFF_SIGN_IN_WRONG');
    expect(code(await signIn(stranger, TEST_STAFF.password))).toBe('STAFF_LOCKED_OUT');
    expect(JSON.parse((await signIn(invigilator, TEST_STAFF.password)).body)).toMatchObject({ ok: true });
  });

  it('does not take a caller without the station cookie (a script) for a candidate screen', async () => {
    const call = async (method: string, input: unknown) => JSON.parse((await send(`/api/${method}`, { method: 'POST', headers: json, body: JSON.stringify(input) })).body) as { ok: boolean; value: Record<string, string> };
    const { value: signedIn } = await call('staffSignIn', TEST_STAFF);
    expect((await call('openAttempt', { staffToken: signedIn.staffToken, candidateId: 'C-0001', packageId: station.built.manifest.packageId })).ok).toBe(true);
    expect((await call('listCandidates', { staffToken: signedIn.staffToken })).ok).toBe(true);
  });

  it('serves only POST to the API and names an unknown method as not found', async () => {
    expect((await send('/api/getStatus')).status).toBe(404);
    const unknown = await send('/api/dropTables', { method: 'POST', headers: json, body: '{}' });
    expect([unknown.status, code(unknown)]).toEqual([404, 'NOT_FOUND']);
  });
});
