// The staff's room controls on a hub (issue 10 §3, §5): the key release, with two distinct people for a
// session that asks for it; start, pause, resume, extra time, messages, lock; lost time confirmed with
// one click; raised hands acknowledged; incidents and the removal of a candidate. The station service
// has checked the caller's right before a call comes here; each call is written to the audit log, and
// each reaches the seats as one room command (src-main/lan/room-desk.ts issues it). Key releases, waiting
// for a second person or released, are kept in the hub's database (`room_key_releases`): a restart of
// the hub changes neither who may confirm one nor until when.
import type { RoomCommandType } from '../../src-shared/contracts/room-protocol.ts';
import type { IssuedCommandView, KeyReleaseView, RoomControlsView, RoomTarget, StationInput, StationOutput } from '../../src-shared/contracts/station-api.ts';
import type { CommandTarget } from '../../src-shared/contracts/room-protocol.ts';
import type { IncidentKind } from '../../src-shared/contracts/events.ts';
import { StationError } from '../../src-shared/errors.ts';
import type { RoomDesk } from '../lan/room-desk.ts';
import { partTitles } from '../lan/room-protocol-data.ts';
import type { StationDatabase, Tx } from './database.ts';
import type { StaffActor } from './staff.ts';
import type { RoomKeyReleasesTable } from './tables.ts';

/** A second person confirms a two-person key release within this time, or it lapses. */
export const KEY_RELEASE_CONFIRM_MS = 2 * 60 * 1000;

const TWO_PERSON_KEY = 'two_person_release';

export interface RoomStaffContext {
  db: StationDatabase;
  now: () => Date;
  /** The hub's desk, or ROOM_NOT_AVAILABLE (a seat, a solo station, a room that did not start). */
  desk: () => RoomDesk;
  /** A staff action done outside one transaction, once it succeeded. */
  audit: (actor: StaffActor, action: string, target: string | null, details: Record<string, unknown>) => void;
  setMeta: (key: string, value: string) => void;
  meta: (key: string) => string | undefined;
  /** An incident recorded and audited in one transaction, as recordIncident does. */
  incident: (actor: StaffActor, incident: { sessionId: string; candidateId?: string; kind: IncidentKind; note: string }) => { incidentId: string; at: string };
  /** Attendance removed, and the incident, in one transaction. */
  remove: (actor: StaffActor, candidateId: string, note: string) => { incidentId: string; at: string };
}

interface Release {
  packageId: string;
  sessionId: string;
  startedBy: string;
  startedByAccount: string;
  startedAt: number;
  confirmedBy: string | null;
  cmdId: string | null;
}

const toCommandTarget = (target: RoomTarget): CommandTarget => target;

const releaseOf = (row: RoomKeyReleasesTable): Release => ({
  packageId: row.package_id,
  sessionId: row.session_id,
  startedBy: row.started_by,
  startedByAccount: row.started_by_account,
  startedAt: row.started_at,
  confirmedBy: row.confirmed_by,
  cmdId: row.cmd_id,
});

export class RoomStaff {
  private readonly ctx: RoomStaffContext;

  constructor(ctx: RoomStaffContext) {
    this.ctx = ctx;
  }

  /** Each package's latest key release at this hub: started (waiting for a second person) or released. */
  private releases(): Release[] {
    return this.ctx.db.all(this.ctx.db.q.selectFrom('room_key_releases').selectAll().orderBy('started_at').orderBy('package_id')).map(releaseOf);
  }

  private release(packageId: string): Release | null {
    const row = this.ctx.db.get(this.ctx.db.q.selectFrom('room_key_releases').selectAll().where('package_id', '=', packageId));
    return row ? releaseOf(row) : null;
  }

