// The end and seal of a session in the room, as the station API shows them (docs/room.md, "End and
// seal"): where each seat is with the end (its final state at the hub) and with the seal (its digest
// matched, still on its way, different, or the seat accounted for by the chief invigilator).
import { z } from 'zod';

const ref = z.string().min(1).max(64);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const SEAT_SEAL_STATES = ['pending', 'waiting', 'matched', 'mismatch', 'refused', 'accounted'] as const;
export type SeatSealState = (typeof SEAT_SEAL_STATES)[number];

export const SealSeat = z.object({
  deviceId: z.string(),
  label: z.string().nullable(),
  /** The candidates whose attempts the seat holds for this session. */
  candidateIds: z.array(ref),
  /** What the seat made of the end: not yet confirmed, carried out, or refused (with the code). */
  end: z.enum(['pending', 'applied', 'refused']),
  endCode: z.string().nullable(),
  /** The end carried out and nothing of the seat left to reach the hub (its last heartbeat's backlog is empty). */
  final: z.boolean(),
  /**
   * pending: no answer to the seal yet; waiting: answered, but the hub does not hold all the answer
   * covers yet; matched; mismatch; refused: the seat refused the seal or its answer was not accepted
   * (the code says why); accounted: the chief invigilator accounted for the seat instead.
   */
  seal: z.enum(SEAT_SEAL_STATES),
  sealCode: z.string().nullable(),
  accounted: z.object({ reason: z.string(), by: z.string(), at: z.string() }).nullable(),
});
export type SealSeat = z.infer<typeof SealSeat>;

export const SealStatus = z.object({
  sessionId: ref,
  /** open: not ended; ended: the end issued; sealing: the seal asked for; sealed. */
  state: z.enum(['open', 'ended', 'sealing', 'sealed']),
  endedAt: z.string().nullable(),
  endedBy: z.string().nullable(),
  sealRequestedAt: z.string().nullable(),
  sealedAt: z.string().nullable(),
  sealedBy: z.string().nullable(),
  /** The session's digest over every seat's (or its accounting), once sealed: what the protocol's QR code carries. */
  digest: sha256Hex.nullable(),
  seats: z.array(SealSeat),
});
export type SealStatus = z.infer<typeof SealStatus>;

/** The protocol PDF as the station hands it over, for the console to save. */
export const ProtocolFile = z.object({ fileName: z.string(), mimeType: z.literal('application/pdf'), data: z.instanceof(Uint8Array) });
