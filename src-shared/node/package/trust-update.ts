// A signed update of the trust list: how the package signing keys a station trusts change after it was
// installed (a rotation, a revocation) without shipping a new app and without anyone editing a file.
// The exam centre signs the new list with a key the station already trusts; the station verifies the
// signature before it replaces anything. Updates are numbered: only a higher number than the list in
// effect is taken, so an old update cannot bring back a revoked key.
import { z } from 'zod';
import { canonicalJson } from '../../canonical-json.ts';
import { PackageError } from '../../errors.ts';
import { signBytes, TrustList, verifySignature, type SigningKey } from './keys.ts';

export const TRUST_UPDATE_KIND = 'exam-station-trust-update';
export const TRUST_UPDATE_SUFFIX = '.examtrust';

/** What the exam centre signs: the whole new list, its number and when it was issued. */
export const TrustUpdatePayload = z.object({
  sequence: z.number().int().min(1),
  issuedAt: z.iso.datetime({ offset: true }),
  list: TrustList,
});
export type TrustUpdatePayload = z.infer<typeof TrustUpdatePayload>;

/** The file: the payload's exact signed bytes (base64) beside the signature, so nothing is re-serialised before it is checked. */
const TrustUpdateFile = z.object({
  kind: z.literal(TRUST_UPDATE_KIND),
  formatVersion: z.literal(1),
  payload: z.base64(),
  signingKeyId: z.string().min(1).max(64),
  signature: z.base64(),
});

/** The list in effect and its number (0: the list shipped with the app). */
export interface TrustState {
  list: TrustList;
  sequence: number;
  issuedAt: string | null;
}

export function signTrustUpdate(key: SigningKey, payload: TrustUpdatePayload): Buffer {
  const bytes = Buffer.from(canonicalJson(TrustUpdatePayload.parse(payload)), 'utf8');
  const file = { kind: TRUST_UPDATE_KIND, formatVersion: 1, payload: bytes.toString('base64'), signingKeyId: key.keyId, signature: signBytes(key, bytes).toString('base64') };
  return Buffer.from(`${JSON.stringify(file, null, 2)}\n`, 'utf8');
}

/**
 * The state after `file`, if it is an update the station may take over `current`: signed by a key
 * that is active in the current list, numbered above it, and leaving at least one active key (a list
 * without one would leave the station unable to take any package or update again). Otherwise a
 * PackageError: TRUST_UPDATE_INVALID, TRUST_UPDATE_SIGNATURE or TRUST_UPDATE_STALE.
 */
export function verifyTrustUpdate(file: Uint8Array, current: TrustState): TrustState {
  let outer: z.infer<typeof TrustUpdateFile>;
  try {
    outer = TrustUpdateFile.parse(JSON.parse(Buffer.from(file).toString('utf8')));
  } catch (error) {
    throw new PackageError('TRUST_UPDATE_INVALID', `not a trust-list update: ${(error as Error).message.slice(0, 200)}`);
  }
  const payloadBytes = Buffer.from(outer.payload, 'base64');
  // Believe nothing of the payload before its signature is checked.
  const signer = current.list.keys.find((k) => k.keyId === outer.signingKeyId);
  if (!signer || signer.status !== 'active') throw new PackageError('TRUST_UPDATE_SIGNATURE', `key ${outer.signingKeyId} is ${signer ? signer.status : 'not trusted'} in the list in effect`);
  if (!verifySignature(signer, payloadBytes, Buffer.from(outer.signature, 'base64'))) throw new PackageError('TRUST_UPDATE_SIGNATURE', `the signature by ${outer.signingKeyId} does not match the update`);
  let payload: TrustUpdatePayload;
  try {
    payload = TrustUpdatePayload.parse(JSON.parse(payloadBytes.toString('utf8')));
  } catch (error) {
    throw new PackageError('TRUST_UPDATE_INVALID', `a signed update that is not a trust list: ${(error as Error).message.slice(0, 200)}`);
  }
  if (payload.sequence <= current.sequence) throw new PackageError('TRUST_UPDATE_STALE', `update ${payload.sequence}, the list in effect is ${current.sequence}`);
  if (!payload.list.keys.some((k) => k.status === 'active')) throw new PackageError('TRUST_UPDATE_INVALID', 'the new list has no active key');
  return { list: payload.list, sequence: payload.sequence, issuedAt: payload.issuedAt };
}
