// `npm run server`: the central sync API. With DATABASE_URL it uses that PostgreSQL; without it, it
// runs a PostgreSQL of its own under DATA_DIR (the embedded default) and seeds the demo venue.
// `npm run server -- verify-audit` checks the audit chain and exits non-zero at a broken link.
// `npm run server -- new-admin-token` replaces a lost admin token (a running server takes it at once).
// `npm run server -- import-transfer FILE` imports a venue hub's USB export (as POST /v1/admin/transfers does).
// The way back on USB: `npm run server -- export-receipts SESSION_ID FILE` writes a session's receipt
// bundle (as GET /v1/admin/sessions/{id}/receipts answers it), and `npm run server --
// import-deletion-certificate FILE` imports the certificate the hub wrote (as POST /v1/admin/deletion-certificates).
// SIGINT/SIGTERM close the listener, let requests in flight finish and stop the database.
import { sealAudit, verifyAuditChain } from './audit.ts';
import { writeNewAdminToken } from './auth/admin.ts';
import { ConfigError, loadConfig } from './config.ts';
import type { ServerContext } from './context.ts';
import { openDatabase } from './db/database.ts';
import { migrate } from './db/migrations/index.ts';
import { ApiError } from './errors.ts';
import { startManagedPostgres } from './pg-cluster.ts';
import { importDeletionCertificate } from './deletion-certificates.ts';
import { buildReceiptBundle, loadReceiptSigner } from './receipts.ts';
import { startServer } from './server.ts';
import { importTransfer, loadTransferKey } from './transfers.ts';
import { FileBlobStorage } from './uploads/storage.ts';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../src-shared/node/package/keys.ts';

