// The Electron main process with a fake electron module (issue 8.4): it keeps the windows, the guards
// and the IPC relay, and the station in a utility process of its own that it restarts when it dies.
// The relay takes calls only from its own window's page, refuses unknown methods itself and passes
// the station's replies through unchanged.
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IPC } from '../../src-shared/contracts/ipc-channels.ts';
import { DEMO_CHIEF } from '../../src-main/host/demo.ts';
import { tempDir } from '../support/fixtures.ts';
import { createFakeElectron, FakeBrowserWindow } from './fake-electron.ts';

const ROOT = resolve(import.meta.dirname, '../..');
let electron: ReturnType<typeof createFakeElectron>;
const savedEnv = { ...process.env };

async function startMain(env: Record<string, string>): Promise<FakeBrowserWindow> {
  Object.assign(process.env, { EXAM_STATION_POLICY: 'none', ...env });
  electron = createFakeElectron(tempDir(), ROOT);
  FakeBrowserWindow.all = [];
  vi.resetModules();
  vi.doMock('electron', () => electron.fake);
  await import('../../src-main/electron/main.ts');
  await vi.waitFor(() => expect(FakeBrowserWindow.all).toHaveLength(1), { timeout: 30_000, interval: 50 });
  return FakeBrowserWindow.all[0]!;
}

async function invoke(sender: { id: number; mainFrame: { url: string } }, frame: { url: string } | null, method: unknown, input: unknown) {
  const handler = electron.handlers.get(IPC.stationCall)!;
  return handler({ sender, senderFrame: frame }, method, input) as Promise<{ ok: boolean; value?: unknown; error?: { code: string } }>;
}

beforeEach(() => {
  process.env = { ...savedEnv };
});
afterEach(async () => {
  for (const { child } of electron?.utilities ?? []) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  process.env = { ...savedEnv };
});

