// What the station service asks of the room around it (src-main/host/room.ts builds it): the station
// API's room methods are the staff's way to it, checked for rights and audited by the service, carried
// out here. A station without a room (solo, or a room that could not start) has none attached.
import type { RoomStatus, StationInput } from '../../src-shared/contracts/station-api.ts';
import type { RoomDesk } from '../lan/room-desk.ts';

export interface RoomControl {
  status(): RoomStatus;
  openPairing(): { code: string; expiresAt: string };
  closePairing(): void;
  revokeSeat(deviceId: string): void;
  pairWithHub(input: Omit<StationInput<'pairWithHub'>, 'staffToken'>): Promise<RoomStatus>;
  /** A hub's room controls (commands, raised hands, lost time); null on a seat. */
  desk: RoomDesk | null;
}