/** The database of this configuration: DATABASE_URL, or the embedded cluster under DATA_DIR (started for the command). */
async function withDatabase<T>(connections: number, work: (database: ReturnType<typeof openDatabase>, config: ReturnType<typeof loadConfig>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const postgres = config.databaseUrl ? undefined : await startManagedPostgres({ dir: join(config.dataDir, 'postgres'), persistent: true });
  try {
    const url = config.databaseUrl ?? (await postgres!.createDatabase('exam_central'));
    const database = openDatabase(url, connections);
    try {
      return await work(database, config);
    } finally {
      await database.close();
    }
  } finally {
    await postgres?.stop();
  }
}

/**
 * A command's work on the server's data: this configuration's database (migrated, as a replica
 * starting would: the command needs the schema it was written for), storage and keys. The keys are
 * the server's own, never made here (a receipt signed with a key of the command's would not verify
 * at a hub). A refusal (ApiError) is printed with its code and both texts: exit 1.
 */
async function onServerData(what: string, work: (ctx: ServerContext) => Promise<void>): Promise<number> {
  return withDatabase(4, async (database, config) => {
    await migrate(database.db as never);
    const ctx: ServerContext = {
      config,
      db: database.db,
      uploadDb: database.db,
      storage: new FileBlobStorage(config.storageDir),
      receipts: loadReceiptSigner(config.receiptKeyFile, { create: false }),
      transfers: loadTransferKey(config.transferKeyFile, { create: false }),
    };
    try {
      await work(ctx);
      return 0;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const body = error.toBody();
      const extra = [body.expectedSeq === undefined ? '' : ` expected seq ${body.expectedSeq}`, body.candidateIds ? ` candidates ${body.candidateIds.join(', ')}` : ''].join('');
      process.stderr.write(`refused ${what}: ${body.code}${body.detail ? ` (${body.detail})` : ''}${extra}\n${body.message.en}\n${body.message.lv}\n`);
      return 1;
    } finally {
      // Into the chain now (a running server's sealer would do it too).
      await sealAudit(database.db);
    }
  });
}

/** Import a USB transfer file: the same import as POST /v1/admin/transfers, against this configuration's database and storage. */
async function importTransferCommand(file: string | undefined): Promise<number> {
  if (!file) {
    process.stderr.write('usage: npm run server -- import-transfer FILE.estransfer\n');
    return 2;
  }
  return onServerData(file, async (ctx) => {
    const summary = await importTransfer(ctx, resolve(file), { actorKind: 'system', actorId: 'cli import-transfer' });
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    process.stdout.write(
      `imported ${file}: device ${summary.deviceId} (venue ${summary.venueCode}), events ${summary.events.accepted} accepted and ${summary.events.duplicates} already held, ` +
        `recordings ${summary.recordings.stored} stored and ${summary.recordings.alreadyHeld} already held; acknowledged up to seq ${summary.ackedSeq}\n`,
    );
  });
}

/** A session's receipt bundle into FILE (as GET /v1/admin/sessions/{id}/receipts answers it), for the venue's hub on USB. */
async function exportReceiptsCommand(sessionId: string | undefined, file: string | undefined): Promise<number> {
  if (!sessionId || !file) {
    process.stderr.write('usage: npm run server -- export-receipts SESSION_ID FILE.json\n');
    return 2;
  }
  return onServerData(`session ${sessionId}`, async (ctx) => {
    const bundle = await buildReceiptBundle(ctx.db, ctx.storage, ctx.receipts, sessionId, { actorKind: 'system', actorId: 'cli export-receipts' });
    const text = `${JSON.stringify(bundle, null, 2)}\n`;
    // Personal data (names, what each candidate did): readable by this user only; a temp name and a
    // rename, so a stick pulled out mid-write never holds half a bundle under the real name.
    const target = resolve(file);
    writeFileAtomic(target, text, 0o600);
    const summary = { file: target, sessionId: bundle.sessionId, venueCode: bundle.venueCode, issuedAt: bundle.issuedAt, receipts: bundle.receipts.length, bytes: Buffer.byteLength(text), sha256: createHash('sha256').update(text).digest('hex') };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    process.stdout.write(`wrote ${target}: ${summary.receipts} ${summary.receipts === 1 ? 'receipt' : 'receipts'} of session ${bundle.sessionId} (venue ${bundle.venueCode}), issued ${bundle.issuedAt}; import it on the venue hub\n`);
  });
}

/** A deletion certificate a hub wrote to USB (as POST /v1/admin/deletion-certificates takes it). */
async function importDeletionCertificateCommand(file: string | undefined): Promise<number> {
  if (!file) {
    process.stderr.write('usage: npm run server -- import-deletion-certificate FILE.json\n');
    return 2;
  }
  return onServerData(file, async (ctx) => {
    let signed: unknown;
    try {
      signed = JSON.parse(readFileSync(resolve(file), 'utf8'));
    } catch (error) {
      if (error instanceof SyntaxError) throw new ApiError('BODY_NOT_JSON', `${file}: ${error.message}`);
      throw error;
    }
    const { created, stored } = await importDeletionCertificate(ctx, signed, { actorKind: 'system', actorId: 'cli import-deletion-certificate' });
    process.stdout.write(`${JSON.stringify({ created, certificateId: stored.certificateId, sessionId: stored.sessionId, venueCode: stored.venueCode, deviceId: stored.deviceId, receivedAt: stored.receivedAt, certificateSha256: stored.certificateSha256 })}\n`);
    process.stdout.write(
      `${created ? 'imported' : 'already held'} ${file}: deletion certificate ${stored.certificateId} of session ${stored.sessionId} (venue ${stored.venueCode}), ` +
        `from device ${stored.deviceId} (${stored.deviceName}), received ${stored.receivedAt}\n`,
    );
  });
}

async function verifyAudit(): Promise<number> {
  const config = loadConfig();
  const postgres = config.databaseUrl ? undefined : await startManagedPostgres({ dir: join(config.dataDir, 'postgres'), persistent: true });
  const url = config.databaseUrl ?? (await postgres!.createDatabase('exam_central'));
  const database = openDatabase(url, 2);
  try {
    const result = await verifyAuditChain(database.db);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.ok) process.stdout.write(`audit chain intact: ${result.rows} rows, last hash ${result.lastHash}\n`);
    else process.stdout.write(`audit chain BROKEN at row ${result.brokenAt}: ${result.reason}\n`);
    return result.ok ? 0 : 1;
  } finally {
    await database.close();
    await postgres?.stop();
  }
}

