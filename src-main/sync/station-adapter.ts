// The hub's station as the sync client sees it: its stream, its roster and packages, its audio.
import type { StationService } from '../station/service.ts';
import type { SyncStation } from './sync-client.ts';

export function syncStationOf(service: StationService, venueCode: string | null, role: 'hub' | 'solo'): SyncStation {
  return {
    db: service.db,
    readEvents: (afterSeq, limit) => service.outbox.read(afterSeq, limit),
    lastSeq: () => service.outbox.lastSeq(),
    loadRoster: (roster) => service.loadRoster(roster),
    importPackageFile: (path) => service.importPackageFile(path),
    unlockPackage: (packageId, contentKey) => service.roomUnlock(packageId, contentKey),
    audioOf: (recordingId) => service.audioOf(recordingId),
    venueCode,
    deviceId: service.deviceId,
    role,
  };
}
