// The renderer's one typed client for the station API. The UI programs against `StationApi`; the
// transport underneath is Electron IPC (window.station from the preload) or HTTP (the browser runner);
// which one the page uses is chosen in page-client.ts. A test can hand the UI a third implementation.
// Nothing here needs the page, so a Node test can put this client in front of a real station.
import { StationError } from '../../src-shared/errors.ts';
import { STATION_METHODS, type StationApi } from '../../src-shared/contracts/station-api.ts';
import type { StationBridge, StationReplyBody } from '../../src-shared/contracts/station-bridge.ts';
import { fromWire, toWire } from '../../src-shared/contracts/wire.ts';
import { noteReply } from './status.ts';

export type StationTransport = (method: string, input: unknown) => Promise<StationReplyBody>;

/** Thrown when the station cannot be reached at all (as opposed to the station refusing). */
export class StationUnreachable extends Error {
  override name = 'StationUnreachable';
}

export function createStationClient(transport: StationTransport): StationApi {
  const client: Record<string, (input: unknown) => Promise<unknown>> = {};
  for (const method of STATION_METHODS) {
    client[method] = async (input: unknown) => {
      const reply = await transport(method, input);
      noteReply(reply.ok, reply.ok ? undefined : reply.error.code);
      if (!reply.ok) throw StationError.fromBody(reply.error);
      return reply.value;
    };
  }
  return client as unknown as StationApi;
}

export function httpTransport(baseUrl = '', timeoutMs = 10_000): StationTransport {
  return async (method, input) => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/api/${encodeURIComponent(method)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: toWire(input ?? {}),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new StationUnreachable(`station did not answer ${method}: ${(error as Error).message}`);
    }
    const text = await response.text();
    try {
      return fromWire(text) as StationReplyBody;
    } catch {
      throw new StationUnreachable(`station sent an unreadable reply to ${method} (HTTP ${response.status})`);
    }
  };
}

export function ipcTransport(bridge: StationBridge): StationTransport {
  return async (method, input) => {
    try {
      return await bridge.call(method, input);
    } catch (error) {
      throw new StationUnreachable(`station did not answer ${method}: ${(error as Error).message}`);
    }
  };
}
