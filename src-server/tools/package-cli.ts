// The package tool for the exam centre (npm run pack, pack:inspect, pack:verify, keys): USAGE below
// says what it does. `pack` writes OUT_FILE for venues and, beside it, OUT_FILE.central/ with the
// answer key and the content key: those two go to the central API only.
//
// Exit codes: 0 done (also for --help), 1 the work was refused (a bad source folder, a package that
// does not verify, a file that cannot be read), 2 a wrong call (an unknown command or option, an
// argument missing), with the usage.
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CodedError } from '../../src-shared/errors.ts';
import { buildPackage, SourceError } from '../../src-shared/node/package/builder.ts';
import { decodeContainer } from '../../src-shared/node/package/container.ts';
import { KeyStoreError, parseTrustList, SigningKeyStore, TRUST_FILE } from '../../src-shared/node/package/keys.ts';
import { openPackage, verifyPackage } from '../../src-shared/node/package/reader.ts';
import { signTrustUpdate } from '../../src-shared/node/package/trust-update.ts';

const KEYS_FROM = process.env.EXAM_STATION_KEYS ? 'the key folder EXAM_STATION_KEYS names' : 'the default key folder; EXAM_STATION_KEYS names another';
const DEFAULT_KEYS_DIR = process.env.EXAM_STATION_KEYS ?? resolve('.data/signing-keys');

const USAGE = `Usage: npm run <script> -- ARGUMENTS   (or: node src-server/tools/package-cli.ts COMMAND ARGUMENTS)

  npm run pack -- SOURCE_DIR OUT_FILE [--keys DIR] [--venue CODE] [--valid-from ISO] [--valid-until ISO] [--exam-version N]
      build a signed, encrypted package from a source folder; writes OUT_FILE for venues and
      OUT_FILE.central/ (answer-key.json, content-key.txt) for the central API only
  npm run pack:inspect -- FILE
      what the package says about itself (no key needed)
  npm run pack:verify -- FILE [--trust FILE] [--venue CODE] [--key KEY]
      signature and hashes against a trust list; with the content key, the content too
  npm run keys -- generate|rotate [--dir DIR] [--id ID] [--note TEXT]
  npm run keys -- revoke ID [--dir DIR]
  npm run keys -- list [--dir DIR]
      the signing keys and their trust list (trusted-keys.json, shipped with every station)
  npm run keys -- sign-update OUT_FILE --sequence N [--dir DIR] [--with ID]
      the trust list as a signed update for stations already installed (a .examtrust file), signed
      with the active key or, after a rotation, with --with the key the stations trust now

  --keys / --dir default to $EXAM_STATION_KEYS, else .data/signing-keys; --trust to trusted-keys.json there.
  --help prints this.`;

/** A wrong call: said with the usage, exit 2. */
class UsageError extends Error {
  override name = 'UsageError';
}

/** Work refused for a reason the message gives (a file that cannot be read): exit 1. */
class ToolError extends Error {
  override name = 'ToolError';
}

/** parseArgs (positionals allowed, unknown options refused); its refusals are a wrong call. */
function parse<const T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) throw new UsageError((error as Error).message);
    throw error;
  }
}

const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'there is no such file',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'this user may not read it',
  EPERM: 'this user may not read it',
  ENAMETOOLONG: 'the path is too long',
};

/** A file the tool was given, or a clear ToolError saying why it cannot be read. */
function readGivenFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const problem = FILE_PROBLEMS[(error as NodeJS.ErrnoException).code ?? ''];
    if (problem) throw new ToolError(`cannot read ${what} ${path}: ${problem}`);
    throw error;
  }
}

