// Schema version 3: what binds a candidate's screen to the attempt and keeps limits honest.
// - attempts.candidate_token_sha256: the hash of the secret handed to the one screen the invigilator
//   opened the attempt for; knowing an attempt id alone no longer lets anyone act as the candidate.
// - recordings.interruption: why the station closed a take the candidate did not finish. A take cut
//   off by a station restart never counts against the takes a task allows; the first one cut off by
//   the seat (a reload) on an item does not either; further ones do, so starting takes and never
//   finishing them cannot hand out unlimited fresh ones.
// - stimulus_plays.fetched_at: listening audio leaves the station once per granted play.
import type { Migration } from './index.ts';

export const migration0003: Migration = {
  version: 3,
  name: 'candidate screens',
  up(db) {
    db.exec(`
      ALTER TABLE attempts ADD COLUMN candidate_token_sha256 TEXT;
      ALTER TABLE recordings ADD COLUMN interruption TEXT CHECK (interruption IN ('station-restart', 'seat-restart', 'submitted'));
      UPDATE recordings SET interruption = 'station-restart' WHERE interrupted = 1;
      ALTER TABLE stimulus_plays ADD COLUMN fetched_at TEXT;
      UPDATE stimulus_plays SET fetched_at = granted_at;
    `);
  },
};
