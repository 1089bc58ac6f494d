// IPC channel names, in one place so main and preload cannot drift apart.
export const IPC = {
  /** One channel carries every station API call: (method, input) -> { ok, value } | { ok: false, error }. */
  stationCall: 'station:call',
  /** Main → window: the station process's state ('ready', 'restarting', 'failed'), as it changes. */
  stationStatus: 'station:status',
} as const;
