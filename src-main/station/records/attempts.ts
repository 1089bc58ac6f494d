// Attempts: one candidate sitting one package. Opening an attempt that already exists resumes it, so a
// reload, a restart or a machine swap brings the candidate back to the same place with the same answers.
import { randomUUID } from 'node:crypto';
import { StationError } from '../../../src-shared/errors.ts';
import { parseAccommodations } from '../../../src-shared/rules/accommodations.ts';
import { isAnswered, type ResponseValue } from '../../../src-shared/content/responses.ts';
import type { ExamContent } from '../../../src-shared/content/schema.ts';
import type { AttemptView, CandidateView } from '../../../src-shared/contracts/station-api.ts';
import { newCandidateToken, tokenMatches } from '../screens.ts';
import { toCandidateView } from './roster.ts';
import type { PreparedQuery, StationDatabase, Tx } from '../database.ts';
import type { AttemptStatus } from '../tables.ts';
import type { Outbox } from './outbox.ts';
import type { Timers } from './timers.ts';

interface AttemptFacts {
  packageId: string;
  status: AttemptStatus;
  /** The hash of the candidate token of the screen the attempt is open on. */
  tokenSha256: string | null;
  /** The room command that moved the candidate to another seat: nothing new is written here for the attempt. */
  movedOut: string | null;
}

export class Attempts {
  private readonly db: StationDatabase;
  private readonly outbox: Outbox;
  private readonly timers: Timers;
  /** Package and status of each attempt seen; the station is their only writer. */
  private readonly memory = new Map<string, AttemptFacts>();
  private readonly select: PreparedQuery<{ attemptId: string }, AttemptFacts>;

  constructor(db: StationDatabase, outbox: Outbox, timers: Timers) {
    this.db = db;
    this.outbox = outbox;
    this.timers = timers;
    this.select = db.prepared<{ attemptId: string }, AttemptFacts>((p) =>
      db.q
        .selectFrom('attempts')
        .leftJoin('seat_moved_out', 'seat_moved_out.attempt_id', 'attempts.attempt_id')
        .select(['attempts.package_id as packageId', 'attempts.status', 'attempts.candidate_token_sha256 as tokenSha256', 'seat_moved_out.cmd_id as movedOut'])
        .where('attempts.attempt_id', '=', p.attemptId),
    );
  }

  forget(): void {
    this.memory.clear();
  }

  facts(attemptId: string): AttemptFacts {
    let facts = this.memory.get(attemptId);
    if (!facts) {
      facts = this.select.get({ attemptId });
      if (!facts) throw new StationError('NOT_FOUND', `attempt ${attemptId}`);
      this.memory.set(attemptId, facts);
    }
    return facts;
  }

  /** The attempt, if `token` is the one its screen was given; refuses anyone else. */
  requireToken(attemptId: string, token: string): AttemptFacts {
    const facts = this.facts(attemptId);
    if (!tokenMatches(token, facts.tokenSha256)) throw new StationError('CANDIDATE_TOKEN_WRONG', `attempt ${attemptId}`);
    return facts;
  }

  /** A new candidate token for the screen the attempt is (re)opened on; the earlier one stops working. */
  issueToken(_tx: Tx, attemptId: string): string {
    const facts = this.facts(attemptId);
    const { token, sha256 } = newCandidateToken();
    this.db.run(this.db.q.updateTable('attempts').set({ candidate_token_sha256: sha256 }).where('attempt_id', '=', attemptId));
    this.memory.set(attemptId, { ...facts, tokenSha256: sha256 });
    return token;
  }

  /** No screen may act for the candidate any more until the attempt is opened again (issueToken). */
  endToken(_tx: Tx, attemptId: string): void {
    const facts = this.facts(attemptId);
    this.db.run(this.db.q.updateTable('attempts').set({ candidate_token_sha256: null }).where('attempt_id', '=', attemptId));
    this.memory.set(attemptId, { ...facts, tokenSha256: null });
  }

