// A moved candidate's attempt rebuilt on the seat they move to, from the hand-over (src-shared/contracts/
// hand-over.ts): the attempt, every revision of every answer, the timers' events, the takes with the
// audio the hub holds, the listening plays used. The rows are written as the events say, and no event
// is written for them: they are the other seats' events, which the hub holds already, so this seat
// pushes only what it writes from here on, under its own device id and seq. Runs inside the caller's
// transaction; the caller closes takes left open and sees to the timers, the seat and the start gate.
import { createHash } from 'node:crypto';
import { EVENT_PAYLOADS, type EventEnvelope, type EventKind, type EventPayload } from '../../../src-shared/contracts/events.ts';
import type { HandOver } from '../../../src-shared/contracts/hand-over.ts';
import { RoomCommand } from '../../../src-shared/contracts/room-protocol.ts';
import { StationError } from '../../../src-shared/errors.ts';
import type { StationDatabase, Tx } from '../database.ts';

export interface RebuiltAttempt {
  /** Takes that were still open when the candidate left the old seat. */
  openTakes: string[];
  events: number;
  segments: number;
}

const invalid = (detail: string) => new StationError('HANDOVER_INVALID', detail);

/** The payload of an event of one of these kinds, checked against the contract. */
function payloadOf<K extends EventKind>(event: EventEnvelope, kind: K): EventPayload<K> {
  const parsed = EVENT_PAYLOADS[kind].safeParse(event.payload);
  if (!parsed.success) throw invalid(`event ${event.origin.deviceId}/${event.origin.seq} (${kind}) is outside the contract`);
  return parsed.data as EventPayload<K>;
}

