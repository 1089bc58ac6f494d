// The signed manifest of an exam package: what the package is, where and when it may be used, and the
// parameters needed to check and decrypt its content. The bytes of the manifest are what is signed.
import { z } from 'zod';

export const PACKAGE_FORMAT_VERSION = 1;
export const PACKAGE_MAGIC = 'EXSTPKG1';
export const CIPHER_ALGORITHM = 'aes-256-gcm-chunked';

const b64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/);
const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
const isoInstant = z.iso.datetime({ offset: true });

export const PackageManifest = z.object({
  packageFormat: z.literal(PACKAGE_FORMAT_VERSION),
  packageId: z.string().uuid(),
  examId: z.string().min(1).max(64),
  examVersion: z.number().int().min(1),
  title: z.string().min(1).max(300),
  contentFormatVersion: z.number().int().min(1),
  /** The venue code the package is for, or "any". */
  venue: z.string().min(1).max(64),
  validFrom: isoInstant,
  validUntil: isoInstant,
  createdAt: isoInstant,
  signingKeyId: z.string().min(1).max(64),
  /** The archive inside the ciphertext: hash and size after decryption. */
  content: z.object({ sha256: sha256Hex, size: z.number().int().min(0) }),
  cipher: z.object({
    algorithm: z.literal(CIPHER_ALGORITHM),
    kdf: z.literal('hkdf-sha256'),
    chunkSize: z.number().int().min(1024).max(16 * 1024 * 1024),
    chunkCount: z.number().int().min(1),
    noncePrefix: b64,
    /** A check value derived from the key, so a wrong key is told apart from altered content. */
    keyCheck: b64,
    ciphertextSha256: sha256Hex,
    ciphertextSize: z.number().int().min(0),
  }),
});
export type PackageManifest = z.infer<typeof PackageManifest>;

/** What a station shows about a package before it is unlocked. Carries nothing secret. */
export const PackageSummary = z.object({
  packageId: z.string(),
  examId: z.string(),
  examVersion: z.number(),
  title: z.string(),
  venue: z.string(),
  validFrom: z.string(),
  validUntil: z.string(),
  importedAt: z.string(),
  unlocked: z.boolean(),
});
export type PackageSummary = z.infer<typeof PackageSummary>;
