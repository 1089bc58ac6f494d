// The one vitest fixture of the central API's tests: per test file, one PostgreSQL cluster of its own
// (fast settings, see startTestPostgres) and one central server on it, both started for the first
// test that asks for them and stopped after the file's last test.
//
//   const it = centralTest.extend('venue', { scope: 'file' }, ({ central }) => makeVenue(central, ...));
//   it('...', async ({ central, db, venue }) => { ... });
//
// A file that needs other server settings says so once, at its top:
//   centralTest.override('centralOptions', { scope: 'file' }, { env: { UPLOAD_MAX_BYTES: '8388608' } });
import { test } from 'vitest';
import type { CentralDb } from '../../../src-server/db/database.ts';
import type { ManagedPostgres } from '../../../src-server/pg-cluster.ts';
import { startTestPostgres, startTestServer, type TestServer } from './harness.ts';

export interface CentralOptions {
  /** The database the server uses in the file's cluster (default central_test). */
  database?: string;
  /** Server settings (as environment variables) on top of the test defaults. */
  env?: Record<string, string>;
}

/** A central server for the test file's cluster; the fixture starts one, a test of replicas another. */
export function startCentral(postgres: ManagedPostgres, options: CentralOptions): Promise<TestServer> {
  return startTestServer(postgres, options.database ?? 'central_test', options.env ? { env: options.env } : {});
}

export const centralTest = test
  .extend('centralOptions', { scope: 'file' }, {} as CentralOptions)
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from this pattern; there are none
  .extend('postgres', { scope: 'file' }, async ({}, { onCleanup }): Promise<ManagedPostgres> => {
    const postgres = await startTestPostgres();
    onCleanup(() => postgres.stop());
    return postgres;
  })
  .extend('central', { scope: 'file' }, async ({ postgres, centralOptions }, { onCleanup }): Promise<TestServer> => {
    const central = await startCentral(postgres, centralOptions);
    onCleanup(() => central.stop());
    return central;
  })
  /** The server's own database handle. */
  .extend('db', { scope: 'file' }, ({ central }): CentralDb => central.server.ctx.db);
