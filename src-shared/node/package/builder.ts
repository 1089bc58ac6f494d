// Building a package from a readable source folder: `content.json` (the exam, with an `answer` on each
// objective item and an optional `rubric` on writing and speaking items) and `media/`. The answers
// are split off into a separate answer key for the central API; the venue package carries none.
// A multiple-choice item may add `scoring: "per-option"`; a dropdown gap's answer is its option id; a
// numeric item's answer is a number or { value, tolerance, forms, units, unitRequired }.
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ANSWER_KEY_FORMAT_VERSION, AnswerKey, ItemKey, answerKeyMismatch } from '../../content/answer-key.ts';
import { CONTENT_FORMAT_VERSION, referencedMedia } from '../../content/schema.ts';
import { upgradeContent } from '../../content/versions.ts';
import { CIPHER_ALGORITHM, PACKAGE_FORMAT_VERSION, type PackageManifest } from '../../contracts/package-manifest.ts';
import { encodeArchive } from './archive.ts';
import { encodeContainer } from './container.ts';
import { chunkCount, encryptContent, formatContentKey, generateContentKey, keyCheckValue, sha256Hex } from './crypto.ts';
import { signBytes, type SigningKey } from './keys.ts';

export interface BuildOptions {
  sourceDir: string;
  signingKey: SigningKey;
  venue?: string;
  examVersion?: number;
  validFrom: Date;
  validUntil: Date;
  chunkSize?: number;
  /** Reuse a content key (e.g. the demo's published key); a fresh random one otherwise. */
  contentKey?: Buffer;
  packageId?: string;
  now?: Date;
}

export interface BuiltPackage {
  file: Buffer;
  manifest: PackageManifest;
  answerKey: AnswerKey;
  /** The key to release at the start time, as a person types it. */
  contentKey: string;
  unusedMedia: string[];
}

