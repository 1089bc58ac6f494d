// What a candidate's receipt must say, read from the hub's own stream: the events this hub pushed
// (its own and its seats', origins kept) are exactly what the centre materialises into a receipt, so
// the hub derives the same picture from them and compares it with the signed receipt field by field.
// Every difference is named in Latvian and English. A receipt matches only when nothing differs:
// every attempt, its submission, every item's last revision, every recording's hash and size with its
// audio received, every timer event, every play and its return, the attendance mark and every
// incident, and nothing at the centre the hub does not have.
import type { BilingualText } from '../../src-shared/errors.ts';
import type { Receipt } from '../../src-shared/contracts/central-api.ts';
import type { EventEnvelope } from '../../src-shared/contracts/events.ts';

interface ExpectedAttempt {
  attemptId: string;
  packageId: string;
  submitted: boolean;
  /** itemId → last revision. */
  revisions: Map<string, number>;
  /** recordingId → closed hash and size (null while not closed). */
  recordings: Map<string, { sha256: string; bytes: number } | null>;
  /** `${partId}/${eventId}` → kind. */
  timerEvents: Map<string, string>;
  /** `${stimulusId}/${play}` → handed back. */
  plays: Map<string, boolean>;
}

export interface ExpectedReceipt {
  candidateId: string;
  sessionId: string | null;
  attendance: string | null;
  attempts: Map<string, ExpectedAttempt>;
  incidents: Set<string>;
}

type Payload = Record<string, unknown>;

/** Every candidate's expected receipt, from the stream's events (one pass). */
export function expectedReceipts(events: Iterable<Pick<EventEnvelope, 'kind' | 'payload'>>): Map<string, ExpectedReceipt> {
  const byCandidate = new Map<string, ExpectedReceipt>();
  const attemptOwner = new Map<string, ExpectedReceipt>();
  const pendingIncidents: Payload[] = [];
  const candidate = (candidateId: string): ExpectedReceipt => {
    let entry = byCandidate.get(candidateId);
    if (!entry) byCandidate.set(candidateId, (entry = { candidateId, sessionId: null, attendance: null, attempts: new Map(), incidents: new Set() }));
    return entry;
  };
  const attempt = (attemptId: unknown): ExpectedAttempt | undefined => attemptOwner.get(String(attemptId))?.attempts.get(String(attemptId));
  for (const event of events) {
    const p = event.payload as Payload;
    switch (event.kind) {
      case 'attempt.opened': {
        const owner = candidate(String(p.candidateId));
        owner.attempts.set(String(p.attemptId), { attemptId: String(p.attemptId), packageId: String(p.packageId), submitted: false, revisions: new Map(), recordings: new Map(), timerEvents: new Map(), plays: new Map() });
        attemptOwner.set(String(p.attemptId), owner);
        break;
      }
      case 'attempt.submitted': {
        const a = attempt(p.attemptId);
        if (a) a.submitted = true;
        break;
      }
      case 'response.saved': {
        const a = attempt(p.attemptId);
        if (a) a.revisions.set(String(p.itemId), Math.max(a.revisions.get(String(p.itemId)) ?? 0, Number(p.revision)));
        break;
      }
      case 'recording.started': {
        const a = attempt(p.attemptId);
        if (a && !a.recordings.has(String(p.recordingId))) a.recordings.set(String(p.recordingId), null);
        break;
      }
      case 'recording.closed': {
        const a = attempt(p.attemptId);
        if (a && !a.recordings.get(String(p.recordingId))) a.recordings.set(String(p.recordingId), { sha256: String(p.sha256), bytes: Number(p.bytes) });
        break;
      }
      case 'timer.event':
        attempt(p.attemptId)?.timerEvents.set(`${String(p.partId)}/${String(p.eventId)}`, String(p.kind));
        break;
      case 'audio.play':
        attempt(p.attemptId)?.plays.set(`${String(p.stimulusId)}/${String(p.play)}`, false);
        break;
      case 'audio.play.returned': {
        const a = attempt(p.attemptId);
        if (a) a.plays.set(`${String(p.stimulusId)}/${String(p.play)}`, true);
        break;
      }
      case 'attendance.marked': {
        const owner = candidate(String(p.candidateId));
        owner.attendance = String(p.status);
        owner.sessionId = String(p.sessionId);
        break;
      }
      case 'incident.recorded':
        pendingIncidents.push(p);
        break;
    }
  }
  // An incident belongs to its candidate, or to the candidate of its attempt (as at the centre).
  for (const p of pendingIncidents) {
    const owner = p.candidateId ? candidate(String(p.candidateId)) : p.attemptId ? attemptOwner.get(String(p.attemptId)) : undefined;
    owner?.incidents.add(String(p.incidentId));
  }
  return byCandidate;
}

const t = (lv: string, en: string): BilingualText => ({ lv, en });

