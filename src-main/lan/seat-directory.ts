// The hub's record of its room's seats: the allowlist the channel checks on every connection, and the
// requests waiting for the invigilator: the enrolment by room file (its one-time tokens, by hash), and
// the rejoin of a seat whose certificate this room's CA issued but which the hub no longer knows (its
// database was lost, and with it the allowlist and every revocation, so such a seat is not let in by
// itself). Kept in the station database (schema 30, 110), each change in one transaction.
import { StationError } from '../../src-shared/errors.ts';
import type { StationDatabase } from '../station/database.ts';
import type { RoomSeatRequestsTable, RoomSeatsTable } from '../station/tables.ts';

export interface SeatRecord {
  deviceId: string;
  keyHash: string;
  label: string;
  certificate: string;
  pairedBy: 'code' | 'room-file' | 'rejoin';
  pairedAt: string;
  revokedAt: string | null;
}

export interface SeatRequest {
  deviceId: string;
  keyHash: string;
  /** SPKI DER, base64. */
  publicKey: string;
  label: string;
  /** A room file's enrolment, or a seat of this room the hub no longer knew. */
  kind: 'enrolment' | 'rejoin';
  /** A rejoin's certificate (PEM), the seat's own again when accepted; null for an enrolment. */
  certificate: string | null;
  address: string;
  requestedAt: string;
  decision: 'accepted' | 'refused' | null;
  decidedAt: string | null;
}

export interface NewSeat {
  deviceId: string;
  keyHash: string;
  label: string;
  certificate: string;
  pairedBy: 'code' | 'room-file' | 'rejoin';
}

export interface NewRequest {
  deviceId: string;
  keyHash: string;
  publicKey: string;
  label: string;
  address: string;
}

/** A seat showing a certificate of this room's CA that is not on the allowlist: what it asks to be again. */
export interface NewRejoin extends NewRequest {
  /** The certificate it showed (PEM), verified by the TLS handshake against the room CA. */
  certificate: string;
}

/** How a token turned out for the seat that presented it. */
export type TokenUse = { kind: 'waiting' } | { kind: 'accepted'; seat: SeatRecord } | { kind: 'refused' };

/** What the room server needs of the hub's seat records; SqliteSeatDirectory keeps them in the station database. */
export interface SeatDirectory {
  byKeyHash(keyHash: string): SeatRecord | undefined;
  list(): SeatRecord[];
  /** Admit a seat (pairing, or an accepted request): SEAT_LABEL_TAKEN when another unrevoked seat holds its label. */
  admit(seat: NewSeat, now: Date): SeatRecord;
  /** Take a seat off the allowlist; its row stays, with when. */
  revoke(deviceId: string, now: Date): SeatRecord | undefined;
  /** The unrevoked seat holding `label` other than `deviceId`, if any. */
  labelHeldByOther(label: string, deviceId: string): SeatRecord | undefined;
  addTokens(roomFileId: string, tokenHashes: readonly string[], validUntil: Date): void;
  /** Is any token still valid (a seat may still enrol or come back for its answer)? */
  enrolmentOpen(now: Date): boolean;
  /** Void every token that is still unused. */
  closeEnrolment(now: Date): void;
  /**
   * A seat presents a token: the first use ties the token to the seat and files its request; the same
   * seat coming back (with any token of the file) learns the decision. ROOM_FILE_INVALID for a token this hub never issued or one
   * past its time, ENROLMENT_TOKEN_USED for one another seat used, SEAT_LABEL_TAKEN for a held label.
   */
  useToken(tokenHash: string, request: NewRequest, now: Date): TokenUse;
  /**
   * A seat of this room the allowlist does not hold asks to rejoin: filed as a request the first time
   * (and again after an acceptance whose seat is gone), 'waiting' while undecided, and 'refused' for
   * good once refused.
   */
  requestRejoin(request: NewRejoin, now: Date): 'waiting' | 'refused';
  requests(): SeatRequest[];
  request(deviceId: string): SeatRequest | undefined;
  decide(deviceId: string, decision: 'accepted' | 'refused', now: Date): void;
}

