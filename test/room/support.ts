// A room on loopback for the room-link tests: hubs with their data folders, station database, room CA
// and room server on 127.0.0.1 with a port the system picks, and seats with identities of their own.
import { join } from 'node:path';
import { openRoomAuthority, type RoomAuthority } from '../../src-main/lan/room-authority.ts';
import { startRoomServer, type RoomServer, type RoomServerOptions, type SeatConnection } from '../../src-main/lan/room-server.ts';
import { SqliteSeatDirectory } from '../../src-main/lan/seat-directory.ts';
import { openStationDatabase, type StationDatabase } from '../../src-main/station/database.ts';
import { loadOrCreateDeviceIdentity, type DeviceIdentity } from '../../src-shared/node/room/identity.ts';
import type { HubConnection } from '../../src-main/seat-link/hub-connection.ts';
import { tempDir } from '../support/fixtures.ts';

export interface TestHub {
  dir: string;
  identity: DeviceIdentity;
  authority: RoomAuthority;
  db: StationDatabase;
  server: RoomServer;
  /** Every channel a seat opened, in order. */
  channels: SeatConnection[];
  stop(): Promise<void>;
}

export type HubOptions = Partial<Pick<RoomServerOptions, 'now' | 'pingMs' | 'maxFrameBytes' | 'pairing' | 'port'>> & { dir?: string };

export async function startHub(options: HubOptions = {}): Promise<TestHub> {
  const dir = options.dir ?? tempDir('room-hub-');
  const identity = loadOrCreateDeviceIdentity(dir);
  const authority = await openRoomAuthority(dir, identity);
  const db = openStationDatabase(join(dir, 'station.db'));
  const channels: SeatConnection[] = [];
  const server = await startRoomServer({
    identity,
    authority,
    seats: new SqliteSeatDirectory(db),
    host: '127.0.0.1',
    port: options.port ?? 0,
    onSeat: (connection) => channels.push(connection),
    ...(options.now ? { now: options.now } : {}),
    ...(options.pingMs ? { pingMs: options.pingMs } : {}),
    ...(options.maxFrameBytes ? { maxFrameBytes: options.maxFrameBytes } : {}),
    ...(options.pairing ? { pairing: options.pairing } : {}),
  });
  return {
    dir,
    identity,
    authority,
    db,
    server,
    channels,
    async stop() {
      await server.close();
      db.close();
    },
  };
}

export interface TestSeat {
  dir: string;
  identity: DeviceIdentity;
}

export function makeSeat(dir = tempDir('room-seat-')): TestSeat {
  return { dir, identity: loadOrCreateDeviceIdentity(dir) };
}

/** Resolves with the next value `subscribe` hands its listener. */
export function next<T>(subscribe: (listener: (value: T) => void) => () => void, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`nothing arrived within ${timeoutMs} ms`));
    }, timeoutMs);
    const stop = subscribe((value) => {
      clearTimeout(timer);
      stop();
      resolve(value);
    });
  });
}

/** Wait until `check` holds, polling. */
export async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('the condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function connected(link: HubConnection): Promise<void> {
  return link.connected ? Promise.resolve() : next<void>((listener) => link.onConnected(listener));
}

export interface TcpProxy {
  address: { host: string; port: number };
  /** Every byte that crossed, both ways, in order. */
  captured: Buffer[];
  /** Stop passing bytes on (both ways) without closing anything: a link gone half-open. */
  freeze(): void;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 in front of `target`: it sees the bytes on the wire and can stall the link. */
export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const { createServer, connect } = await import('node:net');
  const captured: Buffer[] = [];
  let frozen = false;
  const sockets = new Set<import('node:net').Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    const pass = (from: import('node:net').Socket, to: import('node:net').Socket) =>
      from.on('data', (chunk: Buffer) => {
        if (frozen) return;
        captured.push(chunk);
        to.write(chunk);
      });
    pass(client, upstream);
    pass(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    address: { host: '127.0.0.1', port },
    captured,
    freeze: () => {
      frozen = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
