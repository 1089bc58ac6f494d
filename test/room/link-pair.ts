// Two ends of a link in memory, for the room protocol's tests: every frame crosses as JSON text (as
// the WebSocket carries it), asynchronously, in order, and the test can cut the link, hold frames back,
// duplicate them or deliver them late.
import type { FrameLink } from '../../src-shared/contracts/room-protocol.ts';

export interface LinkEnd extends FrameLink {
  readonly closed: boolean;
}

export interface LinkPair {
  seat: LinkEnd;
  hub: LinkEnd;
  /** Both ends see the link close. */
  cut(reason?: string): void;
  /** Every frame in either direction is delivered twice from now on. */
  duplicate(on: boolean): void;
  /** Frames from the seat to the hub seen so far (as parsed JSON), for replaying them. */
  readonly seatFrames: unknown[];
  /** Deliver a frame to the hub as if the seat had sent it (a replay, a forgery). */
  injectToHub(frame: unknown): void;
}

/** `delayMs`: every frame takes this long to cross, either way (a slow link). */
export function linkPair(delayMs = 0): LinkPair {
  let closed = false;
  let twice = false;
  const seatFrames: unknown[] = [];
  const listeners = { seat: [] as ((f: unknown) => void)[], hub: [] as ((f: unknown) => void)[] };
  const closers = { seat: [] as ((r: string) => void)[], hub: [] as ((r: string) => void)[] };
  const deliver = (to: 'seat' | 'hub', text: string) => {
    const arrive = () => {
      if (closed) return;
      for (const l of listeners[to]) l(JSON.parse(text));
    };
    if (delayMs > 0) setTimeout(arrive, delayMs);
    else setImmediate(arrive);
  };
  const close = (reason: string) => {
    if (closed) return;
    closed = true;
    setImmediate(() => {
      for (const c of [...closers.seat, ...closers.hub]) c(reason);
    });
  };
  const end = (me: 'seat' | 'hub'): LinkEnd => {
    const other = me === 'seat' ? 'hub' : 'seat';
    return {
      get closed() {
        return closed;
      },
      send(frame) {
        if (closed) return;
        const text = JSON.stringify(frame);
        if (me === 'seat') seatFrames.push(JSON.parse(text));
        deliver(other, text);
        if (twice) deliver(other, text);
      },
      onFrame: (l) => void listeners[me].push(l),
      onClose: (c) => void closers[me].push(c),
      close,
    };
  };
  return {
    seat: end('seat'),
    hub: end('hub'),
    cut: (reason = 'cut by the test') => close(reason),
    duplicate: (on) => (twice = on),
    seatFrames,
    injectToHub: (frame) => deliver('hub', JSON.stringify(frame)),
  };
}
