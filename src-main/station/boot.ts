// Starting a station from a data folder: the one place where the Electron app and the browser runner
// agree on where the database lives, which keys are trusted and how the embedded demo is seeded.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEMO_VENUE, demoTrust, seedDemo, type DemoPackage } from './demo.ts';
import { StationService, type StationRole } from './service.ts';

export const DEMO_STAFF_PIN = '246810';

export interface BootOptions {
  dataDir?: string;
  role?: StationRole;
  appVersion?: string;
}

export interface BootedStation {
  service: StationService;
  dataDir: string;
  demo: DemoPackage[];
  staffPin: string;
}

export function defaultDataDir(): string {
  return resolve(process.env.EXAM_STATION_DATA ?? '.data/station');
}

/** Open (or create) the station in `dataDir`, seeded with the demo venue when it is new. */
export function bootStation(options: BootOptions = {}): BootedStation {
  const dataDir = resolve(options.dataDir ?? defaultDataDir());
  mkdirSync(dataDir, { recursive: true });
  const service = new StationService({
    dbPath: join(dataDir, 'station.db'),
    role: options.role ?? 'solo',
    venueCode: process.env.EXAM_STATION_VENUE ?? DEMO_VENUE,
    trust: demoTrust(dataDir),
    appVersion: options.appVersion ?? '0.1.0',
    initialStaffPin: process.env.EXAM_STATION_STAFF_PIN ?? DEMO_STAFF_PIN,
  });
  try {
    const demo = seedDemo(service, dataDir);
    return { service, dataDir, demo, staffPin: process.env.EXAM_STATION_STAFF_PIN ?? DEMO_STAFF_PIN };
  } catch (error) {
    service.close();
    throw error;
  }
}
