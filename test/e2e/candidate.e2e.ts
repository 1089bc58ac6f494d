// The candidate's whole A2 sample test in Debian's Chromium against the real browser runner and station:
// invigilator step, identity (declined once, handed back and opened again), equipment check with a fake
// microphone speaking Latvian, all four parts, end screen. On the way it reloads the page and kills the
// station (while typing and while speaking) and checks the candidate comes back to the same item with
// the same answers and the right time, that leaving a task while its recording plays is asked first,
// that after two plays and reloads the play button is disabled with the reason said and the station
// refuses a third play, that a pause by the invigilator covers the part with its clock frozen until the
// resume, that the overview is a real modal (Tab stays in it, Escape gives the focus back to
// "Pārskats"), that matching drop-downs are as wide as their longest option, and afterwards that the
// station's database holds every answer, both plays (none handed back) and a decodable Opus recording
// of about the right length for each speaking task. At 1280×800 it checks the layout at the text sizes
// a candidate can choose: the bottom bar one row with "Nākamais" its one primary action, the answers
// and every control reached with Tab clear of the sticky bars, the word count and a refused paste's
// message in view while the candidate writes, and the notice of time added after an interruption the
// width of its banner.
import Database from 'better-sqlite3';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { countWords } from '../../src-shared/content/responses.ts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { E2E_SPEAKING, freePort, latvianVoiceWav, launchChromium, Runner, run, runBytes, screenshots, shortenedAssets, tempDir } from './support.ts';

type SourceItem = { id: string; type: string; [key: string]: unknown };
type SourcePart = { id: string; kind: string; title: string; tasks: { id: string; items: SourceItem[] }[] };

/** The demo's chief invigilator (README). */
const STAFF = { username: 'vaditajs', password: 'Eksamens-2026' };
const WRITING_TEXT =
  'Labdien, Līga! Es šodien jūtos ļoti slikti, man ir augsta temperatūra un sāp galva. Rīt es nevarēšu atnākt uz darbu. ' +
  'Es būšu mājās divas dienas un iešu pie ārsta. Žēl! Paldies, Anna';
const EMAIL_TEXT =
  'Sveiks, Pēteri! Es tagad dzīvoju jaunā dzīvoklī Rīgā, Imantā. Dzīvoklim ir divas istabas, virtuve un balkons. ' +
  'Tuvumā ir veikals, skola un liels parks. Man ļoti patīk, ka ir kluss un daudz koku. No balkona var redzēt ezeru. ' +
  'Vai tu vari atbraukt ciemos sestdien, divdesmitajā novembrī, pulksten sešos vakarā? Es pagatavošu vakariņas. Gaidu tavu atbildi! Anna';

let work: string;
let runner: Runner;
let browser: Browser;
let page: Page;
let shot: (name: string) => Promise<void>;
let parts: SourcePart[];
const started = Date.now();
/** What the candidate answered, to compare with the database afterwards. */
const given = new Map<string, unknown>();

async function indicator(): Promise<string | null> {
  return page.getByTestId('save-indicator').getAttribute('data-state');
}

async function waitSaved(timeout = 15_000): Promise<void> {
  await page.locator('[data-testid="save-indicator"][data-state="saved"]').waitFor({ timeout });
}

async function currentItemId(): Promise<string | null> {
  return page.locator('.item').getAttribute('data-item-id');
}

async function remainingMs(): Promise<number> {
  return Number(await page.getByTestId('part-clock').getAttribute('data-remaining-ms'));
}

