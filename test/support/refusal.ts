// The code of the StationError a call is refused with; any other outcome fails the test.
import { CodedError, StationError } from '../../src-shared/errors.ts';

export function refusalOf(fn: () => unknown): string {
  return refusalErrorOf(fn).code;
}

/** The StationError a call is refused with, for its code and detail. */
export function refusalErrorOf(fn: () => unknown): StationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CodedError) return error;
    throw error;
  }
  throw new Error('expected a refusal, the call succeeded');
}

export async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CodedError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal, the call succeeded');
}
