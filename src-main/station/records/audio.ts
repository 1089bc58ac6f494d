// Speaking recordings: stored as they are recorded, in segments of about a second, each checked against
// its SHA-256 and durable before it is acknowledged. A crash keeps everything up to the last
// acknowledged segment. A take the candidate did not finish is closed by the station with its audio
// and its reason (interruption); closing hashes the whole recording.
import { createHash, randomUUID } from 'node:crypto';
import { StationError } from '../../../src-shared/errors.ts';
import type { ExamContent } from '../../../src-shared/content/schema.ts';
import { findItem } from '../../../src-shared/content/schema.ts';
import { takesUsed, type TakeInterruption } from '../../../src-shared/rules/takes.ts';
import type { StationOutput } from '../../../src-shared/contracts/station-api.ts';
import type { PreparedQuery, StationDatabase, Tx } from '../database.ts';
import type { RecordingSegmentsTable, RecordingsTable } from '../tables.ts';
import type { Attempts } from './attempts.ts';
import type { Outbox } from './outbox.ts';
import type { Timers } from './timers.ts';

/** A new take; `interruptedTake` names the take a crash or reload cut off, now closed with what it had. */
export type StartedRecording = StationOutput<'startRecording'>;

export interface Segment {
  attemptId: string;
  recordingId: string;
  index: number;
  data: Uint8Array;
  sha256: string;
  durationMs: number;
}

/** The acknowledgement of a segment (appendAudioSegment's output). */
export type SegmentAck = StationOutput<'appendAudioSegment'>;

/** A closed take with the hash of its whole audio (closeRecording's output). */
export type ClosedRecording = StationOutput<'closeRecording'>;

