// Schema version 10: a granted play of listening audio can be handed back (returnAudioPlay) when its
// audio failed to start; stimulus_plays.returned_at says when. A returned play keeps its row and its
// number (the next grant takes the next number, so numbers stay unique at the centre too), and no
// longer counts against the limit nor lets the audio out. Plays granted before are plays that count.
import type { Migration } from './index.ts';

export const migration0010: Migration = {
  version: 10,
  name: 'play returns',
  up(db) {
    db.exec('ALTER TABLE stimulus_plays ADD COLUMN returned_at TEXT;');
  },
};