  requireOpen(attemptId: string): AttemptFacts {
    const facts = this.facts(attemptId);
    if (facts.movedOut) throw new StationError('ATTEMPT_MOVED', `attempt ${attemptId} was moved to another seat`);
    if (facts.status !== 'open') throw new StationError('ATTEMPT_CLOSED', `attempt ${attemptId} is ${facts.status}`);
    return facts;
  }

  open(tx: Tx, candidateId: string, packageId: string, now: Date): string {
    const candidate = this.db.get(this.db.q.selectFrom('candidates').select(['candidate_id', 'attendance']).where('candidate_id', '=', candidateId));
    if (!candidate) throw new StationError('NOT_FOUND', `candidate ${candidateId}`);
    if (candidate.attendance === 'removed') throw new StationError('ATTEMPT_CLOSED', `candidate ${candidateId} was removed from the session`);
    const existing = this.db.get(
      this.db.q.selectFrom('attempts').select('attempt_id').where('candidate_id', '=', candidateId).where('package_id', '=', packageId).where('status', '=', 'open'),
    );
    if (existing) {
      // The candidate was moved to another seat: the attempt goes on there, not here.
      if (this.facts(existing.attempt_id).movedOut) throw new StationError('ATTEMPT_MOVED', `attempt ${existing.attempt_id} was moved to another seat`);
      return existing.attempt_id;
    }
    const attemptId = randomUUID();
    const openedAt = now.toISOString();
    this.db.run(
      this.db.q.insertInto('attempts').values({
        attempt_id: attemptId,
        candidate_id: candidateId,
        package_id: packageId,
        status: 'open',
        opened_at: openedAt,
        current_part_id: null,
        current_item_id: null,
        candidate_token_sha256: null,
      }),
    );
    this.outbox.append(tx, 'attempt.opened', attemptId, { attemptId, candidateId, packageId, openedAt }, now);
    return attemptId;
  }

  /** The attempts open here: not submitted, not voided, and their candidate not moved to another seat. */
  openIds(): { attemptId: string; packageId: string }[] {
    return this.db.all(
      this.db.q
        .selectFrom('attempts')
        .select(['attempt_id as attemptId', 'package_id as packageId'])
        .where('status', '=', 'open')
        .where('attempt_id', 'not in', (eb) => eb.selectFrom('seat_moved_out').select('attempt_id')),
    );
  }

  /** The attempts whose candidate was moved to another seat from here. */
  movedOutIds(): string[] {
    return this.db.all(this.db.q.selectFrom('seat_moved_out').select('attempt_id')).map((r) => r.attempt_id);
  }

  /**
   * The candidate was moved to another seat (the room's move-out): the attempt stays as it was, with its
   * screen's token, so that screen can be told; nothing new is written for it here.
   */
  markMovedOut(_tx: Tx, attemptId: string, cmdId: string, at: number): void {
    const facts = this.facts(attemptId);
    this.db.run(this.db.q.insertInto('seat_moved_out').values({ attempt_id: attemptId, cmd_id: cmdId, moved_at: at }).onConflict((oc) => oc.column('attempt_id').doNothing()));
    this.memory.set(attemptId, { ...facts, movedOut: facts.movedOut ?? cmdId });
  }

  isOpen(attemptId: string): boolean {
    const facts = this.memory.get(attemptId) ?? this.select.get({ attemptId });
    return facts?.status === 'open' && !facts.movedOut;
  }

  /** The candidate of an attempt, as they see themself: the personal code masked. */
  candidate(attemptId: string): CandidateView {
    const row = this.db.get(
      this.db.q.selectFrom('attempts').innerJoin('candidates', 'candidates.candidate_id', 'attempts.candidate_id').selectAll('candidates').where('attempts.attempt_id', '=', attemptId),
    );
    if (!row) throw new StationError('NOT_FOUND', `attempt ${attemptId}`);
    return toCandidateView(row);
  }

