// Exam packages at the centre: the agency uploads a built package (its file), its content key and its
// answer key; the key opens the package here once, to prove it fits and to keep the content for
// scoring. Venues download the file, resumably, with HTTP Range, only for their own sessions.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AnswerKey, answerKeyMismatch } from '../src-shared/content/answer-key.ts';
import type { ExamContent } from '../src-shared/content/schema.ts';
import { upgradeContent } from '../src-shared/content/versions.ts';
import { PackageError } from '../src-shared/errors.ts';
import { decodeContainer } from '../src-shared/node/package/container.ts';
import { openPackage } from '../src-shared/node/package/reader.ts';
import { appendAudit } from './audit.ts';
import { sha256Hex } from '../src-shared/node/request-signing.ts';
import type { ServerContext } from './context.ts';
import type { CentralDb } from './db/database.ts';
import { ApiError, errorResponses } from './errors.ts';

export const PACKAGE_MIME = 'application/vnd.exam-station.package';
export const packageObjectKey = (packageId: string): string => `packages/${packageId}.exampkg`;

const asPackageError = (error: unknown): never => {
  // The shared package code says what is wrong with the file; at the centre that is an invalid package.
  if (error instanceof PackageError) throw new ApiError('PACKAGE_INVALID', `${error.code}: ${error.detail ?? error.text.en}`);
  throw error;
};

/**
 * The content kept for a package (package_secret.content), in the current format. It is stored in the
 * format version it was opened with, so content of an older version is upgraded here, on every read,
 * as a station does; content this server cannot read (newer than it knows, or damaged) is the
 * centre's own fault, not the caller's, and is not read as if it were the current format.
 */
export function storedContent(packageId: string, raw: unknown): ExamContent {
  try {
    return upgradeContent(raw);
  } catch (error) {
    if (error instanceof PackageError) throw new ApiError('INTERNAL', `the stored content of package ${packageId} cannot be read: ${error.code}${error.detail ? `: ${error.detail}` : ''}`);
    throw error;
  }
}

