// Whether the station program is restarting, as the screen learns it from the station's own replies
// (STATION_RESTARTING) whatever the transport: the frame shows it calmly, the answers stay on screen
// and are sent again, and the notice goes when the station answers again.
import { createStore } from 'zustand/vanilla';
import { useStore } from 'zustand';

export const stationStatus = createStore<{ restarting: boolean }>()(() => ({ restarting: false }));

export function noteReply(ok: boolean, code?: string): void {
  const restarting = !ok && code === 'STATION_RESTARTING';
  if (ok || restarting) {
    if (stationStatus.getState().restarting !== restarting) stationStatus.setState({ restarting });
  }
}

export const useStationRestarting = (): boolean => useStore(stationStatus, (s) => s.restarting);
