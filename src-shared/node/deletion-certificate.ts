// The deletion certificate's hashes and signature, for the hub that writes it and the central API that
// keeps it (the format is src-shared/contracts/deletion-certificate.ts). The hub signs with its
// enrolled Ed25519 device key; the centre verifies with the public key it enrolled. What is signed is a
// line naming the format, then the certificate's canonical JSON (src-shared/canonical-json.ts), so the
// signature can never be read as one over a request or any other text the device key signs.
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../canonical-json.ts';
import {
  DeletionCertificate,
  DELETION_KINDS,
  deletionManifestText,
  receiptStablePart,
  SignedDeletionCertificate,
  type DeletionItem,
  type DeletionKind,
  type ReceiptLike,
} from '../contracts/deletion-certificate.ts';

/** The first line of the signed text. */
export const DELETION_CERTIFICATE_SIGNING_CONTEXT = 'exam-station deletion certificate v1';

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The exact text the signature is over. */
export function deletionCertificateSigningText(certificate: DeletionCertificate): string {
  return `${DELETION_CERTIFICATE_SIGNING_CONTEXT}\n${canonicalJson(certificate)}`;
}

/** SHA-256 of the signed text: names one certificate body (the centre keeps it to tell a resend from another body). */
export function deletionCertificateSha256(certificate: DeletionCertificate): string {
  return sha256Hex(deletionCertificateSigningText(certificate));
}

/** SHA-256 (hex) of a kind's manifest: the entries in any order (see deletionManifestText). */
export function deletionManifestSha256(kind: DeletionKind, entries: Iterable<string>): string {
  return sha256Hex(deletionManifestText(kind, entries).text);
}

/**
 * A certificate item from the entries deleted of one kind (deletionEntry builds them); `bytes` for
 * the audio kinds (recordings, audio-segments), the sum of what was deleted.
 */
export function deletionItem(kind: DeletionKind, entries: Iterable<string>, bytes?: number): DeletionItem {
  const { text, count } = deletionManifestText(kind, entries);
  if (DELETION_KINDS[kind].bytes !== (bytes !== undefined)) throw new TypeError(DELETION_KINDS[kind].bytes ? `${kind} needs the bytes deleted` : `${kind} has no bytes`);
  return { kind, count, sha256: sha256Hex(text), ...(bytes === undefined ? {} : { bytes }) };
}

/** Sign a certificate (checked against the format first) with the hub's Ed25519 device key. */
export function signDeletionCertificate(certificate: DeletionCertificate, privateKey: KeyObject): SignedDeletionCertificate {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError(`a deletion certificate is signed with an Ed25519 key, not ${privateKey.asymmetricKeyType}`);
  const checked = DeletionCertificate.parse(certificate);
  return { certificate: checked, signature: sign(null, Buffer.from(deletionCertificateSigningText(checked), 'utf8'), privateKey).toString('base64') };
}

/**
 * True when `signed` is a certificate of the format and its signature verifies with `publicKey`.
 * Anything else (another shape, a changed field, another key, a malformed signature) is false.
 */
export function verifyDeletionCertificate(signed: unknown, publicKey: KeyObject): boolean {
  const parsed = SignedDeletionCertificate.safeParse(signed);
  if (!parsed.success) return false;
  const signature = Buffer.from(parsed.data.signature, 'base64');
  if (signature.length !== 64) return false;
  try {
    return verify(null, Buffer.from(deletionCertificateSigningText(parsed.data.certificate), 'utf8'), publicKey, signature);
  } catch {
    // A key of another type or a malformed key is a failed verification, like a wrong signature.
    return false;
  }
}

/**
 * The hash both sides compare for a candidate's receipt: SHA-256 (hex) of the canonical JSON of the
 * receipt's stable part (receiptStablePart: without receiptId, issuedAt and the candidate's names), so
 * two issues for the same held data have the same hash. Takes the signed receipt or the receipt itself;
 * the caller verifies the centre's signature first (verifyReceipt).
 */
export function receiptSha256(signedOrReceipt: { receipt: ReceiptLike } | ReceiptLike): string {
  // A signed receipt carries the receipt under `receipt`; a receipt itself has its id at the top.
  const receipt = typeof (signedOrReceipt as { receiptId?: unknown }).receiptId === 'string' ? (signedOrReceipt as ReceiptLike) : (signedOrReceipt as { receipt: ReceiptLike }).receipt;
  return sha256Hex(canonicalJson(receiptStablePart(receipt)));
}
