// A seat joins its room: by the code shown on the hub, or with a room file's token. Both talk to the
// hub's /pair path (the conversation is in lan/room-server.ts) and end with the membership written to
// the seat's data folder before they return, so a seat that says "paired" has its pin on disk.
//
// By code the seat does not yet know the hub: it accepts whatever certificate the hub shows, and trust
// comes from SRP with the code and the MACs over both ends' view of this TLS session (a relay shows
// the seat another session than the hub's, and both MACs fail). By room file the seat pins the hub
// from the file before it sends a token.
import { randomInt } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { PAIR_PATH, PairingFromHub, type HubAddress, type PairingFromSeat, type RoomFile, type SeatGrant, type SeatMembership } from '../../src-shared/contracts/room-link.ts';
import { StationError } from '../../src-shared/errors.ts';
import { deviceIdFromHash, shortDeviceId } from '../../src-shared/rules/device-id.ts';
import { certificateKeyHash, issuedBy } from '../../src-shared/node/room/certificates.ts';
import { selfSignedCertificateOf, type DeviceIdentity } from '../../src-shared/node/room/identity.ts';
import { SrpSeat, bindingMac, channelView, macMatches } from '../../src-shared/node/room/pairing-proof.ts';
import { hubErrorOf, hubUrl, hungUp, pinnedTls, refusalOf } from './hub-tls.ts';
import { saveMembership } from './membership.ts';

const PAIRING_MAX_FRAME_BYTES = 64 * 1024;

/** One conversation on /pair: frames in order, the TLS socket under it. */
interface Conversation {
  socket: TLSSocket;
  send(message: PairingFromSeat): void;
  /** The next frame from the hub; a refusal is thrown as its error, a lost connection as HUB_UNREACHABLE. */
  next(): Promise<PairingFromHub>;
  close(): void;
}

function converse(address: HubAddress, tls: WebSocket.ClientOptions, timeoutMs: number): Promise<Conversation> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(hubUrl(address, PAIR_PATH), { ...tls, perMessageDeflate: false, maxPayload: PAIRING_MAX_FRAME_BYTES, handshakeTimeout: timeoutMs });
    let socket: TLSSocket | undefined;
    const inbox: PairingFromHub[] = [];
    const readers: { resolve(frame: PairingFromHub): void; reject(error: StationError): void }[] = [];
    let ended: StationError | undefined;
    const fail = (error: StationError): void => {
      ended ??= error;
      for (const reader of readers.splice(0)) reader.reject(ended);
    };
    ws.on('upgrade', (response) => {
      socket = response.socket as TLSSocket;
    });
    let refusal: Promise<StationError> | undefined;
    let failure: StationError | undefined;
    ws.on('unexpected-response', (_request, response) => {
      refusal = refusalOf(response);
      void refusal.then(() => ws.terminate());
    });
    ws.on('error', (error) => {
      failure ??= hubErrorOf(error);
    });
    ws.on('close', () => {
      void (refusal ?? Promise.resolve(failure ?? new StationError('HUB_UNREACHABLE', 'the hub ended the pairing conversation'))).then((error) => {
        fail(error);
        reject(error);
      });
    });
    ws.on('message', (data) => {
      let frame: PairingFromHub;
      try {
        frame = PairingFromHub.parse(JSON.parse(data.toString()));
      } catch {
        fail(new StationError('VALIDATION_FAILED', 'the hub sent something that is not a pairing message'));
        ws.terminate();
        return;
      }
      if (frame.type === 'pair.refused') {
        const { code, detail } = frame.error;
        fail(StationError.fromBody({ code: code as never, message: { lv: '', en: '' }, ...(detail === undefined ? {} : { detail }) }));
        return;
      }
      const reader = readers.shift();
      if (reader) reader.resolve(frame);
      else inbox.push(frame);
    });
    ws.on('open', () => {
      resolve({
        socket: socket!,
        send: (message) => ws.send(JSON.stringify(message)),
        next: () => {
          const frame = inbox.shift();
          if (frame) return Promise.resolve(frame);
          if (ended) return Promise.reject(ended);
          return new Promise((resolveFrame, rejectFrame) => readers.push({ resolve: resolveFrame, reject: rejectFrame }));
        },
        close: () => ws.close(),
      });
    });
  });
}

