// The central database's tables as kysely sees them. One writer per data set: the agency writes
// venues, sessions, rosters and packages; venues write what arrives through push and uploads.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp the database fills in (DEFAULT now()). */
type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
type Json = ColumnType<unknown, string, string>;
type NullableJson = ColumnType<unknown, string | null, string | null>;
/** bigint (int8) columns: database.ts parses them as numbers (every value here is far below 2^53). */
type Int8 = number;

export interface VenueTable {
  venue_id: string;
  code: string;
  name: string;
  address: string;
  /** The venue's feed cursor: bumped, under this row's lock, by every change published to the venue. */
  feed_version: Int8;
  created_at: DefaultTimestamp;
}

export interface EnrollmentCodeTable {
  code_sha256: string;
  venue_id: string;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  device_id: string | null;
  created_at: DefaultTimestamp;
}

export interface DeviceTable {
  device_id: string;
  venue_id: string;
  name: string;
  /** Ed25519 SubjectPublicKeyInfo, DER, base64. The private half never leaves the hub. */
  public_key: string;
  status: 'active' | 'revoked';
  acked_seq: Int8;
  enrolled_at: DefaultTimestamp;
  revoked_at: NullableTimestamp;
  revoked_reason: string | null;
}

export interface RequestNonceTable {
  device_id: string;
  nonce: string;
  seen_at: DefaultTimestamp;
}

export interface ExamPackageTable {
  package_id: string;
  exam_id: string;
  exam_version: number;
  title: string;
  venue_code: string;
  valid_from: Timestamp;
  valid_until: Timestamp;
  manifest: Json;
  file_sha256: string;
  file_size: Int8;
  blob_key: string;
  created_at: DefaultTimestamp;
}

/** What never travels to a venue before the start time (content key) or at all (content, answer key). */
export interface PackageSecretTable {
  package_id: string;
  content_key: string;
  content: Json;
  answer_key: NullableJson;
}

export interface ExamSessionTable {
  session_id: string;
  venue_id: string;
  exam_id: string;
  package_id: string | null;
  room: string;
  starts_at: Timestamp;
  ends_at: NullableTimestamp;
  cancelled: boolean;
  feed_version: Int8;
}

export interface CandidateTable {
  candidate_id: string;
  session_id: string;
  venue_id: string;
  given_name: string;
  family_name: string;
  personal_code: string;
  birth_date: string | null;
  /** Level and degree, e.g. "A2". */
  level: string | null;
  /** The accommodation granted (never a diagnosis) with the doctor's opinion number and date (MK 117 11.3.10). */
  accommodation: string | null;
  accommodation_doc_no: string | null;
  accommodation_doc_date: string | null;
  removed: boolean;
  feed_version: Int8;
}

export interface KeyReleaseTable {
  release_id: Generated<number>;
  session_id: string;
  device_id: string;
  released_at: DefaultTimestamp;
}

export interface OutboxEventTable {
  device_id: string;
  seq: Int8;
  /** The device that wrote the event first, and its seq there (migration 4; NULL on older relayed rows). */
  origin_device_id: string;
  origin_seq: Int8 | null;
  kind: string;
  entity_id: string;
  payload: Json;
  created_at: string;
  received_at: DefaultTimestamp;
}

export interface AttemptTable {
  attempt_id: string;
  venue_id: string;
  device_id: string;
  candidate_id: string;
  package_id: string;
  opened_at: Timestamp;
  /** From attempt.submitted (migration 4): the first submission received. */
  submitted_at: NullableTimestamp;
}

export interface ResponseTable {
  attempt_id: string;
  item_id: string;
  venue_id: string;
  revision: number;
  value: Json;
  saved_at: Timestamp;
}

export interface RecordingTable {
  recording_id: string;
  venue_id: string;
  attempt_id: string | null;
  item_id: string | null;
  take: number | null;
  mime_type: string | null;
  /** From recording.closed (or the upload's declaration when the audio arrives first). */
  sha256: string | null;
  bytes: number | null;
  duration_ms: number | null;
  segment_count: number | null;
  closed: boolean;
  /** From recording.closed (migration 4): closed by the station, not the candidate, and why. NULL until closed. */
  interrupted: boolean | null;
  interruption: string | null;
  /** The object holding the audio; its name ends in the hash of its bytes. */
  blob_key: string | null;
  /** What the upload verified of the object blob_key names (migration 3): only these are held bytes. */
  blob_sha256: string | null;
  blob_bytes: number | null;
  uploaded_at: NullableTimestamp;
}