export function rebuildHandedOver(db: StationDatabase, _tx: Tx, handOver: HandOver, appliedAt: Date): RebuiltAttempt {
  const { attemptId, candidate, session } = handOver;
  if (db.get(db.q.selectFrom('attempts').select('attempt_id').where('attempt_id', '=', attemptId))) throw new StationError('MOVE_TARGET_FORMER_SEAT', `attempt ${attemptId} is on this seat already`);
  if (db.get(db.q.selectFrom('attempts').select('attempt_id').where('status', '=', 'open').where('attempt_id', 'not in', (eb) => eb.selectFrom('seat_moved_out').select('attempt_id')))) {
    throw new StationError('SEAT_OCCUPIED', 'another attempt is open on this seat');
  }
  if (!db.get(db.q.selectFrom('packages').select('package_id').where('package_id', '=', handOver.packageId))) throw new StationError('NOT_FOUND', `package ${handOver.packageId} is not on this seat`);

  // The candidate as the roster has them (a seat knows only the candidates seated at it).
  db.run(
    db.q
      .insertInto('sessions')
      .values({ session_id: session.sessionId, exam_id: session.examId, venue_code: session.venueCode, venue_name: session.venueName, room: session.room, starts_at: session.startsAt, ends_at: session.endsAt })
      .onConflict((oc) => oc.column('session_id').doNothing()),
  );
  db.run(
    db.q
      .insertInto('candidates')
      .values({
        candidate_id: candidate.candidateId,
        session_id: candidate.sessionId,
        given_name: candidate.givenName,
        family_name: candidate.familyName,
        personal_code: candidate.maskedPersonalCode,
        birth_date: candidate.birthDate,
        level: candidate.level,
        accommodation: candidate.accommodation,
        accommodation_doc_no: candidate.accommodationDocNo,
        accommodation_doc_date: candidate.accommodationDocDate,
      })
      .onConflict((oc) => oc.column('candidate_id').doNothing()),
  );

  const audio = new Map(handOver.segments.map((s) => [`${s.recordingId}/${s.index}`, s]));
  // Timer events keep their order; their local numbers are chosen so that every event this seat adds
  // later has a number above all the attempt's earlier ones (the contract's eventId is unique per attempt).
  const timerEvents = handOver.events.filter((e) => e.kind === 'timer.event');
  const localMax = Number(db.get(db.q.selectFrom('timer_events').select((eb) => eb.fn.max('event_id').as('m')))?.m ?? 0);
  const handedMax = Math.max(0, ...timerEvents.map((e) => payloadOf(e, 'timer.event').eventId));
  let nextTimerId = Math.max(localMax, handedMax - timerEvents.length) + 1;
  /** Per take: how many segments are stored here in a row from the first (audio the hub lacked ends it). */
  const stored = new Map<string, { count: number; bytes: number; durationMs: number; complete: boolean }>();
  let opened = false;
  let segments = 0;
  for (const event of handOver.events) {
    if (event.kind !== 'attempt.opened' && !opened) throw invalid('the hand-over does not begin with the attempt');
    switch (event.kind) {
      case 'attempt.opened': {
        const p = payloadOf(event, 'attempt.opened');
        if (p.attemptId !== attemptId || p.candidateId !== candidate.candidateId || p.packageId !== handOver.packageId) throw invalid('the attempt opened is not the one handed over');
        db.run(
          db.q.insertInto('attempts').values({ attempt_id: attemptId, candidate_id: p.candidateId, package_id: p.packageId, status: 'open', opened_at: p.openedAt, current_part_id: null, current_item_id: null, candidate_token_sha256: null }),
        );
        opened = true;
        break;
      }
      case 'attempt.submitted':
        throw invalid('the attempt was submitted: there is nothing to resume');
      case 'response.saved': {
        const p = payloadOf(event, 'response.saved');
        // Not this seat's save: no screen of this seat ever sent its clientSaveId, and it has no seq here (0).
        db.run(
          db.q
            .insertInto('response_revisions')
            .values({ attempt_id: attemptId, item_id: p.itemId, revision: p.revision, value_json: JSON.stringify(p.value), saved_at: p.savedAt, client_save_id: `handed-over:${event.origin.deviceId}:${event.origin.seq}`, seq: 0 })
            .onConflict((oc) => oc.doNothing()),
        );
        break;
      }
      case 'recording.started': {
        const p = payloadOf(event, 'recording.started');
        db.run(
          db.q.insertInto('recordings').values({
            recording_id: p.recordingId,
            attempt_id: attemptId,
            item_id: p.itemId,
            take: p.take,
            mime_type: p.mimeType,
            started_at: event.createdAt,
            closed_at: null,
            segment_count: 0,
            total_bytes: 0,
            duration_ms: 0,
            sha256: null,
            interruption: null,
          }),
        );
        db.run(db.q.insertInto('seat_handed_over_recordings').values({ recording_id: p.recordingId, move_id: handOver.moveId }));
        stored.set(p.recordingId, { count: 0, bytes: 0, durationMs: 0, complete: true });
        break;
      }
      case 'recording.segment': {
        const p = payloadOf(event, 'recording.segment');
        const take = stored.get(p.recordingId);
        if (!take) throw invalid(`segment ${p.index} of a take the hand-over does not start`);
        const bytes = audio.get(`${p.recordingId}/${p.index}`);
        if (!take.complete || !bytes || p.index !== take.count) {
          take.complete = false;
          break;
        }
        const data = Buffer.from(bytes.data, 'base64');
        if (createHash('sha256').update(data).digest('hex') !== p.sha256 || bytes.sha256 !== p.sha256 || data.length !== p.bytes) throw invalid(`segment ${p.index} of ${p.recordingId} is not the audio its event names`);
        db.run(db.q.insertInto('recording_segments').values({ recording_id: p.recordingId, idx: p.index, data, sha256: p.sha256, duration_ms: p.durationMs, received_at: event.createdAt }));
        take.count += 1;
        take.bytes += data.length;
        take.durationMs += p.durationMs;
        db.run(db.q.updateTable('recordings').set({ segment_count: take.count, total_bytes: take.bytes, duration_ms: take.durationMs }).where('recording_id', '=', p.recordingId));
        segments += 1;
        break;
      }
      case 'recording.closed': {
        const p = payloadOf(event, 'recording.closed');
        if (!stored.has(p.recordingId)) throw invalid(`a take the hand-over does not start was closed: ${p.recordingId}`);
        // As the candidate saw it closed: its length and hash are the old seat's, whatever audio came along.
        db.run(
          db.q
            .updateTable('recordings')
            .set({ closed_at: event.createdAt, sha256: p.sha256, interrupted: p.interrupted ? 1 : 0, interruption: p.interruption, segment_count: p.segmentCount, total_bytes: p.bytes, duration_ms: p.durationMs })
            .where('recording_id', '=', p.recordingId),
        );
        break;
      }
      case 'timer.event': {
        const p = payloadOf(event, 'timer.event');
        db.run(db.q.insertInto('timer_events').values({ event_id: nextTimerId, attempt_id: attemptId, part_id: p.partId, kind: p.kind, at: p.at, amount_ms: p.amountMs, reason: p.reason }));
        nextTimerId += 1;
        break;
      }
      case 'audio.play': {
        const p = payloadOf(event, 'audio.play');
        // The old seat let the audio out for this play already: it is used, and not let out again here.
        db.run(
          db.q
            .insertInto('stimulus_plays')
            .values({ attempt_id: attemptId, stimulus_id: p.stimulusId, play: p.play, granted_at: event.createdAt, fetched_at: event.createdAt, returned_at: null })
            .onConflict((oc) => oc.doNothing()),
        );
        break;
      }
      case 'audio.play.returned': {
        const p = payloadOf(event, 'audio.play.returned');
        db.run(db.q.updateTable('stimulus_plays').set({ returned_at: p.returnedAt }).where('attempt_id', '=', attemptId).where('stimulus_id', '=', p.stimulusId).where('play', '=', p.play));
        break;
      }
      default:
        // Incidents and attendance are the room's record, kept at the hub; they are not the attempt's state.
        break;
    }
  }
  if (!opened) throw invalid('the hand-over has no attempt');
  db.run(
    db.q
      .insertInto('seat_hand_overs')
      .values({ move_id: handOver.moveId, attempt_id: attemptId, from_device: handOver.from.deviceId, events: handOver.events.length, segments, applied_at: appliedAt.toISOString(), paused_parts: '[]', resumed_at: null }),
  );
  const openTakes = db.all(db.q.selectFrom('recordings').select('recording_id').where('attempt_id', '=', attemptId).where('closed_at', 'is', null).orderBy('started_at')).map((r) => r.recording_id);
  return { openTakes, events: handOver.events.length, segments };
}