function expect<T extends PairingFromHub['type']>(frame: PairingFromHub, type: T): Extract<PairingFromHub, { type: T }> {
  if (frame.type !== type) throw new StationError('VALIDATION_FAILED', `the hub sent ${frame.type} where ${type} belongs`);
  return frame as Extract<PairingFromHub, { type: T }>;
}

/**
 * The grant must describe the hub of this TLS session and this seat: the pin is the key the hub showed
 * here, its certificate chains to the CA it hands over, and the seat's certificate is for the seat's key.
 */
function checkGrant(grant: SeatGrant, socket: TLSSocket, identity: DeviceIdentity): void {
  const hub = socket.getPeerX509Certificate();
  const problem =
    !hub || certificateKeyHash(hub) !== grant.hubKeyHash
      ? 'the hub key in the grant is not the key of this connection'
      : !issuedBy(hub, grant.caCertificate)
        ? "the hub's certificate is not from the CA in the grant"
        : !issuedBy(grant.seatCertificate, grant.caCertificate) || certificateKeyHash(grant.seatCertificate) !== identity.keyHash
          ? "the seat's certificate is not for this seat's key from the room's CA"
          : undefined;
  if (problem) throw new StationError('VALIDATION_FAILED', problem);
}

function keep(dataDir: string, grant: SeatGrant, address: HubAddress, addresses: HubAddress[]): SeatMembership {
  const membership: SeatMembership = { ...grant, formatVersion: 1, addresses: [address, ...addresses.filter((a) => a.host !== address.host || a.port !== address.port)], pairedAt: new Date().toISOString() };
  saveMembership(dataDir, membership);
  return membership;
}

export interface CodePairing {
  identity: DeviceIdentity;
  /** The seat's data folder: the membership is written there. */
  dataDir: string;
  address: HubAddress;
  code: string;
  label: string;
  /** The device id the hub was found under (DNS-SD): a hub at that address showing another key is refused before the code is tried. */
  expectedHubDeviceId?: string;
  timeoutMs?: number;
}

/** Pair with the hub at `address` by the code it shows; the membership is on disk when this resolves. */
export async function pairWithCode(options: CodePairing): Promise<SeatMembership> {
  const { identity } = options;
  const certificate = await selfSignedCertificateOf(identity);
  const tls: WebSocket.ClientOptions = { key: identity.privateKey.export({ type: 'pkcs8', format: 'pem' }), cert: certificate, rejectUnauthorized: false, minVersion: 'TLSv1.3' };
  let talk: Conversation;
  try {
    talk = await converse(options.address, tls, options.timeoutMs ?? 15_000);
  } catch (error) {
    // The hub completed TLS and hung up on a seat it does not know: that is a hub whose pairing is closed.
    if (error instanceof StationError && hungUp(error)) {
      throw new StationError('PAIRING_CLOSED', error.detail);
    }
    throw error;
  }
  try {
    const shown = talk.socket.getPeerX509Certificate();
    const shownId = shown ? deviceIdFromHash(Buffer.from(certificateKeyHash(shown), 'hex')) : null;
    if (options.expectedHubDeviceId !== undefined && shownId !== options.expectedHubDeviceId) {
      throw new StationError('HUB_KEY_CHANGED', `the hub at ${options.address.host}:${options.address.port} shows device ${shownId ? shortDeviceId(shownId) : '(none)'}, not ${shortDeviceId(options.expectedHubDeviceId)} that was found on the network`);
    }
    talk.send({ type: 'pair.hello', method: 'code', label: options.label });
    const challenge = expect(await talk.next(), 'pair.challenge');
    const srp = new SrpSeat(Buffer.from(challenge.salt, 'base64'), Buffer.from(challenge.B, 'base64'), options.code.replace(/\s/g, ''));
    const view = channelView(talk.socket, 'seat', certificate);
    talk.send({ type: 'pair.proof', A: srp.A.toString('base64'), M1: srp.M1.toString('base64') });
    const verified = expect(await talk.next(), 'pair.verified');
    if (!srp.hubProved(Buffer.from(verified.M2, 'base64'))) throw new StationError('PAIRING_RELAYED', 'the hub did not prove it knows the code');
    const hubBound = macMatches(bindingMac(srp.key, 'hub', view), Buffer.from(verified.mac, 'base64'));
    // Sent even when the hub's MAC failed, so the hub too sees the relay and counts it.
    talk.send({ type: 'pair.bind', mac: bindingMac(srp.key, 'seat', view).toString('base64') });
    if (!hubBound) throw new StationError('PAIRING_RELAYED', 'the hub saw another TLS session than this seat');
    const done = expect(await talk.next(), 'pair.done');
    checkGrant(done.grant, talk.socket, identity);
    return keep(options.dataDir, done.grant, options.address, []);
  } finally {
    talk.close();
  }
}

