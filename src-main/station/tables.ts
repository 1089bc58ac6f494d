// The station's tables as kysely sees them. Kept beside the migrations: a migration that changes a
// table changes its type here.
import type { Generated } from 'kysely';
import type { StaffRole } from '../../src-shared/rules/staff.ts';
import type { TakeInterruption } from '../../src-shared/rules/takes.ts';

export interface MetaTable { key: string; value: string }

export interface PackagesTable {
  package_id: string;
  exam_id: string;
  exam_version: number;
  title: string;
  venue: string;
  valid_from: string;
  valid_until: string;
  signing_key_id: string;
  manifest_json: string;
  signature: Buffer;
  file_sha256: string;
  imported_at: string;
  /** 'importing' until every frame is in and checked (schema 4). */
  state: 'importing' | 'ready';
}

/** One ciphertext chunk with its tag (schema 4). */
export interface PackageFramesTable {
  package_id: string;
  idx: number;
  frame: Buffer;
}

export interface PackageKeysTable {
  package_id: string;
  content_key: string;
  released_at: string;
  /** JSON name → [offset, size] of the decrypted archive, found at the first unlock (schema 4). */
  archive_index: string | null;
}

export interface SessionsTable {
  session_id: string;
  exam_id: string;
  venue_code: string;
  venue_name: string;
  room: string | null;
  starts_at: string;
  ends_at: string | null;
}

export type Attendance = 'expected' | 'present' | 'absent' | 'removed';

export interface CandidatesTable {
  candidate_id: string;
  session_id: string;
  given_name: string;
  family_name: string;
  personal_code: string;
  birth_date: string | null;
  level: string | null;
  accommodation: string | null;
  accommodation_doc_no: string | null;
  accommodation_doc_date: string | null;
  attendance: Generated<Attendance>;
  checked_in_at: string | null;
}

export type AttemptStatus = 'open' | 'submitted' | 'voided';

export interface AttemptsTable {
  attempt_id: string;
  candidate_id: string;
  package_id: string;
  status: AttemptStatus;
  opened_at: string;
  current_part_id: string | null;
  current_item_id: string | null;
  /** SHA-256 (hex) of the candidate token of the screen the attempt is open on; null before schema 3. */
  candidate_token_sha256: string | null;
}

export interface ResponseRevisionsTable {
  attempt_id: string;
  item_id: string;
  revision: number;
  value_json: string;
  saved_at: string;
  client_save_id: string;
  seq: number;
}

export interface RecordingsTable {
  recording_id: string;
  attempt_id: string;
  item_id: string;
  take: number;
  mime_type: string;
  started_at: string;
  closed_at: string | null;
  segment_count: number;
  total_bytes: number;
  duration_ms: number;
  sha256: string | null;
  interrupted: Generated<number>;
  /** Why the station closed a take the candidate did not finish (schema 3). */
  interruption: TakeInterruption | null;
}


export interface RecordingSegmentsTable {
  recording_id: string;
  idx: number;
  data: Buffer;
  sha256: string;
  duration_ms: number;
  received_at: string;
}

export interface TimerEventsTable {
  event_id: Generated<number>;
  attempt_id: string;
  part_id: string;
  kind: 'start' | 'pause' | 'resume' | 'extend' | 'credit' | 'end';
  at: number;
  amount_ms: number | null;
  reason: string | null;
}

export interface IncidentsTable {
  incident_id: string;
  session_id: string;
  attempt_id: string | null;
  kind: string;
  note: string;
  at: string;
  recorded_by: string;
}

export interface OutboxTable {
  /** Handed out by the station, one more than the highest ever (schema 5). */
  seq: number;
  device_id: string;
  kind: string;
  entity_id: string;
  payload_json: string;
  created_at: string;
  /** On a hub, for an event a seat pushed: its seq at that seat (`device_id`); null for the hub's own (schema 40). */
  origin_seq: number | null;
}

export interface StimulusPlaysTable {
  attempt_id: string;
  stimulus_id: string;
  play: number;
  granted_at: string;
  /** When the play's audio left the station (schema 3): each grant lets it out once. */
  fetched_at: string | null;
  /** When the play was handed back because its audio failed to start (schema 10); it no longer counts. */
  returned_at: string | null;
}

/** A seat's stream at the hub: everything up to acked_seq is committed here (schema 40). */
export interface SeatStreamsTable {
  device_id: string;
  acked_seq: number;
  updated_at: string;
}

/** A take's segment as a seat sent it to the hub (schema 40). */
export interface SeatAudioTable {
  recording_id: string;
  idx: number;
  device_id: string;
  sha256: string;
  data: Buffer;
  received_at: string;
}

