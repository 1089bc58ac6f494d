// The hub's desk for the console's room controls, over the room protocol's hub end: commands issued
// and what the seats made of them, the raised hands the seats report until an invigilator acknowledges
// them, the time lost while a seat was silent during a running part (proposed for one click), and each
// candidate's time ledger. The commands (and so the ledger) and the lost-time proposals, open or
// settled, are in the hub's database: a restart of the hub keeps them, and a proposal credited before
// it is not credited again after it. Two things stay in memory, for this hub run: each seat's last
// heartbeat (a silence is measured between two heartbeats of one hub run; the hub's own restart is no
// silence of the seat, which kept working), and the hands acknowledged (the hand-ack command is kept,
// but a hand the seat has not lowered yet shows again after a restart until it does).
import { randomUUID } from 'node:crypto';
import { ROOM_HEARTBEAT_MS, SEAT_LATE_MS, SEAT_MISSING_MS, RoomCommand, type HandReason, type SeatState } from '../../src-shared/contracts/room-protocol.ts';
import { ROOM_EXTRA_GROUNDS, type IssuedCommandView, type LostTimeProposalView, type RoomExtraGrounds, type RoomTarget, type TimeLedgerEntryView } from '../../src-shared/contracts/station-api.ts';
import { StationError } from '../../src-shared/errors.ts';
import type { StationDatabase, Tx } from '../station/database.ts';
import type { RoomLostTimeTable } from '../station/tables.ts';
import type { IssueCommand } from './room-commands.ts';
import type { RoomHub } from './room-hub.ts';

interface Beat {
  at: number;
  state: SeatState;
}

/** The reasons the station writes for the credits it gives itself (src-main/station/service.ts), a spare seat's for a move too. */
const SEAT_OWN_CREDIT = /^(seat interrupted|station restart|moved to another seat):/;

/** How many of the latest commands the console lists. */
const RECENT_COMMANDS = 20;

export class RoomDesk {
  private readonly hub: RoomHub;
  private readonly db: StationDatabase;
  private readonly lastBeat = new Map<string, Beat>();
  /** The raised hand acknowledged at each seat (its time), hidden until the seat reports another. */
  private readonly acknowledged = new Map<string, number>();

  constructor(hub: RoomHub, db: StationDatabase) {
    this.hub = hub;
    this.db = db;
    hub.onHeartbeat((deviceId, state, at) => this.onBeat(deviceId, state, at));
  }

  /**
   * A heartbeat after a silence of at least "late" (6 s), when the seat's last word before it was a
   * running part: the candidate may have lost that time (a frozen or restarted seat; a seat that only
   * lost the link kept working, which the invigilator judges), so it is proposed to the invigilator.
   */
  private onBeat(deviceId: string, state: SeatState, at: number): void {
    const previous = this.lastBeat.get(deviceId);
    this.lastBeat.set(deviceId, { at, state });
    const running = previous?.state.attempt;
    if (!previous || !running || at - previous.at < SEAT_LATE_MS) return;
    if (running.screen !== 'part' || !running.partId || running.remainingMs === null || running.remainingMs <= 0) return;
    this.db.run(
      this.db.q.insertInto('room_lost_time').values({
        proposal_id: randomUUID(),
        device_id: deviceId,
        candidate_id: running.candidateId,
        attempt_id: running.attemptId,
        part_id: running.partId,
        silent_from: previous.at,
        silent_to: at,
        cmd_id: randomUUID(),
        status: 'open',
        settled_by: null,
        settled_at: null,
      }),
    );
  }

  issue(input: IssueCommand): IssuedCommandView {
    return this.view(this.hub.issue(input));
  }

  /**
   * Issue a command and keep, in the same transaction, the decision it carries out (`keep` runs once
   * the command is stored; if it throws, no command was issued). The seats get it once both are committed.
   */
  issueKept(input: IssueCommand, keep: (tx: Tx, command: RoomCommand) => void): IssuedCommandView {
    const command = this.db.transaction((tx) => {
      const stored = this.hub.commands.issue(input);
      keep(tx, stored);
      return stored;
    });
    this.hub.send(command);
    return this.view(command);
  }

  /**
   * The seat as its latest heartbeat reported it; a paired seat not heard from since the hub started has
   * nobody at it as far as the hub knows (a command for it waits for its return). Null: no such seat.
   */
  seat(deviceId: string): { deviceId: string; candidateId: string | null } | null {
    const found = this.hub.view().find((s) => s.deviceId === deviceId);
    if (found) return { deviceId, candidateId: found.state?.attempt?.candidateId ?? null };
    const paired = this.db.get(this.db.q.selectFrom('room_seats').select('device_id').where('device_id', '=', deviceId).where('revoked_at', 'is', null));
    return paired ? { deviceId, candidateId: null } : null;
  }

