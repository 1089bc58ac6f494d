// What a paired seat keeps of its room: the hub's key pin, the room's CA, its own certificate and label,
// and where the hub was reached (room/membership.json in the seat's data folder, written whole or not
// at all). Pairing again replaces it. Nothing in it is secret: the seat's private key stays in its
// identity file.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeatMembership } from '../../src-shared/contracts/room-link.ts';
import { StationError } from '../../src-shared/errors.ts';
import { writeFileAtomic } from '../../src-shared/node/package/keys.ts';

export const MEMBERSHIP_FILE = join('room', 'membership.json');

/** The seat's membership, or undefined when it has not been paired. */
export function loadMembership(dataDir: string): SeatMembership | undefined {
  const path = join(dataDir, MEMBERSHIP_FILE);
  if (!existsSync(path)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new StationError('SEAT_NOT_PAIRED', `${path} is not JSON: ${(error as Error).message}`);
  }
  const parsed = SeatMembership.safeParse(json);
  if (!parsed.success) throw new StationError('SEAT_NOT_PAIRED', `${path} is not a membership: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export function saveMembership(dataDir: string, membership: SeatMembership): void {
  mkdirSync(join(dataDir, 'room'), { recursive: true, mode: 0o700 });
  writeFileAtomic(join(dataDir, MEMBERSHIP_FILE), `${JSON.stringify(SeatMembership.parse(membership), null, 2)}\n`);
}
