// A session sealed on this station, and the digests of the seal (src-shared/rules/seal-digest.ts).
// A seat seals a session when its hub's `seal` command comes: it computes its final digest over its own
// events of the session and its takes' audio, keeps it (`seat_seals`) and answers it. A hub seals a
// session once every seat's digest matched its own or the seat was accounted for (src-main/lan/room-seal.ts).
// Either way the station then writes nothing more of that session: every change writes its event in the
// change's transaction, so the outbox's guard refuses the event, and with it the change (SESSION_SEALED).
import { createHash } from 'node:crypto';
import type { SealAnswer } from '../../src-shared/contracts/room-protocol.ts';
import type { EventKind } from '../../src-shared/contracts/events.ts';
import { StationError } from '../../src-shared/errors.ts';
import { sealDigest, type DigestEvent, type HandedOverAttempt, type SealDigest } from '../../src-shared/rules/seal-digest.ts';
import type { StationDatabase, Tx } from './database.ts';

/** The session of each candidate on this station's roster. */
export function sessionOfCandidate(db: StationDatabase): (candidateId: string) => string | null {
  const sessions = new Map(db.all(db.q.selectFrom('candidates').select(['candidate_id', 'session_id'])).map((c) => [c.candidate_id, c.session_id]));
  return (candidateId) => sessions.get(candidateId) ?? null;
}

/** On a seat: the attempts handed over to it by moves (seat_hand_overs), with their candidates. */
function handedOverHere(db: StationDatabase): HandedOverAttempt[] {
  return db
    .all(db.q.selectFrom('seat_hand_overs as h').innerJoin('attempts as a', 'a.attempt_id', 'h.attempt_id').select(['a.attempt_id', 'a.candidate_id']))
    .map((r) => ({ attemptId: r.attempt_id, candidateId: r.candidate_id }));
}

/** On a hub: the attempts it handed over to a seat by moves the seat did not refuse. */
export function handedOverTo(db: StationDatabase, deviceId: string): HandedOverAttempt[] {
  return db
    .all(db.q.selectFrom('room_moves').select(['attempt_id', 'candidate_id']).where('to_device', '=', deviceId).where('status', '!=', 'refused'))
    .map((r) => ({ attemptId: r.attempt_id, candidateId: r.candidate_id }));
}

function eventsOf(rows: { seq: number; kind: string; entity_id: string; payload_json: string; created_at: string }[]): DigestEvent[] {
  return rows.map((r) => ({ seq: Number(r.seq), kind: r.kind, entityId: r.entity_id, payload: JSON.parse(r.payload_json) as unknown, createdAt: r.created_at }));
}

/** A seat's digest of a session over its own database: the events it wrote itself, the audio it recorded. */
export function seatDigest(db: StationDatabase, deviceId: string, sessionId: string): SealDigest {
  const rows = db.all(
    db.q.selectFrom('outbox').select(['seq', 'kind', 'entity_id', 'payload_json', 'created_at']).where('device_id', '=', deviceId).where('origin_seq', 'is', null).orderBy('seq'),
  );
  return sealDigest(
    {
      deviceId,
      sessionId,
      handedOver: handedOverHere(db),
      events: eventsOf(rows),
      sessionOfCandidate: sessionOfCandidate(db),
      segmentsOf: (recordingId) =>
        db.all(db.q.selectFrom('recording_segments').select(['idx', 'sha256']).where('recording_id', '=', recordingId)).map((s) => ({ recordingId, index: Number(s.idx), sha256: s.sha256 })),
    },
    createHash('sha256'),
  );
}

/**
 * The hub's digest of what it holds of a seat's session: the seat's events it relayed (by their seq at
 * the seat, up to `throughSeq`) and the audio the seat sent it.
 */
