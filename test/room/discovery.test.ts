// DNS-SD discovery (issue 10 §1), between two network namespaces this test makes and removes: the hub's
// advertiser in one, bound to its veth interface only, a seat's browser in the other; the seat finds the
// hub's device id and room port. No packet leaves the two namespaces (they have no other link, and
// every other test keeps advertising off). The test needs root and `ip netns`; without them it fails
// and says so, rather than passing without having looked.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDeviceIdentity } from '../../src-shared/node/room/identity.ts';
import { tempDir } from '../support/fixtures.ts';

const CHILD = join(import.meta.dirname, 'discovery-child.ts');
const tag = `${process.pid % 100_000}`;
const NS = { hub: `exr-hub-${tag}`, seat: `exr-seat-${tag}` };
const VETH = { hub: `exrh${tag}`, seat: `exrs${tag}` };
const ADDRESS = { hub: '10.200.0.1', seat: '10.200.0.2' };
const children: ChildProcess[] = [];

const ip = (...args: string[]): string => execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function removeNamespaces(): void {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  // Deleting a namespace deletes the veth end inside it, and with it the pair.
  for (const ns of Object.values(NS)) {
    try {
      ip('netns', 'del', ns);
    } catch {
      // not made (set-up failed before it), or gone already
    }
  }
}

function makeNamespaces(): void {
  try {
    ip('netns', 'list');
  } catch (error) {
    throw new Error(`this test needs root and the iproute2 tool ("ip netns"), to run DNS-SD between two network namespaces; it could not: ${(error as Error).message}`, { cause: error });
  }
  removeNamespaces();
  for (const side of ['hub', 'seat'] as const) ip('netns', 'add', NS[side]);
  ip('link', 'add', VETH.hub, 'type', 'veth', 'peer', 'name', VETH.seat);
  for (const side of ['hub', 'seat'] as const) {
    ip('link', 'set', VETH[side], 'netns', NS[side]);
    ip('-n', NS[side], 'addr', 'add', `${ADDRESS[side]}/24`, 'dev', VETH[side]);
    ip('-n', NS[side], 'link', 'set', 'lo', 'up');
    ip('-n', NS[side], 'link', 'set', VETH[side], 'up');
    // Multicast (mDNS is 224.0.0.251) goes out of the veth: the namespace has no default route.
    ip('-n', NS[side], 'route', 'add', '224.0.0.0/4', 'dev', VETH[side]);
  }
}

/** Run discovery-child.ts in a namespace; resolves once it says "ready", with every later line it prints. */
async function inNamespace(ns: string, args: string[]): Promise<{ lines: string[]; child: ChildProcess }> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args[0]} in ${ns} did not start within 20 s: ${stderr}`)), 20_000);
    child.on('exit', (code) => reject(new Error(`${args[0]} in ${ns} ended with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') {
        clearTimeout(timer);
        resolve();
      } else lines.push(line);
    });
  });
  return { lines, child };
}

async function until(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('DNS-SD discovery between two network namespaces', () => {
  beforeAll(() => {
    try {
      makeNamespaces();
    } catch (error) {
      removeNamespaces();
      throw error;
    }
  });
  afterAll(removeNamespaces);

  it('a seat browsing on its LAN finds the hub advertising _examroom._tcp, with the hub device id and room port, and loses it when the hub stops advertising', async () => {
    const { deviceId } = loadOrCreateDeviceIdentity(tempDir('discovery-hub-'));
    const port = 47_301;
    const hub = await inNamespace(NS.hub, ['advertise', deviceId, String(port), ADDRESS.hub]);
    const browser = await inNamespace(NS.seat, ['browse', ADDRESS.seat]);
    const found = () => browser.lines.map((l) => JSON.parse(l) as { hubs: { deviceId: string; port: number; addresses: string[] }[]; error: string | null }).at(-1);
    await until('the seat to find the hub', () => (found()?.hubs.length ?? 0) > 0, 20_000);
    expect(found()).toEqual({ error: null, hubs: [{ deviceId, name: expect.stringContaining(deviceId.slice(0, 4)), addresses: [ADDRESS.hub], port }] });
    // Advertising turned off: the hub says goodbye, and the seat no longer lists it.
    hub.child.kill('SIGTERM');
    await until('the seat to drop the hub', () => found()?.hubs.length === 0, 20_000);
  }, 60_000);
});
