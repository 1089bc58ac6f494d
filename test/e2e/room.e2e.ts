// The exam room in Chromium: a hub and its seats as separate station processes on loopback (the browser
// runner, each with its own data folder, key and database), the invigilator's console on the hub's page
// and the seats' pages, for one A2 session of three candidates and a spare seat.
//   - the seats pair with the code the console shows, over the room's mutual TLS (seat A1 through a TCP
//     proxy the test controls); the console shows every seat connected;
//   - check-in at the desk (both checks, present), the seat plan, each candidate's "yes" on their
//     identity screen and the invigilator's authorisation;
//   - the package key typed once at the hub and released by two people (a second account confirms),
//     the room's start;
//   - the candidates answer, the room is paused and resumed, Olga gets five minutes for an incident on
//     top of her registered +25 %, an incident is recorded for the room;
//   - in speaking, seat A1's link is cut for 60 s (the candidate goes on, told calmly; the console
//     shows the seat missing), seat A2 is killed mid-take and its candidate moved to the spare seat R1,
//     where he goes on and finishes; A2 comes back later and its late work is kept, flagged;
//   - the session is ended and sealed (every seat's digest matches the hub's), the protocol PDF is saved
//     from the console and read with pdftotext;
//   - afterwards, from the stations' databases: every event and every audio segment of every seat is at
//     the hub exactly once, every candidate's answers and takes are there, and each part's time derived
//     from the timer events the hub holds is the time the seat derives from its own.
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { deriveTimer, type TimerEvent } from '../../src-shared/rules/timer.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { freePort, latvianVoiceWav, launchChromium, run, Runner, SCREENS_DIR, screenshots, shortenedAssets, tempDir } from './support.ts';

/** The demo's chief invigilator (README), on every demo station. */
const STAFF = { username: 'vaditajs', password: 'Eksamens-2026' };
/** The second invigilator, who confirms the key release with an account of their own. */
const SECOND = { username: 'liga', displayName: 'Līga Ābele', password: 'Otrs-Darbinieks-2026', first: 'Pagaidu-Parole-2026' };
const SEAT_LABELS = ['A1', 'A2', 'A3', 'R1'] as const;
type Label = (typeof SEAT_LABELS)[number];
const SESSION = 'DEMO-vvpp-a2-sample';
/** Who sits where (the demo's A2 roster): Olga Ivanova has the registered extra-time-25. */
const SEATED: Record<'A1' | 'A2' | 'A3', { candidateId: string; name: string }> = {
  A1: { candidateId: 'DEMO-A2-1', name: 'Anna Bērziņa' },
  A2: { candidateId: 'DEMO-A2-2', name: 'Jānis Kalniņš' },
  A3: { candidateId: 'DEMO-A2-3', name: 'Olga Ivanova' },
};
const CUT_MS = 60_000;
const EXTRA_REASON = 'Ugunsdzēsības trauksme — kandidāte zaudēja 5 minūtes';
const INCIDENT_NOTE = 'Ugunsdzēsības trauksme koridorā, telpa pauzēta uz brīdi.';
const MOVE_REASON = 'Dators A2 izslēdzās runāšanas laikā';

interface ApiError {
  code: string;
  message?: unknown;
}

