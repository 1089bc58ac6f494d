// A TCP proxy on loopback that a test puts between a seat and its hub (or any client and server) to
// make the network fail on purpose. It passes bytes unchanged both ways, so TLS runs end to end through
// it; what it can do is what a LAN does:
//   cut(ms)   drop every connection at once (RST) and refuse new ones for `ms` (or until resume()),
//   slow(ms)  hold every chunk `ms` before passing it on (order kept): a congested link,
//   freeze()  stop passing bytes without closing anything: a link gone half-open,
//   resume()  back to a clean link (ends a cut early, undoes slow and freeze).
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
  /** A clean link again: no cut, no delay, no freeze. Connections cut stay gone; new ones are accepted. */
  resume(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }, options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const captured: Buffer[] = [];
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  let cutUntil = 0;
  let delayMs = 0;
  let frozen = false;
  const cutNow = () => cutUntil > Date.now();

  const drop = (pair: { client: Socket; upstream: Socket }) => {
    pairs.delete(pair);
    // RST rather than FIN: to both ends it looks like a cable pulled or a switch that lost its state.
    for (const socket of [pair.client, pair.upstream]) if (!socket.destroyed) socket.resetAndDestroy();
  };

  const server = createServer((client) => {
    client.on('error', () => undefined);
    if (cutNow()) {
      client.resetAndDestroy();
      return;
    }
    client.pause();
    const upstream = connect(target.port, target.host);
    upstream.on('error', () => undefined);
    const pair = { client, upstream };
    pairs.add(pair);
    const pipe = (from: Socket, to: Socket) => {
      // Each direction keeps its order: a chunk never overtakes the one before it, whatever the delay.
      let lastDue = 0;
      from.on('data', (chunk: Buffer) => {
        if (frozen) return;
        const pass = () => {
          if (!pairs.has(pair) || frozen) return;
          if (options.capture) captured.push(chunk);
          to.write(chunk);
        };
        if (delayMs <= 0 && lastDue <= Date.now()) return pass();
        lastDue = Math.max(Date.now() + delayMs, lastDue);
        setTimeout(pass, lastDue - Date.now());
      });
    };
    upstream.once('connect', () => client.resume());
    pipe(client, upstream);
    pipe(upstream, client);
    const end = () => {
      if (!pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
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
    resume() {
      cutUntil = 0;
      delayMs = 0;
      frozen = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
          for (const pair of [...pairs]) drop(pair);
        server.close(() => resolve());
      }),
  };
}
