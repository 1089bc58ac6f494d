// A centralized exam scored centrally, end to end: the grade 9 mathematics sample from
// assets/samples/mat9 is built into a package, its answer key loaded at the centre, a hub pushes a
// known answer set (numbers written the ways candidates write them), raters score the two worked
// solutions, and the result gives per-part and total percentages and no pass flag (MK 117 4.2.3).
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { buildPackage } from '../../src-shared/node/package/builder.ts';
import type { ResponseValue } from '../../src-shared/content/responses.ts';
import type { AttemptResult } from '../../src-server/scoring.ts';
import { makeKeys } from '../support/fixtures.ts';
import { centralTest } from './support/central-test.ts';
import { makeVenue, outboxEvents } from './support/harness.ts';

const MAT9_SOURCE = join(import.meta.dirname, '../../assets/samples/mat9');

const it = centralTest
  .extend('built', { scope: 'file' }, async ({ central }) => {
    const built = buildPackage({ sourceDir: MAT9_SOURCE, signingKey: makeKeys().signingKey, validFrom: new Date('2020-01-01T00:00:00Z'), validUntil: new Date('2100-01-01T00:00:00Z') });
    await central.admin.publishPackage(built);
    return built;
  })
  .extend('venue', { scope: 'file' }, ({ central, built }) => makeVenue(central, 'VLM01', built.manifest.packageId, built.manifest.examId, { candidates: 1, level: null }));

const numeric = (text: string): ResponseValue => ({ type: 'numeric', text });

/** A pupil's answers: part 1 5 of 7, part 2 5 of 7, part 3 1 of 2 objective points before the raters. */
const KNOWN_ANSWERS: Record<string, ResponseValue> = {
  'm9-1a-q1': numeric('1/2'), // 3/4 − 1/4 = 0,5 written as a fraction
  'm9-1a-q2': numeric('1.2'), // decimal point instead of the comma
  'm9-1a-q3': numeric('−1'), // the minus sign, not a hyphen
  'm9-1a-q4': numeric('0,75'), // wrong: a fraction was asked for
  'm9-1b-q1': numeric('x = 5'),
  'm9-1b-q2': numeric('34 eiro'), // the unit the field shows, typed again
  'm9-1b-q3': { type: 'single-choice', optionId: 'a' }, // wrong
  'm9-2a-q1': numeric('24'), // wrong: the unit was asked for (2 points lost)
  'm9-2a-q2': numeric('10'),
  'm9-2b-q1': numeric('12,8'), // read off the graph: 12,5 ± 0,5
  'm9-2b-q2': numeric('7,0'),
  'm9-3a-q1': { type: 'extended-writing', text: 't1 = 20 : 16 = 1,25 h; 30 − 20 = 10 km; t2 = 10 : 20 = 0,5 h; t = 1,75 h' },
  'm9-3a-q2': numeric('1 3/4'),
  'm9-3b-q1': { type: 'extended-writing', text: 's skolēnu biļetes, 10 − s pieaugušo. 12(10 − s) + 7s = 95; 120 − 5s = 95; s = 5.' },
  'm9-3b-q2': numeric('6'), // wrong
};

const attemptId = randomUUID();

describe('the grade 9 mathematics sample scored centrally', () => {
  it('scores the numeric answers as candidates write them and waits for the raters', async ({ central, venue, built }) => {
    const now = new Date().toISOString();
    const candidateId = venue.candidateIds[0]!;
    const events = outboxEvents(venue.hub.deviceId, 1, [
      { kind: 'attendance.marked', entityId: candidateId, payload: { candidateId, sessionId: venue.sessionId, status: 'present', at: now, markedBy: 'Ilze Kalniņa' } },
      { kind: 'attempt.opened', entityId: attemptId, payload: { attemptId, candidateId, packageId: built.manifest.packageId, openedAt: now } },
      ...Object.entries(KNOWN_ANSWERS).map(([itemId, value]) => ({ kind: 'response.saved', entityId: attemptId, payload: { attemptId, itemId, revision: 1, value, savedAt: now } })),
    ]);
    expect((await venue.hub.push(events)).status).toBe(200);

    const result = await central.admin.ok<AttemptResult>('GET', `/v1/admin/attempts/${attemptId}/result`);
    expect(result).toMatchObject({ examKind: 'centralized', level: null, status: 'awaiting-rater', passed: null });
    expect(result.parts.map((p) => [p.partId, p.title, p.points, p.max, p.percent, p.passShare, p.passed])).toEqual([
      ['m9-1', '1. daļa. Skaitļi un izteiksmes', 5, 7, 71.43, null, null],
      ['m9-2', '2. daļa. Ģeometrija un dati', 5, 7, 71.43, null, null],
      ['m9-3', '3. daļa. Uzdevumi ar risinājumu', 1, 10, 10, null, null],
    ]);
    const items = new Map(result.parts.flatMap((p) => p.tasks.flatMap((t) => t.items)).map((i) => [i.itemId, i]));
    expect(items.get('m9-1a-q1')).toMatchObject({ type: 'numeric', source: 'auto', points: 1, max: 1 });
    expect(items.get('m9-1a-q4')).toMatchObject({ points: 0 });
    expect(items.get('m9-2a-q1')).toMatchObject({ points: 0, max: 2 });
    expect(items.get('m9-2b-q1')).toMatchObject({ points: 1 });
    expect(items.get('m9-3a-q1')).toMatchObject({ type: 'extended-writing', source: 'rater', points: null, max: 4 });
  });

  it('adds the rater scores for the worked solutions and gives per-part and total percentages, with no pass flag', async ({ central }) => {
    const rate = (itemId: string, points: number) => central.admin.ok<AttemptResult>('PUT', `/v1/admin/attempts/${attemptId}/scores/${itemId}`, { points, rater: 'R-09' });
    await rate('m9-3a-q1', 3);
    const result = await rate('m9-3b-q1', 4);
    expect(result.status).toBe('complete');
    expect(result.parts.map((p) => [p.partId, p.points, p.max, p.percent])).toEqual([
      ['m9-1', 5, 7, 71.43],
      ['m9-2', 5, 7, 71.43],
      ['m9-3', 8, 10, 80],
    ]);
    expect(result.parts.map((p) => p.tasks.map((t) => t.points))).toEqual([[3, 2], [2, 3], [4, 4]]);
    expect(result.total).toEqual({ points: 18, max: 24, percent: 75 });
    expect(result.passed).toBeNull();
  });

  it('refuses a rater score for a numeric item, which is scored by its key', async ({ central }) => {
    const response = await central.admin.call('PUT', `/v1/admin/attempts/${attemptId}/scores/m9-3b-q2`, { points: 1, rater: 'R-09' });
    expect(response.status).toBe(422);
    expect(response.body).toMatchObject({ code: 'SCORE_INVALID' });
  });
});
