// Schema version 10: a play of listening audio handed back (audio.play.returned), the central side of
// the station's returnAudioPlay. A station gives back a granted play whose audio failed to start
// (only the latest play of a recording, just after its grant, once per recording in an attempt); the
// play keeps its row and number and no longer counts.
// - audio_play.returned_at: when the station handed the play back; NULL for a play that counts (every
//   play held before this version).
// - apply_push is replaced (as 0004 replaced 0002's): the same function with audio.play.returned
//   materialised: a play granted in the same push is inserted with its return, a play held before is
//   updated; the first return received stands. A return names an attempt of the pushing venue (as the
//   other attempt events do) and a play the centre holds or that came earlier in the push, or nothing
//   of the batch is kept (422 EVENT_REJECTED).
import { sql, type Kysely } from 'kysely';
import type { Migration } from './index.ts';

export const migration0010: Migration = {
  version: 10,
  name: 'play_returns',
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      ALTER TABLE audio_play ADD COLUMN returned_at timestamptz;

      CREATE OR REPLACE FUNCTION apply_push(p_device uuid, p_venue uuid, p_nonce text, p_events jsonb, p_answers jsonb)
      RETURNS TABLE (acked_seq bigint, accepted integer, duplicates integer)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_status text;
        v_acked bigint;
        v_first bigint := (p_events->0->>'seq')::bigint;
        v_total integer := jsonb_array_length(p_events);
        v_origins text[];
        v_recordings uuid[];
        v_done record;
      BEGIN
        INSERT INTO request_nonce (device_id, nonce) VALUES (p_device, p_nonce) ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN PERFORM push_refuse('AUTH_REPLAYED', '{}'); END IF;

        SELECT d.status, d.acked_seq INTO v_status, v_acked FROM device d WHERE d.device_id = p_device FOR NO KEY UPDATE;
        IF NOT FOUND THEN PERFORM push_refuse('DEVICE_UNKNOWN', '{}'); END IF;
        IF v_status <> 'active' THEN PERFORM push_refuse('DEVICE_REVOKED', '{}'); END IF;
        IF v_first > v_acked + 1 THEN
          PERFORM push_refuse('SEQ_GAP', jsonb_build_object('expectedSeq', v_acked + 1, 'detail', format('acknowledged up to %s, the push starts at %s', v_acked, v_first)));
        END IF;

        -- After the device lock, in this order: the origin devices of the new events (two devices
        -- relaying one origin take turns, so an origin is stored once and the second sees it), then
        -- every recording they start or close (an upload finishing takes the same lock; see 0003).
        SELECT array_agg(DISTINCT e.origin->>'deviceId'), array_agg(DISTINCT (e.payload->>'recordingId')::uuid) FILTER (WHERE e.kind IN ('recording.started', 'recording.closed'))
        INTO v_origins, v_recordings
        FROM jsonb_to_recordset(p_events) AS e(seq bigint, origin jsonb, kind text, payload jsonb)
        WHERE e.seq > v_acked;
        PERFORM lock_origins(coalesce(v_origins, '{}'));
        PERFORM lock_recordings(coalesce(v_recordings, '{}'));

        -- One statement over the new events (expanded from JSON once): drop the origins already held,
        -- find the first event that contradicts a held origin or names another venue's candidate,
        -- attempt, recording or incident; if there is none, write everything.
        WITH arrived AS MATERIALIZED (
          SELECT e.seq, e.origin->>'deviceId' AS origin_device, (e.origin->>'seq')::bigint AS origin_seq, e.kind, e."entityId" AS entity_id,
            coalesce(e.payload, 'null'::jsonb) AS payload, e."createdAt" AS created_at
          FROM jsonb_to_recordset(p_events) AS e(seq bigint, origin jsonb, kind text, "entityId" text, payload jsonb, "createdAt" text)
          WHERE e.seq > v_acked
        ), held AS MATERIALIZED (
          -- Each arriving event whose origin the centre already has: stored by an earlier push, or
          -- earlier in this one.
          SELECT a.seq, s.kind, s.entity_id, s.payload, s.device_id AS held_device, s.seq AS held_seq, NULL::bigint AS earlier_seq
          FROM arrived a JOIN outbox_event s ON s.origin_device_id = a.origin_device AND s.origin_seq = a.origin_seq
          UNION ALL
          SELECT a.seq, p.kind, p.entity_id, p.payload, NULL, NULL, p.seq
          FROM arrived a JOIN arrived p ON p.origin_device = a.origin_device AND p.origin_seq = a.origin_seq AND p.seq < a.seq
        ), b AS MATERIALIZED (
          -- The new events: what is applied and stored.
          SELECT a.* FROM arrived a WHERE NOT EXISTS (SELECT 1 FROM held h WHERE h.seq = a.seq)
        ), opened AS (
          SELECT (payload->>'attemptId')::uuid AS attempt_id, payload->>'candidateId' AS candidate_id, (payload->>'packageId')::uuid AS package_id,
            (payload->>'openedAt')::timestamptz AS opened_at, seq
          FROM b WHERE kind = 'attempt.opened'
        ), submitted AS (
          SELECT (payload->>'attemptId')::uuid AS attempt_id, min((payload->>'submittedAt')::timestamptz) AS submitted_at
          FROM b WHERE kind = 'attempt.submitted' GROUP BY 1
        ), closes AS (
          SELECT b.seq, (b.payload->>'recordingId')::uuid AS recording_id, b.payload->>'sha256' AS sha256, (b.payload->>'bytes')::bigint AS bytes
          FROM b WHERE b.kind = 'recording.closed'
        ), timers AS (
          SELECT b.seq, (b.payload->>'attemptId')::uuid AS attempt_id, (b.payload->>'eventId')::bigint AS event_id, b.payload->>'partId' AS part_id,
            b.payload->>'kind' AS kind, (b.payload->>'at')::bigint AS at_ms, (b.payload->>'amountMs')::bigint AS amount_ms, b.payload->>'reason' AS reason,
            b.origin_device, b.origin_seq
          FROM b WHERE b.kind = 'timer.event'
        ), returns AS (
          SELECT b.seq, (b.payload->>'attemptId')::uuid AS attempt_id, b.payload->>'stimulusId' AS stimulus_id, (b.payload->>'play')::integer AS play,
            (b.payload->>'returnedAt')::timestamptz AS returned_at
          FROM b WHERE b.kind = 'audio.play.returned'
        ), latest AS MATERIALIZED (
          -- The API's reduction to the latest revision per item, of the new events only.
          SELECT a."attemptId" AS attempt_id, a."itemId" AS item_id, a.revision, a.value, a."savedAt" AS saved_at, a.seq
          FROM jsonb_to_recordset(p_answers) AS a("attemptId" uuid, "itemId" text, revision integer, value jsonb, "savedAt" timestamptz, seq bigint)
          WHERE a.seq > v_acked AND a.seq IN (SELECT seq FROM b)
        ), bad AS (
          SELECT found.seq, found.why, found.code, found.info FROM (
            -- An origin the centre holds must arrive with the same kind, entity and payload.
            SELECT a.seq,
              format('origin (%s, %s) was received before with another %s', a.origin_device, a.origin_seq,
                CASE WHEN h.kind IS DISTINCT FROM a.kind THEN 'kind' WHEN h.entity_id IS DISTINCT FROM a.entity_id THEN 'entity' ELSE 'payload' END) AS why,
              'EVENT_CONFLICT' AS code,
              jsonb_build_object('originDeviceId', a.origin_device, 'originSeq', a.origin_seq, 'kind', a.kind, 'entityId', a.entity_id,
                'heldKind', h.kind, 'heldEntityId', h.entity_id, 'heldDeviceId', h.held_device, 'heldSeq', h.held_seq, 'earlierSeq', h.earlier_seq) AS info
            FROM held h JOIN arrived a ON a.seq = h.seq
            WHERE (h.kind, h.entity_id, h.payload) IS DISTINCT FROM (a.kind, a.entity_id, a.payload)
            UNION ALL
            SELECT b.seq, format('candidate %s is not on this venue''s roster', b.payload->>'candidateId'), 'EVENT_REJECTED', NULL FROM b
            WHERE b.kind IN ('attempt.opened', 'attendance.marked', 'incident.recorded') AND b.payload->>'candidateId' IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM candidate c WHERE c.candidate_id = b.payload->>'candidateId' AND c.venue_id = p_venue)
            UNION ALL
            SELECT o.seq, format('attempt %s belongs to another venue', o.attempt_id), 'EVENT_REJECTED', NULL FROM opened o
            WHERE EXISTS (SELECT 1 FROM attempt a WHERE a.attempt_id = o.attempt_id AND a.venue_id <> p_venue)
            UNION ALL
            SELECT named.seq, format('attempt %s is unknown at this venue (no attempt.opened)', named.attempt_id), 'EVENT_REJECTED', NULL FROM (
              SELECT (payload->>'attemptId')::uuid AS attempt_id, min(seq) AS seq FROM b
              WHERE kind IN ('attempt.submitted', 'recording.started', 'recording.closed', 'timer.event', 'audio.play', 'audio.play.returned')
                OR (kind = 'incident.recorded' AND payload->>'attemptId' IS NOT NULL)
              GROUP BY 1
              UNION ALL
              SELECT attempt_id, min(seq) FROM latest GROUP BY 1
            ) named
            WHERE NOT EXISTS (SELECT 1 FROM attempt a WHERE a.attempt_id = named.attempt_id AND a.venue_id = p_venue)
              AND NOT EXISTS (SELECT 1 FROM opened o WHERE o.attempt_id = named.attempt_id)
            UNION ALL
            SELECT b.seq, format('recording %s belongs to another venue', b.payload->>'recordingId'), 'EVENT_REJECTED', NULL FROM b
            WHERE b.kind IN ('recording.started', 'recording.closed')
              AND EXISTS (SELECT 1 FROM recording r WHERE r.recording_id = (b.payload->>'recordingId')::uuid AND r.venue_id <> p_venue)
            UNION ALL
            SELECT b.seq, format('incident %s belongs to another venue', b.payload->>'incidentId'), 'EVENT_REJECTED', NULL FROM b
            WHERE b.kind = 'incident.recorded' AND EXISTS (SELECT 1 FROM incident i WHERE i.incident_id = b.payload->>'incidentId' AND i.venue_id <> p_venue)
            UNION ALL
            -- A station numbers its timer events once per attempt: one number, one event.
            SELECT t.seq, format('timer event %s of attempt %s was received before with other content', t.event_id, t.attempt_id), 'EVENT_CONFLICT',
              jsonb_build_object('originDeviceId', t.origin_device, 'originSeq', t.origin_seq, 'attemptId', t.attempt_id, 'eventId', t.event_id,
                'heldOriginDeviceId', h.origin_device_id, 'heldOriginSeq', h.origin_seq)
            FROM timers t JOIN timer_event h ON h.attempt_id = t.attempt_id AND h.event_id = t.event_id AND h.venue_id = p_venue
            WHERE (h.part_id, h.kind, h.at_ms, h.amount_ms, h.reason) IS DISTINCT FROM (t.part_id, t.kind, t.at_ms, t.amount_ms, t.reason)
            UNION ALL
            SELECT t.seq, format('timer event %s of attempt %s came with other content at event seq %s', t.event_id, t.attempt_id, e.seq), 'EVENT_CONFLICT',
              jsonb_build_object('originDeviceId', t.origin_device, 'originSeq', t.origin_seq, 'attemptId', t.attempt_id, 'eventId', t.event_id, 'earlierSeq', e.seq)
            FROM timers t JOIN timers e ON e.attempt_id = t.attempt_id AND e.event_id = t.event_id AND e.seq < t.seq
            WHERE (e.part_id, e.kind, e.at_ms, e.amount_ms, e.reason) IS DISTINCT FROM (t.part_id, t.kind, t.at_ms, t.amount_ms, t.reason)
            UNION ALL
            -- A play is handed back only after its grant: one the centre holds, or earlier in this push.
            SELECT r.seq, format('play %s of %s of attempt %s is not held at the centre (no audio.play came before it)', r.play, r.stimulus_id, r.attempt_id), 'EVENT_REJECTED', NULL
            FROM returns r
            WHERE NOT EXISTS (SELECT 1 FROM audio_play p WHERE p.attempt_id = r.attempt_id AND p.stimulus_id = r.stimulus_id AND p.play = r.play AND p.venue_id = p_venue)
              AND NOT EXISTS (
                SELECT 1 FROM b WHERE b.kind = 'audio.play' AND b.seq < r.seq
                  AND (b.payload->>'attemptId')::uuid = r.attempt_id AND b.payload->>'stimulusId' = r.stimulus_id AND (b.payload->>'play')::integer = r.play
              )
            UNION ALL
            -- A close must agree with the audio the centre holds (what its upload verified)...
            SELECT c.seq, format('recording %s was closed with SHA-256 %s (%s bytes), but the centre holds its audio with SHA-256 %s (%s bytes)', c.recording_id, c.sha256, c.bytes, r.blob_sha256, r.blob_bytes),
              'RECORDING_CONFLICT', jsonb_build_object('recordingId', c.recording_id, 'closedSha256', c.sha256, 'closedBytes', c.bytes, 'heldSha256', r.blob_sha256, 'heldBytes', r.blob_bytes)
            FROM closes c JOIN recording r ON r.recording_id = c.recording_id AND r.venue_id = p_venue
            WHERE r.blob_sha256 IS NOT NULL AND (r.blob_sha256 <> c.sha256 OR r.blob_bytes <> c.bytes)
            UNION ALL
            -- ...with a close received before (a station closes a recording once)...
            SELECT c.seq, format('recording %s was closed with SHA-256 %s (%s bytes), but it was closed before with SHA-256 %s (%s bytes)', c.recording_id, c.sha256, c.bytes, r.sha256, r.bytes),
              'RECORDING_CONFLICT', jsonb_build_object('recordingId', c.recording_id, 'closedSha256', c.sha256, 'closedBytes', c.bytes, 'earlierSha256', r.sha256, 'earlierBytes', r.bytes)
            FROM closes c JOIN recording r ON r.recording_id = c.recording_id AND r.venue_id = p_venue
            WHERE r.closed AND r.blob_sha256 IS NULL AND (r.sha256 <> c.sha256 OR r.bytes <> c.bytes)
            UNION ALL
            -- ...and with a close earlier in the same push.
            SELECT c.seq, format('recording %s was closed with SHA-256 %s (%s bytes), but event seq %s closed it with SHA-256 %s (%s bytes)', c.recording_id, c.sha256, c.bytes, e.seq, e.sha256, e.bytes),
              'RECORDING_CONFLICT', jsonb_build_object('recordingId', c.recording_id, 'closedSha256', c.sha256, 'closedBytes', c.bytes, 'earlierSha256', e.sha256, 'earlierBytes', e.bytes, 'earlierSeq', e.seq)
            FROM closes c JOIN closes e ON e.recording_id = c.recording_id AND e.seq < c.seq AND (e.sha256 <> c.sha256 OR e.bytes <> c.bytes)
          ) found ORDER BY found.seq LIMIT 1
        ), ok AS (
          SELECT NOT EXISTS (SELECT 1 FROM bad) AS go
        ), attempts AS (
          -- An attempt opened and submitted in one push is inserted with its submission; one opened
          -- before gets it below (a statement does not see its own inserts).
          INSERT INTO attempt (attempt_id, venue_id, device_id, candidate_id, package_id, opened_at, submitted_at)
          SELECT o.attempt_id, p_venue, p_device, o.candidate_id, o.package_id, o.opened_at, s.submitted_at FROM opened o LEFT JOIN submitted s ON s.attempt_id = o.attempt_id, ok WHERE ok.go
          ON CONFLICT (attempt_id) DO NOTHING
        ), submissions AS (
          -- The first submission received stands.
          UPDATE attempt SET submitted_at = s.submitted_at FROM submitted s, ok
          WHERE ok.go AND attempt.attempt_id = s.attempt_id AND attempt.venue_id = p_venue AND attempt.submitted_at IS NULL
        ), answers AS (
          -- The table keeps the highest revision it has seen of each answer.
          INSERT INTO response (attempt_id, item_id, venue_id, revision, value, saved_at)
          SELECT l.attempt_id, l.item_id, p_venue, l.revision, l.value, l.saved_at FROM latest l, ok WHERE ok.go
          ON CONFLICT (attempt_id, item_id) DO UPDATE SET revision = excluded.revision, value = excluded.value, saved_at = excluded.saved_at
          WHERE response.revision < excluded.revision AND response.venue_id = excluded.venue_id
        ), recordings AS (
          -- A close carries the hash, size, duration and whether the station closed it (interrupted,
          -- and why); a later start never reopens a close, and the first close's interruption stands.
          INSERT INTO recording (recording_id, venue_id, attempt_id, item_id, take, mime_type, sha256, bytes, duration_ms, segment_count, closed, interrupted, interruption)
          SELECT DISTINCT ON (1) (b.payload->>'recordingId')::uuid, p_venue, (b.payload->>'attemptId')::uuid, b.payload->>'itemId', (b.payload->>'take')::integer,
            b.payload->>'mimeType', b.payload->>'sha256', (b.payload->>'bytes')::bigint, (b.payload->>'durationMs')::integer, (b.payload->>'segmentCount')::integer,
            b.kind = 'recording.closed', (b.payload->>'interrupted')::boolean, b.payload->>'interruption'
          FROM b, ok WHERE ok.go AND b.kind IN ('recording.started', 'recording.closed')
          ORDER BY 1, 11 DESC, b.seq DESC
          ON CONFLICT (recording_id) DO UPDATE SET
            attempt_id = excluded.attempt_id, item_id = excluded.item_id, take = excluded.take, mime_type = excluded.mime_type,
            sha256 = CASE WHEN excluded.closed THEN excluded.sha256 ELSE recording.sha256 END,
            bytes = CASE WHEN excluded.closed THEN excluded.bytes ELSE recording.bytes END,
            duration_ms = CASE WHEN excluded.closed THEN excluded.duration_ms ELSE recording.duration_ms END,
            segment_count = CASE WHEN excluded.closed THEN excluded.segment_count ELSE recording.segment_count END,
            interrupted = CASE WHEN recording.closed THEN recording.interrupted ELSE excluded.interrupted END,
            interruption = CASE WHEN recording.closed THEN recording.interruption ELSE excluded.interruption END,
            closed = recording.closed OR excluded.closed
        ), timed AS (
          INSERT INTO timer_event (attempt_id, event_id, venue_id, part_id, kind, at_ms, amount_ms, reason, origin_device_id, origin_seq)
          SELECT t.attempt_id, t.event_id, p_venue, t.part_id, t.kind, t.at_ms, t.amount_ms, t.reason, t.origin_device, t.origin_seq FROM timers t, ok WHERE ok.go
          ON CONFLICT (attempt_id, event_id) DO NOTHING
        ), played AS (
          -- A play granted and handed back in one push is inserted with its return (the first received).
          INSERT INTO audio_play (attempt_id, stimulus_id, play, venue_id, origin_device_id, origin_seq, returned_at)
          SELECT (b.payload->>'attemptId')::uuid, b.payload->>'stimulusId', (b.payload->>'play')::integer, p_venue, b.origin_device, b.origin_seq,
            (SELECT r.returned_at FROM returns r
             WHERE r.attempt_id = (b.payload->>'attemptId')::uuid AND r.stimulus_id = b.payload->>'stimulusId' AND r.play = (b.payload->>'play')::integer
             ORDER BY r.seq LIMIT 1)
          FROM b, ok WHERE ok.go AND b.kind = 'audio.play'
          ON CONFLICT (attempt_id, stimulus_id, play) DO NOTHING
        ), handed_back AS (
          -- A play held before this push gets its return here (a statement does not see its own
          -- inserts: those above took theirs with them). The first return received stands.
          UPDATE audio_play SET returned_at = r.returned_at
          FROM (SELECT DISTINCT ON (attempt_id, stimulus_id, play) attempt_id, stimulus_id, play, returned_at FROM returns ORDER BY attempt_id, stimulus_id, play, seq) r, ok
          WHERE ok.go AND audio_play.attempt_id = r.attempt_id AND audio_play.stimulus_id = r.stimulus_id AND audio_play.play = r.play
            AND audio_play.venue_id = p_venue AND audio_play.returned_at IS NULL
        ), marked AS (
          INSERT INTO attendance (candidate_id, session_id, venue_id, status, marked_at, marked_by)
          SELECT DISTINCT ON (1, 2) b.payload->>'candidateId', b.payload->>'sessionId', p_venue, b.payload->>'status', (b.payload->>'at')::timestamptz, b.payload->>'markedBy'
          FROM b, ok WHERE ok.go AND b.kind = 'attendance.marked'
          ORDER BY 1, 2, b.seq DESC
          ON CONFLICT (candidate_id, session_id) DO UPDATE SET status = excluded.status, marked_at = excluded.marked_at, marked_by = excluded.marked_by
        ), incidents AS (
          INSERT INTO incident (incident_id, venue_id, session_id, candidate_id, attempt_id, kind, note, at, recorded_by)
          SELECT b.payload->>'incidentId', p_venue, b.payload->>'sessionId', b.payload->>'candidateId', (b.payload->>'attemptId')::uuid, b.payload->>'kind',
            b.payload->>'note', (b.payload->>'at')::timestamptz, b.payload->>'recordedBy'
          FROM b, ok WHERE ok.go AND b.kind = 'incident.recorded'
          ON CONFLICT (incident_id) DO NOTHING
        ), stored AS (
          INSERT INTO outbox_event (device_id, seq, origin_device_id, origin_seq, kind, entity_id, payload, created_at)
          SELECT p_device, b.seq, b.origin_device, b.origin_seq, b.kind, b.entity_id, b.payload, b.created_at FROM b, ok WHERE ok.go
        ), summary AS (
          SELECT (SELECT count(*)::integer FROM b) AS fresh, (SELECT count(*)::integer FROM arrived) AS arrived, (SELECT max(seq) FROM arrived) AS last,
            (SELECT coalesce(to_jsonb(array_agg(DISTINCT kind)), '[]'::jsonb) FROM b) AS kinds
        ), acked AS (
          -- The stream position moves over every arrived event, the held origins too.
          UPDATE device SET acked_seq = s.last FROM summary s, ok WHERE ok.go AND s.arrived > 0 AND device.device_id = p_device
        ), audited AS (
          INSERT INTO audit_pending (actor_kind, actor_id, action, venue_id, subject, detail)
          SELECT 'device', p_device::text, 'events.pushed', p_venue, NULL,
            jsonb_build_object('fromSeq', v_acked + 1, 'toSeq', s.last, 'count', s.fresh, 'heldOrigins', s.arrived - s.fresh, 'kinds', s.kinds)
          FROM summary s, ok WHERE ok.go AND s.arrived > 0
        )
        SELECT s.fresh, s.arrived, s.last, bad.seq AS bad_seq, bad.why AS bad_why, bad.code AS bad_code, bad.info AS bad_info INTO v_done FROM summary s LEFT JOIN bad ON true;

        IF v_done.bad_seq IS NOT NULL THEN
          PERFORM push_refuse(v_done.bad_code, jsonb_build_object('seq', v_done.bad_seq, 'detail', format('event seq %s: %s', v_done.bad_seq, v_done.bad_why), 'info', v_done.bad_info));
        END IF;
        IF v_done.arrived = 0 THEN
          RETURN QUERY SELECT v_acked, 0, v_total;
        ELSE
          RETURN QUERY SELECT v_done.last, v_done.fresh, v_total - v_done.fresh;
        END IF;
      END $$;
    `.execute(db);
  },
};
