// The purge of a session at a venue station (docs/sync.md): once the centre has confirmed every
// candidate's record, the station deletes the session's personal data, answers and audio, and says what
// it deleted as manifests (src-shared/contracts/deletion-certificate.ts): per kind, how many entries and
// the hash of their sorted list, built from the same fields the centre holds, so the agency can check
// them against its own rows. The manifests come from the station's stream (the events it pushed, its own
// and its seats'), which is what the centre materialised, and from the room's own tables. Everything is
// deleted in one transaction with whatever the caller writes in it (the deletion certificate), so a
// crash leaves either all of it or none of it.
import { deletionEntry, type DeletionItem, type DeletionKind } from '../../src-shared/contracts/deletion-certificate.ts';
import { deletionItem } from '../../src-shared/node/deletion-certificate.ts';
import type { StationDatabase } from './database.ts';

type Payload = Record<string, unknown>;

export interface PurgePlan {
  sessionId: string;
  candidateIds: string[];
  items: DeletionItem[];
  /** Stream seqs of the session's events (deleted with the rest). */
  eventSeqs: number[];
  attemptIds: string[];
  recordingIds: string[];
}

/**
 * Which session each event of the stream belongs to, read in stream order: an attempt's events by the
 * candidate who opened it, a recording's segments by the attempt that started it, an incident by the
 * session it names (else its attempt's). The one reading of ownership the purge and the sync client's
 * "is everything of this session at the centre" share.
 */
export class EventOwners {
  private readonly attempts = new Map<string, string>();
  private readonly recordings = new Map<string, string>();

  private readonly sessionOfCandidate: (candidateId: string) => string | null;

  constructor(sessionOfCandidate: (candidateId: string) => string | null) {
    this.sessionOfCandidate = sessionOfCandidate;
  }

  /** The session of this event, or null (an event of no session: a package, a seat, another venue's). Call in stream order. */
  sessionOf(kind: string, p: Payload): string | null {
    const attemptSession = typeof p.attemptId === 'string' ? (this.attempts.get(p.attemptId) ?? null) : null;
    switch (kind) {
      case 'attempt.opened': {
        const session = this.sessionOfCandidate(String(p.candidateId));
        if (session !== null) this.attempts.set(String(p.attemptId), session);
        return session;
      }
      case 'attendance.marked':
        return this.sessionOfCandidate(String(p.candidateId));
      case 'incident.recorded':
        return typeof p.sessionId === 'string' ? p.sessionId : attemptSession;
      case 'recording.segment':
        return this.recordings.get(String(p.recordingId)) ?? null;
      case 'recording.started':
        if (attemptSession !== null && !this.recordings.has(String(p.recordingId))) this.recordings.set(String(p.recordingId), attemptSession);
        return attemptSession;
      default:
        return attemptSession;
    }
  }
}

