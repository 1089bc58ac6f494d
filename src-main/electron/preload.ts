// The preload: exposes exactly one object, `window.station`, checked against the shared contract.
// contextIsolation and sandbox are on; the renderer gets no Node and no ipcRenderer.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC } from '../../src-shared/contracts/ipc-channels.ts';
import type { StationBridge, StationProcessStatus, StationReplyBody } from '../../src-shared/contracts/station-bridge.ts';

const station = {
  call: (method: string, input: unknown): Promise<StationReplyBody> => ipcRenderer.invoke(IPC.stationCall, method, input) as Promise<StationReplyBody>,
  onStatus: (listener: (status: StationProcessStatus) => void): void => {
    ipcRenderer.on(IPC.stationStatus, (_event, status: StationProcessStatus) => listener(status));
  },
} satisfies StationBridge;

contextBridge.exposeInMainWorld('station', station);
