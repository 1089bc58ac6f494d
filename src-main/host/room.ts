// The room around a station: a hub serves its seats (the room server on the LAN, the room protocol's
// hub end) and a paired seat keeps its link to its hub (the channel, the protocol's seat end, the
// commands carried out on its station, the room clock). A solo station has no room.
import { join } from 'node:path';
import { statfsSync } from 'node:fs';
import { advertiseHub, browseHubs, type HubAdvertiser, type HubBrowser } from '../lan/discovery.ts';
import { HubPackages } from '../lan/package-staging.ts';
import { openRoomAuthority } from '../lan/room-authority.ts';
import { RoomDesk } from '../lan/room-desk.ts';
import { RoomHub } from '../lan/room-hub.ts';
import { RoomSeal } from '../lan/room-seal.ts';
import { startRoomServer, type RoomServer } from '../lan/room-server.ts';
import { SqliteSeatDirectory } from '../lan/seat-directory.ts';
import { applyOnStation } from '../seat-link/apply-command.ts';
import { HandOverReceiver } from '../seat-link/hand-over.ts';
import { connectToHub, type HubConnection } from '../seat-link/hub-connection.ts';
import { loadMembership } from '../seat-link/membership.ts';
import { sessionOfConnection, sessionsOfHub } from '../seat-link/room-sessions.ts';
import { SeatLink, type SeatReport } from '../seat-link/seat-link.ts';
import { SeatStaging } from '../seat-link/staging.ts';
import type { SeatMembership } from '../../src-shared/contracts/room-link.ts';
import { StationError } from '../../src-shared/errors.ts';
import { pairWithCode } from '../seat-link/pairing.ts';
import type { RoomControl } from '../station/room-control.ts';
import type { OpenedStation } from './start.ts';

export type StationRoom =
  | { role: 'hub'; hub: RoomHub; server: RoomServer; control: RoomControl; close(): Promise<void> }
  | { role: 'seat'; paired: true; link: SeatLink; connection: HubConnection; control: RoomControl; close(): Promise<void> }
  | { role: 'seat'; paired: false; control: RoomControl; close(): Promise<void> }
  | { role: 'solo'; close(): Promise<void> };

export interface RoomOptions {
  /** Where the hub listens for its seats (the LAN address; 127.0.0.1 in tests). */
  host?: string;
  port?: number;
  appVersion?: string;
  heartbeatMs?: number;
  /**
   * DNS-SD (config.roomDiscovery): a hub advertises its room port (on the interface of `host` when it
   * names one), an unpaired seat looks for hubs once IT asks. Off unless given: tests send nothing.
   */
  discovery?: boolean;
}

/** The addresses a hub listening on `host` advertises on: that one, or every interface for a wildcard. */
const advertisedOn = (host: string): string[] | undefined => (host === '0.0.0.0' || host === '::' ? undefined : [host]);

/** What a seat's heartbeat reports of its station. */
export function seatReport(opened: Pick<OpenedStation, 'service'> & { config?: Pick<OpenedStation['config'], 'dataDir'> }, appVersion: string): () => SeatReport {
  return () => {
    const seat = opened.service.roomSeatReport();
    return {
      attempt: seat
        ? { attemptId: seat.attemptId, candidateId: seat.candidateId, partId: seat.partId, itemId: null, remainingMs: seat.remainingMs, screen: seat.screen, ...(seat.declineReason ? { declineReason: seat.declineReason } : {}), started: seat.started }
        : null,
      hand: seat?.hand ?? null,
      recording: null,
      battery: null,
      diskFreeBytes: opened.config ? diskFree(opened.config.dataDir) : null,
      appVersion,
    };
  };
}

/** Free bytes for the station on the disk of its data folder, or null where the system cannot say. */
function diskFree(dataDir: string): number | null {
  try {
    const stats = statfsSync(dataDir);
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    return null;
  }
}