/** A command the hub issued to its room (schema 40); command_json is the RoomCommand. */
export interface RoomCommandsTable {
  cmd_id: string;
  term: number;
  room_seq: number;
  target_kind: 'room' | 'seat' | 'candidate';
  target_ref: string | null;
  command_json: string;
  created_at: string;
}

/** What a seat made of a command (schema 40). */
export interface RoomCommandResultsTable {
  cmd_id: string;
  device_id: string;
  status: 'applied' | 'refused';
  code: string | null;
  detail: string | null;
  confirmed_at: string;
  /** What the seat answered with the result (the seal's digest), JSON (schema 70). */
  answer_json: string | null;
}

/** A command as a seat received it, kept before it is applied (schema 40). */
export interface SeatCommandsTable {
  cmd_id: string;
  term: number;
  room_seq: number;
  command_json: string;
  received_at: string;
  status: 'stored' | 'applied' | 'refused';
  code: string | null;
  detail: string | null;
  applied_at: string | null;
  /** What the seat answered when it carried the command out, JSON (schema 70). */
  answer_json: string | null;
}

/** A package the hub offered that the seat is fetching (schema 80). */
export interface SeatStagingTable {
  package_id: string;
  file_sha256: string;
  size: number;
  offered_at: string;
}

/** A chunk of a package being fetched, checked against its hash before it was kept (schema 80). */
export interface SeatStagingChunksTable {
  package_id: string;
  idx: number;
  data: Buffer;
}

/** A segment of a take the hub has acknowledged (schema 40). */
export interface SeatAudioSentTable {
  recording_id: string;
  idx: number;
  acked_at: string;
}

/** A named person's account (schema 20); never deleted. */
export interface StaffAccountsTable {
  account_id: string;
  username: string;
  display_name: string;
  /** `$scrypt$ln=…,r=…,p=…$salt$hash` (passwords.ts): the parameters travel with the hash. */
  password_hash: string;
  /** 1: a one-time password (set at set-up or by a reset) that must be changed at the next sign-in. */
  must_change_password: number;
  pin_hash: string | null;
  disabled_at: string | null;
  disabled_by: string | null;
  /** The creator's username, or `(set-up)` / `(it-policy)` for the first chief invigilator. */
  created_by: string;
  created_at: string;
  password_changed_at: string;
}

export interface StaffRolesTable {
  account_id: string;
  role: StaffRole;
  granted_by: string;
  granted_at: string;
}

/** The hash-chained audit log (schema 20): append-only. */
export interface AuditLogTable {
  seq: number;
  at: string;
  actor: string;
  action: string;
  target: string | null;
  details_json: string;
  prev_hash: string;
  hash: string;
}

/** The hub's allowlist of its room's seats (schema 30). */
export interface RoomSeatsTable {
  device_id: string;
  /** SHA-256 (hex) of the seat's public key: what the hub matches a TLS peer against. */
  key_hash: string;
  /** Upper case; held by one unrevoked seat at a time. */
  label: string;
  /** The certificate the room CA issued for the seat (PEM). */
  certificate: string;
  /** 'rejoin': a seat of this room's CA taken back after the hub lost its database (schema 110). */
  paired_by: 'code' | 'room-file' | 'rejoin';
  paired_at: string;
  revoked_at: string | null;
}

/** A room file's one-time enrolment token, kept by its SHA-256 (schema 30). */
export interface RoomEnrolmentTokensTable {
  token_hash: string;
  room_file_id: string;
  valid_until: string;
  /** The device whose request used the token. */
  used_by: string | null;
  used_at: string | null;
}

/** A seat that enrolled with a room file, waiting for the invigilator's decision (schema 30). */
export interface RoomSeatRequestsTable {
  device_id: string;
  key_hash: string;
  /** The seat's public key (SPKI DER, base64): the certificate is issued for it when the request is accepted. */
  public_key: string;
  label: string;
  /** A room file's enrolment, or a seat with this room's certificate the hub no longer knew (schema 110). */
  kind: 'enrolment' | 'rejoin';
  /** The token of an enrolment; null for a rejoin. */
  token_hash: string | null;
  /** The certificate a rejoining seat showed (PEM), its own again once accepted; null for an enrolment. */
  certificate: string | null;
  /** The network address the request came from, for the invigilator to tell seats apart. */
  address: string;
  requested_at: string;
  decision: 'accepted' | 'refused' | null;
  decided_at: string | null;
}

/** A session this seat sealed, with its final digest (schema 70): nothing more of it is written. */
export interface SeatSealsTable {
  session_id: string;
  cmd_id: string;
  digest: string;
  last_seq: number;
  events: number;
  segments: number;
  sealed_at: string;
}

