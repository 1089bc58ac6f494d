// Starting and stopping the whole service: the database (DATABASE_URL, or a PostgreSQL this process
// manages under the data folder), migrations, storage, the receipt and transfer keys, the admin token, the demo
// seed, and the HTTP listener. Used by main.ts, the tests and the benchmark.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { type AdminToken, resolveAdminToken } from './auth/admin.ts';
import type { ServerConfig } from './config.ts';
import type { ServerContext } from './context.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrate } from './db/migrations/index.ts';
import { seedDemo, type DemoSeed } from './demo-seed.ts';
import { startManagedPostgres, type ManagedPostgres } from './pg-cluster.ts';
import { loadReceiptSigner } from './receipts.ts';
import { loadTransferKey } from './transfers.ts';
import { FileBlobStorage } from './uploads/storage.ts';

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  ctx: ServerContext;
  database: Database;
  /** Set when this process manages the PostgreSQL. */
  postgres: ManagedPostgres | undefined;
  /** Where the admin token comes from (environment, the hash file, or generated now). */
  adminToken: AdminToken;
  /** A token generated at first start (embedded default), shown once. */
  generatedAdminToken: string | undefined;
  demo: DemoSeed | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Use this managed PostgreSQL (tests share one per file) with a database of this name. */
  postgres?: { cluster: ManagedPostgres; database: string };
  logger?: boolean;
  log?: (line: string) => void;
  samplesDir?: string;
  nonceSweepMs?: number;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  mkdirSync(config.dataDir, { recursive: true });
  let postgres: ManagedPostgres | undefined;
  let url = config.databaseUrl;
  if (!url) {
    if (options.postgres) {
      url = await options.postgres.cluster.createDatabase(options.postgres.database);
    } else {
      postgres = await startManagedPostgres({ dir: join(config.dataDir, 'postgres'), persistent: true, log });
      url = await postgres.createDatabase('exam_central');
    }
  }
  const database = openDatabase(url, config.pgPoolSize);
  const uploadDatabase = openDatabase(url, config.pgUploadPoolSize);
  try {
    await migrate(database.db as never);
    const ctx: ServerContext = {
      config,
      db: database.db,
      uploadDb: uploadDatabase.db,
      storage: new FileBlobStorage(config.storageDir),
      receipts: loadReceiptSigner(config.receiptKeyFile),
      transfers: loadTransferKey(config.transferKeyFile, { create: true }),
    };
    const admin = resolveAdminToken({ adminToken: config.adminToken, adminTokenSha256: config.adminTokenSha256, hashFile: join(config.dataDir, 'admin-token.sha256') });
    const shouldSeed = config.seedDemo ?? (config.databaseUrl === undefined && options.postgres === undefined);
    const demo = shouldSeed ? await seedDemo(ctx, options.samplesDir ?? resolve('assets/samples')) : undefined;
    const app = await buildApp(ctx, { adminTokenSha256: admin.currentHash, ...(options.logger === undefined ? {} : { logger: options.logger }), ...(options.nonceSweepMs === undefined ? {} : { nonceSweepMs: options.nonceSweepMs }) });
    const address = await app.listen({ host: config.host, port: config.port });
    let closed = false;
    return {
      url: address.replace('[::1]', '127.0.0.1'),
      app,
      ctx,
      database,
      postgres,
      adminToken: admin,
      generatedAdminToken: admin.generatedToken,
      demo,
      async close() {
        if (closed) return;
        closed = true;
        await app.close();
        await database.close();
        await uploadDatabase.close();
        if (postgres) await postgres.stop();
      },
    };
  } catch (error) {
    await database.close();
    await uploadDatabase.close();
    if (postgres) await postgres.stop();
    throw error;
  }
}