  /** The package's release from now on: a new start replaces the one before (lapsed, or released: its command stays). */
  private keepRelease(_tx: Tx, release: Release): void {
    const row: RoomKeyReleasesTable = {
      package_id: release.packageId,
      session_id: release.sessionId,
      started_by: release.startedBy,
      started_by_account: release.startedByAccount,
      started_at: release.startedAt,
      confirmed_by: release.confirmedBy,
      cmd_id: release.cmdId,
    };
    const { package_id: _key, ...columns } = row;
    this.ctx.db.run(this.ctx.db.q.insertInto('room_key_releases').values(row).onConflict((oc) => oc.column('package_id').doUpdateSet(columns)));
  }

  private twoPersonSessions(): string[] {
    const stored = this.ctx.meta(TWO_PERSON_KEY);
    return stored ? (JSON.parse(stored) as string[]) : [];
  }

  private requireSession(sessionId: string): void {
    const found = this.ctx.db.get(this.ctx.db.q.selectFrom('sessions').select('session_id').where('session_id', '=', sessionId));
    if (!found) throw new StationError('NOT_FOUND', `session ${sessionId}`);
  }

  private requireCandidate(candidateId: string): { sessionId: string } {
    const found = this.ctx.db.get(this.ctx.db.q.selectFrom('candidates').select('session_id').where('candidate_id', '=', candidateId));
    if (!found) throw new StationError('NOT_FOUND', `candidate ${candidateId}`);
    return { sessionId: found.session_id };
  }

  setTwoPersonRelease(actor: StaffActor, input: StationInput<'setTwoPersonRelease'>): StationOutput<'setTwoPersonRelease'> {
    this.requireSession(input.sessionId);
    const others = this.twoPersonSessions().filter((s) => s !== input.sessionId);
    this.ctx.setMeta(TWO_PERSON_KEY, JSON.stringify(input.required ? [...others, input.sessionId] : others));
    this.ctx.audit(actor, 'room.key.two-person', input.sessionId, { required: input.required });
    return { sessionId: input.sessionId, required: input.required };
  }

  private releaseView(release: Release, desk: RoomDesk): KeyReleaseView {
    const now = this.ctx.now().getTime();
    const expiresAt = release.cmdId ? null : release.startedAt + KEY_RELEASE_CONFIRM_MS;
    return {
      packageId: release.packageId,
      sessionId: release.sessionId,
      state: release.cmdId ? 'released' : now > expiresAt! ? 'lapsed' : 'awaiting-second',
      startedBy: release.startedBy,
      startedAt: release.startedAt,
      expiresAt,
      confirmedBy: release.confirmedBy,
      command: release.cmdId ? desk.command(release.cmdId) : null,
    };
  }

