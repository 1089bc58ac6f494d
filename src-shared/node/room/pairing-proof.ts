// The cryptography of pairing by code, shared by the hub (SRP server) and the seat (SRP client).
//
// Both sides run SRP-6a with the HomeKit parameters (3072-bit group, SHA-512) and the 8-digit code as
// the password, so neither side learns the code from the other and an eavesdropper or a fake hub gets
// at most one guess per conversation, never an offline dictionary attack. SRP alone would not notice a
// relay: a device between the two that terminates the seat's TLS and opens its own TLS to the hub can
// pass the SRP messages along unchanged. So each side then MACs what it sees of its own TLS session
// with a key derived from SRP's session key: the session's keying material exporter (RFC 8446 7.5,
// unique to one TLS session) and the SHA-256 fingerprints of the hub's and the seat's certificates.
// Behind a relay the two TLS sessions differ, so each side's MAC fails at the other: neither the seat
// nor the hub completes, and the relay, which lacks the code, cannot compute the MACs itself.
import { SRP, SrpClient, SrpServer } from 'fast-srp-hap';
import { createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual, type X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { certificateFingerprint } from './certificates.ts';

const PARAMS = SRP.params.hap;
/** SRP's user name: there is one "user", the seat that holds the code. */
const IDENTITY = Buffer.from('exam-station-seat');
export const EXPORTER_LABEL = 'EXPORTER-exam-station-pairing';
const MAC_INFO = Buffer.from('exam-station pairing channel binding v1');

/** A fresh 8-digit pairing code. */
export function newPairingCode(): string {
  return String(randomInt(0, 100_000_000)).padStart(8, '0');
}

/** What the hub keeps of a code: its salt and SRP verifier (the code itself is only shown). */
export interface CodeVerifier {
  salt: Buffer;
  verifier: Buffer;
}

export function codeVerifier(code: string): CodeVerifier {
  const salt = randomBytes(16);
  return { salt, verifier: SRP.computeVerifier(PARAMS, salt, IDENTITY, Buffer.from(code, 'utf8')) };
}

/** The hub's half of one SRP conversation. */
export class SrpHub {
  private readonly server: SrpServer;
  readonly salt: Buffer;

  constructor(code: CodeVerifier) {
    this.salt = code.salt;
    this.server = new SrpServer(PARAMS, { username: IDENTITY, salt: code.salt, verifier: code.verifier }, randomBytes(32));
  }

  get B(): Buffer {
    return this.server.computeB();
  }

  /** The session key and M2 when the seat's M1 proves it used the same code; undefined when it did not. */
  prove(A: Buffer, M1: Buffer): { key: Buffer; M2: Buffer } | undefined {
    try {
      this.server.setA(A);
      this.server.checkM1(M1);
    } catch {
      // A out of range, or M1 made with another code: the same failed proof either way.
      return undefined;
    }
    return { key: this.server.computeK(), M2: this.server.computeM2() };
  }
}

/** The seat's half of one SRP conversation. */
export class SrpSeat {
  private readonly client: SrpClient;

  constructor(salt: Buffer, B: Buffer, code: string) {
    this.client = new SrpClient(PARAMS, salt, IDENTITY, Buffer.from(code, 'utf8'), randomBytes(32));
    this.client.setB(B);
  }

  get A(): Buffer {
    return this.client.computeA();
  }

  get M1(): Buffer {
    return this.client.computeM1();
  }

  get key(): Buffer {
    return this.client.computeK();
  }

  /** Did the hub prove it knows the code? */
  hubProved(M2: Buffer): boolean {
    try {
      this.client.checkM2(M2);
      return true;
    } catch {
      return false;
    }
  }
}

/** What one side sees of its TLS session. */
export interface ChannelView {
  exporter: Buffer;
  hubCertificate: Buffer;
  seatCertificate: Buffer;
}

/** The view from one end of a TLS socket: `local` is this side's certificate, the peer's comes from the socket. */
export function channelView(socket: TLSSocket, role: 'hub' | 'seat', local: string | X509Certificate): ChannelView {
  const peer = socket.getPeerX509Certificate();
  if (!peer) throw new Error('the peer showed no certificate');
  // No context: in TLS 1.3 an empty context and none give the same value (RFC 8446, 7.5).
  const exporter = socket.exportKeyingMaterial(32, EXPORTER_LABEL, Buffer.alloc(0));
  const mine = certificateFingerprint(local);
  const theirs = certificateFingerprint(peer);
  return role === 'hub' ? { exporter, hubCertificate: mine, seatCertificate: theirs } : { exporter, hubCertificate: theirs, seatCertificate: mine };
}

/**
 * The MAC `role` sends over its view of the channel. The role is part of the MAC, so one side's MAC
 * sent back to it does not pass as the other's.
 */
export function bindingMac(sessionKey: Buffer, role: 'hub' | 'seat', view: ChannelView): Buffer {
  const macKey = Buffer.from(hkdfSync('sha256', sessionKey, Buffer.alloc(0), MAC_INFO, 32));
  return createHmac('sha256', macKey).update(role).update(view.exporter).update(view.hubCertificate).update(view.seatCertificate).digest();
}

export function macMatches(expected: Buffer, received: Buffer): boolean {
  return expected.length === received.length && timingSafeEqual(expected, received);
}
