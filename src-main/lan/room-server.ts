// The hub's server for its seats: one TLS 1.3 port with two WebSocket paths. `/room` is the channel of
// paired seats; `/pair` is where a seat pairs by code or enrols with a room file.
//
// Who may get past the TLS handshake is decided the moment it ends, before a byte of HTTP is read:
// - a peer whose certificate chains to the room CA (Node's verification against `ca: [roomCA]`, with
//   `requestCert`: the CA's signature and the validity) is a member; on `/room` its key hash must then be
//   in the allowlist and not revoked. A member the allowlist does not hold at all is a seat of this room
//   that the hub forgot (its database was lost, and with it every revocation): it is not let in, but
//   becomes a rejoin request for IT or the chief to accept (its row comes back with the same key and
//   certificate) or refuse (for good);
// - any other peer (a seat not yet paired, with its self-signed certificate; a seat of another room;
//   a client with no certificate) is dropped at once, unless pairing is open or a room file's tokens
//   are valid, and then it reaches `/pair` only.
// This is why the server sets `rejectUnauthorized: false` where a channel-only server would set true:
// pairing runs on the same port, and a seat cannot have the room's certificate before it has paired.
// When pairing is closed, the effect is the same as rejecting in the handshake: a stranger's
// connection ends without the server parsing anything it sent. Every refused connection is kept for
// the console (refusals()).
//
// Pairing by code (SRP and the channel binding, src-shared/node/room/pairing-proof.ts):
//   seat: pair.hello {method: code, label}  hub: pair.challenge {salt, B}
//   seat: pair.proof {A, M1}                hub: pair.verified {M2, mac_hub}   (or pair.refused)
//   seat: pair.bind {mac_seat}              hub: pair.done {grant}             (or pair.refused)
// Enrolment with a room file: seat: pair.hello {method: token, token, label}; hub: pair.requested,
// then pair.done or pair.refused when the invigilator decides (the seat may come back for the answer).
// A rejoin has no conversation: the hub answers the /room upgrade 403 SEAT_REJOIN_REQUESTED until the
// request is accepted (the seat dials again on its usual back-off), SEAT_REJOIN_REFUSED once refused.
import { randomBytes, randomUUID, createPublicKey, constants as cryptoConstants } from 'node:crypto';
import { STATUS_CODES, createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  PAIR_PATH,
  PairingFromSeat,
  ROOM_CLOSE,
  ROOM_FILE_FORMAT,
  ROOM_MAX_FRAME_BYTES,
  ROOM_PATH,
  SEAT_LABEL_HEADER,
  SeatLabel,
  type HubAddress,
  type PairingFromHub,
  type RoomFile,
  type SeatGrant,
} from '../../src-shared/contracts/room-link.ts';
import { CodedError, StationError, type ErrorCode } from '../../src-shared/errors.ts';
import { deviceIdFromHash } from '../../src-shared/rules/device-id.ts';
import { FrameChannel, type ChannelOptions, type RoomConnection } from '../../src-shared/node/room/channel.ts';
import { keyHashOf } from '../../src-shared/node/room/certificates.ts';
import type { DeviceIdentity } from '../../src-shared/node/room/identity.ts';
import { bindingMac, channelView, macMatches, type ChannelView } from '../../src-shared/node/room/pairing-proof.ts';
import { signRoomFile, tokenHash } from '../../src-shared/node/room/room-file.ts';
import { PairingDesk, type PairingCode, type PairingDeskOptions, type PairingStatus } from './pairing-desk.ts';
import type { RoomAuthority } from './room-authority.ts';
import type { SeatDirectory, SeatRecord, SeatRequest } from './seat-directory.ts';

/** A paired seat's open channel, as the protocol layer sees it. */
export interface SeatConnection extends RoomConnection {
  readonly deviceId: string;
  readonly label: string;
  /** The seat's network address and port, for the console. */
  readonly address: string;
}

/** A connection the hub turned away, for the console to show. */
export interface ConnectionRefusal {
  at: string;
  address: string;
  /** The device id of the key the peer showed, if it showed one. */
  deviceId: string | undefined;
  reason: ErrorCode;
  detail?: string;
}

export interface RoomServerOptions {
  identity: DeviceIdentity;
  authority: RoomAuthority;
  seats: SeatDirectory;
  /** Loopback in tests; the venue LAN address (or 0.0.0.0) on a hub. */
  host: string;
  /** 0 picks a free port (tests); address() tells which. */
  port: number;
  /** Called for every channel a paired seat opens (a newer one from the same seat replaces the older). */
  onSeat(connection: SeatConnection): void;
  now?: () => Date;
  pingMs?: number;
  maxFrameBytes?: number;
  pairing?: PairingDeskOptions;
  /** How long a conversation on /pair may take before the hub ends it (code pairing only). */
  pairingTimeoutMs?: number;
}

