// The seat's end of the room protocol (src-shared/contracts/room-protocol.ts). The seat never waits for
// the hub: the candidate's work is committed in the seat's own database first, and this link carries it
// to the hub when it can — events from the hub's watermark, then the takes' audio — and catches up
// after any outage. Commands from the hub are stored before they are applied, applied once each in
// the order they arrive, and confirmed until the hub stops repeating them; a command of a lower term
// than the seat has seen is refused. Heartbeats carry the seat's state and bring back the hub's clock,
// from which the seat keeps its offset to the room's time.
import { SEAT_ACKED_SEQ_META } from '../station/tables.ts';
import { sql } from 'kysely';
import {
  HubFrame,
  ROOM_HEARTBEAT_MS,
  ROOM_PROTOCOL_VERSION,
  ROOM_PUSH_MAX_BYTES,
  ROOM_PUSH_MAX_EVENTS,
  ROOM_PUSH_TIMEOUT_MS,
  RoomCommand,
  type CommandResult,
  type FrameLink,
  type SeatFrame,
  type SeatState,
} from '../../src-shared/contracts/room-protocol.ts';
import { isCodedError } from '../../src-shared/errors.ts';
import type { PreparedQuery, StationDatabase } from '../station/database.ts';
import type { Outbox } from '../station/records/outbox.ts';
import type { SeatStaging } from './staging.ts';

/**
 * Carries out one command on the seat's station; throws a CodedError to refuse it. Synchronous: the link
 * runs it inside the transaction that marks the command applied, so a command is applied exactly once
 * whenever the seat stops (applied and marked, or neither). A command that asks for something back (the
 * seal's digest) returns its answer: kept with the command and sent with every confirmation of it.
 */
export type CommandApplier = (command: RoomCommand) => Record<string, unknown> | void;

/** What the seat's station reports of itself; the link adds what it knows (backlog, clock, alarm). */
export type SeatReport = Omit<SeatState, 'backlog' | 'clockOffsetMs' | 'alarm'>;

export interface SeatLinkOptions {
  db: StationDatabase;
  outbox: Outbox;
  apply: CommandApplier;
  report: () => SeatReport;
  /** The seat's own clock (not the room's time: the offset to the hub is measured against it). */
  now?: () => Date;
  heartbeatMs?: number;
  pushTimeoutMs?: number;
  /** Audio segments sent before their acknowledgements come back. */
  audioWindow?: number;
  /** Told every new estimate of the offset to the hub's clock (the seat's RoomClock). */
  onClockOffset?: (offsetMs: number) => void;
  /** A trouble of the seat's own station (its disk is full), told to the hub in every heartbeat until it goes. */
  stationAlarm?: () => string | null;
  /** Fetches the packages the hub offers (pre-staging); without it offers are ignored. */
  staging?: SeatStaging;
  /** Takes a moved candidate's hand-over piece by piece (hand-over.ts); the result once it is whole. */
  handOver?: (piece: Extract<HubFrame, { type: 'handover' }>) => Extract<SeatFrame, { type: 'handover-result' }> | null;
}

export interface SeatLinkStatus {
  connected: boolean;
  /** Everything up to here is committed at the hub, as far as the seat knows. */
  ackedSeq: number;
  backlogEvents: number;
  oldestUnackedAgeMs: number | null;
  audioSegmentsPending: number;
  audioBytesPending: number;
  /** Hub clock − seat clock, once a heartbeat came back. */
  clockOffsetMs: number | null;
  alarm: string | null;
}

const HUB_INSTANCE_KEY = 'seat_hub_instance';
const TERM_KEY = 'seat_highest_term';
const ACKED_KEY = SEAT_ACKED_SEQ_META;
/** Offset samples kept; the one with the shortest round trip is the best estimate. */
const OFFSET_SAMPLES = 8;
/** A sample this far from the estimate is a step of the seat's clock, not noise: start the window again. */
const OFFSET_STEP_MS = 1000;
/** After a refusal the seat cannot resolve (the hub's disk is full ...), wait this long before trying again. */
const RETRY_MS = 5000;

