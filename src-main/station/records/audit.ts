// The station's audit log: every staff action, every sign-in and its failures, every lockout and every
// change to an account, as an append-only chain. Each entry's hash is SHA-256 over the canonical JSON
// of the entry together with the hash before it (the first links to GENESIS_HASH), so an entry edited,
// removed or slipped in breaks the chain from there on. An entry is written in the transaction of the
// action it records: an action is never without its entry, nor an entry without its action.
//
// The chain shows tampering to whoever knows a later hash: a person with the file could rewrite the
// chain from the edit onwards. The head (the last seq and hash, meta `audit_head`) is what the hub
// signs into a sealed session and hands to the central API, which keeps it beyond the venue's reach.
import { createHash } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { canonicalJson } from '../../../src-shared/canonical-json.ts';
import type { AuditEntryView, AuditVerification } from '../../../src-shared/contracts/station-api.ts';
import type { StationDatabase, Tx } from '../database.ts';

export const GENESIS_HASH = '0'.repeat(64);

export interface NewAuditEntry {
  /** A username, or `(anonymous)`, `(set-up)`, `(it-policy)`, `(station)` for what no person did. */
  actor: string;
  action: string;
  target?: string | null;
  details?: Record<string, unknown>;
}

interface ChainedEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details: Record<string, unknown>;
  prevHash: string;
}

/** The entry's hash: SHA-256 (hex) over the canonical JSON of every field of it and the hash before. */
export function entryHash(entry: ChainedEntry): string {
  return createHash('sha256').update(canonicalJson(entry), 'utf8').digest('hex');
}

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details_json: string;
  prev_hash: string;
  hash: string;
}

export class AuditLog {
  private readonly db: StationDatabase;

  constructor(db: StationDatabase) {
    this.db = db;
  }

  /** Append an entry inside the transaction of what it records; returns its seq. */
  append(_tx: Tx, entry: NewAuditEntry, now: Date): number {
    const last = this.db.get(this.db.q.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1));
    const chained: ChainedEntry = {
      seq: (last?.seq ?? 0) + 1,
      at: now.toISOString(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? null,
      details: entry.details ?? {},
      prevHash: last?.hash ?? GENESIS_HASH,
    };
    const hash = entryHash(chained);
    this.db.run(
      this.db.q.insertInto('audit_log').values({
        seq: chained.seq,
        at: chained.at,
        actor: chained.actor,
        action: chained.action,
        target: chained.target,
        details_json: canonicalJson(chained.details),
        prev_hash: chained.prevHash,
        hash,
      }),
    );
    const head = `${chained.seq}:${hash}`;
    this.db.run(this.db.q.insertInto('meta').values({ key: 'audit_head', value: head }).onConflict((oc) => oc.column('key').doUpdateSet({ value: head })));
    return chained.seq;
  }

  read(afterSeq: number, limit: number): AuditEntryView[] {
    return this.db.all(this.db.q.selectFrom('audit_log').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit)).map(view);
  }

  verify(): AuditVerification {
    return verifyAuditChain(this.db.sqlite);
  }
}

function view(row: AuditRow): AuditEntryView {
  return { seq: row.seq, at: row.at, actor: row.actor, action: row.action, target: row.target, details: JSON.parse(row.details_json) as Record<string, unknown>, prevHash: row.prev_hash, hash: row.hash };
}

/**
 * Walk the chain from its first entry and report the first link that does not hold: a seq missing, an
 * entry that does not point at the one before, an entry whose content no longer gives its hash, or a
 * chain shorter than its recorded head (entries removed from the end). Takes a plain SQLite handle,
 * so the command-line check can read a station's file without opening the station.
 */
export function verifyAuditChain(sqlite: BetterSqlite3.Database): AuditVerification {
  const rows = sqlite.prepare('SELECT seq, at, actor, action, target, details_json, prev_hash, hash FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>;
  let prev = GENESIS_HASH;
  let expected = 1;
  for (const row of rows) {
    const broken = (reason: string): AuditVerification => ({ ok: false, entries: expected - 1, brokenAt: row.seq, reason });
    if (row.seq !== expected) return { ok: false, entries: expected - 1, brokenAt: expected, reason: `entry ${expected} is missing (the next one is ${row.seq})` };
    if (row.prev_hash !== prev) return broken(`entry ${row.seq} does not link to the hash of entry ${row.seq - 1}`);
    let details: Record<string, unknown>;
    try {
      details = JSON.parse(row.details_json) as Record<string, unknown>;
    } catch {
      return broken(`entry ${row.seq} was altered: its details are not JSON`);
    }
    const computed = entryHash({ seq: row.seq, at: row.at, actor: row.actor, action: row.action, target: row.target, details, prevHash: row.prev_hash });
    if (computed !== row.hash) return broken(`entry ${row.seq} was altered: its content does not give its hash`);
    prev = row.hash;
    expected += 1;
  }
  const entries = expected - 1;
  const head = (sqlite.prepare("SELECT value FROM meta WHERE key = 'audit_head'").get() as { value: string } | undefined)?.value;
  if (head === undefined) {
    if (entries > 0) return { ok: false, entries, brokenAt: entries + 1, reason: "the chain's head is missing: it was removed" };
  } else {
    const [seq, hash] = head.split(':');
    if (Number(seq) !== entries || hash !== prev) return { ok: false, entries, brokenAt: entries + 1, reason: `the chain's head says ${seq} entries, ${entries} were found: entries were removed from the end or the head was changed` };
  }
  return { ok: true, entries, lastHash: prev };
}
