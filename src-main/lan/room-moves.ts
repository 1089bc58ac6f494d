// Moving a candidate to a spare seat mid-part, at the hub (docs/room.md, "Moving a candidate"). The
// invigilator moves the candidate; the hub, in one transaction, keeps the move with the old seat's
// watermark at that moment (`through`), records it as an incident of the session, moves the candidate's
// seat-plan row to the new seat (the roster shows them there; the old seat is free) and stores the old
// seat's move-out command (carried out whenever that seat is back). Then it sends the new seat the
// hand-over: every event of the attempt the hub holds (the old seat's as far as `through`, and those of
// any seat before it) with the takes' audio and the candidate's authorisation, until the new seat says it
// took it, and again each time that seat says hello while it has not. A refused hand-over puts the
// seat-plan row back at the old seat.
//
// Late events: whatever the old seat pushes about the attempt beyond `through` (it was cut off and comes
// back) is stored exactly once like every event and flagged late-after-move. The rule of which answer
// counts, precisely: for each item of the attempt, the answer is the highest revision among the events
// that are not flagged; a flagged revision never counts, whatever its number or time, even when both
// seats saved "revision 3" of one item. The new seat continues the revisions it was handed, so its
// saves are always above the ones the hub acknowledged from the old seat. What the candidate did on
// the old seat after the hub's last acknowledgement is kept as evidence for the invigilator, shown
// with the move, and not scored as their answer.
import { createHash, randomUUID } from 'node:crypto';
import { HandOver, type HandOverCandidate } from '../../src-shared/contracts/hand-over.ts';
import type { EventEnvelope } from '../../src-shared/contracts/events.ts';
import { HANDOVER_CHUNK_CHARS, HANDOVER_MAX_CHUNKS, type FrameLink, type HubFrame, type RoomCommand, type SeatFrame, type SeatState } from '../../src-shared/contracts/room-protocol.ts';
import type { MoveView } from '../../src-shared/contracts/station-api.ts';
import type { ResponseValue } from '../../src-shared/content/responses.ts';
import { StationError } from '../../src-shared/errors.ts';
import { maskPersonalCode } from '../../src-shared/rules/personal-code.ts';
import type { StationDatabase, Tx } from '../station/database.ts';
import type { Outbox } from '../station/records/outbox.ts';
import { RoomAssignments } from '../station/records/room-assignments.ts';
import { RoomLog } from '../station/records/room-log.ts';
import type { RoomMovesTable } from '../station/tables.ts';
import { RoomCommands } from './room-commands.ts';
import type { RelayedSeatEvent } from './seat-streams.ts';

/** What the moves need of the hub around them. */
export interface MovesHub {
  readonly commands: RoomCommands;
  readonly streams: { ackedSeq(deviceId: string): number };
  seat(deviceId: string): { link: FrameLink | null; lastSeenAt: number | null; state: SeatState | null } | undefined;
  send(command: RoomCommand): void;
}

export interface RoomMovesOptions {
  db: StationDatabase;
  outbox: Outbox;
  now: () => Date;
  hub: MovesHub;
  directory?: (deviceId: string) => { revoked: boolean } | undefined;
}

export interface MoveRequest {
  candidateId: string;
  toDeviceId: string;
  reason: string;
  movedBy: string;
}

/** The answer that counts for one item of a moved attempt, under the rule above. */
export interface CountingAnswer {
  itemId: string;
  revision: number;
  value: ResponseValue;
  /** The seat that wrote it, and its seq there. */
  origin: EventEnvelope['origin'];
}

type SeatFrameOf<T extends SeatFrame['type']> = Extract<SeatFrame, { type: T }>;

export class RoomMoves {
  private readonly db: StationDatabase;
  private readonly outbox: Outbox;
  private readonly now: () => Date;
  private readonly hub: MovesHub;
  private readonly directory: ((deviceId: string) => { revoked: boolean } | undefined) | undefined;
  private readonly log: RoomLog;
  private readonly assignments: RoomAssignments;