/** A station method over the runner's HTTP API, as a script calls it (no screen cookie). */
async function api<T>(runner: Runner, method: string, input: Record<string, unknown>): Promise<T> {
  const reply = await fetch(new URL(`/api/${method}`, runner.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const body = (await reply.json()) as { ok: true; value: T } | { ok: false; error: ApiError };
  if (!body.ok) throw new Error(`${method}: ${body.error.code} ${JSON.stringify(body.error.message ?? '')}`);
  return body.value;
}

async function staffToken(runner: Runner, who: { username: string; password: string } = STAFF): Promise<string> {
  return (await api<{ staffToken: string }>(runner, 'staffSignIn', { username: who.username, password: who.password })).staffToken;
}

interface HubSeatView {
  deviceId: string;
  label: string | null;
  presence: string;
  state: { backlog: { events: number } } | null;
}

async function hubSeats(): Promise<HubSeatView[]> {
  return (await api<{ hub: { seats: HubSeatView[] } }>(hub, 'getRoom', { staffToken: await staffToken(hub) })).hub.seats;
}

let work: string;
let hub: Runner;
let roomPort: number;
let proxy: TcpProxy;
const seats = new Map<Label, Runner>();
const deviceOf = new Map<Label, string>();
let browser: Browser;
let seatContext: BrowserContext;
let consolePage: Page;
const seatPages = new Map<Label, Page>();
let shot: (name: string) => Promise<void>;
const seatShots = new Map<Label, (name: string) => Promise<void>>();
/** What each candidate typed, to find at the hub afterwards. */
const typed = new Map<string, string>();

const section = (page: Page, heading: string): Locator => page.locator('section', { has: page.getByRole('heading', { name: heading, exact: true }) });

async function consoleSignIn(page: Page, who: { username: string; password: string }): Promise<void> {
  await page.goto(hub.url);
  await page.getByLabel(/Lietotājvārds|Username/).fill(who.username);
  await page.getByLabel(/Parole|Password/).fill(who.password);
  await page.getByRole('button', { name: /Ienākt|Sign in/ }).click();
  await page.getByTestId('room-summary').waitFor();
}

async function consoleGo(name: 'Telpa' | 'Reģistrācija' | 'Sēdvietu plāns'): Promise<void> {
  await consolePage.getByRole('navigation').getByRole('button', { name, exact: true }).click();
}

/** The console's row of a seat on the room page. */
const seatRow = (label: Label): Locator => consolePage.getByTestId('seat-row').filter({ has: consolePage.getByRole('rowheader', { name: label, exact: true }) });

async function submitPart(page: Page, early: boolean): Promise<void> {
  await page.getByTestId(early ? 'submit-part-early' : 'submit-part').click();
  await page.getByRole('button', { name: 'Jā, iesniegt' }).click();
}

async function startPart(page: Page): Promise<void> {
  await page.getByTestId('start-part').waitFor({ timeout: 20_000 });
  await page.getByTestId('start-part').click();
  await page.locator('.item').waitFor();
}

async function waitSaved(page: Page, timeout = 20_000): Promise<void> {
  await page.locator('[data-testid="save-indicator"][data-state="saved"]').waitFor({ timeout });
}

/** One speaking answer: preparation, the take started and stopped by the station's times, saved. */
async function speak(page: Page, during?: () => Promise<void>): Promise<void> {
  const scope = page.locator('.item');
  await scope.getByTestId('start-preparation').click();
  await scope.getByTestId('recording').waitFor({ timeout: 15_000 });
  if (during) await during();
  await scope.getByTestId('recorded').waitFor({ timeout: 60_000 });
}

/** Listening, reading and writing: an answer or two in each, then submitted early; on to speaking. */
async function firstThreeParts(label: 'A1' | 'A2' | 'A3'): Promise<void> {
  const page = seatPages.get(label)!;
  await startPart(page);
  await page.locator('.item label.choice').first().click();
  await waitSaved(page);
  await submitPart(page, true);
  await startPart(page);
  await page.locator('.item label.choice').first().click();
  await waitSaved(page);
}

async function writing(label: 'A1' | 'A2' | 'A3'): Promise<void> {
  const page = seatPages.get(label)!;
  await submitPart(page, true);
  await startPart(page);
  await page.getByTestId('next').click();
  const text = `Labdien! Es esmu ${SEATED[label].name}. Šodien ir eksāmens, un es rakstu īsu vēstuli draugam.`;
  await page.locator('textarea').click();
  await page.keyboard.type(text);
  typed.set(SEATED[label].candidateId, text);
  await waitSaved(page);
  await submitPart(page, true);
  await startPart(page);
}

/** The rest of the speaking part from the item on screen, then submitted: the end screen. */
async function speakToTheEnd(page: Page): Promise<void> {
  for (;;) {
    const item = page.locator('.item');
    if ((await item.getByTestId('recorded').count()) === 0) await speak(page);
    if ((await page.getByTestId('next').count()) === 0) break;
    await page.getByTestId('next').click();
    await page.locator('.item').waitFor();
  }
  await waitSaved(page, 60_000);
  await submitPart(page, false);
  await page.getByTestId('end-title').waitFor({ timeout: 30_000 });
}

beforeAll(async () => {
  work = tempDir('exam-room-e2e-');
  const assets = shortenedAssets(work);
  const wav = latvianVoiceWav(work);
  roomPort = await freePort();
  hub = new Runner({
    dataDir: `${work}/hub`,
    port: await freePort(),
    assetsDir: assets,
    env: { EXAM_STATION_ROLE: 'hub', EXAM_STATION_ROOM_HOST: '127.0.0.1', EXAM_STATION_ROOM_PORT: String(roomPort) },
  });
  await hub.start();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: roomPort });
  for (const label of SEAT_LABELS) {
    const seat = new Runner({ dataDir: `${work}/seat-${label}`, port: await freePort(), assetsDir: assets, env: { EXAM_STATION_ROLE: 'seat', EXAM_STATION_DEMO_KEYS: `${work}/hub/demo-signing-keys` } });
    await seat.start();
    seats.set(label, seat);
  }
  browser = await launchChromium(wav);
  consolePage = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'lv-LV' });
  consolePage.on('pageerror', (error) => console.error('console page error:', error.message));
  shot = screenshots(consolePage, 'room-');
  seatContext = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'lv-LV' });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  for (const seat of seats.values()) await seat.stop();
  await hub?.stop();
  await proxy?.close();
});