export interface RoomServer {
  readonly address: HubAddress;
  /** "Add seats": open (or re-open after a pause, or renew an expired code), close, and what happened. */
  readonly pairing: { open(): PairingCode; close(): void; status(): PairingStatus };
  /** A signed room file with `count` one-time tokens, valid for `validForMs` (12 hours unless said). */
  exportRoomFile(options: { count: number; addresses?: HubAddress[]; validForMs?: number }): RoomFile;
  /** Void the room files' unused tokens. */
  closeEnrolment(): void;
  /** The room files' enrolments and the seats rejoining, waiting or decided. */
  requests(): SeatRequest[];
  /**
   * Admit a requested seat: an enrolment's certificate is issued and handed over (now, or when it comes
   * back); a rejoining seat is on the allowlist again with the certificate it has, and gets in at its next try.
   */
  accept(deviceId: string): Promise<SeatRecord>;
  refuse(deviceId: string): void;
  seats(): SeatRecord[];
  /** Unpair: off the allowlist, and its open channel is closed at once (4403 SEAT_REVOKED). */
  revoke(deviceId: string): SeatRecord | undefined;
  connections(): SeatConnection[];
  refusals(): ConnectionRefusal[];
  close(): Promise<void>;
}

const REFUSALS_KEPT = 200;
const PAIRING_MAX_FRAME_BYTES = 64 * 1024;
const DEFAULT_ROOM_FILE_MS = 12 * 60 * 60_000;

/** What the hub knows of a peer when its TLS handshake ends. */
type Peer =
  | { kind: 'member'; keyHash: string; deviceId: string; publicKey: string; certificate: string }
  | { kind: 'stranger'; keyHash: string | undefined; deviceId: string | undefined; publicKey: string | undefined; reason: 'SEAT_NOT_PAIRED' | 'SEAT_OTHER_HUB' };

class SeatChannel extends FrameChannel implements SeatConnection {
  readonly deviceId: string;
  readonly label: string;
  readonly address: string;

  constructor(ws: WebSocket, seat: SeatRecord, address: string, options: ChannelOptions) {
    super(ws, options);
    this.deviceId = seat.deviceId;
    this.label = seat.label;
    this.address = address;
  }
}

