// Schema version 2: the push is applied inside PostgreSQL by apply_push(), one call per push. The
// batch arrives as one jsonb value whose shapes the API has already checked; the function spends the
// request's nonce, locks the device row (so pushes from one device take turns, on any replica),
// refuses a gap, skips what was already acknowledged, materialises attempts, answers, recordings,
// attendance and incidents (each only for the pushing venue), stores the events, moves acked_seq
// and writes the audit entry. A refusal is raised as an exception named after the API error code
// with a JSON detail, so nothing of a refused push is kept. One round trip per push instead of one
// per step matters when hundreds of venues push at once.
import { sql, type Kysely } from 'kysely';
import type { Migration } from './index.ts';

export const migration0002: Migration = {
  version: 2,
  name: 'apply_push',
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE FUNCTION push_refuse(code text, detail jsonb) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = code, DETAIL = detail::text;
      END $$;

      -- p_events: the batch as the hub sent it. p_answers: its response.saved events reduced by the API
      -- to the latest revision per item ({attemptId, itemId, revision, value, savedAt, seq}), so the
      -- bulk of every push is not taken apart again here.
      CREATE FUNCTION apply_push(p_device uuid, p_venue uuid, p_nonce text, p_events jsonb, p_answers jsonb)
      RETURNS TABLE (acked_seq bigint, accepted integer, duplicates integer)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_status text;
        v_acked bigint;
        v_first bigint := (p_events->0->>'seq')::bigint;
        v_total integer := jsonb_array_length(p_events);
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

        -- One statement over the new events (expanded from JSON once): find the first event that names
        -- another venue's candidate, attempt, recording or incident; if there is none, write everything.
        WITH b AS MATERIALIZED (
          SELECT e.seq, e."deviceId" AS origin, e.kind, e."entityId" AS entity_id, coalesce(e.payload, 'null'::jsonb) AS payload, e."createdAt" AS created_at
          FROM jsonb_to_recordset(p_events) AS e("deviceId" text, seq bigint, kind text, "entityId" text, payload jsonb, "createdAt" text)
          WHERE e.seq > v_acked
        ), opened AS (
          SELECT (payload->>'attemptId')::uuid AS attempt_id, payload->>'candidateId' AS candidate_id, (payload->>'packageId')::uuid AS package_id,
            (payload->>'openedAt')::timestamptz AS opened_at, seq
          FROM b WHERE kind = 'attempt.opened'
        ), latest AS MATERIALIZED (
          SELECT a."attemptId" AS attempt_id, a."itemId" AS item_id, a.revision, a.value, a."savedAt" AS saved_at, a.seq
          FROM jsonb_to_recordset(p_answers) AS a("attemptId" uuid, "itemId" text, revision integer, value jsonb, "savedAt" timestamptz, seq bigint)
          WHERE a.seq > v_acked
        ), bad AS (
          SELECT found.seq, found.why FROM (
            SELECT b.seq, format('candidate %s is not on this venue''s roster', b.payload->>'candidateId') AS why FROM b
            WHERE b.kind IN ('attempt.opened', 'attendance.marked', 'incident.recorded') AND b.payload->>'candidateId' IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM candidate c WHERE c.candidate_id = b.payload->>'candidateId' AND c.venue_id = p_venue)
            UNION ALL
            SELECT o.seq, format('attempt %s belongs to another venue', o.attempt_id) FROM opened o
            WHERE EXISTS (SELECT 1 FROM attempt a WHERE a.attempt_id = o.attempt_id AND a.venue_id <> p_venue)
            UNION ALL
            SELECT named.seq, format('attempt %s is unknown at this venue (no attempt.opened)', named.attempt_id) FROM (
              SELECT (payload->>'attemptId')::uuid AS attempt_id, min(seq) AS seq FROM b
              WHERE kind IN ('recording.started', 'recording.closed') GROUP BY 1
              UNION ALL
              SELECT attempt_id, min(seq) FROM latest GROUP BY 1
            ) named
            WHERE NOT EXISTS (SELECT 1 FROM attempt a WHERE a.attempt_id = named.attempt_id AND a.venue_id = p_venue)
              AND NOT EXISTS (SELECT 1 FROM opened o WHERE o.attempt_id = named.attempt_id)
            UNION ALL
            SELECT b.seq, format('recording %s belongs to another venue', b.payload->>'recordingId') FROM b
            WHERE b.kind IN ('recording.started', 'recording.closed')
              AND EXISTS (SELECT 1 FROM recording r WHERE r.recording_id = (b.payload->>'recordingId')::uuid AND r.venue_id <> p_venue)
            UNION ALL
            SELECT b.seq, format('incident %s belongs to another venue', b.payload->>'incidentId') FROM b
            WHERE b.kind = 'incident.recorded' AND EXISTS (SELECT 1 FROM incident i WHERE i.incident_id = b.payload->>'incidentId' AND i.venue_id <> p_venue)
          ) found ORDER BY found.seq LIMIT 1
        ), ok AS (
          SELECT NOT EXISTS (SELECT 1 FROM bad) AS go
        ), attempts AS (
          INSERT INTO attempt (attempt_id, venue_id, device_id, candidate_id, package_id, opened_at)
          SELECT o.attempt_id, p_venue, p_device, o.candidate_id, o.package_id, o.opened_at FROM opened o, ok WHERE ok.go
          ON CONFLICT (attempt_id) DO NOTHING
        ), answers AS (
          -- The table keeps the highest revision it has seen of each answer.
          INSERT INTO response (attempt_id, item_id, venue_id, revision, value, saved_at)
          SELECT l.attempt_id, l.item_id, p_venue, l.revision, l.value, l.saved_at FROM latest l, ok WHERE ok.go
          ON CONFLICT (attempt_id, item_id) DO UPDATE SET revision = excluded.revision, value = excluded.value, saved_at = excluded.saved_at
          WHERE response.revision < excluded.revision AND response.venue_id = excluded.venue_id
        ), recordings AS (
          -- A close carries the hash, size and duration; a later start never reopens a close.
          INSERT INTO recording (recording_id, venue_id, attempt_id, item_id, take, mime_type, sha256, bytes, duration_ms, segment_count, closed)
          SELECT DISTINCT ON (1) (b.payload->>'recordingId')::uuid, p_venue, (b.payload->>'attemptId')::uuid, b.payload->>'itemId', (b.payload->>'take')::integer,
            b.payload->>'mimeType', b.payload->>'sha256', (b.payload->>'bytes')::bigint, (b.payload->>'durationMs')::integer, (b.payload->>'segmentCount')::integer,
            b.kind = 'recording.closed'
          FROM b, ok WHERE ok.go AND b.kind IN ('recording.started', 'recording.closed')
          ORDER BY 1, 11 DESC, b.seq DESC
          ON CONFLICT (recording_id) DO UPDATE SET
            attempt_id = excluded.attempt_id, item_id = excluded.item_id, take = excluded.take, mime_type = excluded.mime_type,
            sha256 = CASE WHEN excluded.closed THEN excluded.sha256 ELSE recording.sha256 END,
            bytes = CASE WHEN excluded.closed THEN excluded.bytes ELSE recording.bytes END,
            duration_ms = CASE WHEN excluded.closed THEN excluded.duration_ms ELSE recording.duration_ms END,
            segment_count = CASE WHEN excluded.closed THEN excluded.segment_count ELSE recording.segment_count END,
            closed = recording.closed OR excluded.closed
        ), marked AS (
          INSERT INTO attendance (candidate_id, session_id, venue_id, status, marked_at)
          SELECT DISTINCT ON (1, 2) b.payload->>'candidateId', b.payload->>'sessionId', p_venue, b.payload->>'status', (b.payload->>'at')::timestamptz
          FROM b, ok WHERE ok.go AND b.kind = 'attendance.marked'
          ORDER BY 1, 2, b.seq DESC
          ON CONFLICT (candidate_id, session_id) DO UPDATE SET status = excluded.status, marked_at = excluded.marked_at
        ), incidents AS (
          INSERT INTO incident (incident_id, venue_id, session_id, candidate_id, kind, note, at)
          SELECT b.payload->>'incidentId', p_venue, b.payload->>'sessionId', b.payload->>'candidateId', b.payload->>'kind', b.payload->>'note', (b.payload->>'at')::timestamptz
          FROM b, ok WHERE ok.go AND b.kind = 'incident.recorded'
          ON CONFLICT (incident_id) DO NOTHING
        ), stored AS (
          INSERT INTO outbox_event (device_id, seq, origin_device_id, kind, entity_id, payload, created_at)
          SELECT p_device, b.seq, b.origin, b.kind, b.entity_id, b.payload, b.created_at FROM b, ok WHERE ok.go
        ), summary AS (
          SELECT count(*)::integer AS fresh, max(b.seq) AS last, array_agg(DISTINCT b.kind) AS kinds FROM b
        ), acked AS (
          UPDATE device SET acked_seq = s.last FROM summary s, ok WHERE ok.go AND s.fresh > 0 AND device.device_id = p_device
        ), audited AS (
          INSERT INTO audit_pending (actor_kind, actor_id, action, venue_id, subject, detail)
          SELECT 'device', p_device::text, 'events.pushed', p_venue, NULL, jsonb_build_object('fromSeq', v_acked + 1, 'toSeq', s.last, 'count', s.fresh, 'kinds', to_jsonb(s.kinds))
          FROM summary s, ok WHERE ok.go AND s.fresh > 0
        )
        SELECT s.fresh, s.last, (SELECT bad.seq FROM bad) AS bad_seq, (SELECT bad.why FROM bad) AS bad_why INTO v_done FROM summary s;

        IF v_done.bad_seq IS NOT NULL THEN
          PERFORM push_refuse('EVENT_REJECTED', jsonb_build_object('seq', v_done.bad_seq, 'detail', format('event seq %s: %s', v_done.bad_seq, v_done.bad_why)));
        END IF;
        IF v_done.fresh = 0 THEN
          RETURN QUERY SELECT v_acked, 0, v_total;
        ELSE
          RETURN QUERY SELECT v_done.last, v_done.fresh, v_total - v_done.fresh;
        END IF;
      END $$;
    `.execute(db);
  },
};
