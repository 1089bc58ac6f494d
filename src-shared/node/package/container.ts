// The package file's outer layout: "EXSTPKG" and a layout digit, u32 manifest length, manifest (UTF-8
// JSON, the signed bytes), u16 signature length, Ed25519 signature, then the ciphertext frames to the
// end of the file. The framing is the same for every layout version, so a reader can always find and
// check the signature first: only a signed manifest is believed, including what it says about the
// format. A damaged byte in the magic or the manifest therefore reads as damage, never as "made for
// a newer version".
import { PackageError } from '../../errors.ts';
import { PACKAGE_FORMAT_VERSION, PACKAGE_MAGIC, PackageManifest } from '../../contracts/package-manifest.ts';

const MAGIC = Buffer.from(PACKAGE_MAGIC, 'ascii');
const MAGIC_STEM = MAGIC.subarray(0, MAGIC.length - 1);
const MAX_MANIFEST = 64 * 1024;
const SIGNATURE_BYTES = 64;
/** Enough of a file's start to hold its whole head: magic, lengths, the largest manifest, signature. */
export const MAX_HEAD_BYTES = MAGIC.length + 4 + MAX_MANIFEST + 2 + SIGNATURE_BYTES;

export interface PackageContainer {
  manifest: PackageManifest;
  manifestBytes: Buffer;
  signature: Buffer;
  ciphertext: Buffer;
}

/** The head of a package, framed but not yet believed: nothing in it is trusted before the signature. */
export interface PackageHead {
  /** The layout digit after "EXSTPKG" (NaN when it is not a digit). */
  layout: number;
  manifestBytes: Buffer;
  /** The manifest's JSON, parsed but not checked. */
  manifestJson: unknown;
  signature: Buffer;
  /** Where the ciphertext starts in the file. */
  ciphertextOffset: number;
}

const malformed = (why: string): never => {
  throw new PackageError('PACKAGE_MALFORMED', why);
};

export function encodeContainer(manifestBytes: Buffer, signature: Buffer, ciphertext: Buffer): Buffer {
  const manifestLength = Buffer.alloc(4);
  manifestLength.writeUInt32BE(manifestBytes.length);
  const signatureLength = Buffer.alloc(2);
  signatureLength.writeUInt16BE(signature.length);
  return Buffer.concat([MAGIC, manifestLength, manifestBytes, signatureLength, signature, ciphertext]);
}

/** Split the head off a package (the first bytes of the file, at least MAX_HEAD_BYTES or all of it). */
export function decodeHead(head: Buffer, fileSize: number): PackageHead {
  if (fileSize < MAGIC.length + 6 || head.length < MAGIC.length + 6) malformed('file is too short to be a package');
  if (!head.subarray(0, MAGIC_STEM.length).equals(MAGIC_STEM)) malformed('not an Exam Station package (bad magic)');
  const digit = head.subarray(MAGIC_STEM.length, MAGIC.length).toString('latin1');
  const layout = /^[0-9]$/.test(digit) ? Number(digit) : Number.NaN;
  let at = MAGIC.length;
  const manifestLength = head.readUInt32BE(at);
  at += 4;
  if (manifestLength === 0 || manifestLength > MAX_MANIFEST || at + manifestLength + 2 > Math.min(head.length, fileSize)) malformed('manifest length is out of range');
  const manifestBytes = head.subarray(at, at + manifestLength);
  at += manifestLength;
  const signatureLength = head.readUInt16BE(at);
  at += 2;
  if (signatureLength !== SIGNATURE_BYTES || at + signatureLength > Math.min(head.length, fileSize)) malformed('signature length is out of range');
  const signature = head.subarray(at, at + signatureLength);
  at += signatureLength;
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    return malformed('manifest is not JSON');
  }
  return { layout, manifestBytes, manifestJson, signature, ciphertextOffset: at };
}

/**
 * What a head says about itself, once its signature has been checked (or where nothing can check it,
 * such as the central API reading the agency's own upload): the format version, then the schema.
 */
export function readManifest(head: PackageHead): PackageManifest {
  const raw = head.manifestJson;
  const format = typeof raw === 'object' && raw !== null && 'packageFormat' in raw && typeof raw.packageFormat === 'number' ? raw.packageFormat : undefined;
  if (format === undefined || !Number.isInteger(format) || format < 1) return malformed('manifest has no package format');
  if (format > PACKAGE_FORMAT_VERSION) throw new PackageError('PACKAGE_FORMAT_TOO_NEW', `package format ${format}`);
  if (format < PACKAGE_FORMAT_VERSION) throw new PackageError('PACKAGE_FORMAT_TOO_OLD', `package format ${format}`);
  if (head.layout !== format) malformed(`the file layout (${Number.isNaN(head.layout) ? 'not a digit' : head.layout}) does not match the signed format ${format}: the file is damaged`);
  const parsed = PackageManifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return malformed(`manifest: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}

/** A whole package file in memory: head and ciphertext. Checks the layout and the manifest's schema, not the signature. */
export function decodeContainer(file: Buffer): PackageContainer {
  const head = decodeHead(file, file.length);
  const manifest = readManifest(head);
  return { manifest, manifestBytes: head.manifestBytes, signature: head.signature, ciphertext: file.subarray(head.ciphertextOffset) };
}
