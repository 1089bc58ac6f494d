// The station process's supervisor: starts it (an Electron utility process or a Node child process,
// through the `spawn` it is given), relays every call to it and its reply back unchanged, and restarts
// it when it dies. A call that was in flight when the process died, or that arrives while it restarts,
// is answered STATION_RESTARTING (the screen keeps the change and sends it again with the same id, so
// nothing is saved twice and nothing acknowledged is lost: the database is durable on every commit).
// A station that cannot open at all (a bad setting, a damaged database) is not restarted: its error
// is the answer to every call, for the person at the screen to read.
import { EventEmitter } from 'node:events';
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StationError, type StationErrorBody } from '../../src-shared/errors.ts';
import type { Caller } from '../../src-shared/contracts/station-api.ts';
import type { StationReplyBody } from '../../src-shared/contracts/station-bridge.ts';
import type { StationHandler } from '../station/dispatch.ts';
import type { FromStation, StationReady, ToStation } from './protocol.ts';

/** A started station process, whatever started it. */
export interface StationChild {
  post(message: ToStation): void;
  onMessage(listener: (message: FromStation) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
  readonly pid: number | undefined;
}

export type SpawnStation = () => StationChild;

/** The station process's entry in the source tree (a bundle names its own). */
export const STATION_ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'station-process.ts');