  constructor(options: RoomMovesOptions) {
    this.db = options.db;
    this.outbox = options.outbox;
    this.now = options.now;
    this.hub = options.hub;
    this.directory = options.directory;
    this.log = new RoomLog(options.db, options.outbox);
    this.assignments = new RoomAssignments(options.db);
  }

  // ---- where candidates sit -------------------------------------------------------------------

  /** The attempts seats opened for the candidate and did not submit, newest first, with the seat that opened each. */
  private openAttempts(candidateId: string): { attemptId: string; packageId: string; openedBy: string }[] {
    const rows = this.db.all(
      this.db.q
        .selectFrom('outbox')
        .select(['device_id', 'payload_json'])
        .where('kind', '=', 'attempt.opened')
        .where('device_id', '!=', this.outbox.deviceId)
        .where((eb) => eb(eb.fn('json_extract', ['payload_json', eb.val('$.candidateId')]), '=', candidateId))
        .orderBy('seq', 'desc'),
    );
    return rows
      .map((r) => {
        const p = JSON.parse(r.payload_json) as { attemptId: string; packageId: string };
        return { attemptId: p.attemptId, packageId: p.packageId, openedBy: r.device_id };
      })
      .filter((a) => !this.db.get(this.db.q.selectFrom('outbox').select('seq').where('kind', '=', 'attempt.submitted').where('entity_id', '=', a.attemptId)));
  }

  /** Moves of an attempt that did not fail, oldest first. */
  private movesOf(attemptId: string): RoomMovesTable[] {
    return this.db.all(this.db.q.selectFrom('room_moves').selectAll().where('attempt_id', '=', attemptId).where('status', '!=', 'refused').orderBy('created_at').orderBy('move_id'));
  }

  /** Where the attempt is now: the seat of its latest move that did not fail, else the seat that opened it. */
  private seatOfAttempt(attempt: { attemptId: string; openedBy: string }): string {
    return this.movesOf(attempt.attemptId).at(-1)?.to_device ?? attempt.openedBy;
  }

  /** Whether some candidate's attempt is at this seat now (or is on its way to it). */
  private occupied(deviceId: string): boolean {
    const state = this.hub.seat(deviceId)?.state;
    if (state?.attempt) return true;
    const planned = this.assignments.atSeat(deviceId);
    if (planned && !this.finished(planned.candidateId)) return true;
    if (this.db.get(this.db.q.selectFrom('room_moves').select('move_id').where('to_device', '=', deviceId).where('status', '=', 'handing-over'))) return true;
    const opened = this.db.all(this.db.q.selectFrom('outbox').select('payload_json').where('kind', '=', 'attempt.opened').where('device_id', '=', deviceId));
    const movedHere = this.db.all(this.db.q.selectFrom('room_moves').select('attempt_id').where('to_device', '=', deviceId).where('status', '=', 'applied'));
    const attempts = [...opened.map((r) => ({ attemptId: (JSON.parse(r.payload_json) as { attemptId: string }).attemptId, openedBy: deviceId })), ...movedHere.map((m) => ({ attemptId: m.attempt_id, openedBy: deviceId }))];
    return attempts.some(
      (a) =>
        !this.db.get(this.db.q.selectFrom('outbox').select('seq').where('kind', '=', 'attempt.submitted').where('entity_id', '=', a.attemptId)) && this.seatOfAttempt(a) === deviceId,
    );
  }

  /** Whether every attempt seats opened for the candidate was submitted (and there is one). */
  private finished(candidateId: string): boolean {
    const opened = this.db.get(
      this.db.q
        .selectFrom('outbox')
        .select('seq')
        .where('kind', '=', 'attempt.opened')
        .where('device_id', '!=', this.outbox.deviceId)
        .where((eb) => eb(eb.fn('json_extract', ['payload_json', eb.val('$.candidateId')]), '=', candidateId))
        .limit(1),
    );
    return Boolean(opened) && this.openAttempts(candidateId).length === 0;
  }

  // ---- the move ---------------------------------------------------------------------------------

