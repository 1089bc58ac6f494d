// Checks a station's audit chain from its database file (npm run station:verify-audit -- FILE): walks
// every entry and reports the first broken link. Reads only: it opens the file read-only, takes no
// lock and runs no migration, so it may be pointed at the database of a station that is running, or
// at a copy taken off a hub.
//
// Prints one JSON line (the result of verifyAuditChain) and a sentence. Exit codes: 0 the chain is
// intact, 1 it is broken, 2 a wrong call or a file that is not a station database of schema 20 or later.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { verifyAuditChain } from './records/audit.ts';

const USAGE = 'Usage: npm run station:verify-audit -- STATION_DB   (or: node src-main/station/audit-cli.ts STATION_DB)';

function main(args: string[]): number {
  if (args.length !== 1 || args[0] === '--help') {
    process.stderr.write(`${USAGE}\n`);
    return args[0] === '--help' ? 0 : 2;
  }
  const file = args[0]!;
  if (!existsSync(file)) {
    process.stderr.write(`${file} does not exist\n${USAGE}\n`);
    return 2;
  }
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    process.stderr.write(`${file} could not be opened as a SQLite database: ${(error as Error).message}\n`);
    return 2;
  }
  try {
    const hasLog = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_log'").get() !== undefined;
    if (!hasLog) {
      process.stderr.write(`${file} has no audit log: it is not a station database, or one from before schema 20\n`);
      return 2;
    }
    const result = verifyAuditChain(db);
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (result.ok) process.stdout.write(`audit chain intact: ${result.entries} entries, last hash ${result.lastHash}\n`);
    else process.stdout.write(`audit chain BROKEN at entry ${result.brokenAt}: ${result.reason}\n`);
    return result.ok ? 0 : 1;
  } catch (error) {
    process.stderr.write(`${file} could not be read: ${(error as Error).message}\n`);
    return 2;
  } finally {
    db.close();
  }
}

process.exitCode = main(process.argv.slice(2));