function seatOf(row: RoomSeatsTable): SeatRecord {
  return { deviceId: row.device_id, keyHash: row.key_hash, label: row.label, certificate: row.certificate, pairedBy: row.paired_by, pairedAt: row.paired_at, revokedAt: row.revoked_at };
}

function requestOf(row: RoomSeatRequestsTable): SeatRequest {
  return {
    deviceId: row.device_id,
    keyHash: row.key_hash,
    publicKey: row.public_key,
    label: row.label,
    kind: row.kind,
    certificate: row.certificate,
    address: row.address,
    requestedAt: row.requested_at,
    decision: row.decision,
    decidedAt: row.decided_at,
  };
}

export class SqliteSeatDirectory implements SeatDirectory {
  private readonly db: StationDatabase;

  constructor(db: StationDatabase) {
    this.db = db;
  }

  byKeyHash(keyHash: string): SeatRecord | undefined {
    const row = this.db.get(this.db.q.selectFrom('room_seats').selectAll().where('key_hash', '=', keyHash));
    return row && seatOf(row);
  }

  list(): SeatRecord[] {
    return this.db.all(this.db.q.selectFrom('room_seats').selectAll().orderBy('label')).map(seatOf);
  }

  labelHeldByOther(label: string, deviceId: string): SeatRecord | undefined {
    const row = this.db.get(
      this.db.q.selectFrom('room_seats').selectAll().where('label', '=', label).where('revoked_at', 'is', null).where('device_id', '!=', deviceId),
    );
    return row && seatOf(row);
  }

  admit(seat: NewSeat, now: Date): SeatRecord {
    return this.db.transaction(() => {
      const holder = this.labelHeldByOther(seat.label, seat.deviceId);
      if (holder) throw new StationError('SEAT_LABEL_TAKEN', `label ${seat.label} is held by ${holder.deviceId}`);
      const row: RoomSeatsTable = {
        device_id: seat.deviceId,
        key_hash: seat.keyHash,
        label: seat.label,
        certificate: seat.certificate,
        paired_by: seat.pairedBy,
        paired_at: now.toISOString(),
        revoked_at: null,
      };
      // Pairing a seat again (a new label, after a revocation) replaces its row.
      this.db.run(
        this.db.q
          .insertInto('room_seats')
          .values(row)
          .onConflict((oc) => oc.column('device_id').doUpdateSet({ label: row.label, certificate: row.certificate, paired_by: row.paired_by, paired_at: row.paired_at, revoked_at: null })),
      );
      return seatOf(row);
    });
  }

  revoke(deviceId: string, now: Date): SeatRecord | undefined {
    return this.db.transaction(() => {
      this.db.run(this.db.q.updateTable('room_seats').set({ revoked_at: now.toISOString() }).where('device_id', '=', deviceId).where('revoked_at', 'is', null));
      const row = this.db.get(this.db.q.selectFrom('room_seats').selectAll().where('device_id', '=', deviceId));
      return row && seatOf(row);
    });
  }

  addTokens(roomFileId: string, tokenHashes: readonly string[], validUntil: Date): void {
    this.db.transaction(() => {
      for (const tokenHash of tokenHashes) {
        this.db.run(this.db.q.insertInto('room_enrolment_tokens').values({ token_hash: tokenHash, room_file_id: roomFileId, valid_until: validUntil.toISOString(), used_by: null, used_at: null }));
      }
    });
  }

  enrolmentOpen(now: Date): boolean {
    return this.db.get(this.db.q.selectFrom('room_enrolment_tokens').select('token_hash').where('valid_until', '>', now.toISOString()).limit(1)) !== undefined;
  }

  closeEnrolment(now: Date): void {
    this.db.run(this.db.q.updateTable('room_enrolment_tokens').set({ valid_until: now.toISOString() }).where('used_by', 'is', null).where('valid_until', '>', now.toISOString()));
  }

