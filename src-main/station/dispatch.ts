// The boundary of the station API: a call arrives as (method name, untrusted input, caller) from IPC or
// HTTP, is checked against the surfaces the caller's screen may reach, validated with the contract's
// schema, runs on the service, and leaves as a result or an error body. In tests every output is also
// checked against the contract, so the service cannot drift from what the renderer expects.
import { z } from 'zod';
import { CodedError, StationError, type StationErrorBody } from '../../src-shared/errors.ts';
import { stationApi, type Caller, type StationHost, type StationMethod } from '../../src-shared/contracts/station-api.ts';
import type { StationReplyBody } from '../../src-shared/contracts/station-bridge.ts';

export type StationReply = StationReplyBody;
export type StationHandler = (method: string, input: unknown, caller: Caller) => Promise<StationReply>;

function isMethod(name: string): name is StationMethod {
  return Object.hasOwn(stationApi, name);
}

export function toErrorBody(error: unknown): StationErrorBody {
  if (error instanceof CodedError) return error.toBody();
  console.error('station: unexpected error', error);
  return new StationError('INTERNAL', (error as Error)?.message ?? String(error)).toBody();
}

export interface HandlerOptions {
  /** Check every reply against the contract's output schema (tests); a mismatch is an INTERNAL error. */
  validateOutput?: boolean;
}

export function createStationHandler(service: StationHost, options: HandlerOptions = {}): StationHandler {
  return async (method, input, caller) => {
    try {
      if (!isMethod(method)) throw new StationError('NOT_FOUND', `no station method ${method.slice(0, 64)}`);
      const contract = stationApi[method];
      if (!caller.surfaces.includes(contract.surface)) throw new StationError('NOT_ON_THIS_SCREEN', `${method} is not served to this screen`);
      const parsed = contract.input.safeParse(input ?? {});
      if (!parsed.success) {
        throw new StationError('VALIDATION_FAILED', `${method}: ${z.prettifyError(parsed.error).slice(0, 500)}`);
      }
      const call = service[method] as (input: unknown, caller: Caller) => Promise<unknown>;
      const value: unknown = await call.call(service, parsed.data, caller);
      if (options.validateOutput) {
        const checked = contract.output.safeParse(value);
        if (!checked.success) throw new StationError('INTERNAL', `${method} replied outside its contract: ${z.prettifyError(checked.error).slice(0, 500)}`);
      }
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error: toErrorBody(error) };
    }
  };
}
