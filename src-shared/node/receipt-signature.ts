// A receipt's signature: the centre signs the canonical JSON (keys sorted) of the receipt with its
// Ed25519 receipt key; the hub verifies it with the key from /v1/receipt-keys. One implementation for
// both sides.
import { createPublicKey, verify } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';
import type { SignedReceipt, SignedStreamAcknowledgement } from '../contracts/central-api.ts';

function verifyCanonical(value: unknown, signatureBase64: string, publicKeySpki: string): boolean {
  const key = createPublicKey({ key: Buffer.from(publicKeySpki, 'base64'), format: 'der', type: 'spki' });
  const signature = Buffer.from(signatureBase64, 'base64');
  return signature.length === 64 && verify(null, Buffer.from(canonicalJson(value), 'utf8'), key, signature);
}

export function verifyReceipt(signed: SignedReceipt, publicKeySpki: string): boolean {
  return verifyCanonical(signed.receipt, signed.signature, publicKeySpki);
}

/** The centre's statement of what it acknowledged of a venue's streams (signed like a receipt; its `purpose` tells the two apart). */
export function verifyStreamAcknowledgement(signed: SignedStreamAcknowledgement, publicKeySpki: string): boolean {
  return verifyCanonical(signed.statement, signed.signature, publicKeySpki);
}
