// A seat's final digest of a session, the one thing a seat and its hub compare at the seal: SHA-256
// over what the seat wrote of the session — its own events of the session in seq order, then the
// hashes of its takes' audio segments. The seat computes it over its database when it seals; the
// hub computes it over what it holds of that seat (the relayed events, the audio it stored). Equal
// digests mean the hub holds the seat's session whole and unchanged; both sides call this one function.
//
// Which events are of a session: attendance and incidents name it; an attempt is of the session of its
// candidate (from the station's roster); every other event names its attempt, or its take, whose
// `recording.started` named the attempt. Events come in the writing station's seq order, so an
// attempt or a take is always announced before the events that refer to it — except an attempt handed
// over to this seat by a move (src-main/lan/room-moves.ts): its `attempt.opened` is the old seat's, so
// both sides name those attempts (the seat from the hand-overs it took, the hub from its moves), and
// what the seat wrote of them from the hand-over on is in its digest. The events and audio it was handed
// are the old seat's and are in that seat's digest only, so a moved attempt is counted once. (v2: v1
// left the new seat's writes of a moved attempt out.)
// Browser-safe: the caller hands in the hash (node:crypto's createHash('sha256') on a station).
import { canonicalJson } from '../canonical-json.ts';

export const SEAL_DIGEST_FORMAT = 'exam-station seal digest v2';

/** An event as the digest reads it: its seq at the seat that wrote it, and what it says. */
export interface DigestEvent {
  seq: number;
  kind: string;
  entityId: string;
  payload: unknown;
  createdAt: string;
}

export interface DigestSegment {
  recordingId: string;
  index: number;
  sha256: string;
}

export interface Sha256 {
  update(text: string, encoding: 'utf8'): unknown;
  digest(encoding: 'hex'): string;
}

/** An attempt another seat opened that was handed over to this one, with its candidate. */
export interface HandedOverAttempt {
  attemptId: string;
  candidateId: string;
}

export interface SealDigestInput {
  /** The seat whose session this is (its device id). */
  deviceId: string;
  sessionId: string;
  /** The attempts handed over to this seat by a move: its events of them count without their opening. */
  handedOver: readonly HandedOverAttempt[];
  /** The seat's events in seq order (others than the session's are skipped). */
  events: Iterable<DigestEvent>;
  /** The session of a candidate, from the station's roster; null for a candidate it does not know. */
  sessionOfCandidate: (candidateId: string) => string | null;
  /** The audio segments the station holds of a take. */
  segmentsOf: (recordingId: string) => DigestSegment[];
}

export interface SealDigest {
  digest: string;
  /** How many events and audio segments the digest covers. */
  events: number;
  segments: number;
  /** The highest seq of the session's events (0 with none). */
  lastSeq: number;
}

const field = (payload: unknown, name: string): string | null => {
  const value = payload !== null && typeof payload === 'object' ? (payload as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : null;
};

/**
 * Picks a session's events out of one station's stream read in seq order. Stateful: it learns each
 * attempt and take of the session from the events that open them.
 */
export function sessionEventFilter(
  sessionId: string,
  sessionOfCandidate: (candidateId: string) => string | null,
  handedOver: readonly HandedOverAttempt[],
): { accepts(event: Pick<DigestEvent, 'kind' | 'payload'>): boolean; recordings(): string[] } {
  const attempts = new Set(handedOver.filter((a) => sessionOfCandidate(a.candidateId) === sessionId).map((a) => a.attemptId));
  const recordings = new Set<string>();
  return {
    accepts(event) {
      const { kind, payload } = event;
      if (kind === 'attendance.marked' || kind === 'incident.recorded') return field(payload, 'sessionId') === sessionId;
      if (kind === 'attempt.opened') {
        const candidateId = field(payload, 'candidateId');
        const attemptId = field(payload, 'attemptId');
        if (candidateId === null || attemptId === null || sessionOfCandidate(candidateId) !== sessionId) return false;
        attempts.add(attemptId);
        return true;
      }
      const attemptId = field(payload, 'attemptId');
      if (attemptId !== null) {
        if (!attempts.has(attemptId)) return false;
        if (kind === 'recording.started') recordings.add(field(payload, 'recordingId') ?? '');
        return true;
      }
      const recordingId = field(payload, 'recordingId');
      return recordingId !== null && recordings.has(recordingId);
    },
    recordings: () => [...recordings].filter((r) => r !== '').sort(),
  };
}

export function sealDigest(input: SealDigestInput, hash: Sha256): SealDigest {
  const filter = sessionEventFilter(input.sessionId, input.sessionOfCandidate, input.handedOver);
  hash.update(`${SEAL_DIGEST_FORMAT}\ndevice ${input.deviceId}\nsession ${input.sessionId}\n`, 'utf8');
  let events = 0;
  let lastSeq = 0;
  for (const event of input.events) {
    if (!filter.accepts(event)) continue;
    hash.update(`event ${canonicalJson({ seq: event.seq, kind: event.kind, entityId: event.entityId, payload: event.payload, createdAt: event.createdAt })}\n`, 'utf8');
    events += 1;
    lastSeq = Math.max(lastSeq, event.seq);
  }
  let segments = 0;
  for (const recordingId of filter.recordings()) {
    for (const segment of [...input.segmentsOf(recordingId)].sort((a, b) => a.index - b.index)) {
      hash.update(`audio ${recordingId} ${segment.index} ${segment.sha256}\n`, 'utf8');
      segments += 1;
    }
  }
  return { digest: hash.digest('hex'), events, segments, lastSeq };
}
