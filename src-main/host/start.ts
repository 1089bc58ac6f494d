// Starting a station from its configuration: the one place where the Electron app, the browser runner
// and the tests agree on where the database lives and which keys are trusted. A production start
// trusts only the shipped trust list and imports nothing by itself; the demo start (npm start) adds
// the embedded default: a key of its own, the sample tests and a roster.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrCreateDeviceIdentity, type DeviceIdentity } from '../../src-shared/node/room/identity.ts';
import { COMMON_PASSWORDS_FILE } from '../station/passwords.ts';
import { ROOM_CLOCK_FILE, RoomClock } from '../seat-link/room-clock.ts';
import { StationService } from '../station/service.ts';
import type { FirstChief } from '../station/staff.ts';
import { ConfigError, type StationConfig } from './config.ts';
import { DEMO_CHIEF, demoTrust, seedDemo, type DemoPackage } from './demo.ts';
import { shippedTrust } from './trust.ts';

export interface OpenedStation {
  service: StationService;
  config: StationConfig;
  /** The station's long-term key pair and device id, made at its first start (the room pairs by it). */
  identity: DeviceIdentity;
  /** The demo's packages and their keys (empty in production). */
  demo: DemoPackage[];
  /** A seat's room clock (the service reads its time from it; the seat's link keeps it right). */
  clock?: RoomClock;
}

/**
 * The first chief invigilator the configuration names: the IT policy file's, whose one-time password
 * is changed at the first sign-in; else, in the demo, the demo's chief (README). A production station
 * with neither starts without staff: IT sets up its first chief (setUpFirstChief).
 */
function firstChiefOf(config: StationConfig): FirstChief | undefined {
  if (config.firstChief) return { ...config.firstChief, mustChangePassword: true };
  return config.mode === 'demo' ? { ...DEMO_CHIEF, mustChangePassword: false } : undefined;
}

export function openStation(config: StationConfig, extra: { appVersion?: string; heartbeatMs?: number } = {}): OpenedStation {
  mkdirSync(config.dataDir, { recursive: true });
  const identity = loadOrCreateDeviceIdentity(config.dataDir);
  const trust = config.mode === 'demo' ? demoTrust(config.demoKeysDir, config.assetsDir, config.demoTrustFile) : shippedTrust(config.assetsDir);
  const firstChief = firstChiefOf(config);
  // A seat keeps the room's time: its own clock moved by its offset to the hub, kept beside the database.
  const clock = config.role === 'seat' ? new RoomClock(join(config.dataDir, ROOM_CLOCK_FILE)) : undefined;
  const service = new StationService({
    dbPath: join(config.dataDir, 'station.db'),
    deviceId: identity.deviceId,
    ...(clock ? { now: () => clock.now() } : {}),
    role: config.role,
    venueCode: config.venueCode,
    trust,
    appVersion: extra.appVersion ?? '0.1.0',
    ...(firstChief ? { firstChief } : {}),
    staffLockMs: config.staffLockMs,
    commonPasswordsFile: join(config.assetsDir, COMMON_PASSWORDS_FILE),
    maxPackageBytes: config.maxPackageBytes,
    packageSources: config.packageSources,
    ...(extra.heartbeatMs === undefined ? {} : { heartbeatMs: extra.heartbeatMs }),
  });
  try {
    if (config.role !== 'solo' && service.deviceId !== identity.deviceId) {
      throw new ConfigError(
        `the station's database in ${config.dataDir} was made before the station had its room key: its events carry the id ${service.deviceId}, its key is ${identity.deviceId}. A ${config.role} checks every event against its key, so it needs a data folder of its own (a solo station can go on with this one)`,
      );
    }
    // A seat has no demo of its own: its candidates and packages come from its hub, as in a real room;
    // nor has a demo hub pointed at a central API: the centre's feed brings them, as on an exam day.
    const demo = config.mode === 'demo' && config.role !== 'seat' && !config.central.url ? seedDemo(service, config.dataDir, config.assetsDir, config.demoKeysDir) : [];
    return { service, config, identity, demo, ...(clock ? { clock } : {}) };
  } catch (error) {
    service.close();
    throw error;
  }
}
