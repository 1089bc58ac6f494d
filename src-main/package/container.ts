// The package file's outer layout: "EXSTPKG1", u32 manifest length, manifest (UTF-8 JSON, the signed
// bytes), u16 signature length, Ed25519 signature, then the ciphertext frames to the end of the file.
import { StationError } from '../../src-shared/errors.ts';
import { PACKAGE_FORMAT_VERSION, PACKAGE_MAGIC, PackageManifest } from '../../src-shared/package/manifest.ts';

const MAGIC = Buffer.from(PACKAGE_MAGIC, 'ascii');
const MAX_MANIFEST = 64 * 1024;

export interface PackageContainer {
  manifest: PackageManifest;
  manifestBytes: Buffer;
  signature: Buffer;
  ciphertext: Buffer;
}

export function encodeContainer(manifestBytes: Buffer, signature: Buffer, ciphertext: Buffer): Buffer {
  const manifestLength = Buffer.alloc(4);
  manifestLength.writeUInt32BE(manifestBytes.length);
  const signatureLength = Buffer.alloc(2);
  signatureLength.writeUInt16BE(signature.length);
  return Buffer.concat([MAGIC, manifestLength, manifestBytes, signatureLength, signature, ciphertext]);
}

/** Split a package file into its parts. Checks the layout and the manifest's schema, not the signature. */
export function decodeContainer(file: Buffer): PackageContainer {
  const malformed = (why: string): never => {
    throw new StationError('PACKAGE_MALFORMED', why);
  };
  if (file.length < MAGIC.length + 6) malformed('file is too short to be a package');
  if (!file.subarray(0, MAGIC.length).equals(MAGIC)) {
    // An older or newer layout announces itself in the magic's last character.
    const head = file.subarray(0, MAGIC.length - 1).toString('latin1');
    if (head === PACKAGE_MAGIC.slice(0, -1)) {
      const version = Number(file.subarray(MAGIC.length - 1, MAGIC.length).toString('latin1'));
      if (version > PACKAGE_FORMAT_VERSION) throw new StationError('PACKAGE_FORMAT_TOO_NEW', `package layout ${version}`);
      throw new StationError('PACKAGE_FORMAT_TOO_OLD', `package layout ${version}`);
    }
    malformed('not an Exam Station package (bad magic)');
  }
  let at = MAGIC.length;
  const manifestLength = file.readUInt32BE(at);
  at += 4;
  if (manifestLength === 0 || manifestLength > MAX_MANIFEST || at + manifestLength + 2 > file.length) malformed('manifest length is out of range');
  const manifestBytes = file.subarray(at, at + manifestLength);
  at += manifestLength;
  const signatureLength = file.readUInt16BE(at);
  at += 2;
  if (signatureLength !== 64 || at + signatureLength > file.length) malformed('signature length is out of range');
  const signature = file.subarray(at, at + signatureLength);
  at += signatureLength;
  let raw: unknown;
  try {
    raw = JSON.parse(manifestBytes.toString('utf8'));
  } catch {
    return malformed('manifest is not JSON');
  }
  if (typeof raw === 'object' && raw !== null && 'packageFormat' in raw && typeof raw.packageFormat === 'number' && raw.packageFormat > PACKAGE_FORMAT_VERSION) {
    throw new StationError('PACKAGE_FORMAT_TOO_NEW', `package format ${raw.packageFormat}`);
  }
  const parsed = PackageManifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return malformed(`manifest: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
  }
  return { manifest: parsed.data, manifestBytes, signature, ciphertext: file.subarray(at) };
}
