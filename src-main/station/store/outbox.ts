// The outbox: the events that describe every change a station makes, numbered (device_id, seq).
// Appended only inside the transaction of the change it describes.
import type { OutboxEvent } from '../../../src-shared/station-api.ts';
import type { PreparedQuery, StationDatabase } from '../database.ts';

interface NewEvent {
  device_id: string;
  kind: string;
  entity_id: string;
  payload_json: string;
  created_at: string;
}

export class Outbox {
  readonly deviceId: string;
  private readonly db: StationDatabase;
  private readonly insert: PreparedQuery<NewEvent, unknown>;

  constructor(db: StationDatabase, deviceId: string) {
    this.db = db;
    this.deviceId = deviceId;
    this.insert = db.prepared<NewEvent>((p) =>
      db.q.insertInto('outbox').values({ device_id: p.device_id, kind: p.kind, entity_id: p.entity_id, payload_json: p.payload_json, created_at: p.created_at }),
    );
  }

  /** Append an event; returns its seq. Must run inside the transaction of the change it describes. */
  append(kind: string, entityId: string, payload: unknown, at: Date): number {
    const result = this.insert.run({ device_id: this.deviceId, kind, entity_id: entityId, payload_json: JSON.stringify(payload), created_at: at.toISOString() });
    return Number(result.lastInsertRowid);
  }

  read(afterSeq: number, limit: number): OutboxEvent[] {
    const rows = this.db.all(this.db.q.selectFrom('outbox').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit));
    return rows.map((row) => ({
      deviceId: row.device_id,
      seq: Number(row.seq),
      kind: row.kind,
      entityId: row.entity_id,
      payload: JSON.parse(row.payload_json) as unknown,
      createdAt: row.created_at,
    }));
  }

  lastSeq(): number {
    const row = this.db.get(this.db.q.selectFrom('outbox').select((eb) => eb.fn.max('seq').as('seq')));
    return Number(row?.seq ?? 0);
  }
}
