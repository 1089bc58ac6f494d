// How a seat reaches its hub: the TLS options that pin it, the URL, and what a failed connection means
// to the person at the seat. Trust is the room CA (`ca`) plus the hub's key hash, checked in
// checkServerIdentity in place of the host name, which changes with the venue's addresses.
import type { IncomingMessage } from 'node:http';
import type { PeerCertificate } from 'node:tls';
import type WebSocket from 'ws';
import type { HubAddress } from '../../src-shared/contracts/room-link.ts';
import { CodedError, StationError, type StationErrorBody } from '../../src-shared/errors.ts';
import { deviceIdFromHash, shortDeviceId } from '../../src-shared/rules/device-id.ts';
import { certificateKeyHash } from '../../src-shared/node/room/certificates.ts';
import type { DeviceIdentity } from '../../src-shared/node/room/identity.ts';

/** OpenSSL's verdicts for a certificate that does not chain to the CA the seat trusts: another room's hub. */
const NOT_OUR_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'INVALID_PURPOSE',
]);

export function hubUrl(address: HubAddress, path: string): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `wss://${host}:${address.port}${path}`;
}

function shortOfHash(hash: string): string {
  return shortDeviceId(deviceIdFromHash(Buffer.from(hash, 'hex')));
}

/** TLS 1.3 to the hub holding `hubKeyHash` with a certificate from `caCertificate`, showing `certificate`. */
export function pinnedTls(identity: DeviceIdentity, pin: { caCertificate: string; hubKeyHash: string }, certificate: string): WebSocket.ClientOptions {
  const checkServerIdentity = (_host: string, peer: PeerCertificate): Error | undefined => {
    const shown = certificateKeyHash(peer.raw);
    if (shown === pin.hubKeyHash) return undefined;
    return new StationError('HUB_KEY_CHANGED', `the hub shows key ${shortOfHash(shown)}, this seat is paired with ${shortOfHash(pin.hubKeyHash)}`);
  };
  return {
    key: identity.privateKey.export({ type: 'pkcs8', format: 'pem' }),
    cert: certificate,
    ca: [pin.caCertificate],
    rejectUnauthorized: true,
    minVersion: 'TLSv1.3',
    // ws passes this to Node's tls.connect, whose signature (an Error or nothing) its types do not know.
    checkServerIdentity: checkServerIdentity as unknown as WebSocket.ClientOptions['checkServerIdentity'],
  };
}

/** What a failed connection to the hub means: a hub that is not ours, or one that cannot be reached now. */
export function hubErrorOf(error: unknown): StationError {
  if (error instanceof StationError) return error;
  if (error instanceof CodedError) return new StationError(error.code, error.detail);
  const code = (error as { code?: unknown }).code;
  const message = (error as Error).message;
  if (typeof code === 'string' && NOT_OUR_CA.has(code)) return new StationError('HUB_KEY_CHANGED', `the hub's certificate is not from this seat's room (${code})`);
  return new StationError('HUB_UNREACHABLE', typeof code === 'string' ? `${code}: ${message}` : message);
}

/** Did the hub complete TLS and then hang up? It does that to a seat it does not know when nothing lets strangers in. */
export function hungUp(error: StationError): boolean {
  return error.code === 'HUB_UNREACHABLE' && /ECONNRESET|socket hang up/.test(error.detail ?? '');
}

/** The hub's refusal of an upgrade (an HTTP error with the catalogue's body), as an error. */
export async function refusalOf(response: IncomingMessage): Promise<StationError> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response) {
      size += (chunk as Buffer).length;
      if (size > 16 * 1024) break;
      chunks.push(chunk as Buffer);
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as StationErrorBody;
    return StationError.fromBody(body);
  } catch {
    return new StationError('HUB_UNREACHABLE', `the hub answered ${response.statusCode ?? '?'}`);
  }
}
