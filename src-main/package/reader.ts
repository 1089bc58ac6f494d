// Checking and opening a package on a station: the signature and the manifest's promises (venue,
// validity window, ciphertext hash) are checked before anything is stored; decryption needs the key.
import { StationError } from '../../src-shared/errors.ts';
import type { ExamContent } from '../../src-shared/content/schema.ts';
import { referencedMedia } from '../../src-shared/content/schema.ts';
import { upgradeContent } from '../../src-shared/content/versions.ts';
import type { PackageManifest } from '../../src-shared/package/manifest.ts';
import { decodeArchive } from './archive.ts';
import { decodeContainer, type PackageContainer } from './container.ts';
import { decryptContent, parseContentKey, sha256Hex, type CipherParams } from './crypto.ts';
import { checkSigner, verifySignature, type TrustList } from './keys.ts';

export interface VerifyOptions {
  trust: TrustList;
  /** The venue code of this station; a package for another venue is refused. */
  venue: string;
  now: Date;
}

export function verifyPackage(file: Buffer, options: VerifyOptions): PackageContainer {
  const container = decodeContainer(file);
  const { manifest } = container;
  const signer = checkSigner(options.trust, manifest.signingKeyId, manifest.createdAt);
  if (!signer.ok) throw new StationError('PACKAGE_SIGNER_UNKNOWN', signer.why);
  if (!verifySignature(signer.key, container.manifestBytes, container.signature)) {
    throw new StationError('PACKAGE_SIGNATURE_INVALID', `signature by ${manifest.signingKeyId} does not match the manifest`);
  }
  if (container.ciphertext.length !== manifest.cipher.ciphertextSize || sha256Hex(container.ciphertext) !== manifest.cipher.ciphertextSha256) {
    throw new StationError('PACKAGE_CONTENT_ALTERED', `ciphertext is ${container.ciphertext.length} bytes or its hash differs from the signed manifest`);
  }
  checkUsable(manifest, options.venue, options.now);
  return container;
}

/** The manifest's venue and validity window, checked at import and again at unlock. */
export function checkUsable(manifest: PackageManifest, venue: string, now: Date): void {
  if (manifest.venue !== 'any' && manifest.venue !== venue) {
    throw new StationError('PACKAGE_WRONG_VENUE', `package is for venue ${manifest.venue}, this station is ${venue}`);
  }
  if (now.getTime() < Date.parse(manifest.validFrom)) throw new StationError('PACKAGE_NOT_YET_VALID', `valid from ${manifest.validFrom}`);
  if (now.getTime() > Date.parse(manifest.validUntil)) throw new StationError('PACKAGE_EXPIRED', `valid until ${manifest.validUntil}`);
}

export interface OpenedPackage {
  content: ExamContent;
  media: Map<string, Buffer>;
}

/** The decryption parameters the signed manifest promises. */
export function cipherParamsOf(manifest: PackageManifest): CipherParams {
  return {
    packageId: manifest.packageId,
    noncePrefix: Buffer.from(manifest.cipher.noncePrefix, 'base64'),
    chunkSize: manifest.cipher.chunkSize,
    chunkCount: manifest.cipher.chunkCount,
    plainSize: manifest.content.size,
    keyCheck: Buffer.from(manifest.cipher.keyCheck, 'base64'),
  };
}

/** Decrypt with a typed key and check everything inside. Nothing here touches storage. */
export function openPackage(manifest: PackageManifest, ciphertext: Buffer, typedKey: string): OpenedPackage {
  const plain = decryptContent(ciphertext, parseContentKey(typedKey), cipherParamsOf(manifest));
  if (sha256Hex(plain) !== manifest.content.sha256) throw new StationError('PACKAGE_CONTENT_ALTERED', 'decrypted content hash differs from the manifest');
  const entries = decodeArchive(plain);
  const contentBytes = entries.get('content.json');
  if (!contentBytes) throw new StationError('PACKAGE_MALFORMED', 'archive has no content.json');
  let raw: unknown;
  try {
    raw = JSON.parse(contentBytes.toString('utf8'));
  } catch {
    throw new StationError('PACKAGE_MALFORMED', 'content.json is not JSON');
  }
  const content = upgradeContent(raw);
  if (content.examId !== manifest.examId) throw new StationError('PACKAGE_MALFORMED', `content is exam ${content.examId}, manifest says ${manifest.examId}`);
  const media = new Map([...entries].filter(([name]) => name.startsWith('media/')));
  const missing = referencedMedia(content).find((path) => !media.has(path));
  if (missing) throw new StationError('PACKAGE_MALFORMED', `content refers to ${missing}, which the package does not carry`);
  return { content, media };
}
