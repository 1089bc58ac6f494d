// Plays of restricted listening audio. Each play is granted by the station first (the limit holds
// across reloads and restarts) and each grant lets the recording's bytes leave the station once: a
// screen cannot fetch the audio again and again, nor before a play was granted. A play whose audio
// failed to start can be handed back under the rule of src-shared/rules/plays.ts: it keeps its row
// and number (returned_at set) and stops counting and letting the audio out.
import { StationError } from '../../../src-shared/errors.ts';
import { playReturn, playsCounted, type PlayRecord } from '../../../src-shared/rules/plays.ts';
import type { ExamContent } from '../../../src-shared/content/schema.ts';
import type { StationDatabase, Tx } from '../database.ts';
import type { Outbox } from './outbox.ts';

export interface Grant {
  stimulusId: string;
  play: number;
  playLimit: number;
  remaining: number;
}

export class Plays {
  private readonly db: StationDatabase;
  private readonly outbox: Outbox;

  constructor(db: StationDatabase, outbox: Outbox) {
    this.db = db;
    this.outbox = outbox;
  }

  private records(attemptId: string, stimulusId: string): PlayRecord[] {
    const rows = this.db.all(this.db.q.selectFrom('stimulus_plays').select(['play', 'granted_at', 'returned_at']).where('attempt_id', '=', attemptId).where('stimulus_id', '=', stimulusId));
    return rows.map((r) => ({ play: r.play, grantedAt: Date.parse(r.granted_at), returned: r.returned_at !== null }));
  }

  /** Grant the next play, or refuse beyond the limit. Its number is one above the highest, returned ones too. */
  grant(tx: Tx, attemptId: string, stimulusId: string, playLimit: number, now: Date): Grant {
    const plays = this.records(attemptId, stimulusId);
    const used = playsCounted(plays);
    if (used >= playLimit) throw new StationError('PLAY_LIMIT', `${used} of ${playLimit} plays used`);
    const play = Math.max(0, ...plays.map((p) => p.play)) + 1;
    this.db.run(this.db.q.insertInto('stimulus_plays').values({ attempt_id: attemptId, stimulus_id: stimulusId, play, granted_at: now.toISOString(), fetched_at: null, returned_at: null }));
    this.outbox.append(tx, 'audio.play', attemptId, { attemptId, stimulusId, play }, now);
    return { stimulusId, play, playLimit, remaining: playLimit - used - 1 };
  }

  /** Hand back `play` (its audio failed to start), or refuse PLAY_NOT_RETURNABLE; a resend is acknowledged again. */
  giveBack(tx: Tx, attemptId: string, stimulusId: string, play: number, playLimit: number, now: Date): Grant {
    const plays = this.records(attemptId, stimulusId);
    const decided = playReturn(plays, play, now.getTime());
    if (decided.verdict === 'refused') throw new StationError('PLAY_NOT_RETURNABLE', decided.why);
    if (decided.verdict === 'return') {
      const returnedAt = now.toISOString();
      this.db.run(this.db.q.updateTable('stimulus_plays').set({ returned_at: returnedAt }).where('attempt_id', '=', attemptId).where('stimulus_id', '=', stimulusId).where('play', '=', play));
      this.outbox.append(tx, 'audio.play.returned', attemptId, { attemptId, stimulusId, play, returnedAt }, now);
    }
    const used = playsCounted(plays) - (decided.verdict === 'return' ? 1 : 0);
    return { stimulusId, play, playLimit, remaining: Math.max(0, playLimit - used) };
  }

  /**
   * Let the audio at `path` out for one granted play of a stimulus that uses it, or refuse.
   */
  release(_tx: Tx, content: ExamContent, attemptId: string, path: string, now: Date): void {
    const stimulusIds = content.parts.flatMap((p) => p.tasks.flatMap((t) => t.stimuli.filter((s) => s.type === 'audio' && s.media === path).map((s) => s.id)));
    if (stimulusIds.length === 0) return;
    const unfetched = this.db.get(
      this.db.q
        .selectFrom('stimulus_plays')
        .select(['stimulus_id', 'play'])
        .where('attempt_id', '=', attemptId)
        .where('stimulus_id', 'in', stimulusIds)
        .where('fetched_at', 'is', null)
        .where('returned_at', 'is', null)
        .orderBy('granted_at')
        .limit(1),
    );
    if (!unfetched) throw new StationError('MEDIA_NOT_GRANTED', `${path}: no granted play is waiting for it`);
    this.db.run(
      this.db.q
        .updateTable('stimulus_plays')
        .set({ fetched_at: now.toISOString() })
        .where('attempt_id', '=', attemptId)
        .where('stimulus_id', '=', unfetched.stimulus_id)
        .where('play', '=', unfetched.play),
    );
  }

  /** Plays that count so far (granted, not handed back), by stimulus id. */
  counts(attemptId: string): Record<string, number> {
    const plays = this.db.all(
      this.db.q
        .selectFrom('stimulus_plays')
        .select(['stimulus_id', (eb) => eb.fn.countAll<number>().as('plays')])
        .where('attempt_id', '=', attemptId)
        .where('returned_at', 'is', null)
        .groupBy('stimulus_id'),
    );
    return Object.fromEntries(plays.map((p) => [p.stimulus_id, Number(p.plays)]));
  }
}
