// The room protocol: what a seat and its hub say to each other over their channel (mutual TLS and
// WebSocket, src-main/lan and src-main/seat-link), frame by frame. The channel proves who is on the other
// end; this protocol carries the work:
//
// - seat → hub, the push of the event contract (events.ts): the seat's own outbox from the hub's
//   watermark + 1; the hub commits and acknowledges a contiguous watermark. The same (device, seq) with
//   another body is an integrity alarm, never a duplicate. A hub that has nothing of a seat (a new hub,
//   or the old one with its database gone) says watermark 0 and gets everything again.
// - seat → hub, the audio of each take segment by segment, after the answers (answers first: they are
//   small and the hub acknowledges them within a beat; audio may take longer over a weak link).
// - hub → seat, commands with ids (start, pause, extra time, key release ...): sent when issued and
//   repeated in every heartbeat reply until the seat confirms the id. The seat stores a command before it
//   applies it and refuses one from a lower term than it has seen.
// - seat → hub, a heartbeat every 2 s with the seat's state; the reply carries the hub's clock, so the
//   seat keeps its offset to the room's time.
// - hub → seat, before the start: the packages the hub holds, offered, then sent chunk by chunk as the
//   seat asks for them (encrypted files; the key only with 'key-release').
import { DELETION_KIND_NAMES, DeletionItem } from './deletion-certificate.ts';
import { z } from 'zod';
import { EventEnvelope } from './events.ts';

export const ROOM_PROTOCOL_VERSION = 1;

/** A seat's sign of life, and the pace of the room's view of it. */
export const ROOM_HEARTBEAT_MS = 2000;
/** A seat not heard from for this long shows as late, then as missing (design/room.md). */
export const SEAT_LATE_MS = 6000;
export const SEAT_MISSING_MS = 15_000;

/** One push carries at most this many events and, encoded, at most about this many bytes. */
export const ROOM_PUSH_MAX_EVENTS = 500;
export const ROOM_PUSH_MAX_BYTES = 256 * 1024;
/** A seat waits this long for the acknowledgement of a push before it treats the link as broken. */
export const ROOM_PUSH_TIMEOUT_MS = 15_000;
/**
 * A moved candidate's hand-over (hand-over.ts) travels as base64 of its UTF-8 JSON in pieces of at most
 * this many characters, so each frame stays under 512 KiB, and in at most this many pieces.
 */
export const HANDOVER_CHUNK_CHARS = 480 * 1024;
export const HANDOVER_MAX_CHUNKS = 400;
/** A heartbeat reply repeats at most this many unconfirmed commands (oldest first). */
export const ROOM_PENDING_COMMANDS_MAX = 50;
/** An offer lists at most this many packages (a room's day has a handful). */
export const ROOM_OFFER_MAX_PACKAGES = 100;

/** Why a candidate raises their hand on the seat: a question, a fault of the computer or headphones, feeling unwell, a break, something else. */
export const HAND_REASONS = ['question', 'technical', 'unwell', 'break', 'other'] as const;
export type HandReason = (typeof HAND_REASONS)[number];

const uuid = z.string().uuid();
const ref = z.string().min(1).max(128);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const ms = z.number().int();

// ---- commands -------------------------------------------------------------------------------------

export const ROOM_COMMAND_TYPES = ['start', 'pause', 'resume', 'extend', 'end', 'lock', 'unlock', 'message', 'move-out', 'seal', 'key-release', 'assign', 'unassign', 'authorise', 'hand-ack', 'purge'] as const;
export type RoomCommandType = (typeof ROOM_COMMAND_TYPES)[number];

/** Whom a command is for: every seat of the room, one seat, or the seat where one candidate sits. */
export const CommandTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('room') }).strict(),
  z.object({ kind: z.literal('seat'), deviceId: ref }).strict(),
  z.object({ kind: z.literal('candidate'), candidateId: ref }).strict(),
]);
export type CommandTarget = z.infer<typeof CommandTarget>;

