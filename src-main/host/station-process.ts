// The station's own process: the database, the exam engine and the audio store, apart from the
// Electron main thread (which keeps the windows) and from the browser runner's HTTP server. Started by
// a supervisor (host/supervisor.ts) as an Electron utility process or a Node child process; its
// configuration comes from the environment and the IT policy file (host/config.ts). It answers calls
// until told to stop, and ends when its supervisor goes away, so it never outlives it.
import { CodedError, StationError } from '../../src-shared/errors.ts';
import { createStationHandler } from '../station/dispatch.ts';
import { ConfigError, loadStationConfig } from './config.ts';
import { DEMO_CHIEF } from './demo.ts';
import type { FromStation, ToStation } from './protocol.ts';
import { startCentralLink } from './central.ts';
import { startRoom } from './room.ts';
import { openStation, type OpenedStation } from './start.ts';

interface ParentLink {
  post(message: FromStation): void;
  /** Post a last message and end the process once it is on its way. */
  postAndExit(message: FromStation, code: number): void;
  onMessage(listener: (message: ToStation) => void): void;
  onGone(listener: () => void): void;
}

/** The link to whoever started this process: Electron's parentPort, or Node's IPC channel. */
function parentLink(): ParentLink {
  const electronPort = (process as unknown as { parentPort?: { postMessage(m: unknown): void; on(e: 'message', l: (e: { data: unknown }) => void): void } }).parentPort;
  if (electronPort) {
    return {
      post: (message) => electronPort.postMessage(message),
      postAndExit: (message, code) => {
        electronPort.postMessage(message);
        setTimeout(() => process.exit(code), 100);
      },
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data as ToStation)),
      // Electron ends a utility process together with the main process that forked it.
      onGone: () => undefined,
    };
  }
  if (process.send) {
    return {
      post: (message) => process.send!(message),
      postAndExit: (message, code) => {
        if (!process.connected) process.exit(code);
        process.send!(message, undefined, {}, () => process.exit(code));
      },
      onMessage: (listener) => process.on('message', (message) => listener(message as ToStation)),
      onGone: (listener) => process.on('disconnect', listener),
    };
  }
  throw new Error('the station process is started by a supervisor (host/supervisor.ts), not directly');
}

const link = parentLink();
// A supervisor that goes away while the station is still opening takes it with it: nothing is held
// open for a program that no longer exists (serve() replaces this with a clean stop).
let serving = false;
link.onGone(() => {
  if (!serving) process.exit(1);
});

/** The station could not open: say why and end; the supervisor shows it and does not retry. */
function reportFatal(error: unknown): void {
  const body =
    error instanceof CodedError
      ? error.toBody()
      : error instanceof ConfigError
        ? new StationError('CONFIG_INVALID', error.message).toBody()
        : new StationError('INTERNAL', (error as Error)?.stack ?? String(error)).toBody();
  link.postAndExit({ type: 'fatal', error: body }, 3);
}

function serve(opened: OpenedStation): void {
  serving = true;
  const { service, config, demo } = opened;
  const handler = createStationHandler(service);
  let stopping = false;
  /** Told to stop: a clean stop. The supervisor gone without a word: a fault, the downtime is credited. */
  const stop = (clean: boolean): void => {
    if (stopping) return;
    stopping = true;
    service.close({ clean });
    link.postAndExit({ type: 'stopped' }, 0);
  };
  link.onMessage((message) => {
    if (message.type === 'stop') return stop(true);
    if (message.type !== 'call' || stopping) return;
    void handler(message.method, message.input, message.caller).then((reply) => link.post({ type: 'reply', id: message.id, reply }));
  });
  link.onGone(() => stop(false));
  if (!process.connected && !(process as { parentPort?: unknown }).parentPort) return stop(false);
  process.on('SIGTERM', () => stop(true));
  process.on('SIGINT', () => stop(true));
  link.post({
    type: 'ready',
    ready: {
      deviceId: service.deviceId,
      mode: config.mode,
      role: config.role,
      venueCode: config.venueCode,
      dataDir: config.dataDir,
      port: config.port,
      demo: {
        chief: config.mode === 'demo' && !config.firstChief ? { username: DEMO_CHIEF.username, password: DEMO_CHIEF.password } : undefined,
        packages: demo.map((p) => ({ title: p.title, contentKey: p.contentKey })),
      },
    },
  });
}

/** How long a start waits for the database held by a station process that is still ending (a restart). */
const LOCK_WAIT_MS = 10_000;

function openWhenFree(): OpenedStation {
  const config = loadStationConfig({ demoByDefault: process.env.EXAM_STATION_DEMO_DEFAULT === '1' });
  const extra = process.env.EXAM_STATION_APP_VERSION ? { appVersion: process.env.EXAM_STATION_APP_VERSION } : {};
  const until = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      return openStation(config, extra);
    } catch (error) {
      if (!(error instanceof CodedError && error.code === 'DB_LOCKED') || Date.now() > until) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
}

let opened: OpenedStation | undefined;
try {
  opened = openWhenFree();
} catch (error) {
  reportFatal(error);
}
if (opened) {
  serve(opened);
  // The room around a hub or a seat starts beside the station; if it cannot (its port is taken), the
  // station still serves its own screen, and getRoom says why there is no room.
  const station = opened;
  startRoom(station, { host: station.config.roomHost, port: station.config.roomPort, discovery: station.config.roomDiscovery }).catch((error: unknown) => {
    const why = error instanceof Error ? error.message : String(error);
    console.error(`the room did not start: ${why}`);
    station.service.attachRoom(null, `the room did not start: ${why}`);
  });
  // A hub (or a solo station) reports to the central API; a seat only to its hub.
  startCentralLink(station).catch((error: unknown) => console.error(`the link to the central API did not start: ${(error as Error).message}`));
}
