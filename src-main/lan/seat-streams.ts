// The hub's side of the seats' push (src-shared/contracts/room-protocol.ts): each seat's events are
// applied in one transaction, relayed into the hub's own outbox with their origin kept, and
// acknowledged by a contiguous watermark that is committed with them. A batch is checked whole before
// anything is written: a gap, a foreign origin or an event outside the contract changes nothing. An
// event the hub already has is a duplicate only if its body is the same; the same (seat, seq) with
// another body is an integrity alarm, and the batch is refused.
// The takes' audio comes segment by segment, each checked against its SHA-256 before it is stored.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../src-shared/canonical-json.ts';
import { checkBatch, describeBatchProblem, EVENT_PAYLOADS, type EventEnvelope, type EventKind } from '../../src-shared/contracts/events.ts';
import { ROOM_PUSH_MAX_EVENTS } from '../../src-shared/contracts/room-protocol.ts';
import { StationError } from '../../src-shared/errors.ts';
import type { StationDatabase, Tx } from '../station/database.ts';
import type { Outbox, RelayedEvent } from '../station/records/outbox.ts';

export interface SeatPushResult {
  ackedSeq: number;
  accepted: number;
  duplicates: number;
}

/** Why a push was refused, for the seat (and the hub's alarms). */
export class PushRefusal extends StationError {
  readonly expectedSeq: number | null;
  constructor(code: 'SEQ_GAP' | 'EVENTS_NOT_CONTIGUOUS' | 'EVENT_KIND_UNKNOWN' | 'VALIDATION_FAILED' | 'PUSH_FOREIGN_ORIGIN' | 'EVENT_CONFLICT', detail: string, expectedSeq: number | null = null) {
    super(code, detail);
    this.expectedSeq = expectedSeq;
  }
}

const sameBody = (stored: RelayedEvent, event: EventEnvelope): boolean =>
  stored.kind === event.kind && stored.entityId === event.entityId && stored.createdAt === event.createdAt && canonicalJson(stored.payload) === canonicalJson(event.payload);

/** An event of a seat as the hub has just relayed it, with its seq in the hub's stream. */
export interface RelayedSeatEvent {
  hubSeq: number;
  origin: EventEnvelope['origin'];
  kind: string;
  entityId: string;
  payload: unknown;
}

/** Told, inside the push's transaction, of the events a push brought (a move flags the old seat's late ones). */
export type RelayListener = (tx: Tx, deviceId: string, relayed: readonly RelayedSeatEvent[]) => void;

export class SeatStreams {
  private readonly db: StationDatabase;
  private readonly outbox: Outbox;
  private readonly now: () => Date;
  private readonly onRelayed: RelayListener | undefined;

  constructor(db: StationDatabase, outbox: Outbox, now: () => Date = () => new Date(), onRelayed?: RelayListener) {
    this.db = db;
    this.outbox = outbox;
    this.now = now;
    this.onRelayed = onRelayed;
  }

  /** Everything of this seat up to here is committed at the hub (0: nothing yet). */
  ackedSeq(deviceId: string): number {
    return Number(this.db.get(this.db.q.selectFrom('seat_streams').select('acked_seq').where('device_id', '=', deviceId))?.acked_seq ?? 0);
  }

  /** Every seat that ever pushed here, with its watermark. */
  streams(): { deviceId: string; ackedSeq: number; updatedAt: string }[] {
    return this.db.all(this.db.q.selectFrom('seat_streams').selectAll().orderBy('device_id')).map((r) => ({ deviceId: r.device_id, ackedSeq: Number(r.acked_seq), updatedAt: r.updated_at }));
  }

