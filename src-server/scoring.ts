// Scoring and results. Objective items are scored with the shared rule (`scoreItem`) against the
// answer key held centrally; writing and speaking items take the points a rater entered. A state
// language test reports per-task scores and part totals (MK 117 11.7, 11.8) and passes when every
// part reaches its share of the maximum (MK 157: 60 % by default, configurable per part). A
// centralized exam reports per-part and total percentages (MK 117 4.2.3).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { scoreItem, languageTestPassed, type AnswerKey } from '../src-shared/content/answer-key.ts';
import type { ResponseValue } from '../src-shared/content/responses.ts';
import { findItem, type ExamContent, type PartKind } from '../src-shared/content/schema.ts';
import { appendAudit, recordAudit } from './audit.ts';
import { storedAnswerKey, storedContent } from './packages.ts';
import type { ServerConfig } from './config.ts';
import type { ServerContext } from './context.ts';
import type { CentralDb } from './db/database.ts';
import { ApiError, errorResponses } from './errors.ts';

const ItemResult = z.object({
  itemId: z.string(),
  type: z.string(),
  max: z.number(),
  /** null while a rater item has no score yet. */
  points: z.number().nullable(),
  source: z.enum(['auto', 'rater']),
});

const TaskResult = z.object({ taskId: z.string(), title: z.string(), points: z.number(), max: z.number(), items: z.array(ItemResult) });

const PartResult = z.object({
  partId: z.string(),
  kind: z.string(),
  title: z.string(),
  points: z.number(),
  max: z.number(),
  percent: z.number(),
  /** Language test only: the part reaches its pass share (null while rater scores are missing). */
  passed: z.boolean().nullable(),
  passShare: z.number().nullable(),
  tasks: z.array(TaskResult),
});

export const AttemptResult = z
  .object({
    attemptId: z.string(),
    candidateId: z.string(),
    packageId: z.string(),
    examId: z.string(),
    examKind: z.enum(['state-language', 'centralized']),
    level: z.string().nullable(),
    /** complete: every item has points; awaiting-rater: some writing or speaking item is not scored yet. */
    status: z.enum(['complete', 'awaiting-rater']),
    parts: z.array(PartResult),
    total: z.object({ points: z.number(), max: z.number(), percent: z.number() }),
    /** Language test: MK 157 pass flag (null until complete). Centralized exam: null. */
    passed: z.boolean().nullable(),
  })
  .meta({ id: 'AttemptResult' });
export type AttemptResult = z.infer<typeof AttemptResult>;

const round2 = (n: number): number => Math.round(n * 100) / 100;
const percent = (points: number, max: number): number => (max > 0 ? round2((points / max) * 100) : 0);

export type PassShares = ServerConfig['passShare'];

/** The whole result of one attempt, from its content, answer key, latest responses and rater scores. */
export function scoreAttempt(input: {
  attemptId: string;
  candidateId: string;
  content: ExamContent;
  answerKey: AnswerKey;
  responses: Map<string, ResponseValue>;
  raterScores: Map<string, number>;
  passShares: PassShares;
}): AttemptResult {
  const { content, answerKey } = input;
  let pending = false;
  const parts = content.parts.map((part) => {
    const tasks = part.tasks.map((task) => {
      const items = task.items.map((item) => {
        const key = answerKey.items[item.id];
        if (!key) throw new ApiError('ANSWER_KEY_MISMATCH', `item ${item.id} has no answer key`);
        const score = scoreItem(item, key, input.responses.get(item.id));
        if (score.kind === 'scored') return { itemId: item.id, type: item.type, max: score.max, points: score.points, source: 'auto' as const };
        const rated = input.raterScores.get(item.id);
        if (rated === undefined) pending = true;
        return { itemId: item.id, type: item.type, max: score.max, points: rated ?? null, source: 'rater' as const };
      });
      const points = round2(items.reduce((s, i) => s + (i.points ?? 0), 0));
      return { taskId: task.id, title: task.title, points, max: round2(items.reduce((s, i) => s + i.max, 0)), items };
    });
    const points = round2(tasks.reduce((s, t) => s + t.points, 0));
    const max = round2(tasks.reduce((s, t) => s + t.max, 0));
    return { partId: part.id, kind: part.kind, title: part.title, points, max, percent: percent(points, max), tasks };
  });
  const complete = !pending;
  const language = content.kind === 'state-language';
  const shareOf = (kind: PartKind): number => (kind === 'custom' ? input.passShares.listening : input.passShares[kind]);
  const withPass = parts.map((p) => {
    const share = language ? shareOf(p.kind as PartKind) : null;
    return { ...p, passShare: share, passed: language && complete && share !== null ? languageTestPassed([p], share) : null };
  });
  const points = round2(parts.reduce((s, p) => s + p.points, 0));
  const max = round2(parts.reduce((s, p) => s + p.max, 0));
  return {
    attemptId: input.attemptId,
    candidateId: input.candidateId,
    packageId: answerKey.packageId,
    examId: content.examId,
    examKind: content.kind,
    level: content.kind === 'state-language' ? `${content.level.level}${content.level.degree}` : null,
    status: complete ? 'complete' : 'awaiting-rater',
    parts: withPass,
    total: { points, max, percent: percent(points, max) },
    passed: language && complete ? withPass.every((p) => p.passed === true) : null,
  };
}

