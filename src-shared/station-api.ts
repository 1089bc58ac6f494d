// The station API: every method the renderer may call, with the schema of its input and output.
// Electron IPC and the browser runner's HTTP are two transports of this one contract; the station
// service validates each input with these schemas at the boundary and trusts the types inside.
import { z } from 'zod';
import { ExamContent } from './content/schema.ts';
import { ResponseValue } from './content/responses.ts';
import { PackageSummary } from './package/manifest.ts';
import { TIMER_EVENT_KINDS } from './timer.ts';

const uuid = z.string().uuid();
const ref = z.string().min(1).max(64);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const bytes = z.instanceof(Uint8Array);

export const TimerStateSchema = z.object({
  status: z.enum(['not-started', 'running', 'paused', 'ended', 'expired']),
  limitMs: z.number(),
  addedMs: z.number(),
  creditedMs: z.number(),
  elapsedMs: z.number(),
  remainingMs: z.number(),
  deadline: z.number().nullable(),
});

export const CandidateView = z.object({
  candidateId: ref,
  sessionId: ref,
  givenName: z.string(),
  familyName: z.string(),
  maskedPersonalCode: z.string(),
  level: z.string().nullable(),
  attendance: z.enum(['expected', 'present', 'absent', 'removed']),
  accommodation: z.string().nullable(),
});
export type CandidateView = z.infer<typeof CandidateView>;

export const SavedResponse = z.object({
  itemId: ref,
  revision: z.number().int(),
  value: ResponseValue,
  savedAt: z.string(),
});

export const AttemptView = z.object({
  attemptId: uuid,
  candidateId: ref,
  packageId: uuid,
  status: z.enum(['open', 'submitted', 'voided']),
  openedAt: z.string(),
  position: z.object({ partId: ref.nullable(), itemId: ref.nullable() }),
  responses: z.array(SavedResponse),
  parts: z.array(z.object({ partId: ref, timer: TimerStateSchema, submitted: z.boolean() })),
  /** Plays of restricted listening audio granted so far, by stimulus id. */
  audioPlays: z.record(ref, z.number().int().min(0)),
  recordings: z.array(
    z.object({
      recordingId: uuid,
      itemId: ref,
      take: z.number().int(),
      segmentCount: z.number().int(),
      durationMs: z.number().int(),
      closed: z.boolean(),
      interrupted: z.boolean(),
      sha256: sha256Hex.nullable(),
    }),
  ),
});
export type AttemptView = z.infer<typeof AttemptView>;

export const OutboxEvent = z.object({
  deviceId: z.string(),
  seq: z.number().int().min(1),
  kind: z.string(),
  entityId: z.string(),
  payload: z.unknown(),
  createdAt: z.string(),
});
export type OutboxEvent = z.infer<typeof OutboxEvent>;

const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });
const none = z.object({}).strict();
/** The token from staffSignIn: methods that carry it are for the invigilator, never the candidate. */
const staffToken = z.string().min(16).max(200);

export const SEAT_HEARTBEAT_MS = 2000;

/** Timer actions a candidate takes for themself; every other one is the invigilator's. */
export const CANDIDATE_TIMER_KINDS = ['start', 'end'] as const;

