// The end and seal of a session at the hub (docs/room.md, "End and seal").
// End: one room command `end` with `{ sessionId, final: true }`; each seat ends the session's parts and
// submits, and the hub shows each seat's final state (the end carried out, its backlog empty).
// Seal: one room command `seal` with `{ sessionId }`; each seat answers its final digest of the session
// (src-shared/rules/seal-digest.ts) and from then on writes nothing of it. The hub compares each answer
// with its own digest of what it holds of that seat, once it holds everything the answer covers. The
// session is sealed only when every seat of it matched or was accounted for by the chief invigilator
// with a reason; then the hub writes the seal into its audit log (the room log: every staff action,
// command, check-in, incident, extra time, and now the seal with every seat's digest) and signs the
// log's head with its device key (room-log.ts). From then on the hub too writes nothing of the session.
import { createHash, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { canonicalJson } from '../../src-shared/canonical-json.ts';
import { SealAnswer, type RoomCommand } from '../../src-shared/contracts/room-protocol.ts';
import type { SealSeat, SealStatus } from '../../src-shared/contracts/room-seal.ts';
import { StationError } from '../../src-shared/errors.ts';
import type { StationDatabase } from '../station/database.ts';
import { AuditLog } from '../station/records/audit.ts';
import type { RoomSealControl } from '../station/room-control.ts';
import { hubDigestOfSeat, sessionOfCandidate } from '../station/session-seal.ts';
import { renderRoomProtocol } from './room-protocol-pdf.ts';
import { readRoomProtocol } from './room-protocol-data.ts';
import type { RoomHub } from './room-hub.ts';
import { ROOM_SEAL_FORMAT, type RoomSealStatement } from './room-log.ts';

export interface RoomSealOptions {
  db: StationDatabase;
  hub: RoomHub;
  /** The hub's device key: it signs the sealed room log's head. */
  identity: { deviceId: string; privateKey: KeyObject };
  /** Told when a session is sealed, so the hub's station refuses its writes from then on. */
  onSealed: (sessionId: string) => void;
  now?: () => Date;
  /** How long changes of the room are gathered before the seals are looked at again. */
  settleMs?: number;
  /** The protocol's fonts (the station's assets/fonts); the source tree's when not given. */
  fontsDir?: string;
}

interface SeatFacts {
  deviceId: string;
  candidateIds: Set<string>;
}

export class RoomSeal implements RoomSealControl {
  private readonly db: StationDatabase;
  private readonly hub: RoomHub;
  private readonly identity: RoomSealOptions['identity'];
  private readonly onSealed: (sessionId: string) => void;
  private readonly now: () => Date;
  private readonly audit: AuditLog;
  private readonly settleMs: number;
  private readonly fontsDir: string | undefined;
  /** The hub's digest of a seat, kept while what it holds of the seat stays the same. */
  private readonly digests = new Map<string, { key: string; digest: string; segments: number }>();
  private scheduled: NodeJS.Timeout | null = null;

  constructor(options: RoomSealOptions) {
    this.db = options.db;
    this.hub = options.hub;
    this.identity = options.identity;
    this.onSealed = options.onSealed;
    this.now = options.now ?? (() => new Date());
    this.audit = new AuditLog(options.db);
    this.settleMs = options.settleMs ?? 200;
    this.fontsDir = options.fontsDir;
    // Every answer and every push may complete a seal; a burst of them is looked at once.
    this.hub.onChange(() => this.schedule());
  }

  private schedule(): void {
    if (this.scheduled) return;
    try {
      if (!this.anySealing()) return;
    } catch {
      // The hub's database failed or is closed: the room's own frames say so; the next change asks again.
      return;
    }
    this.scheduled = setTimeout(() => {
      this.scheduled = null;
      this.settle();
    }, this.settleMs);
    this.scheduled.unref();
  }

  private anySealing(): boolean {
    return Boolean(this.db.get(this.db.q.selectFrom('room_seals').select('session_id').where('sealed_at', 'is', null).limit(1)));
  }

  /** Seal every session whose seats have all matched or been accounted for. Never throws: it runs beside the room's frames. */
  settle(): void {
    if (!this.db.sqlite.open) return;
    for (const row of this.db.all(this.db.q.selectFrom('room_seals').select(['session_id', 'requested_by']).where('sealed_at', 'is', null))) {
      try {
        const status = this.status(row.session_id);
        if (complete(status)) this.finish(row.session_id, row.requested_by);
      } catch (error) {
        console.error(`room seal of ${row.session_id}:`, error instanceof Error ? error.message : String(error));
      }
    }
  }

  // ---- what the hub knows of a session ------------------------------------------------------------

  private session(sessionId: string): void {
    if (!this.db.get(this.db.q.selectFrom('sessions').select('session_id').where('session_id', '=', sessionId))) throw new StationError('NOT_FOUND', `session ${sessionId}`);
  }

  private commandOf(type: 'end' | 'seal', sessionId: string): RoomCommand | null {
    const rows = this.db.all(this.db.q.selectFrom('room_commands').select('command_json').where('target_kind', '=', 'room').orderBy('room_seq', 'desc'));
    for (const row of rows) {
      const command = JSON.parse(row.command_json) as RoomCommand;
      if (command.type === type && command.params.sessionId === sessionId && (type === 'seal' || command.params.final === true)) return command;
    }
    return null;
  }

  /**
   * The seats of a session: those whose events at the hub opened an attempt of it, or that one of its
   * candidates was moved to (the attempt goes on there), or whose heartbeat names a candidate of it, or accounted for.
   */
  private seats(sessionId: string): SeatFacts[] {
    const sessionOf = sessionOfCandidate(this.db);
    const seats = new Map<string, SeatFacts>();
    const add = (deviceId: string, candidateId: string | null) => {
      const seat = seats.get(deviceId) ?? { deviceId, candidateIds: new Set<string>() };
      if (candidateId) seat.candidateIds.add(candidateId);
      seats.set(deviceId, seat);
    };
    const opened = this.db.all(this.db.q.selectFrom('outbox').select(['device_id', 'payload_json']).where('kind', '=', 'attempt.opened').where('origin_seq', 'is not', null));
    for (const row of opened) {
      const candidateId = (JSON.parse(row.payload_json) as { candidateId: string }).candidateId;
      if (sessionOf(candidateId) === sessionId) add(row.device_id, candidateId);
    }
    for (const move of this.db.all(this.db.q.selectFrom('room_moves').select(['to_device', 'candidate_id']).where('status', '!=', 'refused'))) {
      if (sessionOf(move.candidate_id) === sessionId) add(move.to_device, move.candidate_id);
    }
    for (const view of this.hub.view()) {
      const candidateId = view.state?.attempt?.candidateId ?? null;
      if (candidateId && sessionOf(candidateId) === sessionId) add(view.deviceId, candidateId);
    }
    for (const row of this.db.all(this.db.q.selectFrom('room_seal_accounts').select('device_id').where('session_id', '=', sessionId))) add(row.device_id, null);
    return [...seats.values()].sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  }

  /** The hub's digest of a seat's session, computed again only when the hub holds more of the seat. */
  private hubDigest(deviceId: string, sessionId: string, throughSeq: number): { digest: string; segments: number } {
    const audio = this.db.get(this.db.q.selectFrom('seat_audio').select((eb) => eb.fn.countAll<number>().as('n')).where('device_id', '=', deviceId));
    const key = `${this.hub.streams.ackedSeq(deviceId)}/${Number(audio?.n ?? 0)}/${throughSeq}`;
    const cacheKey = `${sessionId}\u0000${deviceId}`;
    const cached = this.digests.get(cacheKey);
    if (cached?.key === key) return cached;
    const computed = hubDigestOfSeat(this.db, deviceId, sessionId, throughSeq);
    const kept = { key, digest: computed.digest, segments: computed.segments };
    this.digests.set(cacheKey, kept);
    return kept;
  }

  status(sessionId: string): SealStatus {
    this.session(sessionId);
    const end = this.commandOf('end', sessionId);
    const sealRow = this.db.get(this.db.q.selectFrom('room_seals').selectAll().where('session_id', '=', sessionId));
    const seal = sealRow ? this.commandOf('seal', sessionId) : null;
    const labels = new Map(this.db.all(this.db.q.selectFrom('room_seats').select(['device_id', 'label'])).map((r) => [r.device_id, r.label]));
    const views = new Map(this.hub.view().map((v) => [v.deviceId, v]));
    const accounts = new Map(this.db.all(this.db.q.selectFrom('room_seal_accounts').selectAll().where('session_id', '=', sessionId)).map((a) => [a.device_id, a]));
    const endOutcomes = new Map((end ? this.hub.commands.outcomes(end.cmdId) : []).map((o) => [o.deviceId, o]));
    const sealOutcomes = new Map((seal ? this.hub.commands.outcomes(seal.cmdId) : []).map((o) => [o.deviceId, o]));
    const seats = this.seats(sessionId).map((seat): SealSeat => {
      const ended = endOutcomes.get(seat.deviceId);
      const backlog = views.get(seat.deviceId)?.state?.backlog;
      const account = accounts.get(seat.deviceId);
      const judged = this.judge(seat.deviceId, sessionId, sealOutcomes.get(seat.deviceId));
      return {
        deviceId: seat.deviceId,
        label: labels.get(seat.deviceId) ?? null,
        candidateIds: [...seat.candidateIds].sort(),
        end: ended ? ended.status : 'pending',
        endCode: ended?.code ?? null,
        final: ended?.status === 'applied' && backlog !== undefined && backlog.events === 0 && backlog.audioBytes === 0,
        // A seat accounted for stays accounted unless its answer came after all and matched, or differs.
        ...(account && judged.seal !== 'matched' && judged.seal !== 'mismatch' ? { seal: 'accounted' as const, sealCode: judged.sealCode } : judged),
        accounted: account ? { reason: account.reason, by: account.accounted_by, at: account.accounted_at } : null,
      };
    });
    const statement = sealRow?.statement_json ? (JSON.parse(sealRow.statement_json) as RoomSealStatement) : null;
    return {
      sessionId,
      state: sealRow?.sealed_at ? 'sealed' : sealRow ? 'sealing' : end ? 'ended' : 'open',
      endedAt: end ? new Date(end.effectiveAt).toISOString() : null,
      endedBy: end?.issuedBy ?? null,
      sealRequestedAt: sealRow?.requested_at ?? null,
      sealedAt: sealRow?.sealed_at ?? null,
      sealedBy: statement?.sealedBy ?? null,
      digest: statement?.sessionDigest ?? null,
      seats,
    };
  }

  /** What a seat's answer to the seal comes to, against what the hub holds of it. */
  private judge(deviceId: string, sessionId: string, outcome: { status: string; code: string | null; answer: unknown } | undefined): Pick<SealSeat, 'seal' | 'sealCode'> {
    if (!outcome) return { seal: 'pending', sealCode: null };
    if (outcome.status === 'refused') return { seal: 'refused', sealCode: outcome.code };
    const parsed = SealAnswer.safeParse(outcome.answer);
    if (!parsed.success) return { seal: 'refused', sealCode: 'VALIDATION_FAILED' };
    const answer = parsed.data;
    // The channel proved which seat is on the link; an answer naming another seat or session is not its own.
    if (answer.deviceId !== deviceId || answer.sessionId !== sessionId) return { seal: 'refused', sealCode: 'SEAL_FOREIGN_SEAT' };
    if (this.hub.streams.ackedSeq(deviceId) < answer.lastSeq) return { seal: 'waiting', sealCode: null };
    const held = this.hubDigest(deviceId, sessionId, answer.lastSeq);
    if (held.digest === answer.digest) return { seal: 'matched', sealCode: null };
    // Audio still on its way is not a difference yet.
    if (held.segments < answer.segments) return { seal: 'waiting', sealCode: null };
    return { seal: 'mismatch', sealCode: 'SEAL_DIGEST_MISMATCH' };
  }

  private refuseSealed(sessionId: string): void {
    const row = this.db.get(this.db.q.selectFrom('room_seals').select('sealed_at').where('session_id', '=', sessionId));
    if (row?.sealed_at) throw new StationError('SESSION_ALREADY_SEALED', `session ${sessionId} was sealed at ${row.sealed_at}`);
  }

  // ---- the chief's and the invigilators' actions ------------------------------------------------------

  end(sessionId: string, actor: string, reason: string | null): SealStatus {
    this.session(sessionId);
    this.refuseSealed(sessionId);
    if (this.commandOf('end', sessionId)) return this.status(sessionId);
    const command = this.db.transaction((tx) => {
      const issued = this.hub.commands.issue({ target: { kind: 'room' }, type: 'end', params: { sessionId, final: true }, reason, issuedBy: actor });
      this.audit.append(tx, { actor, action: 'room.end', target: sessionId, details: { cmdId: issued.cmdId, reason } }, this.now());
      return issued;
    });
    this.hub.send(command);
    return this.status(sessionId);
  }

  seal(sessionId: string, actor: string): SealStatus {
    this.session(sessionId);
    this.refuseSealed(sessionId);
    if (!this.commandOf('end', sessionId)) throw new StationError('ROOM_NOT_ENDED', `session ${sessionId}`);
    const asked = this.db.get(this.db.q.selectFrom('room_seals').select('requested_by').where('session_id', '=', sessionId));
    if (!asked) {
      const command = this.db.transaction((tx) => {
        const issued = this.hub.commands.issue({ target: { kind: 'room' }, type: 'seal', params: { sessionId }, issuedBy: actor });
        const at = this.now();
        this.db.run(this.db.q.insertInto('room_seals').values({ session_id: sessionId, cmd_id: issued.cmdId, requested_by: actor, requested_at: at.toISOString() }));
        this.audit.append(tx, { actor, action: 'room.seal.request', target: sessionId, details: { cmdId: issued.cmdId } }, at);
        return issued;
      });
      this.hub.send(command);
      return this.status(sessionId);
    }
    const status = this.status(sessionId);
    const differing = status.seats.filter((s) => s.seal === 'mismatch');
    if (differing.length > 0) throw new StationError('SEAL_DIGEST_MISMATCH', differing.map((s) => s.label ?? s.deviceId).join(', '));
    if (complete(status)) this.finish(sessionId, actor);
    return this.status(sessionId);
  }

  account(sessionId: string, deviceId: string, reason: string, actor: string): SealStatus {
    this.session(sessionId);
    this.refuseSealed(sessionId);
    if (!this.commandOf('end', sessionId)) throw new StationError('ROOM_NOT_ENDED', `session ${sessionId}`);
    const seat = this.status(sessionId).seats.find((s) => s.deviceId === deviceId);
    if (!seat || seat.seal === 'matched') throw new StationError('SEAL_NOT_NEEDED', deviceId);
    if (seat.seal === 'mismatch') throw new StationError('SEAL_DIGEST_MISMATCH', `${seat.label ?? deviceId}: a seat whose digest differs is not accounted for, its difference is resolved`);
    this.db.transaction((tx) => {
      const at = this.now();
      this.db.run(
        this.db.q
          .insertInto('room_seal_accounts')
          .values({ session_id: sessionId, device_id: deviceId, reason, accounted_by: actor, accounted_at: at.toISOString() })
          .onConflict((oc) => oc.columns(['session_id', 'device_id']).doUpdateSet({ reason, accounted_by: actor, accounted_at: at.toISOString() })),
      );
      this.audit.append(tx, { actor, action: 'room.seal.account', target: deviceId, details: { sessionId, reason, label: seat.label } }, at);
    });
    const status = this.status(sessionId);
    if (status.state === 'sealing' && complete(status)) this.finish(sessionId, actor);
    return this.status(sessionId);
  }

  /**
   * Seal: the seal entry (every seat's digest or accounting, and the session's digest over them) goes
   * into the audit log, and the hub signs the log's head, which is that entry.
   */
  private finish(sessionId: string, actor: string): void {
    const status = this.status(sessionId);
    const seats = status.seats.map((seat) => {
      const outcome = this.sealAnswer(sessionId, seat.deviceId);
      return seat.seal === 'accounted'
        ? { deviceId: seat.deviceId, label: seat.label, accounted: { reason: seat.accounted!.reason, by: seat.accounted!.by } }
        : { deviceId: seat.deviceId, label: seat.label, digest: outcome!.digest, events: outcome!.events, segments: outcome!.segments };
    });
    const sessionDigest = createHash('sha256').update(canonicalJson({ format: ROOM_SEAL_FORMAT, sessionId, seats }), 'utf8').digest('hex');
    const sealedAt = this.now();
    this.db.transaction((tx) => {
      const seq = this.audit.append(tx, { actor, action: 'room.sealed', target: sessionId, details: { sessionDigest, seats } }, sealedAt);
      const hash = this.db.get(this.db.q.selectFrom('audit_log').select('hash').where('seq', '=', seq))!.hash;
      const statement: RoomSealStatement = { format: ROOM_SEAL_FORMAT, sessionId, hubDeviceId: this.identity.deviceId, sealedAt: sealedAt.toISOString(), sealedBy: actor, sessionDigest, auditHead: { seq, hash } };
      const signature = sign('sha256', Buffer.from(canonicalJson(statement), 'utf8'), this.identity.privateKey).toString('base64');
      this.db.run(this.db.q.updateTable('room_seals').set({ sealed_at: statement.sealedAt, statement_json: canonicalJson(statement), signature }).where('session_id', '=', sessionId));
    });
    this.onSealed(sessionId);
  }

  private sealAnswer(sessionId: string, deviceId: string): SealAnswer | null {
    const seal = this.commandOf('seal', sessionId);
    const outcome = seal ? this.hub.commands.outcomes(seal.cmdId).find((o) => o.deviceId === deviceId) : undefined;
    const parsed = SealAnswer.safeParse(outcome?.answer);
    return parsed.success ? parsed.data : null;
  }

  /** The signed statement of a sealed session, for the protocol and for checking the room log. */
  sealed(sessionId: string): { statement: RoomSealStatement; signature: string } | null {
    const row = this.db.get(this.db.q.selectFrom('room_seals').select(['statement_json', 'signature']).where('session_id', '=', sessionId));
    return row?.statement_json && row.signature ? { statement: JSON.parse(row.statement_json) as RoomSealStatement, signature: row.signature } : null;
  }

  async protocol(sessionId: string, actor: string): Promise<Uint8Array<ArrayBuffer>> {
    this.session(sessionId);
    const data = readRoomProtocol(this.db, sessionId, { status: this.status(sessionId), sealed: this.sealed(sessionId), hubDeviceId: this.identity.deviceId, now: this.now() });
    const pdf = await renderRoomProtocol(data, this.fontsDir);
    this.db.transaction((tx) => this.audit.append(tx, { actor, action: 'room.protocol', target: sessionId, details: { bytes: pdf.byteLength, sealed: data.seal !== null } }, this.now()));
    return pdf;
  }
}

/** Every seat of the session matched or accounted for. */
function complete(status: SealStatus): boolean {
  return status.state === 'sealing' && status.seats.every((s) => s.seal === 'matched' || s.seal === 'accounted');
}
