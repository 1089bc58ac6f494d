// Schema version 3: what an upload verified is kept apart from what a close claims, and the two are
// compared in both orders under one per-recording lock.
// - recording.blob_sha256 / blob_bytes: the SHA-256 and size of the object blob_key names, set only
//   by an upload that hashed those bytes, in the transaction that made blob_key point at them.
//   recording.sha256 / bytes stay what the station closed (or the upload's declaration until a
//   close arrives). A receipt certifies audio only when the two agree.
// - lock_recordings(ids): transaction-scoped advisory locks on recordings, taken in one order. Both
//   apply_push (for the recordings a batch starts or closes) and the finishing of an upload take
//   them, so a close and an upload arriving together are decided one after the other.
// - apply_push is replaced: after the device lock it locks the batch's recordings, and refuses (409
//   RECORDING_CONFLICT) a close that contradicts held audio, an earlier close, or a close earlier in
//   the same push.
// Existing rows: a recording whose blob_key names the object of its completed upload (the key holds
// the hash the upload verified) gets that upload's hash and length; any other blob_key stays
// unverified, so no receipt certifies it.
import { sql, type Kysely } from 'kysely';
import type { Migration } from './index.ts';

/** The advisory lock space of recordings (the two-key form, apart from the migration lock's one key). */
export const RECORDING_LOCK_SPACE = 7_117_158;

export const migration0003: Migration = {
  version: 3,
  name: 'recording_integrity',
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      ALTER TABLE recording ADD COLUMN blob_sha256 text, ADD COLUMN blob_bytes bigint;
      UPDATE recording r SET blob_sha256 = u.sha256, blob_bytes = u.length
      FROM upload u
      WHERE u.recording_id = r.recording_id AND u.venue_id = r.venue_id AND u.status = 'complete'
        AND r.blob_key = 'audio/' || r.venue_id || '/' || r.recording_id || '-' || u.sha256;
      -- The object key holds the hash of its bytes (objectKeyOfRecording in uploads/tus.ts), so a
      -- verified hash and the key it names can never disagree.
      ALTER TABLE recording ADD CONSTRAINT recording_blob_verified CHECK (
        (blob_sha256 IS NULL AND blob_bytes IS NULL)
        OR (blob_bytes IS NOT NULL AND blob_key = 'audio/' || venue_id || '/' || recording_id || '-' || blob_sha256));

      CREATE FUNCTION lock_recordings(p_ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        v_key integer;
      BEGIN
        -- Sorted by lock key: every caller takes them in the same order. Two ids that share a key
        -- only wait for each other, which is harmless.
        FOR v_key IN SELECT DISTINCT hashtext(id::text) FROM unnest(p_ids) AS id ORDER BY 1 LOOP
          PERFORM pg_advisory_xact_lock(${sql.raw(String(RECORDING_LOCK_SPACE))}, v_key);
        END LOOP;
      END $$;

      CREATE OR REPLACE FUNCTION apply_push(p_device uuid, p_venue uuid, p_nonce text, p_events jsonb, p_answers jsonb)
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

        -- Every recording the new events start or close is locked before it is looked at, in one
        -- order (lock_recordings sorts), so two pushes cannot deadlock. An upload finishing for one of
        -- them takes the same lock: it has either committed, and the checks below see its audio, or it
        -- waits until this push has committed and then sees the close.
        PERFORM lock_recordings(ARRAY(
          SELECT DISTINCT (e.payload->>'recordingId')::uuid
          FROM jsonb_to_recordset(p_events) AS e(seq bigint, kind text, payload jsonb)
          WHERE e.seq > v_acked AND e.kind IN ('recording.started', 'recording.closed')));

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
        ), closes AS (
          SELECT b.seq, (b.payload->>'recordingId')::uuid AS recording_id, b.payload->>'sha256' AS sha256, (b.payload->>'bytes')::bigint AS bytes
          FROM b WHERE b.kind = 'recording.closed'
        ), latest AS MATERIALIZED (
          SELECT a."attemptId" AS attempt_id, a."itemId" AS item_id, a.revision, a.value, a."savedAt" AS saved_at, a.seq
          FROM jsonb_to_recordset(p_answers) AS a("attemptId" uuid, "itemId" text, revision integer, value jsonb, "savedAt" timestamptz, seq bigint)
          WHERE a.seq > v_acked
        ), bad AS (
          SELECT found.seq, found.why, found.code, found.info FROM (
            SELECT b.seq, format('candidate %s is not on this venue''s roster', b.payload->>'candidateId') AS why, 'EVENT_REJECTED' AS code, NULL::jsonb AS info FROM b
            WHERE b.kind IN ('attempt.opened', 'attendance.marked', 'incident.recorded') AND b.payload->>'candidateId' IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM candidate c WHERE c.candidate_id = b.payload->>'candidateId' AND c.venue_id = p_venue)
            UNION ALL
            SELECT o.seq, format('attempt %s belongs to another venue', o.attempt_id), 'EVENT_REJECTED', NULL FROM opened o
            WHERE EXISTS (SELECT 1 FROM attempt a WHERE a.attempt_id = o.attempt_id AND a.venue_id <> p_venue)
            UNION ALL
            SELECT named.seq, format('attempt %s is unknown at this venue (no attempt.opened)', named.attempt_id), 'EVENT_REJECTED', NULL FROM (
              SELECT (payload->>'attemptId')::uuid AS attempt_id, min(seq) AS seq FROM b
              WHERE kind IN ('recording.started', 'recording.closed') GROUP BY 1
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
        SELECT s.fresh, s.last, bad.seq AS bad_seq, bad.why AS bad_why, bad.code AS bad_code, bad.info AS bad_info INTO v_done FROM summary s LEFT JOIN bad ON true;

        IF v_done.bad_seq IS NOT NULL THEN
          PERFORM push_refuse(v_done.bad_code, jsonb_build_object('seq', v_done.bad_seq, 'detail', format('event seq %s: %s', v_done.bad_seq, v_done.bad_why), 'info', v_done.bad_info));
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
