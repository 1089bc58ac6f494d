// A centralized exam in Chromium, short: the grade 9 mathematics sample from the demo, taken by a pupil
// from the invigilator step to the end screen through its three parts, with the screens a pupil meets
// (no level to confirm, no headphones or microphone to check: the test has nothing to hear or say,
// and the invigilator's step claims no kind of test before one is chosen). Numbers are typed the ways
// pupils write them (decimal comma, point, fraction, minus sign, a unit), reaching each field with
// Tab from the item heading; an answer that is no number is pointed out and corrected. Afterwards the
// station's database holds every answer as typed, and the central scoring of those answers gives the
// per-part percentages. No reloads or kills: candidate.e2e.ts covers those for every kind of test.
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ResponseValue } from '../../src-shared/content/responses.ts';
import { buildPackage } from '../../src-shared/node/package/builder.ts';
import { decodeContainer } from '../../src-shared/node/package/container.ts';
import { openPackage } from '../../src-shared/node/package/reader.ts';
import { scoreAttempt } from '../../src-server/scoring.ts';
import { makeKeys } from '../support/fixtures.ts';
import { freePort, launchChromium, ROOT, Runner, screenshots, tempDir } from './support.ts';

type SourceItem = { id: string; type: string; [key: string]: unknown };
type SourcePart = { id: string; title: string; tasks: { id: string; items: SourceItem[] }[] };

/** The demo's chief invigilator (README). */
const STAFF = { username: 'vaditajs', password: 'Eksamens-2026' };
const ASSETS = join(ROOT, 'assets');
const SOURCE = join(ASSETS, 'samples', 'mat9');

/** What the pupil types, item by item (the same answer set test/server/scoring-centralized.test.ts scores). */
const TYPED: Record<string, string> = {
  'm9-1a-q1': '1/2',
  'm9-1a-q2': '1.2',
  'm9-1a-q3': '−1',
  'm9-1a-q4': '0,75', // wrong: a fraction is asked for
  'm9-1b-q1': 'x = 5',
  'm9-1b-q2': '34 eiro',
  'm9-2a-q1': '24', // wrong: the unit is asked for
  'm9-2a-q2': '10',
  'm9-2b-q1': '12,8',
  'm9-2b-q2': '7,0',
  'm9-3a-q1': 't1 = 20 : 16 = 1,25 h; 30 − 20 = 10 km; t2 = 10 : 20 = 0,5 h; t = 1,75 h',
  'm9-3a-q2': '1 3/4',
  'm9-3b-q1': 's skolēnu biļetes, 10 − s pieaugušo. 12(10 − s) + 7s = 95; 120 − 5s = 95; s = 5.',
  'm9-3b-q2': '6', // wrong
};

let work: string;
let runner: Runner;
let browser: Browser;
let page: Page;
let shot: (name: string) => Promise<void>;
let parts: SourcePart[];
const started = Date.now();
const given = new Map<string, ResponseValue>();

async function waitSaved(): Promise<void> {
  await page.locator('[data-testid="save-indicator"][data-state="saved"]').waitFor({ timeout: 15_000 });
}

/** Tab from the item heading (focused on every move) straight to the answer field, and type. */
async function typeNumber(item: SourceItem, text: string): Promise<void> {
  await page.keyboard.press('Tab');
  const focused = page.locator(`.item[data-item-id="${item.id}"] input.input-numeric:focus`);
  expect(await focused.count(), `Tab reaches the field of ${item.id}`).toBe(1);
  await page.keyboard.type(text);
  given.set(item.id, { type: 'numeric', text });
}

async function answer(item: SourceItem): Promise<void> {
  const scope = page.locator(`.item[data-item-id="${item.id}"]`);
  switch (item.type) {
    case 'numeric':
      await typeNumber(item, TYPED[item.id]!);
      break;
    case 'single-choice': {
      const wrong = (item.options as { id: string; text: string }[])[0]!;
      await scope.locator('label.choice', { hasText: wrong.text }).click();
      given.set(item.id, { type: 'single-choice', optionId: wrong.id });
      break;
    }
    case 'extended-writing':
      await scope.locator('textarea').click();
      await page.keyboard.type(TYPED[item.id]!);
      given.set(item.id, { type: 'extended-writing', text: TYPED[item.id]! });
      break;
    default:
      throw new Error(`no answer for ${item.type}`);
  }
}