// One room, one story: a step that failed leaves the next with nothing to stand on, so they are not run.
let failed: string | null = null;
beforeEach((context) => {
  if (failed) context.skip(`an earlier step failed: ${failed}`);
});
afterEach(async (context) => {
  if (context.task.result?.state !== 'fail' || failed) return;
  failed = context.task.name;
  // What every screen showed when it failed, for whoever reads the run.
  await shot?.('failed').catch(() => undefined);
  writeFileSync(join(SCREENS_DIR, 'room-failed-console.html'), await consolePage.content().catch(() => ''));
  for (const take of seatShots.values()) await take('failed').catch(() => undefined);
});

describe('the exam room', () => {
  test('the console signs in and the seats pair with the code it shows', async () => {
    await consoleSignIn(consolePage, STAFF);
    await shot('console-empty-room');

    await consolePage.getByRole('button', { name: /Rādīt pievienošanas kodu|Show a pairing code/ }).click();
    for (const label of SEAT_LABELS) {
      // Each code pairs one seat: the console shows the next one after it.
      const code = (await consolePage.getByTestId('pairing-code').innerText()).replace(/\D/g, '');
      expect(code).toMatch(/^\d{8}$/);
      const seat = seats.get(label)!;
      // A1 reaches the hub through the proxy, which the test cuts later.
      const address = label === 'A1' ? proxy.address : { host: '127.0.0.1', port: roomPort };
      const room = await api<{ seat: { paired: boolean; label: string } }>(seat, 'pairWithHub', { staffToken: await staffToken(seat), ...address, code, label });
      expect(room.seat).toMatchObject({ paired: true, label });
      await expect.poll(async () => (await consolePage.getByTestId('pairing-code').innerText()).replace(/\D/g, ''), { timeout: 10_000 }).not.toBe(code);
    }
    await expect.poll(async () => consolePage.locator('[data-testid="seat-row"][data-presence="connected"]').count(), { timeout: 15_000 }).toBe(SEAT_LABELS.length);
    for (const label of SEAT_LABELS) await expect.poll(async () => seatRow(label).count()).toBe(1);
    for (const seat of await hubSeats()) deviceOf.set(seat.label as Label, seat.deviceId);
    expect([...deviceOf.keys()].sort()).toEqual([...SEAT_LABELS].sort());
    // The hub's packages are pre-staged on every seat before anyone is seated.
    for (const label of SEAT_LABELS) await expect.poll(async () => seatRow(label).getByTestId('packages-on-seat').innerText(), { timeout: 60_000 }).toBe('jā');
    await shot('console-four-seats');
  }, 120_000);

  test('check-in, the seat plan, each candidate says yes to their identity, and the invigilator authorises them', async () => {
    for (const label of SEAT_LABELS) {
      const page = await seatContext.newPage();
      page.on('pageerror', (error) => console.error(`seat ${label} page error:`, error.message));
      await page.goto(seats.get(label)!.url);
      await page.getByTestId('seat-label').waitFor();
      expect(await page.getByTestId('seat-label').innerText()).toBe(`Vieta ${label}`);
      seatPages.set(label, page);
      seatShots.set(label, screenshots(page, `room-seat-${label}-`));
    }
    await seatShots.get('A1')!('waiting-for-the-invigilator');

    await consoleGo('Reģistrācija');
    await consolePage.getByLabel('Meklēt pēc vārda, personas koda vai sesijas').fill(SESSION);
    for (const { name } of Object.values(SEATED)) {
      const row = consolePage.getByTestId('roster-row').filter({ hasText: name });
      for (const check of [/Personu apliecinošais dokuments apskatīts/, /Personas kods pārbaudīts/]) {
        const box = row.getByRole('checkbox', { name: check });
        await box.click();
        await expect.poll(async () => box.isChecked()).toBe(true);
      }
      await row.getByRole('button', { name: 'Ieradies', exact: true }).click();
      await expect.poll(async () => row.innerText()).toContain('Reģistrēts');
      expect(await row.innerText()).not.toContain('ar nokavēšanos');
    }
    const olga = consolePage.getByTestId('roster-row').filter({ hasText: 'Olga Ivanova' });
    expect(await olga.getByTestId('accommodations').innerText()).toContain('+25 % laika');
    await shot('check-in');

    await consoleGo('Sēdvietu plāns');
    for (const [label, { candidateId, name }] of Object.entries(SEATED)) {
      await consolePage.getByLabel('Kandidāts, ko nosēdināt').selectOption(candidateId);
      await consolePage.getByLabel('Pārbaudījums').selectOption({ label: (await consolePage.getByLabel('Pārbaudījums').locator('option', { hasText: 'A2' }).first().innerText()).trim() });
      await consolePage.getByRole('button', { name: `Nosēdināt ${name} pie datora ${label}` }).click();
      await consolePage.getByRole('listitem', { name: label }).getByRole('button', { name: 'Atcelt vietu' }).waitFor();
    }
    await shot('seat-plan');

    for (const [label, { name }] of Object.entries(SEATED) as ['A1' | 'A2' | 'A3', { name: string }][]) {
      const page = seatPages.get(label)!;
      await page.getByTestId('candidate-name').waitFor({ timeout: 20_000 });
      expect(await page.getByTestId('candidate-name').innerText()).toBe(name);
      if (label === 'A1') await seatShots.get(label)!('identity');
      await page.getByRole('button', { name: 'Jā, tie ir mani dati' }).click();
      await page.getByTestId('awaiting-authorisation').waitFor();
    }
    await seatShots.get('A1')!('awaiting-authorisation');
    for (const label of ['A1', 'A2', 'A3'] as const) {
      const card = consolePage.getByRole('listitem', { name: label });
      await card.getByRole('button', { name: 'Atļaut sākt' }).click({ timeout: 20_000 });
      await card.getByText('Atļauts sākt').waitFor();
    }
    await shot('seat-plan-authorised');
    // The key is not on the seats yet: each waits for the start.
    for (const label of ['A1', 'A2', 'A3'] as const) await seatPages.get(label)!.getByTestId('seat-waiting').waitFor({ timeout: 20_000 });
    await seatShots.get('A1')!('waiting-for-the-key');
  }, 180_000);

  test('the key is typed at the hub, released by two people, and the room started', async () => {
    const chief = await staffToken(hub);
    await api(hub, 'createStaffAccount', { staffToken: chief, username: SECOND.username, displayName: SECOND.displayName, roles: ['invigilator'], password: SECOND.first });
    const first = await staffToken(hub, { username: SECOND.username, password: SECOND.first });
    await api(hub, 'changeOwnPassword', { staffToken: first, currentPassword: SECOND.first, newPassword: SECOND.password });

    await consoleGo('Telpa');
    const keys = section(consolePage, 'Paketes atslēgas izsniegšana');
    const a2 = hub.demoKeys().find((k) => k.examId === 'vvpp-a2-sample')!;
    await keys.getByLabel('Pārbaudījums').selectOption(a2.packageId);
    await keys.getByLabel(/^Sesija/).selectOption(SESSION);
    await keys.getByLabel('Paketes atslēga').fill(a2.contentKey);
    await keys.getByRole('button', { name: 'Atslēgt paketi telpas datorā' }).click();
    await keys.getByLabel('Paketes atslēga').waitFor({ state: 'detached' });
    // The box shows what the hub holds: it is ticked once the hub says two people release this session's key.
    await keys.getByLabel(/Atslēgu izsniedz divi darbinieki/).click();
    await expect.poll(async () => keys.getByLabel(/Atslēgu izsniedz divi darbinieki/).isChecked(), { timeout: 10_000 }).toBe(true);
    await keys.getByRole('button', { name: 'Izsniegt atslēgu' }).click();
    await keys.getByTestId('key-awaiting').waitFor();
    expect(await keys.getByTestId('key-awaiting').innerText()).toContain('Izsniegšanu sāka vaditajs');
    // The seats still have no key.
    expect(await seatPages.get('A1')!.getByTestId('seat-waiting').count()).toBe(1);
    await shot('key-awaiting-second');

    const secondPage = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'lv-LV' });
    await consoleSignIn(secondPage, SECOND);
    const theirKeys = section(secondPage, 'Paketes atslēgas izsniegšana');
    await theirKeys.getByLabel('Pārbaudījums').selectOption(a2.packageId);
    await theirKeys.getByLabel(/^Sesija/).selectOption(SESSION);
    await theirKeys.getByRole('button', { name: 'Apstiprināt izsniegšanu' }).click();
    await theirKeys.getByTestId('key-released').waitFor();
    await expect.poll(async () => theirKeys.getByTestId('key-released').innerText(), { timeout: 10_000 }).toMatch(/vaditajs.*liga|liga.*vaditajs/s);
    await secondPage.close();

    // With the key the seats go on to the instructions and the equipment check; the parts wait for the start.
    await Promise.all(
      (['A1', 'A2', 'A3'] as const).map(async (label) => {
        const page = seatPages.get(label)!;
        await page.getByRole('heading', { name: 'Norādījumi' }).waitFor({ timeout: 20_000 });
        await page.getByRole('button', { name: 'Turpināt' }).click();
        await page.getByRole('button', { name: /Atskaņot pārbaudes skaņu/ }).click();
        await page.getByRole('button', { name: 'Jā', exact: true }).click();
        await page.getByRole('button', { name: /Ierakstīt 3 sekundes/ }).click();
        await page.getByTestId('mic-ok').waitFor({ timeout: 20_000 });
        await page.getByRole('button', { name: 'Turpināt' }).click();
        // The part's introduction says it waits for the room's start; nothing can begin yet.
        await page.getByText('Gaidām pārbaudījuma sākumu').waitFor({ timeout: 20_000 });
        expect(await page.getByTestId('start-part').count()).toBe(0);
      }),
    );
    await seatShots.get('A3')!('part-intro-before-the-start');
    await section(consolePage, 'Visa telpa').getByRole('button', { name: 'Sākt pārbaudījumu telpā' }).click();
    await shot('room-started');
  }, 180_000);

  test('the candidates work; the room is paused and resumed; extra time for Olga; an incident for the room', async () => {
    await Promise.all((['A1', 'A2', 'A3'] as const).map((label) => firstThreeParts(label)));

    const room = section(consolePage, 'Visa telpa');
    await room.getByLabel('Pauzes iemesls').fill('Ugunsdzēsības trauksme');
    await room.getByRole('button', { name: 'Pauzēt visus' }).click();
    for (const label of ['A1', 'A2', 'A3'] as const) await seatPages.get(label)!.getByTestId('paused').waitFor({ timeout: 10_000 });
    await seatShots.get('A2')!('room-paused');
    const frozen = Number(await seatPages.get('A2')!.getByTestId('part-clock').getAttribute('data-remaining-ms'));
    await seatPages.get('A2')!.waitForTimeout(2500);
    expect(Number(await seatPages.get('A2')!.getByTestId('part-clock').getAttribute('data-remaining-ms'))).toBe(frozen);
    await room.getByRole('button', { name: 'Turpināt visiem' }).click();
    for (const label of ['A1', 'A2', 'A3'] as const) await seatPages.get(label)!.getByTestId('paused').waitFor({ state: 'detached', timeout: 10_000 });

    const one = section(consolePage, 'Viens kandidāta dators');
    await one.getByTestId('seat-choice').selectOption(deviceOf.get('A3')!);
    const olgaBefore = Number(await seatPages.get('A3')!.getByTestId('part-clock').getAttribute('data-remaining-ms'));
    await one.getByLabel('Minūtes').fill('5');
    await one.getByLabel('Pamats').selectOption('incident');
    await one.getByLabel('Iemesls').fill(EXTRA_REASON);
    await one.getByRole('button', { name: 'Piešķirt papildlaiku' }).click();
    await expect.poll(async () => Number(await seatPages.get('A3')!.getByTestId('part-clock').getAttribute('data-remaining-ms')), { timeout: 10_000 }).toBeGreaterThan(olgaBefore + 4 * 60_000);

    const incidents = section(consolePage, 'Incidenti');
    await incidents.getByLabel('Veids').selectOption('environment');
    await incidents.getByLabel('Visa telpa (sesija)').check();
    await incidents.getByTestId('incident-which').selectOption(SESSION);
    await incidents.getByLabel('Kas notika').fill(INCIDENT_NOTE);
    await incidents.getByRole('button', { name: 'Reģistrēt incidentu' }).click();
    await incidents.getByText('Incidents reģistrēts.').waitFor();
    await shot('extra-time-and-incident');

    await Promise.all((['A1', 'A2', 'A3'] as const).map((label) => writing(label)));
  }, 240_000);

  test("in speaking, A1's link is cut for 60 s and A2 is killed mid-take; his work goes on at the spare seat R1", async () => {
    const a1 = seatPages.get('A1')!;
    const a2 = seatPages.get('A2')!;
    const r1 = seatPages.get('R1')!;
    const a3 = seatPages.get('A3')!;
    let cutAt = 0;

    // A1: cut during the first take; the candidate goes on through the part, told calmly.
    const anna = (async () => {
      await speak(a1, async () => {
        proxy.cut();
        cutAt = Date.now();
        await a1.getByTestId('working-offline').waitFor({ timeout: 15_000 });
        await seatShots.get('A1')!('speaking-working-offline');
      });
      await speakToTheEnd(a1);
    })();
    // A3: speaks the whole part normally.
    const olga = speakToTheEnd(a3);

    // A2: killed in the middle of the first take.
    await speak(a2, async () => {
      await a2.waitForTimeout(2000);
      await seats.get('A2')!.kill();
    }).catch(() => undefined);
    await expect.poll(async () => seatRow('A2').getAttribute('data-presence'), { timeout: 30_000 }).toBe('missing');
    await expect.poll(async () => seatRow('A1').getAttribute('data-presence'), { timeout: 30_000 }).toBe('missing');
    await shot('a1-cut-a2-killed');

    const move = section(consolePage, 'Pārsēdināt kandidātu pie rezerves datora');
    await move.getByLabel('Kandidāts').selectOption(SEATED.A2.candidateId);
    await move.getByLabel('Uz brīvu kandidāta datoru').selectOption(deviceOf.get('R1')!);
    await move.getByLabel('Iemesls').fill(MOVE_REASON);
    await move.getByRole('button', { name: 'Pārsēdināt' }).click();
    await move.getByText(`${SEATED.A2.candidateId}: no A2 uz R1`).waitFor({ timeout: 20_000 });
    await shot('moved-to-the-spare-seat');

    // At R1 the candidate goes on in speaking with what he had done.
    await r1.locator('.item').waitFor({ timeout: 30_000 });
    await seatShots.get('R1')!('moved-candidate-goes-on');
    await speakToTheEnd(r1);
    await olga;
    // The cut lasts its 60 s, whatever the candidate finished meanwhile.
    await a1.waitForTimeout(Math.max(0, cutAt + CUT_MS - Date.now()));
    expect(await a1.getByTestId('end-title').count() + (await a1.locator('.item').count())).toBeGreaterThan(0);
    proxy.resume();
    await anna;
    await expect.poll(async () => seatRow('A1').getAttribute('data-presence'), { timeout: 30_000 }).toBe('connected');
    await expect.poll(async () => (await hubSeats()).find((s) => s.label === 'A1')?.state?.backlog.events, { timeout: 60_000 }).toBe(0);
    await a1.getByTestId('working-offline').waitFor({ state: 'detached', timeout: 10_000 });
    await seatShots.get('A1')!('end');
    await shot('after-the-cut');

    // A2 comes back: the hub takes what it had not acknowledged, flagged late after the move.
    await seats.get('A2')!.start();
    await expect.poll(async () => seatRow('A2').getAttribute('data-presence'), { timeout: 30_000 }).toBe('connected');
  }, 420_000);

  test('end, seal, and the protocol PDF in Latvian', async () => {
    const seal = section(consolePage, 'Sesijas beigas un aizzīmogošana');
    await seal.getByLabel('Sesija').selectOption(SESSION);
    await seal.getByRole('button', { name: 'Beigt sesiju telpai' }).click();
    await consolePage.getByRole('alertdialog').getByRole('button', { name: 'Beigt sesiju telpai' }).click();
    await expect.poll(async () => seal.getByTestId('seal-row').filter({ hasText: 'galīgais stāvoklis' }).count(), { timeout: 60_000 }).toBe(SEAT_LABELS.length);
    await seal.getByRole('button', { name: 'Aizzīmogot' }).click();
    await expect.poll(async () => seal.getByTestId('seal-state').innerText(), { timeout: 60_000 }).toContain('Sesija aizzīmogota');
    expect(await seal.getByTestId('seal-row').filter({ hasText: 'sakrīt' }).count()).toBe(SEAT_LABELS.length);
    await shot('sealed');

    const [download] = await Promise.all([consolePage.waitForEvent('download'), seal.getByRole('button', { name: 'Saglabāt protokolu (PDF)' }).click()]);
    const pdf = join(work, 'protocol.pdf');
    await download.saveAs(pdf);
    const text = run('pdftotext', ['-layout', pdf, '-']);
    for (const name of Object.values(SEATED).map((s) => s.name)) expect(text).toContain(name);
    // The tables wrap a long text over lines within its cell: each word of it is there.
    const words = (phrase: string) => phrase.split(/\s+/).filter((w) => w.length > 3);
    for (const word of words(INCIDENT_NOTE)) expect(text, `the incident's "${word}"`).toContain(word);
    for (const word of words(EXTRA_REASON)) expect(text, `the extra time's reason's "${word}"`).toContain(word);
    expect(text).toContain('Incidenti');
    // Latvian throughout: what the system wrote itself is said in Latvian, parts by their titles, accommodations in words.
    expect(text).not.toMatch(/registered accommodation|station restart|seat interrupted|moved to another seat|two-person release|; by |extra-time-\d/);
    expect(text).not.toMatch(/\ba2-[lrws]\b/);
    expect(text).toContain('papildlaiks 25 %');
    expect(text).toMatch(/R1/);
  }, 180_000);

  test("every seat's events and audio are at the hub exactly once, and each part's time matches the events", async () => {
    await browser.close();
    for (const seat of seats.values()) await seat.stop();
    await hub.stop();
    const hubDb = new Database(join(hub.dataDir, 'station.db'), { readonly: true });
    try {
      for (const label of SEAT_LABELS) {
        const deviceId = deviceOf.get(label)!;
        const seatDb = new Database(join(seats.get(label)!.dataDir, 'station.db'), { readonly: true });
        try {
          // The same events, with the same payloads (the hub stores what it validated: keys may come in another order).
          type Row = { seq: number; kind: string; entity_id: string; payload_json: string };
          const parsed = (rows: Row[]) => rows.map(({ payload_json, ...row }) => ({ ...row, payload: JSON.parse(payload_json) as unknown }));
          const own = parsed(seatDb.prepare('SELECT seq, kind, entity_id, payload_json FROM outbox WHERE device_id = ? ORDER BY seq').all(deviceId) as Row[]);
          const held = parsed(hubDb.prepare('SELECT origin_seq AS seq, kind, entity_id, payload_json FROM outbox WHERE device_id = ? ORDER BY origin_seq').all(deviceId) as Row[]);
          expect(new Set(held.map((e) => e.seq)).size, `${label}: no event twice at the hub`).toBe(held.length);
          expect(held, `${label}: every event at the hub`).toEqual(own);
          const segments = seatDb.prepare('SELECT s.recording_id, s.idx, s.sha256 FROM recording_segments s ORDER BY s.recording_id, s.idx').all() as { recording_id: string; idx: number; sha256: string }[];
          const heldAudio = hubDb.prepare('SELECT recording_id, idx, sha256 FROM seat_audio WHERE device_id = ? ORDER BY recording_id, idx').all(deviceId) as typeof segments;
          const handedOver = new Set((seatDb.prepare('SELECT recording_id FROM seat_handed_over_recordings').all() as { recording_id: string }[]).map((r) => r.recording_id));
          expect(heldAudio, `${label}: every audio segment at the hub, once`).toEqual(segments.filter((s) => !handedOver.has(s.recording_id)));
        } finally {
          seatDb.close();
        }
      }
      // Each candidate's writing and speaking takes are at the hub.
      for (const { candidateId } of Object.values(SEATED)) {
        const answers = (hubDb.prepare("SELECT payload_json FROM outbox WHERE kind = 'response.saved'").all() as { payload_json: string }[]).map((r) => JSON.parse(r.payload_json) as { candidateId?: string; value: { type: string; text?: string } });
        expect(answers.some((a) => a.value.type === 'extended-writing' && a.value.text === typed.get(candidateId)), `${candidateId}: the writing at the hub`).toBe(true);
      }
      const takes = hubDb.prepare("SELECT payload_json FROM outbox WHERE kind = 'recording.closed'").all() as { payload_json: string }[];
      expect(takes.length).toBeGreaterThanOrEqual(3 * 5);

      // Time: per attempt and part, the hub's events give the seat's own timer.
      const events = (hubDb.prepare("SELECT device_id, payload_json FROM outbox WHERE kind = 'timer.event' AND seq NOT IN (SELECT hub_seq FROM room_late_events) ORDER BY seq").all() as { device_id: string; payload_json: string }[]).map((r) => ({ device: r.device_id, ...(JSON.parse(r.payload_json) as { attemptId: string; partId: string; eventId: number; kind: TimerEvent['kind']; at: number; amountMs: number | null; reason: string | null }) }));
      const attempts = new Set(events.map((e) => e.attemptId));
      expect(attempts.size).toBe(3);
      for (const attemptId of attempts) {
        for (const partId of new Set(events.filter((e) => e.attemptId === attemptId).map((e) => e.partId))) {
          const at = (device: string) => events.filter((e) => e.attemptId === attemptId && e.partId === partId && e.device === device);
          const devices = new Set(events.filter((e) => e.attemptId === attemptId && e.partId === partId).map((e) => e.device));
          const hubSide = [...devices].flatMap(at);
          const seatLabel = [...deviceOf.entries()].find(([, id]) => id === [...devices].at(-1))![0];
          const seatDb = new Database(join(seats.get(seatLabel)!.dataDir, 'station.db'), { readonly: true });
          try {
            const seatSide = seatDb.prepare('SELECT kind, at, amount_ms AS amountMs FROM timer_events WHERE attempt_id = ? AND part_id = ? ORDER BY event_id').all(attemptId, partId) as TimerEvent[];
            const end = Date.now();
            const derive = (list: readonly TimerEvent[]) => deriveTimer(20 * 60_000, [...list].sort((a, b) => a.at - b.at), end);
            const fromHub = derive(hubSide.map((e) => ({ kind: e.kind, at: e.at, amountMs: e.amountMs })));
            const fromSeat = derive(seatSide);
            expect({ elapsed: fromHub.elapsedMs, added: fromHub.addedMs, status: fromHub.status }, `${attemptId} ${partId}`).toEqual({ elapsed: fromSeat.elapsedMs, added: fromSeat.addedMs, status: fromSeat.status });
          } finally {
            seatDb.close();
          }
        }
      }
      // Olga's five minutes for the incident, with its reason, on top of her registered +25 %.
      const olgaExtends = events.filter((e) => e.kind === 'extend' && e.reason?.includes('Ugunsdzēsības'));
      expect(olgaExtends.map((e) => e.amountMs)).toEqual([300_000]);
    } finally {
      hubDb.close();
    }
  }, 120_000);
});