/** The seal of a session at the hub (schema 70): asked for, then done with the signed statement. */
export interface RoomSealsTable {
  session_id: string;
  cmd_id: string;
  requested_by: string;
  requested_at: string;
  sealed_at: string | null;
  statement_json: string | null;
  /** The hub device key's ECDSA P-256 signature (DER, base64) of the statement's canonical JSON. */
  signature: string | null;
}

/** A seat accounted for by the chief invigilator instead of its digest (schema 70). */
export interface RoomSealAccountsTable {
  session_id: string;
  device_id: string;
  reason: string;
  accounted_by: string;
  accounted_at: string;
}

/** A move of a candidate to another seat, at the hub (schema 90). */
export interface RoomMovesTable {
  move_id: string;
  attempt_id: string;
  candidate_id: string;
  package_id: string;
  from_device: string;
  to_device: string;
  through_seq: number;
  from_last_seen_at: number | null;
  reason: string;
  moved_by: string;
  created_at: string;
  status: 'handing-over' | 'applied' | 'refused';
  code: string | null;
  detail: string | null;
  settled_at: string | null;
}

/** An event of the old seat about a moved attempt that reached the hub after the move (schema 90). */
export interface RoomLateEventsTable {
  hub_seq: number;
  move_id: string;
  origin_device: string;
  origin_seq: number;
  kind: string;
  flagged_at: string;
}

/** On a seat: an attempt whose candidate was moved to another seat (schema 90). */
export interface SeatMovedOutTable {
  attempt_id: string;
  cmd_id: string;
  moved_at: number;
}

/** On a seat: a hand-over it took (schema 90). */
export interface SeatHandOversTable {
  move_id: string;
  attempt_id: string;
  from_device: string;
  events: number;
  segments: number;
  applied_at: string;
  /** JSON array of part ids. */
  paused_parts: string;
  resumed_at: string | null;
}

export interface SeatHandedOverRecordingsTable {
  recording_id: string;
  move_id: string;
}

/** On a hub: a package's key release, waiting for a second person or released (schema 100). */
export interface RoomKeyReleasesTable {
  package_id: string;
  session_id: string;
  started_by: string;
  started_by_account: string;
  /** Hub clock, ms. */
  started_at: number;
  confirmed_by: string | null;
  cmd_id: string | null;
}

/** On a hub: time lost while a seat was silent during a running part, proposed to the invigilator (schema 100). */
export interface RoomLostTimeTable {
  proposal_id: string;
  device_id: string;
  candidate_id: string;
  attempt_id: string;
  part_id: string;
  /** Hub clock, ms. */
  silent_from: number;
  silent_to: number;
  /** The credit's command id, chosen when proposed. */
  cmd_id: string;
  status: 'open' | 'credited' | 'dismissed';
  settled_by: string | null;
  settled_at: string | null;
}

/** meta key: the seq of this seat's stream its hub has acknowledged (kept by the seat's link, src-main/seat-link). */
export const SEAT_ACKED_SEQ_META = 'seat_hub_acked_seq';

export interface StationTables {
  meta: MetaTable;
  packages: PackagesTable;
  package_frames: PackageFramesTable;
  package_keys: PackageKeysTable;
  sessions: SessionsTable;
  candidates: CandidatesTable;
  attempts: AttemptsTable;
  response_revisions: ResponseRevisionsTable;
  recordings: RecordingsTable;
  recording_segments: RecordingSegmentsTable;
  timer_events: TimerEventsTable;
  incidents: IncidentsTable;
  outbox: OutboxTable;
  stimulus_plays: StimulusPlaysTable;
  seat_streams: SeatStreamsTable;
  seat_audio: SeatAudioTable;
  room_commands: RoomCommandsTable;
  room_command_results: RoomCommandResultsTable;
  seat_commands: SeatCommandsTable;
  seat_audio_sent: SeatAudioSentTable;
  staff_accounts: StaffAccountsTable;
  staff_roles: StaffRolesTable;
  audit_log: AuditLogTable;
  room_seats: RoomSeatsTable;
  room_enrolment_tokens: RoomEnrolmentTokensTable;
  room_seat_requests: RoomSeatRequestsTable;
  check_ins: CheckInsTable;
  room_assignments: RoomAssignmentsTable;
  seat_assignment: SeatAssignmentTable;
  seat_seals: SeatSealsTable;
  room_seals: RoomSealsTable;
  room_seal_accounts: RoomSealAccountsTable;
  seat_staging: SeatStagingTable;
  seat_staging_chunks: SeatStagingChunksTable;
  room_moves: RoomMovesTable;
  room_late_events: RoomLateEventsTable;
  seat_moved_out: SeatMovedOutTable;
  seat_hand_overs: SeatHandOversTable;
  seat_handed_over_recordings: SeatHandedOverRecordingsTable;
  room_key_releases: RoomKeyReleasesTable;
  room_lost_time: RoomLostTimeTable;
  central_link: CentralLinkTable;
  central_sessions: CentralSessionsTable;
  central_downloads: CentralDownloadsTable;
  central_uploads: CentralUploadsTable;
  central_receipts: CentralReceiptsTable;
  central_deletion_certificates: CentralDeletionCertificatesTable;
}

