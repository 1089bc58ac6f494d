// Schema version 20: deletion certificates (issue 11 §4/§5). A venue hub that deleted a session's
// personal data, answers and audio at the venue (after every receipt matched) sends a certificate
// signed with its device key; the centre keeps it as received, with the signature, for the agency to
// show and check. The certificate itself is the jsonb as the hub signed it (src-shared/contracts/
// deletion-certificate.ts); the columns beside it are what the agency looks certificates up by.
// - certificate_id: the hub's id of the certificate; a resend of the same body is the same row.
// - certificate_sha256: SHA-256 of the signed text, so a resend and another body under the same id
//   are told apart without comparing jsonb.
import { sql, type Kysely } from 'kysely';
import type { Migration } from './index.ts';

export const migration0020: Migration = {
  version: 20,
  name: 'deletion_certificates',
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`
      CREATE TABLE deletion_certificate (
        certificate_id uuid PRIMARY KEY,
        device_id uuid NOT NULL REFERENCES device,
        venue_id uuid NOT NULL REFERENCES venue,
        session_id text NOT NULL REFERENCES exam_session,
        certificate jsonb NOT NULL,
        certificate_sha256 text NOT NULL CHECK (certificate_sha256 ~ '^[0-9a-f]{64}$'),
        signature text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX deletion_certificate_session ON deletion_certificate (session_id, received_at DESC);
      CREATE INDEX deletion_certificate_received ON deletion_certificate (received_at DESC, certificate_id DESC);
    `.execute(db);
  },
};
