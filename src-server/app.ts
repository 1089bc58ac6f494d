// Assembles the HTTP service: validation and serialization of every request and response through
// zod schemas (which also give the OpenAPI document at /docs), the error mapping to the bilingual
// error body, health endpoints, and three scopes: public (enroll, tus discovery, receipt and transfer keys),
// device (signed requests of an enrolled hub) and admin (the agency's token).
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { sql } from 'kysely';
import { z } from 'zod';
import { startAuditSealer, verifyAuditChain } from './audit.ts';
import { ADMIN_ACTOR, requireAdmin } from './auth/admin.ts';
import { identifyDevice, pruneNonces, verifyDeviceSignature } from './auth/devices.ts';
import { HEADERS, SIGNATURE_SCHEME, SIGNED_HEADERS, UNSIGNED_PAYLOAD, sha256Hex } from '../src-shared/node/request-signing.ts';
import type { ServerContext } from './context.ts';
import { LATEST_SCHEMA_VERSION, schemaVersion } from './db/migrations/index.ts';
import { deletionCertificateAdminRoutes, deletionCertificateRoutes } from './deletion-certificates.ts';
import { ApiError, ErrorBody, errorResponses } from './errors.ts';
import { feedRoutes } from './feed.ts';
import { keyReleaseRoutes } from './key-release.ts';
import { packageAdminRoutes, packageDownloadRoutes } from './packages.ts';
import { pushRoutes } from './push.ts';
import { receiptAdminRoutes, receiptKeyRoutes, receiptRoutes } from './receipts.ts';
import { scoringRoutes } from './scoring.ts';
import { sessionAdminRoutes } from './sessions.ts';
import { transferAdminRoutes, transferKeyRoutes } from './transfers.ts';
import { tusDiscoveryRoutes, uploadRoutes } from './uploads/tus.ts';
import { enrollRoutes, venueAdminRoutes } from './venues.ts';

export const API_VERSION = '1.0.0';

/** Where the API's terms of use are served (the OpenAPI document's licence). */
const LICENSE_PATH = '/docs/license';
const LICENSE_TEXT =
  'Exam Station central sync API. Proprietary software, not published under an open licence. ' +
  'The exam agency that runs this server gives the right to call it to the venue hubs it enrols and to the systems it names; ' +
  'nobody else may call it, copy it or build on it without the agency\'s written consent.\n';

export interface AppOptions {
  /** The admin token's hash now (it may change while the server runs: `new-admin-token`). */
  adminTokenSha256: () => string;
  /** Write JSON logs (default true); tests turn them off. */
  logger?: boolean;
  /** Prune spent nonces this often (ms); 0 disables. */
  nonceSweepMs?: number;
  /** Seal pending audit entries into the chain this often (ms). */
  auditSealMs?: number;
}

function errorBodyFor(error: FastifyError | ApiError | Error, request: FastifyRequest): { status: number; body: ErrorBody; log: boolean } {
  if (error instanceof ApiError) return { status: error.status, body: error.toBody(), log: error.status >= 500 };
  if (hasZodFastifySchemaValidationErrors(error)) {
    const detail = error.validation
      .slice(0, 5)
      .map((v) => `${error.validationContext ?? 'request'}${v.instancePath.replaceAll('/', '.')}: ${v.message}`)
      .join('; ');
    return { status: 400, body: new ApiError('VALIDATION_FAILED', detail).toBody(), log: false };
  }
  if (isResponseSerializationError(error)) return { status: 500, body: new ApiError('INTERNAL', 'response did not match its schema').toBody(), log: true };
  const code = (error as FastifyError).code;
  // PostgreSQL data exceptions (class 22: e.g. a \u0000 in JSON text, a date out of range) are bad input.
  if (typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code)) return { status: 400, body: new ApiError('VALIDATION_FAILED', error.message).toBody(), log: false };
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return { status: 413, body: new ApiError('PAYLOAD_TOO_LARGE', error.message).toBody(), log: false };
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    const sent = request.headers['content-type'] ?? '(none)';
    const detail = `Content-Type ${sent} is not taken here; send ${request.routeOptions.config.bodyTypes ?? 'application/json'}`;
    return { status: 415, body: new ApiError('UNSUPPORTED_MEDIA_TYPE', detail).toBody(), log: false };
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) return { status: 400, body: new ApiError('VALIDATION_FAILED', error.message).toBody(), log: false };
  return { status: 500, body: new ApiError('INTERNAL').toBody(), log: true };
}