/** What deleting `sessionId` would remove, as manifests; nothing is changed. */
export function planPurge(db: StationDatabase, sessionId: string): PurgePlan {
  const candidateIds = db.all(db.q.selectFrom('candidates').select('candidate_id').where('session_id', '=', sessionId)).map((c) => c.candidate_id);
  const candidates = new Set(candidateIds);
  const owners = new EventOwners((candidateId) => (candidates.has(candidateId) ? sessionId : null));
  const attempts = new Set<string>();
  const recordings = new Map<string, string>();
  const recordingBytes = new Map<string, number>();
  const entries = new Map<DeletionKind, string[]>();
  const add = (kind: DeletionKind, entry: string) => (entries.get(kind) ?? entries.set(kind, []).get(kind)!).push(entry);
  const latest = new Map<string, number>();
  const attendance = new Map<string, string>();
  const revisions = new Set<string>();
  const eventSeqs: number[] = [];
  let segmentBytes = 0;
  const rows = db.all(db.q.selectFrom('outbox').select(['seq', 'device_id', 'origin_seq', 'kind', 'payload_json']).orderBy('seq'));
  for (const row of rows) {
    const p = JSON.parse(row.payload_json) as Payload;
    if (owners.sessionOf(row.kind, p) !== sessionId) continue;
    const attempt = typeof p.attemptId === 'string' ? p.attemptId : null;
    switch (row.kind) {
      case 'attempt.opened':
        attempts.add(String(p.attemptId));
        add('attempts', deletionEntry('attempts', { attemptId: String(p.attemptId) }));
        break;
      case 'attendance.marked':
        attendance.set(String(p.candidateId), String(p.status));
        break;
      case 'incident.recorded':
        add('incidents', deletionEntry('incidents', { incidentId: String(p.incidentId) }));
        break;
      case 'recording.segment':
        add('audio-segments', deletionEntry('audio-segments', { recordingId: String(p.recordingId), index: Number(p.index), sha256: String(p.sha256) }));
        segmentBytes += Number(p.bytes);
        break;
      case 'response.saved': {
        const key = `${String(attempt)} ${String(p.itemId)}`;
        latest.set(key, Math.max(latest.get(key) ?? 0, Number(p.revision)));
        const revision = deletionEntry('response-revisions', { attemptId: String(attempt), itemId: String(p.itemId), revision: Number(p.revision) });
        if (!revisions.has(revision)) {
          revisions.add(revision);
          add('response-revisions', revision);
        }
        break;
      }
      case 'recording.started':
        if (!recordings.has(String(p.recordingId))) recordings.set(String(p.recordingId), '-');
        break;
      case 'recording.closed':
        recordings.set(String(p.recordingId), String(p.sha256));
        recordingBytes.set(String(p.recordingId), Number(p.bytes));
        break;
      case 'timer.event':
        add('timer-events', deletionEntry('timer-events', { attemptId: String(attempt), eventId: Number(p.eventId) }));
        break;
      case 'audio.play':
        add('audio-plays', deletionEntry('audio-plays', { attemptId: String(attempt), stimulusId: String(p.stimulusId), play: Number(p.play) }));
        break;
    }
    eventSeqs.push(Number(row.seq));
    add('events', deletionEntry('events', { originDeviceId: row.device_id, originSeq: Number(row.origin_seq ?? row.seq) }));
  }
  for (const [key, revision] of latest) {
    const [attemptId, itemId] = key.split(' ') as [string, string];
    add('responses', deletionEntry('responses', { attemptId, itemId, revision }));
  }
  for (const [candidateId, status] of attendance) add('attendance', deletionEntry('attendance', { candidateId, status }));
  for (const [recordingId, sha256] of recordings) add('recordings', deletionEntry('recordings', { recordingId, sha256 }));
  for (const candidateId of candidateIds) add('candidates', deletionEntry('candidates', { candidateId }));
  const ids = candidateIds.length > 0 ? candidateIds : ['\u0000'];
  for (const c of db.all(db.q.selectFrom('check_ins').select('candidate_id').where('candidate_id', 'in', ids))) add('check-ins', deletionEntry('check-ins', { candidateId: c.candidate_id }));
  for (const a of db.all(db.q.selectFrom('room_assignments').select('assignment_id').where('candidate_id', 'in', ids))) add('seat-assignments', deletionEntry('seat-assignments', { assignmentId: a.assignment_id }));
  for (const m of db.all(db.q.selectFrom('room_moves').select('move_id').where('candidate_id', 'in', ids))) add('moves', deletionEntry('moves', { moveId: m.move_id }));
  for (const l of db.all(db.q.selectFrom('room_lost_time').select('proposal_id').where('candidate_id', 'in', ids))) add('lost-time', deletionEntry('lost-time', { proposalId: l.proposal_id }));
  const audioBytes = [...recordingBytes.values()].reduce((n, b) => n + b, 0);
  const items = (Object.keys(KIND_ORDER) as DeletionKind[]).map((kind) =>
    deletionItem(kind, entries.get(kind) ?? [], kind === 'recordings' ? audioBytes : kind === 'audio-segments' ? segmentBytes : undefined),
  );
  return { sessionId, candidateIds, items, eventSeqs, attemptIds: [...attempts], recordingIds: [...recordings.keys()] };
}

/** The kinds in the order a certificate lists them. */
const KIND_ORDER: Record<DeletionKind, true> = {
  candidates: true,
  'check-ins': true,
  attendance: true,
  'seat-assignments': true,
  attempts: true,
  responses: true,
  'response-revisions': true,
  recordings: true,
  'audio-segments': true,
  'timer-events': true,
  'audio-plays': true,
  incidents: true,
  moves: true,
  'lost-time': true,
  events: true,
};

