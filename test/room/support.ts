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