export function segmentHash(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

type Progress = Pick<RecordingsTable, 'segment_count' | 'total_bytes' | 'duration_ms'>;

export class Recordings {
  private readonly db: StationDatabase;
  private readonly outbox: Outbox;
  private readonly attempts: Attempts;
  private readonly timers: Timers;
  private readonly select: PreparedQuery<{ recordingId: string }, RecordingsTable>;
  private readonly storedHash: PreparedQuery<{ recordingId: string; index: number }, { sha256: string }>;
  private readonly insertSegment: PreparedQuery<RecordingSegmentsTable, unknown>;
  private readonly progress: PreparedQuery<Progress & { recordingId: string }, unknown>;

  /** When this station process started: a take silent since before then was cut off by the restart. */
  private readonly stationStartedAt: string;

  constructor(db: StationDatabase, outbox: Outbox, attempts: Attempts, timers: Timers, stationStartedAt: Date) {
    this.stationStartedAt = stationStartedAt.toISOString();
    this.db = db;
    this.outbox = outbox;
    this.attempts = attempts;
    this.timers = timers;
    this.select = db.prepared<{ recordingId: string }, RecordingsTable>((p) => db.q.selectFrom('recordings').selectAll().where('recording_id', '=', p.recordingId));
    this.storedHash = db.prepared<{ recordingId: string; index: number }, { sha256: string }>((p) =>
      db.q.selectFrom('recording_segments').select('sha256').where('recording_id', '=', p.recordingId).where('idx', '=', p.index),
    );
    this.insertSegment = db.prepared<RecordingSegmentsTable>((p) =>
      db.q.insertInto('recording_segments').values({ recording_id: p.recording_id, idx: p.idx, data: p.data, sha256: p.sha256, duration_ms: p.duration_ms, received_at: p.received_at }),
    );
    this.progress = db.prepared<Progress & { recordingId: string }>((p) =>
      db.q.updateTable('recordings').set({ segment_count: p.segment_count, total_bytes: p.total_bytes, duration_ms: p.duration_ms }).where('recording_id', '=', p.recordingId),
    );
  }

  /** The recording, which must belong to `attemptId` (a screen reaches only its own attempt's takes). */
  private recording(recordingId: string, attemptId?: string): RecordingsTable {
    const row = this.select.get({ recordingId });
    if (!row || (attemptId !== undefined && row.attempt_id !== attemptId)) throw new StationError('NOT_FOUND', `recording ${recordingId}`);
    return row;
  }

  /**
   * A new take. A take left unfinished is closed as interrupted, with its audio up to the last
   * acknowledged segment: the recorder restarts its container, so appending to the old take would
   * not give a playable file. A take that had heard nothing since the station (re)started was cut off
   * by the station; one that went on after was cut off by the seat (a reload). Takes cut off by the
   * station never count against the takes the task allows, and neither does the first one cut off by
   * the seat; later ones do, so starting takes and never closing them cannot hand out fresh ones.
   */
  start(tx: Tx, content: ExamContent, attemptId: string, itemId: string, mimeType: string, now: Date): StartedRecording {
    this.attempts.requireOpen(attemptId);
    const found = findItem(content, itemId);
    if (!found || found.item.type !== 'speaking') throw new StationError('ITEM_UNKNOWN', `${itemId} is not a speaking item of this test`);
    const timer = this.timers.state(attemptId, found.part, now.getTime());
    if (timer.status === 'ended') throw new StationError('ATTEMPT_CLOSED', `part ${found.part.id} has ended`);
    if (timer.status === 'not-started') throw new StationError('PART_NOT_STARTED', found.part.id);
    // A take already under way may finish (nothing said is lost); a new one waits for the resume.
    if (timer.status === 'paused') throw new StationError('PART_PAUSED', found.part.id);
    const takes = this.db.all(this.db.q.selectFrom('recordings').selectAll().where('attempt_id', '=', attemptId).where('item_id', '=', itemId).orderBy('take'));
    let interruptedTake: number | undefined;
    for (const unfinished of takes.filter((t) => t.closed_at === null)) {
      const why = this.lastHeardAt(unfinished) <= this.stationStartedAt ? 'station-restart' : 'seat-restart';
      this.close(tx, unfinished.recording_id, now, why);
      unfinished.interruption = why;
      interruptedTake = unfinished.take;
    }
    const used = takesUsed(takes);
    if (used >= found.item.recordingsAllowed) throw new StationError('RECORDING_LIMIT', `${used} of ${found.item.recordingsAllowed} used`);
    const recordingId = randomUUID();
    const take = takes.length + 1;
    this.db.run(
      this.db.q.insertInto('recordings').values({
        recording_id: recordingId,
        attempt_id: attemptId,
        item_id: itemId,
        take,
        mime_type: mimeType,
        started_at: now.toISOString(),
        closed_at: null,
        segment_count: 0,
        total_bytes: 0,
        duration_ms: 0,
        sha256: null,
        interruption: null,
      }),
    );
    this.outbox.append(tx, 'recording.started', recordingId, { recordingId, attemptId, itemId, take, mimeType }, now);
    return interruptedTake === undefined ? { recordingId, take, segmentCount: 0 } : { recordingId, take, segmentCount: 0, interruptedTake };
  }

  /** When the take last heard from its screen: its newest segment, or its start. */
  private lastHeardAt(take: Pick<RecordingsTable, 'recording_id' | 'started_at'>): string {
    const newest = this.db.get(this.db.q.selectFrom('recording_segments').select((eb) => eb.fn.max('received_at').as('at')).where('recording_id', '=', take.recording_id));
    return newest?.at ?? take.started_at;
  }

  /** Append the next segment. A resend of a stored segment is acknowledged again; a gap is refused. */
  append(tx: Tx, segment: Segment, now: Date): SegmentAck {
    const row = this.recording(segment.recordingId, segment.attemptId);
    const ack = (duplicate: boolean, r: Progress): SegmentAck => ({ recordingId: segment.recordingId, index: segment.index, segmentCount: r.segment_count, durationMs: r.duration_ms, duplicate });
    if (segment.index < row.segment_count) {
      if (this.storedHash.get({ recordingId: segment.recordingId, index: segment.index })?.sha256 === segment.sha256) return ack(true, row);
      throw new StationError('SEGMENT_OUT_OF_ORDER', `segment ${segment.index} is already stored with other content`);
    }
    if (row.closed_at !== null) throw new StationError('RECORDING_CLOSED', segment.recordingId);
    if (segment.index > row.segment_count) throw new StationError('SEGMENT_OUT_OF_ORDER', `expected segment ${row.segment_count}, got ${segment.index}`);
    this.attempts.requireOpen(row.attempt_id);
    const data = Buffer.from(segment.data.buffer, segment.data.byteOffset, segment.data.byteLength);
    this.insertSegment.run({ recording_id: segment.recordingId, idx: segment.index, data, sha256: segment.sha256, duration_ms: segment.durationMs, received_at: now.toISOString() });
    const updated = { segment_count: row.segment_count + 1, total_bytes: row.total_bytes + data.length, duration_ms: row.duration_ms + segment.durationMs };
    this.progress.run({ ...updated, recordingId: segment.recordingId });
    this.outbox.append(tx, 'recording.segment', segment.recordingId, { recordingId: segment.recordingId, index: segment.index, sha256: segment.sha256, bytes: data.length, durationMs: segment.durationMs }, now);
    return ack(false, updated);
  }

  /** The whole recording: its segments in order, as one file. */
  bytes(recordingId: string): Buffer {
    const segments = this.db.all(this.db.q.selectFrom('recording_segments').select(['data', 'idx']).where('recording_id', '=', recordingId).orderBy('idx'));
    return Buffer.concat(segments.map((s) => s.data));
  }

  /**
   * Close a take: by the candidate (interruption null) or by the station for a reason. Closing a closed
   * take changes nothing and answers as the first close did. `attemptId` limits it to that attempt.
   */
  close(tx: Tx, recordingId: string, now: Date, interruption: TakeInterruption | null = null, attemptId?: string, sentSegments?: number): ClosedRecording {
    const row = this.recording(recordingId, attemptId);
    if (row.closed_at !== null && row.sha256 !== null) {
      return { recordingId, segmentCount: row.segment_count, durationMs: row.duration_ms, sha256: row.sha256, bytes: row.total_bytes };
    }
    if (sentSegments !== undefined && row.segment_count < sentSegments) {
      throw new StationError('RECORDING_INCOMPLETE', `${row.segment_count} of ${sentSegments} segments are stored`);
    }
    if (interruption === null) this.attempts.requireOpen(row.attempt_id);
    const interrupted = interruption !== null;
    const sha256 = segmentHash(this.bytes(recordingId));
    this.db.run(
      this.db.q.updateTable('recordings').set({ closed_at: now.toISOString(), sha256, interrupted: interrupted ? 1 : 0, interruption }).where('recording_id', '=', recordingId),
    );
    this.outbox.append(
      tx,
      'recording.closed',
      recordingId,
      {
        recordingId,
        attemptId: row.attempt_id,
        itemId: row.item_id,
        take: row.take,
        sha256,
        bytes: row.total_bytes,
        durationMs: row.duration_ms,
        segmentCount: row.segment_count,
        mimeType: row.mime_type,
        interrupted,
        interruption,
      },
      now,
    );
    return { recordingId, segmentCount: row.segment_count, durationMs: row.duration_ms, sha256, bytes: row.total_bytes };
  }

  /** Close every take still open, of one attempt or of all (a restart), for `why`. */
  closeOpenTakes(tx: Tx, why: TakeInterruption, now: Date, attemptId?: string): number {
    let query = this.db.q.selectFrom('recordings').select('recording_id').where('closed_at', 'is', null);
    if (attemptId !== undefined) query = query.where('attempt_id', '=', attemptId);
    const open = this.db.all(query.orderBy('started_at'));
    for (const take of open) this.close(tx, take.recording_id, now, why);
    return open.length;
  }
}