/** On a hub: who it is at the central API (schema 120); one row once enrolled. */
export interface CentralLinkTable {
  id: number;
  central_url: string;
  device_id: string;
  venue_id: string;
  venue_code: string;
  /** The Ed25519 device key, PKCS#8 PEM: it signs every request and never leaves the station. */
  private_key: string;
  enrolled_at: string;
  feed_cursor: Generated<number>;
  acked_seq: Generated<number>;
  last_contact_at: string | null;
  revoked_at: string | null;
  /** The centre's receipt keys (ReceiptKeys JSON), fetched at enrolment. */
  receipt_keys: string | null;
  /** The centre's transfer keys (TransferKeys JSON): what a USB export is encrypted to, fetched while online. */
  transfer_keys: string | null;
}

/** On a hub: the sessions the feed gave, with their package and whether its key came from the centre (schema 120). */
export interface CentralSessionsTable {
  session_id: string;
  package_id: string | null;
  starts_at: string;
  cancelled: Generated<number>;
  version: number;
  key_fetched_at: string | null;
  /** When the session's personal data, answers and audio were deleted here (its certificate is in central_deletion_certificates). */
  purged_at: string | null;
}

/** On a hub: a signed deletion certificate of a purged session, until the centre has it (schema 120). */
export interface CentralDeletionCertificatesTable {
  certificate_id: string;
  session_id: string;
  signed_certificate: string;
  created_at: string;
  sent_at: string | null;
  /** A seat's certificate: the purge command and seat it answers (`cmdId/deviceId`); null for the hub's own. */
  seat_result: string | null;
}

/** On a hub: a package the feed named, how much of its file has arrived, and whether it was imported (schema 120). */
export interface CentralDownloadsTable {
  package_id: string;
  sha256: string;
  bytes: number;
  received: Generated<number>;
  state: 'pending' | 'imported' | 'refused';
  problem: string | null;
  updated_at: string;
}

/** On a hub: a closed recording's upload to the centre, with its tus URL so a restart resumes it (schema 120). */
export interface CentralUploadsTable {
  recording_id: string;
  sha256: string;
  bytes: number;
  mime_type: string;
  upload_url: string | null;
  sent: Generated<number>;
  state: 'pending' | 'done';
  problem: string | null;
  updated_at: string;
}

/** On a hub: a candidate's signed receipt and whether it matches what this hub's stream says (schema 120). */
export interface CentralReceiptsTable {
  candidate_id: string;
  session_id: string;
  signed_receipt: string;
  matches: number;
  /** JSON array of what differs, each a sentence in Latvian and English. */
  mismatches: string;
  fetched_at: string;
  /** The hub's last seq when it was fetched: a receipt older than the stream is fetched again. */
  at_seq: Generated<number>;
  /** The receipt says the candidate is done: absent or removed, or every attempt submitted. */
  finished: Generated<number>;
}

/** On a hub: the two checks of a candidate's check-in, each with who and when (schema 50). */
export interface CheckInsTable {
  candidate_id: string;
  id_document_by: string | null;
  id_document_at: string | null;
  personal_code_by: string | null;
  personal_code_at: string | null;
  late: Generated<number>;
}

/** On a hub: which candidate sits at which seat (schema 50); ended_at set once unassigned. */
export interface RoomAssignmentsTable {
  assignment_id: string;
  candidate_id: string;
  device_id: string;
  package_id: string;
  assigned_by: string;
  assigned_at: string;
  assign_cmd_id: string;
  authorised_by: string | null;
  authorised_at: string | null;
  ended_by: string | null;
  ended_at: string | null;
}

/** On a seat: the one candidate its hub seated here (schema 50). */
export interface SeatAssignmentTable {
  candidate_id: string;
  attempt_id: string;
  package_id: string;
  cmd_id: string;
  assigned_by: string;
  assigned_at: string;
  claimed_at: string | null;
  identity_confirmed_at: string | null;
  declined_reason: string | null;
  authorised_by: string | null;
  authorised_at: string | null;
}
