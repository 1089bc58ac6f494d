// The Electron main process: it only supervises. It opens the window for the station's role (a seat in
// kiosk mode: full screen, no menu, no way out but the invigilator; hub and solo windowed), guards it,
// relays IPC to the station, and keeps the station itself in a utility process of its own, restarted
// if it dies, so that no save ever shares a thread with the windows. This folder is the only code that
// imports electron; everything it drives is plain Node.
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CodedError, StationError } from '../../src-shared/errors.ts';
import { IPC } from '../../src-shared/contracts/ipc-channels.ts';
import type { Surface } from '../../src-shared/contracts/station-api.ts';
import { ConfigError, loadStationConfig, type StationConfig } from '../host/config.ts';
import { StationSupervisor } from '../host/supervisor.ts';
import { registerStationRelay, type RelayWindow } from './relay.ts';
import { utilityStation } from './utility-station.ts';

const RENDERER = join(import.meta.dirname, '../renderer/index.html');
const PRELOAD = join(import.meta.dirname, '../preload/preload.cjs');
/** The station process's bundle, built beside this one (vite.main.config.ts). */
const STATION_ENTRY = join(import.meta.dirname, 'station-process.js');

/** What a window of each role may reach: a seat's kiosk only the candidate's surface, a hub's only staff's. */
export const SURFACES: Record<StationConfig['role'], Surface[]> = { seat: ['public', 'candidate'], hub: ['public', 'staff'], solo: ['public', 'staff', 'candidate'] };

function fail(title: string, error: unknown): void {
  const known = error instanceof ConfigError ? new StationError('CONFIG_INVALID', error.message) : error instanceof CodedError ? error : undefined;
  const text = known ? `${known.text.lv}\n\n${known.text.en}\n\n${known.code}${known.detail ? `: ${known.detail}` : ''}` : String(error);
  dialog.showErrorBox(title, text);
  app.exit(1);
}

function createWindow(config: StationConfig): BrowserWindow {
  const kiosk = config.role === 'seat';
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    kiosk,
    fullscreen: kiosk,
    autoHideMenuBar: true,
    title: 'Exam Station',
    webPreferences: { preload: PRELOAD, contextIsolation: true, sandbox: true, nodeIntegration: false, spellcheck: false },
  });
  // The exam never leaves its own page: no new windows, no navigation away, no downloads.
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-navigate', (event) => event.preventDefault());
  void window.loadFile(RENDERER);
  return window;
}

export async function startApp(): Promise<void> {
  let config: StationConfig;
  try {
    config = loadStationConfig({ env: { EXAM_STATION_DATA: join(app.getPath('userData'), 'station'), EXAM_STATION_ASSETS: join(app.getAppPath(), 'assets'), ...process.env } });
  } catch (error) {
    return fail('Exam Station', error);
  }
  // Nothing is downloaded, with one exception: a hub's console saves a session's protocol, a PDF the page
  // made from the station's reply (a blob: URL, never a file from elsewhere); Electron asks where to save it.
  session.defaultSession.on('will-download', (event, item: { getURL(): string; getMimeType(): string }) => {
    if (config.role === 'hub' && item.getURL().startsWith('blob:') && item.getMimeType() === 'application/pdf') return;
    event.preventDefault();
  });
  session.defaultSession.setPermissionRequestHandler((_contents, permission, grant) => grant(permission === 'media'));

  const supervisor = new StationSupervisor(
    utilityStation(STATION_ENTRY, { EXAM_STATION_DATA: config.dataDir, EXAM_STATION_ASSETS: config.assetsDir, EXAM_STATION_APP_VERSION: app.getVersion() }),
  );
  const windows = new Map<number, RelayWindow>();
  registerStationRelay(ipcMain, { handler: supervisor.handler, windowOf: (id) => windows.get(id) });
  supervisor.on('status', (status) => {
    for (const window of BrowserWindow.getAllWindows()) window.webContents.send(IPC.stationStatus, status);
  });
  supervisor.on('crashed', ({ code, signal }) => console.error(`station process ended (${signal ?? code}); starting it again`));
  try {
    await supervisor.start();
  } catch (error) {
    return fail('Exam Station cannot start', error);
  }
  const window = createWindow(config);
  windows.set(window.webContents.id, { url: pathToFileURL(RENDERER).href, surfaces: SURFACES[config.role] });
  app.on('window-all-closed', () => {
    void supervisor.stop().finally(() => app.quit());
  });
}

app.whenReady().then(startApp, (error: unknown) => {
  console.error(error);
  app.exit(1);
});
