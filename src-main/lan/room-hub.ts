// The hub's end of the room protocol (src-shared/contracts/room-protocol.ts), one seat connection at a
// time: the seat says hello, the hub answers with its watermark for that seat, its term and its clock;
// then pushes are applied and acknowledged, audio stored, heartbeats answered with the hub's clock and
// every command the seat has not confirmed, and results kept; the writes of all seats that arrive in
// one turn of the event loop are committed together (commitSoon). The room view (who is there, late,
// missing, what each seat reports) is built from the heartbeats.
// The channel below (mutual TLS, src-main/lan) has proved which seat is on a link; a frame that does not
// parse ends the link: a paired seat that sends one is broken or not ours.
import type { Statement } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import {
  HubFrame,
  ROOM_PENDING_COMMANDS_MAX,
  ROOM_PROTOCOL_VERSION,
  SEAT_LATE_MS,
  SEAT_MISSING_MS,
  SeatFrame,
  type FrameLink,
  type RoomCommand,
  type SeatState,
} from '../../src-shared/contracts/room-protocol.ts';
import { isCodedError } from '../../src-shared/errors.ts';
import { storageError, type StationDatabase } from '../station/database.ts';
import type { Outbox } from '../station/records/outbox.ts';
import { candidateAtSeat } from '../station/records/room-assignments.ts';
import type { HubPackages } from './package-staging.ts';
import { RoomCommands, type IssueCommand } from './room-commands.ts';
import { RoomMoves } from './room-moves.ts';
import { PushRefusal, SeatStreams } from './seat-streams.ts';

export type SeatPresence = 'connected' | 'late' | 'missing';

export interface SeatView {
  deviceId: string;
  presence: SeatPresence;
  connected: boolean;
  /** When the hub last heard from the seat (hub clock, ms), or null if never since the hub started. */
  lastSeenAt: number | null;
  /** What the seat's latest heartbeat said. */
  state: SeatState | null;
  ackedSeq: number;
  /**
   * Something about this seat that needs a person: an integrity alarm, a storage failure at the hub, or
   * what the seat's own heartbeat raised (its disk is full).
   */
  alarm: string | null;
}

export interface RoomHubOptions {
  db: StationDatabase;
  /** The hub station's outbox: the seats' events are relayed into it. */
  outbox: Outbox;
  /** The packages this hub pre-stages on its seats; none offered without it. */
  packages?: HubPackages;
  now?: () => Date;
  /** The room's seat directory, for moves: whether a seat is paired here and not revoked (none: every seat heard from counts). */
  directory?: (deviceId: string) => { revoked: boolean } | undefined;
}

/** A seat's write for the next group commit, and how to answer it. */
interface PendingWrite<T> {
  write: () => T;
  done: (result: T) => void;
  refused: (error: unknown) => void;
}

interface SeatRecord {
  link: FrameLink | null;
  /** Since when the seat belongs to the room (its pairing), if the channel said. */
  since: string | null;
  /** A passing trouble at the hub with this seat (its storage failed for a moment): goes with the next success. */
  trouble: { from: 'push' | 'frame'; text: string } | null;
  lastSeenAt: number | null;
  state: SeatState | null;
  alarm: string | null;
}

const INSTANCE_KEY = 'hub_instance';

interface Session {
  greeted: boolean;
  /** The package offer sent on this session (its JSON), so a changed list is offered again. */
  offered: string | null;
}

export class RoomHub {
  readonly streams: SeatStreams;
  readonly commands: RoomCommands;
  /** Candidates moved to spare seats, and the hand-overs (room-moves.ts). */
  readonly moves: RoomMoves;
  /** This hub database's id: a seat that sees another one knows the hub was rebuilt. */
  readonly instance: string;
  private readonly now: () => Date;
  private readonly seats = new Map<string, SeatRecord>();
  private readonly listeners = new Set<() => void>();
  private readonly packages: HubPackages | null;
  private readonly db: StationDatabase;
  private readonly outbox: Outbox;
  /** The seats' writes waiting for this turn's transaction (commitSoon). */
  private readonly writes: { link: FrameLink; record: SeatRecord; write: PendingWrite<unknown> }[] = [];
  /** One savepoint per write of a group commit, so a refused write is undone alone. */
  private readonly savepoint: { begin: Statement; release: Statement; rollback: Statement };

