// Checking and opening a package: the signature and the manifest's promises (venue, validity window,
// ciphertext hash) are checked before anything is stored; decryption needs the key. The content is
// reached frame by frame (one chunk of ciphertext with its tag), so a large package is never held
// whole: opening verifies every frame once and indexes the archive; a media file is decrypted from
// just the frames it spans, each authenticated again as it is read.
import { createHash } from 'node:crypto';
import { PackageError } from '../../errors.ts';
import type { ExamContent } from '../../content/schema.ts';
import { referencedMedia } from '../../content/schema.ts';
import { upgradeContent } from '../../content/versions.ts';
import type { PackageManifest } from '../../contracts/package-manifest.ts';
import { indexArchive, type ArchiveEntry } from './archive.ts';
import { decodeHead, readManifest, type PackageContainer, type PackageHead } from './container.ts';
import { contentKeyFor, decryptFrame, frameLayout, parseContentKey, sha256Hex, type CipherParams } from './crypto.ts';
import { checkSigner, verifySignature, type TrustList } from './keys.ts';

export interface VerifyOptions {
  trust: TrustList;
  /** The venue code of this station; a package for another venue is refused. */
  venue: string;
  now: Date;
}

/**
 * Believe a head only once its signature checks out: the signer named in the (not yet trusted)
 * manifest must be trusted, its signature must cover the manifest bytes, and only then is the
 * manifest read (format version, schema) and its venue and window checked.
 */
export function verifyHead(head: PackageHead, options: VerifyOptions): PackageManifest {
  const raw = head.manifestJson as { signingKeyId?: unknown; createdAt?: unknown } | null;
  const keyId = typeof raw?.signingKeyId === 'string' ? raw.signingKeyId : undefined;
  const createdAt = typeof raw?.createdAt === 'string' ? raw.createdAt : undefined;
  if (!keyId || !createdAt) throw new PackageError('PACKAGE_MALFORMED', 'manifest names no signer or creation time');
  const signer = checkSigner(options.trust, keyId, createdAt);
  if (!signer.ok) throw new PackageError('PACKAGE_SIGNER_UNKNOWN', signer.why);
  if (!verifySignature(signer.key, head.manifestBytes, head.signature)) {
    throw new PackageError('PACKAGE_SIGNATURE_INVALID', `signature by ${keyId} does not match the manifest`);
  }
  const manifest = readManifest(head);
  checkUsable(manifest, options.venue, options.now);
  return manifest;
}

/** A whole package file in memory, verified (the package tool's verify, tests). */
export function verifyPackage(file: Buffer, options: VerifyOptions): PackageContainer {
  const head = decodeHead(file, file.length);
  const manifest = verifyHead(head, options);
  const ciphertext = file.subarray(head.ciphertextOffset);
  if (ciphertext.length !== manifest.cipher.ciphertextSize || sha256Hex(ciphertext) !== manifest.cipher.ciphertextSha256) {
    throw new PackageError('PACKAGE_CONTENT_ALTERED', `ciphertext is ${ciphertext.length} bytes or its hash differs from the signed manifest`);
  }
  return { manifest, manifestBytes: head.manifestBytes, signature: head.signature, ciphertext };
}

