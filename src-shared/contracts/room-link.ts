// The room's link between a seat and its hub (docs/room.md, "Pairing and the channel"): the frames of
// the channel, the close codes, the pairing conversation, the room file a hub exports for enrolling
// many seats, and what a seat keeps of its hub once paired.
//
// The channel carries JSON frames, one per WebSocket text message, each an object with a `type`. This
// layer knows no kinds of its own beyond that: the protocol that runs over the channel (push, commands,
// heartbeats) declares its frames by extending RoomFrame.
import { z } from 'zod';

/** Any frame on the channel: an object whose `type` names its kind; the protocol layer adds the rest. */
export const RoomFrame = z.looseObject({ type: z.string().min(1).max(64) });
export type RoomFrame = z.infer<typeof RoomFrame>;

/** The largest frame either side accepts (the encoded JSON); a larger one closes the channel with 1009. */
export const ROOM_MAX_FRAME_BYTES = 1024 * 1024;
/** Each side pings this often and drops a peer that did not answer the previous ping. */
export const ROOM_PING_MS = 10_000;
/** The seat's reconnection back-off never waits longer than this (before jitter). */
export const ROOM_RECONNECT_CAP_MS = 5_000;

/** The HTTPS paths on the hub: the channel of paired seats, and the pairing conversation. */
export const ROOM_PATH = '/room';
export const PAIR_PATH = '/pair';
/**
 * The seat's label on its /room upgrade. Its certificate names only its device id, and a hub that lost
 * its database asks the invigilator to take the seat back under the label the seat says it has.
 */
export const SEAT_LABEL_HEADER = 'x-exam-station-seat-label';

/**
 * Why a channel was closed, as WebSocket close codes (1000-1011 are the standard's, 4000-4999 ours).
 * The reason text of our codes is the error code of the catalogue, so the seat can say what happened.
 */
export const ROOM_CLOSE = {
  /** Stopped on purpose by one side (a seat shutting down, a test). */
  normal: 1000,
  /** The hub is stopping. */
  goingAway: 1001,
  /** A binary message: the channel carries JSON text frames only. */
  unsupported: 1003,
  /** A frame larger than ROOM_MAX_FRAME_BYTES. */
  tooLarge: 1009,
  /** A text message that is not JSON or not a RoomFrame. */
  frameInvalid: 4400,
  /** The hub revoked this seat (unpaired it): the seat stops reconnecting. */
  revoked: 4403,
  /** The same seat opened a newer connection; the older one is closed (a half-open socket, a restart). */
  replaced: 4409,
} as const;

const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/).max(8192);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const pem = z.string().startsWith('-----BEGIN CERTIFICATE-----').max(8192);
const instant = z.iso.datetime({ offset: true });

/**
 * A seat's label is what is written on its desk ("4C", "A-12"): letters, digits, dash, dot and
 * underscore, at most 16. Compared in upper case, so "4c" and "4C" are one label.
 */
export const SeatLabel = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,15}$/, 'a seat label is 1 to 16 letters, digits, dots, dashes or underscores')
  .transform((label) => label.toUpperCase());

/** A hub's address as the seat dials it: an IPv4 or IPv6 address or a host name, and the port. */
export const HubAddress = z.object({ host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535) });
export type HubAddress = z.infer<typeof HubAddress>;

/** A refusal as it travels: the catalogue's code and a technical detail; the texts come from the catalogue. */
const Refusal = z.object({ code: z.string().min(1).max(64), detail: z.string().max(2000).optional() });

/** What the hub hands a seat at the end of a pairing: everything the seat keeps to reach this hub again. */
export const SeatGrant = z.object({
  roomId: z.string().min(1).max(64),
  label: z.string().min(1).max(16),
  /** The seat's certificate, issued by the room's CA for the seat's own key. */
  seatCertificate: pem,
  /** The room's CA certificate: the hub's TLS certificate must chain to it. */
  caCertificate: pem,
  /** SHA-256 (hex) of the hub's public key (SPKI): the pin the seat checks on every connection. */
  hubKeyHash: sha256Hex,
  hubDeviceId: z.string().min(1).max(64),
});
export type SeatGrant = z.infer<typeof SeatGrant>;

/** Seat → hub on /pair. */
export const PairingFromSeat = z.discriminatedUnion('type', [
  z.discriminatedUnion('method', [
    /** Pairing with the code shown on the hub: SRP follows. */
    z.object({ type: z.literal('pair.hello'), method: z.literal('code'), label: z.string().max(64) }),
    /** Enrolling with a token of a room file: the seat already pins the hub, the invigilator accepts. */
    z.object({ type: z.literal('pair.hello'), method: z.literal('token'), label: z.string().max(64), token: z.string().min(1).max(128) }),
  ]),
  /** SRP's A and the proof M1 (base64). */
  z.object({ type: z.literal('pair.proof'), A: base64, M1: base64 }),
  /** The seat's MAC over its view of the channel (base64). */
  z.object({ type: z.literal('pair.bind'), mac: base64 }),
]);
export type PairingFromSeat = z.infer<typeof PairingFromSeat>;

/** Hub → seat on /pair. */
export const PairingFromHub = z.discriminatedUnion('type', [
  /** The SRP salt and B (base64). */
  z.object({ type: z.literal('pair.challenge'), salt: base64, B: base64 }),
  /** The hub's proof M2 and its MAC over its view of the channel (base64). */
  z.object({ type: z.literal('pair.verified'), M2: base64, mac: base64 }),
  /** A room-file enrolment is waiting for the invigilator to accept it. */
  z.object({ type: z.literal('pair.requested') }),
  z.object({ type: z.literal('pair.done'), grant: SeatGrant }),
  z.object({ type: z.literal('pair.refused'), error: Refusal }),
]);
export type PairingFromHub = z.infer<typeof PairingFromHub>;

export const ROOM_FILE_FORMAT = 'exam-station-room/1';

/** The fields of a room file that its signature covers (all but the signature itself). */
export const RoomFileBody = z.object({
  format: z.literal(ROOM_FILE_FORMAT),
  roomId: z.string().min(1).max(64),
  hubDeviceId: z.string().min(1).max(64),
  /** The hub's public key (SPKI DER, base64): the signature is made with it, its hash is the pin. */
  hubPublicKey: base64,
  hubKeyHash: sha256Hex,
  caCertificate: pem,
  addresses: z.array(HubAddress).min(1).max(16),
  createdAt: instant,
  /** Tokens are refused after this. */
  validUntil: instant,
  /** One-time enrolment tokens (base64url, 256 bits each); the hub keeps only their hashes. */
  tokens: z.array(z.string().regex(/^[A-Za-z0-9_-]{43}$/)).min(1).max(2000),
});
export type RoomFileBody = z.infer<typeof RoomFileBody>;

/** A room file: its body and the hub's ECDSA P-256 signature (base64, DER) over the body's canonical JSON. */
export const RoomFile = RoomFileBody.extend({ signature: base64 });
export type RoomFile = z.infer<typeof RoomFile>;

/** What a paired seat keeps of its room (seat-link/membership.ts), written once per pairing. */
export const SeatMembership = SeatGrant.extend({
  formatVersion: z.literal(1),
  /** Where the hub was reached; the seat dials these first. */
  addresses: z.array(HubAddress).max(16),
  pairedAt: instant,
});
export type SeatMembership = z.infer<typeof SeatMembership>;
