// The station client of the page itself: IPC inside Electron (the preload's window.station), HTTP to
// the page's own origin in the browser runner.
import type { StationApi } from '../../src-shared/contracts/station-api.ts';
import type { StationBridge } from '../../src-shared/contracts/station-bridge.ts';
import { createStationClient, httpTransport, ipcTransport } from './client.ts';
import { stationStatus } from './status.ts';

declare global {
  interface Window {
    station?: StationBridge;
  }
}

export function defaultStationClient(): StationApi {
  // In Electron the main process also says when the station process restarts, between calls too.
  window.station?.onStatus?.((status) => stationStatus.setState({ restarting: status === 'restarting' }));
  return createStationClient(window.station ? ipcTransport(window.station) : httpTransport(''));
}