/** The manifest's venue and validity window, checked at import and again at unlock. */
export function checkUsable(manifest: PackageManifest, venue: string, now: Date): void {
  if (manifest.venue !== 'any' && manifest.venue !== venue) {
    throw new PackageError('PACKAGE_WRONG_VENUE', `package is for venue ${manifest.venue}, this station is ${venue}`);
  }
  if (now.getTime() < Date.parse(manifest.validFrom)) throw new PackageError('PACKAGE_NOT_YET_VALID', `valid from ${manifest.validFrom}`);
  if (now.getTime() > Date.parse(manifest.validUntil)) throw new PackageError('PACKAGE_EXPIRED', `valid until ${manifest.validUntil}`);
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

/** Frame `index` of the ciphertext, wherever it is kept (a database row, a file, a buffer). */
export type FrameSource = (index: number) => Buffer;

export interface OpenedPackage {
  content: ExamContent;
  /** Every file of the archive under media/. */
  mediaPaths: ReadonlySet<string>;
  /** A media file's bytes, decrypted from the frames it spans; undefined when there is no such file. */
  readMedia(path: string): Buffer | undefined;
}

/** The archive index as stored after an unlock: name → [offset, size]. */
export type ArchiveIndex = Record<string, [number, number]>;

/** Plaintext at any offset, decrypting (and authenticating) only the frames it needs; the last two are kept. */
function plaintextReader(frames: FrameSource, contentKey: Buffer, params: CipherParams): (offset: number, length: number) => Buffer {
  const cache = new Map<number, Buffer>();
  const chunk = (i: number): Buffer => {
    let plain = cache.get(i);
    if (!plain) {
      plain = decryptFrame(contentKey, params, i, frames(i));
      if (cache.size >= 2) cache.delete(cache.keys().next().value!);
      cache.set(i, plain);
    }
    return plain;
  };
  return (offset, length) => {
    if (length === 0) return Buffer.alloc(0);
    const first = Math.floor(offset / params.chunkSize);
    const last = Math.floor((offset + length - 1) / params.chunkSize);
    const parts: Buffer[] = [];
    for (let i = first; i <= last; i += 1) {
      const start = i === first ? offset - i * params.chunkSize : 0;
      const end = i === last ? offset + length - i * params.chunkSize : params.chunkSize;
      parts.push(chunk(i).subarray(start, end));
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  };
}

function contentFrom(manifest: PackageManifest, read: (offset: number, length: number) => Buffer, index: Map<string, ArchiveEntry>): OpenedPackage {
  const entry = index.get('content.json');
  if (!entry) throw new PackageError('PACKAGE_MALFORMED', 'archive has no content.json');
  let raw: unknown;
  try {
    raw = JSON.parse(read(entry.offset, entry.size).toString('utf8'));
  } catch {
    throw new PackageError('PACKAGE_MALFORMED', 'content.json is not JSON');
  }
  const content = upgradeContent(raw);
  if (content.examId !== manifest.examId) throw new PackageError('PACKAGE_MALFORMED', `content is exam ${content.examId}, manifest says ${manifest.examId}`);
  const mediaPaths = new Set([...index.keys()].filter((name) => name.startsWith('media/')));
  const missing = referencedMedia(content).find((path) => !mediaPaths.has(path));
  if (missing) throw new PackageError('PACKAGE_MALFORMED', `content refers to ${missing}, which the package does not carry`);
  return {
    content,
    mediaPaths,
    readMedia(path) {
      const media = mediaPaths.has(path) ? index.get(path) : undefined;
      return media ? Buffer.from(read(media.offset, media.size)) : undefined;
    },
  };
}

/**
 * Open with a key (typed, or as stored): every frame is decrypted and authenticated once, the whole
 * plaintext is checked against the manifest's hash, and the archive is indexed. Returns the package
 * and its index, which lets a later open skip the full pass. Nothing here touches storage.
 */
export function openFrames(manifest: PackageManifest, frames: FrameSource, typedKey: string): { opened: OpenedPackage; index: ArchiveIndex } {
  const params = cipherParamsOf(manifest);
  const contentKey = contentKeyFor(parseContentKey(typedKey), params);
  frameLayout(params);
  const hash = createHash('sha256');
  for (let i = 0; i < params.chunkCount; i += 1) hash.update(decryptFrame(contentKey, params, i, frames(i)));
  if (hash.digest('hex') !== manifest.content.sha256) throw new PackageError('PACKAGE_CONTENT_ALTERED', 'decrypted content hash differs from the manifest');
  const read = plaintextReader(frames, contentKey, params);
  const entries = indexArchive(read, params.plainSize);
  const index: ArchiveIndex = Object.fromEntries([...entries].map(([name, e]) => [name, [e.offset, e.size]]));
  return { opened: contentFrom(manifest, read, entries), index };
}

/** Reopen with the stored key and index (after a restart): each read still authenticates its frames. */
export function reopenFrames(manifest: PackageManifest, frames: FrameSource, key: string, index: ArchiveIndex): OpenedPackage {
  const params = cipherParamsOf(manifest);
  const read = plaintextReader(frames, contentKeyFor(parseContentKey(key), params), params);
  const entries = new Map(Object.entries(index).map(([name, [offset, size]]) => [name, { offset, size }]));
  return contentFrom(manifest, read, entries);
}

/** Frames of a whole ciphertext in memory, at the offsets the manifest's layout gives. */
export function framesOf(manifest: PackageManifest, ciphertext: Buffer): FrameSource {
  const layout = frameLayout(cipherParamsOf(manifest));
  if (ciphertext.length !== layout.ciphertextSize) throw new PackageError('PACKAGE_CONTENT_ALTERED', 'ciphertext length does not match the manifest');
  const offsets: number[] = [0];
  for (let i = 0; i < manifest.cipher.chunkCount; i += 1) offsets.push(offsets[i]! + layout.frameBytes(i));
  return (i) => ciphertext.subarray(offsets[i]!, offsets[i + 1]!);
}

/** Decrypt a whole ciphertext in memory with a typed key and check everything inside. */
export function openPackage(manifest: PackageManifest, ciphertext: Buffer, typedKey: string): OpenedPackage {
  return openFrames(manifest, framesOf(manifest, ciphertext), typedKey).opened;
}