  move(request: MoveRequest): MoveView {
    const { candidateId, toDeviceId } = request;
    const move = this.db.transaction((tx) => {
      const [attempt] = this.openAttempts(candidateId);
      if (!attempt) throw new StationError('CANDIDATE_NOT_SEATED', `no seat has an open attempt of candidate ${candidateId}`);
      const pending = this.movesOf(attempt.attemptId).find((m) => m.status === 'handing-over');
      if (pending) throw new StationError('MOVE_IN_PROGRESS', `candidate ${candidateId} is being moved to ${pending.to_device}`);
      const fromDeviceId = this.seatOfAttempt(attempt);
      if (toDeviceId === fromDeviceId) throw new StationError('SEAT_OCCUPIED', `candidate ${candidateId} sits at ${toDeviceId} already`);
      const listed = this.directory?.(toDeviceId);
      const target = this.hub.seat(toDeviceId);
      if (this.directory ? !listed : !target) throw new StationError('SEAT_NOT_PAIRED', `no seat ${toDeviceId} is paired with this hub`);
      if (listed?.revoked) throw new StationError('SEAT_REVOKED', `seat ${toDeviceId} was unpaired`);
      if (!target?.link) throw new StationError('SEAT_NOT_CONNECTED', `seat ${toDeviceId} is not connected`);
      if (attempt.openedBy === toDeviceId || this.movesOf(attempt.attemptId).some((m) => m.from_device === toDeviceId)) {
        throw new StationError('MOVE_TARGET_FORMER_SEAT', `candidate ${candidateId} was at ${toDeviceId} before`);
      }
      if (this.occupied(toDeviceId)) throw new StationError('SEAT_OCCUPIED', `seat ${toDeviceId} has a candidate`);
      const session = this.db.get(this.db.q.selectFrom('candidates').select('session_id').where('candidate_id', '=', candidateId));
      if (!session) throw new StationError('NOT_FOUND', `candidate ${candidateId} is not on this hub's roster`);

      const now = this.now();
      const row: RoomMovesTable = {
        move_id: randomUUID(),
        attempt_id: attempt.attemptId,
        candidate_id: candidateId,
        package_id: attempt.packageId,
        from_device: fromDeviceId,
        to_device: toDeviceId,
        through_seq: this.hub.streams.ackedSeq(fromDeviceId),
        from_last_seen_at: this.hub.seat(fromDeviceId)?.lastSeenAt ?? null,
        reason: request.reason,
        moved_by: request.movedBy,
        created_at: now.toISOString(),
        status: 'handing-over',
        code: null,
        detail: null,
        settled_at: null,
      };
      this.db.run(this.db.q.insertInto('room_moves').values(row));
      this.log.recordIncident(
        tx,
        {
          sessionId: session.session_id,
          candidateId,
          kind: 'technical-workstation',
          note: `moved from seat ${fromDeviceId} to seat ${toDeviceId} (attempt ${attempt.attemptId}): ${request.reason}. Events of ${fromDeviceId} about the attempt after its seq ${row.through_seq} arrived after the move and do not count.`,
        },
        request.movedBy,
        now,
      );
      // The seat plan follows the candidate: the roster shows them at the new seat from now on.
      // A candidate who finished at the new seat leaves it in the plan (one live assignment per seat).
      const finishedThere = this.assignments.atSeat(toDeviceId);
      if (finishedThere) this.assignments.end(tx, finishedThere.assignmentId, request.movedBy, now);
      const seated = this.assignments.ofCandidate(candidateId);
      if (seated) this.assignments.moveTo(tx, seated.assignmentId, toDeviceId, { by: request.movedBy, moveId: row.move_id }, now);
      // The old seat stops the attempt when it gets this, now or when it is back.
      const moveOut = this.hub.commands.issue({ target: { kind: 'seat', deviceId: fromDeviceId }, type: 'move-out', params: { moveId: row.move_id, candidateId }, reason: request.reason, issuedBy: request.movedBy });
      return { row, moveOut };
    });
    this.hub.send(move.moveOut);
    this.sendHandOver(move.row);
    return this.viewOf(this.row(move.row.move_id));
  }

  private row(moveId: string): RoomMovesTable {
    const row = this.db.get(this.db.q.selectFrom('room_moves').selectAll().where('move_id', '=', moveId));
    if (!row) throw new StationError('NOT_FOUND', `move ${moveId}`);
    return row;
  }

