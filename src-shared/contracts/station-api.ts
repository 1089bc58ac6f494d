// The station API: every method the renderer may call, with the schema of its input and output.
// Electron IPC and the browser runner's HTTP are two transports of this one contract; the station
// service validates each input with these schemas at the boundary and trusts the types inside.
import { z } from 'zod';
import { ExamContent } from '../content/schema.ts';
import { ResponseValue } from '../content/responses.ts';
import { ATTENDANCE, EventEnvelope, INCIDENT_KINDS } from './events.ts';
import { PackageSummary } from './package-manifest.ts';

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
  /** When the invigilator's pause in effect began; null unless paused. */
  pausedAt: z.number().nullable(),
});

/** A play granted or handed back, with what the limit leaves. */
export const PlayGrant = z.object({ stimulusId: ref, play: z.number().int().min(1), playLimit: z.number().int().min(1), remaining: z.number().int().min(0) });

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
  /** Each part with its timer and, for the end screen, how many of its items have an answer. */
  parts: z.array(z.object({ partId: ref, title: z.string(), timer: TimerStateSchema, submitted: z.boolean(), items: z.number().int(), answered: z.number().int() })),
  /** Plays of restricted listening audio that count, by stimulus id: granted and not handed back. */
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
      /** Why the station closed it (null: the candidate finished it); see rules/takes.ts. */
      interruption: z.enum(['station-restart', 'seat-restart', 'submitted']).nullable(),
      sha256: sha256Hex.nullable(),
    }),
  ),
});
export type AttemptView = z.infer<typeof AttemptView>;

/** An outbox event as the station pushes it (the event contract's envelope). */
export const OutboxEvent = EventEnvelope;
export type OutboxEvent = EventEnvelope;

/**
 * Who may call a method. A transport serves the surfaces of the screen it carries: a candidate's seat
 * screen reaches only `candidate` (and `public`), the invigilator's screen `staff`, a solo station both.
 */
export type Surface = 'public' | 'staff' | 'candidate';

const method = <S extends Surface, I extends z.ZodType, O extends z.ZodType>(surface: S, input: I, output: O) => ({ surface, input, output });
const none = z.object({}).strict();
/** The token from staffSignIn: methods that carry it are for the invigilator, never the candidate. */
const staffToken = z.string().min(16).max(200);
/**
 * The secret the station hands to the one screen an attempt was opened for (openAttempt). Every
 * candidate method carries it with the attempt id: knowing an attempt id is not enough to act as
 * the candidate. Opening the attempt again (another seat) hands out a new one and ends the old.
 */
export const CandidateToken = z.string().regex(/^[A-Za-z0-9_-]{32,64}$/, 'a candidate token');
const seat = { attemptId: uuid, candidateToken: CandidateToken };
/** What a candidate screen holds: its attempt and the token that lets it act for the candidate. */
export interface SeatCredentials {
  attemptId: string;
  candidateToken: string;
}

export const SEAT_HEARTBEAT_MS = 2000;

/** Timer actions a candidate takes for themself; every other one is the invigilator's (staffTimerEvent). */
export const CANDIDATE_TIMER_KINDS = ['start', 'end'] as const;
export const STAFF_TIMER_KINDS = ['pause', 'resume', 'extend', 'credit', 'end'] as const;

/** What the candidate says is not theirs on the identity screen (declineIdentity). */
export const IDENTITY_DECLINE_REASONS = ['not-me', 'name', 'personal-code', 'level'] as const;
export type IdentityDeclineReason = (typeof IDENTITY_DECLINE_REASONS)[number];

const StationRole = z.enum(['hub', 'seat', 'solo']);
export type StationRole = z.infer<typeof StationRole>;