  /** The seat where a candidate sits (its heartbeat says), or null. */
  seatOf(candidateId: string): string | null {
    return this.hub.view().find((s) => s.state?.attempt?.candidateId === candidateId)?.deviceId ?? null;
  }

  hands(): { deviceId: string; candidateId: string | null; reason: HandReason; at: number }[] {
    return this.hub
      .view()
      .flatMap((s) => (s.state?.hand && this.acknowledged.get(s.deviceId) !== s.state.hand.at ? [{ deviceId: s.deviceId, candidateId: s.state.attempt?.candidateId ?? null, reason: s.state.hand.reason, at: s.state.hand.at }] : []))
      .sort((a, b) => a.at - b.at);
  }

  /** The hand goes off the console at once and off the candidate's screen when the seat carries out the command. */
  acknowledgeHand(deviceId: string, issuedBy: string): IssuedCommandView {
    const hand = this.hub.view().find((s) => s.deviceId === deviceId)?.state?.hand;
    if (!hand) throw new StationError('SEAT_UNKNOWN', `no raised hand at seat ${deviceId}`);
    this.acknowledged.set(deviceId, hand.at);
    return this.issue({ target: { kind: 'seat', deviceId }, type: 'hand-ack', params: { at: hand.at }, issuedBy });
  }

  /**
   * Open proposals, each less one heartbeat and less what the seat credited itself for the same silence.
   * Not one whose candidate was moved away from that seat (the spare seat credited the gap with the
   * hand-over; crediting it again would give it twice), nor one whose attempt is submitted (its time is over).
   */
  lostTime(): LostTimeProposalView[] {
    return this.db
      .all(
        this.db.q
          .selectFrom('room_lost_time as p')
          .selectAll('p')
          .where('p.status', '=', 'open')
          .where((eb) =>
            eb.not(
              eb.exists(
                eb
                  .selectFrom('room_moves as m')
                  .select('m.move_id')
                  .whereRef('m.attempt_id', '=', 'p.attempt_id')
                  .whereRef('m.from_device', '=', 'p.device_id')
                  .where('m.status', '!=', 'refused'),
              ),
            ),
          )
          .where((eb) => eb.not(eb.exists(eb.selectFrom('outbox as o').select('o.seq').where('o.kind', '=', 'attempt.submitted').whereRef('o.entity_id', '=', 'p.attempt_id'))))
          .orderBy('p.silent_from')
          .orderBy('p.proposal_id'),
      )
      .map((p) => this.proposalView(p))
      .filter((p) => p.amountMs >= 1000);
  }

  private proposalView(p: RoomLostTimeTable): LostTimeProposalView {
    const selfCredited = this.seatCredits(p.device_id, p.attempt_id)
      .filter((c) => c.partId === p.part_id && c.at >= p.silent_from && c.at <= p.silent_to + SEAT_MISSING_MS)
      .reduce((sum, c) => sum + c.amountMs, 0);
    const silentS = Math.round((p.silent_to - p.silent_from) / 1000);
    return {
      proposalId: p.proposal_id,
      deviceId: p.device_id,
      candidateId: p.candidate_id,
      partId: p.part_id,
      from: p.silent_from,
      to: p.silent_to,
      amountMs: Math.max(0, p.silent_to - p.silent_from - ROOM_HEARTBEAT_MS - selfCredited),
      reason: `lost time: the seat was silent ${silentS} s during ${p.part_id}${selfCredited > 0 ? `, ${Math.round(selfCredited / 1000)} s of it credited by the seat` : ''}`,
    };
  }

  /** An open proposal as the console lists it; LOST_TIME_SETTLED once it was credited or dismissed, or if it is not on the list. */
  proposal(proposalId: string): LostTimeProposalView {
    const found = this.lostTime().find((p) => p.proposalId === proposalId);
    if (!found) throw new StationError('LOST_TIME_SETTLED', proposalId);
    return found;
  }

  /** Take an open proposal off the list for good; a second click, also after a restart, finds nothing. */
  dismissProposal(proposalId: string, by: string, at: Date): void {
    this.db.transaction((tx) => this.settle(tx, proposalId, 'dismissed', by, at));
  }

  /**
   * Credit an open proposal: `credit` issued with the command id chosen with the proposal, and the
   * proposal settled, in one transaction. A second click, also after a restart, finds nothing, and the
   * credit could only ever be that one command.
   */
  creditProposal(proposalId: string, credit: IssueCommand, at: Date): IssuedCommandView {
    const row = this.db.get(this.db.q.selectFrom('room_lost_time').select('cmd_id').where('proposal_id', '=', proposalId));
    if (!row) throw new StationError('LOST_TIME_SETTLED', proposalId);
    return this.issueKept({ ...credit, cmdId: row.cmd_id }, (tx) => this.settle(tx, proposalId, 'credited', credit.issuedBy, at));
  }

