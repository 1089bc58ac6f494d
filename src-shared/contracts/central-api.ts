// The central API as a venue hub reads it: the bodies of enrolment, the feed, key release, receipts
// and their keys. The central API declares its routes with these schemas (src-server) and the hub's
// sync client (src-main/sync) parses every reply with them, so there is one definition of each shape
// and the OpenAPI document is generated from the same one. Browser-safe: zod only.
import { z } from 'zod';
import { TAKE_INTERRUPTIONS } from './events.ts';

export const EnrollRequest = z
  .object({
    code: z.string().min(16).max(40),
    name: z.string().min(1).max(200),
    /** Ed25519 public key, SubjectPublicKeyInfo DER, base64. */
    publicKey: z.string().min(40).max(200),
  })
  .meta({ id: 'EnrollRequest' });
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const EnrollReply = z.object({ deviceId: z.string(), venueId: z.string(), venueCode: z.string() }).meta({ id: 'EnrollReply' });
export type EnrollReply = z.infer<typeof EnrollReply>;

export const FeedSession = z.object({
  sessionId: z.string(),
  examId: z.string(),
  packageId: z.string().nullable(),
  room: z.string(),
  startsAt: z.string(),
  endsAt: z.string().nullable(),
  cancelled: z.boolean(),
  version: z.number().int(),
});
export type FeedSession = z.infer<typeof FeedSession>;

export const FeedCandidate = z.object({
  candidateId: z.string(),
  sessionId: z.string(),
  givenName: z.string(),
  familyName: z.string(),
  personalCode: z.string(),
  birthDate: z.string().nullable(),
  level: z.string().nullable(),
  accommodation: z.string().nullable(),
  accommodationDocNo: z.string().nullable(),
  accommodationDocDate: z.string().nullable(),
  /** Taken off the roster since the venue last read it. */
  removed: z.boolean(),
  version: z.number().int(),
});
export type FeedCandidate = z.infer<typeof FeedCandidate>;

export const FeedPackage = z.object({
  packageId: z.string(),
  examId: z.string(),
  examVersion: z.number().int(),
  title: z.string(),
  validFrom: z.string(),
  validUntil: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
  downloadPath: z.string(),
});
export type FeedPackage = z.infer<typeof FeedPackage>;

export const Feed = z
  .object({
    venue: z.object({ venueId: z.string(), code: z.string(), name: z.string(), address: z.string() }),
    /** Pass it back as `after` next time. */
    cursor: z.number().int(),
    sessions: z.array(FeedSession),
    candidates: z.array(FeedCandidate),
    packages: z.array(FeedPackage),
  })
  .meta({ id: 'Feed' });
export type Feed = z.infer<typeof Feed>;

export const KeyRelease = z
  .object({ sessionId: z.string(), packageId: z.string(), contentKey: z.string(), releasedAt: z.string() })
  .meta({ id: 'KeyRelease' });
export type KeyRelease = z.infer<typeof KeyRelease>;

export const Receipt = z.object({
  receiptId: z.string(),
  issuedAt: z.string(),
  venueCode: z.string(),
  candidate: z.object({ candidateId: z.string(), sessionId: z.string(), givenName: z.string(), familyName: z.string() }),
  /** markedBy: who marked it at the venue (null on what arrived before the centre kept it). */
  attendance: z.object({ status: z.string(), markedAt: z.string(), markedBy: z.string().nullable() }).nullable(),
  attempts: z.array(
    z.object({
      attemptId: z.string(),
      packageId: z.string(),
      openedAt: z.string(),
      /** When the candidate submitted the whole test (attempt.submitted), null if not (yet). */
      submittedAt: z.string().nullable(),
      responses: z.array(z.object({ itemId: z.string(), revision: z.number().int(), savedAt: z.string() })),
      recordings: z.array(
        z.object({
          recordingId: z.string(),
          itemId: z.string().nullable(),
          take: z.number().int().nullable(),
          sha256: z.string().nullable(),
          bytes: z.number().int().nullable(),
          durationMs: z.number().int().nullable(),
          /** Closed by the station, not the candidate, and why; null while the take is not closed. */
          interrupted: z.boolean().nullable(),
          interruption: z.enum(TAKE_INTERRUPTIONS).nullable(),
          audioReceived: z.boolean(),
        }),
      ),
      /** The parts' timer events in the station's order; `at` is the station's clock (ms since the epoch). */
      timerEvents: z.array(
        z.object({ partId: z.string(), eventId: z.number().int(), kind: z.string(), at: z.number().int(), amountMs: z.number().int().nullable(), reason: z.string().nullable() }),
      ),
      /** Plays of restricted listening audio the station granted; returnedAt: handed back (the audio failed to start), so it does not count. */
      plays: z.array(z.object({ stimulusId: z.string(), play: z.number().int(), returnedAt: z.string().nullable() })),
    }),
  ),
  incidents: z.array(
    z.object({ incidentId: z.string(), attemptId: z.string().nullable(), kind: z.string(), note: z.string(), at: z.string(), recordedBy: z.string().nullable() }),
  ),
});
export type Receipt = z.infer<typeof Receipt>;

