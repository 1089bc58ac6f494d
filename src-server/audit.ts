// The audit trail: every staff and device action and every read of personal data is appended to
// audit_log, whose rows are hash-chained: each row's hash is SHA-256 over the previous row's hash and
// the row itself (audit_row_hash in the schema). An action's transaction writes its entries to
// audit_pending, committed with the action or not at all, and takes no lock, so venues pushing at
// once never queue behind each other. The sealer (every replica runs one; they take turns on the
// chain's lock) moves committed entries into the chain in order, in batches, within a fraction of a
// second. A trigger refuses UPDATE, DELETE and TRUNCATE on audit_log; `verifyAuditChain` seals what
// is pending, recomputes every hash and reports the first broken link.
import { sql, type RawBuilder, type Transaction } from 'kysely';
import type { CentralDb } from './db/database.ts';
import type { CentralTables } from './db/tables.ts';

export interface AuditEntry {
  actorKind: 'admin' | 'device' | 'system';
  actorId: string;
  action: string;
  venueId?: string | null;
  subject?: string | null;
  detail?: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);

/** Append entries as part of `trx`; they join the chain when it commits, and vanish if it rolls back. */
export async function appendAudit(trx: Transaction<CentralTables> | CentralDb, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await trx
    .insertInto('audit_pending')
    .values(
      entries.map((e) => ({
        actor_kind: e.actorKind,
        actor_id: e.actorId,
        action: e.action,
        venue_id: e.venueId ?? null,
        subject: e.subject ?? null,
        detail: JSON.stringify(e.detail ?? {}),
      })),
    )
    .execute();
}

/**
 * The INSERT of one entry as a statement fragment, to ride along in a larger statement (a CTE);
 * `when` makes it conditional on the rest of that statement (e.g. that a row was updated).
 */
export function auditInsert(entry: AuditEntry, when: RawBuilder<unknown> = sql`true`): RawBuilder<unknown> {
  return sql`INSERT INTO audit_pending (actor_kind, actor_id, action, venue_id, subject, detail)
    SELECT ${entry.actorKind}, ${entry.actorId}, ${entry.action}, ${entry.venueId ?? null}::uuid, ${entry.subject ?? null}, ${JSON.stringify(entry.detail ?? {})}::jsonb WHERE ${when}`;
}

/** Move committed pending entries into the chain; returns how many were sealed. */
export async function sealAudit(db: CentralDb, batchSize = 2000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await sql<{ sealed: number }>`SELECT audit_seal_pending(${batchSize}) AS sealed`.execute(db);
    const sealed = Number(result.rows[0]?.sealed ?? 0);
    total += sealed;
    if (sealed < batchSize) return total;
  }
}

/** Runs `sealAudit` every `intervalMs` until stopped; a failure is reported, not thrown. */
export function startAuditSealer(db: CentralDb, intervalMs: number, onError: (error: unknown) => void): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => sealAudit(db)).catch(onError);
  }, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
      await sealAudit(db).catch(onError);
    },
  };
}

/** Append in a transaction of its own (reads have no transaction to join). */
export async function recordAudit(db: CentralDb, entries: AuditEntry[]): Promise<void> {
  await appendAudit(db, entries);
}

export type AuditVerification =
  | { ok: true; rows: number; lastHash: string }
  | { ok: false; rows: number; brokenAt: number; reason: string };

/** Walk the chain from the first row; report the first row whose link or hash does not hold. */
export async function verifyAuditChain(db: CentralDb, batchSize = 5000): Promise<AuditVerification> {
  await sealAudit(db);
  let prev = GENESIS_HASH;
  let expectedId = 1;
  let checked = 0;
  for (;;) {
    const rows = await sql<{ audit_id: number; prev_hash: string; hash: string; computed: string }>`
      SELECT audit_id, prev_hash, hash, audit_row_hash(prev_hash, audit_id, at, actor_kind, actor_id, action, venue_id, subject, detail) AS computed
      FROM audit_log WHERE audit_id >= ${expectedId} ORDER BY audit_id LIMIT ${batchSize}`.execute(db);
    for (const row of rows.rows) {
      const id = Number(row.audit_id);
      if (id !== expectedId) return { ok: false, rows: checked, brokenAt: expectedId, reason: `row ${expectedId} is missing (the next row is ${id})` };
      if (row.prev_hash !== prev) return { ok: false, rows: checked, brokenAt: id, reason: `row ${id} does not link to the hash of row ${id - 1}` };
      if (row.computed !== row.hash) return { ok: false, rows: checked, brokenAt: id, reason: `row ${id} was altered: its content does not match its hash` };
      prev = row.hash;
      expectedId += 1;
      checked += 1;
    }
    if (rows.rows.length < batchSize) break;
  }
  const head = await db.selectFrom('audit_head').selectAll().executeTakeFirst();
  if (head && (Number(head.last_id) !== checked || head.last_hash !== prev)) {
    return { ok: false, rows: checked, brokenAt: checked + 1, reason: `the chain head says ${head.last_id} rows, ${checked} were found: rows were removed from the end` };
  }
  return { ok: true, rows: checked, lastHash: prev };
}