export interface RoomFileEnrolment {
  identity: DeviceIdentity;
  dataDir: string;
  /** A room file checked by readRoomFile. */
  roomFile: RoomFile;
  label: string;
  /** Called once the hub has filed the request and the seat waits for the invigilator. */
  onRequested?: () => void;
  /** The tokens to try, in order; by default all of the file's, from a random one on. */
  tokens?: readonly string[];
  timeoutMs?: number;
}

/**
 * Enrol with a room file: present a token to the hub the file names (pinned by the file) and wait for
 * the invigilator's decision. Tokens other seats have used are skipped; when every one is used the
 * answer is ENROLMENT_TOKEN_USED.
 */
export async function enrolWithRoomFile(options: RoomFileEnrolment): Promise<SeatMembership> {
  const { identity, roomFile } = options;
  const certificate = await selfSignedCertificateOf(identity);
  const tls = pinnedTls(identity, roomFile, certificate);
  const start = randomInt(roomFile.tokens.length);
  const tokens = options.tokens ?? [...roomFile.tokens.slice(start), ...roomFile.tokens.slice(0, start)];
  for (const token of tokens) {
    let unreachable: StationError | undefined;
    for (const address of roomFile.addresses) {
      let talk: Conversation;
      try {
        talk = await converse(address, tls, options.timeoutMs ?? 15_000);
      } catch (error) {
        const coded = hubErrorOf(error);
        // The file pins a hub; the one at its address is another: the file is not this room's.
        if (coded.code === 'HUB_KEY_CHANGED') throw new StationError('ROOM_FILE_INVALID', `the hub at ${address.host}:${address.port} is not the one that made the file (${coded.detail ?? ''})`);
        if (hungUp(coded)) throw new StationError('ROOM_FILE_INVALID', `the hub no longer takes enrolments: the file's tokens are past their time or enrolment was closed (${coded.detail ?? ''})`);
        if (coded.code !== 'HUB_UNREACHABLE') throw coded;
        unreachable = coded;
        continue;
      }
      unreachable = undefined;
      try {
        talk.send({ type: 'pair.hello', method: 'token', label: options.label, token });
        let frame = await talk.next();
        if (frame.type === 'pair.requested') {
          options.onRequested?.();
          frame = await talk.next();
        }
        const done = expect(frame, 'pair.done');
        checkGrant(done.grant, talk.socket, identity);
        if (done.grant.roomId !== roomFile.roomId) throw new StationError('ROOM_FILE_INVALID', 'the hub belongs to another room than the file');
        return keep(options.dataDir, done.grant, address, roomFile.addresses);
      } catch (error) {
        if (error instanceof StationError && error.code === 'ENROLMENT_TOKEN_USED') break;
        throw error;
      } finally {
        talk.close();
      }
    }
    // No address of the file answered: trying the other tokens would not help.
    if (unreachable) throw unreachable;
  }
  throw new StationError('ENROLMENT_TOKEN_USED', `all ${tokens.length} tokens tried`);
}