export const RoomCommand = z
  .object({
    cmdId: uuid,
    /** The hub's term: a promoted standby raises it, and a seat refuses commands of a lower one. */
    term: z.number().int().min(1),
    /** The hub's number for the command, growing: the order commands were issued in. */
    roomSeq: z.number().int().min(1),
    target: CommandTarget,
    type: z.enum(ROOM_COMMAND_TYPES),
    /** What the type needs (a part id, an amount of time, a message text, a content key ...), at most 8 KB. */
    params: z.record(z.string(), z.unknown()).refine((p) => JSON.stringify(p).length <= 8192, 'command parameters are at most 8 KB'),
    /** Hub clock, ms since the epoch: when the command takes effect in the room's time. */
    effectiveAt: ms,
    reason: z.string().max(500).nullable(),
    /** The staff account that issued it. */
    issuedBy: z.string().min(1).max(100),
  })
  .strict();
export type RoomCommand = z.infer<typeof RoomCommand>;

/** What a seat answers when it carries out a command that asks for something back (the seal's digest), at most 8 KB. */
const CommandAnswer = z.record(z.string(), z.unknown()).refine((a) => JSON.stringify(a).length <= 8192, 'a command answer is at most 8 KB');

/** What became of a command on a seat: applied (with its answer, for a command that asks one), or refused with the error code and why. */
export const CommandResult = z.discriminatedUnion('status', [
  z.object({ cmdId: uuid, status: z.literal('applied'), answer: CommandAnswer.optional() }).strict(),
  z.object({ cmdId: uuid, status: z.literal('refused'), code: z.string().min(1).max(64), detail: z.string().max(500).nullable() }).strict(),
]);
export type CommandResult = z.infer<typeof CommandResult>;

/**
 * What an 'assign' command carries: the one candidate the seat is to hold (their roster row as the hub
 * has it, the personal code masked: a seat never holds the whole code), their session, and the package
 * whose attempt the seat opens for them.
 */
export const AssignParams = z
  .object({
    packageId: uuid,
    session: z.object({ sessionId: ref, examId: ref, venueCode: ref, venueName: z.string().min(1).max(200), room: z.string().max(64).nullable(), startsAt: z.string().min(1).max(40), endsAt: z.string().max(40).nullable() }).strict(),
    candidate: z
      .object({
        candidateId: ref,
        sessionId: ref,
        givenName: z.string().min(1).max(200),
        familyName: z.string().min(1).max(200),
        maskedPersonalCode: z.string().min(1).max(20),
        level: z.string().max(16).nullable(),
        accommodation: z.string().max(500).nullable(),
        accommodationDocNo: z.string().max(100).nullable(),
        accommodationDocDate: z.string().max(40).nullable(),
      })
      .strict(),
  })
  .strict();
export type AssignParams = z.infer<typeof AssignParams>;

/**
 * The seat's answer to `seal` (src-shared/rules/seal-digest.ts): its final digest of the session, what
 * the digest covers, and up to which seq of its stream the hub must hold it to compare. The seat says
 * who it is; the hub refuses an answer that names another seat than the one on the link.
 */
export const SealAnswer = z
  .object({
    deviceId: ref,
    sessionId: ref,
    digest: sha256Hex,
    lastSeq: z.number().int().min(0),
    events: z.number().int().min(0),
    segments: z.number().int().min(0),
  })
  .strict();
export type SealAnswer = z.infer<typeof SealAnswer>;

/**
 * The seat's answer to `purge` (sent once the centre confirmed the session: docs/sync.md): what it
 * deleted of the session, as the manifests of a deletion certificate (src-shared/contracts/deletion-certificate.ts).
 */
export const PurgeAnswer = z
  .object({
    deviceId: ref,
    sessionId: ref,
    deletedAt: z.string().min(1).max(40),
    items: z.array(DeletionItem).max(DELETION_KIND_NAMES.length),
  })
  .strict();
export type PurgeAnswer = z.infer<typeof PurgeAnswer>;

// ---- the seat's state, as each heartbeat reports it ----------------------------------------------

