// The IPC relay: the one door from a window to the station. A call is taken only from a window this
// app opened, from its main frame showing the app's own page; a method the contract does not have is
// refused here and never reaches the station; everything else goes to the station with the caller
// the window is (its id and the surfaces its role may reach) and the station's reply comes back
// unchanged. It takes ipcMain as a parameter, so it is tested without the Electron binary.
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { StationError } from '../../src-shared/errors.ts';
import { IPC } from '../../src-shared/contracts/ipc-channels.ts';
import { stationApi, type Surface } from '../../src-shared/contracts/station-api.ts';
import type { StationReplyBody } from '../../src-shared/contracts/station-bridge.ts';
import type { StationHandler } from '../station/dispatch.ts';

export interface RelayWindow {
  /** The page this window shows (file://…/renderer/index.html): a call from any other page is refused. */
  url: string;
  surfaces: readonly Surface[];
}

export interface RelayOptions {
  handler: StationHandler;
  /** The app's window whose webContents has this id, or undefined for anything else. */
  windowOf(webContentsId: number): RelayWindow | undefined;
  log?: (message: string) => void;
}

const refuse = (code: 'NOT_ON_THIS_SCREEN' | 'NOT_FOUND', detail: string): StationReplyBody => ({ ok: false, error: new StationError(code, detail).toBody() });

/** The frame's page without its fragment (a single-page app may change it). */
const pageOf = (url: string): string => url.split('#')[0] ?? url;

export function registerStationRelay(ipcMain: Pick<IpcMain, 'handle'>, options: RelayOptions): void {
  const log = options.log ?? ((message) => console.error(message));
  ipcMain.handle(IPC.stationCall, async (event: IpcMainInvokeEvent, method: unknown, input: unknown): Promise<StationReplyBody> => {
    const window = options.windowOf(event.sender.id);
    const frame = event.senderFrame;
    if (!window || !frame || frame !== event.sender.mainFrame || pageOf(frame.url) !== pageOf(window.url)) {
      log(`station relay: refused a call from webContents ${event.sender.id} (${frame?.url ?? 'no frame'})`);
      return refuse('NOT_ON_THIS_SCREEN', 'not a window of this app');
    }
    if (typeof method !== 'string' || !Object.hasOwn(stationApi, method)) return refuse('NOT_FOUND', `no station method ${String(method).slice(0, 64)}`);
    return options.handler(method, input, { clientId: `ipc:${event.sender.id}`, surfaces: window.surfaces });
  });
}