/** The station service's way into a hub's room; the protocol's tests build it around an in-memory room server. */
export function hubControl(hub: RoomHub, server: Pick<RoomServer, 'seats' | 'pairing' | 'address' | 'revoke' | 'requests' | 'accept' | 'refuse'>, desk: RoomDesk): RoomControl {
  return {
    desk,
    status: () => {
      const labels = new Map(server.seats().map((seat) => [seat.deviceId, seat]));
      const pairing = server.pairing.status();
      const seen = hub.view();
      const seenIds = new Set(seen.map((v) => v.deviceId));
      // Paired seats never heard from since the hub started are on the list too, as missing.
      const silent = [...labels.values()].filter((seat) => !seenIds.has(seat.deviceId)).map((seat) => ({ deviceId: seat.deviceId, presence: 'missing' as const, connected: false, lastSeenAt: null, state: null, ackedSeq: hub.streams.ackedSeq(seat.deviceId), alarm: null }));
      return {
        role: 'hub',
        notice: null,
        hub: {
          address: server.address,
          pairing: { state: pairing.state, code: pairing.state === 'open' ? (pairing.code?.code ?? null) : null, expiresAt: pairing.code?.expiresAt ?? null, consecutiveFailures: pairing.consecutiveFailures },
          seats: [...seen, ...silent].map((v) => ({ ...v, label: labels.get(v.deviceId)?.label ?? null, revoked: Boolean(labels.get(v.deviceId)?.revokedAt) })),
          moves: hub.moves.view(),
          requests: server.requests().map((r) => ({ deviceId: r.deviceId, label: r.label, kind: r.kind, address: r.address, requestedAt: r.requestedAt, decision: r.decision })),
        },
        seat: null,
      };
    },
    openPairing: () => server.pairing.open(),
    closePairing: () => server.pairing.close(),
    revokeSeat: (deviceId) => {
      if (!server.revoke(deviceId)) throw new StationError('NOT_FOUND', `no seat ${deviceId} is paired with this hub`);
    },
    pairWithHub: async () => {
      throw new StationError('ROOM_NOT_AVAILABLE', 'a hub does not pair with another hub');
    },
    decideSeatRequest: async (deviceId, decision) => {
      if (decision === 'accept') await server.accept(deviceId);
      else server.refuse(deviceId);
    },
    issueCommand: (input) => hub.issue(input),
    discoveredHubs: () => {
      throw new StationError('ROOM_NOT_AVAILABLE', 'a hub does not look for hubs');
    },
    moveCandidate: (input) => hub.moves.move(input),
  };
}

