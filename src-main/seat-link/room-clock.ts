// The room's time on a seat: the seat's own clock moved by its offset to the hub. The station service
// of a seat reads the time from here, so its timer events and its remaining times are in the room's
// time whatever the seat's clock says (a seat 10 minutes off shows the right time), and they stay so
// through a restart with the hub out of reach: the offset is kept in a small file beside the database,
// read before the database is opened (the service credits the time it was down at its start, in the
// room's time). Until the first heartbeat of its first hub, a seat's room time is its own.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../src-shared/node/package/keys.ts';

/** The file beside the station's database that keeps the offset. */
export const ROOM_CLOCK_FILE = 'room-clock.json';

/** A change smaller than this is noise of the estimate, not worth a write. */
const WRITE_THRESHOLD_MS = 50;

export class RoomClock {
  private readonly path: string;
  private readonly ownClock: () => number;
  private readonly monotonic: () => number;
  private offset: number;
  private saved: number;
  /** The room's time at the last anchor, and the monotonic clock then: room time runs on from there. */
  private anchorRoom: number;
  private anchorMono: number;

  /**
   * Between the link's estimates the room's time runs on the monotonic clock from the last anchor, so a
   * step of the seat's own clock (NTP, a person changing it) during a part moves nothing; the next
   * estimate (the link measures its offset against the stepped clock) anchors it again.
   */
  constructor(path: string, ownClock: () => number = Date.now, monotonic: () => number = () => performance.now()) {
    this.path = path;
    this.ownClock = ownClock;
    this.monotonic = monotonic;
    this.offset = readOffset(path);
    this.saved = this.offset;
    this.anchorRoom = ownClock() + this.offset;
    this.anchorMono = monotonic();
  }

  /** The room's time now, ms since the epoch. */
  nowMs(): number {
    return Math.round(this.anchorRoom + (this.monotonic() - this.anchorMono));
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  offsetMs(): number {
    return this.offset;
  }

  /** A new estimate of hub clock − seat clock (from the link's heartbeats). */
  observe(offsetMs: number): void {
    this.offset = offsetMs;
    this.anchorRoom = this.ownClock() + offsetMs;
    this.anchorMono = this.monotonic();
    if (Math.abs(offsetMs - this.saved) >= WRITE_THRESHOLD_MS) {
      writeFileAtomic(this.path, `${JSON.stringify({ offsetMs, at: new Date(this.ownClock()).toISOString() })}\n`, 0o600);
      this.saved = offsetMs;
    }
  }
}

function readOffset(path: string): number {
  if (!existsSync(path)) return 0;
  try {
    const value = (JSON.parse(readFileSync(path, 'utf8')) as { offsetMs?: unknown }).offsetMs;
    return typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : 0;
  } catch {
    // A torn or damaged file (it is written atomically, so only by hand): the next heartbeat mends it.
    return 0;
  }
}