export interface AttendanceTable {
  candidate_id: string;
  session_id: string;
  venue_id: string;
  status: string;
  marked_at: Timestamp;
  /** Who marked it at the venue (migration 4; NULL on older rows). */
  marked_by: string | null;
}

export interface IncidentTable {
  incident_id: string;
  venue_id: string;
  session_id: string | null;
  candidate_id: string | null;
  /** The attempt it concerns, if any (migration 4). */
  attempt_id: string | null;
  kind: string;
  note: string;
  at: Timestamp;
  /** Who recorded it at the venue (migration 4; NULL on older rows). */
  recorded_by: string | null;
}

/** A part timer's event as the station recorded it (timer.event, migration 4). */
export interface TimerEventTable {
  attempt_id: string;
  /** The station's own number for the event, unique per attempt. */
  event_id: Int8;
  venue_id: string;
  part_id: string;
  kind: string;
  /** The station's clock, ms since the epoch. */
  at_ms: Int8;
  amount_ms: Int8 | null;
  reason: string | null;
  origin_device_id: string;
  origin_seq: Int8;
}

/** A play of restricted listening audio granted by the station (audio.play, migration 4). */
export interface AudioPlayTable {
  attempt_id: string;
  stimulus_id: string;
  play: number;
  venue_id: string;
  origin_device_id: string;
  origin_seq: Int8;
  /** When the station handed the play back because its audio failed to start (audio.play.returned, migration 10); NULL: it counts. */
  returned_at: NullableTimestamp;
}

export interface UploadTable {
  upload_id: string;
  venue_id: string;
  device_id: string;
  recording_id: string;
  length: Int8;
  offset: Int8;
  sha256: string;
  mime_type: string;
  status: 'open' | 'complete';
  lease_token: string | null;
  lease_until: NullableTimestamp;
  created_at: DefaultTimestamp;
  completed_at: NullableTimestamp;
}

export interface RaterScoreTable {
  attempt_id: string;
  item_id: string;
  points: number;
  rater: string;
  note: string;
  scored_at: DefaultTimestamp;
}

/** A deletion certificate a venue hub signed and sent (migration 20), kept as received. */
export interface DeletionCertificateTable {
  certificate_id: string;
  device_id: string;
  venue_id: string;
  session_id: string;
  /** The certificate as signed (src-shared/contracts/deletion-certificate.ts). */
  certificate: Json;
  /** SHA-256 of the signed text (deletionCertificateSha256). */
  certificate_sha256: string;
  /** The hub's Ed25519 signature, base64. */
  signature: string;
  received_at: DefaultTimestamp;
}

export interface AuditLogTable {
  audit_id: Int8;
  at: Timestamp;
  actor_kind: 'admin' | 'device' | 'system';
  actor_id: string;
  action: string;
  venue_id: string | null;
  subject: string | null;
  detail: Json;
  prev_hash: string;
  hash: string;
}

export interface AuditPendingTable {
  pending_id: Generated<number>;
  at: DefaultTimestamp;
  actor_kind: 'admin' | 'device' | 'system';
  actor_id: string;
  action: string;
  venue_id: string | null;
  subject: string | null;
  detail: Json;
}

export interface AuditHeadTable {
  singleton: boolean;
  last_id: Int8;
  last_hash: string;
}

export interface SchemaMigrationTable {
  version: number;
  name: string;
  applied_at: DefaultTimestamp;
}

export interface CentralTables {
  venue: VenueTable;
  enrollment_code: EnrollmentCodeTable;
  device: DeviceTable;
  request_nonce: RequestNonceTable;
  exam_package: ExamPackageTable;
  package_secret: PackageSecretTable;
  exam_session: ExamSessionTable;
  candidate: CandidateTable;
  key_release: KeyReleaseTable;
  outbox_event: OutboxEventTable;
  attempt: AttemptTable;
  response: ResponseTable;
  recording: RecordingTable;
  attendance: AttendanceTable;
  incident: IncidentTable;
  timer_event: TimerEventTable;
  audio_play: AudioPlayTable;
  upload: UploadTable;
  rater_score: RaterScoreTable;
  deletion_certificate: DeletionCertificateTable;
  audit_log: AuditLogTable;
  audit_pending: AuditPendingTable;
  audit_head: AuditHeadTable;
  schema_migration: SchemaMigrationTable;
}
