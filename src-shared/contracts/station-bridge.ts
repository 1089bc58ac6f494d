// What the Electron preload exposes to the renderer as `window.station`: one call that carries any
// station API method. The preload checks itself against this type with `satisfies`.
import type { StationErrorBody } from '../errors.ts';

export type StationReplyBody = { ok: true; value: unknown } | { ok: false; error: StationErrorBody };

export interface StationBridge {
  call(method: string, input: unknown): Promise<StationReplyBody>;
}