  useToken(tokenHash: string, request: NewRequest, now: Date): TokenUse {
    return this.db.transaction(() => {
      const token = this.db.get(this.db.q.selectFrom('room_enrolment_tokens').selectAll().where('token_hash', '=', tokenHash));
      if (!token) throw new StationError('ROOM_FILE_INVALID', 'the token was not issued by this hub');
      if (token.used_by !== null && token.used_by !== request.deviceId) throw new StationError('ENROLMENT_TOKEN_USED', 'the token was used by another seat');
      // A seat that already asked (with this token or another of the file) learns where its request stands.
      const known = this.request(request.deviceId);
      if (known?.decision === null) return { kind: 'waiting' };
      if (known?.decision === 'accepted') {
        const seat = this.byKeyHash(request.keyHash);
        if (seat && seat.revokedAt === null) return { kind: 'accepted', seat };
      }
      // Its own token again after a refusal (or a revocation since): the decision stands; a new token asks anew.
      if (token.used_by === request.deviceId) return { kind: 'refused' };
      if (token.valid_until <= now.toISOString()) throw new StationError('ROOM_FILE_INVALID', `the token was valid until ${token.valid_until}`);
      const holder = this.labelHeldByOther(request.label, request.deviceId);
      if (holder) throw new StationError('SEAT_LABEL_TAKEN', `label ${request.label} is held by ${holder.deviceId}`);
      const asking = this.db.get(
        this.db.q.selectFrom('room_seat_requests').select('device_id').where('label', '=', request.label).where('decision', 'is', null).where('device_id', '!=', request.deviceId),
      );
      if (asking) throw new StationError('SEAT_LABEL_TAKEN', `label ${request.label} is asked for by ${asking.device_id}`);
      const at = now.toISOString();
      this.db.run(this.db.q.updateTable('room_enrolment_tokens').set({ used_by: request.deviceId, used_at: at }).where('token_hash', '=', tokenHash));
      this.fileRequest({ device_id: request.deviceId, key_hash: request.keyHash, public_key: request.publicKey, label: request.label, kind: 'enrolment', token_hash: tokenHash, certificate: null, address: request.address, requested_at: at, decision: null, decided_at: null });
      return { kind: 'waiting' };
    });
  }

  requestRejoin(request: NewRejoin, now: Date): 'waiting' | 'refused' {
    return this.db.transaction(() => {
      const known = this.request(request.deviceId);
      if (known?.decision === 'refused') return 'refused';
      // Asked already: the seat comes back every few seconds until someone decides; that writes nothing.
      if (known?.decision === null) return 'waiting';
      this.fileRequest({
        device_id: request.deviceId,
        key_hash: request.keyHash,
        public_key: request.publicKey,
        label: request.label,
        kind: 'rejoin',
        token_hash: null,
        certificate: request.certificate,
        address: request.address,
        requested_at: now.toISOString(),
        decision: null,
        decided_at: null,
      });
      return 'waiting';
    });
  }

  /** A new request, or a device's earlier one (decided) replaced by it. */
  private fileRequest(row: RoomSeatRequestsTable): void {
    const { device_id: _deviceId, ...asked } = row;
    this.db.run(this.db.q.insertInto('room_seat_requests').values(row).onConflict((oc) => oc.column('device_id').doUpdateSet(asked)));
  }

  requests(): SeatRequest[] {
    return this.db.all(this.db.q.selectFrom('room_seat_requests').selectAll().orderBy('requested_at')).map(requestOf);
  }

  request(deviceId: string): SeatRequest | undefined {
    const row = this.db.get(this.db.q.selectFrom('room_seat_requests').selectAll().where('device_id', '=', deviceId));
    return row && requestOf(row);
  }

  decide(deviceId: string, decision: 'accepted' | 'refused', now: Date): void {
    this.db.run(this.db.q.updateTable('room_seat_requests').set({ decision, decided_at: now.toISOString() }).where('device_id', '=', deviceId));
  }
}
