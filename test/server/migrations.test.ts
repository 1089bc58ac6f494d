// The central schema and the PostgreSQL this program manages: migrations apply once (also when two
// replicas start together), a database from a newer server is refused, and a persistent cluster
// created on a fresh machine keeps its data across a restart.
import { randomUUID } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, migrate, SchemaTooNewError, schemaVersion } from '../../src-server/db/migrations/index.ts';
import { startManagedPostgres, type ManagedPostgres } from '../../src-server/pg-cluster.ts';
import { tempDir } from '../support/fixtures.ts';
import { startTestPostgres } from './support/harness.ts';

let postgres: ManagedPostgres;
beforeAll(async () => {
  postgres = await startTestPostgres();
});
afterAll(async () => {
  await postgres?.stop();
});

const connect = (url: string) => new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 4 }) }) });

describe('migrations', () => {
  it('brings an empty database to the latest schema once, even with two replicas at once', async () => {
    const a = connect(await postgres.createDatabase('migrate_twice'));
    const b = connect(await postgres.createDatabase('migrate_twice'));
    try {
      expect(await schemaVersion(a)).toBe(0);
      const [va, vb] = await Promise.all([migrate(a), migrate(b)]);
      expect([va, vb]).toEqual([LATEST_SCHEMA_VERSION, LATEST_SCHEMA_VERSION]);
      const rows = await sql<{ version: number }>`SELECT version FROM schema_migration`.execute(a);
      expect(rows.rows).toHaveLength(LATEST_SCHEMA_VERSION);
      expect(await migrate(a)).toBe(LATEST_SCHEMA_VERSION);
    } finally {
      await a.destroy();
      await b.destroy();
    }
  });

  it('migration 1 creates the tables with the audit chain head and its append-only trigger', async () => {
    const db = connect(await postgres.createDatabase('migration_0001'));
    try {
      expect(await migrate(db, 1)).toBe(1);
      const tables = await sql<{ tablename: string }>`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`.execute(db);
      expect(tables.rows.map((r) => r.tablename)).toEqual(
        expect.arrayContaining(['venue', 'device', 'request_nonce', 'exam_package', 'package_secret', 'exam_session', 'candidate', 'outbox_event', 'attempt', 'response', 'recording', 'upload', 'audit_log', 'audit_head']),
      );
      const head = await sql<{ last_id: string; last_hash: string }>`SELECT last_id, last_hash FROM audit_head`.execute(db);
      expect(head.rows).toEqual([{ last_id: 0, last_hash: '0'.repeat(64) }]);
    } finally {
      await db.destroy();
    }
  });

  it('migration 2 adds apply_push, which refuses a gap and applies a batch once', async () => {
    const db = connect(await postgres.createDatabase('migration_0002'));
    try {
      expect(await migrate(db, 1)).toBe(1);
      expect(await migrate(db, 2)).toBe(2);
      const venueId = randomUUID();
      const deviceId = randomUUID();
      await sql`INSERT INTO venue (venue_id, code, name) VALUES (${venueId}::uuid, 'RIX01', 'Rīga')`.execute(db);
      await sql`INSERT INTO device (device_id, venue_id, name, public_key, status) VALUES (${deviceId}::uuid, ${venueId}::uuid, 'hub', 'key', 'active')`.execute(db);
      const event = (seq: number) => ({ deviceId, seq, kind: 'note', entityId: 'n', payload: { seq }, createdAt: new Date().toISOString() });
      const push = (nonce: string, seqs: number[]) =>
        sql<{ acked_seq: number; accepted: number; duplicates: number }>`SELECT * FROM apply_push(${deviceId}::uuid, ${venueId}::uuid, ${nonce}, ${JSON.stringify(seqs.map(event))}::jsonb, '[]'::jsonb)`.execute(db);
      await expect(push('nonce-0000000000001', [2, 3])).rejects.toMatchObject({ code: 'P0001', message: 'SEQ_GAP' });
      expect((await push('nonce-0000000000002', [1, 2])).rows[0]).toEqual({ acked_seq: 2, accepted: 2, duplicates: 0 });
      expect((await push('nonce-0000000000003', [1, 2, 3])).rows[0]).toEqual({ acked_seq: 3, accepted: 1, duplicates: 2 });
      await expect(push('nonce-0000000000003', [4])).rejects.toMatchObject({ message: 'AUTH_REPLAYED' });
      const stored = await sql<{ seq: number }>`SELECT seq FROM outbox_event ORDER BY seq`.execute(db);
      expect(stored.rows.map((r) => Number(r.seq))).toEqual([1, 2, 3]);
    } finally {
      await db.destroy();
    }
  });

  it('refuses, without writing, a database from a newer server version', async () => {
    const db = connect(await postgres.createDatabase('too_new'));
    try {
      await migrate(db);
      await sql`INSERT INTO schema_migration (version, name) VALUES (${LATEST_SCHEMA_VERSION + 1}, 'from the future')`.execute(db);
      await expect(migrate(db)).rejects.toBeInstanceOf(SchemaTooNewError);
      expect(await schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION + 1);
    } finally {
      await db.destroy();
    }
  });
});

describe('managed PostgreSQL', () => {
  it('creates a persistent cluster where none exists and keeps its data across a restart', async () => {
    const parent = tempDir('exam-pg-persistent-');
    // As root the cluster belongs to the postgres OS user, which must be able to reach the folder.
    chmodSync(parent, 0o755);
    const dir = join(parent, 'cluster');
    try {
      const first = await startManagedPostgres({ dir, persistent: true });
      const url = await first.createDatabase('keeps');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$still here$$)');
      await client.end();
      await first.stop();

      const second = await startManagedPostgres({ dir, persistent: true });
      const again = new pg.Client({ connectionString: await second.createDatabase('keeps') });
      await again.connect();
      expect((await again.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
      await again.end();
      await second.stop();
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });
});