interface Connection {
  link: FrameLink;
  welcomed: boolean;
  /** The next seq the hub expects from this seat. */
  nextSeq: number;
  inFlight: { pushId: number; lastSeq: number; timer: NodeJS.Timeout } | null;
  audioInFlight: Set<string>;
  /**
   * When the newest event sent on this connection was written: a take's segment goes only once the event
   * that announces it (written in the same transaction, with the same time) has gone before it.
   */
  sentThrough: string;
  heartbeat: NodeJS.Timeout | null;
  retryAt: number;
}

export class SeatLink {
  private readonly db: StationDatabase;
  private readonly outbox: Outbox;
  private readonly applyCommand: CommandApplier;
  private readonly report: () => SeatReport;
  private readonly now: () => Date;
  private readonly heartbeatMs: number;
  private readonly pushTimeoutMs: number;
  private readonly audioWindow: number;
  private readonly onClockOffset: ((offsetMs: number) => void) | undefined;
  private readonly stationAlarm: () => string | null;
  private readonly staging: SeatStaging | null;
  private readonly handOver: SeatLinkOptions['handOver'];
  private connection: Connection | null = null;
  private pushIds = 0;
  private offsets: { rtt: number; offset: number }[] = [];
  /** Something only a person can resolve (an integrity conflict, a seat behind its hub): it stays. */
  private alarm: string | null = null;
  /** A passing trouble (the hub could not store for a moment, a frame the seat could not handle): it goes with the next success. */
  private trouble: string | null = null;
  /** Integrity problems stop the push for good (until a person looks); other refusals only pause it. */
  private pushStopped = false;
  /** Segments the hub refused for good (other bytes held, damaged); not sent again in this run. */
  private readonly audioRefused = new Set<string>();
  /** Segments the hub could not take just now, and when to try them again. */
  private readonly audioRetryAt = new Map<string, number>();
  /**
   * Every segment up to this rowid of recording_segments is acknowledged by the current hub instance,
   * so the searches for unsent audio (at every pump and every beat) start after it rather than going
   * over every segment of every take. It holds because segments are only added (rowids grow; a seat
   * deletes nothing of a session before it is sealed) and acknowledgements are only forgotten all at
   * once, for another hub instance or a restored one, which sets it back to 0.
   */
  private audioAckedThrough = 0;
  private readonly metaValue: PreparedQuery<{ key: string }, { value: string }>;
  private readonly metaWrite: PreparedQuery<{ key: string; value: string }, unknown>;
  private readonly unsentSegments: PreparedQuery<{ after: number; limit: number }, { rowid: number; recording_id: string; idx: number; sha256: string; data: Buffer; received_at: string }>;
  private readonly lastSegment: PreparedQuery<Record<string, never>, { last: number | null }>;
  private stopped = false;

