// What the station service asks of the room around it (src-main/host/room.ts builds it): the station
// API's room methods are the staff's way to it, checked for rights and audited by the service, carried
// out here. A station without a room (solo, or a room that could not start) has none attached.
import type { DiscoveredHubs, RoomStatus, StationInput } from '../../src-shared/contracts/station-api.ts';

export interface RoomControl {
  status(): RoomStatus;
  openPairing(): { code: string; expiresAt: string };
  closePairing(): void;
  revokeSeat(deviceId: string): void;
  pairWithHub(input: Omit<StationInput<'pairWithHub'>, 'staffToken'>): Promise<RoomStatus>;
  /** The hubs an unpaired seat has found by DNS-SD (it starts looking at the first call). */
  discoveredHubs(): DiscoveredHubs;
}