function addressOf(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined }): string {
  return `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
}

function classify(socket: TLSSocket): Peer {
  const certificate = socket.getPeerX509Certificate();
  if (!certificate) return { kind: 'stranger', keyHash: undefined, deviceId: undefined, publicKey: undefined, reason: 'SEAT_NOT_PAIRED' };
  const keyHash = keyHashOf(certificate.publicKey);
  const deviceId = deviceIdFromHash(Buffer.from(keyHash, 'hex'));
  const publicKey = certificate.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  if (socket.authorized) return { kind: 'member', keyHash, deviceId, publicKey, certificate: certificate.toString() };
  // A certificate someone else issued is another room's; one signed by its own key is a seat not yet paired.
  // (By name and signature: checkIssued would also ask for a CA's key usage, which a seat's key lacks.)
  const selfSigned = certificate.issuer === certificate.subject && certificate.verify(certificate.publicKey);
  return { kind: 'stranger', keyHash, deviceId, publicKey, reason: selfSigned ? 'SEAT_NOT_PAIRED' : 'SEAT_OTHER_HUB' };
}

/** Answer an upgrade with an HTTP error whose body is the catalogue's, and close. */
function refuseUpgrade(socket: Duplex, status: number, code: ErrorCode, detail?: string): void {
  const body = JSON.stringify(new StationError(code, detail).toBody());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export async function startRoomServer(options: RoomServerOptions): Promise<RoomServer> {
  const { identity, authority, seats } = options;
  const now = options.now ?? (() => new Date());
  const channelOptions: ChannelOptions = { maxFrameBytes: options.maxFrameBytes ?? ROOM_MAX_FRAME_BYTES, ...(options.pingMs === undefined ? {} : { pingMs: options.pingMs }) };
  const desk = new PairingDesk({ now, ...options.pairing });
  const peers = new WeakMap<Duplex, Peer>();
  /** Every TCP connection, handshaking or open: close() ends them all. */
  const sockets = new Set<Socket>();
  const open = new Map<string, SeatChannel>();
  /** Room-file enrolments waiting on their socket for the invigilator's decision. */
  const waiting = new Map<string, (outcome: PairingFromHub) => void>();
  let refused: ConnectionRefusal[] = [];

  const refuse = (refusal: Omit<ConnectionRefusal, 'at'>): void => {
    refused = [{ at: now().toISOString(), ...refusal }, ...refused].slice(0, REFUSALS_KEPT);
  };
  const pairingReachable = (): boolean => desk.status().state !== 'closed' || seats.enrolmentOpen(now());

  const grantFor = (seat: SeatRecord): SeatGrant => ({
    roomId: authority.roomId,
    label: seat.label,
    seatCertificate: seat.certificate,
    caCertificate: authority.caCertificate,
    hubKeyHash: authority.hubKeyHash,
    hubDeviceId: authority.hubDeviceId,
  });

  const tlsServer = createTlsServer({
    key: identity.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    cert: authority.hubCertificate,
    ca: [authority.caCertificate],
    requestCert: true,
    rejectUnauthorized: false,
    minVersion: 'TLSv1.3',
    // Every connection is a full handshake: the seat proves its key each time, never by a resumed session.
    secureOptions: cryptoConstants.SSL_OP_NO_TICKET,
  });
  const http = createHttpServer();
  const roomSockets = new WebSocketServer({ noServer: true, maxPayload: channelOptions.maxFrameBytes ?? ROOM_MAX_FRAME_BYTES, perMessageDeflate: false });
  const pairSockets = new WebSocketServer({ noServer: true, maxPayload: PAIRING_MAX_FRAME_BYTES, perMessageDeflate: false });

  tlsServer.on('secureConnection', (socket: TLSSocket) => {
    socket.on('error', () => undefined);
    const peer = classify(socket);
    if (peer.kind === 'stranger' && !pairingReachable()) {
      refuse({ address: addressOf(socket), deviceId: peer.deviceId, reason: peer.reason });
      socket.destroy();
      return;
    }
    peers.set(socket, peer);
    http.emit('connection', socket);
  });
  tlsServer.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  tlsServer.on('tlsClientError', (error, socket) => {
    refuse({ address: addressOf(socket), deviceId: undefined, reason: 'SEAT_NOT_PAIRED', detail: `TLS handshake failed: ${error.message}` });
  });

  http.on('request', (_request, response) => {
    const body = JSON.stringify(new StationError('NOT_FOUND').toBody());
    response.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', Connection: 'close' }).end(body);
  });

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const peer = peers.get(socket);
    const address = addressOf(request.socket);
    const path = (request.url ?? '').split('?')[0];
    if (!peer) {
      socket.destroy();
      return;
    }
    if (path === ROOM_PATH) {
      if (peer.kind === 'stranger') {
        refuse({ address, deviceId: peer.deviceId, reason: peer.reason });
        socket.destroy();
        return;
      }
      // The allowlist is read now, not at the handshake: a revocation in between counts.
      const seat = seats.byKeyHash(peer.keyHash);
      if (!seat) {
        const reason = askToRejoin(request, peer, address);
        refuse({ address, deviceId: peer.deviceId, reason });
        refuseUpgrade(socket, 403, reason);
        return;
      }
      if (seat.revokedAt !== null) {
        const reason = seat ? 'SEAT_REVOKED' : 'SEAT_NOT_PAIRED';
        refuse({ address, deviceId: peer.deviceId, reason });
        refuseUpgrade(socket, 403, reason);
        return;
      }
      roomSockets.handleUpgrade(request, socket, head, (ws) => {
        const channel = new SeatChannel(ws, seat, address, channelOptions);
        open.get(seat.deviceId)?.close(ROOM_CLOSE.replaced, 'replaced by a newer connection of the same seat');
        open.set(seat.deviceId, channel);
        channel.onClose(() => {
          if (open.get(seat.deviceId) === channel) open.delete(seat.deviceId);
        });
        options.onSeat(channel);
      });
      return;
    }
    if (path === PAIR_PATH && pairingReachable()) {
      pairSockets.handleUpgrade(request, socket, head, (ws) => converse(ws, request.socket as TLSSocket, peer, address));
      return;
    }
    refuseUpgrade(socket, 404, 'NOT_FOUND');
  });

  /** A seat of this room the allowlist does not hold: its rejoin request, filed or as it stands. */
  function askToRejoin(request: IncomingMessage, peer: Extract<Peer, { kind: 'member' }>, address: string): ErrorCode {
    const label = SeatLabel.safeParse(request.headers[SEAT_LABEL_HEADER]);
    // A seat that does not say its label (an older version) cannot be listed for a person to recognise.
    if (!label.success) return 'SEAT_NOT_PAIRED';
    const outcome = seats.requestRejoin({ deviceId: peer.deviceId, keyHash: peer.keyHash, publicKey: peer.publicKey, label: label.data, address, certificate: peer.certificate }, now());
    return outcome === 'refused' ? 'SEAT_REJOIN_REFUSED' : 'SEAT_REJOIN_REQUESTED';
  }

  /** One conversation on /pair. */
  function converse(ws: WebSocket, socket: TLSSocket, peer: Peer, address: string): void {
    const who = { address, deviceId: peer.deviceId };
    let step: 'hello' | 'proof' | 'bind' | 'waiting' | 'over' = 'hello';
    let attempt: ReturnType<PairingDesk['begin']> | undefined;
    let sessionKey: Buffer | undefined;
    let view: ChannelView | undefined;
    let label = '';
    const send = (frame: PairingFromHub): void => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    const end = (frame: PairingFromHub): void => {
      step = 'over';
      clearTimeout(timer);
      if (peer.deviceId && waiting.get(peer.deviceId) === settle) waiting.delete(peer.deviceId);
      send(frame);
      ws.close(ROOM_CLOSE.normal);
    };
    const settle = (frame: PairingFromHub): void => end(frame);
    const refuseWith = (error: unknown): void => {
      const coded = error instanceof CodedError ? error : new StationError('INTERNAL', (error as Error).message);
      end({ type: 'pair.refused', error: coded.detail === undefined ? { code: coded.code } : { code: coded.code, detail: coded.detail } });
    };
    const timer = setTimeout(() => {
      if (step !== 'waiting') refuseWith(new StationError('VALIDATION_FAILED', 'the pairing conversation took too long'));
    }, options.pairingTimeoutMs ?? 60_000);
    timer.unref();
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clearTimeout(timer);
      if (peer.deviceId && waiting.get(peer.deviceId) === settle) waiting.delete(peer.deviceId);
      step = 'over';
    });

    ws.on('message', (data, isBinary) => {
      void (async () => {
        if (step === 'over' || step === 'waiting') return;
        let message: PairingFromSeat;
        try {
          if (isBinary) throw new Error('binary');
          const parsed = PairingFromSeat.safeParse(JSON.parse(data.toString()));
          if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'not a pairing message');
          message = parsed.data;
        } catch (error) {
          refuseWith(new StationError('VALIDATION_FAILED', `not a pairing message: ${(error as Error).message}`));
          return;
        }
        try {
          await handle(message);
        } catch (error) {
          refuseWith(error);
        }
      })();
    });

    async function handle(message: PairingFromSeat): Promise<void> {
      if (message.type === 'pair.hello' && step === 'hello') {
        if (!peer.keyHash || !peer.deviceId) throw new StationError('VALIDATION_FAILED', 'a seat shows a certificate of its own key when it pairs');
        const parsedLabel = SeatLabel.safeParse(message.label);
        if (!parsedLabel.success) throw new StationError('VALIDATION_FAILED', parsedLabel.error.issues[0]?.message ?? 'label');
        label = parsedLabel.data;
        const holder = seats.labelHeldByOther(label, peer.deviceId);
        if (holder) throw new StationError('SEAT_LABEL_TAKEN', `label ${label} is held by ${holder.deviceId}`);
        if (message.method === 'token') {
          if (peer.kind !== 'stranger' || !peer.publicKey) throw new StationError('VALIDATION_FAILED', 'a seat enrols with its own self-signed certificate');
          const outcome = seats.useToken(tokenHash(message.token), { deviceId: peer.deviceId, keyHash: peer.keyHash, publicKey: peer.publicKey, label, address }, now());
          if (outcome.kind === 'accepted') end({ type: 'pair.done', grant: grantFor(outcome.seat) });
          else if (outcome.kind === 'refused') throw new StationError('ENROLMENT_REFUSED');
          else {
            step = 'waiting';
            clearTimeout(timer);
            waiting.set(peer.deviceId, settle);
            send({ type: 'pair.requested' });
          }
          return;
        }
        attempt = desk.begin();
        step = 'proof';
        send({ type: 'pair.challenge', salt: attempt.srp.salt.toString('base64'), B: attempt.srp.B.toString('base64') });
        return;
      }
      if (message.type === 'pair.proof' && step === 'proof' && attempt) {
        const proved = desk.prove(attempt, Buffer.from(message.A, 'base64'), Buffer.from(message.M1, 'base64'), who);
        sessionKey = proved.key;
        view = channelView(socket, 'hub', authority.hubCertificate);
        step = 'bind';
        send({ type: 'pair.verified', M2: proved.M2.toString('base64'), mac: bindingMac(sessionKey, 'hub', view).toString('base64') });
        return;
      }
      if (message.type === 'pair.bind' && step === 'bind' && sessionKey && view && peer.keyHash && peer.deviceId) {
        step = 'over';
        if (!macMatches(bindingMac(sessionKey, 'seat', view), Buffer.from(message.mac, 'base64'))) {
          desk.relayed(who);
          throw new StationError('PAIRING_RELAYED', 'the seat saw another TLS session than the hub');
        }
        const seatKey = socket.getPeerX509Certificate()!.publicKey;
        const certificate = await authority.issueSeatCertificate(seatKey, peer.deviceId);
        try {
          const seat = seats.admit({ deviceId: peer.deviceId, keyHash: peer.keyHash, label, certificate, pairedBy: 'code' }, now());
          end({ type: 'pair.done', grant: grantFor(seat) });
        } finally {
          // The code was proved and is used up, whether or not the label could be given.
          desk.succeeded();
        }
        return;
      }
      throw new StationError('VALIDATION_FAILED', `${message.type} does not come at this point of the pairing`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    tlsServer.once('error', reject);
    tlsServer.listen(options.port, options.host, () => {
      tlsServer.off('error', reject);
      resolve();
    });
  });
  const bound = tlsServer.address();
  if (bound === null || typeof bound === 'string') throw new Error('the room server did not bind a TCP port');
  const address: HubAddress = { host: options.host, port: bound.port };

  return {
    address,
    pairing: { open: () => desk.open(), close: () => desk.close(), status: () => desk.status() },
    exportRoomFile({ count, addresses, validForMs }) {
      const tokens = Array.from({ length: count }, () => randomBytes(32).toString('base64url'));
      const createdAt = now();
      const validUntil = new Date(createdAt.getTime() + (validForMs ?? DEFAULT_ROOM_FILE_MS));
      seats.addTokens(randomUUID(), tokens.map(tokenHash), validUntil);
      return signRoomFile(
        {
          format: ROOM_FILE_FORMAT,
          roomId: authority.roomId,
          hubDeviceId: authority.hubDeviceId,
          hubPublicKey: identity.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
          hubKeyHash: authority.hubKeyHash,
          caCertificate: authority.caCertificate,
          addresses: addresses ?? [address],
          createdAt: createdAt.toISOString(),
          validUntil: validUntil.toISOString(),
          tokens,
        },
        identity.privateKey,
      );
    },
    closeEnrolment: () => seats.closeEnrolment(now()),
    requests: () => seats.requests(),
    async accept(deviceId) {
      const request = seats.request(deviceId);
      if (!request || request.decision !== null) throw new StationError('NOT_FOUND', `no request of ${deviceId} waits for a decision`);
      if (request.kind === 'rejoin' && request.certificate !== null) {
        // The seat keeps the certificate this CA gave it before: its row comes back as it was, no new one issued.
        const seat = seats.admit({ deviceId, keyHash: request.keyHash, label: request.label, certificate: request.certificate, pairedBy: 'rejoin' }, now());
        seats.decide(deviceId, 'accepted', now());
        return seat;
      }
      const seatKey = createPublicKey({ key: Buffer.from(request.publicKey, 'base64'), format: 'der', type: 'spki' });
      const certificate = await authority.issueSeatCertificate(seatKey, deviceId);
      const seat = seats.admit({ deviceId, keyHash: request.keyHash, label: request.label, certificate, pairedBy: 'room-file' }, now());
      seats.decide(deviceId, 'accepted', now());
      waiting.get(deviceId)?.({ type: 'pair.done', grant: grantFor(seat) });
      return seat;
    },
    refuse(deviceId) {
      const request = seats.request(deviceId);
      if (!request || request.decision !== null) throw new StationError('NOT_FOUND', `no request of ${deviceId} waits for a decision`);
      seats.decide(deviceId, 'refused', now());
      waiting.get(deviceId)?.({ type: 'pair.refused', error: { code: 'ENROLMENT_REFUSED' } });
    },
    seats: () => seats.list(),
    revoke(deviceId) {
      const seat = seats.revoke(deviceId, now());
      open.get(deviceId)?.close(ROOM_CLOSE.revoked, 'SEAT_REVOKED');
      return seat;
    },
    connections: () => [...open.values()],
    refusals: () => [...refused],
    async close() {
      for (const channel of open.values()) channel.close(ROOM_CLOSE.goingAway, 'the hub is stopping');
      await new Promise<void>((resolve) => {
        tlsServer.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      roomSockets.close();
      pairSockets.close();
    },
  };
}
