// The event contract: every kind of event a station writes to its outbox, with the schema of its
// payload, and the rules of the push that carries them (seat → hub, hub → central). The station's
// outbox accepts only these kinds with a payload of their type; the central API reads them with the
// same schemas. No side declares its own copy.
//
// An event travels in an envelope: `seq` is its position in the stream of the device that pushes it
// (contiguous, from that device's acked seq + 1), and `origin` is the device that wrote it first and
// the seq it had there. A station's own events have origin = (itself, seq). A hub that relays its
// seats' events puts them into its own stream with their origin kept, so each event reaches the
// central API once and stays attributed to the seat that wrote it, and the same origin arriving
// twice (a re-push after a hub was rebuilt) is a duplicate, not a second event.
import { z } from 'zod';
import { ResponseValue } from '../content/responses.ts';

const uuid = z.string().uuid();
const ref = z.string().min(1).max(64);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const instant = z.iso.datetime({ offset: true });

/** A candidate who came late is present, with a candidate-late incident saying when and why. */
export const ATTENDANCE = ['expected', 'present', 'absent', 'removed'] as const;
export type Attendance = (typeof ATTENDANCE)[number];

/**
 * What happened, in the taxonomy invigilators use (design/room.md): the room or building, the
 * candidate, staff, technical faults, or something else; each with a free note.
 */