export const SeatState = z
  .object({
    /** The attempt on the seat and where the candidate is in it, or null while the seat is free. */
    attempt: z
      .object({
        attemptId: uuid,
        candidateId: ref,
        partId: ref.nullable(),
        itemId: ref.nullable(),
        /** Remaining time of the running part, from the events and the room's clock. */
        remainingMs: ms.nullable(),
        screen: z.enum(['staff', 'identity', 'instructions', 'equipment', 'part-intro', 'part', 'paused', 'finished', 'awaiting-authorisation', 'identity-declined']),
        /** What the candidate said is not theirs on the identity screen (station-api's IDENTITY_DECLINE_REASONS), while the screen is 'identity-declined'. */
        declineReason: z.enum(['not-me', 'name', 'personal-code', 'level']).optional(),
        /** Whether the room's start (or the candidate's own, for one who came late) has reached the seat. */
        started: z.boolean().optional(),
      })
      .strict()
      .nullable(),
    /** What the hub has not acknowledged yet: events, the age of the oldest, audio bytes. */
    backlog: z.object({ events: z.number().int().min(0), oldestAgeMs: ms.min(0).nullable(), audioBytes: z.number().int().min(0) }).strict(),
    recording: z.object({ active: z.boolean(), level: z.number().min(0).max(1).nullable(), savedOnSeatMs: ms.min(0) }).strict().nullable(),
    battery: z.object({ percent: z.number().min(0).max(100), charging: z.boolean() }).strict().nullable(),
    diskFreeBytes: z.number().int().min(0).nullable(),
    appVersion: z.string().min(1).max(64),
    /** The seat's estimate of hub clock − seat clock. */
    clockOffsetMs: ms.nullable(),
    /** The candidate's raised hand (raiseHand), until an invigilator acknowledges it. */
    hand: z.object({ reason: z.enum(HAND_REASONS), at: ms }).strict().nullable().optional(),
    /** Something the seat cannot resolve alone (its disk is full, the hub knows more of it than it has ...). */
    alarm: z.string().max(200).nullable(),
    /** The packages stored on the seat (pre-staged from the hub or imported there), locked or not: the console's "package on seat". */
    packages: z.array(ref).max(ROOM_OFFER_MAX_PACKAGES).optional(),
  })
  .strict();
export type SeatState = z.infer<typeof SeatState>;

// ---- package pre-staging ------------------------------------------------------------------------
// Before the start the hub offers each seat the packages it holds, as files (encrypted, signed); the
// seat asks for the chunks it lacks, one at a time, keeps each chunk it has checked, and imports a
// package (locked) only once the whole file matches the offer. The content key never goes this way:
// only with the 'key-release' command.

/** A chunk of a package file: with base64 (4/3) and the frame's fields, well under the channel's 1 MiB. */
export const PACKAGE_CHUNK_BYTES = 512 * 1024;

export const PackageOffer = z.object({ packageId: ref, sha256: sha256Hex, size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }).strict();
export type PackageOffer = z.infer<typeof PackageOffer>;

// ---- frames -------------------------------------------------------------------------------------

/** The first frame on a connection: the seat says who it is and what it has. */
export const SeatHello = z.object({ type: z.literal('hello'), protocol: z.number().int(), lastSeq: z.number().int().min(0), highestTerm: z.number().int().min(0) }).strict();

