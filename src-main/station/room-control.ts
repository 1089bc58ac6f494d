// What the station service asks of the room around it (src-main/host/room.ts builds it): the station
// API's room methods are the staff's way to it, checked for rights and audited by the service, carried
// out here. A station without a room (solo, or a room that could not start) has none attached.
import type { MoveView, RoomStatus, StationInput } from '../../src-shared/contracts/station-api.ts';

export interface RoomControl {
  status(): RoomStatus;
  openPairing(): { code: string; expiresAt: string };
  closePairing(): void;
  revokeSeat(deviceId: string): void;
  pairWithHub(input: Omit<StationInput<'pairWithHub'>, 'staffToken'>): Promise<RoomStatus>;
  /** On a hub: move a candidate to a spare seat (src-main/lan/room-moves.ts), attributed to `movedBy`. */
  moveCandidate(input: Omit<StationInput<'moveCandidate'>, 'staffToken'> & { movedBy: string }): MoveView;
}
