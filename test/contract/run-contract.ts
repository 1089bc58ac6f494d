// The event contract end to end (issue 8.1): a real station sits a whole A2 attempt (answers of every
// item type, a speaking take cut off by a kill and re-recorded, a credited gap, listening plays and one
// handed back because its audio failed to start, an incident, submission), its outbox is pushed in several batches (one of them twice) to a real central
// API on real PostgreSQL, the recordings' audio is uploaded, and what the centre holds is compared with
// what the station holds, row by row; then the signed receipt is checked against the station's data.
//   node test/contract/run-contract.ts          (npm run test:contract) — last line one JSON object
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildPackage } from '../../src-shared/node/package/builder.ts';
import { StationService } from '../../src-main/station/service.ts';
import { EVENT_KINDS, type EventEnvelope } from '../../src-shared/contracts/events.ts';
import type { ResponseValue } from '../../src-shared/content/responses.ts';
import { listItems, type Item } from '../../src-shared/content/schema.ts';
import { canonicalJson } from '../../src-shared/canonical-json.ts';
import { verifyReceipt, type SignedReceipt } from '../../src-server/receipts.ts';
import { makeKeys, tempDir, TEST_STAFF, TEST_STAFF_OPTIONS } from '../support/fixtures.ts';
import { makeVenue, startTestPostgres, startTestServer } from '../server/support/harness.ts';

export interface ContractResult {
  events: number;
  kinds: number;
  compared: number;
  mismatches: number;
  problems: string[];
}

const ROOT = resolve(import.meta.dirname, '../..');
const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** An answer to each item as a candidate would give it (not always right: scoring is not the point). */
function answerOf(item: Item): ResponseValue | undefined {
  switch (item.type) {
    case 'single-choice':
      return { type: 'single-choice', optionId: item.options[1]?.id ?? item.options[0]!.id };
    case 'multiple-choice':
      return { type: 'multiple-choice', optionIds: item.options.slice(0, 2).map((o) => o.id) };
    case 'true-false-not-given':
      return { type: 'true-false-not-given', choice: 'false' };
    case 'gap-fill':
      return { type: 'gap-fill', gaps: Object.fromEntries(item.gaps.map((g) => [g.id, g.options ? g.options[0]!.id : 'Liepājā'])) };
    case 'matching':
      return { type: 'matching', pairs: Object.fromEntries(item.left.map((l, i) => [l.id, item.right[i % item.right.length]!.id])) };
    case 'ordering':
      return { type: 'ordering', order: [...item.elements].reverse().map((e) => e.id) };
    case 'short-text':
      return { type: 'short-text', text: 'svētdien' };
    case 'extended-writing':
      return { type: 'extended-writing', text: 'Labdien! Es dzīvoju Rīgā, un man patīk iet uz parku ar draugiem. Sestdien mēs brauksim uz Jūrmalu. Ģimenē ir četri cilvēki.' };
    case 'speaking':
      return undefined; // answered by recording, below
  }
}

