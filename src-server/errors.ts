// The central API's errors: codes of the one catalogue (src-shared/errors.ts), each with its HTTP
// status and a Latvian and English text for the person (centre staff, IT, agency staff) who reads it,
// and the extra fields some refusals carry (the expected seq, the refused event).
import { z } from 'zod';
import { CodedError, type ErrorCode, type StationErrorBody } from '../src-shared/errors.ts';

/** Every code of the one catalogue (src-shared/errors.ts) may be an API error. */
export type ApiErrorCode = ErrorCode;

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
  })
  .meta({ id: 'Error' });
export type ErrorBody = z.infer<typeof ErrorBody>;

/** The fields an error body may carry beside code, message and detail. */
type ErrorExtra = Partial<Omit<ErrorBody, 'code' | 'message' | 'detail'>>;

export class ApiError extends CodedError {
  override name = 'ApiError';
  readonly extra: ErrorExtra;

  constructor(code: ApiErrorCode, detail?: string, extra: ErrorExtra = {}) {
    super(code, detail);
    this.extra = extra;
  }

  override toBody(): StationErrorBody & ErrorExtra {
    return { ...super.toBody(), ...this.extra };
  }
}

/** The error responses every route may give, for the OpenAPI document. */
export const errorResponses = { '4xx': ErrorBody, '5xx': ErrorBody } as const;
