// The room log and its seal. The room log is the hub's audit log (src-main/station/records/audit.ts):
// every staff action in the room — each command issued, check-in, incident, move, extra time — is an
// entry, hash-chained, written in the transaction of the action. At the seal of a session the hub
// appends the seal entry (every seat's final digest or its accounting, and the session's digest over
// them) and signs a statement naming the chain's head, that entry, with its device key (ECDSA P-256,
// SHA-256). Whoever holds the hub's public key and the log can check the chain up to the head and the
// signature: an entry changed, removed or slipped in, a head or a statement altered, or a signature by
// another key is found.
import { verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../../src-shared/canonical-json.ts';
import type { AuditEntryView } from '../../src-shared/contracts/station-api.ts';
import { entryHash, GENESIS_HASH } from '../station/records/audit.ts';

export const ROOM_SEAL_FORMAT = 'exam-station room seal v1';

/** What the hub signs at the seal of a session. */
export interface RoomSealStatement {
  format: typeof ROOM_SEAL_FORMAT;
  sessionId: string;
  hubDeviceId: string;
  sealedAt: string;
  /** The person whose action completed the seal (the chief invigilator). */
  sealedBy: string;
  /** SHA-256 over every seat's digest or accounting: the protocol's QR code. */
  sessionDigest: string;
  /** The room log's head when sealed: the seal entry itself. */
  auditHead: { seq: number; hash: string };
}

export type RoomLogVerification = { ok: true; entries: number } | { ok: false; brokenAt: number | null; reason: string };

/**
 * Check a sealed room log: the entries from the first up to the signed head link one to the next and
 * each gives its hash; the head is the seal entry of the statement's session with its digest; the
 * signature is the hub key's over the statement.
 */
export function verifyRoomLog(entries: readonly AuditEntryView[], seal: { statement: RoomSealStatement; signature: string }, hubPublicKey: KeyObject): RoomLogVerification {
  const { statement } = seal;
  let prev = GENESIS_HASH;
  let head: AuditEntryView | undefined;
  for (const [index, entry] of entries.entries()) {
    if (entry.seq > statement.auditHead.seq) break;
    if (entry.seq !== index + 1) return { ok: false, brokenAt: index + 1, reason: `entry ${index + 1} is missing` };
    if (entry.prevHash !== prev) return { ok: false, brokenAt: entry.seq, reason: `entry ${entry.seq} does not link to the entry before it` };
    const computed = entryHash({ seq: entry.seq, at: entry.at, actor: entry.actor, action: entry.action, target: entry.target, details: entry.details, prevHash: entry.prevHash });
    if (computed !== entry.hash) return { ok: false, brokenAt: entry.seq, reason: `entry ${entry.seq} was altered: its content does not give its hash` };
    prev = entry.hash;
    head = entry;
  }
  if (!head || head.seq !== statement.auditHead.seq) return { ok: false, brokenAt: statement.auditHead.seq, reason: `the log ends before the signed head ${statement.auditHead.seq}` };
  if (head.hash !== statement.auditHead.hash) return { ok: false, brokenAt: head.seq, reason: 'the signed head is not the log\'s entry at that place' };
  if (head.action !== 'room.sealed' || head.target !== statement.sessionId || head.details.sessionDigest !== statement.sessionDigest) {
    return { ok: false, brokenAt: head.seq, reason: "the signed head is not this session's seal entry" };
  }
  let signed: boolean;
  try {
    signed = verify('sha256', Buffer.from(canonicalJson(statement), 'utf8'), hubPublicKey, Buffer.from(seal.signature, 'base64'));
  } catch {
    signed = false;
  }
  if (!signed) return { ok: false, brokenAt: null, reason: "the signature is not the hub key's over this statement" };
  return { ok: true, entries: head.seq };
}
