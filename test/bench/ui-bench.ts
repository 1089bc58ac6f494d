// npm run bench:ui: from a keystroke in a text answer to its durable acknowledgement on screen, in Debian's
// Chromium through the HTTP transport of the browser runner, next to a direct call of the station
// service's saveResponse in the same run.
//   Keystroke time: the keydown event in the page. Acknowledged: the save indicator turns to "saved"
//   with one more acknowledgement (the station's reply came back and the screen shows it).
// The last line is one JSON object: {"ack_p50_ms", "ack_p99_ms", "direct_p99_ms", "saves"} (target: ack_p99_ms < 50).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_CHIEF } from '../../src-main/host/demo.ts';
import { openDemoStation } from '../support/fixtures.ts';
import { freePort, launchChromium, Runner, tempDir, ROOT } from '../e2e/support.ts';

const { values } = parseArgs({ options: { saves: { type: 'string', default: '500' } } });
const saves = Math.max(1, Number(values.saves));

const percentile = (samples: number[], p: number): number => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};
const round2 = (n: number): number => Math.round(n * 100) / 100;
const WRITING_ITEM = 'a2-w3-q1';

// ---- the browser runner and an attempt in the writing part, set up through the station API ----
const work = tempDir('exam-station-ui-bench-');
const runner = new Runner({ dataDir: join(work, 'runner'), port: await freePort(), assetsDir: join(ROOT, 'assets') });
await runner.start();
const api = async <T = Record<string, string>>(method: string, input: unknown): Promise<T> => {
  const reply = (await (await fetch(`${runner.url}api/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) })).json()) as {
    ok: boolean;
    value?: unknown;
    error?: unknown;
  };
  if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
  return reply.value as T;
};
const a2 = runner.demoKeys().find((k) => k.examId === 'vvpp-a2-sample');
if (!a2) throw new Error('the demo A2 package is missing');
const { staffToken } = await api('staffSignIn', { username: DEMO_CHIEF.username, password: DEMO_CHIEF.password });
await api('unlockPackage', { staffToken, packageId: a2.packageId, key: a2.contentKey });
const { attemptId, candidateToken } = await api('openAttempt', { staffToken, candidateId: 'DEMO-A2-1', packageId: a2.packageId });
const seatOfPage = { attemptId, candidateToken };
for (const partId of ['a2-l', 'a2-r']) {
  await api('recordTimerEvent', { ...seatOfPage, partId, kind: 'start' });
  await api('recordTimerEvent', { ...seatOfPage, partId, kind: 'end' });
}
await api('recordTimerEvent', { ...seatOfPage, partId: 'a2-w', kind: 'start' });
await api('setPosition', { ...seatOfPage, partId: 'a2-w', itemId: WRITING_ITEM });

const browser = await launchChromium();
const acks: number[] = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(runner.url);
  await page.evaluate(`localStorage.setItem('exam-station.seat', ${JSON.stringify(JSON.stringify(seatOfPage))})`);
  await page.reload();
  await page.locator('textarea').click();
  // In the page: the keydown time, and the moment the indicator shows one more acknowledgement, saved.
  await page.evaluate(`(() => {
    const indicator = document.querySelector('[data-testid="save-indicator"]');
    const bench = (window.__bench = { t0: 0, acksAtKey: 0, results: [], waiting: null });
    bench.wait = (n) => new Promise((resolve) => {
      if (bench.results.length >= n) return resolve();
      bench.waiting = { n, resolve };
    });
    document.addEventListener('keydown', () => {
      bench.t0 = performance.now();
      bench.acksAtKey = Number(indicator.dataset.acks);
    }, true);
    new MutationObserver(() => {
      if (bench.t0 && indicator.dataset.state === 'saved' && Number(indicator.dataset.acks) > bench.acksAtKey) {
        bench.results.push(performance.now() - bench.t0);
        bench.t0 = 0;
        if (bench.waiting && bench.results.length >= bench.waiting.n) {
          bench.waiting.resolve();
          bench.waiting = null;
        }
      }
    }).observe(indicator, { attributes: true });
  })()`);
  const keys = 'labdien es rakstu vestuli draugam ';
  // A few warm-up keystrokes, not counted.
  for (let i = 0; i < 10; i += 1) {
    await page.keyboard.press(keys[i % keys.length] === ' ' ? 'Space' : keys[i % keys.length]!);
    await page.evaluate(`window.__bench.wait(${i + 1})`);
  }
  await page.evaluate('window.__bench.results = []');
  for (let i = 0; i < saves; i += 1) {
    const key = keys[i % keys.length]!;
    await page.keyboard.press(key === ' ' ? 'Space' : key);
    await page.evaluate(`window.__bench.wait(${i + 1})`);
  }
  acks.push(...((await page.evaluate('window.__bench.results')) as number[]));
  const typed = await page.locator('textarea').inputValue();
  if (typed.length !== saves + 10) throw new Error(`typed ${typed.length} characters, expected ${saves + 10}`);
} finally {
  await browser.close();
  await runner.stop();
}

// ---- the same save called directly on a station service in this process ----
const direct: number[] = [];
const { service, demo } = openDemoStation(join(work, 'direct'));
try {
  const pkg = demo.find((p) => p.examId === 'vvpp-a2-sample')!;
  const token = (await service.staffSignIn({ username: DEMO_CHIEF.username, password: DEMO_CHIEF.password })).staffToken;
  await service.unlockPackage({ staffToken: token, packageId: pkg.packageId, key: pkg.contentKey });
  const attempt = await service.openAttempt({ staffToken: token, candidateId: 'DEMO-A2-1', packageId: pkg.packageId });
  const seat = { attemptId: attempt.attemptId, candidateToken: attempt.candidateToken };
  for (const partId of ['a2-l', 'a2-r']) {
    await service.recordTimerEvent({ ...seat, partId, kind: 'start' });
    await service.recordTimerEvent({ ...seat, partId, kind: 'end' });
  }
  await service.recordTimerEvent({ ...seat, partId: 'a2-w', kind: 'start' });
  let text = '';
  for (let i = 0; i < saves + 10; i += 1) {
    text += 'labdien es rakstu vestuli draugam '[i % 34];
    const t0 = performance.now();
    await service.saveResponse({ ...seat, itemId: WRITING_ITEM, value: { type: 'extended-writing', text }, clientSaveId: randomUUID() });
    if (i >= 10) direct.push(performance.now() - t0);
  }
} finally {
  service.close();
}

console.log(`keystroke to acknowledgement in Chromium over HTTP (${acks.length} saves): p50 ${round2(percentile(acks, 50))} ms, p99 ${round2(percentile(acks, 99))} ms, max ${round2(Math.max(...acks))} ms`);
console.log(`direct StationService.saveResponse (${direct.length} saves): p50 ${round2(percentile(direct, 50))} ms, p99 ${round2(percentile(direct, 99))} ms`);
console.log(JSON.stringify({ ack_p50_ms: round2(percentile(acks, 50)), ack_p99_ms: round2(percentile(acks, 99)), direct_p99_ms: round2(percentile(direct, 99)), saves: acks.length }));
