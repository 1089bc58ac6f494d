// The trust list a station uses: the one it was given at start (the list shipped with the app), then
// every signed update it accepted since, in order. Accepted updates are kept as the files they came
// as, in the data folder, and at every start each is verified again against the list before it: a
// file edited, swapped or dropped in there by hand verifies nothing and is ignored, with a message,
// and the last list that verified stays in effect. Editing JSON and restarting changes no trust.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CodedError } from '../../src-shared/errors.ts';
import { writeFileAtomic, type TrustList } from '../../src-shared/node/package/keys.ts';
import { verifyTrustUpdate, type TrustState } from '../../src-shared/node/package/trust-update.ts';
import type { TrustListView } from '../../src-shared/contracts/station-api.ts';

const UPDATE_FILE = /^trust-update-(\d{6})\.json$/;

export class TrustKeeper {
  private state: TrustState;
  private readonly dir: string;

  constructor(shipped: TrustList, dir: string) {
    this.dir = dir;
    this.state = { list: shipped, sequence: shipped.sequence ?? 0, issuedAt: null };
    if (!existsSync(dir)) return;
    const files = readdirSync(dir)
      .filter((name) => UPDATE_FILE.test(name))
      .sort();
    for (const name of files) {
      try {
        this.state = verifyTrustUpdate(readFileSync(join(dir, name)), this.state);
      } catch (error) {
        // One that does not verify is not a step of the chain; those after it are checked against the list before it.
        console.error(`station: the trust-list update ${join(dir, name)} is ignored: ${error instanceof CodedError ? `${error.code} ${error.detail ?? ''}` : (error as Error).message}`);
      }
    }
  }

  get list(): TrustList {
    return this.state.list;
  }

  view(): TrustListView {
    return { sequence: this.state.sequence, issuedAt: this.state.issuedAt, keys: this.state.list.keys.map((k) => ({ keyId: k.keyId, status: k.status })) };
  }

  /** Verify `file` against the list in effect; only then keep it and put its list in effect. A refusal changes nothing. */
  apply(file: Uint8Array): TrustListView {
    const next = verifyTrustUpdate(file, this.state);
    mkdirSync(this.dir, { recursive: true });
    writeFileAtomic(join(this.dir, `trust-update-${String(next.sequence).padStart(6, '0')}.json`), file);
    this.state = next;
    return this.view();
  }
}