function pack(args: string[]): void {
  const { values, positionals } = parse({
    args,
    allowPositionals: true,
    options: { keys: { type: 'string' }, venue: { type: 'string' }, 'valid-from': { type: 'string' }, 'valid-until': { type: 'string' }, 'exam-version': { type: 'string' } },
  });
  const [sourceDir, outFile, ...extra] = positionals;
  if (!sourceDir || !outFile) throw new UsageError('pack needs SOURCE_DIR and OUT_FILE');
  if (extra.length > 0) throw new UsageError(`pack takes SOURCE_DIR and OUT_FILE, not also ${extra.join(' ')}`);
  const examVersion = values['exam-version'] === undefined ? 1 : Number(values['exam-version']);
  if (!Number.isSafeInteger(examVersion) || examVersion < 1) throw new UsageError(`--exam-version is a whole number from 1 (got ${values['exam-version']})`);
  const store = new SigningKeyStore(values.keys ?? DEFAULT_KEYS_DIR);
  const validFrom = values['valid-from'] ? new Date(values['valid-from']) : new Date();
  const validUntil = values['valid-until'] ? new Date(values['valid-until']) : new Date(validFrom.getTime() + 30 * 24 * 3600 * 1000);
  if (Number.isNaN(validFrom.getTime()) || Number.isNaN(validUntil.getTime()) || validUntil <= validFrom) throw new SourceError('--valid-from/--valid-until must be ISO dates, from before until');
  const built = buildPackage({ sourceDir, signingKey: store.signingKey(), venue: values.venue ?? 'any', validFrom, validUntil, examVersion });
  mkdirSync(dirname(resolve(outFile)), { recursive: true });
  writeFileSync(outFile, built.file);
  const centralDir = `${outFile}.central`;
  mkdirSync(centralDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(centralDir, 'answer-key.json'), `${JSON.stringify(built.answerKey, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(join(centralDir, 'content-key.txt'), `${built.contentKey}\n`, { mode: 0o600 });
  console.log(JSON.stringify({ package: outFile, packageId: built.manifest.packageId, examId: built.manifest.examId, bytes: built.file.length, signedBy: built.manifest.signingKeyId, central: centralDir, unusedMedia: built.unusedMedia }, null, 2));
}

function inspect(args: string[]): void {
  const { positionals } = parse({ args, allowPositionals: true, options: {} });
  const [file, ...extra] = positionals;
  if (!file) throw new UsageError('pack:inspect needs the package FILE');
  if (extra.length > 0) throw new UsageError(`pack:inspect takes one FILE, not also ${extra.join(' ')}`);
  const { manifest, ciphertext } = decodeContainer(readGivenFile(file, 'the package'));
  console.log(JSON.stringify({ manifest, ciphertextBytes: ciphertext.length }, null, 2));
}

/** The trust list to verify against: --trust, else trusted-keys.json in the key folder, which must then exist. */
function trustListPath(given: string | undefined): string {
  if (given !== undefined) return given;
  const path = join(DEFAULT_KEYS_DIR, TRUST_FILE);
  if (!existsSync(path)) {
    throw new UsageError(
      `pack:verify needs the trust list (the public signing keys a station trusts), and there is none at ${path} (${KEYS_FROM}). ` +
        `Give it with --trust FILE (the ${TRUST_FILE} shipped with the stations, or the one in the exam centre's key folder), ` +
        `or point EXAM_STATION_KEYS at the key folder that holds it.`,
    );
  }
  return path;
}

function verify(args: string[]): void {
  const { values, positionals } = parse({ args, allowPositionals: true, options: { trust: { type: 'string' }, venue: { type: 'string' }, key: { type: 'string' } } });
  const [file, ...extra] = positionals;
  if (!file) throw new UsageError('pack:verify needs the package FILE');
  if (extra.length > 0) throw new UsageError(`pack:verify takes one FILE, not also ${extra.join(' ')}`);
  const trustPath = trustListPath(values.trust);
  const trust = parseTrustList(readGivenFile(trustPath, 'the trust list').toString('utf8'), trustPath);
  const fileBytes = readGivenFile(file, 'the package');
  // Without --venue, check the package against the venue it names ("any" accepts every venue).
  const venue = values.venue ?? decodeContainer(fileBytes).manifest.venue;
  const { manifest, ciphertext } = verifyPackage(fileBytes, { trust, venue, now: new Date() });
  const report: Record<string, unknown> = { ok: true, packageId: manifest.packageId, signedBy: manifest.signingKeyId, venue: manifest.venue, validUntil: manifest.validUntil };
  if (values.key) {
    const opened = openPackage(manifest, ciphertext, values.key);
    report.content = { examId: opened.content.examId, parts: opened.content.parts.map((p) => p.id), media: [...opened.mediaPaths] };
  }
  console.log(JSON.stringify(report, null, 2));
}