export const stationApi = {
  getStatus: method(
    'public',
    none,
    z.object({ deviceId: z.string(), role: StationRole, appVersion: z.string(), schemaVersion: z.number().int(), lastSeq: z.number().int() }),
  ),
  staffSignIn: method('staff', z.object({ pin: z.string().min(1).max(64) }).strict(), z.object({ staffToken, expiresAt: z.string() })),
  importPackage: method('staff', z.object({ staffToken, path: z.string().min(1).max(4096) }).strict(), z.object({ summary: PackageSummary, alreadyImported: z.boolean() })),
  listPackages: method('staff', z.object({ staffToken }).strict(), z.array(PackageSummary)),
  unlockPackage: method('staff', z.object({ staffToken, packageId: uuid, key: z.string().min(1).max(200) }).strict(), PackageSummary),
  listCandidates: method('staff', z.object({ staffToken, sessionId: ref.optional() }).strict(), z.array(CandidateView)),
  /** Opens (or resumes) the candidate's attempt for the calling screen and hands it the candidate token. */
  openAttempt: method('staff', z.object({ staffToken, candidateId: ref, packageId: uuid }).strict(), AttemptView.extend({ candidateToken: CandidateToken })),
  /** The invigilator's timer actions: pause, resume, extra time, credited time, ending a part. */
  staffTimerEvent: method(
    'staff',
    z
      .object({
        staffToken,
        attemptId: uuid,
        partId: ref,
        kind: z.enum(STAFF_TIMER_KINDS),
        amountMs: z.number().int().min(0).max(6 * 3600 * 1000).optional(),
        reason: z.string().max(500).optional(),
      })
      .strict(),
    TimerStateSchema,
  ),
  /** Check-in: the candidate is present (their ID seen), absent, or removed from the session. */
  markAttendance: method('staff', z.object({ staffToken, candidateId: ref, status: z.enum(ATTENDANCE) }).strict(), CandidateView),
  /** An incident of the session, of a candidate or of one attempt, in the invigilators' taxonomy. */
  recordIncident: method(
    'staff',
    z
      .object({ staffToken, sessionId: ref, candidateId: ref.optional(), attemptId: uuid.optional(), kind: z.enum(INCIDENT_KINDS), note: z.string().max(5000) })
      .strict(),
    z.object({ incidentId: uuid, at: z.string() }),
  ),
  /** Every candidate's answers are in the outbox: staff only. */
  readOutbox: method(
    'staff',
    z.object({ staffToken, afterSeq: z.number().int().min(0), limit: z.number().int().min(1).max(10_000).default(500) }).strict(),
    z.array(OutboxEvent),
  ),
  /** The candidate's own identity, for the confirmation screen (masked personal code). */
  getCandidate: method('candidate', z.object(seat).strict(), CandidateView),
  /**
   * "These are not my details", before any part has begun (ATTEMPT_STARTED after): the station records a
   * candidate-identity incident with the reason and ends this screen's candidate token, so the screen
   * is the invigilator's again; the attempt stays open and not started, and opening it again resumes it.
   */
  declineIdentity: method('candidate', z.object({ ...seat, reason: z.enum(IDENTITY_DECLINE_REASONS) }).strict(), z.object({ incidentId: uuid, at: z.string() })),
  /** The content of the attempt's package, only while the attempt is open. */
  getExamContent: method('candidate', z.object(seat).strict(), ExamContent),
  /** A media file of the attempt's package. Listening audio only once per granted play. */
  getMedia: method('candidate', z.object({ ...seat, path: z.string().min(1).max(200) }).strict(), z.object({ mimeType: z.string(), data: bytes })),
  finishAttempt: method('candidate', z.object(seat).strict(), AttemptView),
  getAttempt: method('candidate', z.object(seat).strict(), AttemptView),
  setPosition: method('candidate', z.object({ ...seat, partId: ref, itemId: ref.nullable() }).strict(), z.object({ ok: z.literal(true) })),
  saveResponse: method(
    'candidate',
    z.object({ ...seat, itemId: ref, value: ResponseValue, clientSaveId: uuid }).strict(),
    z.object({ itemId: ref, revision: z.number().int().min(1), savedAt: z.string(), seq: z.number().int() }),
  ),
  startRecording: method(
    'candidate',
    z.object({ ...seat, itemId: ref, mimeType: z.string().min(1).max(100) }).strict(),
    /** A take left unfinished by a crash or reload is closed with its audio and named in interruptedTake. */
    z.object({ recordingId: uuid, take: z.number().int().min(1), segmentCount: z.number().int().min(0), interruptedTake: z.number().int().min(1).optional() }),
  ),
  appendAudioSegment: method(
    'candidate',
    z
      .object({
        ...seat,
        recordingId: uuid,
        index: z.number().int().min(0),
        data: bytes.refine((b) => b.byteLength > 0 && b.byteLength <= 1024 * 1024, 'segment must be 1 byte to 1 MiB'),
        sha256: sha256Hex,
        durationMs: z.number().int().min(0).max(60_000),
      })
      .strict(),
    z.object({ recordingId: uuid, index: z.number().int(), segmentCount: z.number().int(), durationMs: z.number().int(), duplicate: z.boolean() }),
  ),
  /**
   * The candidate finished the take. `segmentCount` is how many segments the screen sent: while the
   * station holds fewer (the last is still on its way) the close is refused RECORDING_INCOMPLETE and
   * sent again, so the end of an answer is never cut off.
   */
  closeRecording: method(
    'candidate',
    z.object({ ...seat, recordingId: uuid, segmentCount: z.number().int().min(0).optional() }).strict(),
    z.object({ recordingId: uuid, segmentCount: z.number().int(), durationMs: z.number().int(), sha256: sha256Hex, bytes: z.number().int() }),
  ),
  /**
   * The next play of a restricted recording, or PLAY_LIMIT. `play` is the play's own number (one more
   * than the highest granted, also after a hand-back); `remaining` is what the limit leaves.
   */
  grantAudioPlay: method('candidate', z.object({ ...seat, stimulusId: ref }).strict(), PlayGrant),
  /**
   * Hand back a granted play whose audio failed to start: it no longer counts. Only the latest play of
   * the recording, only within PLAY_RETURN_WINDOW_MS of its grant, once per recording in an attempt
   * (src-shared/rules/plays.ts); otherwise PLAY_NOT_RETURNABLE. Replies with the count after it.
   */
  returnAudioPlay: method('candidate', z.object({ ...seat, stimulusId: ref, play: z.number().int().min(1) }).strict(), PlayGrant),
  /** The candidate starts a part when they enter it and ends it when they submit it. */
  recordTimerEvent: method('candidate', z.object({ ...seat, partId: ref, kind: z.enum(CANDIDATE_TIMER_KINDS) }).strict(), TimerStateSchema),
  /**
   * The candidate screen's sign of life, every SEAT_HEARTBEAT_MS (any other call from the screen counts
   * too). A silence (a reload, a frozen seat) is credited to running parts by the station and recorded
   * as a timer event. Returns the timers.
   */
  seatHeartbeat: method(
    'candidate',
    z.object(seat).strict(),
    z.object({ parts: z.array(z.object({ partId: ref, timer: TimerStateSchema })), creditedMs: z.number().int().min(0), serverTime: z.number() }),
  ),
  getTimer: method('candidate', z.object({ ...seat, partId: ref }).strict(), TimerStateSchema),
} as const;

