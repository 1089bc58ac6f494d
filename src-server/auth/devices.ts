// Venue devices: one-time enrollment codes, enrollment of a hub's public key, revocation, and the
// request hooks that admit only signed requests from an active device. A revoked device is refused
// on every route, because every device request looks its device row up afresh.
import { createHash, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql, type RawBuilder, type Transaction } from 'kysely';
import { appendAudit } from '../audit.ts';
import type { CentralDb } from '../db/database.ts';
import type { CentralTables } from '../db/tables.ts';
import { ApiError } from '../errors.ts';
import { EMPTY_SHA256, HEADERS, UNSIGNED_PAYLOAD, publicKeyFromBase64, signedHeadersOf, verifyRequestSignature } from '../../src-shared/node/request-signing.ts';

export interface AuthenticatedDevice {
  deviceId: string;
  venueId: string;
  publicKey: KeyObject;
}

declare module 'fastify' {
  interface FastifyRequest {
    device?: AuthenticatedDevice;
    /** SHA-256 of the raw body, set by the body parsers. */
    bodySha256?: string;
    /** The JSON body exactly as received (after its shape was checked, it can go to PostgreSQL as is). */
    rawJson?: Buffer;
    signedContentSha256?: string;
    /** Set when the route spends the nonce inside its own transaction (see spendNonce). */
    unspentNonce?: string;
  }
  interface FastifyContextConfig {
    /** The handler reads the body as a stream and checks its hash itself (tus PATCH). */
    streamBody?: boolean;
    /**
     * The handler spends the nonce and checks that the device is still active inside its own
     * transaction (push): the request then costs one commit, not two, and no extra device lookup.
     */
    authInTransaction?: boolean;
    /** What a 415 tells the client to send instead; application/json when not set. */
    bodyTypes?: string;
  }
}

const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 20 Crockford base32 characters (100 bits) in groups of four, easy to read out over the phone. */
export function generateEnrollmentCode(): string {
  const bytes = randomBytes(20);
  const chars = [...bytes].map((b) => CODE_ALPHABET[b & 31]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

export function normaliseEnrollmentCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export const hashEnrollmentCode = (code: string): string => createHash('sha256').update(normaliseEnrollmentCode(code)).digest('hex');

export async function createEnrollmentCode(db: CentralDb, venueId: string, ttlMs: number, actor: string): Promise<{ code: string; expiresAt: Date }> {
  const code = generateEnrollmentCode();
  const expiresAt = new Date(Date.now() + ttlMs);
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('enrollment_code').values({ code_sha256: hashEnrollmentCode(code), venue_id: venueId, expires_at: expiresAt }).execute();
    await appendAudit(trx, [{ actorKind: 'admin', actorId: actor, action: 'enrollment-code.created', venueId, detail: { expiresAt: expiresAt.toISOString() } }]);
  });
  return { code, expiresAt };
}

/** Exchange a one-time code for a device identity bound to the hub's public key. */
export async function enrollDevice(db: CentralDb, input: { code: string; name: string; publicKey: string }): Promise<{ deviceId: string; venueId: string; venueCode: string }> {
  let key: KeyObject;
  try {
    key = publicKeyFromBase64(input.publicKey);
  } catch {
    // Deliberate: the only thing parsed here is the hub's own input, and any failure means it is not a key.
    throw new ApiError('VALIDATION_FAILED', 'publicKey must be an Ed25519 SubjectPublicKeyInfo in DER, base64');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new ApiError('VALIDATION_FAILED', `publicKey is ${key.asymmetricKeyType}, expected ed25519`);
  const deviceId = randomUUID();
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('enrollment_code')
      .set({ used_at: new Date(), device_id: deviceId })
      .where('code_sha256', '=', hashEnrollmentCode(input.code))
      .where('used_at', 'is', null)
      .where('expires_at', '>', new Date())
      .returning('venue_id')
      .executeTakeFirst();
    if (!claimed) throw new ApiError('ENROLLMENT_CODE_INVALID');
    const existing = await trx.selectFrom('device').select('device_id').where('public_key', '=', input.publicKey).executeTakeFirst();
    if (existing) throw new ApiError('CONFLICT', 'this public key is already enrolled; generate a new key pair');
    await trx.insertInto('device').values({ device_id: deviceId, venue_id: claimed.venue_id, name: input.name, public_key: input.publicKey, status: 'active', acked_seq: 0 }).execute();
    const venue = await trx.selectFrom('venue').select('code').where('venue_id', '=', claimed.venue_id).executeTakeFirstOrThrow();
    await appendAudit(trx, [{ actorKind: 'device', actorId: deviceId, action: 'device.enrolled', venueId: claimed.venue_id, subject: deviceId, detail: { name: input.name } }]);
    return { deviceId, venueId: claimed.venue_id, venueCode: venue.code };
  });
}

