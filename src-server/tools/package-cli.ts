// The package tool for the exam centre:
//   pack SOURCE_DIR OUT_FILE [--keys DIR] [--venue CODE] [--valid-from ISO] [--valid-until ISO] [--exam-version N]
//   inspect FILE                      what the package says about itself (no key needed)
//   verify FILE [--trust FILE] [--venue CODE] [--key KEY]   signature, hashes, and with a key the content
//   keys generate|rotate [--dir DIR] [--id ID] | keys revoke ID [--dir DIR] | keys list [--dir DIR]
// `pack` writes OUT_FILE for venues and, beside it, OUT_FILE.central/ with the answer key and the content
// key: those two go to the central API only.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CodedError } from '../../src-shared/errors.ts';
import { buildPackage, SourceError } from '../../src-shared/node/package/builder.ts';
import { decodeContainer } from '../../src-shared/node/package/container.ts';
import { readTrustList, SigningKeyStore, TRUST_FILE } from '../../src-shared/node/package/keys.ts';
import { openPackage, verifyPackage } from '../../src-shared/node/package/reader.ts';

const DEFAULT_KEYS_DIR = process.env.EXAM_STATION_KEYS ?? resolve('.data/signing-keys');

function usage(): never {
  console.error(readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1, 8).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(2);
}

function pack(args: string[]): void {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { keys: { type: 'string' }, venue: { type: 'string' }, 'valid-from': { type: 'string' }, 'valid-until': { type: 'string' }, 'exam-version': { type: 'string' } },
  });
  const [sourceDir, outFile] = positionals;
  if (!sourceDir || !outFile) usage();
  const store = new SigningKeyStore(values.keys ?? DEFAULT_KEYS_DIR);
  const validFrom = values['valid-from'] ? new Date(values['valid-from']) : new Date();
  const validUntil = values['valid-until'] ? new Date(values['valid-until']) : new Date(validFrom.getTime() + 30 * 24 * 3600 * 1000);
  if (Number.isNaN(validFrom.getTime()) || Number.isNaN(validUntil.getTime()) || validUntil <= validFrom) throw new SourceError('--valid-from/--valid-until must be ISO dates, from before until');
  const built = buildPackage({
    sourceDir,
    signingKey: store.signingKey(),
    venue: values.venue ?? 'any',
    validFrom,
    validUntil,
    examVersion: values['exam-version'] ? Number(values['exam-version']) : 1,
  });
  mkdirSync(dirname(resolve(outFile)), { recursive: true });
  writeFileSync(outFile, built.file);
  const centralDir = `${outFile}.central`;
  mkdirSync(centralDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(centralDir, 'answer-key.json'), `${JSON.stringify(built.answerKey, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(join(centralDir, 'content-key.txt'), `${built.contentKey}\n`, { mode: 0o600 });
  console.log(JSON.stringify({ package: outFile, packageId: built.manifest.packageId, examId: built.manifest.examId, bytes: built.file.length, signedBy: built.manifest.signingKeyId, central: centralDir, unusedMedia: built.unusedMedia }, null, 2));
}

function inspect(args: string[]): void {
  const [file] = args;
  if (!file) usage();
  const { manifest, ciphertext } = decodeContainer(readFileSync(file));
  console.log(JSON.stringify({ manifest, ciphertextBytes: ciphertext.length }, null, 2));
}

function verify(args: string[]): void {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { trust: { type: 'string' }, venue: { type: 'string' }, key: { type: 'string' } } });
  const [file] = positionals;
  if (!file) usage();
  const trust = readTrustList(values.trust ?? join(DEFAULT_KEYS_DIR, TRUST_FILE));
  const fileBytes = readFileSync(file);
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
  const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { dir: { type: 'string' }, id: { type: 'string' }, note: { type: 'string' } } });
  const store = new SigningKeyStore(values.dir ?? DEFAULT_KEYS_DIR);
  if (action === 'generate' || action === 'rotate') {
    const key = store.generate(values.id, values.note);
    console.log(JSON.stringify({ generated: key.keyId, trustList: store.trustPath, note: 'ship the trust list with the station; keep the .pem files secret' }, null, 2));
  } else if (action === 'revoke') {
    const keyId = positionals[0];
    if (!keyId) usage();
    console.log(JSON.stringify(store.revoke(keyId), null, 2));
  } else if (action === 'list') {
    console.log(JSON.stringify(store.trust().keys.map(({ publicKey: _publicKey, ...k }) => k), null, 2));
  } else usage();
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'pack') pack(args);
  else if (command === 'inspect') inspect(args);
  else if (command === 'verify') verify(args);
  else if (command === 'keys') keys(args);
  else usage();
} catch (error) {
  if (error instanceof CodedError) {
    console.error(`${error.code}: ${error.text.en}\n${error.text.lv}${error.detail ? `\n(${error.detail})` : ''}`);
  } else if (error instanceof SourceError || (error as NodeJS.ErrnoException).code === 'ENOENT') {
    console.error(`error: ${(error as Error).message}`);
  } else {
    throw error;
  }
  process.exit(1);
}