export const INCIDENT_KINDS = [
  'environment',
  'candidate-conduct',
  'candidate-identity',
  'candidate-illness',
  'candidate-late',
  'candidate-no-show',
  'candidate-removed',
  'staff',
  'technical-freezing',
  'technical-network',
  'technical-workstation',
  'technical-power',
  'other',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export const TAKE_INTERRUPTIONS = ['station-restart', 'seat-restart', 'submitted'] as const;

export const EVENT_PAYLOADS = {
  'attempt.opened': z.object({ attemptId: uuid, candidateId: ref, packageId: uuid, openedAt: instant }).strict(),
  'attempt.submitted': z.object({ attemptId: uuid, submittedAt: instant }).strict(),
  'response.saved': z.object({ attemptId: uuid, itemId: ref, revision: z.number().int().min(1), value: ResponseValue, savedAt: instant }).strict(),
  'recording.started': z.object({ recordingId: uuid, attemptId: uuid, itemId: ref, take: z.number().int().min(1), mimeType: z.string().min(1).max(100) }).strict(),
  /** Each ~1 s of audio as it was stored; the audio itself travels as a file (tus), never in events. */
  'recording.segment': z
    .object({ recordingId: uuid, index: z.number().int().min(0), sha256: sha256Hex, bytes: z.number().int().min(1), durationMs: z.number().int().min(0) })
    .strict(),
  'recording.closed': z
    .object({
      recordingId: uuid,
      attemptId: uuid,
      itemId: ref,
      take: z.number().int().min(1),
      sha256: sha256Hex,
      bytes: z.number().int().min(0),
      durationMs: z.number().int().min(0),
      segmentCount: z.number().int().min(0),
      mimeType: z.string().min(1).max(100),
      /** Closed by the station, not by the candidate; `interruption` says why. */
      interrupted: z.boolean(),
      interruption: z.enum(TAKE_INTERRUPTIONS).nullable(),
    })
    .strict(),
  /** A part's timer: start, pause, resume, extra time, credited fault time, end (with the reason). */
  'timer.event': z
    .object({
      attemptId: uuid,
      partId: ref,
      /** The station's own number for the event, unique per attempt. */
      eventId: z.number().int().min(1),
      kind: z.enum(['start', 'pause', 'resume', 'extend', 'credit', 'end']),
      /** Station clock, ms since the epoch. */
      at: z.number().int(),
      amountMs: z.number().int().min(0).nullable(),
      reason: z.string().max(500).nullable(),
    })
    .strict(),
  /** A play of restricted listening audio, granted by the station. */
  'audio.play': z.object({ attemptId: uuid, stimulusId: ref, play: z.number().int().min(1) }).strict(),
  /**
   * A granted play handed back because its audio failed to start: it no longer counts. The station
   * gives back only the latest play of a recording, just after its grant, once per recording.
   */
  'audio.play.returned': z.object({ attemptId: uuid, stimulusId: ref, play: z.number().int().min(1), returnedAt: instant }).strict(),
  'attendance.marked': z.object({ candidateId: ref, sessionId: ref, status: z.enum(ATTENDANCE), at: instant, markedBy: z.string().min(1).max(100) }).strict(),
  'incident.recorded': z
    .object({
      incidentId: uuid,
      sessionId: ref,
      candidateId: ref.nullable(),
      attemptId: uuid.nullable(),
      kind: z.enum(INCIDENT_KINDS),
      note: z.string().max(5000),
      at: instant,
      recordedBy: z.string().min(1).max(100),
    })
    .strict(),
} as const;

export type EventKind = keyof typeof EVENT_PAYLOADS;
export type EventPayload<K extends EventKind> = z.infer<(typeof EVENT_PAYLOADS)[K]>;
export const EVENT_KINDS = Object.keys(EVENT_PAYLOADS) as EventKind[];

export const isEventKind = (kind: string): kind is EventKind => Object.hasOwn(EVENT_PAYLOADS, kind);

/** Who wrote an event first, and its seq there. */
export const EventOrigin = z.object({ deviceId: z.string().min(1).max(64), seq: z.number().int().min(1) }).strict();
export type EventOrigin = z.infer<typeof EventOrigin>;

/** An event as it travels: its place in the pushing device's stream, its origin, what it says. */
export const EventEnvelope = z
  .object({
    seq: z.number().int().min(1),
    origin: EventOrigin,
    kind: z.string().min(1).max(64),
    entityId: z.string().min(1).max(128),
    payload: z.unknown(),
    createdAt: instant,
  })
  .strict();
export type EventEnvelope = z.infer<typeof EventEnvelope>;

// ---- the push --------------------------------------------------------------------------------

/** At most this many events in one push (a receiver may set a lower limit and says so in its refusal). */
export const PUSH_MAX_EVENTS = 1000;

export const PushRequest = z.object({ deviceId: z.string().min(1).max(64), events: z.array(EventEnvelope).min(1) });
export type PushRequest = z.infer<typeof PushRequest>;

/**
 * The reply to a push that was applied: everything up to `ackedSeq` is committed at the receiver and
 * need never be sent again; `accepted` events were new, `duplicates` were already there (by seq or by
 * origin). A refused push changes nothing: a gap is 409 SEQ_GAP with `expectedSeq`, a batch that is
 * not contiguous 400, a bad payload 400 naming the event's seq.
 */
export const PushReply = z.object({ ackedSeq: z.number().int().min(0), accepted: z.number().int().min(0), duplicates: z.number().int().min(0) });
export type PushReply = z.infer<typeof PushReply>;

export type BatchProblem =
  | { problem: 'empty' }
  | { problem: 'too-many'; max: number }
  | { problem: 'not-contiguous'; index: number; seq: number; expected: number }
  | { problem: 'unknown-kind'; seq: number; kind: string }
  | { problem: 'bad-payload'; seq: number; kind: string; path: string; message: string };

/**
 * Check a batch before anything is applied: not empty, within the limit, seq contiguous, every kind
 * known and every payload of its kind's type. Returns the first problem, or undefined.
 */
export function checkBatch(events: readonly EventEnvelope[], maxEvents = PUSH_MAX_EVENTS): BatchProblem | undefined {
  if (events.length === 0) return { problem: 'empty' };
  if (events.length > maxEvents) return { problem: 'too-many', max: maxEvents };
  const first = events[0]!.seq;
  for (const [index, event] of events.entries()) {
    if (event.seq !== first + index) return { problem: 'not-contiguous', index, seq: event.seq, expected: first + index };
    if (!isEventKind(event.kind)) return { problem: 'unknown-kind', seq: event.seq, kind: event.kind };
    const parsed = EVENT_PAYLOADS[event.kind].safeParse(event.payload);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { problem: 'bad-payload', seq: event.seq, kind: event.kind, path: issue?.path.join('.') ?? '', message: issue?.message ?? 'invalid' };
    }
  }
  return undefined;
}

export function describeBatchProblem(problem: BatchProblem): string {
  switch (problem.problem) {
    case 'empty':
      return 'a push carries at least one event';
    case 'too-many':
      return `at most ${problem.max} events per push`;
    case 'not-contiguous':
      return `event ${problem.index} has seq ${problem.seq}, expected ${problem.expected}`;
    case 'unknown-kind':
      return `event seq ${problem.seq}: unknown kind ${problem.kind.slice(0, 64)}`;
    case 'bad-payload':
      return `event seq ${problem.seq} (${problem.kind}): ${problem.path}: ${problem.message}`;
  }
}