  /** A seat said hello: a hand-over it has not taken yet goes again. */
  greeted(deviceId: string, link: FrameLink): void {
    for (const row of this.db.all(this.db.q.selectFrom('room_moves').selectAll().where('to_device', '=', deviceId).where('status', '=', 'handing-over'))) this.sendHandOver(row, link);
  }

  /** What the new seat made of the hand-over. A refused move leaves the candidate where they were (in the seat plan too); its late flags go. */
  settle(deviceId: string, frame: SeatFrameOf<'handover-result'>): void {
    this.db.transaction((tx) => {
      const row = this.db.get(this.db.q.selectFrom('room_moves').selectAll().where('move_id', '=', frame.moveId).where('to_device', '=', deviceId));
      if (!row || row.status !== 'handing-over') return;
      this.db.run(
        this.db.q
          .updateTable('room_moves')
          .set({ status: frame.status, code: frame.code, detail: frame.detail, settled_at: this.now().toISOString() })
          .where('move_id', '=', frame.moveId),
      );
      if (frame.status !== 'refused') return;
      this.db.run(this.db.q.deleteFrom('room_late_events').where('move_id', '=', frame.moveId));
      const seated = this.assignments.ofCandidate(row.candidate_id);
      if (seated?.assignCmdId !== row.move_id) return;
      // Back to the seat they left, unless someone was seated there meanwhile (it looked free while the
      // hand-over ran): then the candidate has no seat in the plan, for the invigilator to seat again.
      const taken = this.assignments.atSeat(row.from_device);
      if (taken && taken.assignmentId !== seated.assignmentId) this.assignments.end(tx, seated.assignmentId, row.moved_by, this.now());
      else this.assignments.moveTo(tx, seated.assignmentId, row.from_device, { by: row.moved_by, moveId: row.move_id }, this.now());
    });
  }

  // ---- the hand-over ------------------------------------------------------------------------------

  /** The events of the attempt the hub holds from its seats, in the hub's order, the late ones left out. */
  private attemptEvents(attemptId: string): EventEnvelope[] {
    const rows = this.db.all(
      this.db.q
        .selectFrom('outbox')
        .selectAll()
        .where('device_id', '!=', this.outbox.deviceId)
        .where('seq', 'not in', (eb) => eb.selectFrom('room_late_events').select('hub_seq'))
        .where((eb) =>
          eb.or([
            eb(eb.fn('json_extract', ['payload_json', eb.val('$.attemptId')]), '=', attemptId),
            eb.and([
              eb('kind', '=', 'recording.segment'),
              eb(
                'entity_id',
                'in',
                eb
                  .selectFrom('outbox as started')
                  .select('started.entity_id')
                  .where('started.kind', '=', 'recording.started')
                  .where((e) => e(e.fn('json_extract', ['started.payload_json', e.val('$.attemptId')]), '=', attemptId)),
              ),
            ]),
          ]),
        )
        .orderBy('seq'),
    );
    return rows.map((row) => ({
      seq: Number(row.seq),
      origin: { deviceId: row.device_id, seq: Number(row.origin_seq ?? row.seq) },
      kind: row.kind,
      entityId: row.entity_id,
      payload: JSON.parse(row.payload_json) as unknown,
      createdAt: row.created_at,
    }));
  }

