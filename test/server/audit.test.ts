// The audit trail: every action appends a hash-chained row; the table refuses updates and deletes;
// verification (HTTP endpoint and `npm run server -- verify-audit`) reports the first broken link
// when a row is altered behind the trigger's back, or when rows are cut from the end.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit, sealAudit, verifyAuditChain } from '../../src-server/audit.ts';
import type { ManagedPostgres } from '../../src-server/pg-cluster.ts';
import { makeVenue, startTestPostgres, startTestServer, type TestServer } from './support/harness.ts';

let postgres: ManagedPostgres;
let test: TestServer;
let databaseUrl: string;

beforeAll(async () => {
  postgres = await startTestPostgres();
  test = await startTestServer(postgres, 'audit_test');
  databaseUrl = await postgres.createDatabase('audit_test');
  await makeVenue(test, 'RIX01', null, 'mini-a2');
});

afterAll(async () => {
  await test?.stop();
  await postgres?.stop();
});

/** Change audit rows as a superuser would, with the append-only trigger switched off. */
async function tamper(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
    await client.query(statement);
    await client.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
  } finally {
    await client.end();
  }
}

const runVerifyCommand = (): Promise<{ code: number; stdout: string }> =>
  promisify(execFile)(process.execPath, [join(import.meta.dirname, '../../src-server/main.ts'), 'verify-audit'], { env: { ...process.env, DATABASE_URL: databaseUrl } }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );

describe('audit trail', () => {
  it('chains every action and verifies, also under concurrent appends', async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => recordAudit(test.server.ctx.db, [{ actorKind: 'system', actorId: 'test', action: 'test.concurrent', detail: { i, text: 'Ā ē ī "quoted"' } }])));
    const result = await verifyAuditChain(test.server.ctx.db);
    expect(result.ok).toBe(true);
    await sealAudit(test.server.ctx.db);
    const rows = await test.server.ctx.db.selectFrom('audit_log').select('action').orderBy('audit_id').execute();
    expect(result.rows).toBe(rows.length);
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['venue.created', 'enrollment-code.created', 'device.enrolled', 'session.published', 'roster.published']));
    const verified = await test.admin.ok<{ ok: boolean }>('GET', '/v1/admin/audit/verify');
    expect(verified.ok).toBe(true);
  });

  it('keeps an entry pending until sealed, then chains it', async () => {
    await recordAudit(test.server.ctx.db, [{ actorKind: 'system', actorId: 'test', action: 'test.pending' }]);
    await sealAudit(test.server.ctx.db);
    const pending = await test.server.ctx.db.selectFrom('audit_pending').selectAll().execute();
    expect(pending).toEqual([]);
    const sealed = await test.server.ctx.db.selectFrom('audit_log').selectAll().where('action', '=', 'test.pending').executeTakeFirstOrThrow();
    const previous = await test.server.ctx.db.selectFrom('audit_log').select('hash').where('audit_id', '=', sealed.audit_id - 1).executeTakeFirstOrThrow();
    expect(sealed.prev_hash).toBe(previous.hash);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the audit table', async () => {
    await expect(sql`UPDATE audit_log SET action = 'x' WHERE audit_id = 1`.execute(test.server.ctx.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE audit_id = 1`.execute(test.server.ctx.db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_log`.execute(test.server.ctx.db)).rejects.toThrow(/append-only/);
  });

  it('reports the first altered row, through the API and the verification command', async () => {
    expect((await runVerifyCommand()).code).toBe(0);
    await tamper(`UPDATE audit_log SET detail = '{"reason":"nothing to see"}' WHERE audit_id = 3`);
    const result = await verifyAuditChain(test.server.ctx.db);
    expect(result).toMatchObject({ ok: false, brokenAt: 3, rows: 2 });
    const command = await runVerifyCommand();
    expect(command.code).toBe(1);
    expect(command.stdout).toContain('BROKEN at row 3');
    const api = await test.admin.ok<{ ok: boolean; brokenAt: number }>('GET', '/v1/admin/audit/verify');
    expect(api).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('notices rows removed from the end of the chain', async () => {
    const head = await test.server.ctx.db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    await tamper(`UPDATE audit_log SET detail = (SELECT detail FROM audit_log WHERE audit_id = 3) WHERE false`);
    await tamper(`DELETE FROM audit_log WHERE audit_id = ${head.last_id}`);
    const result = await verifyAuditChain(test.server.ctx.db);
    expect(result.ok).toBe(false);
  });
});
