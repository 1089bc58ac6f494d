// Scoring and receipts end to end: the A2 sample from assets/samples/a2 is built into a package, its
// answer key loaded centrally, a hub pushes a known answer set, raters score writing and speaking,
// and the result shows per-task scores, part totals and the MK 157 pass flag. The signed receipt
// lists what arrived. A centralized exam reports per-part and total percentages.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { buildPackage } from '../../src-shared/node/package/builder.ts';
import { decodeContainer } from '../../src-shared/node/package/container.ts';
import { openPackage } from '../../src-shared/node/package/reader.ts';
import type { ResponseValue } from '../../src-shared/content/responses.ts';
import { CONTENT_FORMAT_VERSION } from '../../src-shared/content/schema.ts';
import { verifyReceipt, type SignedReceipt } from '../../src-server/receipts.ts';
import { scoreAttempt, type AttemptResult } from '../../src-server/scoring.ts';
import { asContentFormat1, makeKeys, miniExamSource, tempDir, writeSource } from '../support/fixtures.ts';
import { centralTest } from './support/central-test.ts';
import { makeVenue, outboxEvents } from './support/harness.ts';

const A2_SOURCE = join(import.meta.dirname, '../../assets/samples/a2');

const it = centralTest
  /** The A2 sample, built and published with its keys. */
  .extend('built', { scope: 'file' }, async ({ central }) => {
    const built = buildPackage({ sourceDir: A2_SOURCE, signingKey: makeKeys().signingKey, validFrom: new Date('2020-01-01T00:00:00Z'), validUntil: new Date('2100-01-01T00:00:00Z') });
    await central.admin.publishPackage(built);
    return built;
  })
  .extend('venue', { scope: 'file' }, ({ central, built }) => makeVenue(central, 'RIX01', built.manifest.packageId, built.manifest.examId, { candidates: 1 }));

/** A candidate's answers: listening 12/15, reading 10/15, writing gap-fill 4/4 (raters add the rest). */
const KNOWN_ANSWERS: Record<string, ResponseValue> = {
  'a2-l1-q1': { type: 'single-choice', optionId: 'b' },
  'a2-l1-q2': { type: 'single-choice', optionId: 'c' },
  'a2-l1-q3': { type: 'single-choice', optionId: 'c' },
  'a2-l1-q4': { type: 'multiple-choice', optionIds: ['a', 'b'] }, // wrong: 0 of 2
  'a2-l2-q1': { type: 'true-false-not-given', choice: 'true' },
  'a2-l2-q2': { type: 'true-false-not-given', choice: 'false' },
  'a2-l2-q3': { type: 'true-false-not-given', choice: 'not-given' },
  'a2-l2-q4': { type: 'short-text', text: 'Pasi' },
  'a2-l2-q5': { type: 'short-text', text: '13' }, // wrong: 0 of 1
  'a2-l3-q1': { type: 'matching', pairs: { mon: 'A', tue: 'B', wed: 'C', thu: 'D' } },
  'a2-l3-q2': { type: 'single-choice', optionId: 'b' },
  'a2-r1-q1': { type: 'single-choice', optionId: 'a' },
  'a2-r1-q2': { type: 'single-choice', optionId: 'b' },
  'a2-r1-q3': { type: 'single-choice', optionId: 'c' },
  'a2-r1-q4': { type: 'single-choice', optionId: 'b' },
  'a2-r1-q5': { type: 'short-text', text: '  Svētdien ' },
  'a2-r2-q1': { type: 'matching', pairs: { p1: 'C', p2: 'B', p3: 'A', p4: 'D', p5: 'E' } }, // 3 of 5 pairs: 3 points
  'a2-r3-q1': { type: 'gap-fill', gaps: { g1: 'g1b', g2: 'g2b', g3: 'g3a' } }, // 2 of 3 gaps: 2 points
  'a2-r3-q2': { type: 'ordering', order: ['e1', 'e2', 'e3', 'e4'] }, // wrong: 0 of 2
  'a2-w1-q1': { type: 'gap-fill', gaps: { g1: 'liepājā', g2: 'Velosipēdu', g3: 'draugiem', g4: 'mums' } },
  'a2-w2-q1': { type: 'extended-writing', text: 'Labdien! Es gribu pierakstīties uz kursiem.' },
  'a2-w3-q1': { type: 'extended-writing', text: 'Mana ģimene ir liela. Mēs dzīvojam Rīgā.' },
};

