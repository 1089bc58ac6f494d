// The hand-over of a moved candidate (docs/room.md, "Moving a candidate"): what the hub sends the seat
// the candidate moves to, so that this seat rebuilds the attempt as far as the hub acknowledged it.
// It carries only what the hub holds: the candidate's roster row and session, the package id (the
// package is pre-staged on every seat), every event of the attempt the hub took from the seats it was
// on (origin kept, the old seat's late events left out) and the takes' audio the hub holds. It travels
// as its JSON, base64, cut into `handover` frames of at most 512 KiB (the channel carries 1 MiB);
// the seat answers with one `handover-result` once it has all of it.
import { z } from 'zod';
import { EventEnvelope } from './events.ts';
import { RoomCommand } from './room-protocol.ts';

export { HANDOVER_CHUNK_CHARS, HANDOVER_MAX_CHUNKS } from './room-protocol.ts';

const uuid = z.string().uuid();
const ref = z.string().min(1).max(128);

export const HandOverCandidate = z
  .object({
    candidateId: ref,
    sessionId: ref,
    givenName: z.string().min(1).max(200),
    familyName: z.string().min(1).max(200),
    /** Masked: a seat needs the code only to show the candidate what the roster says. */
    maskedPersonalCode: z.string().min(1).max(32),
    birthDate: z.string().max(32).nullable(),
    level: z.string().max(16).nullable(),
    accommodation: z.string().max(500).nullable(),
    accommodationDocNo: z.string().max(100).nullable(),
    accommodationDocDate: z.string().max(32).nullable(),
  })
  .strict();
export type HandOverCandidate = z.infer<typeof HandOverCandidate>;

export const HandOverSession = z
  .object({ sessionId: ref, examId: ref, venueCode: ref, venueName: z.string().min(1).max(200), room: z.string().max(100).nullable(), startsAt: z.string().min(1).max(40), endsAt: z.string().max(40).nullable() })
  .strict();

export const HandOver = z
  .object({
    moveId: uuid,
    attemptId: uuid,
    packageId: uuid,
    candidate: HandOverCandidate,
    session: HandOverSession,
    /** The seat the candidate leaves, and the hub's last sign of life from it (room time, ms; null if never heard). */
    from: z.object({ deviceId: ref, lastSeenAt: z.number().int().nullable() }).strict(),
    /** The attempt's events as the hub holds them, in the hub's order, each with the seat that wrote it. */
    events: z.array(EventEnvelope).max(100_000),
    /** The audio the hub holds of the attempt's takes (base64, each at most 512 KiB). */
    segments: z.array(z.object({ recordingId: uuid, index: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/), data: z.string().min(1).max(700_000) }).strict()).max(100_000),
    /** Commands for the candidate the old seat has confirmed already: their effect is in the events, not to be carried out again. */
    settledCommands: z.array(RoomCommand).max(1000),
    /**
     * Who authorised the candidate to sit the test, carried to the new seat: the seat plan's authorisation
     * at the old seat, or, for a candidate the plan did not seat (opened by staff at the seat, where none
     * was needed), the person who moved them. Null: not authorised yet; the new seat asks for the identity
     * and the authorisation as for a candidate seated there.
     */
    authorised: z.object({ by: z.string().min(1).max(100), at: z.string().min(1).max(40) }).strict().nullable(),
    movedAt: z.number().int(),
    movedBy: z.string().min(1).max(100),
    reason: z.string().min(1).max(500),
  })
  .strict();
export type HandOver = z.infer<typeof HandOver>;