async function startPart(name: string): Promise<void> {
  await page.getByTestId('start-part').waitFor();
  await shot(`part-intro-${name}`);
  await page.getByTestId('start-part').click();
  await page.locator('.item').waitFor();
}

async function submitPart(): Promise<void> {
  await waitSaved();
  await page.getByTestId('submit-part').click();
  await page.getByRole('button', { name: 'Jā, iesniegt' }).click();
}

describe('a pupil sits the grade 9 mathematics sample in Chromium', () => {
  beforeAll(async () => {
    work = tempDir('exam-station-e2e-mat9-');
    parts = (JSON.parse(readFileSync(join(SOURCE, 'content.json'), 'utf8')) as { parts: SourcePart[] }).parts;
    runner = new Runner({ dataDir: join(work, 'station'), port: await freePort(), assetsDir: ASSETS });
    await runner.start();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'lv-LV' });
    page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error.message));
    shot = screenshots(page, 'mat9-');
  });

  afterAll(async () => {
    await browser?.close();
    await runner?.stop();
    console.log(`e2e (mathematics): ${Math.round((Date.now() - started) / 1000)} s`);
  });

  test('from the invigilator step to the end screen, numbers typed as pupils write them', async () => {
    const key = runner.demoKeys().find((k) => k.examId === 'vpd-mat9-sample')!;
    await page.goto(runner.url);
    await page.getByLabel('Lietotājvārds').waitFor();
    expect(await page.getByTestId('app-name').innerText()).toBe('Pārbaudījumu stacija');
    await page.getByLabel('Lietotājvārds').fill(STAFF.username);
    await page.getByLabel('Parole').fill(STAFF.password);
    await page.getByRole('button', { name: 'Ienākt' }).click();
    await page.locator('label.choice', { hasText: 'Marta Liepiņa' }).click();
    // The roster preselects the test of the pupil's session.
    expect(await page.locator('#package option:checked').innerText()).toContain('matemātikā 9. klasei');
    await page.getByLabel('Paketes atslēga').fill(key.contentKey);
    await shot('staff-roster-and-key');
    await page.getByRole('button', { name: 'Sākt kandidātam' }).click();

    await page.getByTestId('candidate-name').waitFor();
    expect(await page.getByTestId('candidate-name').innerText()).toBe('Marta Liepiņa');
    expect(await page.getByTestId('app-name').innerText()).toBe('Valsts pārbaudes darbs');
    // A pupil has no level: the identity screen shows none rather than "Līmenis —".
    expect(await page.locator('.identity').innerText()).not.toContain('Līmenis');
    await page.getByRole('button', { name: 'Jā, tie ir mani dati' }).click();
    await page.getByRole('heading', { name: 'Norādījumi' }).waitFor();
    // Freely named parts, each with its own time.
    expect(await page.locator('.part-list li').allInnerTexts()).toEqual([
      '1. daļa. Skaitļi un izteiksmes — Laiks: 20 minūtes',
      '2. daļa. Ģeometrija un dati — Laiks: 25 minūtes',
      '3. daļa. Uzdevumi ar risinājumu — Laiks: 40 minūtes',
    ]);
    await shot('instructions');
    // Straight on to the first part: nothing in this test plays or records.
    await page.getByRole('button', { name: 'Turpināt' }).click();

    for (const [p, part] of parts.entries()) {
      await startPart(`part${p + 1}`);
      const items = part.tasks.flatMap((t) => t.items);
      for (const [i, item] of items.entries()) {
        if (item.id === 'm9-1b-q1') {
          // Words are no number: said once the pupil leaves the field; back in it, the pupil corrects it.
          await typeNumber(item, 'pieci');
          await page.keyboard.press('Tab');
          await page.getByTestId('number-unreadable').waitFor();
          await shot('numeric-unreadable');
          await page.keyboard.press('Shift+Tab');
          await page.keyboard.press('Control+A');
          await page.keyboard.type(TYPED[item.id]!);
          given.set(item.id, { type: 'numeric', text: TYPED[item.id]! });
          await page.getByTestId('number-unreadable').waitFor({ state: 'detached' });
        } else {
          await answer(item);
        }
        if (item.id === 'm9-1a-q1') await shot('numeric-fraction');
        if (item.id === 'm9-1b-q2') await shot('numeric-with-unit-shown');
        if (item.id === 'm9-2b-q1') {
          await page.locator('.stimulus-image img').waitFor();
          await page.locator('input.input-numeric').scrollIntoViewIfNeeded();
          await shot('numeric-read-off-graph');
        }
        if (item.id === 'm9-3a-q1') await shot('worked-solution');
        if (i < items.length - 1) await page.getByTestId('next').click();
      }
      await submitPart();
    }

    await page.getByTestId('end-title').waitFor({ timeout: 20_000 });
    await shot('end');
    expect(await page.getByTestId('end-summary').locator('li').allInnerTexts()).toEqual([
      '1. daļa. Skaitļi un izteiksmes: atbildēti 7 no 7 jautājumiem',
      '2. daļa. Ģeometrija un dati: atbildēti 4 no 4 jautājumiem',
      '3. daļa. Uzdevumi ar risinājumu: atbildēti 4 no 4 jautājumiem',
    ]);
    expect(await page.getByTestId('end-summary').innerText()).not.toMatch(/punkt|%/i);
  });

  test('the station holds every answer as typed, and the central scoring of them gives per-part percentages', async () => {
    await browser.close();
    await runner.stop();
    const db = new Database(join(runner.dataDir, 'station.db'), { readonly: true });
    let responses: Map<string, ResponseValue>;
    try {
      const attempt = db.prepare("SELECT attempt_id, status FROM attempts WHERE candidate_id = 'DEMO-MAT9-1'").get() as { attempt_id: string; status: string };
      expect(attempt.status).toBe('submitted');
      const latest = db
        .prepare('SELECT item_id, value_json FROM response_revisions r WHERE attempt_id = ? AND revision = (SELECT max(revision) FROM response_revisions WHERE attempt_id = r.attempt_id AND item_id = r.item_id)')
        .all(attempt.attempt_id) as { item_id: string; value_json: string }[];
      responses = new Map(latest.map((r) => [r.item_id, JSON.parse(r.value_json) as ResponseValue]));
    } finally {
      db.close();
    }
    expect(Object.fromEntries(responses)).toEqual(Object.fromEntries(given));
    expect(responses.get('m9-1b-q1')).toEqual({ type: 'numeric', text: 'x = 5' });

    // The answer key is the source's own, as the centre holds it; only the scoring rule is asked here.
    const built = buildPackage({ sourceDir: SOURCE, signingKey: makeKeys().signingKey, validFrom: new Date(0), validUntil: new Date('2100-01-01') });
    const container = decodeContainer(built.file);
    const { content } = openPackage(container.manifest, container.ciphertext, built.contentKey);
    const result = scoreAttempt({
      attemptId: 'e2e',
      candidateId: 'DEMO-MAT9-1',
      content,
      answerKey: built.answerKey,
      responses,
      raterScores: new Map(),
      passShares: { listening: 0.6, reading: 0.6, writing: 0.6, speaking: 0.6 },
    });
    expect(result.status).toBe('awaiting-rater');
    expect(result.parts.map((p) => [p.partId, p.points, p.max, p.percent])).toEqual([
      ['m9-1', 5, 7, 71.43],
      ['m9-2', 5, 7, 71.43],
      ['m9-3', 1, 10, 10],
    ]);
  });
});
