// The package signing keys a station trusts: the trust list shipped with the app (assets/keys), which
// the exam centre fills. A production station trusts these and nothing else.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readTrustList, TRUST_FILE, type TrustList } from '../../src-shared/node/package/keys.ts';

export function shippedTrust(assetsDir: string): TrustList {
  const file = join(assetsDir, 'keys', TRUST_FILE);
  return existsSync(file) ? readTrustList(file) : { formatVersion: 1, keys: [] };
}