const attemptId = randomUUID();
const recordingId = randomUUID();
const incidentId = randomUUID();
const audio = randomBytes(40_000);

describe('the A2 sample scored centrally', () => {
  it('has the sample source from assets/samples/a2', () => {
    expect(existsSync(join(A2_SOURCE, 'content.json'))).toBe(true);
  });

  it('scores objective items from the pushed answers and waits for raters', async ({ central, venue, built }) => {
    const now = new Date().toISOString();
    const candidateId = venue.candidateIds[0]!;
    const events = outboxEvents(venue.hub.deviceId, 1, [
      { kind: 'attendance.marked', entityId: candidateId, payload: { candidateId, sessionId: venue.sessionId, status: 'present', at: now, markedBy: 'Ilze Kalniņa' } },
      { kind: 'attempt.opened', entityId: attemptId, payload: { attemptId, candidateId, packageId: built.manifest.packageId, openedAt: now } },
      // An earlier revision of one answer, superseded below.
      { kind: 'response.saved', entityId: attemptId, payload: { attemptId, itemId: 'a2-l1-q1', revision: 1, value: { type: 'single-choice', optionId: 'a' }, savedAt: now } },
      ...Object.entries(KNOWN_ANSWERS).map(([itemId, value]) => ({ kind: 'response.saved', entityId: attemptId, payload: { attemptId, itemId, revision: itemId === 'a2-l1-q1' ? 2 : 1, value, savedAt: now } })),
      { kind: 'recording.started', entityId: recordingId, payload: { recordingId, attemptId, itemId: 'a2-s1-q1', take: 1, mimeType: 'audio/webm' } },
      {
        kind: 'recording.closed',
        entityId: recordingId,
        payload: {
          recordingId,
          attemptId,
          itemId: 'a2-s1-q1',
          take: 1,
          sha256: createHash('sha256').update(audio).digest('hex'),
          bytes: audio.length,
          durationMs: 41_500,
          segmentCount: 42,
          mimeType: 'audio/webm',
          interrupted: false,
          interruption: null,
        },
      },
      {
        kind: 'incident.recorded',
        entityId: incidentId,
        payload: { incidentId, sessionId: venue.sessionId, candidateId, attemptId, kind: 'technical-workstation', note: 'Austiņas nomainītas', at: now, recordedBy: 'Ilze Kalniņa' },
      },
    ]);
    expect((await venue.hub.push(events)).status).toBe(200);
    const upload = await venue.hub.createUpload(recordingId, audio);
    expect((await venue.hub.patch(upload.location, 0, audio)).status).toBe(204);

    const result = await central.admin.ok<AttemptResult>('GET', `/v1/admin/attempts/${attemptId}/result`);
    expect(result.status).toBe('awaiting-rater');
    expect(result.passed).toBeNull();
    const part = (id: string) => result.parts.find((p) => p.partId === id)!;
    expect(part('a2-l')).toMatchObject({ points: 12, max: 15, percent: 80 });
    expect(part('a2-l').tasks.map((t) => t.points)).toEqual([3, 4, 5]);
    expect(part('a2-r')).toMatchObject({ points: 10, max: 15 });
    expect(part('a2-r').tasks.map((t) => t.points)).toEqual([5, 3, 2]);
    expect(part('a2-w').tasks.map((t) => t.points)).toEqual([4, 0, 0]);
    expect(part('a2-w').tasks[1]?.items[0]).toMatchObject({ source: 'rater', points: null, max: 4 });
  });

  it('takes rater scores for writing and speaking and applies the MK 157 pass rule per part', async ({ central }) => {
    const rate = (itemId: string, points: number) => central.admin.ok<AttemptResult>('PUT', `/v1/admin/attempts/${attemptId}/scores/${itemId}`, { points, rater: 'R-17' });
    await rate('a2-w2-q1', 3);
    await rate('a2-w3-q1', 5);
    await rate('a2-s1-q1', 2);
    await rate('a2-s1-q2', 1);
    await rate('a2-s2-q1', 2);
    await rate('a2-s2-q2', 2);
    let result = await rate('a2-s3-q1', 1);
    expect(result.status).toBe('complete');
    expect(result.parts.map((p) => [p.partId, p.points, p.passed])).toEqual([
      ['a2-l', 12, true],
      ['a2-r', 10, true],
      ['a2-w', 12, true],
      ['a2-s', 8, false], // 8 < 9 = 60 % of 15
    ]);
    expect(result.passed).toBe(false);
    expect(result.total).toEqual({ points: 42, max: 60, percent: 70 });

    result = await rate('a2-s3-q1', 3);
    expect(result.parts.find((p) => p.partId === 'a2-s')).toMatchObject({ points: 10, passed: true });
    expect(result.passed).toBe(true);
    expect(result.level).toBe('A2');
  });

  it('refuses a rater score above the maximum or for an objective item', async ({ central }) => {
    const tooHigh = await central.admin.call('PUT', `/v1/admin/attempts/${attemptId}/scores/a2-w2-q1`, { points: 5, rater: 'R-17' });
    expect(tooHigh.status).toBe(422);
    expect(tooHigh.body).toMatchObject({ code: 'SCORE_INVALID' });
    const objective = await central.admin.call('PUT', `/v1/admin/attempts/${attemptId}/scores/a2-l1-q1`, { points: 1, rater: 'R-17' });
    expect(objective.status).toBe(422);
  });

  it('signs a receipt of everything received for the candidate', async ({ central, venue }) => {
    const response = await venue.hub.call<SignedReceipt>('GET', `/v1/receipts/${venue.candidateIds[0]}`);
    expect(response.status).toBe(200);
    const signed = response.body;
    const keys = (await (await fetch(`${central.url}/v1/receipt-keys`)).json()) as { keys: { keyId: string; publicKeySpki: string }[] };
    const key = keys.keys.find((k) => k.keyId === signed.keyId)!;
    expect(verifyReceipt(signed, key.publicKeySpki)).toBe(true);
    expect(verifyReceipt({ ...signed, receipt: { ...signed.receipt, incidents: [] } }, key.publicKeySpki)).toBe(false);

    const { receipt } = signed;
    expect(receipt.attendance).toMatchObject({ status: 'present', markedBy: 'Ilze Kalniņa' });
    expect(receipt.attempts).toHaveLength(1);
    expect(receipt.attempts[0]!.responses).toHaveLength(Object.keys(KNOWN_ANSWERS).length);
    expect(receipt.attempts[0]!.responses.find((r) => r.itemId === 'a2-l1-q1')?.revision).toBe(2);
    expect(receipt.attempts[0]!.recordings).toEqual([
      {
        recordingId,
        itemId: 'a2-s1-q1',
        take: 1,
        sha256: createHash('sha256').update(audio).digest('hex'),
        bytes: audio.length,
        durationMs: 41_500,
        interrupted: false,
        interruption: null,
        audioReceived: true,
      },
    ]);
    expect(receipt.incidents).toEqual([expect.objectContaining({ incidentId, attemptId, kind: 'technical-workstation', recordedBy: 'Ilze Kalniņa' })]);
  });

  it('reads stored content of an older format upgraded: a format-1 row scores the same and takes the answer key', async ({ central, db, built }) => {
    const packageId = built.manifest.packageId;
    const stored = await db.selectFrom('package_secret').select('content').where('package_id', '=', packageId).executeTakeFirstOrThrow();
    const result = await central.admin.ok<AttemptResult>('GET', `/v1/admin/attempts/${attemptId}/result`);
    expect(result).toMatchObject({ status: 'complete', examKind: 'state-language', level: 'A2', passed: true });
    // The row as a centre that kept format 1 content would hold it.
    await db.updateTable('package_secret').set({ content: JSON.stringify(asContentFormat1(stored.content)) }).where('package_id', '=', packageId).execute();
    try {
      expect(await central.admin.ok<AttemptResult>('GET', `/v1/admin/attempts/${attemptId}/result`)).toEqual(result);
      expect(await central.admin.ok<AttemptResult>('PUT', `/v1/admin/attempts/${attemptId}/scores/a2-s3-q1`, { points: 3, rater: 'R-17' })).toEqual(result);
      expect(await central.admin.ok('PUT', `/v1/admin/packages/${packageId}/answer-key`, built.answerKey)).toEqual({ ok: true });
    } finally {
      await db.updateTable('package_secret').set({ content: JSON.stringify(stored.content) }).where('package_id', '=', packageId).execute();
    }
  });

  it('refuses stored content of a format newer than the server knows, as its own fault, not as content of another shape', async ({ central, db, built }) => {
    const packageId = built.manifest.packageId;
    const stored = await db.selectFrom('package_secret').select('content').where('package_id', '=', packageId).executeTakeFirstOrThrow();
    await db.updateTable('package_secret').set({ content: JSON.stringify({ ...(stored.content as object), formatVersion: CONTENT_FORMAT_VERSION + 1 }) }).where('package_id', '=', packageId).execute();
    try {
      const result = await central.admin.call<{ code: string; detail?: string }>('GET', `/v1/admin/attempts/${attemptId}/result`);
      expect(result.status).toBe(500);
      expect(result.body.code).toBe('INTERNAL');
      const key = await central.admin.call<{ code: string }>('PUT', `/v1/admin/packages/${packageId}/answer-key`, built.answerKey);
      expect(key.status).toBe(500);
    } finally {
      await db.updateTable('package_secret').set({ content: JSON.stringify(stored.content) }).where('package_id', '=', packageId).execute();
    }
  });

  it('refuses an answer key that does not fit the package', async ({ central, built }) => {
    const broken = { ...built.answerKey, items: { ...built.answerKey.items } };
    delete broken.items['a2-l1-q1'];
    const response = await central.admin.call('PUT', `/v1/admin/packages/${built.manifest.packageId}/answer-key`, broken);
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'ANSWER_KEY_MISMATCH' });
  });
});

