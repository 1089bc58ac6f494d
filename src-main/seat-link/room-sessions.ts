// The room protocol over the room's channel. The protocol (room-protocol.ts) wants a link per session:
// frames out, frames in, one end; the channel gives the hub one connection per seat session, and the
// seat one lasting connection that dials again by itself. These turn each into the other's shape.
import type { FrameLink } from '../../src-shared/contracts/room-protocol.ts';
import { ROOM_CLOSE, type RoomFrame } from '../../src-shared/contracts/room-link.ts';
import type { RoomConnection } from '../../src-shared/node/room/channel.ts';
import type { HubConnection } from './hub-connection.ts';

/** One seat's connection at the hub, as one protocol session. */
export function sessionOfConnection(connection: RoomConnection): FrameLink {
  return {
    send: (frame) => void connection.send(frame as RoomFrame),
    onFrame: (listener) => void connection.onFrame(listener),
    onClose: (listener) => void connection.onClose((closed) => listener(closed.reason || String(closed.code))),
    close: (reason) => connection.close(ROOM_CLOSE.frameInvalid, reason.slice(0, 120)),
  };
}

/**
 * The seat's lasting connection to its hub, as one protocol session per time the channel opens:
 * `onSession` gets a new link each time, whose end comes with the channel's next loss. A session the
 * protocol closes (a broken frame, a push never acknowledged) makes the channel dial again.
 */
export function sessionsOfHub(hub: HubConnection, onSession: (link: FrameLink) => void): () => void {
  let current: { frames: Set<(frame: unknown) => void>; ends: Set<(reason: string) => void>; over: boolean } | null = null;
  const end = (reason: string) => {
    const session = current;
    current = null;
    if (!session || session.over) return;
    session.over = true;
    for (const listener of session.ends) listener(reason);
  };
  const offFrame = hub.onFrame((frame) => {
    for (const listener of current?.frames ?? []) listener(frame);
  });
  const offLost = hub.onDisconnected((error) => end(error.code));
  const offClosed = hub.onClose((closed) => end(closed.reason || 'closed'));
  const open = () => {
    end('a new channel opened');
    const session = { frames: new Set<(frame: unknown) => void>(), ends: new Set<(reason: string) => void>(), over: false };
    current = session;
    onSession({
      send: (frame) => {
        if (current === session) hub.send(frame as RoomFrame);
      },
      onFrame: (listener) => void session.frames.add(listener),
      onClose: (listener) => void session.ends.add(listener),
      close: (reason) => {
        if (current !== session) return;
        end(reason);
        hub.redial(reason);
      },
    });
  };
  const offConnected = hub.onConnected(open);
  if (hub.connected) open();
  return () => {
    offFrame();
    offLost();
    offClosed();
    offConnected();
    end('stopped');
  };
}
