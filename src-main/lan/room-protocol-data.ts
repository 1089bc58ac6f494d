// What the protocol of a session says, read from what the hub holds: its roster and sessions, the events
// of the session — its own and every seat's, relayed — the commands it issued to the room, its seats'
// labels, its staff accounts and the seal. Built from the events, so whatever the room records as an
// event of the contract (a check-in, an incident, extra time, a move) is in the protocol without
// anything here knowing who wrote it. It says it in Latvian: the reasons and notes the system wrote in
// English are put in Latvian from their patterns (src-shared/rules/system-reasons.ts), the accommodation
// codes as words, the parts by their titles in the package at the hub. What a seat sent about an attempt
// after the attempt was moved away from it (late-after-move, room-moves.ts) is not the candidate's
// record: it is left out of the timeline and the extra time and only counted, with the move.
import type { Attendance } from '../../src-shared/contracts/events.ts';
import type { ExamContent } from '../../src-shared/content/schema.ts';
import type { RoomCommand } from '../../src-shared/contracts/room-protocol.ts';
import type { SealStatus } from '../../src-shared/contracts/room-seal.ts';
import { CodedError } from '../../src-shared/errors.ts';
import { accommodationLabelsLv } from '../../src-shared/rules/accommodations.ts';
import { sessionEventFilter } from '../../src-shared/rules/seal-digest.ts';
import { reasonInLatvian, type ReasonWords } from '../../src-shared/rules/system-reasons.ts';
import type { StationDatabase } from '../station/database.ts';
import { PackageStore } from '../station/records/packages.ts';
import { listCandidates } from '../station/records/roster.ts';
import { handedOverTo, sessionOfCandidate } from '../station/session-seal.ts';
import type { RoomSealStatement } from './room-log.ts';
import { rigaTime } from './room-protocol-pdf.ts';

export type ProtocolAttendance = Attendance | 'late';

export interface RoomProtocolData {
  session: { sessionId: string; examId: string; title: string | null; venueCode: string; venueName: string; room: string | null; startsAt: string; endsAt: string | null };
  hubDeviceId: string;
  generatedAt: string;
  staff: { username: string; displayName: string; roles: string[] }[];
  /** `accommodation`: the registered accommodations in Latvian words (what is not a code, as written). */
  attendance: { candidateId: string; name: string; maskedPersonalCode: string; status: ProtocolAttendance; accommodation: string | null }[];
  /** Who sat where: every seat a candidate's attempt was on, from when. */
  seatPlan: { seat: string; deviceId: string; candidateId: string; name: string; since: string }[];
  /** A candidate whose attempt went on at another seat. */
  moves: { candidateId: string; name: string; from: string; to: string; at: string }[];
  /** The room's commands and each candidate's part timer, in time order. */
  timeline: { at: string; what: string; who: string | null; reason: string | null }[];
  /** `part`: the part's title in the package, or its id where the hub cannot read the package. */
  extraTime: { at: string; candidateId: string; name: string; partId: string; part: string; kind: 'extend' | 'credit'; amountMs: number; reason: string | null }[];
  incidents: { at: string; kind: string; candidateId: string | null; name: string | null; note: string; by: string }[];
  /** What an old seat sent about a moved candidate's attempt after the move: counted here, never the candidate's record. */
  lateAfterMove: { candidateId: string; name: string; from: string; events: number; creditedMs: number }[];
  status: SealStatus;
  seal: { statement: RoomSealStatement; signature: string } | null;
}

interface SessionEvent {
  deviceId: string;
  kind: string;
  payload: Record<string, unknown>;
  createdAt: string;
  /** The move this event came late after (room_late_events), or null. */
  lateAfter: string | null;
}

const COMMAND_WORDS: Record<string, string> = {
  start: 'Sākums',
  pause: 'Pauze',
  resume: 'Turpinājums pēc pauzes',
  extend: 'Papildlaiks',
  end: 'Beigas',
  lock: 'Dators bloķēts',
  unlock: 'Dators atbloķēts',
  message: 'Ziņa kandidātiem',
  'move-out': 'Kandidāts pārvietots',
  seal: 'Aizzīmogošana',
  'key-release': 'Eksāmena atslēga izsniegta',
  assign: 'Kandidāts piesēdināts',
  authorise: 'Kandidāts apstiprināts',
};

