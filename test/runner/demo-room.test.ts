// npm run demo:room: a hub and its seats as separate station processes on loopback, the seats paired
// with the hub by code, every seat connected on the hub's room view; stopped, it leaves no process behind;
// started again on its data folder, it pairs nothing twice.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CHIEF } from '../../src-main/host/demo.ts';
import { freePort } from '../../src-server/pg-cluster.ts';
import { tempDir } from '../support/fixtures.ts';

const SCRIPT = join(import.meta.dirname, '../../src-main/runner/demo-room.ts');
const running: ChildProcess[] = [];

interface Ready {
  console: string;
  roomPort: number;
  seats: Record<string, string>;
}

async function startRoom(data: string, port: number, roomPort: number): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = spawn(process.execPath, [SCRIPT, '--seats', '2', '--port', String(port), '--data', data], { env: { ...process.env, EXAM_STATION_ROOM_PORT: String(roomPort) }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`demo:room stopped (${code}): ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{') && line.includes('"room-ready"')) resolve(JSON.parse(line) as Ready);
    });
  });
  return { child, ready };
}

async function call<T>(url: string, method: string, input: Record<string, unknown>): Promise<T> {
  const reply = await fetch(new URL(`/api/${method}`, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const body = (await reply.json()) as { ok: true; value: T } | { ok: false; error: { code: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error.code}`);
  return body.value;
}

type Room = { hub: { seats: { label: string | null; connected: boolean }[]; pairing: { state: string } } };

async function seatsOf(url: string): Promise<Room['hub']> {
  const { staffToken } = await call<{ staffToken: string }>(url, 'staffSignIn', { username: DEMO_CHIEF.username, password: DEMO_CHIEF.password });
  return (await call<Room>(url, 'getRoom', { staffToken })).hub;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const alive = async (url: string): Promise<boolean> =>
  fetch(url)
    .then(() => true)
    .catch(() => false);

afterEach(async () => {
  for (const child of running.splice(0)) await stop(child);
});

describe('npm run demo:room', () => {
  it('starts a hub and two paired seats, stops them all, and pairs nothing twice when started again', async () => {
    const data = tempDir('demo-room-');
    const port = await freePort();
    const roomPort = await freePort();
    const first = await startRoom(data, port, roomPort);
    expect(Object.keys(first.ready.seats)).toEqual(['A1', 'A2']);
    await expect.poll(async () => (await seatsOf(first.ready.console)).seats.filter((s) => s.connected).map((s) => s.label).sort(), { timeout: 30_000, interval: 500 }).toEqual(['A1', 'A2']);
    expect((await seatsOf(first.ready.console)).pairing.state).toBe('closed');
    await stop(first.child);
    for (const url of [first.ready.console, ...Object.values(first.ready.seats)]) expect(await alive(url)).toBe(false);

    const again = await startRoom(data, port, roomPort);
    await expect.poll(async () => (await seatsOf(again.ready.console)).seats.filter((s) => s.connected).length, { timeout: 30_000, interval: 500 }).toBe(2);
    // Still the same two seats: none paired a second time.
    expect((await seatsOf(again.ready.console)).seats.map((s) => s.label).sort()).toEqual(['A1', 'A2']);
  }, 240_000);
});