export function hubDigestOfSeat(db: StationDatabase, deviceId: string, sessionId: string, throughSeq: number): SealDigest {
  const rows = db.all(
    db.q
      .selectFrom('outbox')
      .select(['origin_seq as seq', 'kind', 'entity_id', 'payload_json', 'created_at'])
      .where('device_id', '=', deviceId)
      .where('origin_seq', 'is not', null)
      .where('origin_seq', '<=', throughSeq)
      .orderBy('origin_seq'),
  );
  return sealDigest(
    {
      deviceId,
      sessionId,
      handedOver: handedOverTo(db, deviceId),
      events: eventsOf(rows.map((r) => ({ ...r, seq: Number(r.seq) }))),
      sessionOfCandidate: sessionOfCandidate(db),
      segmentsOf: (recordingId) =>
        db
          .all(db.q.selectFrom('seat_audio').select(['idx', 'sha256']).where('recording_id', '=', recordingId).where('device_id', '=', deviceId))
          .map((s) => ({ recordingId, index: Number(s.idx), sha256: s.sha256 })),
    },
    createHash('sha256'),
  );
}

export class SessionSeals {
  private readonly db: StationDatabase;
  private readonly deviceId: string;
  /** Sessions sealed here; read once, then kept as seals are written. */
  private sealed: Set<string> | null = null;

  constructor(db: StationDatabase, deviceId: string) {
    this.db = db;
    this.deviceId = deviceId;
  }

  private sealedSessions(): Set<string> {
    if (!this.sealed) {
      const seat = this.db.all(this.db.q.selectFrom('seat_seals').select('session_id'));
      const hub = this.db.all(this.db.q.selectFrom('room_seals').select('session_id').where('sealed_at', 'is not', null));
      this.sealed = new Set([...seat, ...hub].map((r) => r.session_id));
    }
    return this.sealed;
  }

  isSealed(sessionId: string): boolean {
    return this.sealedSessions().has(sessionId);
  }

  /** After a seal was written: from now on the session takes no writes. */
  noteSealed(sessionId: string): void {
    this.sealedSessions().add(sessionId);
  }

  /** After a failed transaction: read again what is sealed. */
  forget(): void {
    this.sealed = null;
  }

  /** The outbox's guard: an event of a sealed session is refused, and the change with it. */
  readonly guard = (kind: EventKind, payload: unknown): void => {
    if (this.sealedSessions().size === 0) return;
    const sessionId = this.sessionOfEvent(kind, payload);
    if (sessionId !== null && this.sealedSessions().has(sessionId)) throw new StationError('SESSION_SEALED', `${kind} of session ${sessionId}`);
  };

  private sessionOfEvent(_kind: EventKind, payload: unknown): string | null {
    const p = (payload ?? {}) as Record<string, unknown>;
    const text = (name: string) => (typeof p[name] === 'string' ? (p[name] as string) : null);
    const q = this.db.q;
    const sessionId = text('sessionId');
    if (sessionId) return sessionId;
    const candidateId = text('candidateId');
    if (candidateId) return this.db.get(q.selectFrom('candidates').select('session_id').where('candidate_id', '=', candidateId))?.session_id ?? null;
    let attemptId = text('attemptId');
    const recordingId = text('recordingId');
    if (!attemptId && recordingId) attemptId = this.db.get(q.selectFrom('recordings').select('attempt_id').where('recording_id', '=', recordingId))?.attempt_id ?? null;
    if (!attemptId) return null;
    return (
      this.db.get(q.selectFrom('attempts as a').innerJoin('candidates as c', 'c.candidate_id', 'a.candidate_id').select('c.session_id').where('a.attempt_id', '=', attemptId))?.session_id ?? null
    );
  }

  /** The answer this seat gave when it sealed the session, if it did. */
  seatAnswer(sessionId: string): SealAnswer | null {
    const row = this.db.get(this.db.q.selectFrom('seat_seals').selectAll().where('session_id', '=', sessionId));
    return row ? { deviceId: this.deviceId, sessionId, digest: row.digest, lastSeq: Number(row.last_seq), events: Number(row.events), segments: Number(row.segments) } : null;
  }

  /** Seal the session on this seat: its final digest, kept and answered. Inside the seal command's transaction. */
  sealSeat(_tx: Tx, sessionId: string, cmdId: string, now: Date): SealAnswer {
    const digest = seatDigest(this.db, this.deviceId, sessionId);
    this.db.run(
      this.db.q
        .insertInto('seat_seals')
        .values({ session_id: sessionId, cmd_id: cmdId, digest: digest.digest, last_seq: digest.lastSeq, events: digest.events, segments: digest.segments, sealed_at: now.toISOString() }),
    );
    this.noteSealed(sessionId);
    return { deviceId: this.deviceId, sessionId, ...digest };
  }
}
