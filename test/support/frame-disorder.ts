// Frames in disorder, for tests of the room protocol: a link (FrameLink) whose frames, while the test
// says so, arrive twice, out of order, and (from the seat) with replays of earlier ones. The fault
// harness puts it between each seat's channel and the hub's protocol end (test/room-faults), and
// test/room/frame-disorder.test.ts between in-memory links.
import type { FrameLink } from '../../src-shared/contracts/room-protocol.ts';

/**
 * A seat's link as the hub's protocol end sees it, with faults while `on()`: every frame both
 * ways arrives twice, now and then one is held back and arrives after the next (reordered), and every
 * tenth frame from the seat is followed by a replay of an earlier one. The protocol must apply each
 * event and segment once through all of it.
 */
export function disorderly(link: FrameLink, on: () => boolean = () => true): FrameLink {
  const history: unknown[] = [];
  const disorder = (deliver: (frame: unknown) => void, replay: boolean) => {
    let held: unknown;
    let count = 0;
    return (frame: unknown) => {
      if (!on()) {
        if (held !== undefined) deliver(held);
        held = undefined;
        return deliver(frame);
      }
      count += 1;
      if (replay) {
        history.push(frame);
        if (history.length > 50) history.shift();
      }
      if (held === undefined && Math.random() < 0.3) {
        held = frame;
        // Held back until the next frame, or a little while if none comes.
        setTimeout(() => {
          if (held === frame) {
            held = undefined;
            deliver(frame);
          }
        }, 50);
        return;
      }
      deliver(frame);
      deliver(frame);
      if (held !== undefined) {
        const late = held;
        held = undefined;
        deliver(late);
      }
      if (replay && count % 10 === 0) deliver(history[Math.floor(Math.random() * history.length)]);
    };
  };
  return {
    send: disorder((frame) => link.send(frame), false),
    onFrame: (listener) => link.onFrame(disorder(listener, true)),
    onClose: (listener) => link.onClose(listener),
    close: (reason) => link.close(reason),
  };
}
