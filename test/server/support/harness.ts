// Test and benchmark harness for the central API: a real PostgreSQL managed by the run, the real
// server on a loopback port, an admin client with the agency token and hub clients that enroll with
// their own Ed25519 key and sign every request, exactly as a venue hub would.
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEnvelope, EventOrigin, PushReply } from '../../../src-shared/contracts/events.ts';
import type { BuiltPackage } from '../../../src-shared/node/package/builder.ts';
import { signRequest, sha256Hex, UNSIGNED_PAYLOAD } from '../../../src-shared/node/request-signing.ts';
import { loadConfig } from '../../../src-server/config.ts';
import type { ErrorBody } from '../../../src-server/errors.ts';
import { startManagedPostgres, type ManagedPostgres } from '../../../src-server/pg-cluster.ts';
import { startServer, type RunningServer } from '../../../src-server/server.ts';
import { encodeUploadMetadata, TUS_VERSION } from '../../../src-server/uploads/tus.ts';

export interface TestServer {
  server: RunningServer;
  url: string;
  admin: AdminClient;
  postgres: ManagedPostgres;
  /** The server's database, for a test that connects to it on its own. */
  databaseUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

async function asJson<T>(response: Response): Promise<JsonResponse<T>> {
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

export class AdminClient {
  readonly url: string;
  readonly token: string;

  constructor(url: string, token: string) {
    this.url = url;
    this.token = token;
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}` };
    let payload: string | Uint8Array | undefined;
    if (body instanceof Uint8Array) {
      headers['content-type'] = 'application/octet-stream';
      payload = body;
    } else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    return asJson<T>(await fetch(`${this.url}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) }));
  }

  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.call<T>(method, path, body);
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** Upload a built package with its key and answer key. */
  async publishPackage(built: BuiltPackage): Promise<string> {
    const packageId = built.manifest.packageId;
    await this.ok('PUT', `/v1/admin/packages/${packageId}/file`, built.file);
    await this.ok('PUT', `/v1/admin/packages/${packageId}/key`, { contentKey: built.contentKey });
    await this.ok('PUT', `/v1/admin/packages/${packageId}/answer-key`, built.answerKey);
    return packageId;
  }
}

export class HubClient {
  readonly url: string;
  readonly privateKey: KeyObject;
  readonly publicKey: string;
  deviceId = '';
  venueId = '';

  constructor(url: string) {
    this.url = url;
    const pair = generateKeyPairSync('ed25519');
    this.privateKey = pair.privateKey;
    this.publicKey = pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  }

  /** The same hub (same credential) talking to another replica. */
  atServer(url: string): HubClient {
    return Object.assign(Object.create(HubClient.prototype) as HubClient, this, { url });
  }

