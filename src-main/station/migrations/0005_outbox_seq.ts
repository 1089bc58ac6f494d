// Schema version 5: the outbox numbers its events itself. With AUTOINCREMENT every save also rewrote
// SQLite's sequence table, one more page in each durable commit, and the most frequent one. The
// station is the outbox's only writer, so it hands out seq from memory; the highest seq ever handed
// out is kept in meta ('outbox_seq_floor') for when old events are pruned, so seq still only grows.
import type { Migration } from './index.ts';

export const migration0005: Migration = {
  version: 5,
  name: 'outbox seq',
  up(db) {
    db.exec(`
      CREATE TABLE outbox_v5 (
        seq INTEGER PRIMARY KEY,
        device_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
      INSERT INTO outbox_v5 (seq, device_id, kind, entity_id, payload_json, created_at) SELECT seq, device_id, kind, entity_id, payload_json, created_at FROM outbox;
      INSERT INTO meta (key, value)
        SELECT 'outbox_seq_floor', CAST(max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), 0), coalesce((SELECT max(seq) FROM outbox), 0)) AS TEXT)
        WHERE true ON CONFLICT (key) DO UPDATE SET value = excluded.value;
      DROP TABLE outbox;
      ALTER TABLE outbox_v5 RENAME TO outbox;
    `);
  },
};
