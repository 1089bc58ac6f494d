// Candidates' answers: every save is a new revision, kept with its history, written in one durable
// transaction with its outbox event. The reply to a save is the acknowledgement: it is returned only
// after the commit. A retried save (same clientSaveId) gets the same acknowledgement, not a new revision.
import { StationError } from '../../../src-shared/errors.ts';
import type { ExamContent } from '../../../src-shared/content/schema.ts';
import { findItem } from '../../../src-shared/content/schema.ts';
import { responseMismatch, type ResponseValue } from '../../../src-shared/content/responses.ts';
import type { StationDatabase } from '../database.ts';
import { openAttemptRow } from './attempts.ts';
import { appendEvent } from './outbox.ts';
import { partTimer } from './timers.ts';

/** In-flight saves that reach the station this long after the deadline are still accepted. */
export const DEADLINE_GRACE_MS = 5000;

export interface SaveResponse {
  attemptId: string;
  itemId: string;
  value: ResponseValue;
  clientSaveId: string;
}

export interface SaveAck {
  itemId: string;
  revision: number;
  savedAt: string;
  seq: number;
}

export function saveResponse(db: StationDatabase, deviceId: string, content: ExamContent, save: SaveResponse, now: Date): SaveAck {
  const earlier = db.get(
    db.q.selectFrom('response_revisions').select(['item_id', 'revision', 'saved_at', 'seq', 'attempt_id']).where('client_save_id', '=', save.clientSaveId),
  );
  if (earlier) {
    if (earlier.attempt_id !== save.attemptId || earlier.item_id !== save.itemId) throw new StationError('VALIDATION_FAILED', 'clientSaveId was used for another answer');
    return { itemId: earlier.item_id, revision: earlier.revision, savedAt: earlier.saved_at, seq: earlier.seq };
  }
  openAttemptRow(db, save.attemptId);
  const found = findItem(content, save.itemId);
  if (!found) throw new StationError('ITEM_UNKNOWN', save.itemId);
  const mismatch = responseMismatch(found.item, save.value);
  if (mismatch) throw new StationError('RESPONSE_SHAPE', mismatch);
  const timer = partTimer(db, save.attemptId, found.part, now.getTime());
  if (timer.status === 'ended') throw new StationError('ATTEMPT_CLOSED', `part ${found.part.id} has ended`);
  if (timer.status === 'not-started') throw new StationError('PART_NOT_STARTED', found.part.id);
  if (timer.status === 'expired' && timer.elapsedMs - (timer.limitMs + timer.addedMs) > DEADLINE_GRACE_MS) throw new StationError('TIME_UP', found.part.id);

  const current = db.get(db.q.selectFrom('responses').select('revision').where('attempt_id', '=', save.attemptId).where('item_id', '=', save.itemId));
  const revision = (current?.revision ?? 0) + 1;
  const savedAt = now.toISOString();
  const valueJson = JSON.stringify(save.value);
  const seq = appendEvent(db, deviceId, 'response.saved', save.attemptId, { attemptId: save.attemptId, itemId: save.itemId, revision, value: save.value, savedAt }, now);
  db.run(
    db.q.insertInto('response_revisions').values({ attempt_id: save.attemptId, item_id: save.itemId, revision, value_json: valueJson, saved_at: savedAt, client_save_id: save.clientSaveId, seq }),
  );
  const row = { attempt_id: save.attemptId, item_id: save.itemId, revision, value_json: valueJson, saved_at: savedAt };
  db.run(db.q.insertInto('responses').values(row).onConflict((oc) => oc.columns(['attempt_id', 'item_id']).doUpdateSet({ revision, value_json: valueJson, saved_at: savedAt })));
  return { itemId: save.itemId, revision, savedAt, seq };
}