/** Every route registered in this scope names the scope's credential in the OpenAPI document. */
function securedBy(scope: FastifyInstance, scheme: 'deviceSignature' | 'adminToken'): void {
  scope.addHook('onRoute', (route) => {
    route.schema = { ...route.schema, security: [{ [scheme]: [] }] };
  });
}

/**
 * The document without the component schemas no operation reaches: the zod registry gives each named
 * schema as read and as written (`…Input`), and only one of them is used where a schema is only read or
 * only written.
 */
function withoutUnusedComponents<Document>(document: Document): Document {
  const openapi = document as { paths?: unknown; components?: { schemas?: Record<string, unknown> } };
  const schemas = openapi.components?.schemas ?? {};
  const used = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/components/schemas/')) {
        const name = value.slice('#/components/schemas/'.length);
        if (!used.has(name)) {
          used.add(name);
          visit(schemas[name]);
        }
      } else visit(value);
    }
  };
  visit(openapi.paths);
  return { ...openapi, components: { ...openapi.components, schemas: Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name))) } } as Document;
}

export async function buildApp(ctx: ServerContext, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger === false ? false : { level: ctx.config.logLevel, redact: ['req.headers.authorization', 'req.headers["x-signature"]'] },
    bodyLimit: 1024 * 1024,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // JSON bodies are hashed as they arrive: a device's signature covers the exact bytes. Fastify's
  // text/plain parser goes too: a route takes only the types it names (JSON here, its own in the
  // tus and package routes), and anything else is 415 before the signature is looked at, not a
  // confusing "bad signature".
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer;
    request.bodySha256 = sha256Hex(bytes);
    request.rawJson = bytes;
    if (bytes.length === 0) return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      // JSON.parse throws only for text that is not JSON. (done is called outside the try: whatever
      // the rest of the request throws is not a body that is not JSON.)
      return done(new ApiError('BODY_NOT_JSON', (error as Error).message), undefined);
    }
    done(null, parsed);
  });

  app.setErrorHandler((error, request, reply) => {
    const { status, body, log } = errorBodyFor(error as Error, request);
    if (log) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.code, detail: body.detail }, 'request refused');
    return reply.code(status).type('application/json').send(body);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(new ApiError('NOT_FOUND', `${request.method} ${request.url.split('?')[0]}`).toBody()));

  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Exam Station central sync API',
        version: API_VERSION,
        // The project is not published under an open licence (package.json: private); the terms are served beside this document.
        license: { name: 'Proprietary', url: LICENSE_PATH },
        description:
          'Publishes rosters, sessions and encrypted packages to enrolled venue hubs, releases keys at the start time, receives results once and audio resumably, scores them and keeps an audit trail. ' +
          'Device requests are signed with Ed25519 (headers x-device-id, x-timestamp, x-nonce, x-content-sha256, x-signature); admin requests carry `Authorization: Bearer <admin token>`.',
      },
      // Relative: the server this document is read from (each deployment has its own address).
      servers: [{ url: '/', description: 'this server' }],
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer', description: 'The agency admin token: printed once at first start; `npm run server -- new-admin-token` makes a new one.' },
          // OpenAPI has no scheme for a signed request: it is described as the header that carries the
          // signature, with the rest of the scheme in words (src-shared/node/request-signing.ts).
          deviceSignature: {
            type: 'apiKey',
            in: 'header',
            name: HEADERS.signature,
            description:
              `An enrolled hub's Ed25519 signature (${SIGNATURE_SCHEME}) over the method, the path with its query, the headers ${HEADERS.deviceId}, ${HEADERS.timestamp} (ms since the epoch, within the replay window), ` +
              `${HEADERS.nonce} (fresh per request) and ${HEADERS.contentSha256} (the body's SHA-256 in hex, or ${UNSIGNED_PAYLOAD} for a tus PATCH), and the headers ${SIGNED_HEADERS.join(', ')} as sent (an absent one as empty). ` +
              'All five x- headers are sent with every request; the server keeps only the public key the hub enrolled with.',
          },
        },
      },
      tags: [
        { name: 'venue', description: 'Called by an enrolled venue hub (signed requests)' },
        { name: 'admin', description: 'Agency staff (admin token)' },
        { name: 'scoring', description: 'Results and rater scores (admin token)' },
        { name: 'public', description: 'No credentials' },
      ],
    },
    // Each scope names its credential on its routes (securedBy below); a route of none is public.
    transform: (input) => {
      const output = jsonSchemaTransform(input);
      const security = input.schema.security ?? [];
      // @fastify/swagger names an exposed HEAD route `<operationId>-head`, for a GET of the same id; ours has none.
      const operationId = input.route.method === 'HEAD' ? input.schema.operationId?.replace(/-head$/, '') : input.schema.operationId;
      return { ...output, schema: { ...output.schema, security, operationId } };
    },
    transformObject: (input) => withoutUnusedComponents(jsonSchemaTransformObject(input)),
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' });
  app.get(LICENSE_PATH, { schema: { operationId: 'getLicense', tags: ['public'], summary: 'The terms of use of this API', response: { 200: z.string(), ...errorResponses } } }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(LICENSE_TEXT),
  );

  app.get('/health/live', { schema: { operationId: 'getLiveness', tags: ['public'], summary: 'Liveness: the process answers', response: { 200: z.object({ status: z.literal('ok') }), ...errorResponses } } }, async () => ({ status: 'ok' as const }));
  app.get(
    '/health/ready',
    { schema: { operationId: 'getReadiness', tags: ['public'], summary: 'Readiness: the database answers and its schema is current', response: { 200: z.object({ status: z.literal('ready'), schemaVersion: z.number().int() }), ...errorResponses } } },
    async () => {
      let version: number;
      try {
        await sql`SELECT 1`.execute(ctx.db);
        version = await schemaVersion(ctx.db as never);
      } catch (error) {
        throw new ApiError('NOT_READY', `database: ${(error as Error).message}`);
      }
      if (version !== LATEST_SCHEMA_VERSION) throw new ApiError('NOT_READY', `schema ${version}, expected ${LATEST_SCHEMA_VERSION}`);
      return { status: 'ready' as const, schemaVersion: version };
    },
  );

  await app.register(enrollRoutes(ctx));
  await app.register(tusDiscoveryRoutes(ctx));
  await app.register(receiptKeyRoutes(ctx));
  await app.register(transferKeyRoutes(ctx));

  const auth = { db: ctx.db, replayWindowMs: ctx.config.replayWindowMs };
  await app.register(async (device) => {
    securedBy(device, 'deviceSignature');
    device.addHook('onRequest', identifyDevice(auth));
    device.addHook('preValidation', verifyDeviceSignature(auth));
    await device.register(feedRoutes(ctx));
    await device.register(packageDownloadRoutes(ctx));
    await device.register(keyReleaseRoutes(ctx));
    await device.register(pushRoutes(ctx));
    await device.register(uploadRoutes(ctx));
    await device.register(receiptRoutes(ctx));
    await device.register(deletionCertificateRoutes(ctx));
  });

  await app.register(async (admin) => {
    securedBy(admin, 'adminToken');
    admin.addHook('onRequest', requireAdmin(options.adminTokenSha256));
    await admin.register(venueAdminRoutes(ctx, ADMIN_ACTOR));
    await admin.register(sessionAdminRoutes(ctx, ADMIN_ACTOR));
    await admin.register(packageAdminRoutes(ctx, ADMIN_ACTOR));
    await admin.register(scoringRoutes(ctx, ADMIN_ACTOR));
    await admin.register(transferAdminRoutes(ctx, ADMIN_ACTOR));
    await admin.register(receiptAdminRoutes(ctx, ADMIN_ACTOR));
    await admin.register(deletionCertificateAdminRoutes(ctx, ADMIN_ACTOR));
    admin.withTypeProvider<ZodTypeProvider>().get(
      '/v1/admin/audit/verify',
      {
        schema: {
          operationId: 'verifyAuditChain',
          tags: ['admin'],
          summary: 'Verify the audit hash chain; reports the first broken link',
          response: { 200: z.object({ ok: z.boolean(), rows: z.number().int(), brokenAt: z.number().int().optional(), reason: z.string().optional(), lastHash: z.string().optional() }), ...errorResponses },
        },
      },
      async () => verifyAuditChain(ctx.db),
    );
  });

  const sealer = startAuditSealer(ctx.db, options.auditSealMs ?? 200, (error) => app.log.error({ err: error }, 'sealing the audit chain failed'));
  app.addHook('onClose', () => sealer.stop());

  const sweepMs = options.nonceSweepMs ?? 60_000;
  if (sweepMs > 0) {
    const timer = setInterval(() => {
      pruneNonces(ctx.db, ctx.config.replayWindowMs).catch((error: unknown) => app.log.warn({ err: error }, 'nonce sweep failed'));
    }, sweepMs);
    timer.unref();
    app.addHook('onClose', async () => clearInterval(timer));
  }
  return app;
}