async function loadScoringInputs(db: CentralDb, attemptId: string) {
  const attempt = await db
    .selectFrom('attempt as a')
    .leftJoin('package_secret as k', 'k.package_id', 'a.package_id')
    .select(['a.attempt_id', 'a.candidate_id', 'a.venue_id', 'a.package_id', 'k.content', 'k.answer_key'])
    .where('a.attempt_id', '=', attemptId)
    .executeTakeFirst();
  if (!attempt) throw new ApiError('NOT_FOUND', `attempt ${attemptId}`);
  if (!attempt.content || !attempt.answer_key) throw new ApiError('NOT_FOUND', `package ${attempt.package_id} has no content key or answer key at the centre`);
  return { attempt, content: storedContent(attempt.package_id, attempt.content), answerKey: storedAnswerKey(attempt.package_id, attempt.answer_key) };
}

export async function attemptResult(db: CentralDb, attemptId: string, passShares: PassShares): Promise<AttemptResult> {
  const { attempt, content, answerKey } = await loadScoringInputs(db, attemptId);
  const responses = await db.selectFrom('response').select(['item_id', 'value']).where('attempt_id', '=', attemptId).execute();
  const rater = await db.selectFrom('rater_score').select(['item_id', 'points']).where('attempt_id', '=', attemptId).execute();
  return scoreAttempt({
    attemptId,
    candidateId: attempt.candidate_id,
    content,
    answerKey,
    responses: new Map(responses.map((r) => [r.item_id, r.value as ResponseValue])),
    raterScores: new Map(rater.map((r) => [r.item_id, r.points])),
    passShares,
  });
}

export async function enterRaterScore(db: CentralDb, input: { attemptId: string; itemId: string; points: number; rater: string; note: string }, actor: string): Promise<void> {
  const { attempt, content } = await loadScoringInputs(db, input.attemptId);
  const found = findItem(content, input.itemId);
  if (!found) throw new ApiError('NOT_FOUND', `item ${input.itemId}`);
  if (found.item.type !== 'extended-writing' && found.item.type !== 'speaking') throw new ApiError('SCORE_INVALID', `item ${input.itemId} is ${found.item.type}, scored automatically`);
  if (input.points > found.item.points) throw new ApiError('SCORE_INVALID', `item ${input.itemId} has at most ${found.item.points} points`);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('rater_score')
      .values({ attempt_id: input.attemptId, item_id: input.itemId, points: input.points, rater: input.rater, note: input.note })
      .onConflict((oc) => oc.columns(['attempt_id', 'item_id']).doUpdateSet({ points: input.points, rater: input.rater, note: input.note, scored_at: new Date() }))
      .execute();
    await appendAudit(trx, [{ actorKind: 'admin', actorId: actor, action: 'score.entered', venueId: attempt.venue_id, subject: `${input.attemptId}/${input.itemId}`, detail: { points: input.points, rater: input.rater } }]);
  });
}

export const scoringRoutes =
  (ctx: ServerContext, actor: string): FastifyPluginAsyncZod =>
  async (app) => {
    const AttemptParams = z.object({ attemptId: z.string().uuid() });
    app.get(
      '/v1/admin/attempts/:attemptId/result',
      { schema: { operationId: 'getAttemptResult', tags: ['scoring'], summary: "An attempt's scores, part totals and pass flag", params: AttemptParams, response: { 200: AttemptResult, ...errorResponses } } },
      async (request) => {
        const result = await attemptResult(ctx.db, request.params.attemptId, ctx.config.passShare);
        await recordAudit(ctx.db, [{ actorKind: 'admin', actorId: actor, action: 'result.read', subject: request.params.attemptId, detail: { candidateId: result.candidateId } }]);
        return result;
      },
    );

    app.put(
      '/v1/admin/attempts/:attemptId/scores/:itemId',
      {
        schema: {
          operationId: 'putItemScore',
          tags: ['scoring'],
          summary: "A rater's score for a writing or speaking item",
          params: AttemptParams.extend({ itemId: z.string().min(1).max(64) }),
          body: z.object({ points: z.number().min(0).max(100), rater: z.string().min(1).max(100), note: z.string().max(5000).default('') }),
          response: { 200: AttemptResult, ...errorResponses },
        },
      },
      async (request) => {
        await enterRaterScore(ctx.db, { attemptId: request.params.attemptId, itemId: request.params.itemId, ...request.body }, actor);
        return attemptResult(ctx.db, request.params.attemptId, ctx.config.passShare);
      },
    );

    app.get(
      '/v1/admin/sessions/:sessionId/results',
      {
        schema: {
          operationId: 'listSessionResults',
          tags: ['scoring'],
          summary: "Results of every attempt in a session",
          params: z.object({ sessionId: z.string().min(1).max(64) }),
          response: { 200: z.object({ sessionId: z.string(), results: z.array(AttemptResult) }), ...errorResponses },
        },
      },
      async (request) => {
        const attempts = await ctx.db
          .selectFrom('attempt as a')
          .innerJoin('candidate as c', 'c.candidate_id', 'a.candidate_id')
          .select('a.attempt_id')
          .where('c.session_id', '=', request.params.sessionId)
          .orderBy('a.opened_at')
          .execute();
        const results = [];
        for (const a of attempts) results.push(await attemptResult(ctx.db, a.attempt_id, ctx.config.passShare));
        await recordAudit(ctx.db, [{ actorKind: 'admin', actorId: actor, action: 'result.read', subject: request.params.sessionId, detail: { candidates: results.map((r) => r.candidateId) } }]);
        return { sessionId: request.params.sessionId, results };
      },
    );
  };
