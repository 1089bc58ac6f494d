// The room around a station: a hub serves its seats (the room server on the LAN, the room protocol's
// hub end) and a paired seat keeps its link to its hub (the channel, the protocol's seat end, the
// commands carried out on its station, the room clock). A solo station has no room.
import { openRoomAuthority } from '../lan/room-authority.ts';
import { RoomHub } from '../lan/room-hub.ts';
import { startRoomServer, type RoomServer } from '../lan/room-server.ts';
import { SqliteSeatDirectory } from '../lan/seat-directory.ts';
import { applyOnStation } from '../seat-link/apply-command.ts';
import { connectToHub, type HubConnection } from '../seat-link/hub-connection.ts';
import { loadMembership } from '../seat-link/membership.ts';
import { sessionOfConnection, sessionsOfHub } from '../seat-link/room-sessions.ts';
import { SeatLink, type SeatReport } from '../seat-link/seat-link.ts';
import type { OpenedStation } from './start.ts';

export type StationRoom =
  | { role: 'hub'; hub: RoomHub; server: RoomServer; close(): Promise<void> }
  | { role: 'seat'; paired: true; link: SeatLink; connection: HubConnection; close(): Promise<void> }
  | { role: 'seat'; paired: false; close(): Promise<void> }
  | { role: 'solo'; close(): Promise<void> };

export interface RoomOptions {
  /** Where the hub listens for its seats (the LAN address; 127.0.0.1 in tests). */
  host?: string;
  port?: number;
  appVersion?: string;
  heartbeatMs?: number;
}

/** What a seat's heartbeat reports of its station. */
function seatReport(opened: OpenedStation, appVersion: string): () => SeatReport {
  return () => {
    const seat = opened.service.roomSeatReport();
    return {
      attempt: seat ? { attemptId: seat.attemptId, candidateId: seat.candidateId, partId: seat.partId, itemId: null, remainingMs: seat.remainingMs, screen: seat.paused ? 'paused' : seat.partId ? 'part' : 'staff' } : null,
      recording: null,
      battery: null,
      diskFreeBytes: null,
      appVersion,
    };
  };
}

export async function startRoom(opened: OpenedStation, options: RoomOptions = {}): Promise<StationRoom> {
  const { service, config, identity } = opened;
  const appVersion = options.appVersion ?? '0.1.0';
  if (config.role === 'hub') {
    const authority = await openRoomAuthority(config.dataDir, identity);
    const hub = new RoomHub({ db: service.db, outbox: service.outbox });
    const server = await startRoomServer({
      identity,
      authority,
      seats: new SqliteSeatDirectory(service.db),
      host: options.host ?? '0.0.0.0',
      port: options.port ?? 0,
      onSeat: (connection) => hub.attach(connection.deviceId, sessionOfConnection(connection)),
    });
    return { role: 'hub', hub, server, close: () => server.close() };
  }
  if (config.role === 'seat') {
    const membership = loadMembership(config.dataDir);
    if (!membership) return { role: 'seat', paired: false, close: async () => undefined };
    const link = new SeatLink({
      db: service.db,
      outbox: service.outbox,
      apply: applyOnStation(service),
      report: seatReport(opened, appVersion),
      ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
      ...(opened.clock ? { onClockOffset: (offset: number) => opened.clock!.observe(offset) } : {}),
    });
    const connection = connectToHub({ identity, membership });
    const stopSessions = sessionsOfHub(connection, (session) => link.connect(session));
    const stopKick = service.onCommit(() => link.kick());
    return {
      role: 'seat',
      paired: true,
      link,
      connection,
      close: async () => {
        stopKick();
        stopSessions();
        link.stop();
        connection.close();
      },
    };
  }
  return { role: 'solo', close: async () => undefined };
}
