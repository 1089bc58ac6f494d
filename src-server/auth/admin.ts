// Agency staff: an admin token from the environment (or only its SHA-256), compared in constant time.
// The embedded default generates one at first start, prints it once and keeps only its hash;
// `npm run server -- new-admin-token` replaces it when it is lost.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';

export const ADMIN_ACTOR = 'agency-admin';

export const tokenSha256 = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export type AdminTokenSource = 'ADMIN_TOKEN_SHA256' | 'ADMIN_TOKEN' | 'file' | 'generated';

/** Where the admin token's hash comes from: ADMIN_TOKEN_SHA256, then ADMIN_TOKEN, then a file in the
 *  data folder, which the first start writes (printing the token once). A hash from the file is read
 *  again when the file changes, so `new-admin-token` takes effect without a restart. */
export interface AdminToken {
  source: AdminTokenSource;
  hashFile: string;
  /** The token itself, only on the start that generated it. */
  generatedToken?: string;
  /** The hash to compare with now. */
  currentHash(): string;
}

export function resolveAdminToken(options: { adminToken?: string | undefined; adminTokenSha256?: string | undefined; hashFile: string }): AdminToken {
  const { hashFile } = options;
  if (options.adminTokenSha256) {
    const hash = options.adminTokenSha256;
    return { source: 'ADMIN_TOKEN_SHA256', hashFile, currentHash: () => hash };
  }
  if (options.adminToken) {
    const hash = tokenSha256(options.adminToken);
    return { source: 'ADMIN_TOKEN', hashFile, currentHash: () => hash };
  }
  let generatedToken: string | undefined;
  if (!existsSync(hashFile)) generatedToken = writeNewAdminToken(hashFile);
  let seen = { mtimeMs: -1, size: -1, hash: '' };
  const currentHash = (): string => {
    const stat = statSync(hashFile, { throwIfNoEntry: false });
    if (!stat) return seen.hash; // removed while running: the last hash read stands until a new one is written
    if (stat.mtimeMs !== seen.mtimeMs || stat.size !== seen.size) {
      const hash = readFileSync(hashFile, 'utf8').trim();
      if (!/^[0-9a-f]{64}$/.test(hash)) throw new ApiError('INTERNAL', `${hashFile} does not hold a SHA-256 in hex; run \`npm run server -- new-admin-token\``);
      seen = { mtimeMs: stat.mtimeMs, size: stat.size, hash };
    }
    return seen.hash;
  };
  currentHash();
  return { source: generatedToken ? 'generated' : 'file', hashFile, ...(generatedToken ? { generatedToken } : {}), currentHash };
}

/** A new random admin token: its hash replaces the file's (atomically), the token is returned once. */
export function writeNewAdminToken(hashFile: string): string {
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dirname(hashFile), { recursive: true });
  const temp = `${hashFile}.${process.pid}.tmp`;
  writeFileSync(temp, `${tokenSha256(token)}\n`, { mode: 0o600 });
  renameSync(temp, hashFile);
  return token;
}

export function requireAdmin(expectedHash: () => string) {
  return async (request: FastifyRequest): Promise<void> => {
    const expected = Buffer.from(expectedHash(), 'hex');
    const value = request.headers.authorization;
    const token = typeof value === 'string' && value.startsWith('Bearer ') ? value.slice(7).trim() : undefined;
    if (!token) throw new ApiError('ADMIN_AUTH_REQUIRED');
    const given = Buffer.from(tokenSha256(token), 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ApiError('ADMIN_AUTH_REQUIRED', 'the admin token is not valid');
  };
}