  constructor(options: SeatLinkOptions) {
    this.db = options.db;
    this.outbox = options.outbox;
    this.applyCommand = options.apply;
    this.report = options.report;
    this.now = options.now ?? (() => new Date());
    this.heartbeatMs = options.heartbeatMs ?? ROOM_HEARTBEAT_MS;
    this.pushTimeoutMs = options.pushTimeoutMs ?? ROOM_PUSH_TIMEOUT_MS;
    this.audioWindow = options.audioWindow ?? 4;
    this.onClockOffset = options.onClockOffset;
    this.stationAlarm = options.stationAlarm ?? (() => null);
    this.staging = options.staging ?? null;
    this.handOver = options.handOver;
    // Prepared once: the link reads and writes its meta keys at every acknowledgement.
    this.metaValue = this.db.prepared<{ key: string }, { value: string }>((p) => this.db.q.selectFrom('meta').select('value').where('key', '=', p.key));
    this.metaWrite = this.db.prepared<{ key: string; value: string }>((p) =>
      this.db.q
        .insertInto('meta')
        .values({ key: p.key, value: p.value })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: p.value })),
    );
    // Every pump looks for unsent audio; on a seat that records, that is several times a second.
    this.unsentSegments = this.db.prepared((p: { after: number; limit: number }) =>
      this.db.q
        .selectFrom('recording_segments as s')
        .leftJoin('seat_audio_sent as a', (join) => join.onRef('a.recording_id', '=', 's.recording_id').onRef('a.idx', '=', 's.idx'))
        .select([sql<number>`s.rowid`.as('rowid'), 's.recording_id', 's.idx', 's.sha256', 's.data', 's.received_at'])
        .where(sql`s.rowid`, '>', p.after)
        .where('a.recording_id', 'is', null)
        // A moved candidate's audio from the hand-over is the hub's already: not this seat's to send.
        .where('s.recording_id', 'not in', (eb) => eb.selectFrom('seat_handed_over_recordings').select('recording_id'))
        .orderBy(sql`s.rowid`)
        .limit(p.limit),
    );
    this.lastSegment = this.db.prepared(() => this.db.q.selectFrom('recording_segments').select(sql<number | null>`max(rowid)`.as('last')));
    // Commands stored before a crash and not yet applied are applied now, in order.
    for (const row of this.db.all(this.db.q.selectFrom('seat_commands').select('command_json').where('status', '=', 'stored').orderBy('room_seq'))) {
      this.carryOut(RoomCommand.parse(JSON.parse(row.command_json)));
    }
  }

  /** The room's time: this seat's clock moved by its offset to the hub (the seat's own before the first reply). */
  hubNow(): number {
    return this.now().getTime() + (this.clockOffset() ?? 0);
  }

  private clockOffset(): number | null {
    if (this.offsets.length === 0) return null;
    return this.offsets.reduce((best, s) => (s.rtt < best.rtt ? s : best)).offset;
  }

  private meta(key: string): string | undefined {
    return this.metaValue.get({ key })?.value;
  }

  private setMeta(key: string, value: string): void {
    this.db.transaction(() => this.metaWrite.run({ key, value }));
  }

  /** A new connection to the hub (the channel made it; after a drop it makes another). */
  connect(link: FrameLink): void {
    if (this.stopped) {
      link.close('the seat link is stopped');
      return;
    }
    this.drop();
    const connection: Connection = { link, welcomed: false, nextSeq: 1, inFlight: null, audioInFlight: new Set(), sentThrough: '', heartbeat: null, retryAt: 0 };
    this.connection = connection;
    this.staging?.begin((frame) => this.send(connection, frame));
    link.onFrame((raw) => {
      if (this.connection !== connection) return;
      const parsed = HubFrame.safeParse(raw);
      if (!parsed.success) {
        link.close(`a frame outside the room protocol: ${parsed.error.issues[0]?.path.join('.')}`);
        return;
      }
      try {
        this.onFrame(connection, parsed.data);
      } catch (error) {
        // The seat's own storage failed (its disk is full ...) or a frame could not be sent: the seat
        // says so and starts the session again; its station, and the candidate's work, go on.
        this.trouble = `${isCodedError(error) ? error.code : 'INTERNAL'}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200);
        link.close('the seat could not handle a frame');
      }
    });
    link.onClose(() => {
      if (this.connection === connection) this.drop();
    });
    this.send(connection, { type: 'hello', protocol: ROOM_PROTOCOL_VERSION, lastSeq: this.outbox.lastSeq(), highestTerm: Number(this.meta(TERM_KEY) ?? 0) });
  }

  /** Something new was committed: push it now rather than at the next beat. */
  kick(): void {
    if (!this.connection) return;
    try {
      this.pump(this.connection);
    } catch (error) {
      this.trouble = `${isCodedError(error) ? error.code : 'INTERNAL'}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200);
    }
  }

  stop(): void {
    this.stopped = true;
    const link = this.connection?.link;
    this.drop();
    link?.close('the seat is shutting down');
  }


  private drop(): void {
    const connection = this.connection;
    if (!connection) return;
    if (connection.inFlight) clearTimeout(connection.inFlight.timer);
    if (connection.heartbeat) clearInterval(connection.heartbeat);
    this.staging?.end();
    this.connection = null;
  }

  private send(connection: Connection, frame: SeatFrame): void {
    connection.link.send(frame);
  }

  private onFrame(connection: Connection, frame: HubFrame): void {
    switch (frame.type) {
      case 'welcome': {
        if (frame.protocol !== ROOM_PROTOCOL_VERSION) {
          connection.link.close(`ROOM_PROTOCOL_MISMATCH: the hub speaks room protocol ${frame.protocol}`);
          return;
        }
        // Another hub database than before, or the same one restored from an earlier copy (it holds less of
        // this seat than it acknowledged): either way it may lack audio it once acknowledged.
        if (this.meta(HUB_INSTANCE_KEY) !== frame.hubInstance || frame.ackedSeq < Number(this.meta(ACKED_KEY) ?? 0)) {
          this.db.transaction(() => {
            this.db.run(this.db.q.deleteFrom('seat_audio_sent'));
            this.setMeta(HUB_INSTANCE_KEY, frame.hubInstance);
          });
          this.audioAckedThrough = 0;
          this.audioRefused.clear();
        }
        const lastSeq = this.outbox.lastSeq();
        if (frame.ackedSeq > lastSeq) {
          this.alarm = `SEAT_BEHIND_HUB: the hub holds this seat up to ${frame.ackedSeq}, the seat has ${lastSeq}`;
          this.pushStopped = true;
        }
        connection.welcomed = true;
        connection.nextSeq = frame.ackedSeq + 1;
        connection.sentThrough = frame.ackedSeq > 0 ? (this.db.get(this.db.q.selectFrom('outbox').select('created_at').where('seq', '=', frame.ackedSeq))?.created_at ?? '') : '';
        this.noteAcked(frame.ackedSeq);
        this.noteTerm(frame.term);
        // A first estimate, until a heartbeat's round trip gives a measured one: its one-way delay is
        // unknown, so it ranks below every measured sample.
        this.offsets = [{ rtt: Number.MAX_SAFE_INTEGER, offset: frame.hubTime - this.now().getTime() }];
        this.onClockOffset?.(this.offsets[0]!.offset);
        this.beat(connection);
        if (connection.heartbeat) clearInterval(connection.heartbeat);
        connection.heartbeat = setInterval(() => this.beat(connection), this.heartbeatMs);
        this.pump(connection);
        return;
      }
      case 'push-ack': {
        if (!connection.inFlight || connection.inFlight.pushId !== frame.pushId) return;
        clearTimeout(connection.inFlight.timer);
        connection.inFlight = null;
        this.trouble = null;
        connection.nextSeq = Math.max(connection.nextSeq, frame.ackedSeq + 1);
        this.noteAcked(frame.ackedSeq);
        this.pump(connection);
        return;
      }
      case 'push-refused': {
        if (!connection.inFlight || connection.inFlight.pushId !== frame.pushId) return;
        clearTimeout(connection.inFlight.timer);
        connection.inFlight = null;
        if (frame.code === 'SEQ_GAP' && frame.expectedSeq !== null) {
          connection.nextSeq = frame.expectedSeq;
          if (frame.expectedSeq - 1 > this.outbox.lastSeq()) {
            this.alarm = `SEAT_BEHIND_HUB: ${frame.detail}`;
            this.pushStopped = true;
          }
        } else if (frame.code === 'EVENT_CONFLICT' || frame.code === 'PUSH_FOREIGN_ORIGIN') {
          this.alarm = `${frame.code}: ${frame.detail}`.slice(0, 200);
          this.pushStopped = true;
        } else {
          this.trouble = `${frame.code}: ${frame.detail}`.slice(0, 200);
          connection.retryAt = this.now().getTime() + RETRY_MS;
          setTimeout(() => this.connection === connection && this.pump(connection), RETRY_MS).unref();
        }
        this.pump(connection);
        return;
      }
      case 'audio-ack': {
        const key = `${frame.recordingId}/${frame.index}`;
        connection.audioInFlight.delete(key);
        this.db.transaction(() =>
          this.db.run(
            this.db.q
              .insertInto('seat_audio_sent')
              .values({ recording_id: frame.recordingId, idx: frame.index, acked_at: this.now().toISOString() })
              .onConflict((oc) => oc.columns(['recording_id', 'idx']).doNothing()),
          ),
        );
        this.pump(connection);
        return;
      }
      case 'audio-refused': {
        const key = `${frame.recordingId}/${frame.index}`;
        connection.audioInFlight.delete(key);
        if (frame.code === 'UPLOAD_CHUNK_CHECKSUM_MISMATCH' || frame.code === 'RECORDING_CONFLICT') {
          // The hub holds other bytes for it, or these are damaged: sending again cannot help.
          this.audioRefused.add(key);
          this.alarm = `${frame.code}: segment ${frame.index} of ${frame.recordingId}`.slice(0, 200);
        } else {
          // Not announced yet, or the hub could not store it now: again after a while.
          this.audioRetryAt.set(key, this.now().getTime() + RETRY_MS);
          setTimeout(() => this.connection === connection && this.pump(connection), RETRY_MS).unref();
        }
        this.pump(connection);
        return;
      }
      case 'heartbeat-reply': {
        const receivedAt = this.now().getTime();
        this.sample(frame.hubTime, frame.sentAt, receivedAt);
        for (const command of frame.commands) this.receive(connection, command);
        return;
      }
      case 'command':
        this.receive(connection, frame.command);
        return;
      case 'package-offer':
        this.staging?.onOffer(frame);
        return;
      case 'package-chunk':
        this.staging?.onChunk(frame);
        return;
      case 'package-refused':
        this.staging?.onRefused(frame);
        return;
      case 'handover': {
        const result = this.handOver ? this.handOver(frame) : { type: 'handover-result' as const, moveId: frame.moveId, status: 'refused' as const, code: 'COMMAND_UNSUPPORTED', detail: 'this seat does not take hand-overs' };
        if (result) this.send(connection, result);
        return;
      }
    }
  }

  private sample(hubTime: number, sentAt: number, receivedAt: number): void {
    const rtt = receivedAt - sentAt;
    // The seat's own clock stepped between sending and receiving: this round trip measures nothing.
    if (rtt < 0) return;
    const offset = Math.round(hubTime - (sentAt + rtt / 2));
    const best = this.clockOffset();
    // An offset far from the estimate means the seat's clock stepped: the older samples are of the old clock.
    if (best !== null && Math.abs(offset - best) > OFFSET_STEP_MS) this.offsets = [];
    this.offsets.push({ rtt, offset });
    if (this.offsets.length > OFFSET_SAMPLES) this.offsets.shift();
    this.onClockOffset?.(this.clockOffset()!);
  }

  private noteAcked(ackedSeq: number): void {
    if (Number(this.meta(ACKED_KEY) ?? -1) !== ackedSeq) this.setMeta(ACKED_KEY, String(ackedSeq));
  }

  private noteTerm(term: number): void {
    if (term > Number(this.meta(TERM_KEY) ?? 0)) this.setMeta(TERM_KEY, String(term));
  }

  private beat(connection: Connection): void {
    if (this.connection !== connection) return;
    try {
      this.beatNow(connection);
    } catch (error) {
      this.trouble = `${isCodedError(error) ? error.code : 'INTERNAL'}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 200);
    }
  }

  private beatNow(connection: Connection): void {
    const status = this.status();
    const state: SeatState = {
      ...this.report(),
      backlog: { events: status.backlogEvents, oldestAgeMs: status.oldestUnackedAgeMs, audioBytes: status.audioBytesPending },
      clockOffsetMs: status.clockOffsetMs,
      alarm: status.alarm,
      ...(this.staging ? { packages: this.staging.packagesOnSeat() } : {}),
    };
    this.send(connection, { type: 'heartbeat', sentAt: this.now().getTime(), state });
    this.pump(connection);
  }

  /** Send what the hub does not have yet: events first, one push in flight; then audio, a few segments at a time. */
  private pump(connection: Connection): void {
    if (this.connection !== connection || !connection.welcomed || this.pushStopped) return;
    this.pumpEvents(connection);
    // Audio has its own small window beside the push, so a slow link carries both (answers first).
    this.pumpAudio(connection);
  }

  private pumpEvents(connection: Connection): void {
    if (connection.inFlight || this.now().getTime() < connection.retryAt) return;
    const lastSeq = this.outbox.lastSeq();
    if (connection.nextSeq <= lastSeq) {
      const read = this.outbox.read(connection.nextSeq - 1, ROOM_PUSH_MAX_EVENTS);
      const events = [];
      let bytes = 0;
      for (const event of read) {
        const size = JSON.stringify(event).length;
        if (events.length > 0 && bytes + size > ROOM_PUSH_MAX_BYTES) break;
        events.push(event);
        bytes += size;
      }
      if (events.length === 0) return;
      const pushId = (this.pushIds += 1);
      const timer = setTimeout(() => {
        if (this.connection === connection) connection.link.close(`no acknowledgement of push ${pushId} within ${this.pushTimeoutMs} ms`);
      }, this.pushTimeoutMs);
      timer.unref();
      connection.inFlight = { pushId, lastSeq: events.at(-1)!.seq, timer };
      this.send(connection, { type: 'push', pushId, events });
      connection.sentThrough = events.at(-1)!.createdAt;
    }
  }

  private pumpAudio(connection: Connection): void {
    const room = this.audioWindow - connection.audioInFlight.size;
    if (room <= 0) return;
    if (connection.sentThrough === '') return;
    const candidates = this.unsentAudio(room + connection.audioInFlight.size + this.audioRefused.size + this.audioRetryAt.size, connection.sentThrough);
    const now = this.now().getTime();
    for (const segment of candidates) {
      if (connection.audioInFlight.size >= this.audioWindow) break;
      const key = `${segment.recording_id}/${segment.idx}`;
      if (connection.audioInFlight.has(key) || this.audioRefused.has(key) || (this.audioRetryAt.get(key) ?? 0) > now) continue;
      this.send(connection, { type: 'audio', recordingId: segment.recording_id, index: Number(segment.idx), sha256: segment.sha256, data: Buffer.from(segment.data).toString('base64') });
      connection.audioInFlight.add(key);
    }
  }

  /**
   * The oldest segments the hub has not acknowledged, in the order they were recorded, that the events
   * sent on this connection have announced (written up to `announcedThrough`).
   */
  private unsentAudio(limit: number, announcedThrough: string): { recording_id: string; idx: number; sha256: string; data: Buffer }[] {
    const rows = this.unsentSegments.all({ after: this.audioAckedThrough, limit });
    // What lies before the first unsent segment is acknowledged, announced or not; with none unsent,
    // everything is. (The low-water follows the unsent, not the announced: a segment whose event has
    // not gone yet stays above it.)
    const first = rows[0];
    if (first) this.audioAckedThrough = Number(first.rowid) - 1;
    else this.audioAckedThrough = Number(this.lastSegment.get({})?.last ?? this.audioAckedThrough);
    return rows.filter((row) => row.received_at <= announcedThrough);
  }

  /** A command from the hub: stored, then carried out in turn; one seen before is only confirmed again. */
  private receive(connection: Connection, command: RoomCommand): void {
    const known = this.db.get(this.db.q.selectFrom('seat_commands').select(['status', 'code', 'detail', 'answer_json']).where('cmd_id', '=', command.cmdId));
    if (known) {
      if (known.status !== 'stored') this.send(connection, { type: 'command-result', result: resultOf(command.cmdId, known) });
      return;
    }
    const highestTerm = Number(this.meta(TERM_KEY) ?? 0);
    const stale = command.term < highestTerm;
    const receivedAt = this.now().toISOString();
    this.db.transaction(() => {
      this.db.run(
        this.db.q.insertInto('seat_commands').values({
          cmd_id: command.cmdId,
          term: command.term,
          room_seq: command.roomSeq,
          command_json: JSON.stringify(command),
          received_at: receivedAt,
          status: stale ? 'refused' : 'stored',
          code: stale ? 'COMMAND_STALE_TERM' : null,
          detail: stale ? `term ${command.term}; this seat has seen term ${highestTerm}` : null,
          applied_at: null,
        }),
      );
      if (!stale) this.noteTerm(command.term);
    });
    if (stale) {
      this.send(connection, { type: 'command-result', result: { cmdId: command.cmdId, status: 'refused', code: 'COMMAND_STALE_TERM', detail: `term ${command.term}; this seat has seen term ${highestTerm}` } });
      return;
    }
    this.carryOut(command);
  }

  private carryOut(command: RoomCommand): void {
    let result: CommandResult;
    const markedAt = () => this.now().toISOString();
    try {
      // The effect and "applied" in one transaction (the station's own transactions join it).
      const answer = this.db.transaction(() => {
        const given = this.applyCommand(command) ?? null;
        this.db.run(
          this.db.q
            .updateTable('seat_commands')
            .set({ status: 'applied', code: null, detail: null, applied_at: markedAt(), answer_json: given ? JSON.stringify(given) : null })
            .where('cmd_id', '=', command.cmdId),
        );
        return given;
      });
      result = { cmdId: command.cmdId, status: 'applied', ...(answer ? { answer } : {}) };
    } catch (error) {
      result = { cmdId: command.cmdId, status: 'refused', code: isCodedError(error) ? error.code : 'INTERNAL', detail: error instanceof Error ? error.message.slice(0, 500) : String(error).slice(0, 500) };
      try {
        this.db.transaction(() =>
          this.db.run(this.db.q.updateTable('seat_commands').set({ status: 'refused', code: result.status === 'refused' ? result.code : null, detail: result.status === 'refused' ? result.detail : null, applied_at: markedAt() }).where('cmd_id', '=', command.cmdId)),
        );
      } catch (storing) {
        // Not even the refusal could be kept (the seat's disk is full): the command stays stored and is
        // tried again at the next start; the hub keeps repeating it meanwhile.
        this.trouble = `command ${command.cmdId} not carried out: ${storing instanceof Error ? storing.message : String(storing)}`.slice(0, 200);
        return;
      }
    }
    const connection = this.connection;
    if (connection?.welcomed) this.send(connection, { type: 'command-result', result });
  }

  status(): SeatLinkStatus {
    const lastSeq = this.outbox.lastSeq();
    const acked = this.connection?.welcomed ? this.connection.nextSeq - 1 : Number(this.meta(ACKED_KEY) ?? 0);
    const oldest = acked < lastSeq ? this.db.get(this.db.q.selectFrom('outbox').select('created_at').where('seq', '=', acked + 1)) : undefined;
    const audio = this.db.get(
      this.db.q
        .selectFrom('recording_segments as s')
        .leftJoin('seat_audio_sent as a', (join) => join.onRef('a.recording_id', '=', 's.recording_id').onRef('a.idx', '=', 's.idx'))
        .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.coalesce(eb.fn.sum<number>(eb.fn('length', ['s.data'])), eb.lit(0)).as('bytes')])
        .where(sql`s.rowid`, '>', this.audioAckedThrough)
        .where('a.recording_id', 'is', null)
        .where('s.recording_id', 'not in', (eb) => eb.selectFrom('seat_handed_over_recordings').select('recording_id')),
    );
    return {
      connected: Boolean(this.connection?.welcomed),
      ackedSeq: acked,
      backlogEvents: Math.max(0, lastSeq - acked),
      // Events are stamped in the room's time (the station's clock is the room clock).
      oldestUnackedAgeMs: oldest ? Math.max(0, this.hubNow() - Date.parse(oldest.created_at)) : null,
      audioSegmentsPending: Number(audio?.n ?? 0),
      audioBytesPending: Number(audio?.bytes ?? 0),
      clockOffsetMs: this.clockOffset(),
      alarm: this.alarm ?? this.stationAlarm() ?? this.staging?.alarm ?? this.trouble,
    };
  }
}

function resultOf(cmdId: string, row: { status: string; code: string | null; detail: string | null; answer_json: string | null }): CommandResult {
  if (row.status !== 'applied') return { cmdId, status: 'refused', code: row.code ?? 'INTERNAL', detail: row.detail };
  return { cmdId, status: 'applied', ...(row.answer_json ? { answer: JSON.parse(row.answer_json) as Record<string, unknown> } : {}) };
}