async function serve(): Promise<void> {
  // File work (audio written, fsynced, renamed) runs on libuv's thread pool; its default of 4 threads
  // lets a few fsyncs hold up every other upload's writes. Set before the pool first starts.
  process.env.UV_THREADPOOL_SIZE ??= '16';
  const config = loadConfig();
  const server = await startServer(config);
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  say(`Exam Station central sync API on ${server.url} (OpenAPI: ${server.url}/docs)`);
  if (server.postgres) say(`embedded PostgreSQL on 127.0.0.1:${server.postgres.port}, data in ${server.postgres.dir}`);
  const admin = server.adminToken;
  if (admin.generatedToken) say(`admin token (shown once; only its hash is kept in ${admin.hashFile}): ${admin.generatedToken}`);
  else if (admin.source === 'file') say(`admin token: the one printed at first start (its hash is in ${admin.hashFile}); lost it? run \`npm run server -- new-admin-token\``);
  else say(`admin token: from ${admin.source} in the environment`);
  if (server.demo) {
    say(`demo venue ${server.demo.venueCode}: enrollment code ${server.demo.enrollmentCode}`);
    const keyFrom = (startsAt: string): string => new Date(Date.parse(startsAt) - server.ctx.config.keyReleaseMarginMs).toISOString();
    for (const s of server.demo.sessions) say(`  session ${s.sessionId}: exam ${s.examId}, starts ${s.startsAt} (key from ${keyFrom(s.startsAt)}), package ${s.packageId}`);
    say(`  package trust list for stations: ${server.demo.trustListFile}`);
    // What a demo hub needs to join this demo (npm run demo:room -- --central URL): the one-time code and the trust list.
    const hubFile = join(config.dataDir, 'demo-hub.json');
    writeFileSync(hubFile, `${JSON.stringify({ venueCode: server.demo.venueCode, enrollmentCode: server.demo.enrollmentCode, trustListFile: server.demo.trustListFile }, null, 2)}\n`, { mode: 0o600 });
    say(`  a demo hub joins with: npm run demo:room -- --central ${server.url}   (reads ${hubFile})`);
  }
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    say(`${signal}: shutting down`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        say(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function newAdminToken(): number {
  const config = loadConfig();
  const hashFile = join(config.dataDir, 'admin-token.sha256');
  const token = writeNewAdminToken(hashFile);
  process.stdout.write(`${token}\n`);
  process.stderr.write(`new admin token above (shown once); its hash replaced ${hashFile}, the old token no longer works.\n`);
  if (config.adminToken || config.adminTokenSha256) {
    process.stderr.write(`note: ${config.adminTokenSha256 ? 'ADMIN_TOKEN_SHA256' : 'ADMIN_TOKEN'} is set in the environment and wins over the file; unset it for the new token to count.\n`);
  }
  return 0;
}

const command = process.argv[2] ?? 'serve';
try {
  if (command === 'verify-audit') process.exitCode = await verifyAudit();
  else if (command === 'import-transfer') process.exitCode = await importTransferCommand(process.argv[3]);
  else if (command === 'export-receipts') process.exitCode = await exportReceiptsCommand(process.argv[3], process.argv[4]);
  else if (command === 'import-deletion-certificate') process.exitCode = await importDeletionCertificateCommand(process.argv[3]);
  else if (command === 'new-admin-token') process.exitCode = newAdminToken();
  else if (command === 'serve') await serve();
  else {
    process.stderr.write(`unknown command ${command}; use: serve | verify-audit | new-admin-token | import-transfer FILE | export-receipts SESSION_ID FILE | import-deletion-certificate FILE\n`);
    process.exitCode = 2;
  }
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : (error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
