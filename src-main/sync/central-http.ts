// The hub's HTTP to the central API: every request signed with the hub's Ed25519 device key (the
// request-signing scheme of src-shared/node/request-signing.ts), over HTTPS with the system CA store
// and the bundle the IT policy names, through the proxy of HTTPS_PROXY / HTTP_PROXY (NO_PROXY
// honoured; Node's own agent does the CONNECT). Replies are parsed with the central API's own schemas
// (src-shared/contracts/central-api.ts). A refusal becomes a SyncError with the centre's code and
// texts; a failure to reach the centre at all becomes CENTRAL_UNREACHABLE, which the client retries.
// The hub's clock may be wrong: when the centre says AUTH_CLOCK_SKEW, the offset is taken from the
// reply's Date header and the request is signed again with the centre's time.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { KeyObject } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import { ErrorBody } from '../../src-shared/contracts/central-api.ts';
import { CodedError, ERROR_CATALOGUE, type ErrorCode } from '../../src-shared/errors.ts';
import { signRequest } from '../../src-shared/node/request-signing.ts';

export interface DeviceCredential {
  deviceId: string;
  privateKey: KeyObject;
}

/** A refusal or failure at the centre, with the centre's code and its Latvian and English text. */
export class SyncError extends CodedError {
  override name = 'SyncError';
  /** The HTTP status the centre answered with; 0 when it was not reached. */
  readonly httpStatus: number;
  readonly body: ErrorBody | undefined;

  constructor(code: ErrorCode, detail: string | undefined, httpStatus: number, body?: ErrorBody, cause?: unknown) {
    super(code, detail, cause === undefined ? undefined : { cause });
    this.httpStatus = httpStatus;
    this.body = body;
  }

  /** Worth trying again later: the centre was not reached, was overloaded or failed on its side. */
  get retryable(): boolean {
    return this.code === 'CENTRAL_UNREACHABLE' || this.httpStatus >= 500 || this.httpStatus === 429;
  }
}

export interface CentralHttpOptions {
  url: string;
  /** PEM file of CA certificates to trust beside the system store (the IT policy's caBundle). */
  caBundleFile?: string | null;
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read (the process environment). */
  proxyEnv?: NodeJS.ProcessEnv;
  /** A request with no byte for this long is given up (and retried by the client). */
  timeoutMs?: number;
  /** This hub's clock (ms since the epoch); the machine's unless a test gives another. */
  clock?: () => number;
}

export interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface SendOptions {
  body?: Buffer | string;
  headers?: Record<string, string>;
  /** The body's hash as signed, when not the hash of `body` (tus PATCH: UNSIGNED-PAYLOAD). */
  contentSha256?: string;
  /** Sign the request with the device key (every route but enrolment and the public ones). */
  signed?: boolean;
}

const TLS_CODES = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED']);

export class CentralHttp {
  readonly url: URL;
  credential: DeviceCredential | null = null;
  /** The centre's clock minus this hub's, learned from a clock-skew refusal. */
  clockOffsetMs = 0;
  private readonly agent: http.Agent;
  private readonly timeoutMs: number;
  private readonly clock: () => number;

  constructor(options: CentralHttpOptions) {
    this.clock = options.clock ?? Date.now;
    this.url = new URL(options.url);
    if (this.url.protocol !== 'https:' && this.url.protocol !== 'http:') throw new CodedError('CONFIG_INVALID', `central address ${options.url}: http or https only`);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const proxyEnv = options.proxyEnv ?? process.env;
    if (this.url.protocol === 'https:') {
      const bundle = options.caBundleFile ? readFileSync(options.caBundleFile, 'utf8') : null;
      const ca = [...tls.getCACertificates('system'), ...tls.getCACertificates('bundled'), ...(bundle ? [bundle] : [])];
      this.agent = new https.Agent({ keepAlive: true, ca, proxyEnv } as https.AgentOptions);
    } else {
      this.agent = new http.Agent({ keepAlive: true, proxyEnv } as http.AgentOptions);
    }
  }

  /** The time the centre keeps, as far as this hub knows it. */
  now(): number {
    return this.clock() + this.clockOffsetMs;
  }

  close(): void {
    this.agent.destroy();
  }

