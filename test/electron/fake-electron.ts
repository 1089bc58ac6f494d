// A fake `electron` module for testing the main process without the Electron binary (which cannot be
// downloaded on these machines). It records what the main process asks of Electron (windows and their
// options, guards, IPC handlers, messages to windows) and runs a utility process as a real Node child
// process of the station's source entry, so the station itself is real.
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';
import { STATION_ENTRY } from '../../src-main/host/supervisor.ts';

type Handler = (...args: unknown[]) => unknown;

export class FakeWebContents extends EventEmitter {
  static next = 1;
  readonly id = FakeWebContents.next++;
  readonly sent: { channel: string; args: unknown[] }[] = [];
  readonly mainFrame = { url: 'about:blank' };
  windowOpenHandler: Handler | undefined;
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  setWindowOpenHandler(handler: Handler): void {
    this.windowOpenHandler = handler;
  }
}

export class FakeBrowserWindow {
  static all: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  readonly options: Record<string, unknown>;
  loaded: string | undefined;
  constructor(options: Record<string, unknown>) {
    this.options = options;
    FakeBrowserWindow.all.push(this);
  }
  loadFile(path: string): Promise<void> {
    this.loaded = path;
    this.webContents.mainFrame.url = pathToFileURL(path).href;
    return Promise.resolve();
  }
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.all;
  }
}

export interface FakeUtility {
  entry: string;
  child: ChildProcess;
}

export function createFakeElectron(userData: string, appPath: string) {
  const handlers = new Map<string, Handler>();
  const sessionHandlers: { permission?: Handler; events: Map<string, Handler> } = { events: new Map() };
  const utilities: FakeUtility[] = [];
  const errors: { title: string; text: string }[] = [];
  const appEvents = new Map<string, Handler>();
  const fake = {
    app: {
      whenReady: () => Promise.resolve(),
      getPath: () => userData,
      getAppPath: () => appPath,
      getVersion: () => '0.1.0-test',
      on: (event: string, handler: Handler) => appEvents.set(event, handler),
      quit: () => undefined,
      exit: (code: number) => errors.push({ title: 'exit', text: String(code) }),
    },
    BrowserWindow: FakeBrowserWindow,
    dialog: { showErrorBox: (title: string, text: string) => errors.push({ title, text }) },
    ipcMain: { handle: (channel: string, handler: Handler) => handlers.set(channel, handler) },
    session: {
      defaultSession: {
        on: (event: string, handler: Handler) => sessionHandlers.events.set(event, handler),
        setPermissionRequestHandler: (handler: Handler) => (sessionHandlers.permission = handler),
      },
    },
    utilityProcess: {
      // The main process names its bundled entry; the fake runs the same code from the source tree.
      fork: (entry: string, _args: string[], options: { env: Record<string, string> }) => {
        const child = fork(STATION_ENTRY, [], { serialization: 'advanced', env: options.env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        utilities.push({ entry, child });
        return {
          postMessage: (message: unknown) => child.connected && child.send(message as never),
          on: (event: string, listener: Handler) => child.on(event === 'exit' ? 'exit' : 'message', listener),
          kill: () => child.kill('SIGKILL'),
          get pid() {
            return child.pid;
          },
        };
      },
    },
  };
  return { fake, handlers, sessionHandlers, utilities, errors, appEvents };
}
