// The exam room in Chromium: a hub and its seats as separate station processes on loopback (the browser
// runner, each with its own data folder, key and database), the invigilator's console on the hub's page
// and the seats' pages. The seats pair with the code the console shows, over the room's mutual TLS;
// the console then shows every seat connected.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { freePort, launchChromium, Runner, screenshots, shortenedAssets, tempDir } from './support.ts';

/** The demo's chief invigilator (README), on every demo station. */
const STAFF = { username: 'vaditajs', password: 'Eksamens-2026' };
const SEAT_LABELS = ['A1', 'A2', 'A3', 'R1'] as const;

interface ApiError {
  code: string;
  message?: string;
}

/** A station method over the runner's HTTP API, as a script calls it (no screen cookie). */
async function api<T>(runner: Runner, method: string, input: Record<string, unknown>): Promise<T> {
  const reply = await fetch(new URL(`/api/${method}`, runner.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const body = (await reply.json()) as { ok: true; value: T } | { ok: false; error: ApiError };
  if (!body.ok) throw new Error(`${method}: ${body.error.code} ${body.error.message ?? ''}`);
  return body.value;
}

async function staffToken(runner: Runner): Promise<string> {
  return (await api<{ staffToken: string }>(runner, 'staffSignIn', STAFF)).staffToken;
}

let work: string;
let hub: Runner;
let roomPort: number;
const seats = new Map<string, Runner>();
let browser: Browser;
let consolePage: Page;
let shot: (name: string) => Promise<void>;

beforeAll(async () => {
  work = tempDir('exam-room-e2e-');
  const assets = shortenedAssets(work);
  roomPort = await freePort();
  hub = new Runner({
    dataDir: `${work}/hub`,
    port: await freePort(),
    assetsDir: assets,
    env: { EXAM_STATION_ROLE: 'hub', EXAM_STATION_ROOM_HOST: '127.0.0.1', EXAM_STATION_ROOM_PORT: String(roomPort) },
  });
  await hub.start();
  for (const label of SEAT_LABELS) {
    const seat = new Runner({ dataDir: `${work}/seat-${label}`, port: await freePort(), assetsDir: assets, env: { EXAM_STATION_ROLE: 'seat', EXAM_STATION_DEMO_KEYS: `${work}/hub/demo-signing-keys` } });
    await seat.start();
    seats.set(label, seat);
  }
  browser = await launchChromium();
  consolePage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  shot = screenshots(consolePage, 'room-');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const seat of seats.values()) await seat.stop();
  await hub?.stop();
});

describe('the exam room', () => {
  test('the console signs in and the seats pair with the code it shows', async () => {
    await consolePage.goto(hub.url);
    await consolePage.getByLabel(/Lietotājvārds|Username/).fill(STAFF.username);
    await consolePage.getByLabel(/Parole|Password/).fill(STAFF.password);
    await consolePage.getByRole('button', { name: /Ienākt|Sign in/ }).click();
    await consolePage.getByTestId('room-summary').waitFor();
    await shot('console-empty-room');

    await consolePage.getByRole('button', { name: /Rādīt pievienošanas kodu|Show a pairing code/ }).click();
    for (const label of SEAT_LABELS) {
      // Each code pairs one seat: the console shows the next one after it.
      const code = (await consolePage.getByTestId('pairing-code').innerText()).replace(/\D/g, '');
      expect(code).toMatch(/^\d{8}$/);
      const seat = seats.get(label)!;
      const room = await api<{ seat: { paired: boolean; label: string } }>(seat, 'pairWithHub', { staffToken: await staffToken(seat), host: '127.0.0.1', port: roomPort, code, label });
      expect(room.seat).toMatchObject({ paired: true, label });
      await expect.poll(async () => (await consolePage.getByTestId('pairing-code').innerText()).replace(/\D/g, ''), { timeout: 10_000 }).not.toBe(code);
    }
    await expect.poll(async () => consolePage.locator('[data-testid="seat-row"][data-presence="connected"]').count(), { timeout: 15_000 }).toBe(SEAT_LABELS.length);
    for (const label of SEAT_LABELS) await expect.poll(async () => consolePage.getByTestId('seat-row').filter({ hasText: label }).count()).toBe(1);
    await shot('console-four-seats');
  });
});
