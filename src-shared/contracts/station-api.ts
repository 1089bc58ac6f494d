// The station API: every method the renderer may call, with the schema of its input and output.
// Electron IPC and the browser runner's HTTP are two transports of this one contract; the station
// service validates each input with these schemas at the boundary and trusts the types inside.
import { z } from 'zod';
import { ExamContent } from '../content/schema.ts';
import { ResponseValue } from '../content/responses.ts';
import { ATTENDANCE, EventEnvelope, INCIDENT_KINDS } from './events.ts';
import { PackageSummary } from './package-manifest.ts';
import { HAND_REASONS, SeatState } from './room-protocol.ts';
import { ProtocolFile, SealStatus } from './room-seal.ts';
import { STAFF_RIGHT_NAMES, STAFF_ROLES, type StaffRight } from '../rules/staff.ts';

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
  /** The candidate's registered extra time in per cent (src-shared/rules/accommodations.ts), given as each part starts; null: none. */
  extraTimePercent: z.number().int().min(1).max(100).nullable(),
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
/** The token from staffSignIn: methods that carry it are for staff, never the candidate. */
const staffToken = z.string().min(16).max(200);
const ok = z.object({ ok: z.literal(true) });
// What a person types is checked by the station with the rules of src-shared/rules/staff.ts, so each
// broken rule gets its own error; the schemas only bound the sizes.
const username = z.string().min(1).max(64);
const password = z.string().min(1).max(256);
const pin = z.string().min(1).max(16);
const displayName = z.string().min(1).max(200);
const staffRole = z.enum(STAFF_ROLES);