/**
 * When the room's start let the moved candidate through, as far as this seat can tell once the hand-over's
 * settled commands are in its own (`seat_commands`): the first part they began at a seat before (the gate
 * was open for them there), or a start for them, or the room's start while their attempt was open (the
 * one the old seat carried out, or the one this seat carried out itself). Null: no start has come for
 * them yet, and they wait for the room's or their own like any candidate.
 */
export function startOfHandedOver(db: StationDatabase, _tx: Tx, handOver: HandOver): number | null {
  const opened = handOver.events.find((e) => e.kind === 'attempt.opened');
  const openedAt = opened ? Date.parse(payloadOf(opened, 'attempt.opened').openedAt) : Number.POSITIVE_INFINITY;
  const begun = handOver.events.filter((e) => e.kind === 'timer.event').map((e) => payloadOf(e, 'timer.event')).filter((p) => p.kind === 'start').map((p) => p.at);
  const started = db
    .all(db.q.selectFrom('seat_commands').select('command_json').where('status', '=', 'applied'))
    .map((r) => RoomCommand.parse(JSON.parse(r.command_json)))
    .filter((c) => c.type === 'start' && (c.target.kind === 'candidate' ? c.target.candidateId === handOver.candidate.candidateId : c.target.kind === 'room' && c.effectiveAt >= openedAt))
    .map((c) => c.effectiveAt);
  const all = [...begun, ...started];
  return all.length > 0 ? Math.min(...all) : null;
}
