// One open channel between a seat and its hub, as both ends see it: JSON frames over a WebSocket that
// already runs inside mutual TLS. Frames are bounded (maxPayload on receipt, a refusal before sending),
// a text that is not a RoomFrame closes the channel, and each side pings every ROOM_PING_MS and drops a
// peer that left the previous ping unanswered, so a half-open socket (a cable pulled, a laptop lid
// shut) is noticed within two intervals instead of at the next TCP timeout.
//
// Once either side starts closing, no further frame is delivered: a revoked seat is cut off when
// revoke() returns, not when its closing handshake completes.
import type WebSocket from 'ws';
import { RoomFrame, ROOM_CLOSE, ROOM_MAX_FRAME_BYTES, ROOM_PING_MS } from '../../contracts/room-link.ts';
import { StationError } from '../../errors.ts';

export interface ChannelClose {
  /** The WebSocket close code (ROOM_CLOSE, or 1006 when the connection dropped without one). */
  code: number;
  /** For our own codes, the catalogue's error code; otherwise what the peer or the socket said. */
  reason: string;
}

/** What the protocol layer uses on either end of the channel. */
export interface RoomConnection {
  /** Hands a frame to the socket; false when the channel is closing or closed (nothing was sent). */
  send(frame: RoomFrame): boolean;
  /** Every frame the peer sends, in order; returns a function that stops listening. */
  onFrame(listener: (frame: RoomFrame) => void): () => void;
  onClose(listener: (closed: ChannelClose) => void): () => void;
  close(code?: number, reason?: string): void;
}

export interface ChannelOptions {
  pingMs?: number;
  maxFrameBytes?: number;
}

/** How long a closing handshake may take before the socket is simply destroyed. */
const CLOSE_GRACE_MS = 1000;

/** The catalogue's code for a close code that has one. */
function reasonOf(code: number, reason: string): string {
  if (code === ROOM_CLOSE.tooLarge) return 'FRAME_TOO_LARGE';
  return reason;
}

export class FrameChannel implements RoomConnection {
  private readonly ws: WebSocket;
  private readonly maxFrameBytes: number;
  private readonly frameListeners = new Set<(frame: RoomFrame) => void>();
  private readonly closeListeners = new Set<(closed: ChannelClose) => void>();
  private readonly pinger: NodeJS.Timeout;
  private answered = true;
  private closing = false;
  private closed: ChannelClose | undefined;
  /** Why this side closed or dropped the channel, when it did: reported instead of what the socket says. */
  private ownReason: ChannelClose | undefined;

  constructor(ws: WebSocket, options: ChannelOptions = {}) {
    this.ws = ws;
    this.maxFrameBytes = options.maxFrameBytes ?? ROOM_MAX_FRAME_BYTES;
    ws.on('message', (data, isBinary) => this.receive(data, isBinary));
    ws.on('pong', () => {
      this.answered = true;
    });
    ws.on('error', (error) => {
      // ws closes the socket after an error (a frame over maxPayload among them); the close reports it.
      if ((error as { code?: string }).code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') this.ownReason ??= { code: ROOM_CLOSE.tooLarge, reason: 'FRAME_TOO_LARGE' };
    });
    ws.on('close', (code, reason) => this.finish(this.ownReason ?? { code, reason: reasonOf(code, reason.toString('utf8')) }));
    this.pinger = setInterval(() => this.ping(), options.pingMs ?? ROOM_PING_MS);
    this.pinger.unref();
  }

  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === this.ws.OPEN;
  }

  send(frame: RoomFrame): boolean {
    if (!this.isOpen) return false;
    const text = JSON.stringify(frame);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.maxFrameBytes) throw new StationError('FRAME_TOO_LARGE', `a ${frame.type} frame of ${bytes} bytes, at most ${this.maxFrameBytes}`);
    this.ws.send(text);
    return true;
  }

  onFrame(listener: (frame: RoomFrame) => void): () => void {
    this.frameListeners.add(listener);
    return () => this.frameListeners.delete(listener);
  }

  onClose(listener: (closed: ChannelClose) => void): () => void {
    if (this.closed) {
      const closed = this.closed;
      queueMicrotask(() => listener(closed));
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(code: number = ROOM_CLOSE.normal, reason = ''): void {
    if (this.closing) return;
    this.closing = true;
    this.ownReason ??= { code, reason };
    this.ws.close(code, reason);
    // A peer that does not answer the close (gone, or ignoring it) loses the socket anyway.
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  private receive(data: WebSocket.RawData, isBinary: boolean): void {
    this.answered = true;
    if (this.closing) return;
    if (isBinary) {
      this.close(ROOM_CLOSE.unsupported, 'VALIDATION_FAILED');
      return;
    }
    let frame: RoomFrame;
    try {
      const parsed = RoomFrame.safeParse(JSON.parse(data.toString()));
      if (!parsed.success) throw new Error(parsed.error.issues[0]?.message ?? 'not a frame');
      frame = parsed.data;
    } catch {
      this.close(ROOM_CLOSE.frameInvalid, 'VALIDATION_FAILED');
      return;
    }
    for (const listener of this.frameListeners) listener(frame);
  }

  private ping(): void {
    if (!this.answered) {
      this.ownReason ??= { code: 1006, reason: 'no answer to ping' };
      this.closing = true;
      this.ws.terminate();
      return;
    }
    this.answered = false;
    if (this.ws.readyState === this.ws.OPEN) this.ws.ping();
  }

  private finish(closed: ChannelClose): void {
    if (this.closed) return;
    this.closing = true;
    this.closed = closed;
    clearInterval(this.pinger);
    for (const listener of this.closeListeners) listener(closed);
    this.closeListeners.clear();
    this.frameListeners.clear();
  }
}
