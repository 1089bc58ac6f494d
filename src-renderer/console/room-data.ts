// What the console's check-in and seat-plan pages read from the hub, asked again every 2 s like the room
// view: the roster with each candidate's check-in, seat and state, the room's seats, and the packages a
// candidate can be seated with. A page that changed something asks at once (refresh).
import { useCallback, useEffect, useState } from 'react';
import type { PackageSummary } from '../../src-shared/contracts/package-manifest.ts';
import type { RoomStatus, RosterRow, StationApi } from '../../src-shared/contracts/station-api.ts';
import { StationError, type BilingualText } from '../../src-shared/errors.ts';
import { TEXT } from '../text.ts';

export const CONSOLE_POLL_MS = 2000;
/** What the console says when the hub does not answer at all (not a refusal with its own text). */
export const UNREACHABLE: BilingualText = TEXT.consoleNoConnection;
export const consoleError = (error: unknown): BilingualText => (error instanceof StationError ? error.text : UNREACHABLE);

export type HubSeat = NonNullable<RoomStatus['hub']>['seats'][number];

export interface RoomData {
  roster: RosterRow[];
  seats: HubSeat[];
  packages: PackageSummary[];
  /** Why the hub could not be read just now (shown at the top of the page). */
  error: BilingualText | null;
  loaded: boolean;
  refresh(): void;
}

export function useRoomData(station: StationApi, token: string): RoomData {
  const [roster, setRoster] = useState<RosterRow[]>([]);
  const [seats, setSeats] = useState<HubSeat[]>([]);
  const [packages, setPackages] = useState<PackageSummary[]>([]);
  const [error, setError] = useState<BilingualText | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    const load = () =>
      Promise.all([station.getRoster({ staffToken: token }), station.getRoom({ staffToken: token }), station.listPackages({ staffToken: token })])
        .then(([rows, room, list]) => {
          if (!live) return;
          setRoster(rows);
          setSeats(room.hub?.seats ?? []);
          setPackages(list);
          setError(null);
          setLoaded(true);
        })
        .catch((caught: unknown) => live && setError(consoleError(caught)));
    void load();
    const timer = setInterval(() => void load(), CONSOLE_POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [station, token, tick]);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  return { roster, seats, packages, error, loaded, refresh };
}

/** Search the way the desk reads a roster: letters without their marks and case, the code as the station masks it. */
export function fold(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLocaleLowerCase('lv');
}
