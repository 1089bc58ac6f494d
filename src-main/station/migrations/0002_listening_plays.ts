// Schema version 2: the play count of restricted listening audio, kept by the station so that a
// reload or a restart does not give the candidate extra plays.
import type { Migration } from './index.ts';

export const migration0002: Migration = {
  version: 2,
  name: 'listening plays',
  up(db) {
    db.exec(`
      CREATE TABLE stimulus_plays (
        attempt_id TEXT NOT NULL REFERENCES attempts(attempt_id),
        stimulus_id TEXT NOT NULL,
        play INTEGER NOT NULL,
        granted_at TEXT NOT NULL,
        PRIMARY KEY (attempt_id, stimulus_id, play)
      ) STRICT;
    `);
  },
};
