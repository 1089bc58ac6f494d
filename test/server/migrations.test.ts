// The central schema and the PostgreSQL this program manages: migrations apply once (also when two
// replicas start together), each version does what it says to the rows before it, a database from a
// newer server is refused, and a persistent cluster created on a fresh machine keeps its data across
// a restart.
import { randomUUID } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { describe, expect } from 'vitest';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, migrate, SchemaTooNewError, schemaVersion, type Migration } from '../../src-server/db/migrations/index.ts';
import { startManagedPostgres } from '../../src-server/pg-cluster.ts';
import { tempDir } from '../support/fixtures.ts';
import { centralTest } from './support/central-test.ts';

// The file's PostgreSQL, without a central server: each test migrates databases of its own.
const it = centralTest;

const connect = (url: string) => new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 4 }) }) });

describe('migrations', () => {
  it('brings an empty database to the latest schema once, even with two replicas at once', async ({ postgres }) => {
    const a = connect(await postgres.createDatabase('migrate_twice'));
    const b = connect(await postgres.createDatabase('migrate_twice'));
    try {
      expect(await schemaVersion(a)).toBe(0);
      const [va, vb] = await Promise.all([migrate(a), migrate(b)]);
      expect([va, vb]).toEqual([LATEST_SCHEMA_VERSION, LATEST_SCHEMA_VERSION]);
      const rows = await sql<{ version: number }>`SELECT version FROM schema_migration ORDER BY version`.execute(a);
      expect(rows.rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      expect(await migrate(a)).toBe(LATEST_SCHEMA_VERSION);
    } finally {
      await a.destroy();
      await b.destroy();
    }
  });

  it('migration 1 creates the tables with the audit chain head and its append-only trigger', async ({ postgres }) => {
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

  it('migration 2 adds apply_push, which refuses a gap and applies a batch once', async ({ postgres }) => {
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

  it('migration 3 keeps what an upload verified apart from what a close claims, and apply_push refuses a close that contradicts held audio', async ({ postgres }) => {
    const db = connect(await postgres.createDatabase('migration_0003'));
    try {
      expect(await migrate(db, 2)).toBe(2);
      const venueId = randomUUID();
      const deviceId = randomUUID();
      const attemptId = randomUUID();
      const [verified, unverified] = [randomUUID(), randomUUID()];
      const [held, other] = ['a'.repeat(64), 'b'.repeat(64)];
      await sql`INSERT INTO venue (venue_id, code, name) VALUES (${venueId}::uuid, 'RIX01', 'Rīga')`.execute(db);
      await sql`INSERT INTO device (device_id, venue_id, name, public_key, status) VALUES (${deviceId}::uuid, ${venueId}::uuid, 'hub', 'key', 'active')`.execute(db);
      await sql`INSERT INTO exam_session (session_id, venue_id, exam_id, starts_at, feed_version) VALUES ('S1', ${venueId}::uuid, 'mini-a2', now(), 1)`.execute(db);
      await sql`INSERT INTO candidate (candidate_id, session_id, venue_id, given_name, family_name, personal_code, feed_version) VALUES ('C1', 'S1', ${venueId}::uuid, 'Anna', 'B', '15078512340', 1)`.execute(db);
      await sql`INSERT INTO attempt (attempt_id, venue_id, device_id, candidate_id, package_id, opened_at) VALUES (${attemptId}::uuid, ${venueId}::uuid, ${deviceId}::uuid, 'C1', ${randomUUID()}::uuid, now())`.execute(db);
      // As schema 2 left them: one recording whose object is its upload's, one whose key names other
      // bytes than its upload verified (what the close-after-upload defect could leave behind).
      for (const [recordingId, keyHash] of [[verified, held], [unverified, other]] as const) {
        await sql`INSERT INTO upload (upload_id, venue_id, device_id, recording_id, length, "offset", sha256, mime_type, status)
          VALUES (${randomUUID()}::uuid, ${venueId}::uuid, ${deviceId}::uuid, ${recordingId}::uuid, 10, 10, ${held}, 'audio/webm', 'complete')`.execute(db);
        await sql`INSERT INTO recording (recording_id, venue_id, attempt_id, sha256, bytes, closed, blob_key, uploaded_at)
          VALUES (${recordingId}::uuid, ${venueId}::uuid, ${attemptId}::uuid, ${held}, 10, false, ${`audio/${venueId}/${recordingId}-${keyHash}`}, now())`.execute(db);
      }
      expect(await migrate(db, 3)).toBe(3);
      const rows = await sql<{ recording_id: string; blob_sha256: string | null; blob_bytes: string | null }>`SELECT recording_id, blob_sha256, blob_bytes FROM recording ORDER BY recording_id = ${verified}::uuid DESC`.execute(db);
      expect(rows.rows.map((r) => [r.recording_id, r.blob_sha256, r.blob_bytes === null ? null : Number(r.blob_bytes)])).toEqual([
        [verified, held, 10],
        [unverified, null, null],
      ]);
      // A verified hash can never name an object whose key says otherwise.
      await expect(sql`UPDATE recording SET blob_sha256 = ${held}, blob_bytes = 10 WHERE recording_id = ${unverified}::uuid`.execute(db)).rejects.toMatchObject({ code: '23514' });

      const close = (seq: number, sha256: string) => ({
        deviceId,
        seq,
        kind: 'recording.closed',
        entityId: verified,
        payload: { recordingId: verified, attemptId, itemId: 's1-q1', take: 1, sha256, bytes: 10, durationMs: 1, segmentCount: 1, mimeType: 'audio/webm' },
        createdAt: new Date().toISOString(),
      });
      const push = (nonce: string, events: unknown[]) => sql`SELECT * FROM apply_push(${deviceId}::uuid, ${venueId}::uuid, ${nonce}, ${JSON.stringify(events)}::jsonb, '[]'::jsonb)`.execute(db);
      const refused = await push('nonce-0000000000001', [close(1, other)]).catch((error: unknown) => error as { code: string; message: string; detail: string });
      expect(refused).toMatchObject({ code: 'P0001', message: 'RECORDING_CONFLICT' });
      expect(JSON.parse((refused as { detail: string }).detail)).toMatchObject({ seq: 1, info: { recordingId: verified, closedSha256: other, heldSha256: held } });
      // Two closes of one recording that disagree, in one push, are refused too.
      await expect(push('nonce-0000000000002', [close(1, held), close(2, other)])).rejects.toMatchObject({ message: 'RECORDING_CONFLICT' });
      await push('nonce-0000000000003', [close(1, held)]);
      const closed = await sql<{ closed: boolean; sha256: string }>`SELECT closed, sha256 FROM recording WHERE recording_id = ${verified}::uuid`.execute(db);
      expect(closed.rows).toEqual([{ closed: true, sha256: held }]);
      await expect(sql`SELECT lock_recordings(ARRAY[${verified}::uuid, ${unverified}::uuid])`.execute(db)).resolves.toBeDefined();
    } finally {
      await db.destroy();
    }
  });

  it('migration 4 keeps every event\'s origin and what the contract\'s kinds carry, and apply_push holds an origin once', async ({ postgres }) => {
    const db = connect(await postgres.createDatabase('migration_0004'));
    try {
      expect(await migrate(db, 3)).toBe(3);
      const venueId = randomUUID();
      const deviceId = randomUUID();
      const attemptId = randomUUID();
      const recordingId = randomUUID();
      await sql`INSERT INTO venue (venue_id, code, name) VALUES (${venueId}::uuid, 'RIX01', 'Rīga')`.execute(db);
      await sql`INSERT INTO device (device_id, venue_id, name, public_key, status, acked_seq) VALUES (${deviceId}::uuid, ${venueId}::uuid, 'hub', 'key', 'active', 2)`.execute(db);
      await sql`INSERT INTO exam_session (session_id, venue_id, exam_id, starts_at, feed_version) VALUES ('S1', ${venueId}::uuid, 'mini-a2', now(), 1)`.execute(db);
      await sql`INSERT INTO candidate (candidate_id, session_id, venue_id, given_name, family_name, personal_code, feed_version) VALUES ('C1', 'S1', ${venueId}::uuid, 'Anna', 'B', '15078512340', 1)`.execute(db);
      await sql`INSERT INTO attempt (attempt_id, venue_id, device_id, candidate_id, package_id, opened_at) VALUES (${attemptId}::uuid, ${venueId}::uuid, ${deviceId}::uuid, 'C1', ${randomUUID()}::uuid, now())`.execute(db);
      await sql`INSERT INTO recording (recording_id, venue_id, attempt_id, sha256, bytes, closed) VALUES (${recordingId}::uuid, ${venueId}::uuid, ${attemptId}::uuid, ${'a'.repeat(64)}, 10, true)`.execute(db);
      await sql`INSERT INTO attendance (candidate_id, session_id, venue_id, status, marked_at) VALUES ('C1', 'S1', ${venueId}::uuid, 'present', now())`.execute(db);
      await sql`INSERT INTO incident (incident_id, venue_id, session_id, candidate_id, kind, note, at) VALUES ('INC-1', ${venueId}::uuid, 'S1', 'C1', 'technical', '', now())`.execute(db);
      // As schema 3 stored them: the hub's own event (origin = the hub) and one it relayed for a seat.
      const opened = { attemptId, candidateId: 'C1', packageId: randomUUID(), openedAt: new Date().toISOString() };
      await sql`INSERT INTO outbox_event (device_id, seq, origin_device_id, kind, entity_id, payload, created_at) VALUES
        (${deviceId}::uuid, 1, ${deviceId}, 'attempt.opened', ${attemptId}, ${JSON.stringify(opened)}::jsonb, 'then'),
        (${deviceId}::uuid, 2, 'seat-1', 'note', 'n', '{}'::jsonb, 'then')`.execute(db);

      expect(await migrate(db, 4)).toBe(4);
      const origins = await sql<{ seq: number; origin_seq: number | null }>`SELECT seq, origin_seq FROM outbox_event ORDER BY seq`.execute(db);
      expect(origins.rows.map((r) => [Number(r.seq), r.origin_seq === null ? null : Number(r.origin_seq)])).toEqual([
        [1, 1],
        [2, null],
      ]);
      // What earlier versions did not keep is unknown, not invented.
      expect((await sql`SELECT submitted_at FROM attempt`.execute(db)).rows).toEqual([{ submitted_at: null }]);
      expect((await sql`SELECT interrupted, interruption FROM recording`.execute(db)).rows).toEqual([{ interrupted: null, interruption: null }]);
      expect((await sql`SELECT marked_by FROM attendance`.execute(db)).rows).toEqual([{ marked_by: null }]);
      expect((await sql`SELECT attempt_id, recorded_by FROM incident`.execute(db)).rows).toEqual([{ attempt_id: null, recorded_by: null }]);
      // Every new event carries its origin seq, and an origin is stored once.
      await expect(sql`INSERT INTO outbox_event (device_id, seq, origin_device_id, kind, entity_id, payload, created_at) VALUES (${deviceId}::uuid, 9, 'seat-1', 'k', 'e', '{}', 'now')`.execute(db)).rejects.toMatchObject({ code: '23514' });
      await expect(sql`INSERT INTO outbox_event (device_id, seq, origin_device_id, origin_seq, kind, entity_id, payload, created_at) VALUES (${deviceId}::uuid, 9, ${deviceId}, 1, 'k', 'e', '{}', 'now')`.execute(db)).rejects.toMatchObject({ code: '23505' });
      // A timer event or play belongs to an attempt of its own venue.
      await expect(sql`INSERT INTO timer_event (attempt_id, event_id, venue_id, part_id, kind, at_ms, origin_device_id, origin_seq) VALUES (${attemptId}::uuid, 1, ${randomUUID()}::uuid, 'p', 'start', 0, 'd', 1)`.execute(db)).rejects.toMatchObject({ code: '23503' });

      const envelope = (seq: number, kind: string, payload: unknown, origin = { deviceId, seq }) => ({ seq, origin, kind, entityId: attemptId, payload, createdAt: new Date().toISOString() });
      const push = (nonce: string, events: unknown[]) =>
        sql<{ acked_seq: number; accepted: number; duplicates: number }>`SELECT * FROM apply_push(${deviceId}::uuid, ${venueId}::uuid, ${nonce}, ${JSON.stringify(events)}::jsonb, '[]'::jsonb)`.execute(db);
      const timer = { attemptId, partId: 'l', eventId: 7, kind: 'credit', at: 1_747_040_400_000, amountMs: 60_000, reason: 'fault' };
      const batch = [
        // The event stored before the migration, re-relayed under a new seq: held, not applied again.
        envelope(3, 'attempt.opened', opened, { deviceId, seq: 1 }),
        envelope(4, 'timer.event', timer),
        envelope(5, 'audio.play', { attemptId, stimulusId: 'l1-audio', play: 1 }),
        envelope(6, 'attempt.submitted', { attemptId, submittedAt: '2025-05-12T10:00:00.000Z' }),
      ];
      expect((await push('nonce-0000000000001', batch)).rows[0]).toEqual({ acked_seq: 6, accepted: 3, duplicates: 1 });
      expect((await sql`SELECT event_id, kind, at_ms, amount_ms, reason, origin_seq FROM timer_event`.execute(db)).rows).toEqual([
        { event_id: 7, kind: 'credit', at_ms: 1_747_040_400_000, amount_ms: 60_000, reason: 'fault', origin_seq: 4 },
      ]);
      expect((await sql`SELECT stimulus_id, play FROM audio_play`.execute(db)).rows).toEqual([{ stimulus_id: 'l1-audio', play: 1 }]);
      expect((await sql<{ submitted_at: Date }>`SELECT submitted_at FROM attempt`.execute(db)).rows[0]!.submitted_at.toISOString()).toBe('2025-05-12T10:00:00.000Z');
      expect(Number((await sql<{ n: number }>`SELECT count(*) AS n FROM outbox_event`.execute(db)).rows[0]!.n)).toBe(5);

      // The same origin with another body is refused, naming the seq and the origin.
      const conflict = await push('nonce-0000000000002', [envelope(7, 'timer.event', { ...timer, amountMs: 600_000 }, { deviceId, seq: 4 })]).catch((error: unknown) => error as { message: string; detail: string });
      expect(conflict).toMatchObject({ message: 'EVENT_CONFLICT' });
      expect(JSON.parse((conflict as { detail: string }).detail)).toMatchObject({ seq: 7, info: { originDeviceId: deviceId, originSeq: 4, heldSeq: 4 } });
      await expect(sql`SELECT lock_origins(ARRAY['seat-1', ${deviceId}])`.execute(db)).resolves.toBeDefined();
    } finally {
      await db.destroy();
    }
  });

  it('migration 10 keeps every play held as one that counts, and apply_push marks a play handed back, in the same push or a later one', async ({ postgres }) => {
    const db = connect(await postgres.createDatabase('migration_0010'));
    try {
      expect(await migrate(db, 4)).toBe(4);
      const venueId = randomUUID();
      const deviceId = randomUUID();
      const attemptId = randomUUID();
      await sql`INSERT INTO venue (venue_id, code, name) VALUES (${venueId}::uuid, 'RIX01', 'Rīga')`.execute(db);
      await sql`INSERT INTO device (device_id, venue_id, name, public_key, status, acked_seq) VALUES (${deviceId}::uuid, ${venueId}::uuid, 'hub', 'key', 'active', 1)`.execute(db);
      await sql`INSERT INTO exam_session (session_id, venue_id, exam_id, starts_at, feed_version) VALUES ('S1', ${venueId}::uuid, 'mini-a2', now(), 1)`.execute(db);
      await sql`INSERT INTO candidate (candidate_id, session_id, venue_id, given_name, family_name, personal_code, feed_version) VALUES ('C1', 'S1', ${venueId}::uuid, 'Anna', 'B', '15078512340', 1)`.execute(db);
      await sql`INSERT INTO attempt (attempt_id, venue_id, device_id, candidate_id, package_id, opened_at) VALUES (${attemptId}::uuid, ${venueId}::uuid, ${deviceId}::uuid, 'C1', ${randomUUID()}::uuid, now())`.execute(db);
      await sql`INSERT INTO audio_play (attempt_id, stimulus_id, play, venue_id, origin_device_id, origin_seq) VALUES (${attemptId}::uuid, 'l1-audio', 1, ${venueId}::uuid, ${deviceId}, 1)`.execute(db);

      expect(await migrate(db, 10)).toBe(10);
      expect((await sql`SELECT play, returned_at FROM audio_play`.execute(db)).rows).toEqual([{ play: 1, returned_at: null }]);

      const envelope = (seq: number, kind: string, payload: unknown) => ({ seq, origin: { deviceId, seq }, kind, entityId: attemptId, payload, createdAt: new Date().toISOString() });
      const push = (nonce: string, events: unknown[]) =>
        sql<{ acked_seq: number; accepted: number; duplicates: number }>`SELECT * FROM apply_push(${deviceId}::uuid, ${venueId}::uuid, ${nonce}, ${JSON.stringify(events)}::jsonb, '[]'::jsonb)`.execute(db);
      const batch = [
        envelope(2, 'audio.play.returned', { attemptId, stimulusId: 'l1-audio', play: 1, returnedAt: '2025-05-12T09:00:05.000Z' }),
        envelope(3, 'audio.play', { attemptId, stimulusId: 'l1-audio', play: 2 }),
        envelope(4, 'audio.play', { attemptId, stimulusId: 'l2-audio', play: 1 }),
        envelope(5, 'audio.play.returned', { attemptId, stimulusId: 'l2-audio', play: 1, returnedAt: '2025-05-12T09:01:05.000Z' }),
      ];
      expect((await push('nonce-0000000000010', batch)).rows[0]).toEqual({ acked_seq: 5, accepted: 4, duplicates: 0 });
      const plays = await sql<{ stimulus_id: string; play: number; returned_at: Date | null }>`SELECT stimulus_id, play, returned_at FROM audio_play ORDER BY stimulus_id, play`.execute(db);
      expect(plays.rows.map((p) => [p.stimulus_id, p.play, p.returned_at?.toISOString() ?? null])).toEqual([
        ['l1-audio', 1, '2025-05-12T09:00:05.000Z'],
        ['l1-audio', 2, null],
        ['l2-audio', 1, '2025-05-12T09:01:05.000Z'],
      ]);
      // A play the centre does not hold cannot be handed back.
      const unknown = await push('nonce-0000000000011', [envelope(6, 'audio.play.returned', { attemptId, stimulusId: 'l1-audio', play: 7, returnedAt: '2025-05-12T09:02:00.000Z' })]).catch(
        (error: unknown) => error as { message: string; detail: string },
      );
      expect(unknown).toMatchObject({ message: 'EVENT_REJECTED' });
      expect(JSON.parse((unknown as { detail: string }).detail)).toMatchObject({ seq: 6 });
    } finally {
      await db.destroy();
    }
  });

  it('migration 20 keeps deletion certificates of known devices and sessions, one row per certificate id', async ({ postgres }) => {
    const db = connect(await postgres.createDatabase('migration_0020'));
    try {
      expect(await migrate(db, 10)).toBe(10);
      const venueId = randomUUID();
      const deviceId = randomUUID();
      await sql`INSERT INTO venue (venue_id, code, name) VALUES (${venueId}::uuid, 'RIX01', 'Rīga')`.execute(db);
      await sql`INSERT INTO device (device_id, venue_id, name, public_key, status, acked_seq) VALUES (${deviceId}::uuid, ${venueId}::uuid, 'hub', 'key', 'active', 0)`.execute(db);
      await sql`INSERT INTO exam_session (session_id, venue_id, exam_id, starts_at, feed_version) VALUES ('S1', ${venueId}::uuid, 'mini-a2', now(), 1)`.execute(db);
      expect(await migrate(db, 20)).toBe(20);
      const certificateId = randomUUID();
      const insert = (id: string, session: string, sha: string) =>
        sql`INSERT INTO deletion_certificate (certificate_id, device_id, venue_id, session_id, certificate, certificate_sha256, signature)
          VALUES (${id}::uuid, ${deviceId}::uuid, ${venueId}::uuid, ${session}, '{"formatVersion":1}'::jsonb, ${sha}, 'sig')`.execute(db);
      await insert(certificateId, 'S1', 'a'.repeat(64));
      await expect(insert(certificateId, 'S1', 'b'.repeat(64))).rejects.toMatchObject({ code: '23505' });
      await expect(insert(randomUUID(), 'S-UNKNOWN', 'a'.repeat(64))).rejects.toMatchObject({ code: '23503' });
      await expect(insert(randomUUID(), 'S1', 'not a hash')).rejects.toMatchObject({ code: '23514' });
      expect((await sql<{ n: number }>`SELECT count(*)::integer AS n, bool_and(received_at IS NOT NULL) AS dated FROM deletion_certificate`.execute(db)).rows).toEqual([{ n: 1, dated: true }]);
    } finally {
      await db.destroy();
    }
  });

  it('numbers each migration as its file does, in increasing order, the latest being the highest', () => {
    const dir = join(import.meta.dirname, '../../src-server/db/migrations');
    const files = readdirSync(dir).filter((f) => /^\d{4}_.+\.ts$/.test(f)).sort();
    expect(MIGRATIONS.map((m) => m.version)).toEqual(files.map((f) => Number(f.slice(0, 4))));
    // Every file is in the list: a migration written but not listed would never run.
    for (const file of files) expect(readFileSync(join(dir, 'index.ts'), 'utf8')).toContain(`./${file}`);
    expect(LATEST_SCHEMA_VERSION).toBe(Math.max(...MIGRATIONS.map((m) => m.version)));
  });

  it('follows the declared versions of a history with gaps, and refuses a database at a version in a gap it does not declare', async ({ postgres }) => {
    /** Migrations that each create a table named after their version. */
    const history = (...versions: number[]): Migration[] =>
      versions.map((version) => ({ version, name: `table ${version}`, up: async (db) => void (await sql.raw(`CREATE TABLE t${version} (x integer)`).execute(db)) }));
    const gapped = history(1, 2, 5, 10);
    const tables = async (db: Kysely<unknown>) => (await sql<{ tablename: string }>`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't%' ORDER BY tablename`.execute(db)).rows.map((r) => r.tablename);
    const applied = async (db: Kysely<unknown>) => (await sql<{ version: number }>`SELECT version FROM schema_migration ORDER BY version`.execute(db)).rows.map((r) => r.version);
    const db = connect(await postgres.createDatabase('gapped_history'));
    const patched = connect(await postgres.createDatabase('gapped_history_patched'));
    try {
      expect(await migrate(db, 5, gapped)).toBe(5);
      expect(await migrate(db, undefined, gapped)).toBe(10);
      expect(await applied(db)).toEqual([1, 2, 5, 10]);
      expect(await tables(db)).toEqual(['t1', 't10', 't2', 't5']);

      // A database a point release took to 6, before this server (which knows 1, 2, 5, 10) sees it.
      expect(await migrate(patched, undefined, history(1, 2, 5, 6))).toBe(6);
      await expect(migrate(patched, undefined, gapped)).rejects.toThrow(/holds schema 6, which this server does not know \(it knows 1, 2, 5, 10\)/);
      await expect(migrate(patched, undefined, gapped)).rejects.toBeInstanceOf(SchemaTooNewError);
      expect(await applied(patched)).toEqual([1, 2, 5, 6]);
      expect(await tables(patched)).toEqual(['t1', 't2', 't5', 't6']);
      // A server that carries the point fix takes it on to 10.
      expect(await migrate(patched, undefined, history(1, 2, 5, 6, 10))).toBe(10);

      await expect(migrate(db, undefined, history(1, 10, 6))).rejects.toThrow(/comes after version 10/);
    } finally {
      await db.destroy();
      await patched.destroy();
    }
  });

  it('refuses, without writing, a database from a newer server version', async ({ postgres }) => {
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