  /**
   * One person releases the key at once; for a two-person session the first call starts the release and
   * a call by another account within 2 minutes sends it. All seats get it in one command.
   */
  releaseKey(actor: StaffActor, input: StationInput<'releaseKey'>): KeyReleaseView {
    const desk = this.ctx.desk();
    this.requireSession(input.sessionId);
    const held = this.ctx.db.get(this.ctx.db.q.selectFrom('package_keys').select('content_key').where('package_id', '=', input.packageId));
    if (!held) throw new StationError('KEY_NOT_HELD', input.packageId);
    const now = this.ctx.now().getTime();
    const twoPerson = this.twoPersonSessions().includes(input.sessionId);
    const pending = this.release(input.packageId);
    const waiting = twoPerson && pending && !pending.cmdId && pending.sessionId === input.sessionId && now <= pending.startedAt + KEY_RELEASE_CONFIRM_MS ? pending : null;
    if (twoPerson && !waiting) {
      const started: Release = { packageId: input.packageId, sessionId: input.sessionId, startedBy: actor.username, startedByAccount: actor.accountId, startedAt: now, confirmedBy: null, cmdId: null };
      this.ctx.db.transaction((tx) => this.keepRelease(tx, started));
      if (pending && !pending.cmdId) this.ctx.audit(actor, 'room.key.release.lapsed', input.packageId, { sessionId: pending.sessionId, startedBy: pending.startedBy, startedAt: new Date(pending.startedAt).toISOString() });
      this.ctx.audit(actor, 'room.key.release.started', input.packageId, { sessionId: input.sessionId, confirmWithinMs: KEY_RELEASE_CONFIRM_MS });
      return this.releaseView(started, desk);
    }
    if (waiting && waiting.startedByAccount === actor.accountId) throw new StationError('KEY_RELEASE_SAME_PERSON', `${actor.username} started this release`);
    const startedBy = waiting?.startedBy ?? actor.username;
    const confirmedBy = waiting ? actor.username : null;
    const unsent: Release = { packageId: input.packageId, sessionId: input.sessionId, startedBy, startedByAccount: waiting?.startedByAccount ?? actor.accountId, startedAt: waiting?.startedAt ?? now, confirmedBy, cmdId: null };
    // The command and the release it completes are committed together: a restart finds the release still waiting, or released with its command.
    const issued = desk.issueKept(
      {
        target: { kind: 'room' },
        type: 'key-release',
        params: { packageId: input.packageId, key: held.content_key, sessionId: input.sessionId, startedBy, confirmedBy },
        reason: confirmedBy ? `two-person release: ${startedBy}, ${confirmedBy}` : null,
        issuedBy: actor.username,
      },
      (tx, command) => this.keepRelease(tx, { ...unsent, cmdId: command.cmdId }),
    );
    // Never the key itself: the audit log names who released which package to the room.
    this.ctx.audit(actor, 'room.key.released', input.packageId, { sessionId: input.sessionId, startedBy, confirmedBy, cmdId: issued.cmdId });
    return this.releaseView({ ...unsent, cmdId: issued.cmdId }, desk);
  }

  roomCommand(actor: StaffActor, input: StationInput<'roomCommand'>): IssuedCommandView {
    const desk = this.ctx.desk();
    const issue = (type: RoomCommandType, target: RoomTarget, params: Record<string, unknown>, reason: string | null, details: Record<string, unknown> = {}) => {
      if (target.kind === 'candidate') this.requireCandidate(target.candidateId);
      if (target.kind === 'seat' && !desk.seat(target.deviceId)) throw new StationError('SEAT_UNKNOWN', target.deviceId);
      const issued = desk.issue({ target: toCommandTarget(target), type, params, reason, issuedBy: actor.username });
      const ref = target.kind === 'room' ? null : target.kind === 'seat' ? target.deviceId : target.candidateId;
      this.ctx.audit(actor, `room.${type}`, ref, { target: target.kind, reason, cmdId: issued.cmdId, ...details });
      return issued;
    };
    switch (input.action) {
      case 'start':
        return issue('start', input.target, {}, null);
      case 'pause':
        return issue('pause', input.target, {}, input.reason ?? null);
      case 'resume':
        return issue('resume', input.target, {}, null);
      case 'extend':
        return issue('extend', { kind: 'candidate', candidateId: input.candidateId }, { amountMs: input.amountMs, grounds: input.grounds }, input.reason, { grounds: input.grounds, amountMs: input.amountMs });
      case 'message':
        return issue('message', input.target, { text: input.text }, null, { text: input.text });
      case 'lock':
        return issue('lock', { kind: 'seat', deviceId: input.deviceId }, {}, input.reason ?? null);
      case 'unlock':
        return issue('unlock', { kind: 'seat', deviceId: input.deviceId }, {}, null);
    }
  }

