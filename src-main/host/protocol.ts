// The messages between a station process and its supervisor (the Electron main process, the browser
// runner, a test). Calls carry the contract's method, the untrusted input and the caller the transport
// named; replies carry the contract's reply body unchanged. The messages are structured-cloned (Electron
// utility process, Node IPC with advanced serialization), so audio bytes travel as they are.
import type { StationErrorBody } from '../../src-shared/errors.ts';
import type { Caller } from '../../src-shared/contracts/station-api.ts';
import type { StationReplyBody } from '../../src-shared/contracts/station-bridge.ts';

export type ToStation = { type: 'call'; id: number; method: string; input: unknown; caller: Caller } | { type: 'stop' };

/** What the station tells its supervisor once it is open: enough to say what is running. */
export interface StationReady {
  deviceId: string;
  mode: 'production' | 'demo';
  role: 'hub' | 'seat' | 'solo';
  venueCode: string;
  dataDir: string;
  port: number;
  /** The demo's chief invigilator and package keys, for the runner to print (empty in production). */
  demo: { chief: { username: string; password: string } | undefined; packages: { title: string; contentKey: string }[] };
}

export type FromStation =
  | { type: 'ready'; ready: StationReady }
  | { type: 'reply'; id: number; reply: StationReplyBody }
  /** The station could not open (a bad setting, a damaged database): restarting would not help. */
  | { type: 'fatal'; error: StationErrorBody }
  | { type: 'stopped' };
