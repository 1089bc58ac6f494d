// A receipt's signature: the centre signs the canonical JSON (keys sorted) of the receipt with its
// Ed25519 receipt key; the hub verifies it with the key from /v1/receipt-keys. One implementation for
// both sides.
import { createPublicKey, verify } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';
import type { SignedReceipt } from '../contracts/central-api.ts';

export function verifyReceipt(signed: SignedReceipt, publicKeySpki: string): boolean {
  const key = createPublicKey({ key: Buffer.from(publicKeySpki, 'base64'), format: 'der', type: 'spki' });
  const signature = Buffer.from(signed.signature, 'base64');
  return signature.length === 64 && verify(null, Buffer.from(canonicalJson(signed.receipt), 'utf8'), key, signature);
}
