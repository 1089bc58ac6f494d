// The outbox: the events that describe every change a station makes, numbered (device_id, seq).
// Appended only inside the transaction of the change it describes.
import type { OutboxEvent } from '../../../src-shared/station-api.ts';
import type { StationDatabase } from '../database.ts';

export function appendEvent(db: StationDatabase, deviceId: string, kind: string, entityId: string, payload: unknown, at: Date): number {
  const result = db.run(
    db.q.insertInto('outbox').values({ device_id: deviceId, kind, entity_id: entityId, payload_json: JSON.stringify(payload), created_at: at.toISOString() }),
  );
  return Number(result.lastInsertRowid);
}

export function readOutbox(db: StationDatabase, afterSeq: number, limit: number): OutboxEvent[] {
  const rows = db.all(db.q.selectFrom('outbox').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit));
  return rows.map((row) => ({
    deviceId: row.device_id,
    seq: Number(row.seq),
    kind: row.kind,
    entityId: row.entity_id,
    payload: JSON.parse(row.payload_json) as unknown,
    createdAt: row.created_at,
  }));
}

export function lastSeq(db: StationDatabase): number {
  const row = db.get(db.q.selectFrom('outbox').select((eb) => eb.fn.max('seq').as('seq')));
  return Number(row?.seq ?? 0);
}