  /** The accommodation registered for the attempt's candidate, with the document that grants it. */
  accommodation(attemptId: string): { text: string | null; docNo: string | null; docDate: string | null } {
    const row = this.db.get(
      this.db.q
        .selectFrom('attempts')
        .innerJoin('candidates', 'candidates.candidate_id', 'attempts.candidate_id')
        .select(['candidates.accommodation', 'candidates.accommodation_doc_no', 'candidates.accommodation_doc_date'])
        .where('attempts.attempt_id', '=', attemptId),
    );
    return { text: row?.accommodation ?? null, docNo: row?.accommodation_doc_no ?? null, docDate: row?.accommodation_doc_date ?? null };
  }

  /** Submit the whole test: every part must have ended. A second call changes nothing. */
  finish(tx: Tx, content: ExamContent, attemptId: string, now: Date): void {
    const facts = this.facts(attemptId);
    if (facts.status === 'submitted') return;
    this.requireOpen(attemptId);
    const unfinished = content.parts.filter((part) => this.timers.state(attemptId, part, now.getTime()).status !== 'ended');
    if (unfinished.length > 0) throw new StationError('ATTEMPT_UNFINISHED', unfinished.map((p) => p.id).join(', '));
    this.db.run(this.db.q.updateTable('attempts').set({ status: 'submitted' }).where('attempt_id', '=', attemptId));
    this.outbox.append(tx, 'attempt.submitted', attemptId, { attemptId, submittedAt: now.toISOString() }, now);
    this.memory.set(attemptId, { ...facts, status: 'submitted' });
  }

  setPosition(_tx: Tx, attemptId: string, partId: string, itemId: string | null): void {
    this.requireOpen(attemptId);
    this.db.run(this.db.q.updateTable('attempts').set({ current_part_id: partId, current_item_id: itemId }).where('attempt_id', '=', attemptId));
  }

  view(content: ExamContent, attemptId: string, now: Date, audioPlays: Record<string, number>): AttemptView {
    const row = this.db.get(this.db.q.selectFrom('attempts').selectAll().where('attempt_id', '=', attemptId));
    if (!row) throw new StationError('NOT_FOUND', `attempt ${attemptId}`);
    const responses = this.db.all(
      this.db.q
        .selectFrom('response_revisions as r')
        .select(['r.item_id', 'r.revision', 'r.value_json', 'r.saved_at'])
        .where('r.attempt_id', '=', attemptId)
        .where('r.revision', '=', (eb) =>
          eb.selectFrom('response_revisions as latest').select((e) => e.fn.max('latest.revision').as('m')).whereRef('latest.attempt_id', '=', 'r.attempt_id').whereRef('latest.item_id', '=', 'r.item_id'),
        )
        .orderBy('r.item_id'),
    );
    const recordings = this.db.all(this.db.q.selectFrom('recordings').selectAll().where('attempt_id', '=', attemptId).orderBy('item_id').orderBy('take'));
    const latest = new Map(responses.map((r) => [r.item_id, JSON.parse(r.value_json) as ResponseValue]));
    return {
      attemptId: row.attempt_id,
      candidateId: row.candidate_id,
      packageId: row.package_id,
      status: row.status,
      openedAt: row.opened_at,
      position: { partId: row.current_part_id, itemId: row.current_item_id },
      extraTimePercent: parseAccommodations(this.accommodation(attemptId).text).extraTimePercent,
      responses: responses.map((r) => ({ itemId: r.item_id, revision: r.revision, value: latest.get(r.item_id)!, savedAt: r.saved_at })),
      parts: content.parts.map((part) => {
        const timer = this.timers.state(attemptId, part, now.getTime());
        const items = part.tasks.flatMap((t) => t.items);
        return { partId: part.id, title: part.title, timer, submitted: timer.status === 'ended', items: items.length, answered: items.filter((i) => isAnswered(i, latest.get(i.id))).length };
      }),
      audioPlays,
      recordings: recordings.map((r) => ({
        recordingId: r.recording_id,
        itemId: r.item_id,
        take: r.take,
        segmentCount: r.segment_count,
        durationMs: r.duration_ms,
        closed: r.closed_at !== null,
        interrupted: r.interrupted === 1,
        interruption: r.interruption,
        sha256: r.sha256,
      })),
    };
  }
}
