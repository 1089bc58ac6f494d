// What the three processes of bench:room share: the exam the seats sit, the messages they exchange
// with the orchestrator over Node's IPC channel, and the statistics.
import type { ChildProcess } from 'node:child_process';
import { createHistogram, PerformanceObserver, type RecordableHistogram } from 'node:perf_hooks';
import type { TrustList } from '../../src-shared/node/package/keys.ts';
import { miniExamSource } from '../support/fixtures.ts';

/** A take is cut after this many one-second segments and the next one started, as a candidate answers item after item. */
export const TAKE_SEGMENTS = 60;
export const SPEAKING_ITEMS = 8;
export const TAKES_PER_ITEM = 5;
/** 24 kbit/s in one-second segments. */
export const SEGMENT_BYTES = 3000;
export const SAVE_EVERY_MS = 2000;
export const SEGMENT_EVERY_MS = 1000;

/**
 * The mini exam with room for a long run: every part lasts the longest the format allows (6 h), and
 * the speaking part has SPEAKING_ITEMS items of TAKES_PER_ITEM takes each, so a recording seat can go
 * on for 40 minutes in takes of one minute.
 */
export function benchExamSource(): Record<string, unknown> {
  const source = miniExamSource() as { parts: { id: string; timeLimitSeconds: number; tasks: unknown[] }[] };
  for (const part of source.parts) {
    part.timeLimitSeconds = 6 * 3600;
    if (part.id === 'speaking') {
      part.tasks = [
        {
          id: 's1',
          title: 'Par sevi',
          items: Array.from({ length: SPEAKING_ITEMS }, (_, i) => ({
            id: `s1-q${i + 1}`,
            type: 'speaking',
            prompt: 'Pastāstiet par savu ģimeni.',
            points: 5,
            preparationSeconds: 10,
            responseSeconds: 120,
            recordingsAllowed: TAKES_PER_ITEM,
          })),
        },
      ];
    }
  }
  return source;
}

export interface BenchPackage {
  path: string;
  packageId: string;
  contentKey: string;
}

export interface HubSetup {
  dir: string;
  seats: number;
  trust: TrustList;
}

export interface WorkerSetup {
  /** Where each seat's data folder goes (one folder per seat under it). */
  seatRoot: string;
  /** The seats this process drives, by their number in the room (0-based). */
  indices: number[];
  roomFilePath: string;
  trust: TrustList;
  /** Staged on every seat before the run, locked: the first is released at the start, the second mid-run. */
  packages: BenchPackage[];
}

/** The percentile `p` (0..100) of `samples`, or null when there are none. */
export function percentile(samples: ArrayLike<number>, p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = Float64Array.from(samples).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Durations in ms, kept as a histogram in microsecond steps to three significant figures: what the
 * bench keeps does not grow with the run (a soak would otherwise swell the hub's memory with the
 * bench's own samples). A duration below a microsecond (or below zero, from the clocks' rounding)
 * counts as one microsecond.
 */
export class Samples {
  private readonly histogram: RecordableHistogram = createHistogram({ lowest: 1, highest: 24 * 3600 * 1_000_000, figures: 3 });
  private sum = 0;

  add(ms: number): void {
    this.histogram.record(Math.max(1, Math.round(ms * 1000)));
    this.sum += ms;
  }

  get count(): number {
    return this.histogram.count;
  }

  get totalMs(): number {
    return this.sum;
  }

  /** The percentile `p` (0 < p <= 100) in ms, or null with no samples. */
  percentile(p: number): number | null {
    if (this.count === 0) return null;
    return (p >= 100 ? this.histogram.max : this.histogram.percentile(p)) / 1000;
  }
}

/** Whole numbers appended without end, four bytes each. */
export class IntColumn {
  private data = new Int32Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = value;
  }

  at(index: number): number {
    return this.data[index]!;
  }
}

/** How long the hub waits for every seat's result of a key release before it reports none. */
export const RELEASE_TIMEOUT_MS = 60_000;

export const round1 = (n: number | null): number | null => (n === null ? null : Math.round(n * 10) / 10);
export const round2 = (n: number | null): number | null => (n === null ? null : Math.round(n * 100) / 100);

type Message = { type: string; id?: number } & Record<string, unknown>;

/**
 * The orchestrator's end of a child's IPC channel: requests answered by a message with the same id,
 * progress messages (no id) handed to `onProgress`. A child that exits fails every open request.
 */
export class ChildChannel {
  private readonly child: ChildProcess;
  private readonly name: string;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (m: Message) => void; reject: (e: Error) => void }>();
  onProgress: (message: Message) => void = () => undefined;

  constructor(child: ChildProcess, name: string) {
    this.child = child;
    this.name = name;
    child.on('message', (raw) => {
      const message = raw as Message;
      if (message.type === 'error') {
        const failure = new Error(`${name}: ${String(message.message)}`);
        if (message.id !== undefined) this.waiting.get(message.id)?.reject(failure);
        else for (const w of this.waiting.values()) w.reject(failure);
        if (message.id !== undefined) this.waiting.delete(message.id);
        else this.waiting.clear();
        return;
      }
      if (message.id !== undefined && this.waiting.has(message.id)) {
        this.waiting.get(message.id)!.resolve(message);
        this.waiting.delete(message.id);
        return;
      }
      this.onProgress(message);
    });
    child.on('exit', (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`${name} exited (${signal ?? code})`));
      this.waiting.clear();
    });
  }

  request<T extends object>(type: string, body: Record<string, unknown> = {}): Promise<Message & T> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (m: Message) => void, reject });
      this.child.send({ ...body, type, id });
    });
  }
}

/**
 * A child's end: each request goes to `handle`, whose result (or error) goes back with the request's
 * id. The child ends when its orchestrator goes away, so a killed bench leaves no process behind.
 */
export function serveParent(handle: (message: Message) => Promise<Record<string, unknown>> | Record<string, unknown>): void {
  process.on('disconnect', () => process.exit(2));
  process.on('message', (raw) => {
    const message = raw as Message;
    void (async () => {
      try {
        const reply = await handle(message);
        process.send!({ ...reply, type: `${message.type}:done`, id: message.id });
      } catch (error) {
        process.send!({ type: 'error', id: message.id, message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
      }
    })();
  });
}

export function progress(message: Record<string, unknown> & { type: string }): void {
  process.send?.(message);
}

/** Garbage collection pauses while `active()` says so: how many, their total and the longest (ms). */
export function watchGc(active: () => boolean): () => { pauses: number; totalMs: number; maxMs: number } {
  let pauses = 0;
  let totalMs = 0;
  let maxMs = 0;
  const observer = new PerformanceObserver((list) => {
    if (!active()) return;
    for (const entry of list.getEntries()) {
      pauses += 1;
      totalMs += entry.duration;
      maxMs = Math.max(maxMs, entry.duration);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => ({ pauses, totalMs: Math.round(totalMs), maxMs: Math.round(maxMs) });
}
