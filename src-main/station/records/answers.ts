// Candidates' answers: every save is a new revision, kept with its history, written in one durable
// transaction with its outbox event. The reply to a save is the acknowledgement: it is returned only
// after the commit. A retried save (same clientSaveId) gets the same acknowledgement, not a new revision.
import { canonicalJson } from '../../../src-shared/canonical-json.ts';
import { StationError } from '../../../src-shared/errors.ts';
import type { ExamContent } from '../../../src-shared/content/schema.ts';
import { findItem } from '../../../src-shared/content/schema.ts';
import { responseMismatch, type ResponseValue } from '../../../src-shared/content/responses.ts';
import type { StationOutput } from '../../../src-shared/contracts/station-api.ts';
import type { PreparedQuery, StationDatabase, Tx } from '../database.ts';
import type { ResponseRevisionsTable } from '../tables.ts';
import type { Attempts } from './attempts.ts';
import type { Outbox } from './outbox.ts';
import type { Timers } from './timers.ts';

/** In-flight saves that reach the station this long after the deadline are still accepted. */
export const DEADLINE_GRACE_MS = 5000;

export interface SaveResponse {
  attemptId: string;
  itemId: string;
  value: ResponseValue;
  clientSaveId: string;
}

/** The acknowledgement of a save, as the contract says it (saveResponse's output). */
export type SaveAck = StationOutput<'saveResponse'>;

export class Answers {
  private readonly outbox: Outbox;
  private readonly attempts: Attempts;
  private readonly timers: Timers;
  /** The latest revision of each answer seen; the station is its only writer. */
  private readonly revisions = new Map<string, number>();
  private readonly latest: PreparedQuery<{ attemptId: string; itemId: string }, { revision: number | null }>;
  private readonly insert: PreparedQuery<ResponseRevisionsTable, unknown>;
  private readonly earlier: PreparedQuery<{ clientSaveId: string }, SaveAck & { attemptId: string; valueJson: string }>;

  constructor(db: StationDatabase, outbox: Outbox, attempts: Attempts, timers: Timers) {
    this.outbox = outbox;
    this.attempts = attempts;
    this.timers = timers;
    this.latest = db.prepared<{ attemptId: string; itemId: string }, { revision: number | null }>((p) =>
      db.q.selectFrom('response_revisions').select((eb) => eb.fn.max('revision').as('revision')).where('attempt_id', '=', p.attemptId).where('item_id', '=', p.itemId),
    );
    this.insert = db.prepared<ResponseRevisionsTable>((p) =>
      db.q.insertInto('response_revisions').values({
        attempt_id: p.attempt_id,
        item_id: p.item_id,
        revision: p.revision,
        value_json: p.value_json,
        saved_at: p.saved_at,
        client_save_id: p.client_save_id,
        seq: p.seq,
      }),
    );
    this.earlier = db.prepared<{ clientSaveId: string }, SaveAck & { attemptId: string; valueJson: string }>((p) =>
      db.q
        .selectFrom('response_revisions')
        .select(['attempt_id as attemptId', 'item_id as itemId', 'revision', 'saved_at as savedAt', 'seq', 'value_json as valueJson'])
        .where('client_save_id', '=', p.clientSaveId),
    );
  }

  forget(): void {
    this.revisions.clear();
  }

  /**
   * The acknowledgement already given for this clientSaveId, if any. The same id is a repeat only with
   * the same answer: with another answer, or for another item, it is refused (the earlier one stays).
   */
  earlierAck(save: SaveResponse): SaveAck | undefined {
    const found = this.earlier.get({ clientSaveId: save.clientSaveId });
    if (!found) return undefined;
    if (found.attemptId !== save.attemptId || found.itemId !== save.itemId) throw new StationError('SAVE_ID_REUSED', 'the clientSaveId was used for another answer');
    if (canonicalJson(JSON.parse(found.valueJson)) !== canonicalJson(save.value)) {
      throw new StationError('SAVE_ID_REUSED', `revision ${found.revision} of ${found.itemId} was saved with this clientSaveId and another value`);
    }
    return { itemId: found.itemId, revision: found.revision, savedAt: found.savedAt, seq: found.seq };
  }

  /** A repeated clientSaveId fails on its unique index (the caller answers it with the earlier ack). */
  save(tx: Tx, content: ExamContent, save: SaveResponse, now: Date): SaveAck {
    this.attempts.requireOpen(save.attemptId);
    const found = findItem(content, save.itemId);
    if (!found) throw new StationError('ITEM_UNKNOWN', save.itemId);
    const mismatch = responseMismatch(found.item, save.value);
    if (mismatch) throw new StationError('RESPONSE_SHAPE', mismatch);
    const timer = this.timers.state(save.attemptId, found.part, now.getTime());
    if (timer.status === 'ended') throw new StationError('ATTEMPT_CLOSED', `part ${found.part.id} has ended`);
    if (timer.status === 'not-started') throw new StationError('PART_NOT_STARTED', found.part.id);
    if (timer.status === 'expired' && timer.elapsedMs - (timer.limitMs + timer.addedMs) > DEADLINE_GRACE_MS) throw new StationError('TIME_UP', found.part.id);
    // A save that was on its way when the invigilator paused is still taken; then nothing until resumed.
    if (timer.status === 'paused' && now.getTime() - (timer.pausedAt ?? 0) > DEADLINE_GRACE_MS) throw new StationError('PART_PAUSED', found.part.id);

    const key = `${save.attemptId}\u0000${save.itemId}`;
    const revision = (this.revisions.get(key) ?? this.latest.get({ attemptId: save.attemptId, itemId: save.itemId })?.revision ?? 0) + 1;
    const savedAt = now.toISOString();
    const seq = this.outbox.append(tx, 'response.saved', save.attemptId, { attemptId: save.attemptId, itemId: save.itemId, revision, value: save.value, savedAt }, now);
    this.insert.run({ attempt_id: save.attemptId, item_id: save.itemId, revision, value_json: JSON.stringify(save.value), saved_at: savedAt, client_save_id: save.clientSaveId, seq });
    this.revisions.set(key, revision);
    return { itemId: save.itemId, revision, savedAt, seq };
  }
}
