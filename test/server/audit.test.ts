// The audit trail: every action appends a hash-chained row; the table refuses updates and deletes;
// verification (HTTP endpoint and `npm run server -- verify-audit`) reports the first broken link
// when a row is altered behind the trigger's back, or when rows are cut from the end.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect } from 'vitest';
import { recordAudit, sealAudit, verifyAuditChain } from '../../src-server/audit.ts';
import { centralTest } from './support/central-test.ts';
import { makeVenue } from './support/harness.ts';

// A venue with its enrolled hub, its session and roster: the trail's first entries, before any test.
const it = centralTest.extend('venue', { scope: 'file', auto: true }, ({ central }) => makeVenue(central, 'RIX01', null, 'mini-a2'));

/** Change audit rows as a superuser would, with the append-only trigger switched off. */
async function tamper(databaseUrl: string, statement: string): Promise<void> {
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

const runVerifyCommand = (databaseUrl: string): Promise<{ code: number; stdout: string }> =>
  promisify(execFile)(process.execPath, [join(import.meta.dirname, '../../src-server/main.ts'), 'verify-audit'], { env: { ...process.env, DATABASE_URL: databaseUrl } }).then(
    ({ stdout }) => ({ code: 0, stdout }),
    (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
  );

describe('audit trail', () => {
  it('chains every action and verifies, also under concurrent appends', async ({ central, db }) => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => recordAudit(db, [{ actorKind: 'system', actorId: 'test', action: 'test.concurrent', detail: { i, text: 'Ā ē ī "quoted"' } }])));
    const result = await verifyAuditChain(db);
    expect(result.ok).toBe(true);
    await sealAudit(db);
    const rows = await db.selectFrom('audit_log').select('action').orderBy('audit_id').execute();
    expect(result.rows).toBe(rows.length);
    expect(rows.map((r) => r.action)).toEqual(expect.arrayContaining(['venue.created', 'enrollment-code.created', 'device.enrolled', 'session.published', 'roster.published']));
    const verified = await central.admin.ok<{ ok: boolean }>('GET', '/v1/admin/audit/verify');
    expect(verified.ok).toBe(true);
  });

  it('keeps an entry pending until sealed, then chains it', async ({ db }) => {
    await recordAudit(db, [{ actorKind: 'system', actorId: 'test', action: 'test.pending' }]);
    await sealAudit(db);
    const pending = await db.selectFrom('audit_pending').selectAll().execute();
    expect(pending).toEqual([]);
    const sealed = await db.selectFrom('audit_log').selectAll().where('action', '=', 'test.pending').executeTakeFirstOrThrow();
    const previous = await db.selectFrom('audit_log').select('hash').where('audit_id', '=', sealed.audit_id - 1).executeTakeFirstOrThrow();
    expect(sealed.prev_hash).toBe(previous.hash);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the audit table', async ({ db }) => {
    await expect(sql`UPDATE audit_log SET action = 'x' WHERE audit_id = 1`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE audit_id = 1`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`TRUNCATE audit_log`.execute(db)).rejects.toThrow(/append-only/);
  });

  it('reports the first altered row, through the API and the verification command', async ({ central, db }) => {
    expect((await runVerifyCommand(central.databaseUrl)).code).toBe(0);
    await tamper(central.databaseUrl, `UPDATE audit_log SET detail = '{"reason":"nothing to see"}' WHERE audit_id = 3`);
    const result = await verifyAuditChain(db);
    expect(result).toMatchObject({ ok: false, brokenAt: 3, rows: 2 });
    const command = await runVerifyCommand(central.databaseUrl);
    expect(command.code).toBe(1);
    expect(command.stdout).toContain('BROKEN at row 3');
    const api = await central.admin.ok<{ ok: boolean; brokenAt: number }>('GET', '/v1/admin/audit/verify');
    expect(api).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('notices rows removed from the end of the chain', async ({ central, db }) => {
    const head = await db.selectFrom('audit_head').selectAll().executeTakeFirstOrThrow();
    await tamper(central.databaseUrl, `UPDATE audit_log SET detail = (SELECT detail FROM audit_log WHERE audit_id = 3) WHERE false`);
    await tamper(central.databaseUrl, `DELETE FROM audit_log WHERE audit_id = ${head.last_id}`);
    const result = await verifyAuditChain(db);
    expect(result.ok).toBe(false);
  });
});
