// What the station service asks of the room around it (src-main/host/room.ts builds it): the station
// API's room methods are the staff's way to it, checked for rights and audited by the service, carried
// out here. A station without a room (solo, or a room that could not start) has none attached.
import type { RoomCommand } from '../../src-shared/contracts/room-protocol.ts';
import type { RoomStatus, StationInput } from '../../src-shared/contracts/station-api.ts';
import type { IssueCommand } from '../lan/room-commands.ts';

export interface RoomControl {
  status(): RoomStatus;
  openPairing(): { code: string; expiresAt: string };
  closePairing(): void;
  revokeSeat(deviceId: string): void;
  pairWithHub(input: Omit<StationInput<'pairWithHub'>, 'staffToken'>): Promise<RoomStatus>;
  /** On a hub: store a command and send it to the seats it is for (the seat plan's assign, unassign, authorise). */
  issueCommand(input: IssueCommand): RoomCommand;
}