/** The answer key kept for a package, checked against its schema (it has a format version of its own). */
export function storedAnswerKey(packageId: string, raw: unknown): AnswerKey {
  const parsed = AnswerKey.safeParse(raw);
  if (!parsed.success) throw new ApiError('INTERNAL', `the stored answer key of package ${packageId} cannot be read: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Store a package file. The same file again is a no-op; another file under the same id is refused. */
export async function storePackageFile(ctx: ServerContext, file: Buffer, actor: string, expectedId?: string): Promise<{ packageId: string; alreadyStored: boolean }> {
  let container;
  try {
    container = decodeContainer(file);
  } catch (error) {
    return asPackageError(error);
  }
  const { manifest } = container;
  if (expectedId && manifest.packageId !== expectedId) throw new ApiError('PACKAGE_INVALID', `the file is package ${manifest.packageId}, not ${expectedId}`);
  if (container.ciphertext.length !== manifest.cipher.ciphertextSize || sha256Hex(container.ciphertext) !== manifest.cipher.ciphertextSha256) {
    throw new ApiError('PACKAGE_INVALID', 'the ciphertext does not match the manifest');
  }
  const fileSha256 = sha256Hex(file);
  const existing = await ctx.db.selectFrom('exam_package').select('file_sha256').where('package_id', '=', manifest.packageId).executeTakeFirst();
  if (existing) {
    if (existing.file_sha256 !== fileSha256) throw new ApiError('CONFLICT', `package ${manifest.packageId} is already stored with other content`);
    return { packageId: manifest.packageId, alreadyStored: true };
  }
  const key = packageObjectKey(manifest.packageId);
  await ctx.storage.putObject(key, file);
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('exam_package')
      .values({
        package_id: manifest.packageId,
        exam_id: manifest.examId,
        exam_version: manifest.examVersion,
        title: manifest.title,
        venue_code: manifest.venue,
        valid_from: manifest.validFrom,
        valid_until: manifest.validUntil,
        manifest: JSON.stringify(manifest),
        file_sha256: fileSha256,
        file_size: file.length,
        blob_key: key,
      })
      .execute();
    await appendAudit(trx, [{ actorKind: 'admin', actorId: actor, action: 'package.stored', subject: manifest.packageId, detail: { examId: manifest.examId, sha256: fileSha256, bytes: file.length } }]);
  });
  return { packageId: manifest.packageId, alreadyStored: false };
}

/** Keep the content key after proving it opens the package; the decrypted content is kept for scoring. */
export async function storeContentKey(ctx: ServerContext, packageId: string, contentKey: string, actor: string): Promise<{ examId: string; title: string }> {
  const row = await ctx.db.selectFrom('exam_package').select(['blob_key']).where('package_id', '=', packageId).executeTakeFirst();
  if (!row) throw new ApiError('NOT_FOUND', `package ${packageId}`);
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.storage.readObject(row.blob_key)) chunks.push(chunk as Buffer);
  let opened;
  try {
    const container = decodeContainer(Buffer.concat(chunks));
    opened = openPackage(container.manifest, container.ciphertext, contentKey);
  } catch (error) {
    return asPackageError(error);
  }
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('package_secret')
      .values({ package_id: packageId, content_key: contentKey, content: JSON.stringify(opened.content), answer_key: null })
      .onConflict((oc) => oc.column('package_id').doUpdateSet({ content_key: contentKey, content: JSON.stringify(opened.content) }))
      .execute();
    await appendAudit(trx, [{ actorKind: 'admin', actorId: actor, action: 'package.key-stored', subject: packageId }]);
  });
  return { examId: opened.content.examId, title: opened.content.title };
}

export async function storeAnswerKey(db: CentralDb, answerKey: AnswerKey, actor: string): Promise<void> {
  const secret = await db.selectFrom('package_secret').select(['content']).where('package_id', '=', answerKey.packageId).executeTakeFirst();
  if (!secret) throw new ApiError('NOT_FOUND', `package ${answerKey.packageId} has no content key yet: store the key first`);
  const content = storedContent(answerKey.packageId, secret.content);
  if (content.examId !== answerKey.examId) throw new ApiError('ANSWER_KEY_MISMATCH', `the key is for exam ${answerKey.examId}, the package is ${content.examId}`);
  const mismatch = answerKeyMismatch(content, answerKey.items);
  if (mismatch) throw new ApiError('ANSWER_KEY_MISMATCH', mismatch);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('package_secret').set({ answer_key: JSON.stringify(answerKey) }).where('package_id', '=', answerKey.packageId).execute();
    await appendAudit(trx, [{ actorKind: 'admin', actorId: actor, action: 'package.answer-key-stored', subject: answerKey.packageId }]);
  });
}

export type ByteRange = { start: number; end: number };

/** One `bytes=` range against a file of `size` bytes; undefined = send it whole, 'unsatisfiable' = 416. */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges or another unit: RFC 9110 lets a server answer with the whole file.
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  const [, from, to] = match;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

export const packageAdminRoutes =
  (ctx: ServerContext, actor: string): FastifyPluginAsyncZod =>
  async (app) => {
    app.addContentTypeParser(['application/octet-stream', PACKAGE_MIME], { parseAs: 'buffer', bodyLimit: ctx.config.packageMaxBytes }, (_request, body, done) => done(null, body));
    const Params = z.object({ packageId: z.string().uuid() });

    app.put(
      '/v1/admin/packages/:packageId/file',
      {
        bodyLimit: ctx.config.packageMaxBytes,
        config: { bodyTypes: `application/octet-stream or ${PACKAGE_MIME}` },
        schema: {
          operationId: 'putPackageFile',
          tags: ['admin'],
          summary: 'Upload a built package file (application/octet-stream)',
          params: Params,
          body: z.instanceof(Buffer).meta({ type: 'string', format: 'binary' } as never),
          response: { 200: z.object({ packageId: z.string(), alreadyStored: z.boolean() }), ...errorResponses },
        },
      },
      async (request) => storePackageFile(ctx, request.body, actor, request.params.packageId),
    );

    app.put(
      '/v1/admin/packages/:packageId/key',
      {
        schema: {
          operationId: 'putPackageKey',
          tags: ['admin'],
          summary: "Store the package's content key (checked by opening the package)",
          params: Params,
          body: z.object({ contentKey: z.string().min(1).max(200) }),
          response: { 200: z.object({ examId: z.string(), title: z.string() }), ...errorResponses },
        },
      },
      async (request) => storeContentKey(ctx, request.params.packageId, request.body.contentKey, actor),
    );

    app.put(
      '/v1/admin/packages/:packageId/answer-key',
      {
        schema: {
          operationId: 'putAnswerKey',
          tags: ['admin'],
          summary: 'Store the answer key (the separate file from the package builder)',
          params: Params,
          body: AnswerKey,
          response: { 200: z.object({ ok: z.literal(true) }), ...errorResponses },
        },
      },
      async (request) => {
        if (request.body.packageId !== request.params.packageId) throw new ApiError('ANSWER_KEY_MISMATCH', `the key is for package ${request.body.packageId}`);
        await storeAnswerKey(ctx.db, request.body, actor);
        return { ok: true as const };
      },
    );
  };

export const packageDownloadRoutes =
  (ctx: ServerContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/v1/packages/:packageId',
      {
        schema: {
          operationId: 'downloadPackage',
          tags: ['venue'],
          summary: 'Download a package file (supports Range to resume)',
          params: z.object({ packageId: z.string().uuid() }),
          response: { 200: z.unknown().describe('the whole package file'), 206: z.unknown().describe('the requested byte range'), ...errorResponses },
        },
      },
      async (request, reply) => {
        const device = request.device!;
        const row = await ctx.db
          .selectFrom('exam_package as p')
          .innerJoin('exam_session as s', 's.package_id', 'p.package_id')
          .select(['p.package_id', 'p.blob_key', 'p.file_size', 'p.file_sha256'])
          .where('p.package_id', '=', request.params.packageId)
          .where('s.venue_id', '=', device.venueId)
          .where('s.cancelled', '=', false)
          .executeTakeFirst();
        if (!row) throw new ApiError('NOT_FOUND', `package ${request.params.packageId}`);
        const size = Number(row.file_size);
        const etag = `"${row.file_sha256}"`;
        const ifRange = request.headers['if-range'];
        const range = ifRange === undefined || ifRange === etag ? parseRange(request.headers.range, size) : undefined;
        reply.header('Accept-Ranges', 'bytes').header('ETag', etag).header('Content-Type', PACKAGE_MIME);
        if (range === 'unsatisfiable') {
          reply.header('Content-Range', `bytes */${size}`);
          throw new ApiError('RANGE_NOT_SATISFIABLE', `the file has ${size} bytes`);
        }
        await ctx.db.transaction().execute((trx) =>
          appendAudit(trx, [{ actorKind: 'device', actorId: device.deviceId, action: 'package.downloaded', venueId: device.venueId, subject: row.package_id, detail: range ? { ...range } : { whole: true } }]),
        );
        if (!range) return reply.header('Content-Length', String(size)).send(ctx.storage.readObject(row.blob_key));
        return reply
          .code(206)
          .header('Content-Range', `bytes ${range.start}-${range.end}/${size}`)
          .header('Content-Length', String(range.end - range.start + 1))
          .send(ctx.storage.readObject(row.blob_key, range));
      },
    );
  };