export const stationApi = {
  getStatus: method(
    none,
    z.object({ deviceId: z.string(), role: z.enum(['hub', 'seat', 'solo']), appVersion: z.string(), schemaVersion: z.number().int(), lastSeq: z.number().int() }),
  ),
  staffSignIn: method(z.object({ pin: z.string().min(1).max(64) }).strict(), z.object({ staffToken, expiresAt: z.string() })),
  importPackage: method(z.object({ staffToken, path: z.string().min(1).max(4096) }).strict(), z.object({ summary: PackageSummary, alreadyImported: z.boolean() })),
  listPackages: method(none, z.array(PackageSummary)),
  unlockPackage: method(z.object({ staffToken, packageId: uuid, key: z.string().min(1).max(200) }).strict(), PackageSummary),
  getExamContent: method(z.object({ packageId: uuid }).strict(), ExamContent),
  getMedia: method(z.object({ packageId: uuid, path: z.string().min(1).max(200) }).strict(), z.object({ mimeType: z.string(), data: bytes })),
  listCandidates: method(z.object({ staffToken, sessionId: ref.optional() }).strict(), z.array(CandidateView)),
  openAttempt: method(z.object({ staffToken, candidateId: ref, packageId: uuid }).strict(), AttemptView),
  /** The candidate's own identity, for the confirmation screen (masked personal code). */
  getCandidate: method(z.object({ attemptId: uuid }).strict(), CandidateView),
  finishAttempt: method(z.object({ attemptId: uuid }).strict(), AttemptView),
  getAttempt: method(z.object({ attemptId: uuid }).strict(), AttemptView),
  setPosition: method(z.object({ attemptId: uuid, partId: ref, itemId: ref.nullable() }).strict(), z.object({ ok: z.literal(true) })),
  saveResponse: method(
    z.object({ attemptId: uuid, itemId: ref, value: ResponseValue, clientSaveId: uuid }).strict(),
    z.object({ itemId: ref, revision: z.number().int().min(1), savedAt: z.string(), seq: z.number().int() }),
  ),
  startRecording: method(
    z.object({ attemptId: uuid, itemId: ref, mimeType: z.string().min(1).max(100) }).strict(),
    /** A take left unfinished by a crash or reload is closed with its audio and named in interruptedTake. */
    z.object({ recordingId: uuid, take: z.number().int().min(1), segmentCount: z.number().int().min(0), interruptedTake: z.number().int().min(1).optional() }),
  ),
  appendAudioSegment: method(
    z
      .object({
        recordingId: uuid,
        index: z.number().int().min(0),
        data: bytes.refine((b) => b.byteLength > 0 && b.byteLength <= 1024 * 1024, 'segment must be 1 byte to 1 MiB'),
        sha256: sha256Hex,
        durationMs: z.number().int().min(0).max(60_000),
      })
      .strict(),
    z.object({ recordingId: uuid, index: z.number().int(), segmentCount: z.number().int(), durationMs: z.number().int(), duplicate: z.boolean() }),
  ),
  closeRecording: method(
    z.object({ recordingId: uuid }).strict(),
    z.object({ recordingId: uuid, segmentCount: z.number().int(), durationMs: z.number().int(), sha256: sha256Hex, bytes: z.number().int() }),
  ),
  grantAudioPlay: method(
    z.object({ attemptId: uuid, stimulusId: ref }).strict(),
    z.object({ stimulusId: ref, play: z.number().int().min(1), playLimit: z.number().int().min(1), remaining: z.number().int().min(0) }),
  ),
  recordTimerEvent: method(
    z
      .object({
        attemptId: uuid,
        partId: ref,
        kind: z.enum(TIMER_EVENT_KINDS),
        amountMs: z.number().int().min(0).max(6 * 3600 * 1000).optional(),
        reason: z.string().max(500).optional(),
        staffToken: staffToken.optional(),
      })
      .strict(),
    TimerStateSchema,
  ),
  /**
   * The candidate screen's sign of life, every SEAT_HEARTBEAT_MS. A gap (a reload, a frozen seat) is
   * credited to running parts by the station and recorded as a timer event. Returns the timers.
   */
  seatHeartbeat: method(
    z.object({ attemptId: uuid }).strict(),
    z.object({ parts: z.array(z.object({ partId: ref, timer: TimerStateSchema })), creditedMs: z.number().int().min(0), serverTime: z.number() }),
  ),
  getTimer: method(z.object({ attemptId: uuid, partId: ref }).strict(), TimerStateSchema),
  readOutbox: method(
    z.object({ staffToken, afterSeq: z.number().int().min(0), limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
    z.array(OutboxEvent),
  ),
} as const;

export type StationMethod = keyof typeof stationApi;
export type StationInput<M extends StationMethod> = z.input<(typeof stationApi)[M]['input']>;
export type StationOutput<M extends StationMethod> = z.output<(typeof stationApi)[M]['output']>;

/** The typed interface the renderer programs against; every transport implements it. */
export type StationApi = { [M in StationMethod]: (input: StationInput<M>) => Promise<StationOutput<M>> };

export const STATION_METHODS = Object.keys(stationApi) as StationMethod[];