describe('the Electron main process', () => {
  it('opens one guarded window and keeps the station in a utility process of its own', async () => {
    const window = await startMain({ EXAM_STATION_MODE: 'demo' });
    expect(window.options).toMatchObject({ kiosk: false, webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false } });
    expect(window.loaded).toMatch(/renderer[\\/]index\.html$/);
    expect(window.webContents.windowOpenHandler?.()).toEqual({ action: 'deny' });
    let prevented = false;
    window.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) });
    expect(prevented).toBe(true);
    const granted: boolean[] = [];
    electron.sessionHandlers.permission?.({}, 'media', (ok: boolean) => granted.push(ok));
    electron.sessionHandlers.permission?.({}, 'geolocation', (ok: boolean) => granted.push(ok));
    expect(granted).toEqual([true, false]);
    // Nothing is downloaded on a station other than a hub, not even a PDF the page made.
    const download = (url: string, mime: string) => {
      let stopped = false;
      electron.sessionHandlers.events.get('will-download')?.({ preventDefault: () => (stopped = true) }, { getURL: () => url, getMimeType: () => mime });
      return stopped;
    };
    expect(download('blob:file:///protocol', 'application/pdf')).toBe(true);
    expect(download('https://example.com/x.pdf', 'application/pdf')).toBe(true);
    expect(electron.utilities).toHaveLength(1);
    expect(electron.utilities[0]!.entry).toMatch(/station-process\.js$/);
    expect(electron.utilities[0]!.child.pid).not.toBe(process.pid);
  }, 60_000);

  it('relays a call from its window to the station and passes the reply through unchanged', async () => {
    const window = await startMain({ EXAM_STATION_MODE: 'demo' });
    const contents = window.webContents;
    const status = await invoke(contents, contents.mainFrame, 'getStatus', {});
    expect(status).toMatchObject({ ok: true, value: { role: 'solo', appVersion: '0.1.0-test' } });
    const refused = await invoke(contents, contents.mainFrame, 'staffSignIn', { username: DEMO_CHIEF.username, password: 'Not-The-Password-1' });
    expect(refused).toEqual({ ok: false, error: expect.objectContaining({ code: 'STAFF_SIGN_IN_WRONG', message: { lv: expect.any(String), en: expect.any(String) } }) });
    expect(await invoke(contents, contents.mainFrame, 'staffSignIn', { username: DEMO_CHIEF.username, password: DEMO_CHIEF.password })).toMatchObject({ ok: true, value: { staffToken: expect.any(String) } });
  }, 60_000);

  it('refuses a call from a window or frame it did not open, and a method the contract does not have', async () => {
    const window = await startMain({ EXAM_STATION_MODE: 'demo' });
    const contents = window.webContents;
    const stranger = { id: 9999, mainFrame: { url: contents.mainFrame.url } };
    expect(await invoke(stranger, stranger.mainFrame, 'getStatus', {})).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SCREEN' } });
    expect(await invoke(contents, { url: contents.mainFrame.url }, 'getStatus', {})).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SCREEN' } });
    for (const method of ['dropTables', '__proto__', 42]) expect(await invoke(contents, contents.mainFrame, method, {})).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    const own = contents.mainFrame.url;
    contents.mainFrame.url = 'https://attacker.example/';
    expect(await invoke(contents, contents.mainFrame, 'getStatus', {})).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SCREEN' } });
    contents.mainFrame.url = `${own}#/part`;
    expect(await invoke(contents, contents.mainFrame, 'getStatus', {})).toMatchObject({ ok: true });
  }, 60_000);

  it('lets a hub’s console save a protocol PDF it made, and nothing else', async () => {
    await startMain({ EXAM_STATION_MODE: 'demo', EXAM_STATION_ROLE: 'hub' });
    const download = (url: string, mime: string) => {
      let stopped = false;
      electron.sessionHandlers.events.get('will-download')?.({ preventDefault: () => (stopped = true) }, { getURL: () => url, getMimeType: () => mime });
      return stopped;
    };
    expect(download('blob:file:///3f0c', 'application/pdf')).toBe(false);
    expect(download('blob:file:///3f0c', 'application/x-msdownload')).toBe(true);
    expect(download('https://example.com/protocol.pdf', 'application/pdf')).toBe(true);
  }, 60_000);

  it('gives a seat a kiosk window whose relay carries only the candidate’s surface', async () => {
    const window = await startMain({ EXAM_STATION_MODE: 'demo', EXAM_STATION_ROLE: 'seat' });
    expect(window.options).toMatchObject({ kiosk: true, fullscreen: true });
    const contents = window.webContents;
    expect(await invoke(contents, contents.mainFrame, 'staffSignIn', { username: DEMO_CHIEF.username, password: DEMO_CHIEF.password })).toMatchObject({ ok: false, error: { code: 'NOT_ON_THIS_SCREEN' } });
    expect(await invoke(contents, contents.mainFrame, 'getStatus', {})).toMatchObject({ ok: true, value: { role: 'seat' } });
  }, 60_000);

  it('reports a crash of the station process to the window and starts it again; calls then work', async () => {
    const window = await startMain({ EXAM_STATION_MODE: 'demo' });
    const contents = window.webContents;
    const first = electron.utilities[0]!.child;
    first.kill('SIGKILL');
    await vi.waitFor(() => expect(electron.utilities).toHaveLength(2), { timeout: 15_000 });
    await vi.waitFor(() => expect(contents.sent.map((m) => m.args[0])).toEqual(expect.arrayContaining(['restarting', 'ready'])), { timeout: 15_000 });
    expect(contents.sent.every((m) => m.channel === IPC.stationStatus)).toBe(true);
    expect(await invoke(contents, contents.mainFrame, 'getStatus', {})).toMatchObject({ ok: true });
  }, 60_000);

  it('shows a start that cannot succeed in a dialog in both languages, and opens no window', async () => {
    Object.assign(process.env, { EXAM_STATION_POLICY: 'none', EXAM_STATION_MODE: 'production', EXAM_STATION_VENUE: 'RIX01', EXAM_STATION_FIRST_CHIEF: 'anna.kalna' });
    electron = createFakeElectron(tempDir(), ROOT);
    FakeBrowserWindow.all = [];
    vi.resetModules();
    vi.doMock('electron', () => electron.fake);
    await import('../../src-main/electron/main.ts');
    await vi.waitFor(() => expect(electron.errors.length).toBeGreaterThan(0), { timeout: 30_000 });
    expect(electron.errors[0]!.text).toMatch(/stacija netika palaista[\s\S]*the station did not start[\s\S]*needs both "firstChiefUsername" and "firstChiefPassword"/);
    expect(FakeBrowserWindow.all).toHaveLength(0);
  }, 60_000);
});