  async enroll(code: string, name = 'hub'): Promise<JsonResponse<{ deviceId: string; venueId: string; venueCode: string }>> {
    const response = await asJson<{ deviceId: string; venueId: string; venueCode: string }>(
      await fetch(`${this.url}/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, name, publicKey: this.publicKey }) }),
    );
    if (response.status === 201) {
      this.deviceId = response.body.deviceId;
      this.venueId = response.body.venueId;
    }
    return response;
  }

  /** The headers to send: `options.headers` with the signing headers added (the covered ones are signed). */
  sign(method: string, path: string, body: string | Uint8Array | undefined, options: { headers?: Record<string, string>; contentSha256?: string; now?: number } = {}): Record<string, string> {
    return signRequest({ deviceId: this.deviceId, privateKey: this.privateKey }, { method, path, body, ...options });
  }

  async raw(method: string, path: string, init: { body?: string | Uint8Array; headers?: Record<string, string>; contentSha256?: string; now?: number } = {}): Promise<Response> {
    const headers = this.sign(method, path, init.body, { ...(init.headers ? { headers: init.headers } : {}), ...(init.contentSha256 ? { contentSha256: init.contentSha256 } : {}), ...(init.now ? { now: init.now } : {}) });
    return fetch(`${this.url}${path}`, { method, headers, ...(init.body === undefined ? {} : { body: init.body }) });
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<JsonResponse<T>> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    return asJson<T>(await this.raw(method, path, text === undefined ? {} : { body: text, headers: { 'content-type': 'application/json' } }));
  }

  /** POST /v1/push: the reply, or the error body of a refusal. */
  push(events: unknown[]): Promise<JsonResponse<PushReply & Partial<ErrorBody>>> {
    return this.call('POST', '/v1/push', { deviceId: this.deviceId, events });
  }

  /** tus: create the upload for a recording; returns its path. `withBody` sends the bytes along (creation-with-upload). */
  async createUpload(
    recordingId: string,
    data: Uint8Array,
    sha256 = sha256Hex(data),
    options: { mimeType?: string; withBody?: boolean } = {},
  ): Promise<JsonResponse<{ uploadId: string; offset: number; complete: boolean }> & { location: string }> {
    const headers: Record<string, string> = {
      'tus-resumable': TUS_VERSION,
      'upload-length': String(data.length),
      'upload-metadata': encodeUploadMetadata({ recordingId, sha256, mimeType: options.mimeType ?? 'audio/webm' }),
    };
    const response = options.withBody
      ? await this.raw('POST', '/v1/uploads', { body: data, contentSha256: sha256Hex(data), headers: { ...headers, 'content-type': 'application/offset+octet-stream' } })
      : await this.raw('POST', '/v1/uploads', { headers });
    const json = await asJson<{ uploadId: string; offset: number; complete: boolean }>(response);
    return { ...json, location: response.headers.get('location') ?? '' };
  }

  async uploadOffset(location: string): Promise<number> {
    const response = await this.raw('HEAD', location, { headers: { 'tus-resumable': TUS_VERSION } });
    if (response.status !== 200) throw new Error(`HEAD ${location}: ${response.status}`);
    return Number(response.headers.get('upload-offset'));
  }

  /** tus PATCH of one chunk; signed with the chunk's hash unless `unsigned`. */
  async patch(location: string, offset: number, chunk: Uint8Array, unsigned = false): Promise<Response> {
    return this.raw('PATCH', location, {
      body: chunk,
      contentSha256: unsigned ? UNSIGNED_PAYLOAD : sha256Hex(chunk),
      headers: { 'tus-resumable': TUS_VERSION, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' },
    });
  }
}

export interface StartTestServerOptions {
  env?: Record<string, string>;
}

/** One PostgreSQL for the test file, one database and server per call. */
export async function startTestServer(postgres: ManagedPostgres, database: string, options: StartTestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'exam-central-'));
  const token = randomBytes(24).toString('base64url');
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', ADMIN_TOKEN: token, LOG_LEVEL: 'silent', SEED_DEMO: 'false', AUDIO_FSYNC: 'false', ...options.env });
  const databaseUrl = await postgres.createDatabase(database);
  const server = await startServer(config, { postgres: { cluster: postgres, database }, logger: false, nonceSweepMs: 0 });
  return {
    server,
    url: server.url,
    admin: new AdminClient(server.url, token),
    postgres,
    databaseUrl,
    dataDir,
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function startTestPostgres(): Promise<ManagedPostgres> {
  return startManagedPostgres({ settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' } });
}

export interface TestVenue {
  venueId: string;
  code: string;
  hub: HubClient;
  sessionId: string;
  /** The package of the venue's session (null: a session of no package). */
  packageId: string | null;
  candidateIds: string[];
}

const VALID_CODES = ['150785-12340', '161175-19997', '030303-10012'];

/** A venue with an enrolled hub, a session of `packageId` starting at `startsAt`, and a roster. */
export async function makeVenue(
  test: TestServer,
  code: string,
  packageId: string | null,
  examId: string,
  /** `level`: the candidates' language-test level, null for a centralized exam (default A2). */
  options: { startsAt?: string; candidates?: number; level?: string | null } = {},
): Promise<TestVenue> {
  const venue = await test.admin.ok<{ venueId: string }>('POST', '/v1/admin/venues', { code, name: `Venue ${code}` });
  const { code: enrollmentCode } = await test.admin.ok<{ code: string }>('POST', `/v1/admin/venues/${venue.venueId}/enrollment-codes`);
  const hub = new HubClient(test.url);
  const enrolled = await hub.enroll(enrollmentCode, `hub of ${code}`);
  if (enrolled.status !== 201) throw new Error(`enroll: ${JSON.stringify(enrolled.body)}`);
  const sessionId = `S-${code}`;
  await test.admin.ok('PUT', `/v1/admin/sessions/${sessionId}`, { venueId: venue.venueId, examId, packageId, room: '1', startsAt: options.startsAt ?? new Date(Date.now() - 60_000).toISOString() });
  const count = options.candidates ?? 2;
  const candidates = Array.from({ length: count }, (_, i) => ({
    candidateId: `${code}-C${i + 1}`,
    givenName: 'Anna',
    familyName: `Bērziņa ${i + 1}`,
    // Distinct codes (one code on two candidates of a session is refused): past the old-format ones, new-format codes.
    personalCode: VALID_CODES[i] ?? `32${String(i).padStart(9, '0')}`,
    level: options.level === undefined ? 'A2' : options.level,
  }));
  await test.admin.ok('PUT', `/v1/admin/sessions/${sessionId}/roster`, { candidates });
  return { venueId: venue.venueId, code, hub, sessionId, packageId, candidateIds: candidates.map((c) => c.candidateId) };
}

export interface EventSpec {
  kind: string;
  entityId: string;
  payload: unknown;
  /** Who wrote it first; by default the pushing device itself, at the event's own seq. */
  origin?: EventOrigin;
}

/**
 * Outbox events in the contract's envelope, as a station pushes its own: numbered from `firstSeq`
 * in the stream of `deviceId`, each originating there at the same seq unless its spec says otherwise
 * (a relayed event). `kind` is a plain string so that tests can send what the contract refuses.
 */
export function outboxEvents(deviceId: string, firstSeq: number, specs: EventSpec[]): EventEnvelope[] {
  return specs.map((spec, i) => ({
    seq: firstSeq + i,
    origin: spec.origin ?? { deviceId, seq: firstSeq + i },
    kind: spec.kind,
    entityId: spec.entityId,
    payload: spec.payload,
    createdAt: new Date().toISOString(),
  }));
}

/** The same events under other stream positions (a hub re-relaying them after it was rebuilt): origins kept. */
export function restreamed(events: readonly EventEnvelope[], firstSeq: number): EventEnvelope[] {
  return events.map((event, i) => ({ ...event, seq: firstSeq + i }));
}

/** The machine-readable code of an error response. */
export async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { code: string }).code;
}
