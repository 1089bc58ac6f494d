// The browser runner's HTTP transport: the station API at POST /api/<method> (bodies in the wire JSON
// of src-shared/wire.ts) and the built renderer as static files. Bound to loopback only: it is the
// same contract as Electron IPC, for development, tests and as a fallback where Electron is missing.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';
import type { ErrorCode } from '../../src-shared/errors.ts';
import { fromWire, toWire } from '../../src-shared/wire.ts';
import type { StationReply } from '../station/dispatch.ts';

const MAX_BODY = 4 * 1024 * 1024;

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

const STATUS: Partial<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  STAFF_REQUIRED: 403,
  STAFF_PIN_WRONG: 403,
  STAFF_LOCKED_OUT: 429,
  NOT_FOUND: 404,
  PACKAGE_NOT_FOUND: 404,
  INTERNAL: 500,
  DISK_FULL: 507,
  STORAGE_IO: 500,
  DB_CORRUPT: 500,
};

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('body too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolveBody(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, body: string, type = 'application/json; charset=utf-8'): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  response.end(body);
}

function sendReply(response: ServerResponse, reply: StationReply): void {
  send(response, reply.ok ? 200 : (STATUS[reply.error.code] ?? 409), toWire(reply));
}

export interface RunnerServerOptions {
  handler: (method: string, input: unknown) => Promise<StationReply>;
  /** The built renderer (out/renderer); without it only the API is served. */
  staticDir?: string;
}

export function createRunnerServer(options: RunnerServerOptions): Server {
  const staticRoot = options.staticDir ? resolve(options.staticDir) : undefined;
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname.startsWith('/api/')) {
      if (request.method !== 'POST') return send(response, 405, toWire({ ok: false, error: { code: 'VALIDATION_FAILED', message: { lv: 'Jāizmanto POST.', en: 'Use POST.' } } }));
      const method = decodeURIComponent(url.pathname.slice('/api/'.length));
      readBody(request)
        .then(async (text) => {
          let input: unknown;
          try {
            input = text === '' ? {} : fromWire(text);
          } catch {
            return sendReply(response, { ok: false, error: { code: 'VALIDATION_FAILED', message: { lv: 'Pieprasījums nav derīgs JSON.', en: 'The request is not valid JSON.' } } });
          }
          sendReply(response, await options.handler(method, input));
        })
        .catch((error: Error) => send(response, 413, toWire({ ok: false, error: { code: 'VALIDATION_FAILED', message: { lv: 'Pieprasījums ir pārāk liels.', en: 'The request is too large.' }, detail: error.message } })));
      return;
    }
    if (!staticRoot || (request.method !== 'GET' && request.method !== 'HEAD')) return send(response, 404, 'not found', 'text/plain');
    const wanted = normalize(join(staticRoot, decodeURIComponent(url.pathname)));
    const file = wanted.startsWith(staticRoot) && existsSync(wanted) && statSync(wanted).isFile() ? wanted : join(staticRoot, 'index.html');
    if (!existsSync(file)) return send(response, 503, 'The renderer is not built yet: run npm run build.', 'text/plain; charset=utf-8');
    response.writeHead(200, {
      'content-type': STATIC_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; style-src 'self' 'unsafe-inline'",
    });
    createReadStream(file).pipe(response);
  });
}