  private handOverOf(row: RoomMovesTable): HandOver {
    const candidate = this.db.get(this.db.q.selectFrom('candidates').selectAll().where('candidate_id', '=', row.candidate_id));
    const session = candidate && this.db.get(this.db.q.selectFrom('sessions').selectAll().where('session_id', '=', candidate.session_id));
    if (!candidate || !session) throw new StationError('NOT_FOUND', `candidate ${row.candidate_id} is not on this hub's roster`);
    const events = this.attemptEvents(row.attempt_id);
    const segments = events
      .filter((e) => e.kind === 'recording.segment')
      .flatMap((e) => {
        const p = e.payload as { recordingId: string; index: number; sha256: string };
        const held = this.db.get(this.db.q.selectFrom('seat_audio').select(['sha256', 'data']).where('recording_id', '=', p.recordingId).where('idx', '=', p.index));
        return held && held.sha256 === p.sha256 ? [{ recordingId: p.recordingId, index: p.index, sha256: p.sha256, data: Buffer.from(held.data).toString('base64') }] : [];
      });
    const handOverCandidate: HandOverCandidate = {
      candidateId: candidate.candidate_id,
      sessionId: candidate.session_id,
      givenName: candidate.given_name,
      familyName: candidate.family_name,
      maskedPersonalCode: maskPersonalCode(candidate.personal_code),
      birthDate: candidate.birth_date,
      level: candidate.level,
      accommodation: candidate.accommodation,
      accommodationDocNo: candidate.accommodation_doc_no,
      accommodationDocDate: candidate.accommodation_doc_date,
    };
    return HandOver.parse({
      moveId: row.move_id,
      attemptId: row.attempt_id,
      packageId: row.package_id,
      candidate: handOverCandidate,
      session: { sessionId: session.session_id, examId: session.exam_id, venueCode: session.venue_code, venueName: session.venue_name, room: session.room, startsAt: session.starts_at, endsAt: session.ends_at },
      from: { deviceId: row.from_device, lastSeenAt: row.from_last_seen_at },
      events,
      segments,
      settledCommands: this.settledCommands(row),
      authorised: this.authorisationOf(row),
      movedAt: Date.parse(row.created_at),
      movedBy: row.moved_by,
      reason: row.reason,
    });
  }

  /**
   * The candidate's authorisation as the seat plan holds it (moved with them to the new seat), or, when
   * the plan did not seat them (staff opened the attempt at the seat, where none is asked), the mover's.
   */
  private authorisationOf(row: RoomMovesTable): HandOver['authorised'] {
    const seated = this.assignments.ofCandidate(row.candidate_id);
    if (seated) return seated.authorised;
    return { by: row.moved_by, at: row.created_at };
  }

  /**
   * Commands the new seat must not carry out again: issued before the move for the room or for the
   * candidate, confirmed by the old seat (their effect is in its events) and not by the new one.
   */
  private settledCommands(row: RoomMovesTable): RoomCommand[] {
    const rows = this.db.all(
      this.db.q
        .selectFrom('room_commands as c')
        .innerJoin('room_command_results as r', (join) => join.onRef('r.cmd_id', '=', 'c.cmd_id').on('r.device_id', '=', row.from_device))
        .select('c.command_json')
        .where('c.created_at', '<=', row.created_at)
        .where((eb) => eb.or([eb('c.target_kind', '=', 'room'), eb.and([eb('c.target_kind', '=', 'candidate'), eb('c.target_ref', '=', row.candidate_id)])]))
        .where('c.cmd_id', 'not in', (eb) => eb.selectFrom('room_command_results').select('cmd_id').where('device_id', '=', row.to_device))
        .orderBy('c.room_seq'),
    );
    return rows.map((r) => JSON.parse(r.command_json) as RoomCommand);
  }

  private sendHandOver(row: RoomMovesTable, link = this.hub.seat(row.to_device)?.link ?? null): void {
    if (!link) return;
    const text = Buffer.from(JSON.stringify(this.handOverOf(row)), 'utf8').toString('base64');
    const count = Math.max(1, Math.ceil(text.length / HANDOVER_CHUNK_CHARS));
    if (count > HANDOVER_MAX_CHUNKS) {
      this.settle(row.to_device, { type: 'handover-result', moveId: row.move_id, status: 'refused', code: 'HANDOVER_INVALID', detail: `the hand-over is ${text.length} characters, more than ${HANDOVER_MAX_CHUNKS} frames` });
      return;
    }
    const sha256 = createHash('sha256').update(text).digest('hex');
    for (let index = 0; index < count; index += 1) {
      link.send({ type: 'handover', moveId: row.move_id, index, count, sha256, chunk: text.slice(index * HANDOVER_CHUNK_CHARS, (index + 1) * HANDOVER_CHUNK_CHARS) } satisfies HubFrame);
    }
  }

  // ---- late events ------------------------------------------------------------------------------------