/**
 * Revoke a device. The first revocation stands: revoking again is refused with when and why it
 * happened, so the record of the theft or loss is never overwritten by a later click.
 */
export async function revokeDevice(db: CentralDb, deviceId: string, reason: string, actor: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const current = await trx.selectFrom('device').select(['venue_id', 'status', 'revoked_at', 'revoked_reason']).where('device_id', '=', deviceId).forUpdate().executeTakeFirst();
    if (!current) throw new ApiError('NOT_FOUND', `device ${deviceId}`);
    if (current.status === 'revoked') {
      const at = current.revoked_at ? current.revoked_at.toISOString() : 'an unknown time';
      throw new ApiError('CONFLICT', `device ${deviceId} was already revoked at ${at} (reason: ${current.revoked_reason ?? 'none given'}); the first revocation stands`);
    }
    await trx.updateTable('device').set({ status: 'revoked', revoked_at: new Date(), revoked_reason: reason }).where('device_id', '=', deviceId).execute();
    await appendAudit(trx, [{ actorKind: 'admin', actorId: actor, action: 'device.revoked', venueId: current.venue_id, subject: deviceId, detail: { reason } }]);
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NONCE = /^[A-Za-z0-9_-]{16,64}$/;
const HEX64 = /^[0-9a-f]{64}$/;

const header = (request: FastifyRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
};

export interface DeviceAuthOptions {
  db: CentralDb;
  replayWindowMs: number;
}

/** onRequest: who is calling, from headers alone, before any body is read. */
export function identifyDevice(options: DeviceAuthOptions) {
  const keys = new Map<string, { spki: string; key: KeyObject; venueId: string }>();
  return async (request: FastifyRequest): Promise<void> => {
    const deviceId = header(request, HEADERS.deviceId);
    const timestamp = header(request, HEADERS.timestamp);
    const nonce = header(request, HEADERS.nonce);
    const contentSha256 = header(request, HEADERS.contentSha256);
    const signature = header(request, HEADERS.signature);
    if (!deviceId || !timestamp || !nonce || !contentSha256 || !signature) throw new ApiError('AUTH_REQUIRED', `headers ${Object.values(HEADERS).join(', ')} are required`);
    if (!UUID.test(deviceId) || !NONCE.test(nonce) || !/^\d{10,16}$/.test(timestamp) || !(HEX64.test(contentSha256) || contentSha256 === UNSIGNED_PAYLOAD)) {
      throw new ApiError('AUTH_REQUIRED', 'a signing header is malformed');
    }
    const skew = Math.abs(Date.now() - Number(timestamp));
    if (skew > options.replayWindowMs) throw new ApiError('AUTH_CLOCK_SKEW', `request time differs from the server by ${Math.round(skew / 1000)} s`);
    // A device's key and venue never change; whether it is still active is checked afresh, here or
    // (authInTransaction) under the device row's lock in the handler's transaction.
    const known = keys.get(deviceId);
    if (known && request.routeOptions.config.authInTransaction === true) {
      request.device = { deviceId, venueId: known.venueId, publicKey: known.key };
      return;
    }
    const row = await options.db.selectFrom('device').select(['venue_id', 'public_key', 'status']).where('device_id', '=', deviceId).executeTakeFirst();
    if (!row) throw new ApiError('DEVICE_UNKNOWN');
    if (row.status !== 'active') throw new ApiError('DEVICE_REVOKED');
    let cached = keys.get(deviceId);
    if (!cached || cached.spki !== row.public_key) {
      cached = { spki: row.public_key, key: publicKeyFromBase64(row.public_key), venueId: row.venue_id };
      keys.set(deviceId, cached);
    }
    request.device = { deviceId, venueId: row.venue_id, publicKey: cached.key };
  };
}

/**
 * preValidation: the signature over method, path, time, nonce, body hash and the covered headers,
 * then the nonce is spent. It runs after the body parsers, so a body of a type the route does not
 * take has already been refused with 415.
 */
export function verifyDeviceSignature(options: DeviceAuthOptions) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const device = request.device;
    if (!device) throw new ApiError('AUTH_REQUIRED');
    const declared = header(request, HEADERS.contentSha256)!;
    const streamed = request.routeOptions.config.streamBody === true;
    if (declared === UNSIGNED_PAYLOAD && !streamed) throw new ApiError('AUTH_SIGNATURE_INVALID', 'only upload chunks may be sent with an unsigned payload');
    if (!streamed && declared !== (request.bodySha256 ?? EMPTY_SHA256)) throw new ApiError('AUTH_SIGNATURE_INVALID', 'the body does not match its signed hash');
    const parts = {
      method: request.method,
      path: request.url,
      deviceId: device.deviceId,
      timestamp: header(request, HEADERS.timestamp)!,
      nonce: header(request, HEADERS.nonce)!,
      contentSha256: declared,
      headers: signedHeadersOf(request.headers),
    };
    if (!verifyRequestSignature(device.publicKey, parts, header(request, HEADERS.signature)!)) throw new ApiError('AUTH_SIGNATURE_INVALID');
    request.signedContentSha256 = declared;
    if (request.routeOptions.config.authInTransaction === true) request.unspentNonce = parts.nonce;
    else await spendNonce(options.db, device.deviceId, parts.nonce);
  };
}

