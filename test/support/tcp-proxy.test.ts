// The test proxy's throttle: a link of a given bandwidth, each way, shared by the connections through
// it, with every byte arriving once and in order. bench:sync and the sync fault tests rely on it.
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

const RATE = 200_000;
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let server: Server | undefined;
let proxy: TcpProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  proxy = undefined;
  server = undefined;
});

/** A server that keeps what each connection sends and, when asked by `reply`, sends bytes back. */
async function startSink(reply?: Buffer): Promise<{ port: number; received: Promise<Buffer>[] }> {
  const received: Promise<Buffer>[] = [];
  server = createServer((socket: Socket) => {
    socket.on('error', () => undefined);
    received.push(
      new Promise((resolve) => {
        const chunks: Buffer[] = [];
        socket.on('data', (c: Buffer) => chunks.push(c));
        socket.on('end', () => {
          resolve(Buffer.concat(chunks));
          socket.end();
        });
      }),
    );
    if (reply) socket.write(reply);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', () => resolve()));
  return { port: (server.address() as { port: number }).port, received };
}

/** Dial the proxy, send `data` (then FIN), and collect what comes back until `expectBack` bytes. */
function exchange(data: Buffer, expectBack = 0): Promise<{ back: Buffer; doneMs: number }> {
  return new Promise((resolve, reject) => {
    const socket = connect(proxy!.address.port, proxy!.address.host);
    const chunks: Buffer[] = [];
    let got = 0;
    socket.on('error', reject);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= expectBack && expectBack > 0) resolve({ back: Buffer.concat(chunks), doneMs: performance.now() });
    });
    socket.on('close', () => resolve({ back: Buffer.concat(chunks), doneMs: performance.now() }));
    socket.end(data);
  });
}

describe('the test proxy throttled to a bandwidth', () => {
  it('takes at least N/rate to carry N bytes towards the target, and they arrive whole and in order', async () => {
    const sink = await startSink();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: sink.port });
    const data = randomBytes(RATE);
    const started = performance.now();
    proxy.throttle(RATE);
    await exchange(data);
    const arrived = await sink.received[0]!;
    const seconds = (performance.now() - started) / 1000;
    expect(sha(arrived)).toBe(sha(data));
    expect(seconds).toBeGreaterThanOrEqual(data.length / RATE);
    // A throttle, not a stall: close to the rate (a loaded machine may add some).
    expect(seconds).toBeLessThan((data.length / RATE) * 2.5);
  });

  it('throttles the way back as well', async () => {
    const reply = randomBytes(RATE);
    const sink = await startSink(reply);
    proxy = await startTcpProxy({ host: '127.0.0.1', port: sink.port });
    const started = performance.now();
    proxy.throttle(RATE);
    const { back, doneMs } = await exchange(Buffer.from('hello'), reply.length);
    expect(sha(back)).toBe(sha(reply));
    expect((doneMs - started) / 1000).toBeGreaterThanOrEqual(reply.length / RATE);
  });

  it('shares the bandwidth between connections, as one cable does', async () => {
    const sink = await startSink();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: sink.port });
    const first = randomBytes(RATE / 2);
    const second = randomBytes(RATE / 2);
    const started = performance.now();
    proxy.throttle(RATE);
    await Promise.all([exchange(first), exchange(second)]);
    const arrived = (await Promise.all(sink.received)).map(sha).sort();
    expect(arrived).toEqual([sha(first), sha(second)].sort());
    expect((performance.now() - started) / 1000).toBeGreaterThanOrEqual((first.length + second.length) / RATE);
  });

  it('resume() lifts the throttle, and what was waiting still arrives in order', async () => {
    const sink = await startSink();
    proxy = await startTcpProxy({ host: '127.0.0.1', port: sink.port });
    const data = randomBytes(4 * RATE);
    const started = performance.now();
    proxy.throttle(RATE);
    const sent = exchange(data);
    setTimeout(() => proxy!.resume(), 300);
    await sent;
    const arrived = await sink.received[0]!;
    expect(sha(arrived)).toBe(sha(data));
    // Four seconds' worth at the rate; about 0.3 s throttled, then at loopback speed.
    expect((performance.now() - started) / 1000).toBeLessThan(2);
  });
});
