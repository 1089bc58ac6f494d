// Attempts: one candidate sitting one package. Opening an attempt that already exists resumes it, so a
// reload, a restart or a machine swap brings the candidate back to the same place with the same answers.
import { randomUUID } from 'node:crypto';
import { StationError } from '../../../src-shared/errors.ts';
import type { ExamContent } from '../../../src-shared/content/schema.ts';
import type { AttemptView } from '../../../src-shared/station-api.ts';
import type { StationDatabase } from '../database.ts';
import type { AttemptsTable } from '../tables.ts';
import { appendEvent } from './outbox.ts';
import { partTimer } from './timers.ts';

export function attemptRow(db: StationDatabase, attemptId: string): AttemptsTable {
  const row = db.get(db.q.selectFrom('attempts').selectAll().where('attempt_id', '=', attemptId));
  if (!row) throw new StationError('NOT_FOUND', `attempt ${attemptId}`);
  return row;
}

export function openAttemptRow(db: StationDatabase, attemptId: string): AttemptsTable {
  const row = attemptRow(db, attemptId);
  if (row.status !== 'open') throw new StationError('ATTEMPT_CLOSED', `attempt ${attemptId} is ${row.status}`);
  return row;
}

export function openAttempt(db: StationDatabase, deviceId: string, candidateId: string, packageId: string, now: Date): string {
  const candidate = db.get(db.q.selectFrom('candidates').select(['candidate_id', 'attendance']).where('candidate_id', '=', candidateId));
  if (!candidate) throw new StationError('NOT_FOUND', `candidate ${candidateId}`);
  if (candidate.attendance === 'removed') throw new StationError('ATTEMPT_CLOSED', `candidate ${candidateId} was removed from the session`);
  const existing = db.get(
    db.q.selectFrom('attempts').select('attempt_id').where('candidate_id', '=', candidateId).where('package_id', '=', packageId).where('status', '=', 'open'),
  );
  if (existing) return existing.attempt_id;
  const attemptId = randomUUID();
  const openedAt = now.toISOString();
  db.run(db.q.insertInto('attempts').values({ attempt_id: attemptId, candidate_id: candidateId, package_id: packageId, status: 'open', opened_at: openedAt, current_part_id: null, current_item_id: null }));
  appendEvent(db, deviceId, 'attempt.opened', attemptId, { attemptId, candidateId, packageId, openedAt }, now);
  return attemptId;
}

export function setPosition(db: StationDatabase, attemptId: string, partId: string, itemId: string | null): void {
  openAttemptRow(db, attemptId);
  db.run(db.q.updateTable('attempts').set({ current_part_id: partId, current_item_id: itemId }).where('attempt_id', '=', attemptId));
}

export function attemptView(db: StationDatabase, content: ExamContent, attemptId: string, now: Date): AttemptView {
  const row = attemptRow(db, attemptId);
  const responses = db.all(db.q.selectFrom('responses').selectAll().where('attempt_id', '=', attemptId).orderBy('item_id'));
  const recordings = db.all(db.q.selectFrom('recordings').selectAll().where('attempt_id', '=', attemptId).orderBy('item_id').orderBy('take'));
  return {
    attemptId: row.attempt_id,
    candidateId: row.candidate_id,
    packageId: row.package_id,
    status: row.status,
    openedAt: row.opened_at,
    position: { partId: row.current_part_id, itemId: row.current_item_id },
    responses: responses.map((r) => ({ itemId: r.item_id, revision: r.revision, value: JSON.parse(r.value_json) as AttemptView['responses'][number]['value'], savedAt: r.saved_at })),
    parts: content.parts.map((part) => {
      const timer = partTimer(db, attemptId, part, now.getTime());
      return { partId: part.id, timer, submitted: timer.status === 'ended' };
    }),
    recordings: recordings.map((r) => ({
      recordingId: r.recording_id,
      itemId: r.item_id,
      take: r.take,
      segmentCount: r.segment_count,
      durationMs: r.duration_ms,
      closed: r.closed_at !== null,
      sha256: r.sha256,
    })),
  };
}
