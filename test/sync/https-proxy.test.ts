// The hub reaches the centre over HTTPS it verifies: the system CA store plus the bundle the IT policy
// names (an agency CA here, made with openssl for the test), refusing a certificate it cannot trust;
// and through the proxy HTTPS_PROXY names (a CONNECT proxy the test runs), as a venue's network may ask.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedPostgres } from '../../src-server/pg-cluster.ts';
import { startTestPostgres } from '../server/support/harness.ts';
import { tempDir } from '../support/fixtures.ts';
import { openHub, publishDay, type CentralDay } from './support.ts';

let postgres: ManagedPostgres;
let published: CentralDay;
let tls: TlsServer;
let proxy: Server;
let caFile: string;
let httpsUrl: string;
const tunnels: string[] = [];
const sockets = new Set<Socket>();

/** A CA and a server certificate for 127.0.0.1 signed by it, as an agency's own PKI would issue. */
function makeCertificates(dir: string): { ca: string; key: string; cert: string } {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Exam Station test agency CA');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  execFileSync('sh', ['-c', 'printf "subjectAltName=IP:127.0.0.1\\nbasicConstraints=CA:FALSE\\n" > ext.cnf'], { cwd: dir });
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
  return { ca: join(dir, 'ca.pem'), key: join(dir, 'server.key'), cert: join(dir, 'server.pem') };
}

const pipeTo = (client: Socket, port: number) => {
  const upstream = connect(port, '127.0.0.1');
  for (const s of [client, upstream]) {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  }
  client.pipe(upstream).pipe(client);
  return upstream;
};

beforeAll(async () => {
  postgres = await startTestPostgres();
  published = await publishDay(postgres, 'https_proxy');
  const certs = makeCertificates(tempDir('agency-pki-'));
  caFile = certs.ca;
  const centralPort = Number(new URL(published.central.url).port);
  // TLS in front of the central API, as a load balancer terminates it.
  tls = createTlsServer({ key: readFileSync(certs.key), cert: readFileSync(certs.cert) }, (socket) => pipeTo(socket, centralPort));
  await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
  httpsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  // A CONNECT proxy, as a venue's network may require.
  proxy = createHttpServer((_request, response) => response.writeHead(405).end());
  proxy.on('connect', (request, client: Socket, head: Buffer) => {
    tunnels.push(String(request.url));
    const [, port] = String(request.url).split(':');
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const upstream = pipeTo(client, Number(port));
    if (head.length > 0) upstream.write(head);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => tls?.close(resolve));
  await new Promise((resolve) => proxy?.close(resolve));
  await published?.central.stop();
  await postgres?.stop();
});

describe('HTTPS and a proxy between the hub and the centre', () => {
  it('refuses a certificate it cannot trust, and trusts the agency CA the policy names', async () => {
    const untrusting = await openHub(published, { proxyEnv: {} });
    try {
      await expect(untrusting.client.enrol({ centralUrl: httpsUrl, code: published.enrollmentCode, name: 'hub' })).rejects.toMatchObject({ code: 'CENTRAL_TLS_UNTRUSTED', text: { lv: expect.stringContaining('nav uzticams') } });
      // Nothing was spent: the same code still enrols a hub that trusts the CA.
    } finally {
      await untrusting.close();
    }
    const hub = await openHub(published, { caBundleFile: caFile, proxyEnv: {} });
    try {
      await hub.client.enrol({ centralUrl: httpsUrl, code: published.enrollmentCode, name: 'hub over https' });
      expect(await hub.client.syncNow()).toBeNull();
      expect(await hub.service.listPackages({ staffToken: hub.staffToken })).toEqual([expect.objectContaining({ unlocked: true })]);
    } finally {
      await hub.close();
    }
  });

  it('goes through the proxy HTTPS_PROXY names, end-to-end TLS inside the tunnel', async () => {
    const { code } = await published.central.admin.ok<{ code: string }>('POST', `/v1/admin/venues/${published.venueId}/enrollment-codes`);
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const hub = await openHub(published, { caBundleFile: caFile, proxyEnv: { HTTPS_PROXY: proxyUrl } });
    try {
      tunnels.length = 0;
      await hub.client.enrol({ centralUrl: httpsUrl, code, name: 'hub behind a proxy' });
      expect(await hub.client.syncNow()).toBeNull();
      expect(tunnels.length).toBeGreaterThan(0);
      expect(new Set(tunnels)).toEqual(new Set([new URL(httpsUrl).host]));
    } finally {
      await hub.close();
    }
  });
});
