// What the hub tells its room, kept: every command is stored when issued, with the hub's term and a
// growing room number, and what each seat made of it is stored when the seat confirms it. A seat is
// sent the commands meant for it (the room, the seat, or the candidate sitting there) until it has
// confirmed each one, so a command survives a dropped link, a seat restart and a hub restart.
import { randomUUID } from 'node:crypto';
import { RoomCommand, type CommandResult, type CommandTarget, type RoomCommandType } from '../../src-shared/contracts/room-protocol.ts';
import { StationError } from '../../src-shared/errors.ts';
import type { PreparedQuery, StationDatabase } from '../station/database.ts';

export interface IssueCommand {
  target: CommandTarget;
  type: RoomCommandType;
  params?: Record<string, unknown>;
  /** Hub clock; now when not given. */
  effectiveAt?: number;
  reason?: string | null;
  issuedBy: string;
  /**
   * The id of a decision that may be issued again (a lost-time credit clicked twice, before and after a
   * restart of the hub): issued again, it is the command stored the first time, never a second one.
   */
  cmdId?: string;
}

/** What the hub knows of a seat when it picks the commands meant for it. */
export interface SeatAddress {
  deviceId: string;
  /** The candidate seated there now, if any. */
  candidateId: string | null;
  /**
   * Since when the seat belongs to the room (its pairing): commands issued before are not its own (a
   * spare seat paired at noon does not carry out the morning's extra time). Null: no bound (tests).
   */
  since?: string | null;
}

export interface CommandOutcome {
  deviceId: string;
  status: CommandResult['status'];
  code: string | null;
  detail: string | null;
  confirmedAt: string;
  /** What the seat answered with it (the seal's digest), as it came. */
  answer: unknown;
}

const TERM_KEY = 'room_term';

export class RoomCommands {
  private readonly db: StationDatabase;
  private readonly now: () => Date;

  /** Prepared once, for a seat without a candidate and for one with: every heartbeat of every seat asks. */
  private readonly pendingForSeat: PreparedQuery<{ deviceId: string; since: string; limit: number }, { command_json: string }>;
  private readonly pendingForCandidate: PreparedQuery<{ deviceId: string; candidateId: string; since: string; limit: number }, { command_json: string }>;

  constructor(db: StationDatabase, now: () => Date = () => new Date()) {
    this.db = db;
    this.now = now;
    // (The two differ in the candidate's clause; the stand-in parameters of `prepared` name every key, so
    // the choice is made here, not by looking at them. A seat without a pairing time has since '': every
    // command was issued after it.)
    const pending = (p: { deviceId: string; candidateId: string; since: string; limit: number }, withCandidate: boolean) =>
      db.q
        .selectFrom('room_commands as c')
        .leftJoin('room_command_results as r', (join) => join.onRef('r.cmd_id', '=', 'c.cmd_id').on('r.device_id', '=', p.deviceId))
        .select('c.command_json')
        .where('r.cmd_id', 'is', null)
        .where('c.created_at', '>=', p.since)
        .where((eb) =>
          eb.or([
            eb('c.target_kind', '=', 'room'),
            eb.and([eb('c.target_kind', '=', 'seat'), eb('c.target_ref', '=', p.deviceId)]),
            ...(withCandidate ? [eb.and([eb('c.target_kind', '=', 'candidate'), eb('c.target_ref', '=', p.candidateId)])] : []),
          ]),
        )
        .orderBy('c.room_seq')
        .limit(p.limit);
    this.pendingForSeat = db.prepared((p: { deviceId: string; since: string; limit: number }) => pending({ deviceId: p.deviceId, candidateId: '', since: p.since, limit: p.limit }, false));
    this.pendingForCandidate = db.prepared((p: { deviceId: string; candidateId: string; since: string; limit: number }) => pending(p, true));
  }