function keys(args: string[]): void {
  const [action, ...rest] = args;
  const { values, positionals } = parse({ args: rest, allowPositionals: true, options: { dir: { type: 'string' }, id: { type: 'string' }, note: { type: 'string' }, sequence: { type: 'string' }, with: { type: 'string' } } });
  const store = new SigningKeyStore(values.dir ?? DEFAULT_KEYS_DIR);
  if (action === 'generate' || action === 'rotate') {
    const key = store.generate(values.id, values.note);
    console.log(JSON.stringify({ generated: key.keyId, trustList: store.trustPath, note: 'ship the trust list with the station; keep the .pem files secret' }, null, 2));
  } else if (action === 'revoke') {
    const keyId = positionals[0];
    if (!keyId) throw new UsageError('keys revoke needs the ID of the key');
    console.log(JSON.stringify(store.revoke(keyId), null, 2));
  } else if (action === 'sign-update') {
    const out = positionals[0];
    if (!out) throw new UsageError('keys sign-update needs the OUT_FILE to write');
    const sequence = Number(values.sequence);
    if (!Number.isInteger(sequence) || sequence < 1) throw new UsageError('keys sign-update needs --sequence N, a whole number above the one of the list the stations have');
    const trust = store.trust();
    // After a rotation the stations still trust the key before it: that one vouches for the new list.
    const signer = values.with ? trust.keys.find((k) => k.keyId === values.with) : trust.keys.find((k) => k.status === 'active');
    if (!signer) throw new KeyStoreError(values.with ? `no key named ${values.with} in ${store.dir}` : `no active signing key in ${store.dir}`);
    if (signer.status === 'revoked') throw new KeyStoreError(`key ${signer.keyId} is revoked; stations would refuse what it signs`);
    const key = { keyId: signer.keyId, privateKey: createPrivateKey(readFileSync(join(store.dir, `${signer.keyId}.pem`))) };
    const file = signTrustUpdate(key, { sequence, issuedAt: new Date().toISOString(), list: { ...trust, sequence } });
    writeFileSync(out, file);
    console.log(JSON.stringify({ written: out, sequence, signedWith: signer.keyId, keys: trust.keys.map((k) => ({ keyId: k.keyId, status: k.status })) }, null, 2));
  } else if (action === 'list') {
    console.log(JSON.stringify(store.trust().keys.map(({ publicKey: _publicKey, ...k }) => k), null, 2));
  } else {
    throw new UsageError(action ? `keys has no action ${action}` : 'keys needs an action: generate, rotate, revoke, list or sign-update');
  }
}

const COMMANDS: Record<string, (args: string[]) => void> = { pack, inspect, verify, keys };

function run(argv: string[]): number {
  const [command, ...args] = argv;
  if (argv.includes('--help') || argv.includes('-h') || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  try {
    const action = command === undefined ? undefined : COMMANDS[command];
    if (!action) throw new UsageError(command === undefined ? 'no command given' : `no command ${command}`);
    action(args);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    if (error instanceof CodedError) {
      console.error(`${error.code}: ${error.text.en}\n${error.text.lv}${error.detail ? `\n(${error.detail})` : ''}`);
      return 1;
    }
    if (error instanceof SourceError || error instanceof KeyStoreError || error instanceof ToolError) {
      console.error(`error: ${error.message}`);
      return 1;
    }
    // The file system's own refusals (a folder that cannot be written, a disk full) name the path and the reason.
    if (error instanceof Error && typeof (error as NodeJS.ErrnoException).syscall === 'string') {
      console.error(`error: ${error.message}`);
      return 1;
    }
    // Anything else is a fault of the tool: it goes out with its stack.
    throw error;
  }
}

process.exitCode = run(process.argv.slice(2));
