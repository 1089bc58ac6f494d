// The boundary of the station API: a call arrives as (method name, untrusted input) from IPC or HTTP,
// is validated with the contract's schema, runs on the service, and leaves as a result or an error body.
import { z } from 'zod';
import { StationError, type StationErrorBody } from '../../src-shared/errors.ts';
import { stationApi, type StationApi, type StationMethod } from '../../src-shared/station-api.ts';

export type StationReply = { ok: true; value: unknown } | { ok: false; error: StationErrorBody };

function isMethod(name: string): name is StationMethod {
  return Object.hasOwn(stationApi, name);
}

export function toErrorBody(error: unknown): StationErrorBody {
  if (error instanceof StationError) return error.toBody();
  console.error('station: unexpected error', error);
  return new StationError('INTERNAL', (error as Error)?.message ?? String(error)).toBody();
}

export function createStationHandler(service: StationApi): (method: string, input: unknown) => Promise<StationReply> {
  return async (method, input) => {
    try {
      if (!isMethod(method)) throw new StationError('VALIDATION_FAILED', `unknown method ${method}`);
      const contract = stationApi[method];
      const parsed = contract.input.safeParse(input ?? {});
      if (!parsed.success) {
        throw new StationError('VALIDATION_FAILED', `${method}: ${z.prettifyError(parsed.error).slice(0, 500)}`);
      }
      const call = service[method] as (input: unknown) => Promise<unknown>;
      const value: unknown = await call.call(service, parsed.data);
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toErrorBody(error) };
    }
  };
}
