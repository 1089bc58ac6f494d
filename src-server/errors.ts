// The central API's errors: codes of the one catalogue (src-shared/errors.ts), each with its HTTP
// status and a Latvian and English text for the person (centre staff, IT, agency staff) who reads it,
// and the extra fields some refusals carry (the expected seq, the refused event).
import { ErrorBody } from '../src-shared/contracts/central-api.ts';
import { CodedError, type ErrorCode, type StationErrorBody } from '../src-shared/errors.ts';

export { ErrorBody };

/** Every code of the one catalogue (src-shared/errors.ts) may be an API error. */
export type ApiErrorCode = ErrorCode;


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
