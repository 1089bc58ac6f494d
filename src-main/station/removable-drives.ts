// Where a USB export can be written and a centre's files read (docs/sync.md): the removable drives
// mounted under the media roots (a folder whose device differs from its parent's: /media/<user>/<label>,
// or /media/usb0 as usbmount mounts it) and the folders IT named in the policy. A screen names a drive
// only by the id of this listing, never by a path.
import { createHash } from 'node:crypto';
import { statfsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { StationError } from '../../src-shared/errors.ts';
import { subfolders, type PackageSourceRoots } from './package-intake.ts';

/** The folder on a drive that holds the hub's exports and the centre's files for it. */
export const USB_FOLDER = 'exam-station';

export interface Drive {
  driveId: string;
  volume: string;
  path: string;
  freeBytes: number | null;
}

const mountPoint = (dir: string): boolean => {
  try {
    return statSync(dir).dev !== statSync(dirname(dir)).dev;
  } catch {
    return false;
  }
};

const free = (dir: string): number | null => {
  try {
    const fs = statfsSync(dir);
    return Number(fs.bavail) * Number(fs.bsize);
  } catch {
    return null;
  }
};

export function listDrives(roots: PackageSourceRoots): Drive[] {
  const paths: string[] = [];
  for (const root of roots.mediaRoots) {
    for (const owner of subfolders(root)) {
      if (mountPoint(owner)) paths.push(owner);
      for (const drive of subfolders(owner)) if (mountPoint(drive)) paths.push(drive);
    }
  }
  paths.push(...roots.folders);
  return paths.map((path) => ({ driveId: createHash('sha256').update(path).digest('hex').slice(0, 32), volume: basename(path), path, freeBytes: free(path) }));
}

/** The drive of a listing's id, looked up again now (it may have been pulled out). */
export function driveOf(roots: PackageSourceRoots, driveId: string): Drive {
  const drive = listDrives(roots).find((d) => d.driveId === driveId);
  if (!drive) throw new StationError('USB_DRIVE_GONE', `drive ${driveId}`);
  return drive;
}