/** Record a request's nonce; a nonce seen before is a replay. Inside a transaction, a replay rolls it back. */
export async function spendNonce(db: CentralDb | Transaction<CentralTables>, deviceId: string, nonce: string): Promise<void> {
  const fresh = await db.insertInto('request_nonce').values({ device_id: deviceId, nonce }).onConflict((oc) => oc.doNothing()).returning('nonce').executeTakeFirst();
  if (!fresh) throw new ApiError('AUTH_REPLAYED');
}

/**
 * For handlers with authInTransaction: a CTE named `spent` that spends the nonce only if the device
 * is active, and the columns that tell the outcome; read them with `checkSpentNonce`.
 */
export function spendNonceCte(deviceId: string, nonce: string): RawBuilder<unknown> {
  return sql`spent AS (
    INSERT INTO request_nonce (device_id, nonce) SELECT device_id, ${nonce} FROM device WHERE device_id = ${deviceId}::uuid AND status = 'active'
    ON CONFLICT DO NOTHING RETURNING 1)`;
}

export function spentNonceColumns(deviceId: string): RawBuilder<unknown> {
  return sql`(SELECT status FROM device WHERE device_id = ${deviceId}::uuid) AS device_status, EXISTS (SELECT 1 FROM spent) AS nonce_fresh`;
}

export function checkSpentNonce(row: { device_status: string | null; nonce_fresh: boolean } | undefined): void {
  if (!row || row.device_status === null) throw new ApiError('DEVICE_UNKNOWN');
  if (row.device_status !== 'active') throw new ApiError('DEVICE_REVOKED');
  if (!row.nonce_fresh) throw new ApiError('AUTH_REPLAYED');
}

/** Nonces older than twice the replay window can never be replayed (their timestamp is refused). */
export async function pruneNonces(db: CentralDb, replayWindowMs: number): Promise<number> {
  const result = await sql`DELETE FROM request_nonce WHERE seen_at < now() - make_interval(secs => ${(2 * replayWindowMs) / 1000})`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
