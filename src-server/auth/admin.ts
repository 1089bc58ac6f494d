// Agency staff: an admin token from the environment (or only its SHA-256), compared in constant time.
// The embedded default generates one at first start, prints it once and keeps only its hash.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { ApiError } from '../errors.ts';

export const ADMIN_ACTOR = 'agency-admin';

export const tokenSha256 = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** The hash to check against: from ADMIN_TOKEN / ADMIN_TOKEN_SHA256, or a file in the data folder. */
export function resolveAdminTokenHash(options: { adminToken?: string | undefined; adminTokenSha256?: string | undefined; hashFile: string }): { hash: string; generatedToken?: string } {
  if (options.adminTokenSha256) return { hash: options.adminTokenSha256 };
  if (options.adminToken) return { hash: tokenSha256(options.adminToken) };
  if (existsSync(options.hashFile)) return { hash: readFileSync(options.hashFile, 'utf8').trim() };
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dirname(options.hashFile), { recursive: true });
  writeFileSync(options.hashFile, `${tokenSha256(token)}\n`, { mode: 0o600 });
  return { hash: tokenSha256(token), generatedToken: token };
}

export function requireAdmin(expectedHash: string) {
  const expected = Buffer.from(expectedHash, 'hex');
  return async (request: FastifyRequest): Promise<void> => {
    const value = request.headers.authorization;
    const token = typeof value === 'string' && value.startsWith('Bearer ') ? value.slice(7).trim() : undefined;
    if (!token) throw new ApiError('ADMIN_AUTH_REQUIRED');
    const given = Buffer.from(tokenSha256(token), 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ApiError('ADMIN_AUTH_REQUIRED', 'the admin token is not valid');
  };
}
