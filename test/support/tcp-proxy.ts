// A TCP proxy on loopback that a test puts between a seat and its hub (or any client and server) to
// make the network fail on purpose. It passes bytes unchanged both ways, so TLS runs end to end through
// it; what it can do is what a LAN does:
//   cut(ms)   drop every connection at once (RST) and refuse new ones for `ms` (or until resume()),
//   slow(ms)  hold every chunk `ms` before passing it on (order kept): a congested link,
//   freeze()  stop passing bytes without closing anything: a link gone half-open,
//   throttle(bytesPerSecond)  a link of that bandwidth: a token bucket per direction, shared by every
//             connection as the one cable would be, bytes leaving in the order they came; a sender
//             faster than the link is paused (TCP's own back-pressure does the rest), so nothing piles
//             up in the proxy,
//   resume()  back to a clean link (ends a cut early, undoes slow, throttle and freeze).
// It listens on 127.0.0.1 only. `captured` keeps every byte that crossed, in both directions, when asked
// (a test that looks for plain text on the wire).
//   const proxy = await startTcpProxy({ host: '127.0.0.1', port: hubPort });
//   ... the seat dials proxy.address ...
//   proxy.cut(60_000); ... await proxy.close();
import { connect, createServer, type Socket } from 'node:net';

export interface TcpProxyOptions {
  /** The port to listen on (0: one the system picks). */
  port?: number;
  /** Keep every byte that crosses in `captured`. */
  capture?: boolean;
}

export interface TcpProxy {
  /** Where clients dial: 127.0.0.1 and the proxy's port. */
  readonly address: { host: string; port: number };
  /** Every chunk that crossed, both ways, in order (only with `capture`). */
  readonly captured: Buffer[];
  /** Connections open through the proxy now. */
  readonly connections: number;
  /** Whether the proxy is refusing connections (a cut in progress). */
  readonly isCut: boolean;
  /** Drop every connection now and refuse new ones for `ms` (no argument: until resume()). */
  cut(ms?: number): void;
  /** Hold every chunk `delayMs` before passing it on, each direction in order (0: no delay). */
  slow(delayMs: number): void;
  /** Pass no more bytes either way and close nothing: the connections go half-open. */
  freeze(): void;
  /** At most `bytesPerSecond` each way from now on (0: no limit); the buckets start empty. */
  throttle(bytesPerSecond: number): void;
  /** A clean link again: no cut, no delay, no throttle, no freeze. Connections cut stay gone; new ones are accepted. */
  resume(): void;
  close(): Promise<void>;
}

/** Bytes a sender may have waiting in a throttled direction before it is paused. */
const HIGH_WATER_BYTES = 64 * 1024;

interface Pair {
  client: Socket;
  upstream: Socket;
}

interface Waiting {
  pair: Pair;
  from: Socket;
  to: Socket;
  chunk: Buffer;
  /** The sender's FIN, passed on once what came before it has left. */
  fin: boolean;
}

/**
 * One direction of a throttled link: a token bucket filled at `rate` bytes a second, holding at most
 * a burst of 16 KiB (or 10 ms of the rate, if more); chunks leave first come, first served, split when
 * the bucket holds less than a chunk.
 */
class Lane {
  rate = 0;
  private tokens = 0;
  private filledAt = 0;
  private readonly queue: Waiting[] = [];
  private readonly waitingBy = new Map<Socket, number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly deliver: (waiting: Waiting, bytes: Buffer) => void;

  private readonly finish: (waiting: Waiting) => void;

  constructor(deliver: (waiting: Waiting, bytes: Buffer) => void, finish: (waiting: Waiting) => void) {
    this.finish = finish;
    this.deliver = deliver;
  }

  get busy(): boolean {
    return this.queue.length > 0;
  }

  setRate(bytesPerSecond: number): void {
    this.rate = Math.max(0, bytesPerSecond);
    this.tokens = 0;
    this.filledAt = performance.now();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pump();
  }

  push(waiting: Waiting): void {
    this.queue.push(waiting);
    const held = (this.waitingBy.get(waiting.from) ?? 0) + waiting.chunk.length;
    this.waitingBy.set(waiting.from, held);
    if (held > HIGH_WATER_BYTES) waiting.from.pause();
    if (!this.timer) this.pump();
  }

  private burst(): number {
    return Math.max(16 * 1024, this.rate / 100);
  }

  private sent(waiting: Waiting, bytes: number): void {
    const held = (this.waitingBy.get(waiting.from) ?? 0) - bytes;
    if (held > 0) this.waitingBy.set(waiting.from, held);
    else this.waitingBy.delete(waiting.from);
    if (held <= HIGH_WATER_BYTES / 2 && waiting.from.isPaused() && !waiting.from.destroyed) waiting.from.resume();
  }