export class SourceError extends Error {
  override name = 'SourceError';
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Take `answer`/`rubric` out of every item, returning the venue content and the raw keys by item id. */
function splitAnswers(source: Json): { content: Json; keys: Record<string, unknown> } {
  const keys: Record<string, unknown> = {};
  const parts = Array.isArray(source.parts) ? source.parts : [];
  const content = {
    ...source,
    parts: parts.map((part: unknown) =>
      !isObject(part) || !Array.isArray(part.tasks)
        ? part
        : {
            ...part,
            tasks: part.tasks.map((task: unknown) =>
              !isObject(task) || !Array.isArray(task.items)
                ? task
                : {
                    ...task,
                    items: task.items.map((item: unknown) => {
                      if (!isObject(item)) return item;
                      const { answer, rubric, scoring, ...venueItem } = item;
                      const objective = !['extended-writing', 'speaking'].includes(String(item.type));
                      if (objective && rubric !== undefined) throw new SourceError(`item ${String(item.id)}: a rubric belongs to writing and speaking items; this item is scored by its answer`);
                      if (!objective && answer !== undefined) throw new SourceError(`item ${String(item.id)}: ${String(item.type)} is scored by a rater; give a rubric, not an answer`);
                      if (scoring !== undefined && item.type !== 'multiple-choice') throw new SourceError(`item ${String(item.id)}: scoring applies only to multiple-choice items`);
                      keys[String(item.id)] = toItemKey(String(item.type), answer, rubric, scoring);
                      return venueItem;
                    }),
                  },
            ),
          },
    ),
  };
  return { content, keys };
}

function toItemKey(type: string, answer: unknown, rubric: unknown, scoring: unknown): unknown {
  switch (type) {
    case 'single-choice':
      return { type, optionId: answer };
    case 'multiple-choice':
      return scoring === undefined ? { type, optionIds: answer } : { type, optionIds: answer, scoring };
    case 'true-false-not-given':
      return { type, choice: answer };
    case 'gap-fill':
      return { type, gaps: answer };
    case 'matching':
      return { type, pairs: answer };
    case 'ordering':
      return { type, order: answer };
    case 'short-text':
      return { type, accepted: answer };
    case 'numeric':
      // The short form is the number alone; the long form adds tolerance, forms and units.
      return typeof answer === 'number' || typeof answer === 'string' ? { type, value: answer } : { ...(isObject(answer) ? answer : {}), type };
    default:
      return { type, rubric: typeof rubric === 'string' ? rubric : '' };
  }
}

export function buildPackage(options: BuildOptions): BuiltPackage {
  const contentPath = join(options.sourceDir, 'content.json');
  if (!existsSync(contentPath)) throw new SourceError(`${contentPath} does not exist: a source folder holds content.json and media/`);
  let source: unknown;
  try {
    source = JSON.parse(readFileSync(contentPath, 'utf8'));
  } catch (error) {
    throw new SourceError(`${contentPath} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(source)) throw new SourceError(`${contentPath} must hold a JSON object`);
  if (source.formatVersion !== CONTENT_FORMAT_VERSION) throw new SourceError(`source content must be format ${CONTENT_FORMAT_VERSION}`);
  const { content: venueJson, keys: rawKeys } = splitAnswers(source);
  let content;
  try {
    content = upgradeContent(venueJson);
  } catch (error) {
    throw new SourceError(`content.json: ${(error as { detail?: string }).detail ?? (error as Error).message}`);
  }
  const itemKeys: Record<string, ItemKey> = {};
  for (const [itemId, raw] of Object.entries(rawKeys)) {
    const parsed = ItemKey.safeParse(raw);
    if (!parsed.success) throw new SourceError(`item ${itemId}: answer is missing or has the wrong shape (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    itemKeys[itemId] = parsed.data;
  }
  const mismatch = answerKeyMismatch(content, itemKeys);
  if (mismatch) throw new SourceError(mismatch);

  const archive = new Map<string, Uint8Array>([['content.json', Buffer.from(JSON.stringify(content), 'utf8')]]);
  for (const path of referencedMedia(content)) {
    const file = join(options.sourceDir, path);
    if (!existsSync(file)) throw new SourceError(`content refers to ${path}, which is not in the source folder`);
    archive.set(path, readFileSync(file));
  }
  const mediaDir = join(options.sourceDir, 'media');
  const unusedMedia = existsSync(mediaDir) ? readdirSync(mediaDir).map((f) => `media/${f}`).filter((p) => !archive.has(p)) : [];

  const packageId = options.packageId ?? randomUUID();
  const key = options.contentKey ?? generateContentKey();
  const chunkSize = options.chunkSize ?? 1024 * 1024;
  const noncePrefix = randomBytes(8);
  const plain = encodeArchive(archive);
  const ciphertext = encryptContent(plain, key, packageId, noncePrefix, chunkSize);
  const examVersion = options.examVersion ?? 1;
  const manifest: PackageManifest = {
    packageFormat: PACKAGE_FORMAT_VERSION,
    packageId,
    examId: content.examId,
    examVersion,
    title: content.title,
    contentFormatVersion: CONTENT_FORMAT_VERSION,
    venue: options.venue ?? 'any',
    validFrom: options.validFrom.toISOString(),
    validUntil: options.validUntil.toISOString(),
    createdAt: (options.now ?? new Date()).toISOString(),
    signingKeyId: options.signingKey.keyId,
    content: { sha256: sha256Hex(plain), size: plain.length },
    cipher: {
      algorithm: CIPHER_ALGORITHM,
      kdf: 'hkdf-sha256',
      chunkSize,
      chunkCount: chunkCount(plain.length, chunkSize),
      noncePrefix: noncePrefix.toString('base64'),
      keyCheck: keyCheckValue(key, packageId).toString('base64'),
      ciphertextSha256: sha256Hex(ciphertext),
      ciphertextSize: ciphertext.length,
    },
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest), 'utf8');
  const file = encodeContainer(manifestBytes, signBytes(options.signingKey, manifestBytes), ciphertext);
  const answerKey = AnswerKey.parse({ formatVersion: ANSWER_KEY_FORMAT_VERSION, examId: content.examId, examVersion, packageId, items: itemKeys });
  return { file, manifest, answerKey, contentKey: formatContentKey(key), unusedMedia };
}