export const SignedReceipt = z
  .object({ receipt: Receipt, algorithm: z.literal('ed25519'), keyId: z.string(), signature: z.string() })
  .meta({ id: 'SignedReceipt' });
export type SignedReceipt = z.infer<typeof SignedReceipt>;

/**
 * What the centre holds of each of a venue's device streams, signed with the receipt key: a hub with no
 * network learns from it (on USB, in the receipt bundle) up to which seq the centre acknowledged its
 * stream, as a push reply would have told it.
 */
export const StreamAcknowledgement = z.object({
  purpose: z.literal('acknowledged-streams'),
  venueCode: z.string(),
  issuedAt: z.string(),
  devices: z.array(z.object({ deviceId: z.string(), ackedSeq: z.number().int().min(0) })),
});
export type StreamAcknowledgement = z.infer<typeof StreamAcknowledgement>;
export const SignedStreamAcknowledgement = z.object({ statement: StreamAcknowledgement, algorithm: z.literal('ed25519'), keyId: z.string(), signature: z.string() });
export type SignedStreamAcknowledgement = z.infer<typeof SignedStreamAcknowledgement>;

/** A session's receipts as the centre exports them for a venue without a network (carried back on USB). */
export const ReceiptBundle = z
  .object({ formatVersion: z.literal(1), sessionId: z.string(), venueCode: z.string(), issuedAt: z.string(), receipts: z.array(SignedReceipt), acknowledgement: SignedStreamAcknowledgement })
  .meta({ id: 'ReceiptBundle' });
export type ReceiptBundle = z.infer<typeof ReceiptBundle>;

export const ReceiptKeys = z.object({ keys: z.array(z.object({ keyId: z.string(), algorithm: z.literal('ed25519'), publicKeySpki: z.string() })) });
export type ReceiptKeys = z.infer<typeof ReceiptKeys>;

/** The keys a hub encrypts its USB exports to (X25519, SubjectPublicKeyInfo DER, base64). */
export const TransferKeys = z.object({ keys: z.array(z.object({ keyId: z.string(), algorithm: z.literal('x25519'), publicKey: z.string().describe('SubjectPublicKeyInfo, DER, base64') })) });
export type TransferKeys = z.infer<typeof TransferKeys>;

/** Every refusal: a machine-readable code, what happened in Latvian and English, and what helps. */
export const ErrorBody = z
  .object({
    code: z.string(),
    message: z.object({ lv: z.string(), en: z.string() }),
    detail: z.string().optional(),
    /** SEQ_GAP: the seq the server expects next. */
    expectedSeq: z.number().int().optional(),
    /** KEY_NOT_YET_RELEASED: when the key becomes available. */
    releasableAt: z.string().optional(),
    /** A refused push (VALIDATION_FAILED, EVENT_KIND_UNKNOWN, EVENT_REJECTED, EVENT_CONFLICT, RECORDING_CONFLICT): the seq of the event that was refused. */
    seq: z.number().int().optional(),
    /** EVENT_CONFLICT: the origin of the refused event (the device that wrote it first, and its seq there). */
    origin: z.object({ deviceId: z.string(), seq: z.number().int() }).optional(),
    /** RECEIPT_MISMATCH, DELETION_ROSTER_MISMATCH: the candidates whose receipt does not match, or who are missing or not of the session. */
    candidateIds: z.array(z.string()).optional(),
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;