  /** A JSON request whose reply is parsed with `schema`; a refusal throws SyncError. */
  async json<S extends z.ZodType>(schema: S, method: string, path: string, body?: unknown, options: { signed?: boolean } = {}): Promise<z.infer<S>> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const reply = await this.send(method, path, { signed: options.signed ?? true, ...(text === undefined ? {} : { body: text, headers: { 'content-type': 'application/json' } }) });
    if (reply.status >= 300) throw refusal(reply);
    return parseReply(schema, reply.body, `${method} ${path}`);
  }

  /** One request with its whole reply; refusals are the caller's to read (a tus 409, a 416). */
  async send(method: string, path: string, options: SendOptions = {}): Promise<RawReply> {
    const reply = await this.once(method, path, options);
    if (reply.status === 401 && options.signed && errorCodeOf(reply) === 'AUTH_CLOCK_SKEW') {
      const date = Date.parse(String(reply.headers.date ?? ''));
      if (Number.isFinite(date)) this.clockOffsetMs = date - this.clock();
      return this.once(method, path, options);
    }
    return reply;
  }

  /** A signed GET whose body is read as a stream (a package download); the caller consumes or destroys it. */
  async stream(path: string, headers: Record<string, string>): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Readable }> {
    let response = await this.open('GET', path, { signed: true, headers });
    if (response.statusCode === 401) {
      const reply = await collect(response);
      if (errorCodeOf(reply) !== 'AUTH_CLOCK_SKEW') throw refusal(reply);
      const date = Date.parse(String(reply.headers.date ?? ''));
      if (Number.isFinite(date)) this.clockOffsetMs = date - this.clock();
      response = await this.open('GET', path, { signed: true, headers });
    }
    return { status: response.statusCode ?? 0, headers: response.headers, body: response };
  }

  private async once(method: string, path: string, options: SendOptions): Promise<RawReply> {
    return collect(await this.open(method, path, options));
  }

  private open(method: string, path: string, options: SendOptions): Promise<http.IncomingMessage> {
    let headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.signed) {
      if (!this.credential) throw new SyncError('CENTRAL_NOT_ENROLLED', undefined, 0);
      headers = signRequest(this.credential, { method, path, headers, body: options.body, ...(options.contentSha256 ? { contentSha256: options.contentSha256 } : {}), now: this.now() });
    }
    if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
    const target = new URL(path, this.url);
    const lib = target.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = lib.request(target, { method, headers, agent: this.agent, timeout: this.timeoutMs }, resolve);
      request.on('timeout', () => request.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      request.on('error', (error: NodeJS.ErrnoException) => reject(transportError(error, target)));
      request.end(options.body);
    });
  }
}

function collect(response: http.IncomingMessage): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    response.on('error', (error) => reject(new SyncError('CENTRAL_UNREACHABLE', `the reply was cut off: ${error.message}`, 0, undefined, error)));
    response.on('aborted', () => reject(new SyncError('CENTRAL_UNREACHABLE', 'the reply was cut off', 0)));
  });
}

function transportError(error: NodeJS.ErrnoException, target: URL): SyncError {
  if (error.code && TLS_CODES.has(error.code)) return new SyncError('CENTRAL_TLS_UNTRUSTED', `${target.host}: ${error.code}`, 0, undefined, error);
  return new SyncError('CENTRAL_UNREACHABLE', `${target.host}: ${error.code ?? error.message}`, 0, undefined, error);
}

function errorCodeOf(reply: RawReply): string | undefined {
  try {
    return (JSON.parse(reply.body.toString('utf8')) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

/** The centre's refusal as a SyncError: its code when the catalogue knows it, its texts as sent. */
export function refusal(reply: RawReply): SyncError {
  let body: ErrorBody | undefined;
  try {
    const parsed = ErrorBody.safeParse(JSON.parse(reply.body.toString('utf8')));
    if (parsed.success) body = parsed.data;
  } catch {
    body = undefined;
  }
  if (!body) {
    const code: ErrorCode = reply.status >= 500 || reply.status === 429 ? 'CENTRAL_UNREACHABLE' : 'CENTRAL_REPLY_INVALID';
    return new SyncError(code, `HTTP ${reply.status}: ${reply.body.subarray(0, 200).toString('utf8')}`, reply.status);
  }
  const code = (Object.hasOwn(ERROR_CATALOGUE, body.code) ? body.code : 'CENTRAL_REPLY_INVALID') as ErrorCode;
  return new SyncError(code, body.detail ?? (code === 'CENTRAL_REPLY_INVALID' ? `the centre answered ${body.code}` : undefined), reply.status, body);
}

export function parseReply<S extends z.ZodType>(schema: S, body: Buffer, what: string): z.infer<S> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw new SyncError('CENTRAL_REPLY_INVALID', `${what}: not JSON`, 200);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new SyncError('CENTRAL_REPLY_INVALID', `${what}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`, 200);
  return parsed.data;
}