/**
 * Delete what `plan` names. Must run inside the caller's transaction (with the certificate it writes).
 * The stream's seq floor is kept first, so seqs handed out later still only grow.
 */
export function carryOutPurge(db: StationDatabase, plan: PurgePlan, lastSeq: number): void {
  const none = ['\u0000'];
  const candidates = plan.candidateIds.length > 0 ? plan.candidateIds : none;
  const attempts = plan.attemptIds.length > 0 ? plan.attemptIds : none;
  const recordings = plan.recordingIds.length > 0 ? plan.recordingIds : none;
  db.run(db.q.insertInto('meta').values({ key: 'outbox_seq_floor', value: String(lastSeq) }).onConflict((oc) => oc.column('key').doUpdateSet({ value: String(lastSeq) })));
  // Commands of the room that carried a candidate's roster row or attempt (assign, authorise, move ...).
  const named = new Set([...plan.candidateIds, ...plan.attemptIds]);
  const kept = new Set(db.all(db.q.selectFrom('room_seals').select('cmd_id')).map((r) => r.cmd_id));
  const commands = db
    .all(db.q.selectFrom('room_commands').select(['cmd_id', 'target_ref', 'command_json']))
    .filter((c) => !kept.has(c.cmd_id) && (named.has(c.target_ref ?? '') || [...named].some((id) => c.command_json.includes(`"${id}"`))))
    .map((c) => c.cmd_id);
  db.run(db.q.deleteFrom('room_lost_time').where('candidate_id', 'in', candidates));
  db.run(db.q.deleteFrom('room_late_events').where('move_id', 'in', db.q.selectFrom('room_moves').select('move_id').where('candidate_id', 'in', candidates)));
  db.run(db.q.deleteFrom('room_moves').where('candidate_id', 'in', candidates));
  for (let i = 0; i < commands.length; i += 500) {
    const batch = commands.slice(i, i + 500);
    db.run(db.q.deleteFrom('room_command_results').where('cmd_id', 'in', batch));
    db.run(db.q.deleteFrom('room_key_releases').where('cmd_id', 'in', batch));
    db.run(db.q.deleteFrom('room_commands').where('cmd_id', 'in', batch));
  }
  db.run(db.q.deleteFrom('recording_segments').where('recording_id', 'in', recordings));
  db.run(db.q.deleteFrom('seat_audio').where('recording_id', 'in', recordings));
  db.run(db.q.deleteFrom('central_uploads').where('recording_id', 'in', recordings));
  db.run(db.q.deleteFrom('seat_handed_over_recordings').where('recording_id', 'in', recordings));
  db.run(db.q.deleteFrom('recordings').where('recording_id', 'in', recordings));
  db.run(db.q.deleteFrom('response_revisions').where('attempt_id', 'in', attempts));
  db.run(db.q.deleteFrom('timer_events').where('attempt_id', 'in', attempts));
  db.run(db.q.deleteFrom('stimulus_plays').where('attempt_id', 'in', attempts));
  db.run(db.q.deleteFrom('incidents').where((eb) => eb.or([eb('session_id', '=', plan.sessionId), eb('attempt_id', 'in', attempts)])));
  db.run(db.q.deleteFrom('seat_moved_out').where('attempt_id', 'in', attempts));
  db.run(db.q.deleteFrom('seat_hand_overs').where('attempt_id', 'in', attempts));
  db.run(db.q.deleteFrom('seat_assignment').where('candidate_id', 'in', candidates));
  db.run(db.q.deleteFrom('room_assignments').where('candidate_id', 'in', candidates));
  db.run(db.q.deleteFrom('check_ins').where('candidate_id', 'in', candidates));
  db.run(db.q.deleteFrom('central_receipts').where('candidate_id', 'in', candidates));
  db.run(db.q.deleteFrom('attempts').where('attempt_id', 'in', attempts));
  for (let i = 0; i < plan.eventSeqs.length; i += 500) db.run(db.q.deleteFrom('outbox').where('seq', 'in', plan.eventSeqs.slice(i, i + 500)));
  db.run(db.q.deleteFrom('candidates').where('candidate_id', 'in', candidates));
}