  /** The hub's term: 1 for a hub that was never promoted from standby. */
  term(): number {
    return Number(this.db.get(this.db.q.selectFrom('meta').select('value').where('key', '=', TERM_KEY))?.value ?? 1);
  }

  issue(input: IssueCommand): RoomCommand {
    return this.db.transaction(() => {
      const issued = input.cmdId ? this.db.get(this.db.q.selectFrom('room_commands').select('command_json').where('cmd_id', '=', input.cmdId)) : undefined;
      if (issued) return RoomCommand.parse(JSON.parse(issued.command_json));
      const last = this.db.get(this.db.q.selectFrom('room_commands').select((eb) => eb.fn.max('room_seq').as('seq')));
      const command = RoomCommand.parse({
        cmdId: input.cmdId ?? randomUUID(),
        term: this.term(),
        roomSeq: Number(last?.seq ?? 0) + 1,
        target: input.target,
        type: input.type,
        params: input.params ?? {},
        effectiveAt: input.effectiveAt ?? this.now().getTime(),
        reason: input.reason ?? null,
        issuedBy: input.issuedBy,
      });
      const targetRef = command.target.kind === 'seat' ? command.target.deviceId : command.target.kind === 'candidate' ? command.target.candidateId : null;
      this.db.run(
        this.db.q.insertInto('room_commands').values({
          cmd_id: command.cmdId,
          term: command.term,
          room_seq: command.roomSeq,
          target_kind: command.target.kind,
          target_ref: targetRef,
          command_json: JSON.stringify(command),
          created_at: this.now().toISOString(),
        }),
      );
      return command;
    });
  }

  /** Whether a command is meant for this seat. */
  static isFor(command: RoomCommand, seat: SeatAddress): boolean {
    const { target } = command;
    return target.kind === 'room' || (target.kind === 'seat' && target.deviceId === seat.deviceId) || (target.kind === 'candidate' && target.candidateId === seat.candidateId);
  }

  /** The commands meant for this seat that it has not confirmed, oldest first. Asked at every heartbeat. */
  pendingFor(seat: SeatAddress, limit: number): RoomCommand[] {
    const since = seat.since ?? '';
    const rows = seat.candidateId
      ? this.pendingForCandidate.all({ deviceId: seat.deviceId, candidateId: seat.candidateId, since, limit })
      : this.pendingForSeat.all({ deviceId: seat.deviceId, since, limit });
    return rows.map((r) => RoomCommand.parse(JSON.parse(r.command_json)));
  }

  /** Keep what a seat made of a command; a second confirmation of the same command changes nothing. */
  confirm(deviceId: string, result: CommandResult): void {
    this.db.transaction(() => {
      const known = this.db.get(this.db.q.selectFrom('room_commands').select('cmd_id').where('cmd_id', '=', result.cmdId));
      if (!known) throw new StationError('NOT_FOUND', `no command ${result.cmdId} was issued by this hub`);
      this.db.run(
        this.db.q
          .insertInto('room_command_results')
          .values({
            cmd_id: result.cmdId,
            device_id: deviceId,
            status: result.status,
            code: result.status === 'refused' ? result.code : null,
            detail: result.status === 'refused' ? result.detail : null,
            confirmed_at: this.now().toISOString(),
            answer_json: result.status === 'applied' && result.answer ? JSON.stringify(result.answer) : null,
          })
          .onConflict((oc) => oc.columns(['cmd_id', 'device_id']).doNothing()),
      );
    });
  }

  /** What each seat made of a command so far. */
  outcomes(cmdId: string): CommandOutcome[] {
    return this.db
      .all(this.db.q.selectFrom('room_command_results').selectAll().where('cmd_id', '=', cmdId).orderBy('device_id'))
      .map((r) => ({ deviceId: r.device_id, status: r.status, code: r.code, detail: r.detail, confirmedAt: r.confirmed_at, answer: r.answer_json ? (JSON.parse(r.answer_json) as unknown) : null }));
  }
}