export async function runContract(): Promise<ContractResult> {
  const problems: string[] = [];
  let compared = 0;
  const same = (what: string, station: unknown, centre: unknown): void => {
    compared += 1;
    if (canonicalJson(station) !== canonicalJson(centre)) problems.push(`${what}: station ${canonicalJson(station).slice(0, 300)} / centre ${canonicalJson(centre).slice(0, 300)}`);
  };

  // ---- the centre: the A2 sample published for a venue with one candidate ----
  const keys = makeKeys();
  const built = buildPackage({ sourceDir: join(ROOT, 'assets/samples/a2'), signingKey: keys.signingKey, validFrom: new Date(Date.now() - 86_400_000), validUntil: new Date(Date.now() + 86_400_000) });
  const postgres = await startTestPostgres();
  const central = await startTestServer(postgres, 'contract');
  try {
    await central.admin.publishPackage(built);
    const venue = await makeVenue(central, 'RIX01', built.manifest.packageId, built.manifest.examId, { candidates: 1 });
    const feed = (await venue.hub.call<{ sessions: { sessionId: string; examId: string; startsAt: string; room: string }[]; candidates: { candidateId: string; sessionId: string; givenName: string; familyName: string; personalCode: string; level: string | null }[] }>('GET', '/v1/feed?after=0')).body;

    // ---- the station: the same package and the roster from the centre's feed ----
    const dir = tempDir('exam-station-contract-');
    const dbPath = join(dir, 'station.db');
    let clock = Date.now();
    const options = { dbPath, role: 'solo' as const, venueCode: 'RIX01', trust: keys.trust, heartbeatMs: 0, ...TEST_STAFF_OPTIONS, now: () => new Date(clock) };
    let station = new StationService(options);
    station.loadRoster({
      sessions: feed.sessions.map((s) => ({ sessionId: s.sessionId, examId: s.examId, venueCode: 'RIX01', venueName: 'Venue RIX01', room: s.room, startsAt: s.startsAt })),
      candidates: feed.candidates.map((c) => ({ candidateId: c.candidateId, sessionId: c.sessionId, givenName: c.givenName, familyName: c.familyName, personalCode: c.personalCode, level: c.level as 'A2' })),
    });
    const packagePath = join(dir, 'a2.exampkg');
    writeFileSync(packagePath, built.file);
    let { staffToken } = await station.staffSignIn(TEST_STAFF);
    await station.importPackage({ staffToken, path: packagePath });
    await station.unlockPackage({ staffToken, packageId: built.manifest.packageId, key: built.contentKey });
    const candidateId = feed.candidates[0]!.candidateId;
    const sessionId = feed.candidates[0]!.sessionId;
    const opened = await station.openAttempt({ staffToken, candidateId, packageId: built.manifest.packageId });
    const seat = { attemptId: opened.attemptId, candidateToken: opened.candidateToken };
    const content = await station.getExamContent(seat);

    // ---- the attempt: every part, every item type, plays (one handed back), a crash mid-take, a silence, an incident ----
    const beat = async (ms: number): Promise<void> => {
      for (let done = 0; done < ms; done += 1000) {
        clock += 1000;
        await station.seatHeartbeat(seat);
      }
    };
    for (const part of content.parts) {
      await station.recordTimerEvent({ ...seat, partId: part.id, kind: 'start' });
      for (const task of part.tasks) {
        for (const stimulus of task.stimuli) {
          if (stimulus.type !== 'audio') continue;
          const grant = await station.grantAudioPlay({ ...seat, stimulusId: stimulus.id });
          if (stimulus.id === 'a2-l1-audio') {
            // The first recording did not start on the screen: its play is handed back and granted again.
            clock += 1000;
            await station.returnAudioPlay({ ...seat, stimulusId: stimulus.id, play: grant.play });
            await station.grantAudioPlay({ ...seat, stimulusId: stimulus.id });
          }
          await station.getMedia({ ...seat, path: stimulus.media });
          await beat(3000);
        }
      }
      for (const { item } of listItems(content).filter((e) => e.part.id === part.id)) {
        const value = answerOf(item);
        if (value) {
          await station.saveResponse({ ...seat, itemId: item.id, value, clientSaveId: randomUUID() });
          await beat(1000);
          // A second revision of some answers: the centre must keep the latest.
          if (item.type === 'extended-writing' || item.type === 'short-text') {
            const again = item.type === 'short-text' ? { type: 'short-text' as const, text: 'svētdienā' } : { ...value, text: `${(value as { text: string }).text} Paldies!` };
            await station.saveResponse({ ...seat, itemId: item.id, value: again as ResponseValue, clientSaveId: randomUUID() });
          }
          continue;
        }
        // Speaking: the first take of the first speaking item is cut off by a station crash.
        const take = await station.startRecording({ ...seat, itemId: item.id, mimeType: 'audio/webm;codecs=opus' });
        for (let index = 0; index < 4; index += 1) {
          const data = randomBytes(3000 + index);
          await station.appendAudioSegment({ ...seat, recordingId: take.recordingId, index, data, sha256: sha(data), durationMs: 1000 });
          clock += 1000;
        }
        if (item.id === 'a2-s1-q1') {
          station.db.close(); // a crash: no clean stop; 20 s pass before the station is back
          clock += 20_000;
          station = new StationService(options);
          ({ staffToken } = await station.staffSignIn(TEST_STAFF));
          const again = await station.startRecording({ ...seat, itemId: item.id, mimeType: 'audio/webm;codecs=opus' });
          for (let index = 0; index < 3; index += 1) {
            const data = randomBytes(2000 + index);
            await station.appendAudioSegment({ ...seat, recordingId: again.recordingId, index, data, sha256: sha(data), durationMs: 1000 });
          }
          await station.closeRecording({ ...seat, recordingId: again.recordingId });
          await station.saveResponse({ ...seat, itemId: item.id, value: { type: 'speaking', recordingIds: [again.recordingId] }, clientSaveId: randomUUID() });
        } else {
          await station.closeRecording({ ...seat, recordingId: take.recordingId });
          await station.saveResponse({ ...seat, itemId: item.id, value: { type: 'speaking', recordingIds: [take.recordingId] }, clientSaveId: randomUUID() });
        }
      }
      if (part.id === 'a2-r') {
        // The seat froze for 12 s while reading: the next sign of life credits the lost time.
        clock += 12_000;
        await station.seatHeartbeat(seat);
        await station.recordIncident({ staffToken, sessionId, attemptId: seat.attemptId, kind: 'technical-freezing', note: 'Ekrāns sastinga, kandidāts gaidīja 12 s.' });
      }
      await station.recordTimerEvent({ ...seat, partId: part.id, kind: 'end' });
    }
    await station.finishAttempt(seat);

    // ---- the push: several batches, one of them twice ----
    const events: EventEnvelope[] = await station.readOutbox({ staffToken, afterSeq: 0, limit: 10_000 });
    const push = (batch: EventEnvelope[]) => venue.hub.call<{ ackedSeq: number; accepted: number; duplicates: number }>('POST', '/v1/push', { deviceId: venue.hub.deviceId, events: batch });
    let duplicates = 0;
    for (let at = 0; at < events.length; at += 25) {
      const batch = events.slice(at, at + 25);
      const reply = await push(batch);
      if (reply.status !== 200) throw new Error(`push from seq ${batch[0]!.seq}: ${reply.status} ${JSON.stringify(reply.body)}`);
      if (at === 25) {
        const again = await push(batch);
        duplicates += again.body.duplicates;
        if (again.status !== 200 || again.body.accepted !== 0) problems.push(`a batch pushed twice was applied again: ${JSON.stringify(again.body)}`);
      }
    }
    compared += 1;
    if (duplicates !== 25) problems.push(`the batch pushed twice counted ${duplicates} duplicates, expected 25`);

    // ---- the audio of every closed take, uploaded as the hub will ----
    const stationDb = station.db.sqlite;
    const recordings = stationDb.prepare('SELECT recording_id, item_id, take, sha256, total_bytes, duration_ms, segment_count, interrupted, interruption FROM recordings ORDER BY item_id, take').all() as {
      recording_id: string;
      item_id: string;
      take: number;
      sha256: string;
      total_bytes: number;
      duration_ms: number;
      segment_count: number;
      interrupted: number;
      interruption: string | null;
    }[];
    for (const r of recordings) {
      const upload = await venue.hub.createUpload(r.recording_id, station.recordingFile(r.recording_id), r.sha256, { mimeType: 'audio/webm;codecs=opus', withBody: true });
      if (upload.status !== 201 || !upload.body.complete) problems.push(`upload of ${r.recording_id}: ${upload.status} ${JSON.stringify(upload.body)}`);
    }

    // ---- compare, row by row ----
    const db = central.server.ctx.db;
    const attemptId = seat.attemptId;
    const view = await station.getAttempt(seat);
    const centreAttempt = await db.selectFrom('attempt').selectAll().where('attempt_id', '=', attemptId).executeTakeFirst();
    const submitted = stationDb.prepare("SELECT payload_json FROM outbox WHERE kind = 'attempt.submitted'").get() as { payload_json: string };
    same('attempt', { candidateId, packageId: built.manifest.packageId, openedAt: view.openedAt, submittedAt: (JSON.parse(submitted.payload_json) as { submittedAt: string }).submittedAt }, {
      candidateId: centreAttempt?.candidate_id,
      packageId: centreAttempt?.package_id,
      openedAt: centreAttempt?.opened_at.toISOString(),
      submittedAt: (centreAttempt as { submitted_at?: Date | null } | undefined)?.submitted_at?.toISOString(),
    });
    const centreResponses = await db.selectFrom('response').select(['item_id', 'revision', 'value']).where('attempt_id', '=', attemptId).execute();
    for (const r of view.responses) same(`answer ${r.itemId}`, { revision: r.revision, value: r.value }, centreResponses.find((c) => c.item_id === r.itemId) && { revision: centreResponses.find((c) => c.item_id === r.itemId)!.revision, value: centreResponses.find((c) => c.item_id === r.itemId)!.value });
    same('answer count', view.responses.length, centreResponses.length);
    const centreRecordings = await db.selectFrom('recording').selectAll().where('attempt_id', '=', attemptId).execute();
    for (const r of recordings) {
      const c = centreRecordings.find((x) => x.recording_id === r.recording_id) as Record<string, unknown> | undefined;
      same(
        `recording ${r.item_id} take ${r.take}`,
        { itemId: r.item_id, take: r.take, sha256: r.sha256, bytes: r.total_bytes, durationMs: r.duration_ms, segments: r.segment_count, interrupted: r.interrupted === 1, interruption: r.interruption, held: true },
        c && { itemId: c.item_id, take: c.take, sha256: c.sha256, bytes: Number(c.bytes), durationMs: c.duration_ms, segments: c.segment_count, interrupted: c.interrupted, interruption: c.interruption, held: c.blob_sha256 === r.sha256 },
      );
    }
    same('recording count', recordings.length, centreRecordings.length);
    const timers = stationDb.prepare('SELECT event_id, part_id, kind, at, amount_ms, reason FROM timer_events WHERE attempt_id = ? ORDER BY event_id').all(attemptId) as { event_id: number; part_id: string; kind: string; at: number; amount_ms: number | null; reason: string | null }[];
    const centreTimers = (await db.selectFrom('timer_event' as never).selectAll().where('attempt_id' as never, '=', attemptId as never).execute()) as Record<string, unknown>[];
    for (const t of timers) {
      const c = centreTimers.find((x) => Number(x.event_id) === t.event_id);
      same(`timer event ${t.event_id} (${t.part_id} ${t.kind})`, { partId: t.part_id, kind: t.kind, at: t.at, amountMs: t.amount_ms, reason: t.reason }, c && { partId: c.part_id, kind: c.kind, at: Number(c.at_ms), amountMs: c.amount_ms === null ? null : Number(c.amount_ms), reason: c.reason });
    }
    same('timer event count', timers.length, centreTimers.length);
    const plays = stationDb.prepare('SELECT stimulus_id, play, returned_at FROM stimulus_plays WHERE attempt_id = ? ORDER BY stimulus_id, play').all(attemptId) as { stimulus_id: string; play: number; returned_at: string | null }[];
    const centrePlays = (await db.selectFrom('audio_play').select(['stimulus_id', 'play', 'returned_at']).where('attempt_id', '=', attemptId).execute()).sort((a, b) => a.stimulus_id.localeCompare(b.stimulus_id) || a.play - b.play);
    same('listening plays', plays, centrePlays.map((p) => ({ stimulus_id: p.stimulus_id, play: p.play, returned_at: p.returned_at?.toISOString() ?? null })));
    same('a play handed back', 1, plays.filter((p) => p.returned_at !== null).length);
    same('listening plays that count', view.audioPlays, Object.fromEntries([...new Set(centrePlays.map((p) => p.stimulus_id))].map((id) => [id, centrePlays.filter((p) => p.stimulus_id === id && p.returned_at === null).length])));
    const incidents = stationDb.prepare('SELECT incident_id, kind, note, at, recorded_by FROM incidents').all() as { incident_id: string; kind: string; note: string; at: string; recorded_by: string }[];
    const centreIncidents = (await db.selectFrom('incident').selectAll().execute()) as Record<string, unknown>[];
    for (const i of incidents) {
      const c = centreIncidents.find((x) => x.incident_id === i.incident_id);
      same(`incident ${i.kind}`, { kind: i.kind, note: i.note, at: i.at, attemptId, candidateId, recordedBy: i.recorded_by }, c && { kind: c.kind, note: c.note, at: (c.at as Date).toISOString(), attemptId: c.attempt_id, candidateId: c.candidate_id, recordedBy: c.recorded_by });
    }
    same('incident count', incidents.length, centreIncidents.length);
    const attendance = await db.selectFrom('attendance').selectAll().where('candidate_id', '=', candidateId).executeTakeFirst();
    same('attendance', 'present', attendance?.status);
    same('events acknowledged', events.at(-1)!.seq, Number((await db.selectFrom('device').select('acked_seq').where('device_id', '=', venue.hub.deviceId).executeTakeFirst())?.acked_seq));
    same('events stored once', events.length, Number((await db.selectFrom('outbox_event').select((eb) => eb.fn.countAll().as('n')).where('device_id', '=', venue.hub.deviceId).executeTakeFirst())?.n));

    // ---- the signed receipt against the station's own data ----
    const receipt = (await venue.hub.call<SignedReceipt>('GET', `/v1/receipts/${candidateId}`)).body;
    const receiptKey = (await (await fetch(`${central.url}/v1/receipt-keys`)).json()) as { keys: { publicKeySpki: string }[] };
    same('receipt signature verifies', true, verifyReceipt(receipt, receiptKey.keys[0]!.publicKeySpki));
    const inReceipt = receipt.receipt.attempts.find((a) => a.attemptId === attemptId);
    for (const r of view.responses) same(`receipt answer ${r.itemId}`, r.revision, inReceipt?.responses.find((x) => x.itemId === r.itemId)?.revision);
    for (const r of recordings) {
      const x = inReceipt?.recordings.find((y) => y.recordingId === r.recording_id);
      same(`receipt recording ${r.item_id} take ${r.take}`, { sha256: r.sha256, bytes: r.total_bytes, durationMs: r.duration_ms, audioReceived: true }, x && { sha256: x.sha256, bytes: x.bytes, durationMs: x.durationMs, audioReceived: x.audioReceived });
    }
    same('receipt plays', plays.map((p) => ({ stimulusId: p.stimulus_id, play: p.play, returnedAt: p.returned_at })), inReceipt?.plays);
    same('receipt attendance', 'present', receipt.receipt.attendance?.status);
    same('receipt incidents', incidents.map((i) => i.incident_id), receipt.receipt.incidents.map((i) => i.incidentId));

    station.close();
    const kinds = new Set(events.map((e) => e.kind));
    for (const kind of EVENT_KINDS) if (!kinds.has(kind)) problems.push(`the attempt wrote no ${kind} event`);
    return { events: events.length, kinds: kinds.size, compared, mismatches: problems.length, problems };
  } finally {
    await central.stop();
    await postgres.stop();
  }
}

if (import.meta.main) {
  const result = await runContract();
  for (const problem of result.problems.slice(0, 30)) console.error(problem);
  console.log(JSON.stringify({ events: result.events, kinds: result.kinds, compared: result.compared, mismatches: result.mismatches }));
  process.exitCode = result.mismatches === 0 ? 0 : 1;
}
