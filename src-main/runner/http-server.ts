// The station API over HTTP on loopback, and the built renderer as static files: the same contract
// as Electron IPC, for development, tests and the browser runner. One route per contract method
// (POST /api/<method>, bodies in the wire JSON of src-shared/wire.ts); the input is validated by the
// handler, never here.
// Only this station's own pages may call it: a request naming another Host (a DNS-rebinding page)
// or coming from another Origin is refused, and so is any body that is not JSON, so a web page
// elsewhere cannot even send a "simple" form POST. Malformed URLs, traversal attempts and oversized
// bodies get a 4xx and never reach the process's life.
// A browser tab is one client: the page gets an HttpOnly station cookie when it is loaded, and a
// caller without one (a script, a test) is the one anonymous client.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { CodedError, StationError, type ErrorCode } from '../../src-shared/errors.ts';
import type { Surface } from '../../src-shared/contracts/station-api.ts';
import { fromWire, toWire } from '../../src-shared/contracts/wire.ts';
import type { StationHandler, StationReply } from '../station/dispatch.ts';

/** Big enough for a 1 MiB audio segment in base64 with room to spare. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
const CLIENT_COOKIE = 'exam_station_client';
/** A caller without the station cookie: a script or a test, not a screen (it shares one lockout). */
const ANONYMOUS = 'http:anonymous';
const CSP = "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

export interface StationHttpOptions {
  handler: StationHandler;
  /** The built renderer (out/renderer); without it only the API is served. */
  staticDir?: string;
  /** The surfaces every client of this server reaches (a solo station: all). */
  surfaces: readonly Surface[];
  logger?: boolean;
}

function errorReply(reply: FastifyReply, code: ErrorCode, detail?: string): FastifyReply {
  const error = new StationError(code, detail);
  return reply.code(error.status).type('application/json; charset=utf-8').header('cache-control', 'no-store').send(toWire({ ok: false, error: error.toBody() } satisfies StationReply));
}

function clientIdOf(request: FastifyRequest): string {
  const cookie = request.headers.cookie ?? '';
  const match = new RegExp(`(?:^|;\\s*)${CLIENT_COOKIE}=([A-Za-z0-9_-]{22,64})`).exec(cookie);
  return match ? `http:${match[1]}` : ANONYMOUS;
}

/** The Host values a request may carry: this server's loopback address and port, by name or number. */
function allowedHosts(app: FastifyInstance): Set<string> {
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
}

export async function createStationHttpServer(options: StationHttpOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: MAX_BODY_BYTES,
    forceCloseConnections: true,
    // A malformed percent-encoding (/%ZZ) is the client's mistake: a 400 in the station's own shape.
    frameworkErrors: (error, _request, reply) => {
      void errorReply(reply, 'VALIDATION_FAILED', error.message.slice(0, 200));
    },
  });
  let hosts = new Set<string>();
  app.addHook('onListen', async () => {
    hosts = allowedHosts(app);
  });

  app.addHook('onRequest', async (request, reply) => {
    const host = request.headers.host ?? '';
    if (!hosts.has(host)) return errorReply(reply, 'REQUEST_FOREIGN_ORIGIN', `Host ${host.slice(0, 100)} is not this station`);
    const origin = request.headers.origin;
    if (origin !== undefined && !(origin.startsWith('http://') && hosts.has(origin.slice('http://'.length)))) {
      return errorReply(reply, 'REQUEST_FOREIGN_ORIGIN', `Origin ${origin.slice(0, 100)}`);
    }
    if (request.headers['sec-fetch-site'] === 'cross-site') return errorReply(reply, 'REQUEST_FOREIGN_ORIGIN', 'cross-site request');
    return undefined;
  });

  // Only JSON bodies: form posts and text/plain (what a foreign page can send without asking) are 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, body === '' ? {} : fromWire(body as string));
    } catch {
      done(new StationError('BODY_NOT_JSON'), undefined);
    }
  });

  app.setErrorHandler((error: Error, _request, reply) => {
    if (error instanceof CodedError) return errorReply(reply, error.code, error.detail);
    const code = (error as { code?: string }).code;
    if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return errorReply(reply, 'PAYLOAD_TOO_LARGE', `at most ${MAX_BODY_BYTES} bytes`);
    if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || code === 'FST_ERR_CTP_EMPTY_TYPE') return errorReply(reply, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json');
    if (code === 'FST_ERR_CTP_INVALID_CONTENT_LENGTH' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return errorReply(reply, 'VALIDATION_FAILED', error.message);
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) return errorReply(reply, 'VALIDATION_FAILED', error.message);
    console.error('station http: unexpected error', error);
    return errorReply(reply, 'INTERNAL');
  });

  app.post<{ Params: { method: string } }>('/api/:method', async (request, reply) => {
    if (!request.headers['content-type']) return errorReply(reply, 'UNSUPPORTED_MEDIA_TYPE', 'send application/json');
    const clientId = clientIdOf(request);
    const result = await options.handler(request.params.method, request.body ?? {}, { clientId, surfaces: options.surfaces, screen: clientId !== ANONYMOUS });
    const status = result.ok ? 200 : new StationError(result.error.code).status;
    return reply.code(status).type('application/json; charset=utf-8').header('cache-control', 'no-store').header('x-content-type-options', 'nosniff').send(toWire(result));
  });
  app.all('/api/*', async (_request, reply) => errorReply(reply, 'NOT_FOUND', 'station methods are POST /api/<method>'));

  const root = options.staticDir ? resolve(options.staticDir) : undefined;
  const built = root !== undefined && existsSync(resolve(root, 'index.html'));
  // The page itself: where a tab gets its station cookie (minted once), with the strict CSP.
  const sendPage = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    if (!built) return reply.code(503).type('text/plain; charset=utf-8').send('The renderer is not built yet: run npm run build.');
    if (clientIdOf(request) === ANONYMOUS) reply.header('set-cookie', `${CLIENT_COOKIE}=${randomBytes(24).toString('base64url')}; HttpOnly; SameSite=Strict; Path=/`);
    return reply.header('content-security-policy', CSP).header('cache-control', 'no-store').header('x-frame-options', 'DENY').sendFile('index.html');
  };
  if (built) {
    // send (under @fastify/static) refuses traversal after decoding and never leaves the root.
    await app.register(fastifyStatic, { root, wildcard: true, index: false, cacheControl: false, dotfiles: 'deny', allowedPath: (path) => path !== '/index.html' && !path.includes('\0') });
  }
  app.get('/', sendPage);
  app.get('/index.html', sendPage);
  app.setNotFoundHandler(async (request, reply) => {
    // A path without a file extension is one of the single-page app's own screens; anything else is 404.
    const path = request.url.split('?')[0] ?? '';
    if (request.method === 'GET' && !/\.[A-Za-z0-9]+$/.test(path) && !path.includes('%')) return sendPage(request, reply);
    return reply.code(404).type('text/plain; charset=utf-8').send('not found');
  });
  return app;
}
