// Schema version 1: venues and their devices, what the agency publishes (sessions, rosters, packages),
// what venues send (events, attempts, responses, recordings, attendance, incidents, uploads), scores,
// and the hash-chained audit log (entries sealed into the chain in batches, kept append-only by a trigger).
import { sql, type Kysely } from 'kysely';
import type { Migration } from './index.ts';

export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE venue (
        venue_id uuid PRIMARY KEY,
        code text NOT NULL UNIQUE,
        name text NOT NULL,
        address text NOT NULL DEFAULT '',
        feed_version bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE enrollment_code (
        code_sha256 text PRIMARY KEY,
        venue_id uuid NOT NULL REFERENCES venue,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        device_id uuid,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE device (
        device_id uuid PRIMARY KEY,
        venue_id uuid NOT NULL REFERENCES venue,
        name text NOT NULL,
        public_key text NOT NULL UNIQUE,
        status text NOT NULL CHECK (status IN ('active', 'revoked')),
        acked_seq bigint NOT NULL DEFAULT 0,
        enrolled_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoked_reason text
      );
      CREATE INDEX device_venue ON device (venue_id);
      CREATE TABLE request_nonce (
        device_id uuid NOT NULL,
        nonce text NOT NULL,
        seen_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (device_id, nonce)
      );
      CREATE INDEX request_nonce_seen ON request_nonce (seen_at);
      CREATE TABLE exam_package (
        package_id uuid PRIMARY KEY,
        exam_id text NOT NULL,
        exam_version integer NOT NULL,
        title text NOT NULL,
        venue_code text NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_until timestamptz NOT NULL,
        manifest jsonb NOT NULL,
        file_sha256 text NOT NULL,
        file_size bigint NOT NULL,
        blob_key text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE package_secret (
        package_id uuid PRIMARY KEY REFERENCES exam_package,
        content_key text NOT NULL,
        content jsonb NOT NULL,
        answer_key jsonb
      );
      CREATE TABLE exam_session (
        session_id text PRIMARY KEY,
        venue_id uuid NOT NULL REFERENCES venue,
        exam_id text NOT NULL,
        package_id uuid REFERENCES exam_package,
        room text NOT NULL DEFAULT '',
        starts_at timestamptz NOT NULL,
        ends_at timestamptz,
        cancelled boolean NOT NULL DEFAULT false,
        feed_version bigint NOT NULL
      );
      CREATE INDEX exam_session_feed ON exam_session (venue_id, feed_version);
      CREATE TABLE candidate (
        candidate_id text PRIMARY KEY,
        session_id text NOT NULL REFERENCES exam_session,
        venue_id uuid NOT NULL REFERENCES venue,
        given_name text NOT NULL,
        family_name text NOT NULL,
        personal_code text NOT NULL,
        birth_date date,
        level text,
        accommodation text,
        accommodation_doc_no text,
        accommodation_doc_date date,
        removed boolean NOT NULL DEFAULT false,
        feed_version bigint NOT NULL
      );
      CREATE INDEX candidate_feed ON candidate (venue_id, feed_version);
      CREATE INDEX candidate_session ON candidate (session_id);
      CREATE TABLE key_release (
        release_id bigserial PRIMARY KEY,
        session_id text NOT NULL REFERENCES exam_session,
        device_id uuid NOT NULL REFERENCES device,
        released_at timestamptz NOT NULL DEFAULT now()
      );
      -- No foreign key to device: apply_push writes here only under the device row's lock, and a
      -- per-row key check would cost as much as the insert itself on the busiest table.
      CREATE TABLE outbox_event (
        device_id uuid NOT NULL,
        seq bigint NOT NULL,
        origin_device_id text NOT NULL,
        kind text NOT NULL,
        entity_id text NOT NULL,
        payload jsonb NOT NULL,
        created_at text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (device_id, seq)
      );
      CREATE TABLE attempt (
        attempt_id uuid PRIMARY KEY,
        venue_id uuid NOT NULL REFERENCES venue,
        device_id uuid NOT NULL REFERENCES device,
        candidate_id text NOT NULL REFERENCES candidate,
        package_id uuid NOT NULL,
        opened_at timestamptz NOT NULL,
        UNIQUE (attempt_id, venue_id)
      );
      CREATE INDEX attempt_candidate ON attempt (candidate_id);
      -- An answer can only belong to an attempt of its own venue: the key says so.
      CREATE TABLE response (
        attempt_id uuid NOT NULL,
        item_id text NOT NULL,
        venue_id uuid NOT NULL,
        revision integer NOT NULL,
        value jsonb NOT NULL,
        saved_at timestamptz NOT NULL,
        PRIMARY KEY (attempt_id, item_id),
        CONSTRAINT response_attempt_of_venue FOREIGN KEY (attempt_id, venue_id) REFERENCES attempt (attempt_id, venue_id)
      );
      CREATE TABLE recording (
        recording_id uuid PRIMARY KEY,
        venue_id uuid NOT NULL REFERENCES venue,
        attempt_id uuid,
        item_id text,
        take integer,
        mime_type text,
        sha256 text,
        bytes bigint,
        duration_ms integer,
        segment_count integer,
        closed boolean NOT NULL DEFAULT false,
        blob_key text,
        uploaded_at timestamptz
      );
      CREATE INDEX recording_attempt ON recording (attempt_id);
      CREATE TABLE attendance (
        candidate_id text NOT NULL REFERENCES candidate,
        session_id text NOT NULL,
        venue_id uuid NOT NULL,
        status text NOT NULL,
        marked_at timestamptz NOT NULL,
        PRIMARY KEY (candidate_id, session_id)
      );
      CREATE TABLE incident (
        incident_id text PRIMARY KEY,
        venue_id uuid NOT NULL REFERENCES venue,
        session_id text,
        candidate_id text,
        kind text NOT NULL,
        note text NOT NULL,
        at timestamptz NOT NULL
      );
      CREATE INDEX incident_candidate ON incident (candidate_id);
      CREATE TABLE upload (
        upload_id uuid PRIMARY KEY,
        venue_id uuid NOT NULL REFERENCES venue,
        device_id uuid NOT NULL REFERENCES device,
        recording_id uuid NOT NULL UNIQUE,
        length bigint NOT NULL,
        "offset" bigint NOT NULL DEFAULT 0,
        sha256 text NOT NULL,
        mime_type text NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'complete')),
        lease_token text,
        lease_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      );
      CREATE TABLE rater_score (
        attempt_id uuid NOT NULL REFERENCES attempt,
        item_id text NOT NULL,
        points double precision NOT NULL,
        rater text NOT NULL,
        note text NOT NULL DEFAULT '',
        scored_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (attempt_id, item_id)
      );
      CREATE TABLE audit_log (
        audit_id bigint PRIMARY KEY,
        at timestamptz NOT NULL,
        actor_kind text NOT NULL,
        actor_id text NOT NULL,
        action text NOT NULL,
        venue_id uuid,
        subject text,
        detail jsonb NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL
      );
      CREATE TABLE audit_head (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        last_id bigint NOT NULL,
        last_hash text NOT NULL
      );
      INSERT INTO audit_head (singleton, last_id, last_hash) VALUES (true, 0, repeat('0', 64));
      -- The hash of a row: SHA-256 over the previous row's hash, a newline and the row as jsonb text
      -- (PostgreSQL's canonical jsonb form). Used when sealing and when verifying.
      CREATE FUNCTION audit_row_hash(prev_hash text, audit_id bigint, at timestamptz, actor_kind text, actor_id text, action text, venue_id uuid, subject text, detail jsonb)
      RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT encode(sha256(convert_to(prev_hash || E'\n' || jsonb_build_object(
          'auditId', audit_id, 'at', to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), 'actorKind', actor_kind, 'actorId', actor_id,
          'action', action, 'venueId', venue_id, 'subject', subject, 'detail', detail)::text, 'UTF8')), 'hex')
      $$;
      -- An action's transaction writes its entries to audit_pending (no lock, so actions never wait
      -- for each other). The sealer moves committed entries into the chain in order, many per
      -- transaction, under the chain's one lock: audit_seal_pending returns how many it sealed.
      CREATE TABLE audit_pending (
        pending_id bigserial PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now(),
        actor_kind text NOT NULL,
        actor_id text NOT NULL,
        action text NOT NULL,
        venue_id uuid,
        subject text,
        detail jsonb NOT NULL
      );
      CREATE FUNCTION audit_seal_pending(max_rows integer) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE
        head record;
        entry record;
        next_id bigint;
        prev text;
        hash text;
        sealed integer := 0;
      BEGIN
        -- Most calls find nothing to seal: do not take the chain's lock for them.
        IF NOT EXISTS (SELECT 1 FROM audit_pending) THEN
          RETURN 0;
        END IF;
        SELECT last_id, last_hash INTO head FROM audit_head WHERE singleton FOR UPDATE;
        next_id := head.last_id;
        prev := head.last_hash;
        FOR entry IN SELECT * FROM audit_pending ORDER BY pending_id LIMIT max_rows LOOP
          next_id := next_id + 1;
          hash := audit_row_hash(prev, next_id, entry.at, entry.actor_kind, entry.actor_id, entry.action, entry.venue_id, entry.subject, entry.detail);
          INSERT INTO audit_log (audit_id, at, actor_kind, actor_id, action, venue_id, subject, detail, prev_hash, hash)
            VALUES (next_id, entry.at, entry.actor_kind, entry.actor_id, entry.action, entry.venue_id, entry.subject, entry.detail, prev, hash);
          DELETE FROM audit_pending WHERE pending_id = entry.pending_id;
          prev := hash;
          sealed := sealed + 1;
        END LOOP;
        IF sealed > 0 THEN
          UPDATE audit_head SET last_id = next_id, last_hash = prev WHERE singleton;
        END IF;
        RETURN sealed;
      END $$;
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
      END $$;
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
    `.execute(db);
  },
};