/** Answer the item on screen the way a candidate would, and note the answer. */
async function answer(item: SourceItem): Promise<void> {
  const scope = page.locator(`.item[data-item-id="${item.id}"]`);
  switch (item.type) {
    case 'single-choice': {
      const options = item.options as { id: string; text: string }[];
      const chosen = options[1]!;
      await scope.locator('label.choice', { hasText: chosen.text }).click();
      given.set(item.id, { type: 'single-choice', optionId: chosen.id });
      break;
    }
    case 'multiple-choice': {
      const options = item.options as { id: string; text: string }[];
      for (const o of [options[0]!, options[2]!]) await scope.locator('label.choice', { hasText: o.text }).click();
      given.set(item.id, { type: 'multiple-choice', optionIds: [options[0]!.id, options[2]!.id] });
      break;
    }
    case 'true-false-not-given':
      await scope.locator('label.choice', { hasText: 'Nepareizi' }).click();
      given.set(item.id, { type: 'true-false-not-given', choice: 'false' });
      break;
    case 'gap-fill': {
      const gaps = item.gaps as { id: string; options?: { id: string }[] }[];
      const value: Record<string, string> = {};
      for (const [i, gap] of gaps.entries()) {
        // Named by the sentence the gap stands in: "2. tukšā vieta: Trešdien Annai …".
        const control = scope.getByLabel(new RegExp(`^${i + 1}\\. tukšā vieta: \\S`));
        if (gap.options) {
          await control.selectOption(gap.options[1]!.id);
          value[gap.id] = gap.options[1]!.id;
        } else {
          const text = ['Liepājā', 'velosipēdu', 'draugiem', 'mums'][i] ?? 'jā';
          await control.pressSequentially(text);
          value[gap.id] = text;
        }
      }
      given.set(item.id, { type: 'gap-fill', gaps: value });
      break;
    }
    case 'matching': {
      const left = item.left as { id: string }[];
      const right = item.right as { id: string }[];
      const pairs: Record<string, string> = {};
      for (const [i, l] of left.entries()) {
        const select = scope.locator(`select[id="${item.id}-${l.id}"]`);
        // The drop-down is as wide as its longest option: nothing of an option's text is cut off.
        const { shown, natural } = await select.evaluate((el) => {
          const copy = el.cloneNode(true) as typeof el;
          copy.style.cssText = 'position: absolute; visibility: hidden; width: auto; max-width: none; flex: none';
          el.parentElement!.append(copy);
          const widths = { shown: el.getBoundingClientRect().width, natural: copy.getBoundingClientRect().width };
          copy.remove();
          return widths;
        });
        expect(shown, `${item.id} ${l.id}: the drop-down's width`).toBeGreaterThanOrEqual(natural - 1);
        await select.selectOption(right[i]!.id);
        pairs[l.id] = right[i]!.id;
      }
      given.set(item.id, { type: 'matching', pairs });
      break;
    }
    case 'ordering': {
      const elements = (item.elements as { id: string }[]).map((e) => e.id);
      await scope.locator('.order-row').first().getByRole('button', { name: /Pārvietot lejup/ }).click();
      given.set(item.id, { type: 'ordering', order: [elements[1], elements[0], ...elements.slice(2)] });
      break;
    }
    case 'short-text': {
      const text = 'Pasi ņemšu līdzi';
      await scope.locator('input').pressSequentially(text);
      given.set(item.id, { type: 'short-text', text });
      break;
    }
    default:
      throw new Error(`no answer for ${item.type}`);
  }
}

/**
 * A call to the station's HTTP API from the invigilator's desk: Node's fetch, a client without this
 * page's station cookie (staff calls are refused on the candidate's screen).
 */