  /** Inside a push's transaction: flag what the old seat wrote about a moved attempt after the move. */
  flagLate(_tx: Tx, deviceId: string, relayed: readonly RelayedSeatEvent[]): void {
    const moves = this.db.all(this.db.q.selectFrom('room_moves').select(['move_id', 'attempt_id', 'through_seq']).where('from_device', '=', deviceId).where('status', '!=', 'refused'));
    if (moves.length === 0) return;
    const flaggedAt = this.now().toISOString();
    for (const event of relayed) {
      const attemptId = this.attemptOf(event);
      const move = moves.find((m) => m.attempt_id === attemptId && event.origin.seq > m.through_seq);
      if (!move) continue;
      this.db.run(
        this.db.q
          .insertInto('room_late_events')
          .values({ hub_seq: event.hubSeq, move_id: move.move_id, origin_device: event.origin.deviceId, origin_seq: event.origin.seq, kind: event.kind, flagged_at: flaggedAt })
          .onConflict((oc) => oc.column('hub_seq').doNothing()),
      );
    }
  }

  /** The attempt an event is about: its payload says, or (a take's segment) the take's start does. */
  private attemptOf(event: RelayedSeatEvent): string | null {
    const said = (event.payload as { attemptId?: unknown }).attemptId;
    if (typeof said === 'string') return said;
    if (event.kind !== 'recording.segment') return null;
    const started = this.db.get(this.db.q.selectFrom('outbox').select('payload_json').where('kind', '=', 'recording.started').where('entity_id', '=', event.entityId));
    return started ? (JSON.parse(started.payload_json) as { attemptId: string }).attemptId : null;
  }

  /** The old seat's events about the moved attempt that arrived after the move, in the hub's order. */
  lateEvents(moveId: string): { hubSeq: number; origin: EventEnvelope['origin']; kind: string }[] {
    return this.db
      .all(this.db.q.selectFrom('room_late_events').selectAll().where('move_id', '=', moveId).orderBy('hub_seq'))
      .map((r) => ({ hubSeq: Number(r.hub_seq), origin: { deviceId: r.origin_device, seq: Number(r.origin_seq) }, kind: r.kind }));
  }

  /** Whether the hub holds this event (by its hub seq) flagged late-after-move. */
  isLate(hubSeq: number): boolean {
    return Boolean(this.db.get(this.db.q.selectFrom('room_late_events').select('hub_seq').where('hub_seq', '=', hubSeq)));
  }

  /** The answers that count for an attempt under the rule at the top of this file, by item. */
  countingAnswers(attemptId: string): CountingAnswer[] {
    const best = new Map<string, CountingAnswer & { hubSeq: number }>();
    for (const event of this.attemptEvents(attemptId)) {
      if (event.kind !== 'response.saved') continue;
      const p = event.payload as { itemId: string; revision: number; value: ResponseValue };
      const held = best.get(p.itemId);
      if (!held || p.revision > held.revision) best.set(p.itemId, { itemId: p.itemId, revision: p.revision, value: p.value, origin: event.origin, hubSeq: event.seq });
    }
    return [...best.values()].sort((a, b) => a.itemId.localeCompare(b.itemId)).map(({ hubSeq: _seq, ...answer }) => answer);
  }

  // ---- the view -------------------------------------------------------------------------------------

  private viewOf(row: RoomMovesTable): MoveView {
    const late = this.db.get(this.db.q.selectFrom('room_late_events').select((eb) => eb.fn.countAll<number>().as('n')).where('move_id', '=', row.move_id));
    return {
      moveId: row.move_id,
      candidateId: row.candidate_id,
      attemptId: row.attempt_id,
      fromDeviceId: row.from_device,
      toDeviceId: row.to_device,
      reason: row.reason,
      movedBy: row.moved_by,
      movedAt: row.created_at,
      status: row.status,
      code: row.code,
      lateEvents: Number(late?.n ?? 0),
    };
  }

  /** Every move, newest first. */
  view(): MoveView[] {
    return this.db.all(this.db.q.selectFrom('room_moves').selectAll().orderBy('created_at', 'desc').orderBy('move_id')).map((row) => this.viewOf(row));
  }
}