/** What differs between the receipt and the stream; empty when the receipt matches. */
export function compareReceipt(receipt: Receipt, expected: ExpectedReceipt | undefined): BilingualText[] {
  const problems: BilingualText[] = [];
  const want = expected ?? { candidateId: receipt.candidate.candidateId, sessionId: null, attendance: null, attempts: new Map<string, ExpectedAttempt>(), incidents: new Set<string>() };
  const who = receipt.candidate.candidateId;
  if (want.attendance !== null && receipt.attendance?.status !== want.attendance) {
    problems.push(t(`Kandidāta ${who} apmeklējums centrā: ${receipt.attendance?.status ?? 'nav'}, telpas datorā: ${want.attendance}.`, `Attendance of ${who} at the centre: ${receipt.attendance?.status ?? 'none'}; on the hub: ${want.attendance}.`));
  }
  const held = new Map(receipt.attempts.map((a) => [a.attemptId, a]));
  for (const [attemptId, a] of want.attempts) {
    const at = held.get(attemptId);
    if (!at) {
      problems.push(t(`Mēģinājums ${attemptId} (${who}) centrā nav saņemts.`, `Attempt ${attemptId} (${who}) has not arrived at the centre.`));
      continue;
    }
    if (a.submitted && at.submittedAt === null) problems.push(t(`Mēģinājuma ${attemptId} iesniegšana centrā nav saņemta.`, `The submission of attempt ${attemptId} has not arrived at the centre.`));
    const revisions = new Map(at.responses.map((r) => [r.itemId, r.revision]));
    for (const [itemId, revision] of a.revisions) {
      const there = revisions.get(itemId);
      if (there !== revision) problems.push(t(`Uzdevuma ${itemId} atbilde (${who}): centrā versija ${there ?? 'nav'}, telpas datorā ${revision}.`, `Answer to ${itemId} (${who}): revision ${there ?? 'none'} at the centre, ${revision} on the hub.`));
    }
    for (const itemId of revisions.keys()) {
      if (!a.revisions.has(itemId)) problems.push(t(`Centrā ir atbilde uz ${itemId} (${who}), kuras telpas datorā nav.`, `The centre holds an answer to ${itemId} (${who}) that the hub does not have.`));
    }
    const recordings = new Map(at.recordings.map((r) => [r.recordingId, r]));
    for (const [recordingId, closed] of a.recordings) {
      const there = recordings.get(recordingId);
      if (!there) {
        problems.push(t(`Ieraksts ${recordingId} (${who}) centrā nav saņemts.`, `Recording ${recordingId} (${who}) has not arrived at the centre.`));
      } else if (closed && (there.sha256 !== closed.sha256 || there.bytes !== closed.bytes)) {
        problems.push(t(`Ieraksta ${recordingId} (${who}) kontrolsumma centrā atšķiras no telpas datora.`, `Recording ${recordingId} (${who}) has another hash or size at the centre than on the hub.`));
      } else if (closed && !there.audioReceived) {
        problems.push(t(`Ieraksta ${recordingId} (${who}) audio centrā vēl nav saņemts.`, `The audio of recording ${recordingId} (${who}) has not arrived at the centre yet.`));
      }
    }
    for (const recordingId of recordings.keys()) {
      if (!a.recordings.has(recordingId)) problems.push(t(`Centrā ir ieraksts ${recordingId} (${who}), kura telpas datorā nav.`, `The centre holds recording ${recordingId} (${who}) that the hub does not have.`));
    }
    const timers = new Set(at.timerEvents.map((e) => `${e.partId}/${e.eventId}`));
    const missingTimers = [...a.timerEvents.keys()].filter((key) => !timers.has(key));
    if (missingTimers.length > 0) problems.push(t(`${missingTimers.length} laika notikumi (${who}) centrā nav saņemti.`, `${missingTimers.length} timer events (${who}) have not arrived at the centre.`));
    if (timers.size > a.timerEvents.size) problems.push(t(`Centrā ir laika notikumi (${who}), kuru telpas datorā nav.`, `The centre holds timer events (${who}) that the hub does not have.`));
    const plays = new Map(at.plays.map((p) => [`${p.stimulusId}/${p.play}`, p.returnedAt !== null]));
    for (const [key, returned] of a.plays) {
      if (!plays.has(key) || plays.get(key) !== returned) problems.push(t(`Klausīšanās atskaņojums ${key} (${who}) centrā nav tāds kā telpas datorā.`, `Listening play ${key} (${who}) is not at the centre as it is on the hub.`));
    }
  }
  for (const attemptId of held.keys()) {
    if (!want.attempts.has(attemptId)) problems.push(t(`Centrā ir mēģinājums ${attemptId} (${who}), kura telpas datorā nav.`, `The centre holds attempt ${attemptId} (${who}) that the hub does not have.`));
  }
  const incidents = new Set(receipt.incidents.map((i) => i.incidentId));
  const missingIncidents = [...want.incidents].filter((id) => !incidents.has(id));
  if (missingIncidents.length > 0) problems.push(t(`${missingIncidents.length} notikumu ieraksti (${who}) centrā nav saņemti.`, `${missingIncidents.length} incident reports (${who}) have not arrived at the centre.`));
  return problems;
}
