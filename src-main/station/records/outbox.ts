// The outbox: the events that describe every change a station makes, numbered (device_id, seq).
// Appended only inside the transaction of the change it describes. The station is its only writer,
// so seq is handed out from memory: one more than the highest ever handed out (kept in meta as a
// floor for when old events are pruned); a failed transaction makes it read the database again.
// On a hub the outbox also carries its seats' events (relay): each keeps the seat as its device and
// its seq there as origin_seq, so the stream the hub pushes on says who wrote every event first.
import { EVENT_PAYLOADS, type EventEnvelope, type EventKind, type EventPayload } from '../../../src-shared/contracts/events.ts';
import { StationError } from '../../../src-shared/errors.ts';
import type { PreparedQuery, StationDatabase, Tx } from '../database.ts';

interface NewEvent {
  seq: number;
  device_id: string;
  kind: string;
  entity_id: string;
  payload_json: string;
  created_at: string;
  origin_seq: number | null;
}

/** An event a seat wrote, as the hub stored it when the seat pushed it. */
export interface RelayedEvent {
  kind: string;
  entityId: string;
  payload: unknown;
  createdAt: string;
}

export class Outbox {
  readonly deviceId: string;
  private readonly db: StationDatabase;
  private readonly insert: PreparedQuery<NewEvent, unknown>;
  private readonly maxSeq: PreparedQuery<Record<string, never>, { seq: number | null }>;
  private readonly seqFloor: PreparedQuery<Record<string, never>, { value: string }>;
  /** The highest seq handed out and committed, or undefined to be read again. */
  private last: number | undefined;

  constructor(db: StationDatabase, deviceId: string) {
    this.db = db;
    this.deviceId = deviceId;
    this.insert = db.prepared<NewEvent>((p) =>
      db.q
        .insertInto('outbox')
        .values({ seq: p.seq, device_id: p.device_id, kind: p.kind, entity_id: p.entity_id, payload_json: p.payload_json, created_at: p.created_at, origin_seq: p.origin_seq }),
    );
    // Prepared once: a seat's link asks for lastSeq at every push and every beat.
    this.maxSeq = db.prepared<Record<string, never>, { seq: number | null }>(() => db.q.selectFrom('outbox').select((eb) => eb.fn.max('seq').as('seq')));
    this.seqFloor = db.prepared<Record<string, never>, { value: string }>(() => db.q.selectFrom('meta').select('value').where('key', '=', 'outbox_seq_floor'));
  }

  /**
   * Append an event of the contract; returns its seq. Must run inside the transaction of the change it
   * describes. The payload is checked against the contract: the station never writes an event the
   * centre would refuse (a refusal here rolls the change back with it).
   */
  append<K extends EventKind>(_tx: Tx, kind: K, entityId: string, payload: EventPayload<K>, at: Date): number {
    const checked = EVENT_PAYLOADS[kind].safeParse(payload);
    if (!checked.success) throw new StationError('INTERNAL', `${kind} event outside the contract: ${checked.error.issues[0]?.path.join('.')}: ${checked.error.issues[0]?.message}`);
    const seq = (this.last ?? this.lastSeq()) + 1;
    this.insert.run({ seq, device_id: this.deviceId, kind, entity_id: entityId, payload_json: JSON.stringify(payload), created_at: at.toISOString(), origin_seq: null });
    this.last = seq;
    return seq;
  }

  /**
   * Append an event another device wrote (a seat's, on its hub), keeping who wrote it and its seq
   * there; returns its seq in this stream. The caller has checked it against the contract and that
   * the origin is not here yet (see `relayed`).
   */
  relay(_tx: Tx, origin: EventEnvelope['origin'], event: RelayedEvent): number {
    if (origin.deviceId === this.deviceId) throw new StationError('INTERNAL', 'a station does not relay its own events');
    const seq = (this.last ?? this.lastSeq()) + 1;
    this.insert.run({ seq, device_id: origin.deviceId, kind: event.kind, entity_id: event.entityId, payload_json: JSON.stringify(event.payload), created_at: event.createdAt, origin_seq: origin.seq });
    this.last = seq;
    return seq;
  }

  /** The event with this origin as stored here, if another device's event with it was relayed. */
  relayed(origin: EventEnvelope['origin']): RelayedEvent | undefined {
    const row = this.db.get(
      this.db.q.selectFrom('outbox').select(['kind', 'entity_id', 'payload_json', 'created_at']).where('device_id', '=', origin.deviceId).where('origin_seq', '=', origin.seq),
    );
    return row && { kind: row.kind, entityId: row.entity_id, payload: JSON.parse(row.payload_json) as unknown, createdAt: row.created_at };
  }

  /** After a failed transaction: what was handed out in it was not committed. */
  forget(): void {
    this.last = undefined;
  }

  /** Events after `afterSeq`, in the envelope they are pushed in, each with the device that wrote it first. */
  read(afterSeq: number, limit: number): EventEnvelope[] {
    const rows = this.db.all(this.db.q.selectFrom('outbox').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit));
    return rows.map((row) => ({
      seq: Number(row.seq),
      origin: { deviceId: row.device_id, seq: Number(row.origin_seq ?? row.seq) },
      kind: row.kind,
      entityId: row.entity_id,
      payload: JSON.parse(row.payload_json) as unknown,
      createdAt: row.created_at,
    }));
  }

  /** The highest seq ever handed out: the newest event, or the floor kept when events were pruned. */
  lastSeq(): number {
    const row = this.maxSeq.get({});
    const floor = this.seqFloor.get({});
    return Math.max(Number(row?.seq ?? 0), Number(floor?.value ?? 0));
  }
}
