// The seat's end of a moved candidate's hand-over (src-shared/contracts/hand-over.ts): the pieces are
// gathered per move as they come (a piece seen already is ignored; a piece of another whole, as after
// the hub sent it again on a new connection, starts the gathering again), and once all are there the
// whole is checked against its SHA-256 and the contract and handed to the station, which rebuilds the
// attempt in one transaction (StationService.roomHandOver). The answer goes back as one
// `handover-result`; a hand-over taken already is answered "applied" again, so a repeat changes nothing.
import { createHash } from 'node:crypto';
import { HandOver } from '../../src-shared/contracts/hand-over.ts';
import type { HubFrame, SeatFrame } from '../../src-shared/contracts/room-protocol.ts';
import { isCodedError } from '../../src-shared/errors.ts';

type Piece = Extract<HubFrame, { type: 'handover' }>;
type Result = Extract<SeatFrame, { type: 'handover-result' }>;

/** What the receiver asks of the seat's station. */
export interface HandOverTaker {
  roomHandOver(handOver: HandOver): unknown;
}

export class HandOverReceiver {
  private readonly taker: HandOverTaker;
  private readonly gathering = new Map<string, { sha256: string; count: number; pieces: (string | undefined)[]; have: number }>();

  constructor(taker: HandOverTaker) {
    this.taker = taker;
  }

  /** One piece; the result once the hand-over is whole (taken or refused), else null. */
  receive(piece: Piece): Result | null {
    let whole = this.gathering.get(piece.moveId);
    if (!whole || whole.sha256 !== piece.sha256 || whole.count !== piece.count) {
      whole = { sha256: piece.sha256, count: piece.count, pieces: new Array<string | undefined>(piece.count), have: 0 };
      this.gathering.set(piece.moveId, whole);
    }
    if (piece.index >= whole.count || whole.pieces[piece.index] !== undefined) return null;
    whole.pieces[piece.index] = piece.chunk;
    whole.have += 1;
    if (whole.have < whole.count) return null;
    this.gathering.delete(piece.moveId);
    const refused = (code: string, detail: string): Result => ({ type: 'handover-result', moveId: piece.moveId, status: 'refused', code, detail: detail.slice(0, 500) });
    const text = whole.pieces.join('');
    if (createHash('sha256').update(text).digest('hex') !== whole.sha256) return refused('HANDOVER_INVALID', 'the hand-over does not match its SHA-256');
    let parsed;
    try {
      parsed = HandOver.safeParse(JSON.parse(Buffer.from(text, 'base64').toString('utf8')));
    } catch {
      return refused('HANDOVER_INVALID', 'the hand-over is not JSON');
    }
    if (!parsed.success || parsed.data.moveId !== piece.moveId) return refused('HANDOVER_INVALID', parsed.success ? 'the hand-over names another move' : `${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    try {
      this.taker.roomHandOver(parsed.data);
      return { type: 'handover-result', moveId: piece.moveId, status: 'applied', code: null, detail: null };
    } catch (error) {
      return refused(isCodedError(error) ? error.code : 'INTERNAL', error instanceof Error ? error.message : String(error));
    }
  }
}