export const SeatFrame = z.discriminatedUnion('type', [
  SeatHello,
  z.object({ type: z.literal('push'), pushId: z.number().int().min(1), events: z.array(EventEnvelope).min(1).max(ROOM_PUSH_MAX_EVENTS) }).strict(),
  z
    .object({
      type: z.literal('audio'),
      recordingId: uuid,
      index: z.number().int().min(0),
      sha256: sha256Hex,
      /** The segment's bytes, base64 (a segment is at most 512 KiB, so a frame stays under the channel's 1 MiB). */
      data: z.string().min(1).max(700_000),
    })
    .strict(),
  z.object({ type: z.literal('heartbeat'), sentAt: ms, state: SeatState }).strict(),
  z.object({ type: z.literal('command-result'), result: CommandResult }).strict(),
  /** The seat asks for one chunk of an offered package (from the first it lacks, so a cut link resumes). */
  z.object({ type: z.literal('package-want'), packageId: ref, index: z.number().int().min(0) }).strict(),
  /** What the seat made of a hand-over (hand-over.ts), once it had every chunk. */
  z
    .object({ type: z.literal('handover-result'), moveId: uuid, status: z.enum(['applied', 'refused']), code: z.string().max(64).nullable(), detail: z.string().max(500).nullable() })
    .strict(),
]);
export type SeatFrame = z.infer<typeof SeatFrame>;

export const HubFrame = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('welcome'),
      protocol: z.number().int(),
      /** The hub's database: another id than the seat saw last means a rebuilt hub (send everything again). */
      hubInstance: uuid,
      /** Everything of this seat up to here is committed at the hub. */
      ackedSeq: z.number().int().min(0),
      term: z.number().int().min(1),
      hubTime: ms,
    })
    .strict(),
  z.object({ type: z.literal('push-ack'), pushId: z.number().int().min(1), ackedSeq: z.number().int().min(0), accepted: z.number().int().min(0), duplicates: z.number().int().min(0) }).strict(),
  /** A push that changed nothing: a gap (send from expectedSeq), or what the code says. */
  z.object({ type: z.literal('push-refused'), pushId: z.number().int().min(1), code: z.string().min(1).max(64), detail: z.string().max(500), expectedSeq: z.number().int().min(1).nullable() }).strict(),
  z.object({ type: z.literal('audio-ack'), recordingId: uuid, index: z.number().int().min(0) }).strict(),
  z.object({ type: z.literal('audio-refused'), recordingId: uuid, index: z.number().int().min(0), code: z.string().min(1).max(64), detail: z.string().max(500) }).strict(),
  z.object({ type: z.literal('heartbeat-reply'), sentAt: ms, hubTime: ms, commands: z.array(RoomCommand).max(ROOM_PENDING_COMMANDS_MAX) }).strict(),
  z.object({ type: z.literal('command'), command: RoomCommand }).strict(),
  /** The packages the hub holds, sent after the welcome and whenever the list changes. */
  z.object({ type: z.literal('package-offer'), packages: z.array(PackageOffer).max(ROOM_OFFER_MAX_PACKAGES) }).strict(),
  z
    .object({
      type: z.literal('package-chunk'),
      packageId: ref,
      index: z.number().int().min(0),
      /** SHA-256 of this chunk's bytes. */
      sha256: sha256Hex,
      /** The chunk's bytes, base64: PACKAGE_CHUNK_BYTES each, the last one the rest. */
      data: z.string().min(1).max(700_000),
    })
    .strict(),
  /** The hub cannot give that chunk (the package is gone, the index is past its end). */
  z.object({ type: z.literal('package-refused'), packageId: ref, index: z.number().int().min(0), code: z.string().min(1).max(64), detail: z.string().max(500) }).strict(),
  /** One piece of a moved candidate's hand-over (hand-over.ts): `index` of `count`, the whole text's SHA-256. */
  z
    .object({
      type: z.literal('handover'),
      moveId: uuid,
      index: z.number().int().min(0),
      count: z.number().int().min(1).max(HANDOVER_MAX_CHUNKS),
      sha256: sha256Hex,
      chunk: z.string().max(HANDOVER_CHUNK_CHARS),
    })
    .strict(),
]);
export type HubFrame = z.infer<typeof HubFrame>;

/**
 * The room protocol needs only this of a connection: frames out, frames in, and its end. The mutual-TLS
 * WebSocket implements it, and so does the in-memory pair the protocol's own tests use.
 */
export interface FrameLink {
  send(frame: unknown): void;
  onFrame(listener: (frame: unknown) => void): void;
  onClose(listener: (reason: string) => void): void;
  close(reason: string): void;
}