const TIMER_WORDS: Record<string, string> = { start: 'daļa sākta', pause: 'pauze', resume: 'daļa turpināta pēc pauzes', end: 'daļa beigta' };

/** The events of the session at the hub, each stream in its writer's order, the late ones marked with their move. */
function sessionEvents(db: StationDatabase, sessionId: string): SessionEvent[] {
  const sessionOf = sessionOfCandidate(db);
  const late = new Map(db.all(db.q.selectFrom('room_late_events').select(['hub_seq', 'move_id'])).map((r) => [Number(r.hub_seq), r.move_id]));
  const rows = db.all(db.q.selectFrom('outbox').select(['device_id', 'kind', 'payload_json', 'created_at', 'seq', 'origin_seq']).orderBy('device_id').orderBy((eb) => eb.fn.coalesce('origin_seq', 'seq')));
  const filters = new Map<string, ReturnType<typeof sessionEventFilter>>();
  const events: SessionEvent[] = [];
  for (const row of rows) {
    let filter = filters.get(row.device_id);
    if (!filter) {
      filter = sessionEventFilter(sessionId, sessionOf, handedOverTo(db, row.device_id));
      filters.set(row.device_id, filter);
    }
    const payload = JSON.parse(row.payload_json) as Record<string, unknown>;
    if (filter.accepts({ kind: row.kind, payload })) events.push({ deviceId: row.device_id, kind: row.kind, payload, createdAt: row.created_at, lateAfter: late.get(Number(row.seq)) ?? null });
  }
  return events.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The part titles of each package opened once (a package's content never changes under its id). */
const titlesOfPackage = new Map<string, ReadonlyMap<string, string>>();

/**
 * The titles of the parts, by id, from the packages the hub holds unlocked (of one exam, or of all;
 * newest first): the hub imports the packages and holds their key. A package still locked names no parts.
 */
export function partTitles(db: StationDatabase, examId?: string): Map<string, string> {
  const store = new PackageStore(db);
  const titles = new Map<string, string>();
  let query = db.q.selectFrom('packages').select('package_id').where('state', '=', 'ready');
  if (examId !== undefined) query = query.where('exam_id', '=', examId);
  for (const row of db.all(query.orderBy('imported_at', 'desc'))) {
    let ofPackage = titlesOfPackage.get(row.package_id);
    if (!ofPackage) {
      let content: ExamContent;
      try {
        content = store.open(row.package_id).content;
      } catch (error) {
        if (error instanceof CodedError && error.code === 'PACKAGE_LOCKED') continue;
        throw error;
      }
      ofPackage = new Map(content.parts.map((part) => [part.id, part.title]));
      titlesOfPackage.set(row.package_id, ofPackage);
    }
    for (const [id, title] of ofPackage) if (!titles.has(id)) titles.set(id, title);
  }
  return titles;
}

export function readRoomProtocol(db: StationDatabase, sessionId: string, context: { status: SealStatus; sealed: RoomProtocolData['seal']; hubDeviceId: string; now: Date }): RoomProtocolData {
  const session = db.get(db.q.selectFrom('sessions').selectAll().where('session_id', '=', sessionId))!;
  const title = db.get(db.q.selectFrom('packages').select('title').where('exam_id', '=', session.exam_id).orderBy('imported_at', 'desc').limit(1))?.title ?? null;
  const candidates = listCandidates(db, sessionId);
  const names = new Map(candidates.map((c) => [c.candidateId, `${c.givenName} ${c.familyName}`]));
  const nameOf = (candidateId: string | null) => (candidateId ? (names.get(candidateId) ?? candidateId) : null);
  const labels = new Map(db.all(db.q.selectFrom('room_seats').select(['device_id', 'label'])).map((r) => [r.device_id, r.label]));
  const seatOf = (deviceId: string) => (deviceId === context.hubDeviceId ? 'telpas dators' : (labels.get(deviceId) ?? deviceId.slice(0, 8)));
  const events = sessionEvents(db, sessionId);
  const titles = partTitles(db, session.exam_id);
  const partOf = (partId: string) => titles.get(partId) ?? partId;
  const words: ReasonWords = { partTitle: partOf, seatName: seatOf, time: rigaTime };
  const inLatvian = (reason: string | null) => (reason === null ? null : reasonInLatvian(reason, words));
  const staff = new Set<string>();

  // Attendance: the latest mark of each candidate, wherever it was made; late where an incident says so.
  const marked = new Map<string, Attendance>();
  const lateCandidates = new Set<string>();
  const attemptCandidate = new Map<string, string>();
  const seatPlan: RoomProtocolData['seatPlan'] = [];
  const extraTime: RoomProtocolData['extraTime'] = [];
  const incidents: RoomProtocolData['incidents'] = [];
  const timeline: RoomProtocolData['timeline'] = [];
  const late = new Map<string, RoomProtocolData['lateAfterMove'][number]>();
  const movedCandidate = new Map(db.all(db.q.selectFrom('room_moves').select(['move_id', 'candidate_id'])).map((r) => [r.move_id, r.candidate_id]));
  for (const event of events) {
    const p = event.payload;
    if (event.lateAfter !== null) {
      // Not the candidate's record: the attempt went on at another seat. Counted with its move.
      const candidateId = movedCandidate.get(event.lateAfter) ?? '';
      const counted = late.get(event.lateAfter) ?? { candidateId, name: nameOf(candidateId) ?? '', from: seatOf(event.deviceId), events: 0, creditedMs: 0 };
      counted.events += 1;
      if (event.kind === 'timer.event' && (p.kind === 'extend' || p.kind === 'credit')) counted.creditedMs += (p.amountMs as number | null) ?? 0;
      late.set(event.lateAfter, counted);
      continue;
    }
    switch (event.kind) {
      case 'attendance.marked':
        marked.set(p.candidateId as string, p.status as Attendance);
        staff.add(p.markedBy as string);
        break;
      case 'incident.recorded':
        if (p.kind === 'candidate-late' && typeof p.candidateId === 'string') lateCandidates.add(p.candidateId);
        incidents.push({ at: p.at as string, kind: p.kind as string, candidateId: (p.candidateId as string | null) ?? null, name: nameOf((p.candidateId as string | null) ?? null), note: reasonInLatvian(p.note as string, words), by: p.recordedBy as string });
        if (p.recordedBy !== 'candidate') staff.add(p.recordedBy as string);
        break;
      case 'attempt.opened': {
        const candidateId = p.candidateId as string;
        attemptCandidate.set(p.attemptId as string, candidateId);
        seatPlan.push({ seat: seatOf(event.deviceId), deviceId: event.deviceId, candidateId, name: nameOf(candidateId)!, since: p.openedAt as string });
        break;
      }
      case 'timer.event': {
        const candidateId = attemptCandidate.get(p.attemptId as string) ?? null;
        const at = new Date(p.at as number).toISOString();
        if (p.kind === 'extend' || p.kind === 'credit') {
          extraTime.push({ at, candidateId: candidateId ?? '', name: nameOf(candidateId) ?? '', partId: p.partId as string, part: partOf(p.partId as string), kind: p.kind, amountMs: (p.amountMs as number | null) ?? 0, reason: inLatvian((p.reason as string | null) ?? null) });
        } else {
          timeline.push({ at, what: `${nameOf(candidateId) ?? ''}: ${partOf(p.partId as string)} — ${TIMER_WORDS[p.kind as string] ?? (p.kind as string)}`, who: null, reason: inLatvian((p.reason as string | null) ?? null) });
        }
        break;
      }
    }
  }

  // A moved attempt goes on at the new seat, which opens nothing of its own: the move says from when.
  for (const move of db.all(db.q.selectFrom('room_moves').select(['attempt_id', 'candidate_id', 'to_device', 'created_at']).where('status', '=', 'applied'))) {
    if (attemptCandidate.get(move.attempt_id) !== move.candidate_id) continue;
    seatPlan.push({ seat: seatOf(move.to_device), deviceId: move.to_device, candidateId: move.candidate_id, name: nameOf(move.candidate_id)!, since: move.created_at });
  }
  seatPlan.sort((a, b) => a.since.localeCompare(b.since));

  // A candidate on more than one seat was moved, from each seat to the next.
  const moves: RoomProtocolData['moves'] = [];
  const byCandidate = new Map<string, typeof seatPlan>();
  for (const entry of seatPlan) byCandidate.set(entry.candidateId, [...(byCandidate.get(entry.candidateId) ?? []), entry]);
  for (const [candidateId, seats] of byCandidate) {
    for (let i = 1; i < seats.length; i += 1) if (seats[i]!.deviceId !== seats[i - 1]!.deviceId) moves.push({ candidateId, name: nameOf(candidateId)!, from: seats[i - 1]!.seat, to: seats[i]!.seat, at: seats[i]!.since });
  }

  // The room's commands: those for the whole room, and those for a seat or candidate of this session.
  const sessionSeats = new Set([...seatPlan.map((s) => s.deviceId), ...context.status.seats.map((s) => s.deviceId)]);
  for (const row of db.all(db.q.selectFrom('room_commands').select('command_json').orderBy('room_seq'))) {
    const command = JSON.parse(row.command_json) as RoomCommand;
    const { target } = command;
    const ours =
      (target.kind === 'room' && (command.params.sessionId === undefined || command.params.sessionId === sessionId)) ||
      (target.kind === 'seat' && sessionSeats.has(target.deviceId)) ||
      (target.kind === 'candidate' && names.has(target.candidateId));
    if (!ours) continue;
    staff.add(command.issuedBy);
    const whom = target.kind === 'room' ? 'visa telpa' : target.kind === 'seat' ? seatOf(target.deviceId) : (nameOf(target.candidateId) ?? '');
    const amount = typeof command.params.amountMs === 'number' ? ` (+${Math.round(command.params.amountMs / 60_000)} min)` : '';
    timeline.push({ at: new Date(command.effectiveAt).toISOString(), what: `${COMMAND_WORDS[command.type] ?? command.type}${amount}: ${whom}`, who: command.issuedBy, reason: inLatvian(command.reason) });
  }
  timeline.sort((a, b) => a.at.localeCompare(b.at));

  const sealRow = db.get(db.q.selectFrom('room_seals').select('requested_by').where('session_id', '=', sessionId));
  if (sealRow) staff.add(sealRow.requested_by);
  for (const seat of context.status.seats) if (seat.accounted) staff.add(seat.accounted.by);
  const accounts = db.all(db.q.selectFrom('staff_accounts').select(['account_id', 'username', 'display_name']));
  const roles = db.all(db.q.selectFrom('staff_roles').select(['account_id', 'role']));
  const staffList = [...staff]
    .filter((username) => username && username !== 'candidate')
    .map((username) => {
      const account = accounts.find((a) => a.username.toLowerCase() === username.toLowerCase());
      return { username, displayName: account?.display_name ?? username, roles: account ? roles.filter((r) => r.account_id === account.account_id).map((r) => r.role) : [] };
    })
    .sort((a, b) => a.displayName.localeCompare(b.displayName, 'lv'));

  return {
    session: { sessionId, examId: session.exam_id, title, venueCode: session.venue_code, venueName: session.venue_name, room: session.room, startsAt: session.starts_at, endsAt: session.ends_at },
    hubDeviceId: context.hubDeviceId,
    generatedAt: context.now.toISOString(),
    staff: staffList,
    attendance: candidates.map((c) => {
      const status = marked.get(c.candidateId) ?? c.attendance;
      const accommodation = accommodationLabelsLv(c.accommodation).join(', ');
      return { candidateId: c.candidateId, name: `${c.givenName} ${c.familyName}`, maskedPersonalCode: c.maskedPersonalCode, status: status === 'present' && lateCandidates.has(c.candidateId) ? 'late' : status, accommodation: accommodation === '' ? null : accommodation };
    }),
    seatPlan,
    moves,
    timeline,
    extraTime,
    incidents,
    lateAfterMove: [...late.values()],
    status: context.status,
    seal: context.sealed,
  };
}
