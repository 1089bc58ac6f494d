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

const uuid = z.string().uuid();
const ref = z.string().min(1).max(128);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const ms = z.number().int();

// ---- commands -------------------------------------------------------------------------------------

export const ROOM_COMMAND_TYPES = ['start', 'pause', 'resume', 'extend', 'end', 'lock', 'unlock', 'message', 'move-out', 'seal', 'key-release'] as const;
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

/** What became of a command on a seat: applied, or refused with the error code and why. */
export const CommandResult = z.discriminatedUnion('status', [
  z.object({ cmdId: uuid, status: z.literal('applied') }).strict(),
  z.object({ cmdId: uuid, status: z.literal('refused'), code: z.string().min(1).max(64), detail: z.string().max(500).nullable() }).strict(),
]);
export type CommandResult = z.infer<typeof CommandResult>;

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
        screen: z.enum(['staff', 'identity', 'instructions', 'equipment', 'part-intro', 'part', 'paused', 'finished']),
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
    /** Something the seat cannot resolve alone (its disk is full, the hub knows more of it than it has ...). */
    alarm: z.string().max(200).nullable(),
  })
  .strict();
export type SeatState = z.infer<typeof SeatState>;

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
