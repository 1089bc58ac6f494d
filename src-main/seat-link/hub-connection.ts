// The seat's channel to its hub, kept open: mutual TLS 1.3 with the seat's certificate from the room
// CA, the hub pinned by its key hash, WebSocket frames (FrameChannel) on /room. When the channel
// drops or cannot be opened, the seat tries again after a back-off that doubles from 250 ms up to
// 5 s, each wait drawn between half and all of it so that 300 seats do not all come back in the same
// instant after the hub restarts. Every connect and every loss is told with its reason; a seat the hub
// revoked, or whose rejoin it refused, stops trying (it must be paired again), every other reason is
// worth another try (a hub that is not ours now may be replaced by ours again; a hub that lost its
// database lets the seat in once IT accepts its rejoin request, SEAT_REJOIN_REQUESTED until then).
import WebSocket from 'ws';
import { ROOM_CLOSE, ROOM_MAX_FRAME_BYTES, ROOM_PATH, ROOM_RECONNECT_CAP_MS, SEAT_LABEL_HEADER, type HubAddress, type RoomFrame, type SeatMembership } from '../../src-shared/contracts/room-link.ts';
import { StationError } from '../../src-shared/errors.ts';
import { FrameChannel, type ChannelClose, type RoomConnection } from '../../src-shared/node/room/channel.ts';
import type { DeviceIdentity } from '../../src-shared/node/room/identity.ts';
import { hubErrorOf, hubUrl, pinnedTls, refusalOf } from './hub-tls.ts';

export interface HubConnection extends RoomConnection {
  /** The hub's device id (its pinned key). */
  readonly deviceId: string;
  /** This seat's label in the room. */
  readonly label: string;
  readonly connected: boolean;
  onConnected(listener: () => void): () => void;
  /** Each loss of the channel, or failed attempt to open it, with what it means for the person at the seat. */
  onDisconnected(listener: (reason: StationError) => void): () => void;
  /** End the open channel (the protocol above found it broken) and dial again after the usual back-off. */
  redial(reason: string): void;
}

export interface HubConnectionOptions {
  identity: DeviceIdentity;
  membership: SeatMembership;
  /** Where to dial; by default the membership's addresses, one after the other. */
  address?: HubAddress;
  pingMs?: number;
  maxFrameBytes?: number;
  /** The first back-off; it doubles up to ROOM_RECONNECT_CAP_MS. */
  reconnectBaseMs?: number;
  reconnectCapMs?: number;
  /** For tests: how long the TLS and WebSocket handshakes may take. */
  handshakeTimeoutMs?: number;
}

/**
 * How long to wait before the next try after `failures` failed ones in a row: the base doubled per
 * failure up to the cap, then a random point (`random` in [0, 1)) between half of it and all of it.
 */
export function reconnectDelay(failures: number, random: number, baseMs = 250, capMs = ROOM_RECONNECT_CAP_MS): number {
  const wait = Math.min(capMs, baseMs * 2 ** failures);
  return wait * (0.5 + random / 2);
}

/** What a closed channel means to the seat. */
function reasonOfClose(closed: ChannelClose): StationError {
  if (closed.code === ROOM_CLOSE.revoked) return new StationError('SEAT_REVOKED');
  if (closed.code === ROOM_CLOSE.tooLarge) return new StationError('FRAME_TOO_LARGE', 'the channel was closed over a frame above the limit');
  return new StationError('HUB_UNREACHABLE', `channel closed (${closed.code}${closed.reason ? `: ${closed.reason}` : ''})`);
}

class HubLink implements HubConnection {
  readonly deviceId: string;
  readonly label: string;
  private readonly options: HubConnectionOptions;
  private readonly addresses: HubAddress[];
  private readonly frameListeners = new Set<(frame: RoomFrame) => void>();
  private readonly closeListeners = new Set<(closed: ChannelClose) => void>();
  private readonly connectedListeners = new Set<() => void>();
  private readonly disconnectedListeners = new Set<(reason: StationError) => void>();
  private channel: FrameChannel | undefined;
  private ws: WebSocket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private dialled = 0;
  private stopped: ChannelClose | undefined;

  constructor(options: HubConnectionOptions) {
    this.options = options;
    this.deviceId = options.membership.hubDeviceId;
    this.label = options.membership.label;
    this.addresses = options.address ? [options.address] : options.membership.addresses;
    if (this.addresses.length === 0) throw new StationError('SEAT_NOT_PAIRED', 'the membership names no hub address');
    this.dial();
  }