describe('centralized exam results', () => {
  it('reports per-part and total percentages and no pass flag', () => {
    const { level: _level, ...source } = miniExamSource();
    const dir = writeSource(tempDir('central-source-'), { ...source, kind: 'centralized', subject: 'Latviešu valoda', examId: 'ce-latv' });
    const pkg = buildPackage({ sourceDir: dir, signingKey: makeKeys().signingKey, validFrom: new Date(0), validUntil: new Date('2100-01-01T00:00:00Z') });
    const container = decodeContainer(pkg.file);
    const { content } = openPackage(container.manifest, container.ciphertext, pkg.contentKey);
    const result = scoreAttempt({
      attemptId: randomUUID(),
      candidateId: 'P-1',
      content,
      answerKey: pkg.answerKey,
      responses: new Map<string, ResponseValue>([
        ['l1-q1', { type: 'single-choice', optionId: 'b' }],
        ['l1-q2', { type: 'true-false-not-given', choice: 'true' }],
        ['r1-q4', { type: 'short-text', text: '350' }],
      ]),
      raterScores: new Map([
        ['w1-q1', 2.5],
        ['s1-q1', 5],
      ]),
      passShares: { listening: 0.6, reading: 0.6, writing: 0.6, speaking: 0.6 },
    });
    expect(result.examKind).toBe('centralized');
    expect(result.parts.map((p) => [p.partId, p.points, p.max, p.percent, p.passed])).toEqual([
      ['listening', 2, 4, 50, null],
      ['reading', 1, 6, 16.67, null],
      ['writing', 2.5, 5, 50, null],
      ['speaking', 5, 5, 100, null],
    ]);
    expect(result.total).toEqual({ points: 10.5, max: 20, percent: 52.5 });
    expect(result.passed).toBeNull();
  });
});