  private pump(): void {
    this.timer = null;
    const now = performance.now();
    this.tokens = Math.min(this.burst(), this.tokens + (this.rate * (now - this.filledAt)) / 1000);
    this.filledAt = now;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.fin) {
        this.finish(head);
        this.queue.shift();
        continue;
      }
      const n = this.rate > 0 ? Math.min(head.chunk.length, Math.floor(this.tokens)) : head.chunk.length;
      if (n === 0) break;
      if (this.rate > 0) this.tokens -= n;
      this.deliver(head, head.chunk.subarray(0, n));
      head.chunk = head.chunk.subarray(n);
      this.sent(head, n);
      if (head.chunk.length > 0) break;
      this.queue.shift();
    }
    if (this.queue.length > 0) {
      const need = Math.min(this.queue[0]!.chunk.length, this.burst()) - this.tokens;
      this.timer = setTimeout(() => this.pump(), Math.max(1, Math.ceil((need * 1000) / this.rate)));
    }
  }

  /** Forget what waits for connections that are gone. */
  drop(pair: Pair): void {
    for (let i = this.queue.length - 1; i >= 0; i -= 1) if (this.queue[i]!.pair === pair) this.queue.splice(i, 1);
    this.waitingBy.delete(pair.client);
    this.waitingBy.delete(pair.upstream);
  }
}

export async function startTcpProxy(target: { host: string; port: number }, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const captured: Buffer[] = [];
  const pairs = new Set<Pair>();
  let cutUntil = 0;
  let delayMs = 0;
  let frozen = false;
  const cutNow = () => cutUntil > Date.now();

  const write = (pair: Pair, to: Socket, chunk: Buffer) => {
    if (!pairs.has(pair) || frozen) return;
    if (options.capture) captured.push(chunk);
    to.write(chunk);
  };
  const finish = (pair: Pair, to: Socket) => {
    if (pairs.has(pair) && !frozen) to.end();
  };
  // Towards the target and back towards the clients: the two directions of the one link.
  const lane = () =>
    new Lane(
      (w, bytes) => write(w.pair, w.to, bytes),
      (w) => finish(w.pair, w.to),
    );
  const lanes = { up: lane(), down: lane() };

  const drop = (pair: Pair) => {
    pairs.delete(pair);
    lanes.up.drop(pair);
    lanes.down.drop(pair);
    // RST rather than FIN: to both ends it looks like a cable pulled or a switch that lost its state.
    for (const socket of [pair.client, pair.upstream]) if (!socket.destroyed) socket.resetAndDestroy();
  };

  // Half-open allowed: a side's FIN is passed on after its bytes, not before a throttled queue drains.
  const server = createServer({ allowHalfOpen: true }, (client) => {
    client.on('error', () => undefined);
    if (cutNow()) {
      client.resetAndDestroy();
      return;
    }
    client.pause();
    const upstream = connect({ port: target.port, host: target.host, allowHalfOpen: true });
    upstream.on('error', () => undefined);
    const pair = { client, upstream };
    pairs.add(pair);
    const pipe = (from: Socket, to: Socket, lane: Lane) => {
      // Each direction keeps its order: a chunk never overtakes the one before it, whatever the delay
      // or the throttle (once a lane holds something, everything after it queues behind).
      let lastDue = 0;
      /** A chunk, or null for the sender's FIN. */
      const forward = (chunk: Buffer | null) => {
        const pass = () => {
          if (!pairs.has(pair) || frozen) return;
          if (lane.rate > 0 || lane.busy) lane.push({ pair, from, to, chunk: chunk ?? Buffer.alloc(0), fin: chunk === null });
          else if (chunk === null) finish(pair, to);
          else write(pair, to, chunk);
        };
        if (delayMs <= 0 && lastDue <= Date.now()) return pass();
        lastDue = Math.max(Date.now() + delayMs, lastDue);
        setTimeout(pass, lastDue - Date.now());
      };
      from.on('data', (chunk: Buffer) => {
        if (!frozen) forward(chunk);
      });
      from.on('end', () => forward(null));
    };
    upstream.once('connect', () => client.resume());
    pipe(client, upstream, lanes.up);
    pipe(upstream, client, lanes.down);
    const end = () => {
      if (!pairs.delete(pair)) return;
      lanes.up.drop(pair);
      lanes.down.drop(pair);
      client.destroy();
      upstream.destroy();
    };
    // A side that failed takes the other down with it; a side that closed cleanly (its FIN both ways)
    // leaves the other to finish what the lanes still carry towards it, and close in its turn.
    const closed = (hadError: boolean) => {
      if (hadError || (client.destroyed && upstream.destroyed)) end();
    };
    client.on('close', closed);
    upstream.on('close', closed);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    address: { host: '127.0.0.1', port },
    captured,
    get connections() {
      return pairs.size;
    },
    get isCut() {
      return cutNow();
    },
    cut(ms) {
      cutUntil = ms === undefined ? Number.POSITIVE_INFINITY : Date.now() + ms;
      for (const pair of [...pairs]) drop(pair);
    },
    slow(ms) {
      delayMs = Math.max(0, ms);
    },
    freeze() {
      frozen = true;
    },
    throttle(bytesPerSecond) {
      lanes.up.setRate(bytesPerSecond);
      lanes.down.setRate(bytesPerSecond);
    },
    resume() {
      cutUntil = 0;
      delayMs = 0;
      frozen = false;
      lanes.up.setRate(0);
      lanes.down.setRate(0);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of [...pairs]) drop(pair);
        lanes.up.setRate(0);
        lanes.down.setRate(0);
        server.close(() => resolve());
      }),
  };
}