/** A staff account as the station shows it (never its password or PIN). */
export const StaffAccountView = z.object({
  accountId: uuid,
  username: z.string(),
  displayName: z.string(),
  roles: z.array(staffRole),
  disabled: z.boolean(),
  mustChangePassword: z.boolean(),
  hasPin: z.boolean(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type StaffAccountView = z.infer<typeof StaffAccountView>;

/** A signed-in person's session: who, what they may do (src-shared/contracts/staff-rights.ts), and its state. */
export const StaffSessionView = z.object({
  account: StaffAccountView,
  rights: z.array(z.enum(STAFF_RIGHT_NAMES as [StaffRight, ...StaffRight[]])),
  expiresAt: z.string(),
  /** Locked after inactivity (or by the person): only staffUnlock with the PIN, or a new sign-in, goes on. */
  locked: z.boolean(),
  /** The inactivity after which the station locks the session. */
  lockAfterMs: z.number().int(),
  /** Only changeOwnPassword (and signing out) until the person has chosen a password of their own. */
  mustChangePassword: z.boolean(),
});
export type StaffSessionView = z.infer<typeof StaffSessionView>;

/** One entry of the station's hash-chained audit log. */
export const AuditEntryView = z.object({
  seq: z.number().int().min(1),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  prevHash: sha256Hex,
  hash: sha256Hex,
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const AuditVerification = z.union([
  z.object({ ok: z.literal(true), entries: z.number().int(), lastHash: sha256Hex }),
  z.object({ ok: z.literal(false), entries: z.number().int(), brokenAt: z.number().int(), reason: z.string() }),
]);
export type AuditVerification = z.infer<typeof AuditVerification>;

/** Why extra time is given: a registered accommodation of the candidate, or an incident in the room. Each takes its own right. */
export const EXTRA_TIME_GROUNDS = ['accommodation', 'incident'] as const;
export type ExtraTimeGrounds = (typeof EXTRA_TIME_GROUNDS)[number];
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

/**
 * A candidate's move to another seat, as the hub keeps it: handing over until the new seat took the
 * candidate's work (applied) or could not (refused, with its code); `lateEvents` counts the old
 * seat's events about the attempt that reached the hub after the move (flagged, never the answer).
 */
export const MoveView = z.object({
  moveId: uuid,
  candidateId: ref,
  attemptId: uuid,
  fromDeviceId: z.string(),
  toDeviceId: z.string(),
  reason: z.string(),
  movedBy: z.string(),
  movedAt: z.string(),
  status: z.enum(['handing-over', 'applied', 'refused']),
  code: z.string().nullable(),
  lateEvents: z.number().int().min(0),
});
export type MoveView = z.infer<typeof MoveView>;

/** What getRoom says: a hub's seats and pairing, or a seat's link (null where the station has no such side). */
export const RoomStatus = z.object({
  role: StationRole,
  /** Why there is no room here yet, for the screen (a solo station, a seat not paired, a room that did not start). */
  notice: z.string().nullable(),
  hub: z
    .object({
      address: z.object({ host: z.string(), port: z.number().int() }),
      /**
           * The code live now (null unless open, and unless the caller may pair seats): each code pairs one
           * seat, so the hub shows the next one as soon as a seat has used it.
           */
          pairing: z.object({ state: z.enum(['closed', 'open', 'paused']), code: z.string().nullable(), expiresAt: z.string().nullable(), consecutiveFailures: z.number().int().min(0) }),
      seats: z.array(
        z.object({
          deviceId: z.string(),
          label: z.string().nullable(),
          revoked: z.boolean(),
          presence: z.enum(['connected', 'late', 'missing']),
          connected: z.boolean(),
          lastSeenAt: z.number().int().nullable(),
          ackedSeq: z.number().int().min(0),
          alarm: z.string().nullable(),
          state: SeatState.nullable(),
        }),
      ),
      /** The candidates moved to another seat (moveCandidate), newest first. */
      moves: z.array(MoveView).optional(),
      /**
       * Seats asking to be let in, oldest first: a room file's enrolment, or a rejoin (a seat with this
       * room's certificate that the hub no longer knows, its database lost). Decided ones stay listed.
       */
      requests: z
        .array(
          z.object({
            deviceId: z.string(),
            label: z.string(),
            kind: z.enum(['enrolment', 'rejoin']),
            address: z.string(),
            requestedAt: z.string(),
            decision: z.enum(['accepted', 'refused']).nullable(),
          }),
        )
        .optional(),
    })
    .nullable(),
  seat: z
    .object({
      paired: z.boolean(),
      label: z.string().nullable(),
      hubDeviceId: z.string().nullable(),
      connected: z.boolean(),
      ackedSeq: z.number().int().min(0),
      backlogEvents: z.number().int().min(0),
      audioBytesPending: z.number().int().min(0),
      clockOffsetMs: z.number().int().nullable(),
      alarm: z.string().nullable(),
      /** The hub no longer knew this seat and was asked to take it back: waiting for IT or the chief there, or refused. */
      rejoin: z.enum(['requested', 'refused']).nullable().optional(),
    })
    .nullable(),
});
export type RoomStatus = z.infer<typeof RoomStatus>;

/** The two checks of a check-in at the desk, each recorded with who and when. */
export const CHECK_IN_STEPS = ['id-document', 'personal-code'] as const;
export type CheckInStep = (typeof CHECK_IN_STEPS)[number];

/** Where a candidate of the roster is, derived from the check-in, the seat plan, the seats' reports and their events. */
export const ROSTER_STATES = ['expected', 'checked-in', 'seated', 'working', 'finished', 'absent', 'removed'] as const;
export type RosterState = (typeof ROSTER_STATES)[number];

/** How far a seated candidate has come at their seat before the test: the seat's latest report. */
export const SEAT_STAGES = ['identity', 'awaiting-authorisation', 'identity-declined', 'authorised'] as const;

/** Whether the invigilator must authorise this candidate at the seat before the instructions (a room's seat), and whether they have. */
export const AUTHORISATIONS = ['not-needed', 'needed', 'authorised'] as const;
export type Authorisation = (typeof AUTHORISATIONS)[number];

const doneBy = z.object({ by: z.string(), at: z.string() }).nullable();

/** One candidate of the hub's roster as the check-in desk shows them. */
export const RosterRow = CandidateView.extend({
  state: z.enum(ROSTER_STATES),
  idDocumentSeen: doneBy,
  personalCodeChecked: doneBy,
  checkedInAt: z.string().nullable(),
  /** Checked in after the session's start. */
  late: z.boolean(),
  /** The registered accommodations as the station reads them (src-shared/rules/accommodations.ts). */
  accommodations: z.object({ extraTimePercent: z.number().int().nullable(), largePrint: z.boolean(), separateRoom: z.boolean(), other: z.array(z.string()) }),
  seat: z
    .object({
      deviceId: z.string(),
      label: z.string().nullable(),
      packageId: uuid,
      assignedBy: z.string(),
      assignedAt: z.string(),
      /** From the seat's latest heartbeat; null until it reported the candidate. */
      stage: z.enum(SEAT_STAGES).nullable(),
      declineReason: z.enum(IDENTITY_DECLINE_REASONS).nullable(),
      authorised: doneBy,
      /** The seat refused the assignment (no package there ...): the code it gave. */
      refused: z.object({ code: z.string(), detail: z.string().nullable() }).nullable(),
    })
    .nullable(),
});
export type RosterRow = z.infer<typeof RosterRow>;
/** Whom a room command from the console is for: every seat, the seat of one candidate, or one seat. */
export const RoomTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('room') }).strict(),
  z.object({ kind: z.literal('candidate'), candidateId: ref }).strict(),
  z.object({ kind: z.literal('seat'), deviceId: z.string().min(1).max(64) }).strict(),
]);
export type RoomTarget = z.infer<typeof RoomTarget>;

/** Extra time from the hub: the two grounds of staffTimerEvent, and time lost to a fault (a credit). */
export const ROOM_EXTRA_GROUNDS = [...EXTRA_TIME_GROUNDS, 'lost-time'] as const;
export type RoomExtraGrounds = (typeof ROOM_EXTRA_GROUNDS)[number];

const reasonText = z.string().trim().min(1).max(500);
const deviceRef = z.string().min(1).max(64);

/** The console's room commands (roomCommand): each is one command to the seats, audited. */
export const RoomCommandInput = z.discriminatedUnion('action', [
  z.object({ staffToken, action: z.literal('start'), target: RoomTarget }).strict(),
  z.object({ staffToken, action: z.literal('pause'), target: RoomTarget, reason: reasonText.optional() }).strict(),
  z.object({ staffToken, action: z.literal('resume'), target: RoomTarget }).strict(),
  z.object({ staffToken, action: z.literal('extend'), candidateId: ref, amountMs: z.number().int().min(1000).max(6 * 3600 * 1000), grounds: z.enum(ROOM_EXTRA_GROUNDS), reason: reasonText }).strict(),
  z.object({ staffToken, action: z.literal('message'), target: RoomTarget, text: reasonText }).strict(),
  z.object({ staffToken, action: z.literal('lock'), deviceId: deviceRef, reason: reasonText.optional() }).strict(),
  z.object({ staffToken, action: z.literal('unlock'), deviceId: deviceRef }).strict(),
]);

/** A command the hub issued, as the console shows it: what, for whom, by whom, and what the seats made of it. */
export const IssuedCommandView = z.object({
  cmdId: uuid,
  type: z.string(),
  target: RoomTarget,
  issuedBy: z.string(),
  issuedAt: z.number().int(),
  reason: z.string().nullable(),
  applied: z.number().int().min(0),
  refused: z.array(z.object({ deviceId: z.string(), code: z.string() })),
});
export type IssuedCommandView = z.infer<typeof IssuedCommandView>;

/** A package's key release at the hub: released, or started by one person and waiting for a second. */
export const KeyReleaseView = z.object({
  packageId: uuid,
  sessionId: ref,
  state: z.enum(['awaiting-second', 'lapsed', 'released']),
  startedBy: z.string(),
  startedAt: z.number().int(),
  /** Until when a second person can confirm (two-person release). */
  expiresAt: z.number().int().nullable(),
  confirmedBy: z.string().nullable(),
  command: IssuedCommandView.nullable(),
});
export type KeyReleaseView = z.infer<typeof KeyReleaseView>;

/** Time a seat lost while missing or frozen during a running part, proposed by the hub for one click. */
export const LostTimeProposalView = z.object({
  proposalId: uuid,
  deviceId: z.string(),
  candidateId: ref,
  partId: ref,
  from: z.number().int(),
  to: z.number().int(),
  /** The silence during the running part, less one heartbeat and what the seat credited itself. */
  amountMs: z.number().int().min(0),
  reason: z.string(),
});
export type LostTimeProposalView = z.infer<typeof LostTimeProposalView>;

/** One line of a candidate's time ledger: extra time and credits from the hub, with who, when, how much, why. */
export const TimeLedgerEntryView = z.object({
  /** `hub`: given from the console (a command); `seat`: credited by the seat's station itself (a restart, a frozen screen). */
  source: z.enum(['hub', 'seat']),
  cmdId: uuid.nullable(),
  candidateId: ref,
  grounds: z.enum(ROOM_EXTRA_GROUNDS),
  amountMs: z.number().int(),
  reason: z.string(),
  issuedBy: z.string(),
  issuedAt: z.number().int(),
  applied: z.boolean(),
});
export type TimeLedgerEntryView = z.infer<typeof TimeLedgerEntryView>;

/** What the console's room controls show beside the room view (getRoomControls). */
export const RoomControlsView = z.object({
  /** Sessions whose key is released only by two distinct staff accounts. */
  twoPersonSessions: z.array(ref),
  keyReleases: z.array(KeyReleaseView),
  /** Raised hands, oldest first, until acknowledged. */
  hands: z.array(z.object({ deviceId: z.string(), candidateId: ref.nullable(), reason: z.enum(HAND_REASONS), at: z.number().int() })),
  lostTime: z.array(LostTimeProposalView),
  ledger: z.array(TimeLedgerEntryView),
  /** The latest commands issued at this hub, newest first. */
  commands: z.array(IssuedCommandView),
  /** The parts' titles by id, from the packages unlocked at the hub (a part of none is named by its id). */
  partTitles: z.record(z.string(), z.string()),
});
export type RoomControlsView = z.infer<typeof RoomControlsView>;
/** What listDiscoveredHubs says: the hubs an unpaired seat has found on the LAN by DNS-SD. */
export const DiscoveredHubs = z.object({
  /** False where this seat does not look: it is paired, or IT turned discovery off (then the address is typed). */
  browsing: z.boolean(),
  hubs: z.array(z.object({ deviceId: z.string(), name: z.string(), addresses: z.array(z.string()), port: z.number().int().min(1).max(65535) })),
  /** Why looking failed (the network would not open), or null. */
  error: z.string().nullable(),
});
export type DiscoveredHubs = z.infer<typeof DiscoveredHubs>;

/** The largest chunk of a package upload: a station API call stays well within a transport's limits. */
export const PACKAGE_CHUNK_BYTES = 512 * 1024;

export const PackageImportResult = z.object({ summary: PackageSummary, alreadyImported: z.boolean() });
export type PackageImportResult = z.infer<typeof PackageImportResult>;

/** An import under way (or ended): its progress in bytes of the file, and how it ended. */
export const PackageImportJob = z.object({
  jobId: uuid,
  fileName: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  doneBytes: z.number().int().min(0),
  totalBytes: z.number().int().min(0),
  result: PackageImportResult.nullable(),
  /** Why it failed, as the station's error body says it (code and both languages). */
  error: z.object({ code: z.string(), message: z.object({ lv: z.string(), en: z.string() }), detail: z.string().optional() }).nullable(),
});
export type PackageImportJob = z.infer<typeof PackageImportJob>;

/** A package file the station found on removable media; `sourceId` is all a screen sends back. */
export const PackageSource = z.object({ sourceId: z.string(), volume: z.string(), fileName: z.string(), size: z.number().int(), modifiedAt: z.string() });
export type PackageSource = z.infer<typeof PackageSource>;

export const TrustListView = z.object({
  /** 0: the list shipped with the app; then the number of the signed update in effect. */
  sequence: z.number().int().min(0),
  issuedAt: z.string().nullable(),
  keys: z.array(z.object({ keyId: z.string(), status: z.enum(['active', 'retired', 'revoked']) })),
});
export type TrustListView = z.infer<typeof TrustListView>;

const Bilingual = z.object({ lv: z.string(), en: z.string() });

/** What the centre staff see of the hub's link to the central API (docs/sync.md). */
export const CentralSyncView = z.object({
  enrolled: z.boolean(),
  centralUrl: z.string().nullable(),
  deviceId: z.string().nullable(),
  venueCode: z.string().nullable(),
  /** The centre refused this hub (revoked): nothing more is sent until IT enrols it again. */
  revoked: z.boolean(),
  /** A pass is running now (the background schedule's or a "sync now"). */
  syncing: z.boolean(),
  lastContactAt: z.string().nullable(),
  /** The centre's clock minus this hub's, as the last clock-skew refusal showed it. */
  clockOffsetMs: z.number(),
  eventsToSend: z.number().int().min(0),
  oldestUnsentAt: z.string().nullable(),
  audioBytesToSend: z.number().int().min(0),
  recordingsToSend: z.number().int().min(0),
  /** What came from the centre since the station started: sessions, roster rows, packages to download. */
  newFromCentre: z.object({ sessions: z.number().int(), candidates: z.number().int(), packages: z.number().int() }),
  /** Transfers in progress, each with how far it is. */
  transfers: z.array(z.object({ kind: z.enum(['package', 'audio']), id: z.string(), done: z.number().int(), total: z.number().int() })),
  lastError: z.object({ code: z.string(), message: Bilingual, detail: z.string().nullable(), at: z.string() }).nullable(),
  /** Each session the centre sent: complete once every candidate's receipt matches the hub's record. */
  sessions: z.array(
    z.object({
      sessionId: z.string(),
      candidates: z.number().int(),
      /** Receipts that match and are not older than the session's newest event here (and the centre acknowledged it). */
      receiptsMatching: z.number().int(),
      /** Receipts that matched when fetched but are older than the session's newest event here: fetched again at the next pass. */
      receiptsOutOfDate: z.number().int().min(0),
      /** Over at the venue: sealed, or every candidate submitted, absent or removed. */
      over: z.boolean(),
      /** Over, and every candidate's receipt matches: everything of the session is at the centre. */
      complete: z.boolean(),
      /** When the session's data was deleted here (purgeSession), null while it is kept. */
      purgedAt: z.string().nullable(),
      /** Deletion certificates of the session the centre does not have yet (to send, or to carry on USB). */
      certificatesUnsent: z.number().int().min(0),
      mismatches: z.array(z.object({ candidateId: z.string(), problems: z.array(Bilingual) })),
    }),
  ),
});
export type CentralSyncView = z.infer<typeof CentralSyncView>;

/** A candidate's receipt from the centre as the hub keeps it, for the screen and for printing. */
export const CentralReceiptView = z.object({
  candidateId: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  /** null: no receipt fetched yet. */
  receiptId: z.string().nullable(),
  issuedAt: z.string().nullable(),
  keyId: z.string().nullable(),
  matches: z.boolean(),
  problems: z.array(Bilingual),
  attempts: z.number().int(),
  responses: z.number().int(),
  recordings: z.number().int(),
  audioReceived: z.number().int(),
  incidents: z.number().int(),
  attendance: z.string().nullable(),
});
export type CentralReceiptView = z.infer<typeof CentralReceiptView>;

export const stationApi = {
  getStatus: method(
    'public',
    none,
    z.object({
      deviceId: z.string(),
      role: StationRole,
      appVersion: z.string(),
      schemaVersion: z.number().int(),
      lastSeq: z.number().int(),
      /** False until the first chief invigilator exists (setUpFirstChief, or the IT policy file). */
      staffSetUp: z.boolean(),
    }),
  ),
  /**
   * The first chief invigilator, made at set-up: only while the station has no staff account at all
   * (STAFF_ALREADY_SET_UP after). The password follows the rule; the PIN is optional.
   */
  setUpFirstChief: method('staff', z.object({ username, displayName, password, pin: pin.optional() }).strict(), StaffAccountView),
  /**
   * A named person signs in on this screen: the token works only from the screen that signed in. Wrong
   * passwords lock the screen, and the account on screens it has not signed in on (docs/station.md).
   */
  staffSignIn: method('staff', z.object({ username, password }).strict(), z.object({ staffToken, expiresAt: z.string(), session: StaffSessionView })),
  staffSignOut: method('staff', z.object({ staffToken }).strict(), ok),
  /** The person steps away: the session is locked until staffUnlock (the station also locks it after inactivity). */
  staffLock: method('staff', z.object({ staffToken }).strict(), ok),
  /** The person's own PIN re-opens their locked session; the third wrong PIN ends it (STAFF_SESSION_ENDED). */
  staffUnlock: method('staff', z.object({ staffToken, pin }).strict(), StaffSessionView),
  /** Who is signed in with this token, what they may do, and whether the session is locked. Not activity: it does not keep a session open. */
  getStaffSession: method('staff', z.object({ staffToken }).strict(), StaffSessionView),
  changeOwnPassword: method('staff', z.object({ staffToken, currentPassword: password, newPassword: password }).strict(), StaffSessionView),
  /** Set or change one's own PIN, confirmed with one's password. */
  setOwnPin: method('staff', z.object({ staffToken, password, pin }).strict(), StaffSessionView),
  listStaffAccounts: method('staff', z.object({ staffToken }).strict(), z.array(StaffAccountView)),
  /** A new account with a one-time password that must be changed at its first sign-in. */
  createStaffAccount: method('staff', z.object({ staffToken, username, displayName, roles: z.array(staffRole).min(1).max(STAFF_ROLES.length), password }).strict(), StaffAccountView),
  /** Ends the account's sessions at once. The last enabled chief invigilator cannot be disabled (STAFF_LAST_CHIEF). */
  disableStaffAccount: method('staff', z.object({ staffToken, accountId: uuid, reason: z.string().max(500).optional() }).strict(), StaffAccountView),
  enableStaffAccount: method('staff', z.object({ staffToken, accountId: uuid }).strict(), StaffAccountView),
  grantStaffRole: method('staff', z.object({ staffToken, accountId: uuid, role: staffRole }).strict(), StaffAccountView),
  /** Takes effect on the account's open sessions at once; the last enabled chief keeps the chief's role. */
  withdrawStaffRole: method('staff', z.object({ staffToken, accountId: uuid, role: staffRole }).strict(), StaffAccountView),
  /** A one-time password, to be changed at the next sign-in; the account's sessions end. */
  resetStaffPassword: method('staff', z.object({ staffToken, accountId: uuid, password }).strict(), StaffAccountView),
  listAudit: method('staff', z.object({ staffToken, afterSeq: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(5000).default(500) }).strict(), z.array(AuditEntryView)),
  /** Walks the audit chain from its start and reports the first broken link. */
  verifyAudit: method('staff', z.object({ staffToken }).strict(), AuditVerification),
  // A package comes in as the bytes of a file the person picked (an upload in chunks) or as one of the
  // package files the station found on removable media, picked by its id: a screen never names a path.
  /**
   * Opens an upload of one file for this screen (a screen has one at a time: a new one ends the one
   * before). Larger than the station's limit: PACKAGE_TOO_LARGE before a byte is sent.
   */
  beginPackageUpload: method('staff', z.object({ staffToken, fileName: z.string().min(1).max(255), size: z.number().int().min(1) }).strict(), z.object({ uploadId: uuid, chunkBytes: z.number().int(), maxBytes: z.number().int() })),
  /**
   * The next chunk, in order from 0. A chunk sent again (its reply was lost) is taken once: the reply
   * says `duplicate`. A gap is UPLOAD_CHUNK_OUT_OF_ORDER, a damaged chunk UPLOAD_CHUNK_CHECKSUM_MISMATCH.
   */
  appendPackageChunk: method(
    'staff',
    z.object({ staffToken, uploadId: uuid, index: z.number().int().min(0), data: bytes.refine((b) => b.byteLength > 0 && b.byteLength <= PACKAGE_CHUNK_BYTES, 'a chunk is 1 byte to 512 KiB'), sha256: sha256Hex }).strict(),
    z.object({ uploadId: uuid, index: z.number().int(), receivedBytes: z.number().int(), size: z.number().int(), duplicate: z.boolean() }),
  ),
  /** Every byte is in: the station checks and stores the package (signature, trust list, manifest) as a job to follow with getPackageImport. */
  finishPackageUpload: method('staff', z.object({ staffToken, uploadId: uuid }).strict(), PackageImportJob),
  cancelPackageUpload: method('staff', z.object({ staffToken, uploadId: uuid }).strict(), ok),
  /** Package files on removable media (and in the folder the IT policy names), newest first. */
  listPackageSources: method('staff', z.object({ staffToken }).strict(), z.array(PackageSource)),
  /** Imports the listed file with this id, as a job to follow with getPackageImport. */
  importPackageSource: method('staff', z.object({ staffToken, sourceId: z.string().regex(/^[0-9a-f]{32}$/) }).strict(), PackageImportJob),
  getPackageImport: method('staff', z.object({ staffToken, jobId: uuid }).strict(), PackageImportJob),
  /** Stops the import between two of its steps; nothing of it stays stored. A job already ended is returned as it ended. */
  cancelPackageImport: method('staff', z.object({ staffToken, jobId: uuid }).strict(), PackageImportJob),
  /** The package signing keys the station trusts now, and which list that is. */
  getTrustList: method('staff', z.object({ staffToken }).strict(), TrustListView),
  /**
   * A new trust list, signed by a key the station already trusts (docs/packages.md, "Trust list"). The
   * signature is verified before anything changes; a refused update keeps the list as it was.
   */
  applyTrustUpdate: method('staff', z.object({ staffToken, data: bytes.refine((b) => b.byteLength > 0 && b.byteLength <= 1024 * 1024, 'a trust-list update is at most 1 MiB') }).strict(), TrustListView),
  listPackages: method('staff', z.object({ staffToken }).strict(), z.array(PackageSummary)),
  unlockPackage: method('staff', z.object({ staffToken, packageId: uuid, key: z.string().min(1).max(200) }).strict(), PackageSummary),
  listCandidates: method('staff', z.object({ staffToken, sessionId: ref.optional() }).strict(), z.array(CandidateView)),
  /** Opens (or resumes) the candidate's attempt for the calling screen and hands it the candidate token. */
  openAttempt: method('staff', z.object({ staffToken, candidateId: ref, packageId: uuid }).strict(), AttemptView.extend({ candidateToken: CandidateToken })),
  /**
   * The invigilator's timer actions: pause, resume, extra time, credited time, ending a part. Extra
   * time says on what grounds it is given (each grounds takes its own right).
   */
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
        grounds: z.enum(EXTRA_TIME_GROUNDS).optional(),
      })
      .strict()
      .refine((input) => input.kind !== 'extend' || input.grounds !== undefined, { message: 'extra time names its grounds (accommodation or incident)', path: ['grounds'] }),
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
  /** The room around this station: on a hub its seats and pairing, on a seat its link to the hub (docs/room.md). */
  getRoom: method('staff', z.object({ staffToken }).strict(), RoomStatus),
  /** "Add seats" on a hub: a one-time code (8 digits, 2 minutes) to type on a seat. */
  openPairing: method('staff', z.object({ staffToken }).strict(), z.object({ code: z.string(), expiresAt: z.string() })),
  closePairing: method('staff', z.object({ staffToken }).strict(), z.object({ ok: z.literal(true) })),
  /** Unpair a seat: off the room's allowlist, its channel closed at once. */
  revokeSeat: method('staff', z.object({ staffToken, deviceId: z.string().min(1).max(64) }).strict(), z.object({ ok: z.literal(true) })),
  /** On a hub: accept or refuse a seat's request (a room file's enrolment, or a seat rejoining a hub that lost its database). */
  decideSeatRequest: method('staff', z.object({ staffToken, deviceId: z.string().min(1).max(64), decision: z.enum(['accept', 'refuse']) }).strict(), z.object({ ok: z.literal(true) })),
  /** On a seat: pair with the hub at this address with the code its screen shows, under this seat label. */
  pairWithHub: method(
    'staff',
    z
      .object({
        staffToken,
        host: z.string().min(1).max(253),
        port: z.number().int().min(1).max(65535),
        code: z.string().regex(/^\d{8}$/, 'the 8-digit code the hub shows'),
        label: z.string().min(1).max(8),
        /** The device id the hub was found under: a hub at the address with another key is HUB_KEY_CHANGED. */
        hubDeviceId: z.string().min(1).max(64).optional(),
      })
      .strict(),
    RoomStatus,
  ),
  /** The end and seal of a session on a hub (docs/room.md, "End and seal"): where each seat is with them. */
  getSealStatus: method('staff', z.object({ staffToken, sessionId: ref }).strict(), SealStatus),
  /** "End" for the room: every seat ends the session's parts and submits; the hub then waits for each seat's final state. */
  endSession: method('staff', z.object({ staffToken, sessionId: ref, reason: z.string().max(500).optional() }).strict(), SealStatus),
  /**
   * Seal the session: the first call asks every seat for its final digest; the room is sealed once every
   * seat's digest matches what the hub holds or the seat is accounted for. Refused before the end
   * (ROOM_NOT_ENDED), with a seat whose digest differs (SEAL_DIGEST_MISMATCH), and once sealed (SESSION_ALREADY_SEALED).
   */
  sealSession: method('staff', z.object({ staffToken, sessionId: ref }).strict(), SealStatus),
  /** The chief invigilator accounts for a seat that cannot answer (dead, its candidate moved), with the reason. */
  accountForSeat: method('staff', z.object({ staffToken, sessionId: ref, deviceId: z.string().min(1).max(64), reason: z.string().trim().min(3).max(500) }).strict(), SealStatus),
  /** The session's protocol in Latvian, PDF/A-2b: attendance, seat plan, timeline, extra time, incidents, the seal. */
  getRoomProtocol: method('staff', z.object({ staffToken, sessionId: ref }).strict(), ProtocolFile),
  /** The room controls' state on a hub: key releases, two-person sessions, raised hands, lost-time proposals, the time ledger. */
  getRoomControls: method('staff', z.object({ staffToken }).strict(), RoomControlsView),
  /**
   * Release a package's key (held at the hub since unlockPackage) to every seat of the room at once. For
   * a session with two-person release the first call starts it and a second, distinct person's call within
   * 2 minutes confirms it; both are named in the command and the audit log.
   */
  releaseKey: method('staff', z.object({ staffToken, packageId: uuid, sessionId: ref }).strict(), KeyReleaseView),
  /** Whether a session's key needs two distinct people to release it (the chief's decision). */
  setTwoPersonRelease: method('staff', z.object({ staffToken, sessionId: ref, required: z.boolean() }).strict(), z.object({ sessionId: ref, required: z.boolean() })),
  /** Start, pause, resume, extra time, a message, lock and unlock, from the hub to its seats. */
  roomCommand: method('staff', RoomCommandInput, IssuedCommandView),
  /** Confirm (one click) or dismiss a lost-time proposal; a confirmed one is a credit to the candidate's seat. */
  settleLostTime: method('staff', z.object({ staffToken, proposalId: uuid, confirm: z.boolean() }).strict(), z.object({ command: IssuedCommandView.nullable() })),
  /** The invigilator has seen a seat's raised hand: it goes off the console and off the candidate's screen. */
  acknowledgeHand: method('staff', z.object({ staffToken, deviceId: deviceRef }).strict(), IssuedCommandView),
  /** An incident from the console, for the room (a session), one candidate or one seat, in the taxonomy. */
  recordRoomIncident: method(
    'staff',
    z.object({ staffToken, kind: z.enum(INCIDENT_KINDS), note: z.string().trim().min(1).max(5000), target: z.discriminatedUnion('kind', [z.object({ kind: z.literal('room'), sessionId: ref }).strict(), z.object({ kind: z.literal('candidate'), candidateId: ref }).strict(), z.object({ kind: z.literal('seat'), deviceId: deviceRef }).strict()]) }).strict(),
    z.object({ incidentId: uuid, at: z.string() }),
  ),
  /** Remove a candidate from the session (MK 157: the work is not assessed): attendance removed, an incident, their seat locked. */
  removeCandidate: method('staff', z.object({ staffToken, candidateId: ref, note: z.string().trim().min(1).max(5000) }).strict(), z.object({ incidentId: uuid, at: z.string(), command: IssuedCommandView.nullable() })),
  /** On a hub: its link to the central API, what is still to send and each session's receipts (docs/sync.md). */
  getCentralSync: method('staff', z.object({ staffToken }).strict(), CentralSyncView),
  /** On a hub: enrol with the central API by the one-time code the centre gave; the device key is made here and never leaves. */
  enrolAtCentre: method(
    'staff',
    z.object({ staffToken, centralUrl: z.string().trim().url().max(500), code: z.string().trim().min(16).max(40) }).strict(),
    CentralSyncView,
  ),
  /** On a hub: a sync pass now (down the feed and packages, up the events and audio, then receipts); answers when it is over. */
  syncWithCentre: method('staff', z.object({ staffToken }).strict(), CentralSyncView),
  /**
   * On a hub: delete a session's personal data, answers and audio here and on the room's seats, once the
   * centre confirmed all of it (every receipt matches); a signed deletion certificate goes to the centre.
   */
  purgeSession: method(
    'staff',
    z.object({ staffToken, sessionId: ref }).strict(),
    z.object({ sessionId: z.string(), certificateId: z.string(), items: z.array(z.object({ kind: z.string(), count: z.number().int(), sha256: z.string(), bytes: z.number().int().optional() })), seatsAsked: z.number().int() }),
  ),
  /** The removable drives (and the policy's folders) a USB export can go to and a centre's files come from. */
  listUsbDrives: method('staff', z.object({ staffToken }).strict(), z.array(z.object({ driveId: z.string(), volume: z.string(), freeBytes: z.number().nullable() }))),
  /**
   * On a hub with no network: write what the centre has not acknowledged (events, audio) as one file signed
   * with the hub's key and encrypted to the centre's, and the deletion certificates not yet sent, into the
   * drive's exam-station folder, for the agency to import.
   */
  exportForCentre: method(
    'staff',
    z.object({ staffToken, driveId: z.string().regex(/^[0-9a-f]{32}$/) }).strict(),
    z.object({ fileName: z.string(), bytes: z.number().int(), sha256: z.string(), events: z.number().int(), recordings: z.number().int(), waitingForAudio: z.number().int(), certificates: z.number().int() }),
  ),
  /** On a hub with no network: the receipts the centre exported for a session, read from the drive's exam-station folder, verified and compared. */
  importFromCentre: method(
    'staff',
    z.object({ staffToken, driveId: z.string().regex(/^[0-9a-f]{32}$/) }).strict(),
    z.object({ sessions: z.array(z.object({ sessionId: z.string(), receipts: z.number().int(), matching: z.number().int() })), skipped: z.array(z.object({ fileName: z.string(), code: z.string(), message: Bilingual })) }),
  ),
  /** On a hub: every candidate's receipt of a session as the centre signed it, checked against the hub's record. */
  listCentralReceipts: method('staff', z.object({ staffToken, sessionId: ref }).strict(), z.array(CentralReceiptView)),
  /** On an unpaired seat: the hubs found on the LAN (DNS-SD), for IT to pick one to pair with. */
  listDiscoveredHubs: method('staff', z.object({ staffToken }).strict(), DiscoveredHubs),
  /**
   * On a hub: move a candidate to a spare seat mid-part. The old seat stops the attempt (move-out, when it
   * is back if it is not now); the new seat gets everything the hub acknowledged of it and resumes it.
   */
  moveCandidate: method('staff', z.object({ staffToken, candidateId: ref, toDeviceId: z.string().min(1).max(64), reason: z.string().trim().min(1).max(500) }).strict(), MoveView),
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
        // At most 512 KiB: a second of speech is a few KB, and a segment must fit one frame of the room's channel.
        data: bytes.refine((b) => b.byteLength > 0 && b.byteLength <= 512 * 1024, 'segment must be 1 byte to 512 KiB'),
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
    z.object({
      parts: z.array(z.object({ partId: ref, timer: TimerStateSchema })),
      creditedMs: z.number().int().min(0),
      serverTime: z.number(),
      /** The invigilator's latest message to this seat (a room command), until another replaces it. */
      roomMessage: z.object({ id: z.string().min(1).max(64), text: z.string().min(1).max(500), at: z.number().int() }).nullable(),
      /** The invigilator locked this seat from the hub (and why), until they unlock it. */
      locked: z.object({ reason: z.string().max(500).nullable(), at: z.number().int() }).nullable(),
      /** On a room's seat, the candidate goes on past the identity screen only once the invigilator authorised them. */
      authorisation: z.enum(AUTHORISATIONS),
      /** A seat of a room whose start has not reached it for this candidate: no part begins yet. */
      waitingForStart: z.boolean(),
      /** The candidate's raised hand, until an invigilator acknowledges it. */
      hand: z.object({ reason: z.enum(HAND_REASONS), at: z.number().int() }).nullable(),
      /** A room's seat without its link to the hub: the part goes on and every answer is kept here (the candidate is told, calmly). */
      hubOffline: z.boolean(),
    }),
  ),
  getTimer: method('candidate', z.object({ ...seat, partId: ref }).strict(), TimerStateSchema),
  // ---- check-in and the seat plan (a hub's console; docs/room.md) ----
  /** The roster with each candidate's check-in, seat and state. */
  getRoster: method('staff', z.object({ staffToken, sessionId: ref.optional() }).strict(), z.array(RosterRow)),
  /** One check of the check-in (the ID document seen, the personal code checked), recorded with who and when. */
  recordCheckInStep: method('staff', z.object({ staffToken, candidateId: ref, step: z.enum(CHECK_IN_STEPS) }).strict(), RosterRow),
  /**
   * Present (both checks done, else CHECK_IN_INCOMPLETE; after the session's start it is late, with a
   * candidate-late incident) or absent (CANDIDATE_SEATED while seated).
   */
  checkInCandidate: method('staff', z.object({ staffToken, candidateId: ref, status: z.enum(['present', 'absent']) }).strict(), RosterRow),
  /**
   * Seat a checked-in candidate at a free connected seat of the room: the hub sends the seat an 'assign'
   * command with the candidate's roster row, and the seat opens the attempt itself. The same candidate
   * at the same seat again hands the seat the candidate anew (its screen lost them).
   */
  assignSeat: method('staff', z.object({ staffToken, candidateId: ref, deviceId: z.string().min(1).max(64), packageId: uuid }).strict(), RosterRow),
  /** Take the candidate off their seat before they begin (CANDIDATE_STARTED after). */
  unassignSeat: method('staff', z.object({ staffToken, candidateId: ref }).strict(), RosterRow),
  /** The invigilator authorises the candidate at their seat once they confirmed their identity there. */
  authoriseCandidate: method('staff', z.object({ staffToken, candidateId: ref }).strict(), RosterRow),
  /**
   * A seat's kiosk screen asks for its candidate: the credentials of the attempt the hub assigned here,
   * handed to one screen once per assignment; nothing while no candidate is assigned. Only on a seat.
   */
  claimSeat: method(
    'public',
    none,
    z.object({
      label: z.string().nullable(),
      seat: z.object({ attemptId: uuid, candidateToken: CandidateToken }).nullable(),
      /** Why there are no credentials: no candidate yet, another screen holds them, the candidate said No on the identity screen. */
      waiting: z.enum(['no-candidate', 'claimed', 'handed-back']).nullable(),
    }),
  ),
  /** The candidate says the details on the identity screen are theirs; a seat then waits for the invigilator's authorisation. */
  confirmIdentity: method('candidate', z.object(seat).strict(), z.object({ authorisation: z.enum(AUTHORISATIONS) })),
  /** The candidate raises their hand with a reason; the seat's heartbeat carries it to the hub's console. */
  raiseHand: method('candidate', z.object({ ...seat, reason: z.enum(HAND_REASONS) }).strict(), z.object({ reason: z.enum(HAND_REASONS), at: z.number().int() })),
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
