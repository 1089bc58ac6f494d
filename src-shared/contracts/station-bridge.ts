// What the Electron preload exposes to the renderer as `window.station`: one call that carries any
// station API method. The preload checks itself against this type with `satisfies`.
import type { StationErrorBody } from '../errors.ts';

export type StationReplyBody = { ok: true; value: unknown } | { ok: false; error: StationErrorBody };

/** The station process's state as the Electron main process reports it. */
export type StationProcessStatus = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface StationBridge {
  call(method: string, input: unknown): Promise<StationReplyBody>;
  /** Told whenever the station process's state changes (a crash and its restart). */
  onStatus(listener: (status: StationProcessStatus) => void): void;
}