  private settle(_tx: Tx, proposalId: string, status: 'credited' | 'dismissed', by: string, at: Date): void {
    const settled = this.db.run(
      this.db.q.updateTable('room_lost_time').set({ status, settled_by: by, settled_at: at.toISOString() }).where('proposal_id', '=', proposalId).where('status', '=', 'open'),
    );
    if (settled.changes !== 1) throw new StationError('LOST_TIME_SETTLED', proposalId);
  }

  /** Every candidate's extra time and credits: those given from the hub, and those the seats credited themselves. */
  ledger(): TimeLedgerEntryView[] {
    const fromHub = this.db
      .all(this.db.q.selectFrom('room_commands').select(['command_json', 'target_ref']).where('target_kind', '=', 'candidate').orderBy('room_seq'))
      .map((row) => RoomCommand.parse(JSON.parse(row.command_json)))
      .filter((c) => c.type === 'extend' && c.target.kind === 'candidate')
      .map((c): TimeLedgerEntryView => {
        const grounds = (ROOM_EXTRA_GROUNDS as readonly string[]).includes(String(c.params.grounds)) ? (c.params.grounds as RoomExtraGrounds) : 'incident';
        const applied = this.hub.commands.outcomes(c.cmdId).some((o) => o.status === 'applied');
        return { source: 'hub', cmdId: c.cmdId, candidateId: c.target.kind === 'candidate' ? c.target.candidateId : '', grounds, amountMs: Number(c.params.amountMs ?? 0), reason: c.reason ?? '', issuedBy: c.issuedBy, issuedAt: c.effectiveAt, applied };
      });
    const fromSeats = this.hub.view().flatMap((s) => {
      const attempt = s.state?.attempt;
      if (!attempt) return [];
      return this.seatCredits(s.deviceId, attempt.attemptId).map(
        (c): TimeLedgerEntryView => ({ source: 'seat', cmdId: null, candidateId: attempt.candidateId, grounds: 'lost-time', amountMs: c.amountMs, reason: c.reason ?? '', issuedBy: 'station', issuedAt: c.at, applied: true }),
      );
    });
    return [...fromHub, ...fromSeats].sort((a, b) => a.candidateId.localeCompare(b.candidateId) || a.issuedAt - b.issuedAt);
  }

  /**
   * Credits the seat's station recorded itself, as its timer events relayed to the hub say; never one
   * it sent about an attempt moved away from it (late-after-move, room-moves.ts): the candidate's time
   * went on at the other seat, so such a credit is evidence, not time given.
   */
  private seatCredits(deviceId: string, attemptId: string): { partId: string; at: number; amountMs: number; reason: string | null }[] {
    return this.db
      .all(
        this.db.q
          .selectFrom('outbox')
          .select('payload_json')
          .where('device_id', '=', deviceId)
          .where('kind', '=', 'timer.event')
          .where('entity_id', '=', attemptId)
          .where('seq', 'not in', (eb) => eb.selectFrom('room_late_events').select('hub_seq')),
      )
      .map((row) => JSON.parse(row.payload_json) as { kind: string; partId: string; at: number; amountMs: number | null; reason: string | null })
      // The station's own credits only: a credit the hub sent comes back as a timer event too, and is on the ledger as the hub's.
      .filter((e) => e.kind === 'credit' && SEAT_OWN_CREDIT.test(e.reason ?? ''))
      .map((e) => ({ partId: e.partId, at: e.at, amountMs: e.amountMs ?? 0, reason: e.reason }));
  }

  recentCommands(): IssuedCommandView[] {
    return this.db
      .all(this.db.q.selectFrom('room_commands').select('command_json').orderBy('room_seq', 'desc').limit(RECENT_COMMANDS))
      .map((row) => this.view(RoomCommand.parse(JSON.parse(row.command_json))));
  }

  /** A command as the console shows it: never its parameters (a key release carries the content key). */
  view(command: RoomCommand): IssuedCommandView {
    const outcomes = this.hub.commands.outcomes(command.cmdId);
    const target: RoomTarget = command.target;
    return {
      cmdId: command.cmdId,
      type: command.type,
      target,
      issuedBy: command.issuedBy,
      issuedAt: command.effectiveAt,
      reason: command.reason,
      applied: outcomes.filter((o) => o.status === 'applied').length,
      refused: outcomes.filter((o) => o.status === 'refused').map((o) => ({ deviceId: o.deviceId, code: o.code ?? 'INTERNAL' })),
    };
  }

  /** A command of this hub by its id (the key release's, for the console). */
  command(cmdId: string): IssuedCommandView | null {
    const row = this.db.get(this.db.q.selectFrom('room_commands').select('command_json').where('cmd_id', '=', cmdId));
    return row ? this.view(RoomCommand.parse(JSON.parse(row.command_json))) : null;
  }
}