export type StationMethod = keyof typeof stationApi;
export type StationInput<M extends StationMethod> = z.input<(typeof stationApi)[M]['input']>;
export type StationOutput<M extends StationMethod> = z.output<(typeof stationApi)[M]['output']>;

/** The typed interface the renderer programs against; every transport implements it. */
export type StationApi = { [M in StationMethod]: (input: StationInput<M>) => Promise<StationOutput<M>> };

/** Who is calling, as the transport knows it: the screen (client) and the surfaces it may reach. */
export interface Caller {
  /** Stable per screen: an Electron window, or a browser tab's station cookie. */
  clientId: string;
  surfaces: readonly Surface[];
  /**
   * False for a caller that is not a screen (a script over HTTP without the station cookie): it is
   * never bound to a candidate's attempt. Windows and tabs are screens.
   */
  screen?: boolean;
}

/** A caller inside the station's own process (tools, tests): every surface, one client. */
export const IN_PROCESS_CALLER: Caller = { clientId: 'in-process', surfaces: ['public', 'staff', 'candidate'] };

/** The station's side of the contract: each method also learns who calls (the transport says). */
export type StationHost = { [M in StationMethod]: (input: StationInput<M>, caller?: Caller) => Promise<StationOutput<M>> };

export const surfaceOf = (method: StationMethod): Surface => stationApi[method].surface;

export const STATION_METHODS = Object.keys(stationApi) as StationMethod[];