  constructor(options: RoomHubOptions) {
    this.now = options.now ?? (() => new Date());
    this.packages = options.packages ?? null;
    this.db = options.db;
    this.outbox = options.outbox;
    this.savepoint = { begin: options.db.sqlite.prepare('SAVEPOINT seat_write'), release: options.db.sqlite.prepare('RELEASE seat_write'), rollback: options.db.sqlite.prepare('ROLLBACK TO seat_write') };
    this.commands = new RoomCommands(options.db, this.now);
    this.moves = new RoomMoves({ db: options.db, outbox: options.outbox, now: this.now, hub: this, ...(options.directory ? { directory: options.directory } : {}) });
    this.streams = new SeatStreams(options.db, options.outbox, this.now, (tx, deviceId, relayed) => this.moves.flagLate(tx, deviceId, relayed));
    this.instance = hubInstance(options.db);
  }

  /** Called on every change of the room view (a heartbeat, a push, a seat coming or going). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private readonly beatListeners = new Set<(deviceId: string, state: SeatState, at: number) => void>();

  /** Called on every heartbeat with the seat's state and the hub's time of it (the lost-time proposals watch the silences). */
  onHeartbeat(listener: (deviceId: string, state: SeatState, at: number) => void): () => void {
    this.beatListeners.add(listener);
    return () => this.beatListeners.delete(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private record(deviceId: string): SeatRecord {
    let record = this.seats.get(deviceId);
    if (!record) {
      record = { link: null, since: null, trouble: null, lastSeenAt: null, state: null, alarm: null };
      this.seats.set(deviceId, record);
    }
    return record;
  }

  /**
   * A seat's link, its identity proved by the channel (`since`: when it was paired, from the room's seat
   * directory). A newer link of the same seat replaces the older.
   */
  attach(deviceId: string, link: FrameLink, since: string | null = null): void {
    const record = this.record(deviceId);
    record.since = since;
    if (record.link && record.link !== link) record.link.close('replaced by a newer connection of the same seat');
    const session: Session = { greeted: false, offered: null };
    link.onFrame((raw) => {
      const parsed = SeatFrame.safeParse(raw);
      if (!parsed.success) {
        link.close(`a frame outside the room protocol: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
        return;
      }
      try {
        this.onFrame(deviceId, link, record, session, parsed.data);
      } catch (error) {
        // A store that failed (the hub's disk is full ...) or a reply too large to send: the hub says so on
        // the room view and ends this session; the seat keeps everything and comes back.
        const { code, detail } = refusalOf(error);
        record.trouble = { from: 'frame', text: `${code}: ${detail}`.slice(0, 200) };
        link.close('the hub could not handle a frame');
        this.changed();
      }
    });
    link.onClose(() => {
      if (record.link === link) {
        record.link = null;
        this.changed();
      }
    });
  }

  private onFrame(deviceId: string, link: FrameLink, record: SeatRecord, session: Session, frame: SeatFrame): void {
    const send = (reply: HubFrame) => link.send(reply);
    if (frame.type === 'hello') {
      // A session is greeted once: a hello again on it is a replay, and its old lastSeq would raise a
      // false SEAT_BEHIND_HUB.
      if (session.greeted) return;
      if (frame.protocol !== ROOM_PROTOCOL_VERSION) {
        link.close(`ROOM_PROTOCOL_MISMATCH: the seat speaks room protocol ${frame.protocol}, this hub ${ROOM_PROTOCOL_VERSION}`);
        return;
      }
      session.greeted = true;
      record.link = link;
      this.seen(record);
      send({ type: 'welcome', protocol: ROOM_PROTOCOL_VERSION, hubInstance: this.instance, ackedSeq: this.streams.ackedSeq(deviceId), term: this.commands.term(), hubTime: this.now().getTime() });
      if (frame.lastSeq < this.streams.ackedSeq(deviceId)) record.alarm = `SEAT_BEHIND_HUB: the seat has events up to ${frame.lastSeq}, the hub holds it up to ${this.streams.ackedSeq(deviceId)}`;
      this.offerPackages(session, send);
      this.moves.greeted(deviceId, link);
      this.changed();
      return;
    }
    if (!session.greeted) {
      link.close('the first frame must be hello');
      return;
    }
    this.seen(record);
    switch (frame.type) {
      case 'push':
        this.commitSoon(link, record, {
          write: () => this.streams.apply(deviceId, frame.events),
          done: (result) => {
            record.trouble = null;
            send({ type: 'push-ack', pushId: frame.pushId, ...result });
          },
          refused: (error) => {
            const { code, detail } = refusalOf(error);
            if (error instanceof PushRefusal && (error.code === 'EVENT_CONFLICT' || error.code === 'PUSH_FOREIGN_ORIGIN')) record.alarm = `${code}: ${detail}`.slice(0, 200);
            else if (!(error instanceof PushRefusal)) record.trouble = { from: 'push', text: `${code}: ${detail}`.slice(0, 200) };
            send({ type: 'push-refused', pushId: frame.pushId, code, detail, expectedSeq: error instanceof PushRefusal ? error.expectedSeq : null });
          },
        });
        break;
      case 'audio':
        this.commitSoon(link, record, {
          write: () => this.streams.storeAudio(deviceId, { recordingId: frame.recordingId, index: frame.index, sha256: frame.sha256, data: Buffer.from(frame.data, 'base64') }),
          done: () => send({ type: 'audio-ack', recordingId: frame.recordingId, index: frame.index }),
          refused: (error) => {
            const { code, detail } = refusalOf(error);
            send({ type: 'audio-refused', recordingId: frame.recordingId, index: frame.index, code, detail });
          },
        });
        break;
      case 'heartbeat': {
        record.state = frame.state;
        for (const listener of this.beatListeners) listener(deviceId, frame.state, this.now().getTime());
        if (record.trouble?.from === 'frame') record.trouble = null;
        const commands = this.commands.pendingFor({ deviceId, candidateId: this.candidateAt(deviceId, frame.state), since: record.since }, ROOM_PENDING_COMMANDS_MAX);
        send({ type: 'heartbeat-reply', sentAt: frame.sentAt, hubTime: this.now().getTime(), commands });
        // A package imported at the hub since the last offer reaches the seat within a beat.
        this.offerPackages(session, send);
        break;
      }
      case 'package-want': {
        const chunk = this.packages?.chunk(frame.packageId, frame.index) ?? null;
        if (chunk) send({ type: 'package-chunk', packageId: frame.packageId, index: frame.index, sha256: chunk.sha256, data: chunk.data.toString('base64') });
        else send({ type: 'package-refused', packageId: frame.packageId, index: frame.index, code: 'PACKAGE_NOT_FOUND', detail: `this hub has no chunk ${frame.index} of package ${frame.packageId}` });
        break;
      }
      case 'handover-result':
        this.moves.settle(deviceId, frame);
        break;
      case 'command-result':
        this.commitSoon(link, record, {
          write: () => this.commands.confirm(deviceId, frame.result),
          done: () => undefined,
          // A result for a command this hub never issued (another hub's, before a rebuild): nothing to keep.
          refused: () => undefined,
        });
        break;
    }
    this.changed();
  }

  /**
   * Group commit: a seat's write (a push, an audio segment, a command's result) waits for the end of
   * this turn of the event loop and is committed in one transaction with every other seat's write
   * that came in the same turn; its reply is sent after that commit. With one transaction per write,
   * the hub of a full room spent most of its time waiting for the disk to sync (one fsync each, about
   * 300 a second for 300 seats), and a seat's push waited behind the others' syncs.
   * Each write runs in a savepoint of its own: one that is refused (a CodedError: a gap, a conflict, a
   * bad segment) is rolled back to it and answered alone, the others' writes kept. Any other failure
   * (the disk, SQLite) rolls the whole transaction back and refuses every write in it, each seat
   * sending again later as after a refusal of its own.
   */
  private commitSoon<T>(link: FrameLink, record: SeatRecord, write: PendingWrite<T>): void {
    this.writes.push({ link, record, write: write as PendingWrite<unknown> });
    if (this.writes.length === 1) setImmediate(() => this.commitWrites());
  }

  private commitWrites(): void {
    const writes = this.writes.splice(0);
    const replies: { link: FrameLink; record: SeatRecord; reply: () => void }[] = [];
    try {
      this.db.transaction(() => {
        for (const { link, record, write } of writes) {
          this.savepoint.begin.run();
          try {
            const result = write.write();
            this.savepoint.release.run();
            replies.push({ link, record, reply: () => write.done(result) });
          } catch (error) {
            if (!isCodedError(error)) throw error;
            this.savepoint.rollback.run();
            this.savepoint.release.run();
            // What the outbox handed out in this write is handed out again.
            this.outbox.forget();
            replies.push({ link, record, reply: () => write.refused(error) });
          }
        }
      });
    } catch (error) {
      // Nothing of this transaction was kept: what the outbox handed out in it is handed out again.
      this.outbox.forget();
      for (const { link, record, write } of writes) this.answer(link, record, () => write.refused(error));
      this.changed();
      return;
    }
    for (const { link, record, reply } of replies) this.answer(link, record, reply);
    this.changed();
  }

  /**
   * Send one reply of a commit, as onFrame would have: a reply that cannot be sent (too large) ends
   * that seat's session with a trouble on the room view, and keeps none of the others from going out.
   * A seat whose link went while its write waited hears nothing, and sends it again on its next link
   * (a duplicate, acknowledged as one).
   */
  private answer(link: FrameLink, record: SeatRecord, reply: () => void): void {
    try {
      reply();
    } catch (error) {
      record.trouble = { from: 'frame', text: `${isCodedError(error) ? error.code : 'INTERNAL'}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200) };
      link.close('the hub could not handle a frame');
    }
    this.changed();
  }

  /** Offer the hub's packages on this session, when the list differs from the one offered last. */
  private offerPackages(session: Session, send: (reply: HubFrame) => void): void {
    if (!this.packages) return;
    const packages = this.packages.offer(this.now());
    const fingerprint = JSON.stringify(packages);
    if (fingerprint === session.offered) return;
    session.offered = fingerprint;
    send({ type: 'package-offer', packages });
  }

  private seen(record: SeatRecord): void {
    record.lastSeenAt = this.now().getTime();
  }

  /** Issue a command: stored first, then sent to every connected seat it is meant for. */
  issue(input: IssueCommand): RoomCommand {
    const command = this.commands.issue(input);
    this.send(command);
    return command;
  }

  /** What the hub knows of one seat now: its greeted link, when it was last heard, its last heartbeat's state. */
  seat(deviceId: string): { link: FrameLink | null; lastSeenAt: number | null; state: SeatState | null } | undefined {
    const record = this.seats.get(deviceId);
    return record && { link: record.link, lastSeenAt: record.lastSeenAt, state: record.state };
  }

  /** Send a stored command to every connected seat it is meant for (once its store is committed). */
  send(command: RoomCommand): void {
    for (const [deviceId, record] of this.seats) {
      if (record.link && RoomCommands.isFor(command, { deviceId, candidateId: this.candidateAt(deviceId, record.state) })) record.link.send({ type: 'command', command } satisfies HubFrame);
    }
  }

  /** The candidate at a seat: the one the seat plan put there, else the one its heartbeat names. */
  private candidateAt(deviceId: string, state: SeatState | null): string | null {
    return candidateAtSeat(this.db, deviceId) ?? state?.attempt?.candidateId ?? null;
  }

  /** Every seat the hub knows of, problems first: missing, then late, then by device. */
  view(): SeatView[] {
    const now = this.now().getTime();
    const acked = new Map(this.streams.streams().map((s) => [s.deviceId, s.ackedSeq]));
    const ids = new Set([...this.seats.keys(), ...acked.keys()]);
    const rank: Record<SeatPresence, number> = { missing: 0, late: 1, connected: 2 };
    return [...ids]
      .map((deviceId): SeatView => {
        const record = this.seats.get(deviceId);
        const lastSeenAt = record?.lastSeenAt ?? null;
        const silent = lastSeenAt === null ? Infinity : now - lastSeenAt;
        const presence: SeatPresence = silent >= SEAT_MISSING_MS ? 'missing' : silent >= SEAT_LATE_MS ? 'late' : 'connected';
        return { deviceId, presence, connected: Boolean(record?.link), lastSeenAt, state: record?.state ?? null, ackedSeq: acked.get(deviceId) ?? 0, alarm: record?.alarm ?? record?.trouble?.text ?? record?.state?.alarm ?? null };
      })
      .sort((a, b) => Number(b.alarm !== null) - Number(a.alarm !== null) || rank[a.presence] - rank[b.presence] || a.deviceId.localeCompare(b.deviceId));
  }
}

/**
 * What the hub refuses a frame with. Its own full disk is HUB_DISK_FULL, not DISK_FULL: the seat and the
 * console must not read it as the seat's disk (the seat keeps everything and sends it again).
 */
function refusalOf(raw: unknown): { code: string; detail: string } {
  // A store's own SQLite failure becomes the catalogue's error (SQLITE_FULL is DISK_FULL ...).
  const error = storageError(raw);
  const detail = (error instanceof Error ? error.message : String(error)).slice(0, 500);
  if (!isCodedError(error)) return { code: 'INTERNAL', detail };
  if (error.code === 'DISK_FULL') return { code: 'HUB_DISK_FULL', detail: `the hub's disk is full: ${error.detail ?? ''}`.slice(0, 500) };
  return { code: error.code, detail };
}

function hubInstance(db: StationDatabase): string {
  return db.transaction(() => {
    const found = db.get(db.q.selectFrom('meta').select('value').where('key', '=', INSTANCE_KEY))?.value;
    if (found) return found;
    const made = randomUUID();
    db.run(db.q.insertInto('meta').values({ key: INSTANCE_KEY, value: made }));
    return made;
  });
}