  get connected(): boolean {
    return this.channel?.isOpen ?? false;
  }

  send(frame: RoomFrame): boolean {
    return this.channel?.send(frame) ?? false;
  }

  onFrame(listener: (frame: RoomFrame) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  onClose(listener: (closed: ChannelClose) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  onConnected(listener: () => void): () => void {
    this.connectedListeners.add(listener);
    return () => this.connectedListeners.delete(listener);
  }

  onDisconnected(listener: (reason: StationError) => void): () => void {
    this.disconnectedListeners.add(listener);
    return () => this.disconnectedListeners.delete(listener);
  }

  redial(reason: string): void {
    this.channel?.close(ROOM_CLOSE.frameInvalid, reason.slice(0, 120));
  }

  /** Stop for good: the channel is closed and no reconnection follows. */
  close(code: number = ROOM_CLOSE.normal, reason = ''): void {
    if (this.stopped) return;
    this.stop({ code, reason });
    clearTimeout(this.timer);
    if (this.channel) this.channel.close(code, reason);
    else this.ws?.terminate();
  }

  private stop(closed: ChannelClose): void {
    this.stopped = closed;
    for (const listener of this.closeListeners) listener(closed);
    this.closeListeners.clear();
  }

  private dial(): void {
    const { identity, membership } = this.options;
    const address = this.addresses[this.dialled++ % this.addresses.length]!;
    const ws = new WebSocket(hubUrl(address, ROOM_PATH), {
      ...pinnedTls(identity, membership, membership.seatCertificate),
      perMessageDeflate: false,
      // The certificate names only the device id: a hub that lost its database lists the rejoin under this.
      headers: { [SEAT_LABEL_HEADER]: membership.label },
      maxPayload: this.options.maxFrameBytes ?? ROOM_MAX_FRAME_BYTES,
      handshakeTimeout: this.options.handshakeTimeoutMs ?? 10_000,
    });
    this.ws = ws;
    let failure: StationError | undefined;
    let refusal: Promise<StationError> | undefined;
    let channel: FrameChannel | undefined;
    ws.on('unexpected-response', (_request, response) => {
      refusal = refusalOf(response);
      void refusal.then(() => ws.terminate());
    });
    ws.on('error', (error) => {
      failure ??= hubErrorOf(error);
    });
    ws.on('close', () => {
      // Closed before it opened: the TLS or the WebSocket handshake failed, or the hub refused the seat.
      if (channel) return;
      void (refusal ?? Promise.resolve(failure ?? new StationError('HUB_UNREACHABLE', 'the connection closed during its handshake'))).then((error) => this.lost(error));
    });
    ws.on('open', () => {
      channel = new FrameChannel(ws, { ...(this.options.pingMs === undefined ? {} : { pingMs: this.options.pingMs }), maxFrameBytes: this.options.maxFrameBytes ?? ROOM_MAX_FRAME_BYTES });
      this.channel = channel;
      this.failures = 0;
      channel.onFrame((frame) => {
        for (const listener of this.frameListeners) listener(frame);
      });
      channel.onClose((closed) => {
        this.channel = undefined;
        this.lost(reasonOfClose(closed));
      });
      if (this.stopped) {
        channel.close(this.stopped.code, this.stopped.reason);
        return;
      }
      for (const listener of this.connectedListeners) listener();
    });
  }

  /** The channel is gone or never came: tell why, then try again unless that cannot help. */
  private lost(reason: StationError): void {
    if (this.ws === undefined) return;
    this.ws = undefined;
    // After close() the seat itself ended the channel: onClose has said so, there is nothing to report.
    if (this.stopped) return;
    for (const listener of this.disconnectedListeners) listener(reason);
    if (reason.code === 'SEAT_REVOKED' || reason.code === 'SEAT_REJOIN_REFUSED') {
      this.stop({ code: ROOM_CLOSE.revoked, reason: reason.code });
      return;
    }
    const wait = reconnectDelay(this.failures, Math.random(), this.options.reconnectBaseMs, this.options.reconnectCapMs);
    this.failures += 1;
    this.timer = setTimeout(() => this.dial(), wait);
    this.timer.unref();
  }
}

/** Open (and keep open) the seat's channel to the hub of its membership. */
export function connectToHub(options: HubConnectionOptions): HubConnection {
  return new HubLink(options);
}