  settleLostTime(actor: StaffActor, input: StationInput<'settleLostTime'>): StationOutput<'settleLostTime'> {
    const desk = this.ctx.desk();
    const proposal = desk.proposal(input.proposalId);
    const details = { candidateId: proposal.candidateId, deviceId: proposal.deviceId, partId: proposal.partId, amountMs: proposal.amountMs, reason: proposal.reason };
    if (!input.confirm) {
      desk.dismissProposal(proposal.proposalId, actor.username, this.ctx.now());
      this.ctx.audit(actor, 'room.lost-time.dismissed', proposal.candidateId, details);
      return { command: null };
    }
    const command = desk.creditProposal(
      proposal.proposalId,
      { target: { kind: 'candidate', candidateId: proposal.candidateId }, type: 'extend', params: { amountMs: proposal.amountMs, grounds: 'lost-time', partId: proposal.partId }, reason: proposal.reason, issuedBy: actor.username },
      this.ctx.now(),
    );
    this.ctx.audit(actor, 'room.lost-time.credited', proposal.candidateId, { ...details, cmdId: command.cmdId });
    return { command };
  }

  acknowledgeHand(actor: StaffActor, input: StationInput<'acknowledgeHand'>): IssuedCommandView {
    const command = this.ctx.desk().acknowledgeHand(input.deviceId, actor.username);
    this.ctx.audit(actor, 'room.hand.acknowledged', input.deviceId, { cmdId: command.cmdId });
    return command;
  }

  /**
   * An incident of the room (a session), a candidate, or a seat. A seat's incident is the incident of the
   * candidate sitting there, its note starting with the seat; a seat nobody sits at belongs to the session
   * when the roster has only one.
   */
  recordRoomIncident(actor: StaffActor, input: StationInput<'recordRoomIncident'>): StationOutput<'recordRoomIncident'> {
    const { target } = input;
    if (target.kind === 'room') return this.ctx.incident(actor, { sessionId: target.sessionId, kind: input.kind, note: input.note });
    if (target.kind === 'candidate') return this.ctx.incident(actor, { sessionId: this.requireCandidate(target.candidateId).sessionId, candidateId: target.candidateId, kind: input.kind, note: input.note });
    const seat = this.ctx.desk().seat(target.deviceId);
    if (!seat) throw new StationError('SEAT_UNKNOWN', target.deviceId);
    const label = this.ctx.db.get(this.ctx.db.q.selectFrom('room_seats').select('label').where('device_id', '=', target.deviceId))?.label ?? target.deviceId;
    const note = `[${label}] ${input.note}`;
    if (seat.candidateId) return this.ctx.incident(actor, { sessionId: this.requireCandidate(seat.candidateId).sessionId, candidateId: seat.candidateId, kind: input.kind, note });
    const sessions = this.ctx.db.all(this.ctx.db.q.selectFrom('sessions').select('session_id'));
    if (sessions.length !== 1) throw new StationError('VALIDATION_FAILED', 'nobody sits at this seat: record the incident for the room, naming its session');
    return this.ctx.incident(actor, { sessionId: sessions[0]!.session_id, kind: input.kind, note });
  }

  /** Removal: attendance removed and the incident first (they stand even without a room), then the seat locked. */
  removeCandidate(actor: StaffActor, input: StationInput<'removeCandidate'>, hasRoom: boolean): StationOutput<'removeCandidate'> {
    this.requireCandidate(input.candidateId);
    const recorded = this.ctx.remove(actor, input.candidateId, input.note);
    if (!hasRoom) return { ...recorded, command: null };
    const command = this.ctx.desk().issue({ target: { kind: 'candidate', candidateId: input.candidateId }, type: 'lock', reason: 'candidate removed from the session', issuedBy: actor.username });
    this.ctx.audit(actor, 'room.lock', input.candidateId, { target: 'candidate', reason: 'candidate removed', cmdId: command.cmdId });
    return { ...recorded, command };
  }

  controls(): RoomControlsView {
    const desk = this.ctx.desk();
    return {
      twoPersonSessions: this.twoPersonSessions(),
      keyReleases: this.releases().map((r) => this.releaseView(r, desk)),
      hands: desk.hands(),
      lostTime: desk.lostTime(),
      ledger: desk.ledger(),
      commands: desk.recentCommands(),
      partTitles: Object.fromEntries(partTitles(this.ctx.db)),
    };
  }
}
