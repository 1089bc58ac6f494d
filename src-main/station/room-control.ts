// What the station service asks of the room around it (src-main/host/room.ts builds it): the station
// API's room methods are the staff's way to it, checked for rights and audited by the service, carried
// out here. A station without a room (solo, or a room that could not start) has none attached.
import type { RoomCommand } from '../../src-shared/contracts/room-protocol.ts';
import type { SealStatus } from '../../src-shared/contracts/room-seal.ts';
import type { DiscoveredHubs, MoveView, RoomStatus, StationInput } from '../../src-shared/contracts/station-api.ts';
import type { IssueCommand } from '../lan/room-commands.ts';
import type { RoomDesk } from '../lan/room-desk.ts';

export interface RoomControl {
  status(): RoomStatus;
  openPairing(): { code: string; expiresAt: string };
  closePairing(): void;
  revokeSeat(deviceId: string): void;
  pairWithHub(input: Omit<StationInput<'pairWithHub'>, 'staffToken'>): Promise<RoomStatus>;
  /** On a hub: move a candidate to a spare seat (src-main/lan/room-moves.ts), attributed to `movedBy`. */
  moveCandidate(input: Omit<StationInput<'moveCandidate'>, 'staffToken'> & { movedBy: string }): MoveView;
  /** The hubs an unpaired seat has found by DNS-SD (it starts looking at the first call). */
  discoveredHubs(): DiscoveredHubs;
  /** A hub's room controls (commands, raised hands, lost time); null on a seat. */
  desk: RoomDesk | null;
  /** On a hub: store a command and send it to the seats it is for (the seat plan's assign, unassign, authorise). */
  issueCommand(input: IssueCommand): RoomCommand;
  /** On a hub: accept or refuse a seat's request to be let in (an enrolment, a rejoin); a seat has none. */
  decideSeatRequest?(deviceId: string, decision: 'accept' | 'refuse'): Promise<void>;
  /** The end and seal of sessions: a hub's (src-main/lan/room-seal.ts); a seat has none. */
  seal?: RoomSealControl;
}

/** Each takes the acting person's username; what it does goes into the audit log in its own transaction. */
export interface RoomSealControl {
  status(sessionId: string): SealStatus;
  end(sessionId: string, actor: string, reason: string | null): SealStatus;
  seal(sessionId: string, actor: string): SealStatus;
  account(sessionId: string, deviceId: string, reason: string, actor: string): SealStatus;
  protocol(sessionId: string, actor: string): Promise<Uint8Array<ArrayBuffer>>;
}