/** A Node child process running the station (the browser runner, tests). */
export function forkStation(env: Record<string, string | undefined> = {}, entry: string = STATION_ENTRY): SpawnStation {
  return () => {
    const child = fork(entry, [], { serialization: 'advanced', env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return {
      post: (message) => {
        if (child.connected) child.send(message);
      },
      onMessage: (listener) => child.on('message', (message) => listener(message as FromStation)),
      onExit: (listener) => child.on('exit', listener),
      kill: () => child.kill('SIGKILL'),
      get pid() {
        return child.pid;
      },
    };
  };
}

export type SupervisorStatus = 'starting' | 'ready' | 'restarting' | 'failed' | 'stopped';

export interface SupervisorOptions {
  /** Waits before each restart after a crash; the last repeats. */
  restartDelaysMs?: readonly number[];
  /** How long a call waits for a restarting station before it is answered STATION_RESTARTING. */
  waitForRestartMs?: number;
  /** A station that answers nothing for this long while calls wait is taken for hung and restarted. */
  hangMs?: number;
}

interface Pending {
  resolve: (reply: StationReplyBody) => void;
  sentAt: number;
}

const restarting = (detail: string): StationReplyBody => ({ ok: false, error: new StationError('STATION_RESTARTING', detail).toBody() });

export class StationSupervisor extends EventEmitter<{ ready: [StationReady]; crashed: [{ code: number | null; signal: string | null }]; failed: [StationErrorBody]; status: [SupervisorStatus] }> {
  private readonly spawn: SpawnStation;
  private readonly options: Required<SupervisorOptions>;
  private child: StationChild | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private waiting: (() => void)[] = [];
  private crashes = 0;
  private fatal: StationErrorBody | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  status: SupervisorStatus = 'stopped';
  ready: StationReady | undefined;

  constructor(spawn: SpawnStation, options: SupervisorOptions = {}) {
    super();
    this.spawn = spawn;
    this.options = { restartDelaysMs: options.restartDelaysMs ?? [100, 500, 2000, 5000], waitForRestartMs: options.waitForRestartMs ?? 8000, hangMs: options.hangMs ?? 20_000 };
  }

  private setStatus(status: SupervisorStatus): void {
    this.status = status;
    this.emit('status', status);
  }

  /** Start the station; resolves when it is open, rejects with its error if it cannot open. */
  start(): Promise<StationReady> {
    return new Promise((resolve, reject) => {
      const onReady = (ready: StationReady): void => {
        this.off('failed', onFailed);
        resolve(ready);
      };
      const onFailed = (error: StationErrorBody): void => {
        this.off('ready', onReady);
        reject(StationError.fromBody(error));
      };
      this.once('ready', onReady);
      this.once('failed', onFailed);
      this.launch('starting');
    });
  }

  private launch(status: 'starting' | 'restarting'): void {
    this.setStatus(status);
    const child = this.spawn();
    this.child = child;
    let opened = false;
    child.onMessage((message) => {
      if (message.type === 'ready') {
        opened = true;
        this.ready = message.ready;
        this.crashes = 0;
        this.setStatus('ready');
        for (const wake of this.waiting.splice(0)) wake();
        this.emit('ready', message.ready);
      } else if (message.type === 'reply') {
        const call = this.pending.get(message.id);
        if (!call) return;
        this.pending.delete(message.id);
        call.resolve(message.reply);
      } else if (message.type === 'fatal') {
        this.fatal = message.error;
      }
    });
    child.onExit((code, signal) => {
      if (this.child !== child) return;
      this.child = undefined;
      for (const [id, call] of this.pending) {
        this.pending.delete(id);
        call.resolve(restarting(`the station process ended (${signal ?? code}) during the call`));
      }
      if (this.status === 'stopped') return;
      if (!opened && this.fatal) {
        // It could not open: restarting would fail the same way.
        this.setStatus('failed');
        for (const wake of this.waiting.splice(0)) wake();
        this.emit('failed', this.fatal);
        return;
      }
      this.emit('crashed', { code, signal });
      const delay = this.options.restartDelaysMs[Math.min(this.crashes, this.options.restartDelaysMs.length - 1)] ?? 1000;
      this.crashes += 1;
      this.setStatus('restarting');
      setTimeout(() => {
        if (this.status === 'restarting') this.launch('restarting');
      }, delay).unref();
    });
    this.armWatchdog();
  }

  /** A station that stops answering (hung) while calls wait is killed, and so restarted. */
  private armWatchdog(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = setInterval(() => {
      const oldest = Math.min(...[...this.pending.values()].map((p) => p.sentAt));
      if (Number.isFinite(oldest) && Date.now() - oldest > this.options.hangMs) this.child?.kill();
    }, Math.max(250, Math.floor(this.options.hangMs / 4)));
    this.watchdog.unref();
  }

  private whenReady(): Promise<boolean> {
    if (this.status === 'ready') return Promise.resolve(true);
    if (this.status === 'failed' || this.status === 'stopped') return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting = this.waiting.filter((w) => w !== wake);
        resolve(false);
      }, this.options.waitForRestartMs);
      const wake = (): void => {
        clearTimeout(timer);
        resolve(this.status === 'ready');
      };
      this.waiting.push(wake);
    });
  }

  /** Relay one call; the reply is the station's own, unchanged. */
  readonly handler: StationHandler = async (method: string, input: unknown, caller: Caller) => {
    if (!(await this.whenReady())) {
      if (this.status === 'failed' && this.fatal) return { ok: false, error: this.fatal };
      return restarting(this.status === 'stopped' ? 'the station has stopped' : 'the station did not come back in time');
    }
    const child = this.child!;
    const id = this.nextId++;
    return new Promise<StationReplyBody>((resolve) => {
      this.pending.set(id, { resolve, sentAt: Date.now() });
      child.post({ type: 'call', id, method, input, caller });
    });
  };

  /** Stop the station cleanly (it marks a clean stop) and wait for it to end. */
  async stop(timeoutMs = 5000): Promise<void> {
    const child = this.child;
    this.setStatus('stopped');
    if (this.watchdog) clearInterval(this.watchdog);
    for (const wake of this.waiting.splice(0)) wake();
    if (!child) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve();
      }, timeoutMs);
      child.onExit(() => {
        clearTimeout(timer);
        resolve();
      });
      child.post({ type: 'stop' });
    });
  }

  /** The station process's pid (tests kill it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }
}
