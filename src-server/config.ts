// The service's configuration, read once from environment variables and checked with one schema.
// Every setting has a default that suits the embedded mode; production sets DATABASE_URL and friends.
import { resolve } from 'node:path';
import { z } from 'zod';
import { PUSH_MAX_EVENTS } from '../src-shared/contracts/events.ts';
import { DEMO_START_LEAD_MAX_MS } from '../src-shared/demo-day.ts';

const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const share = z.coerce.number().gt(0).max(1);

export const ServerEnv = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  /** Unset: a PostgreSQL managed by this program under DATA_DIR/postgres (the embedded default). */
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('.data/server'),
  /** Where audio and package files live (file-system storage). Default DATA_DIR/storage. */
  STORAGE_DIR: z.string().optional(),
  /** The agency admin token. Or ADMIN_TOKEN_SHA256 so the plain token never sits on the server. */
  ADMIN_TOKEN: z.string().min(24).optional(),
  ADMIN_TOKEN_SHA256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  /** PEM file with the Ed25519 key that signs receipts. Default DATA_DIR/receipt-signing-key.pem (created). */
  RECEIPT_KEY_FILE: z.string().optional(),
  /** PEM file with the X25519 key USB transfers are encrypted to. Default DATA_DIR/transfer-key.pem (created; share it between replicas). */
  TRANSFER_KEY_FILE: z.string().optional(),
  /** The largest transfer file POST /v1/admin/transfers takes. */
  TRANSFER_MAX_BYTES: z.coerce.number().int().min(1024).default(2 * 1024 * 1024 * 1024),
  /** How long before a session's start its key may be released (default below: 600, or the demo's lead where the demo is seeded). */
  KEY_RELEASE_MARGIN_SECONDS: z.coerce.number().int().min(0).max(24 * 3600).optional(),
  /** How far a signed request's timestamp may be from the server clock; nonces are kept twice as long. */
  REPLAY_WINDOW_SECONDS: z.coerce.number().int().min(10).max(3600).default(300),
  ENROLLMENT_CODE_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(72),
  /** MK 157: share of each part's maximum needed to pass; per-part overrides below (UNCONFIRMED rules stay configurable). */
  LANGUAGE_PASS_SHARE: share.default(0.6),
  LANGUAGE_PASS_SHARE_LISTENING: share.optional(),
  LANGUAGE_PASS_SHARE_READING: share.optional(),
  LANGUAGE_PASS_SHARE_WRITING: share.optional(),
  LANGUAGE_PASS_SHARE_SPEAKING: share.optional(),
  /** At most the contract's limit: a receiver may take fewer events per push, never more. */
  PUSH_MAX_EVENTS: z.coerce.number().int().min(1).max(PUSH_MAX_EVENTS).default(PUSH_MAX_EVENTS),
  PUSH_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(8 * 1024 * 1024),
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).default(512 * 1024 * 1024),
  PACKAGE_MAX_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024 * 1024),
  /** fsync each finished audio file before confirming it. */
  AUDIO_FSYNC: bool.default(true),
  PG_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(20),
  /** Connections kept apart for audio uploads. */
  PG_UPLOAD_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(5),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Seed the demo venue, roster and sample packages into an empty database (default: on in embedded mode). */
  SEED_DEMO: bool.optional(),
});

export interface ServerConfig {
  host: string;
  port: number;
  databaseUrl: string | undefined;
  dataDir: string;
  storageDir: string;
  adminTokenSha256: string | undefined;
  adminToken: string | undefined;
  receiptKeyFile: string;
  transferKeyFile: string;
  transferMaxBytes: number;
  keyReleaseMarginMs: number;
  replayWindowMs: number;
  enrollmentCodeTtlMs: number;
  passShare: { listening: number; reading: number; writing: number; speaking: number };
  pushMaxEvents: number;
  pushBodyLimitBytes: number;
  uploadMaxBytes: number;
  packageMaxBytes: number;
  audioFsync: boolean;
  pgPoolSize: number;
  pgUploadPoolSize: number;
  logLevel: string;
  seedDemo: boolean | undefined;
}

export const DEFAULT_KEY_RELEASE_MARGIN_MS = 600_000;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const parsed = ServerEnv.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) {
    throw new ConfigError(`invalid configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  // A server that seeds the demo (the embedded default) releases keys as long before the start as the
  // demo's sessions start after the seeding (demoStartsAt): a hub has the key at once, and the
  // candidates it checks in before the start are on time. Elsewhere ten minutes, unless set.
  const seedsDemo = e.SEED_DEMO ?? e.DATABASE_URL === undefined;
  const keyReleaseMarginMs = e.KEY_RELEASE_MARGIN_SECONDS !== undefined ? e.KEY_RELEASE_MARGIN_SECONDS * 1000 : seedsDemo ? DEMO_START_LEAD_MAX_MS : DEFAULT_KEY_RELEASE_MARGIN_MS;
  const dataDir = resolve(e.DATA_DIR);
  return {
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir,
    storageDir: resolve(e.STORAGE_DIR ?? `${dataDir}/storage`),
    adminToken: e.ADMIN_TOKEN,
    adminTokenSha256: e.ADMIN_TOKEN_SHA256,
    receiptKeyFile: resolve(e.RECEIPT_KEY_FILE ?? `${dataDir}/receipt-signing-key.pem`),
    transferKeyFile: resolve(e.TRANSFER_KEY_FILE ?? `${dataDir}/transfer-key.pem`),
    transferMaxBytes: e.TRANSFER_MAX_BYTES,
    keyReleaseMarginMs,
    replayWindowMs: e.REPLAY_WINDOW_SECONDS * 1000,
    enrollmentCodeTtlMs: e.ENROLLMENT_CODE_TTL_HOURS * 3600 * 1000,
    passShare: {
      listening: e.LANGUAGE_PASS_SHARE_LISTENING ?? e.LANGUAGE_PASS_SHARE,
      reading: e.LANGUAGE_PASS_SHARE_READING ?? e.LANGUAGE_PASS_SHARE,
      writing: e.LANGUAGE_PASS_SHARE_WRITING ?? e.LANGUAGE_PASS_SHARE,
      speaking: e.LANGUAGE_PASS_SHARE_SPEAKING ?? e.LANGUAGE_PASS_SHARE,
    },
    pushMaxEvents: e.PUSH_MAX_EVENTS,
    pushBodyLimitBytes: e.PUSH_BODY_LIMIT_BYTES,
    uploadMaxBytes: e.UPLOAD_MAX_BYTES,
    packageMaxBytes: e.PACKAGE_MAX_BYTES,
    audioFsync: e.AUDIO_FSYNC,
    pgPoolSize: e.PG_POOL_SIZE,
    pgUploadPoolSize: e.PG_UPLOAD_POOL_SIZE,
    logLevel: e.LOG_LEVEL,
    seedDemo: e.SEED_DEMO,
  };
}