  /**
   * Apply a push from `deviceId` (the channel proved who it is). Events up to the watermark must be the
   * ones already held; the rest must follow it without a gap. Returns the new watermark, or throws a
   * PushRefusal and changes nothing.
   */
  apply(deviceId: string, events: readonly EventEnvelope[]): SeatPushResult {
    const problem = checkBatch(events, ROOM_PUSH_MAX_EVENTS);
    if (problem) {
      const code = problem.problem === 'unknown-kind' ? 'EVENT_KIND_UNKNOWN' : problem.problem === 'not-contiguous' ? 'EVENTS_NOT_CONTIGUOUS' : 'VALIDATION_FAILED';
      throw new PushRefusal(code, describeBatchProblem(problem));
    }
    const foreign = events.find((e) => e.origin.deviceId !== deviceId || e.origin.seq !== e.seq);
    if (foreign) throw new PushRefusal('PUSH_FOREIGN_ORIGIN', `event seq ${foreign.seq} names origin ${foreign.origin.deviceId.slice(0, 64)}/${foreign.origin.seq}; a seat pushes only its own events`);
    try {
      return this.db.transaction((tx) => {
        const acked = this.ackedSeq(deviceId);
        const first = events[0]!.seq;
        if (first > acked + 1) throw new PushRefusal('SEQ_GAP', `this hub holds seat ${deviceId} up to ${acked}; the push starts at ${first}`, acked + 1);
        // Every refusal comes before the first write, so a refused push leaves the hub's transaction as
        // it found it (the hub commits many seats' pushes in one, room-hub.ts). The batch is contiguous:
        // the events the hub holds already come first.
        let duplicates = 0;
        const relayed: RelayedSeatEvent[] = [];
        for (const event of events) {
          if (event.seq > acked) break;
          const stored = this.outbox.relayed(event.origin);
          if (!stored || !sameBody(stored, event)) throw new PushRefusal('EVENT_CONFLICT', `seat ${deviceId} seq ${event.seq} arrived again with another body`);
          duplicates += 1;
        }
        let accepted = 0;
        for (const event of events) {
          if (event.seq <= acked) continue;
          // What the contract says the payload is, not what came: fields it does not know go no further.
          // (checkBatch has parsed it already, so this cannot refuse after a write.)
          const payload = EVENT_PAYLOADS[event.kind as EventKind].parse(event.payload);
          const hubSeq = this.outbox.relay(tx, event.origin, { kind: event.kind, entityId: event.entityId, payload, createdAt: event.createdAt });
          relayed.push({ hubSeq, origin: event.origin, kind: event.kind, entityId: event.entityId, payload });
          accepted += 1;
        }
        if (relayed.length > 0) this.onRelayed?.(tx, deviceId, relayed);
        const ackedSeq = Math.max(acked, events.at(-1)!.seq);
        const updatedAt = this.now().toISOString();
        this.db.run(
          this.db.q
            .insertInto('seat_streams')
            .values({ device_id: deviceId, acked_seq: ackedSeq, updated_at: updatedAt })
            .onConflict((oc) => oc.column('device_id').doUpdateSet({ acked_seq: ackedSeq, updated_at: updatedAt })),
        );
        return { ackedSeq, accepted, duplicates };
      });
    } catch (error) {
      this.outbox.forget();
      throw error;
    }
  }

  /**
   * Store one segment of a take as the seat sent it, after checking its hash. The same segment again
   * is acknowledged without a second copy; other bytes for a segment already held are refused.
   */
  storeAudio(deviceId: string, segment: { recordingId: string; index: number; sha256: string; data: Buffer }): 'stored' | 'duplicate' {
    const actual = createHash('sha256').update(segment.data).digest('hex');
    if (actual !== segment.sha256) throw new StationError('UPLOAD_CHUNK_CHECKSUM_MISMATCH', `segment ${segment.index} of ${segment.recordingId}: SHA-256 ${actual}, the seat said ${segment.sha256}`);
    // Only audio this seat announced in its own events (recording.segment, same hash and length) is kept:
    // a seat cannot fill the hub with bytes no take names, nor take another seat's recording id.
    const announced = this.db.get(
      this.db.q
        .selectFrom('outbox')
        .select('payload_json')
        .where('device_id', '=', deviceId)
        .where('kind', '=', 'recording.segment')
        .where('entity_id', '=', segment.recordingId)
        .where((eb) => eb(eb.fn('json_extract', ['payload_json', eb.val('$.index')]), '=', segment.index)),
    );
    if (!announced) throw new StationError('NOT_FOUND', `segment ${segment.index} of ${segment.recordingId} is not in this seat's events (yet)`);
    const said = JSON.parse(announced.payload_json) as { sha256: string; bytes: number };
    if (said.sha256 !== segment.sha256 || said.bytes !== segment.data.length) throw new StationError('RECORDING_CONFLICT', `segment ${segment.index} of ${segment.recordingId} is not the one the seat's event names`);
    return this.db.transaction(() => {
      const held = this.db.get(this.db.q.selectFrom('seat_audio').select(['sha256', 'device_id']).where('recording_id', '=', segment.recordingId).where('idx', '=', segment.index));
      if (held) {
        if (held.sha256 !== segment.sha256 || held.device_id !== deviceId) throw new StationError('RECORDING_CONFLICT', `segment ${segment.index} of ${segment.recordingId} is held with other content or from another seat`);
        return 'duplicate';
      }
      this.db.run(
        this.db.q.insertInto('seat_audio').values({ recording_id: segment.recordingId, idx: segment.index, device_id: deviceId, sha256: segment.sha256, data: segment.data, received_at: this.now().toISOString() }),
      );
      return 'stored';
    });
  }

  /** The segments of a take held at the hub, in order (for checks and the hand-over to the centre). */
  audioOf(recordingId: string): { index: number; sha256: string; bytes: number }[] {
    return this.db
      .all(this.db.q.selectFrom('seat_audio').select(['idx', 'sha256', (eb) => eb.fn<number>('length', ['data']).as('bytes')]).where('recording_id', '=', recordingId).orderBy('idx'))
      .map((r) => ({ index: Number(r.idx), sha256: r.sha256, bytes: Number(r.bytes) }));
  }
}