export async function startRoom(opened: OpenedStation, options: RoomOptions = {}): Promise<StationRoom> {
  const { service, config, identity } = opened;
  const appVersion = options.appVersion ?? '0.1.0';
  if (config.role === 'hub') {
    const authority = await openRoomAuthority(config.dataDir, identity);
    const directory = new SqliteSeatDirectory(service.db);
    const hub = new RoomHub({
      db: service.db,
      outbox: service.outbox,
      directory: (deviceId) => {
        const seat = directory.list().find((s) => s.deviceId === deviceId);
        return seat && { revoked: Boolean(seat.revokedAt) };
      },
      // The packages imported here are pre-staged on every paired seat (locked; the key goes at the start).
      packages: new HubPackages(service.db),
    });
    const server = await startRoomServer({
      identity,
      authority,
      seats: directory,
      host: options.host ?? '0.0.0.0',
      port: options.port ?? 0,
      onSeat: (connection) => hub.attach(connection.deviceId, sessionOfConnection(connection), directory.list().find((seat) => seat.deviceId === connection.deviceId)?.pairedAt ?? null),
    });
    const control = hubControl(hub, server, new RoomDesk(hub, service.db));
    control.seal = new RoomSeal({ db: service.db, hub, identity, onSealed: (sessionId) => service.noteSessionSealed(sessionId), fontsDir: join(config.assetsDir, 'fonts') });
    service.attachRoom(control);
    // The room runs without its advertisement if that fails (no multicast on this LAN): seats are then given the address.
    const interfaces = advertisedOn(options.host ?? '0.0.0.0');
    const advertising: Promise<HubAdvertiser | null> = options.discovery
      ? advertiseHub({ deviceId: identity.deviceId, port: server.address.port, ...(interfaces ? { interfaces } : {}) }).catch((error: unknown) => {
          console.error(`the hub is not advertised on the LAN: ${error instanceof Error ? error.message : String(error)}`);
          return null;
        })
      : Promise.resolve(null);
    return {
      role: 'hub',
      hub,
      server,
      control,
      close: async () => {
        service.attachRoom(null, 'the room has stopped');
        await (await advertising)?.stop();
        await server.close();
      },
    };
  }
  if (config.role === 'seat') {
    let running: { link: SeatLink; connection: HubConnection; stop: () => void } | null = null;
    // Why the channel is down, when a person must act on it (the hub's key changed, the seat was
    // revoked or is unknown to the hub): getRoom shows it until the channel opens again. Not reaching the
    // hub is no alarm: the seat works offline and keeps trying.
    let refusedBy: StationError | null = null;
    // Looking for hubs starts when IT first asks (the set-up screen) and ends once the seat is paired.
    let browser: HubBrowser | null = null;
    const stopBrowsing = () => {
      browser?.stop();
      browser = null;
    };
    const handOvers = new HandOverReceiver(service);
    const begin = (membership: SeatMembership) => {
      stopBrowsing();
      const link = new SeatLink({
        db: service.db,
        outbox: service.outbox,
        apply: applyOnStation(service),
        report: seatReport(opened, appVersion),
        ...(options.heartbeatMs === undefined ? {} : { heartbeatMs: options.heartbeatMs }),
        ...(opened.clock ? { onClockOffset: (offset: number) => opened.clock!.observe(offset) } : {}),
        stationAlarm: () => service.storageAlarm(),
        staging: new SeatStaging({ db: service.db, importPackage: (file) => void service.importPackageBytes(file), maxPackageBytes: config.maxPackageBytes }),
        handOver: (piece) => handOvers.receive(piece),
      });
      const connection = connectToHub({ identity, membership });
      connection.onDisconnected((reason) => {
        refusedBy = reason.code === 'HUB_UNREACHABLE' ? null : reason;
      });
      connection.onConnected(() => {
        refusedBy = null;
      });
      const stopSessions = sessionsOfHub(connection, (session) => link.connect(session));
      const stopKick = service.onCommit(() => link.kick());
      running = {
        link,
        connection,
        stop: () => {
          stopKick();
          stopSessions();
          link.stop();
          connection.close();
        },
      };
      return running;
    };
    const control: RoomControl = {
      desk: null,
      status: () => {
        const membership = loadMembership(config.dataDir);
        const link = running?.link.status();
        return {
          role: 'seat',
          notice: membership ? null : 'this seat is not paired with a hub yet',
          hub: null,
          seat: {
            paired: Boolean(membership),
            label: membership?.label ?? null,
            hubDeviceId: membership?.hubDeviceId ?? null,
            connected: link?.connected ?? false,
            ackedSeq: link?.ackedSeq ?? 0,
            backlogEvents: link?.backlogEvents ?? service.outbox.lastSeq(),
            audioBytesPending: link?.audioBytesPending ?? 0,
            clockOffsetMs: link?.clockOffsetMs ?? null,
            alarm: link?.alarm ?? (refusedBy ? `${refusedBy.code}: ${refusedBy.detail ?? refusedBy.text.en}`.slice(0, 300) : null),
            rejoin: refusedBy?.code === 'SEAT_REJOIN_REQUESTED' ? 'requested' : refusedBy?.code === 'SEAT_REJOIN_REFUSED' ? 'refused' : null,
          },
        };
      },
      openPairing: () => {
        throw new StationError('ROOM_NOT_AVAILABLE', 'pairing codes are shown by the hub');
      },
      closePairing: () => {
        throw new StationError('ROOM_NOT_AVAILABLE', 'pairing codes are shown by the hub');
      },
      revokeSeat: () => {
        throw new StationError('ROOM_NOT_AVAILABLE', 'seats are unpaired at the hub');
      },
      issueCommand: () => {
        throw new StationError('ROOM_NOT_AVAILABLE', 'room commands are issued by the hub');
      },
      moveCandidate: () => {
        throw new StationError('ROOM_NOT_AVAILABLE', 'candidates are moved at the hub');
      },
      pairWithHub: async ({ host, port, code, label, hubDeviceId }) => {
        if (running) throw new StationError('SEAT_OTHER_HUB', 'this seat is paired already: unpair it at its hub first');
        const membership = await pairWithCode({ identity, dataDir: config.dataDir, address: { host, port }, code, label, ...(hubDeviceId === undefined ? {} : { expectedHubDeviceId: hubDeviceId }) });
        begin(membership);
        return control.status();
      },
      discoveredHubs: () => {
        if (running || !options.discovery) return { browsing: false, hubs: [], error: null };
        browser ??= browseHubs();
        return { browsing: true, hubs: browser.hubs(), error: browser.error() };
      },
    };
    const membership = loadMembership(config.dataDir);
    service.attachRoom(control);
    const close = async () => {
      service.attachRoom(null, 'the room has stopped');
      stopBrowsing();
      running?.stop();
      running = null;
    };
    if (!membership) return { role: 'seat', paired: false, control, close };
    const { link, connection } = begin(membership);
    return { role: 'seat', paired: true, link, connection, control, close };
  }
  return { role: 'solo', close: async () => undefined };
}
