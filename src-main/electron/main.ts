// The Electron main process: one window on the station service, bound over IPC. A seat runs in kiosk
// mode (full screen, no menu, no way out but the invigilator); hub and solo run windowed.
// This folder is the only code that imports electron; everything it drives is plain Node.
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { join } from 'node:path';
import { StationError } from '../../src-shared/errors.ts';
import { IPC } from '../../src-shared/contracts/ipc-channels.ts';
import { ConfigError, loadStationConfig, type StationConfig } from '../host/config.ts';
import { openStation, type OpenedStation } from '../host/start.ts';
import { createStationHandler } from '../station/dispatch.ts';
import type { Surface } from '../../src-shared/contracts/station-api.ts';

let station: OpenedStation | undefined;
let config: StationConfig;
try {
  config = loadStationConfig({ env: { EXAM_STATION_DATA: join(app.getPath('userData'), 'station'), EXAM_STATION_ASSETS: join(app.getAppPath(), 'assets'), ...process.env } });
} catch (error) {
  dialog.showErrorBox('Exam Station', error instanceof ConfigError ? error.message : String(error));
  app.exit(1);
  throw error;
}
const role = config.role;

function createWindow(): BrowserWindow {
  const kiosk = role === 'seat';
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    kiosk,
    fullscreen: kiosk,
    autoHideMenuBar: true,
    title: 'Exam Station',
    webPreferences: {
      preload: join(import.meta.dirname, '../preload/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      spellcheck: false,
    },
  });
  // The exam never leaves its own page: no new windows, no navigation away, no downloads.
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  session.defaultSession.on('will-download', (event) => event.preventDefault());
  session.defaultSession.setPermissionRequestHandler((_contents, permission, grant) => grant(permission === 'media'));
  void window.loadFile(join(import.meta.dirname, '../renderer/index.html'));
  return window;
}

app.whenReady().then(
  () => {
    try {
      station = openStation(config, { appVersion: app.getVersion() });
    } catch (error) {
      const text = error instanceof StationError ? `${error.text.lv}\n\n${error.text.en}\n\n${error.code}${error.detail ? `: ${error.detail}` : ''}` : String(error);
      dialog.showErrorBox('Exam Station', text);
      app.exit(1);
      return;
    }
    const handler = createStationHandler(station.service);
    // A seat's kiosk window reaches only the candidate's surface; a hub's window only the staff's.
    const surfaces: Surface[] = role === 'seat' ? ['public', 'candidate'] : role === 'hub' ? ['public', 'staff'] : ['public', 'staff', 'candidate'];
    ipcMain.handle(IPC.stationCall, (event, method: unknown, input: unknown) => handler(String(method), input, { clientId: `ipc:${event.sender.id}`, surfaces }));
    createWindow();
  },
  (error: unknown) => {
    console.error(error);
    app.exit(1);
  },
);

app.on('window-all-closed', () => {
  station?.service.close();
  app.quit();
});