async function desk<T = Record<string, unknown>>(method: string, input: unknown): Promise<T> {
  const response = await fetch(`${runner.url}api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
  const reply = (await response.json()) as { ok: boolean; value?: unknown; error?: unknown };
  if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
  return reply.value as T;
}

/** The attempt this page's screen holds (the seat remembers it in localStorage). */
async function attemptOfPage(): Promise<string> {
  return page.evaluate(() => (JSON.parse(localStorage.getItem('exam-station.seat') ?? '{}') as { attemptId: string }).attemptId);
}

type TextSize = 'Parasts' | 'Liels' | 'Ļoti liels';

/** The display settings as the candidate sets them, in the top bar's settings. */
async function display(size: TextSize, highContrast: boolean): Promise<void> {
  await page.getByRole('button', { name: /Iestatījumi/ }).click();
  await page.getByLabel(size, { exact: true }).check();
  await page.getByLabel('Augsts kontrasts').setChecked(highContrast);
  await page.getByRole('button', { name: 'Aizvērt' }).click();
}

/** The element's box against the sticky bars: in view means below the top bar and above the bottom bar. */
async function expectBetweenBars(target: Locator, what: string): Promise<void> {
  const box = (await target.boundingBox())!;
  const topBar = (await page.locator('.topbar').boundingBox())!;
  const footer = (await page.locator('.part-footer').boundingBox())!;
  expect(box.y, `${what}: below the top bar`).toBeGreaterThanOrEqual(topBar.y + topBar.height);
  expect(box.y + box.height, `${what}: above the bottom bar`).toBeLessThanOrEqual(footer.y);
}

/** The bottom bar holds its buttons in one row. */
async function expectFooterOneRow(): Promise<void> {
  const tops = await page.locator('.part-footer button').evaluateAll((buttons) => buttons.map((b) => Math.round(b.getBoundingClientRect().top)));
  expect(new Set(tops).size, `one row of buttons, tops ${tops.join(', ')}`).toBe(1);
}

/**
 * Tab once round the whole part screen from the settings button: every control focused outside the
 * two bars lies between them (WCAG 2.4.11). Returns how many were checked.
 */
async function tabRoundInView(): Promise<number> {
  await page.getByRole('button', { name: /Iestatījumi/ }).focus();
  let checked = 0;
  for (let presses = 0; presses < 80; presses += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.locator('body').evaluate((body) => {
      const document = body.ownerDocument;
      const element = document.activeElement;
      if (!element || element === body) return null;
      const box = element.getBoundingClientRect();
      return {
        name: (element.getAttribute('aria-label') ?? element.textContent ?? element.tagName).trim().slice(0, 40),
        settings: element.closest('.settings') !== null,
        inBar: element.closest('.topbar, .part-footer') !== null,
        top: box.top,
        bottom: box.bottom,
        topBar: document.querySelector('.topbar')!.getBoundingClientRect().bottom,
        footer: document.querySelector('.part-footer')!.getBoundingClientRect().top,
      };
    });
    if (focused?.settings) return checked;
    if (!focused || focused.inBar) continue;
    expect(focused.top, `focused "${focused.name}": below the top bar`).toBeGreaterThanOrEqual(focused.topBar);
    expect(focused.bottom, `focused "${focused.name}": above the bottom bar`).toBeLessThanOrEqual(focused.footer);
    checked += 1;
  }
  throw new Error('Tab did not come round to the settings button');
}

/**
 * In the writing task on screen: type at the end of the text, paste (refused: the A2 sample's
 * pastePolicy is "block"), type again; the word count and the message stay in view throughout and the
 * message goes with the typing. Leaves the text as it was.
 */
async function writeWithCountInView(what: string, shotName?: string): Promise<void> {
  const textarea = page.locator('textarea');
  const text = await textarea.inputValue();
  await textarea.click();
  await page.keyboard.press('Control+End');
  await page.keyboard.type(' un');
  await expectBetweenBars(page.getByTestId('word-count'), `${what}: the word count while typing`);
  await expectBetweenBars(textarea, `${what}: the text`);
  await textarea.evaluate((e, copied) => e.ownerDocument.defaultView.navigator.clipboard.writeText(copied), 'Iekopēts teksts no cita loga.');
  await page.keyboard.press('Control+V');
  const refused = page.getByTestId('paste-refused');
  await refused.waitFor();
  expect(await textarea.inputValue()).toBe(`${text} un`);
  await expectBetweenBars(refused, `${what}: the refused paste's message`);
  await expectBetweenBars(page.getByTestId('word-count'), `${what}: the word count after the paste`);
  if (shotName) await shot(shotName);
  for (let i = 0; i < 3; i += 1) await page.keyboard.press('Backspace');
  await refused.waitFor({ state: 'detached' });
  expect(await textarea.inputValue()).toBe(text);
}

async function next(): Promise<void> {
  await page.getByTestId('next').click();
}

async function submitPart(name: string): Promise<void> {
  await page.getByTestId('submit-part').click();
  await shot(`submit-confirm-${name}`);
  await page.getByRole('button', { name: 'Jā, iesniegt' }).click();
}

async function startPart(name: string): Promise<void> {
  await page.getByTestId('start-part').waitFor();
  await shot(`part-intro-${name}`);
  await page.getByTestId('start-part').click();
  await page.locator('.item').waitFor();
}

/** Record one speaking answer: preparation, automatic start and stop, saved. */
async function speak(itemId: string, during?: () => Promise<void>): Promise<void> {
  const scope = page.locator(`.item[data-item-id="${itemId}"]`);
  await scope.getByTestId('start-preparation').click();
  await scope.getByTestId('recording').waitFor({ timeout: 15_000 });
  if (during) await during();
  await scope.getByTestId('recorded').waitFor({ timeout: 60_000 });
}

describe('the candidate sits the A2 sample test in Chromium', () => {
  beforeAll(async () => {
    work = tempDir('exam-station-e2e-');
    const assetsDir = shortenedAssets(work);
    parts = (JSON.parse(readFileSync(join(assetsDir, 'samples', 'a2', 'content.json'), 'utf8')) as { parts: SourcePart[] }).parts;
    const wav = latvianVoiceWav(work);
    runner = new Runner({ dataDir: join(work, 'station'), port: await freePort(), assetsDir });
    await runner.start();
    browser = await launchChromium(wav);
    // The clipboard is the candidate's own: the page may fill it to try a paste, as another window would.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'lv-LV', permissions: ['clipboard-read', 'clipboard-write'] });
    page = await context.newPage();
    page.on('pageerror', (error) => console.error('page error:', error.message));
    shot = screenshots(page);
  });

  afterAll(async () => {
    await browser?.close();
    await runner?.stop();
    console.log(`e2e: ${Math.round((Date.now() - started) / 1000)} s`);
  });

  test('from the invigilator step to the end screen, through reloads and station crashes', async () => {
    const keys = runner.demoKeys();
    const a2 = keys.find((k) => k.examId === 'vvpp-a2-sample')!;

    // Invigilator: username and password, candidate, package key, start.
    await page.goto(runner.url);
    await page.getByLabel('Lietotājvārds').waitFor();
    await page.getByLabel('Lietotājvārds').fill(STAFF.username);
    await page.getByLabel('Parole').fill(STAFF.password);
    await shot('staff-sign-in');
    await page.getByRole('button', { name: 'Ienākt' }).click();
    const anna = page.locator('label.choice', { hasText: 'Anna Bērziņa' }).filter({ hasText: 'A2' });
    await anna.click();
    await page.getByLabel('Paketes atslēga').fill(a2.contentKey);
    await shot('staff-roster-and-key');
    await page.getByRole('button', { name: 'Sākt kandidātam' }).click();

    // Identity, interface language, instructions.
    await page.getByTestId('candidate-name').waitFor();
    expect(await page.getByTestId('candidate-name').innerText()).toBe('Anna Bērziņa');
    expect(await page.locator('.identity').innerText()).toContain('15****-***40');
    await shot('identity');
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { name: 'Check your details' }).waitFor();
    await shot('identity-english');
    await page.getByText('Latviešu valoda').click();

    // "Nē": the candidate says what is not theirs and hands the screen back. The station records it and
    // frees this screen (the invigilator signs in on it again); the attempt is opened again, not started.
    const declinedAttempt = await attemptOfPage();
    await page.getByRole('button', { name: 'Nē — pasaukšu pārbaudījuma vadītāju' }).click();
    await page.getByText('Personas kods nav mans').click();
    await shot('identity-decline');
    await page.getByRole('button', { name: 'Atdot ekrānu pārbaudījuma vadītājam' }).click();
    await page.getByTestId('handed-back').waitFor();
    expect(await page.getByTestId('handed-back').innerText()).toContain('Anna Bērziņa: personas kods nav pareizs.');
    await shot('staff-handed-back');
    await page.getByLabel('Lietotājvārds').fill(STAFF.username);
    await page.getByLabel('Parole').fill(STAFF.password);
    await page.getByRole('button', { name: 'Ienākt' }).click();
    await page.locator('label.choice', { hasText: 'Anna Bērziņa' }).filter({ hasText: 'A2' }).click();
    await page.getByText('Pakete jau ir atslēgta.').waitFor();
    await page.getByRole('button', { name: 'Sākt kandidātam' }).click();
    await page.getByTestId('candidate-name').waitFor();
    expect(await attemptOfPage()).toBe(declinedAttempt);
    const { staffToken } = await desk<{ staffToken: string }>('staffSignIn', STAFF);
    const incidents = (await desk<{ kind: string; payload: { kind: string; attemptId: string; recordedBy: string } }[]>('readOutbox', { staffToken, afterSeq: 0, limit: 10_000 })).filter((e) => e.kind === 'incident.recorded');
    expect(incidents.map((e) => e.payload)).toEqual([expect.objectContaining({ kind: 'candidate-identity', attemptId: declinedAttempt, recordedBy: 'candidate' })]);
    await page.getByRole('button', { name: 'Jā, tie ir mani dati' }).click();
    await page.getByRole('heading', { name: 'Norādījumi' }).waitFor();
    await shot('instructions');
    await page.getByRole('button', { name: 'Turpināt' }).click();

    // Equipment: test sound, three seconds of the fake microphone.
    await page.getByRole('button', { name: /Atskaņot pārbaudes skaņu/ }).click();
    await page.getByRole('button', { name: 'Jā', exact: true }).click();
    await page.getByRole('button', { name: /Ierakstīt 3 sekundes/ }).click();
    await page.getByTestId('mic-ok').waitFor({ timeout: 15_000 });
    await shot('equipment-check');
    await page.getByRole('button', { name: 'Turpināt' }).click();

    // Listening. First, very large text with high contrast, as a candidate with low vision sets them:
    // the bottom bar stays one row and quiet about submitting, the first answer is in view, and every
    // control Tab reaches is clear of the bars.
    await startPart('listening');
    await display('Ļoti liels', true);
    await expectFooterOneRow();
    await expectBetweenBars(page.locator('.item label.choice').first(), 'the first answer');
    const fill = (target: Locator) => target.evaluate((e) => e.ownerDocument.defaultView.getComputedStyle(e).backgroundColor);
    const early = page.getByTestId('submit-part-early');
    expect(await early.getAttribute('class')).not.toContain('btn-primary');
    expect(await fill(early)).not.toBe(await fill(page.getByTestId('next')));
    await shot('listening-very-large-high-contrast');
    expect(await tabRoundInView()).toBeGreaterThanOrEqual(13);
    await display('Parasts', false);
    const listening = parts[0]!;
    const listeningItems = listening.tasks.flatMap((t) => t.items);
    const firstTaskItems = listening.tasks[0]!.items.length;
    const firstAudio = page.getByTestId('audio-a2-l1-audio');
    await firstAudio.getByTestId('play').click();
    await page.locator('[data-testid="plays"][data-used="1"]').waitFor();
    await page.locator('[data-testid="audio-a2-l1-audio"][data-state="playing"]').waitFor();
    await shot('listening-playing');
    for (const [i, item] of listeningItems.entries()) {
      await answer(item);
      if (i === 1) {
        await page.getByTestId('flag').click();
        await page.getByTestId('overview').click();
        await shot('overview-with-flag');
        // A real modal: Tab from its last control and Shift+Tab from its first stay in it, the page
        // behind is inert; Escape closes it and the focus is back on the button that opened it.
        const overview = page.getByRole('dialog', { name: 'Daļas pārskats' });
        const inOverview = () => overview.evaluate((d) => d.contains(d.ownerDocument.activeElement));
        // Its close button is the first control, at the top; the last item's button the last.
        expect(await overview.getByRole('button').first().textContent()).toBe('Aizvērt pārskatu');
        await overview.getByRole('button').last().focus();
        for (let n = 0; n < 3; n += 1) {
          await page.keyboard.press('Tab');
          expect(await inOverview(), `Tab ${n + 1} from the last control`).toBe(true);
        }
        await overview.getByRole('button').first().focus();
        await page.keyboard.press('Shift+Tab');
        expect(await inOverview(), 'Shift+Tab from the first control').toBe(true);
        await page.keyboard.press('Escape');
        await overview.waitFor({ state: 'detached' });
        expect(await page.getByTestId('overview').evaluate((b) => b === b.ownerDocument.activeElement)).toBe(true);
      }
      if (i === firstTaskItems - 1) {
        // The task's items were answered while its recording played; leaving the task asks first.
        expect(await firstAudio.getAttribute('data-state')).toBe('playing');
        await next();
        const leaving = page.getByRole('alertdialog', { name: 'Ieraksts vēl skan' });
        await leaving.waitFor();
        expect(await leaving.innerText()).toContain('šī atskaņošanas reize būs izmantota');
        await leaving.getByRole('button', { name: 'Palikt un klausīties' }).click();
        expect(await currentItemId()).toBe(item.id);
        expect(await firstAudio.getAttribute('data-state')).toBe('playing');
        await next();
        await leaving.getByRole('button', { name: 'Iet tālāk — reize būs izmantota' }).click();
        await page.locator(`.item[data-item-id="${listeningItems[i + 1]!.id}"]`).waitFor();
        continue;
      }
      if (i < listeningItems.length - 1) await next();
    }
    await waitSaved();

    // A reload keeps the item and answers; the station counts plays across reloads.
    await page.getByTestId(`nav-${listeningItems[0]!.id}`).click();
    await waitSaved();
    await page.reload();
    await page.locator('.item').waitFor();
    expect(await currentItemId()).toBe(listeningItems[0]!.id);
    expect(await page.locator(`.item label.choice:has(input:checked)`).innerText()).toContain((listeningItems[0]!.options as { text: string }[])[1]!.text);
    await firstAudio.getByTestId('play').click();
    await page.locator('[data-testid="plays"][data-used="2"]').first().waitFor();
    await page.locator('[data-testid="audio-a2-l1-audio"][data-state="playing"]').waitFor();
    await page.reload();
    await page.locator('.item').waitFor();
    // After two plays and the reloads the station's count holds: the button is disabled and says why...
    const noneLeft = firstAudio.getByTestId('plays-none');
    await noneLeft.waitFor();
    expect(await firstAudio.getByTestId('play').isDisabled()).toBe(true);
    expect(await noneLeft.innerText()).toContain('Atskaņošanas reizes ir izmantotas');
    expect(await firstAudio.getByTestId('play').getAttribute('aria-describedby')).toBe(await noneLeft.getAttribute('id'));
    // ...and the station refuses a third play to this screen all the same.
    const third = await page.evaluate(async () => {
      const seat = JSON.parse(localStorage.getItem('exam-station.seat') ?? '{}') as Record<string, string>;
      const reply = await fetch('/api/grantAudioPlay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...seat, stimulusId: 'a2-l1-audio' }) });
      return (await reply.json()) as { ok: boolean; error?: { code: string; message: { lv: string } } };
    });
    expect(third).toMatchObject({ ok: false, error: { code: 'PLAY_LIMIT', message: { lv: expect.stringContaining('noteiktu reižu skaitu') } } });
    await shot('listening-no-plays-left-after-reload');
    await page.getByTestId(`nav-${listeningItems[listeningItems.length - 1]!.id}`).click();
    await submitPart('listening');

    // Reading.
    await startPart('reading');
    const readingItems = parts[1]!.tasks.flatMap((t) => t.items);
    for (const [i, item] of readingItems.entries()) {
      await answer(item);
      if (i === 0) {
        await page.locator('.stimulus-image img').waitFor();
        await shot('reading-image-and-choice');
        await waitSaved();
        // The invigilator pauses the part from their desk: the part is covered, its clock frozen. They
        // sign in again there: the desk's earlier session may have locked (five minutes without use).
        const attemptId = await attemptOfPage();
        const { staffToken: deskToken } = await desk<{ staffToken: string }>('staffSignIn', STAFF);
        await desk('staffTimerEvent', { staffToken: deskToken, attemptId, partId: 'a2-r', kind: 'pause', reason: 'e2e: trauksme' });
        await page.getByTestId('paused').waitFor({ timeout: 5000 });
        const panel = await page.getByTestId('paused').innerText();
        for (const text of ['Pārbaudījuma vadītājs apturēja pārbaudījumu', 'The invigilator has paused the test', 'Laiks netiek skaitīts', 'answers are safe']) expect(panel).toContain(text);
        expect(await page.getByTestId('part-clock').getAttribute('data-status')).toBe('paused');
        expect(await page.locator('.part-body').getAttribute('inert')).not.toBeNull();
        const frozen = await remainingMs();
        await page.waitForTimeout(2500);
        expect(await remainingMs()).toBe(frozen);
        await shot('paused');
        await desk('staffTimerEvent', { staffToken: deskToken, attemptId, partId: 'a2-r', kind: 'resume' });
        // Both are in the station's audit log under the name of who did them.
        const audit = await desk<{ actor: string; action: string; target: string }[]>('listAudit', { staffToken: deskToken, afterSeq: 0, limit: 5000 });
        expect(audit.filter((e) => e.action.startsWith('timer.')).map((e) => [e.actor, e.action, e.target])).toEqual([
          [STAFF.username, 'timer.pause', attemptId],
          [STAFF.username, 'timer.resume', attemptId],
        ]);
        await page.getByTestId('paused').waitFor({ state: 'detached', timeout: 5000 });
        expect(await page.getByTestId('part-clock').getAttribute('data-status')).toBe('running');
        expect(await remainingMs()).toBeLessThanOrEqual(frozen);
      }
      if (item.type === 'gap-fill') await shot('reading-gap-fill');
      if (item.type === 'matching') await shot('reading-matching');
      if (i < readingItems.length - 1) await next();
    }
    await shot('reading-ordering');
    // Larger text and high contrast on the last item: submitting the part is its action, still not in
    // the primary style (the high contrast accent, rgb(255, 230, 0), fills only the primary button).
    await display('Ļoti liels', true);
    await expectFooterOneRow();
    expect(await page.getByTestId('submit-part').getAttribute('class')).not.toContain('btn-primary');
    expect(await page.getByTestId('submit-part').evaluate((e) => e.ownerDocument.defaultView.getComputedStyle(e).backgroundColor)).not.toBe('rgb(255, 230, 0)');
    await shot('reading-large-text-high-contrast');
    await display('Parasts', false);
    await waitSaved();
    await submitPart('reading');

    // Writing, with the station killed while the candidate types.
    await startPart('writing');
    const writingItems = parts[2]!.tasks.flatMap((t) => t.items);
    await answer(writingItems[0]!);
    await shot('writing-gaps');
    await next();
    const textarea = page.locator('textarea');
    await textarea.click();
    await page.keyboard.type(WRITING_TEXT.slice(0, 60));
    await waitSaved();
    const before = await remainingMs();
    const killedAt = Date.now();
    await runner.kill();
    // One keystroke the station cannot acknowledge: within 3 s the candidate is told.
    await page.keyboard.type(WRITING_TEXT.slice(60, 61));
    const typedAt = Date.now();
    await page.locator('[data-testid="save-indicator"][data-state="not-saved"]').waitFor({ timeout: 3000 });
    expect(Date.now() - typedAt).toBeLessThan(3000);
    await page.keyboard.type(WRITING_TEXT.slice(61));
    await shot('writing-not-saved-station-down');
    await page.waitForTimeout(3000);
    await runner.start();
    await waitSaved(20_000);
    await page.reload();
    await page.locator('textarea').waitFor();
    expect(await currentItemId()).toBe(writingItems[1]!.id);
    expect(await page.locator('textarea').inputValue()).toBe(WRITING_TEXT);
    const after = await remainingMs();
    const wall = Date.now() - killedAt;
    // The time the station was down is credited: the clock lost at most the time it was running.
    expect(after).toBeGreaterThan(before - wall + 2000);
    expect(after).toBeLessThanOrEqual(before + 2000);
    expect(await page.getByTestId('word-count').innerText()).toContain(`Vārdi: ${countWords(WRITING_TEXT)}`);
    await shot('writing-extended-after-restart');
    given.set(writingItems[1]!.id, { type: 'extended-writing', text: WRITING_TEXT });
    await next();
    // The screen is silent for 8 s (its heartbeats do not reach the station): when it is heard again
    // the station credits the time, and the notice says so across the banner, not a word per line.
    await page.route('**/api/seatHeartbeat', (route) => route.abort());
    await page.waitForTimeout(8000);
    await page.unroute('**/api/seatHeartbeat');
    const notice = page.getByTestId('notice');
    await notice.waitFor({ timeout: 5000 });
    expect(await notice.innerText()).toMatch(/pievienota/);
    const noticeText = notice.locator('.banner-text');
    const lineHeight = await noticeText.evaluate((e) => parseFloat(e.ownerDocument.defaultView.getComputedStyle(e).lineHeight));
    expect((await noticeText.boundingBox())!.height).toBeLessThan(2 * lineHeight);
    await notice.getByRole('button', { name: 'OK' }).click();
    await waitSaved();
    await page.locator('textarea').click();
    await page.keyboard.type(EMAIL_TEXT);
    given.set(writingItems[2]!.id, { type: 'extended-writing', text: EMAIL_TEXT });
    await waitSaved();
    await shot('writing-email');
    // Writing at every text size: the word count and a refused paste's message stay next to the text.
    await writeWithCountInView('normal text', 'writing-counter-normal');
    await display('Liels', false);
    await writeWithCountInView('large text');
    await display('Ļoti liels', true);
    await writeWithCountInView('very large text, high contrast', 'writing-counter-very-large-high-contrast');
    await display('Parasts', false);
    await waitSaved();
    await submitPart('writing');

    // Speaking: the station killed mid-take, the page reloaded mid-take.
    await startPart('speaking');
    const speakingItems = parts[3]!.tasks.flatMap((t) => t.items);
    await speak(speakingItems[0]!.id, async () => {
      await page.waitForTimeout(2500);
      // Next during a take is refused, and said where the candidate is looking: in the bottom bar.
      await next();
      const busy = await page.getByTestId('busy-recording').boundingBox();
      const topBar = (await page.locator('.topbar').boundingBox())!;
      expect(busy!.y).toBeGreaterThanOrEqual(topBar.y + topBar.height);
      expect(busy!.y + busy!.height).toBeLessThanOrEqual(page.viewportSize()!.height);
      await shot('speaking-recording');
      // The station process alone dies: the runner's supervisor starts it again, the page never
      // notices more than a short wait, and the recorder goes on appending to the same take.
      await runner.killStation();
    });
    await shot('speaking-recorded');
    await next();
    const cut = speakingItems[1]!.id;
    await page.locator(`.item[data-item-id="${cut}"]`).getByTestId('start-preparation').click();
    await page.getByTestId('recording').waitFor({ timeout: 15_000 });
    await page.waitForTimeout(3000);
    await page.reload();
    await page.getByTestId('interrupted').waitFor();
    expect(await currentItemId()).toBe(cut);
    await shot('speaking-interrupted-after-reload');
    await speak(cut);
    for (const item of speakingItems.slice(2)) {
      await next();
      await speak(item.id);
    }
    await waitSaved(20_000);
    await submitPart('speaking');

    await page.getByTestId('end-title').waitFor({ timeout: 20_000 });
    await shot('end');
    expect(await page.getByTestId('end-summary').innerText()).toContain('Runāšana: atbildēti 5 no 5');
    expect(await page.getByTestId('end-summary').innerText()).not.toMatch(/punkt/i);
    expect(await indicator()).toBe('saved');
  });

  test('the station database holds every answer and a decodable recording of each speaking task', async () => {
    await browser.close();
    await runner.stop();
    const db = new Database(join(runner.dataDir, 'station.db'), { readonly: true });
    try {
      const attempt = db.prepare("SELECT attempt_id, status FROM attempts WHERE candidate_id = 'DEMO-A2-1'").get() as { attempt_id: string; status: string };
      expect(attempt.status).toBe('submitted');
      const latest = db
        .prepare('SELECT item_id, value_json FROM response_revisions r WHERE attempt_id = ? AND revision = (SELECT max(revision) FROM response_revisions WHERE attempt_id = r.attempt_id AND item_id = r.item_id)')
        .all(attempt.attempt_id) as { item_id: string; value_json: string }[];
      const stored = new Map(latest.map((r) => [r.item_id, JSON.parse(r.value_json) as unknown]));
      const allItems = parts.flatMap((p) => p.tasks.flatMap((t) => t.items));
      for (const item of allItems) expect(stored.has(item.id), `a response for ${item.id}`).toBe(true);
      for (const [itemId, value] of given) expect(stored.get(itemId), itemId).toEqual(value);

      const credits = db.prepare("SELECT part_id, amount_ms, reason FROM timer_events WHERE attempt_id = ? AND kind = 'credit'").all(attempt.attempt_id) as { part_id: string; reason: string }[];
      expect(credits.some((c) => c.part_id === 'a2-w' && c.reason.startsWith('station restart'))).toBe(true);
      expect(credits.some((c) => c.part_id === 'a2-s')).toBe(true);
      // Both plays sounded: none was handed back.
      const plays = db.prepare('SELECT play, returned_at FROM stimulus_plays WHERE attempt_id = ? AND stimulus_id = ? ORDER BY play').all(attempt.attempt_id, 'a2-l1-audio');
      expect(plays).toEqual([
        { play: 1, returned_at: null },
        { play: 2, returned_at: null },
      ]);

      const speaking = allItems.filter((i) => i.type === 'speaking');
      for (const item of speaking) {
        const takes = db.prepare('SELECT recording_id, take, closed_at, interrupted, duration_ms, segment_count, sha256 FROM recordings WHERE attempt_id = ? AND item_id = ? ORDER BY take').all(attempt.attempt_id, item.id) as {
          recording_id: string;
          closed_at: string | null;
          interrupted: number;
          duration_ms: number;
          segment_count: number;
        }[];
        const complete = takes.filter((t) => t.closed_at !== null && t.interrupted === 0);
        expect(complete.length, `a complete take of ${item.id}`).toBe(1);
        const take = complete[0]!;
        expect(stored.get(item.id)).toEqual({ type: 'speaking', recordingIds: [take.recording_id] });
        const segments = db.prepare('SELECT data FROM recording_segments WHERE recording_id = ? ORDER BY idx').all(take.recording_id) as { data: Buffer }[];
        expect(segments.length).toBe(take.segment_count);
        expect(take.segment_count).toBeGreaterThanOrEqual(E2E_SPEAKING.responseSeconds - 1);
        const file = join(work, `${item.id}.webm`);
        writeFileSync(file, Buffer.concat(segments.map((s) => s.data)));
        const probe = JSON.parse(run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name:format=format_name', '-of', 'json', file])) as { streams: { codec_name: string }[] };
        expect(probe.streams[0]?.codec_name).toBe('opus');
        // Decode every packet: a damaged file fails here. The decoded length is the recording's length.
        const decoded = runBytes('ffmpeg', ['-v', 'error', '-i', file, '-f', 's16le', '-ac', '1', '-ar', '8000', '-']).length;
        const seconds = decoded / 2 / 8000;
        expect(seconds, `${item.id} length`).toBeGreaterThan(E2E_SPEAKING.responseSeconds - 1.5);
        expect(seconds, `${item.id} length`).toBeLessThan(E2E_SPEAKING.responseSeconds + 1.5);
        expect(Math.abs(take.duration_ms / 1000 - seconds)).toBeLessThan(1.5);
      }
      // The take cut off by the reload is kept, closed as interrupted, with its audio.
      const cut = db.prepare('SELECT interrupted, segment_count FROM recordings WHERE attempt_id = ? AND item_id = ? AND interrupted = 1').all(attempt.attempt_id, speaking[1]!.id) as { segment_count: number }[];
      expect(cut.length).toBe(1);
      expect(cut[0]!.segment_count).toBeGreaterThanOrEqual(2);
    } finally {
      db.close();
    }
  });
});
