// The hub's link to the central API beside its station (docs/sync.md): the sync client on the station's
// database, attached to the service so the console's centre page reaches it, enrolled at start when
// the IT policy gives a one-time code and the hub is not enrolled yet, then syncing in the background.
// A seat has none: only the hub talks to the centre.
import { join } from 'node:path';
import { syncStationOf } from '../sync/station-adapter.ts';
import { SyncClient } from '../sync/sync-client.ts';
import type { OpenedStation } from './start.ts';

export interface CentralLink {
  client: SyncClient;
  close(): Promise<void>;
}

export async function startCentralLink(opened: OpenedStation, options: { idleMs?: number } = {}): Promise<CentralLink | null> {
  const { config, service } = opened;
  if (config.role === 'seat') return null;
  const client = new SyncClient({
    station: syncStationOf(service, config.venueCode, config.role),
    workDir: join(config.dataDir, 'central-downloads'),
    caBundleFile: config.central.caBundleFile ?? null,
    ...(options.idleMs ? { idleMs: options.idleMs } : {}),
  });
  service.attachCentral(client);
  const { url, enrolmentCode } = config.central;
  if (!client.status().enrolled && url && enrolmentCode) {
    try {
      await client.enrol({ centralUrl: url, code: enrolmentCode, name: `${config.venueCode} ${config.role} ${opened.identity.deviceId}` });
    } catch (error) {
      // Staff see it on the centre page and can enrol there with a new code.
      console.error(`the hub could not enrol with ${url}: ${(error as Error).message}`);
    }
  }
  client.start();
  return { client, close: () => client.stop() };
}
