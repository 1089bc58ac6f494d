// Candidate screens: which screen may act for which attempt, and when a screen last showed a sign of
// life. The invigilator opens an attempt for one screen and the station hands that screen a secret
// (the candidate token; only its hash is stored); every candidate call carries it. A screen that holds
// an open attempt's token is a candidate screen: staff sign-in is refused there, so a candidate can
// neither sign in as staff nor lock the invigilator out. Any call from the screen is a sign of life;
// a silence longer than a few heartbeats is time the candidate could not work.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { StationError } from '../../src-shared/errors.ts';
import type { Caller } from '../../src-shared/contracts/station-api.ts';

export function newCandidateToken(): { token: string; sha256: string } {
  const token = randomBytes(32).toString('base64url');
  return { token, sha256: tokenHash(token) };
}

export const tokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** Compare a presented token with the stored hash, in constant time. */
export function tokenMatches(token: string, storedSha256: string | null): boolean {
  if (!storedSha256) return false;
  const given = Buffer.from(tokenHash(token), 'hex');
  const stored = Buffer.from(storedSha256, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

export class CandidateScreens {
  /** Transport client → the attempt its screen holds. In-process callers are never bound. */
  private readonly boundTo = new Map<string, string>();
  /** Attempt → when its screen last called (station clock, ms). */
  private readonly lastCall = new Map<string, number>();

  /** The screen of `caller` now holds `attemptId`. */
  bind(caller: Caller | undefined, attemptId: string): void {
    if (!caller || caller.screen === false) return;
    // The attempt moved here: the screen that held it before is no longer a candidate screen for it.
    for (const [clientId, held] of this.boundTo) if (held === attemptId && clientId !== caller.clientId) this.boundTo.delete(clientId);
    this.boundTo.set(caller.clientId, attemptId);
  }

  /** The attempt this caller's screen holds, if any. */
  attemptOf(caller: Caller | undefined): string | undefined {
    return caller ? this.boundTo.get(caller.clientId) : undefined;
  }

  /** Refuse staff work on a screen that holds an attempt still open (`isOpen` asks the store). */
  refuseStaffOnCandidateScreen(caller: Caller | undefined, isOpen: (attemptId: string) => boolean): void {
    const attemptId = this.attemptOf(caller);
    if (attemptId === undefined) return;
    if (isOpen(attemptId)) throw new StationError('STAFF_NOT_ON_CANDIDATE_SCREEN');
    this.boundTo.delete(caller!.clientId);
  }

  /** Note a call from the attempt's screen; returns when the one before it came (undefined: none since start). */
  signOfLife(attemptId: string, now: number): number | undefined {
    const previous = this.lastCall.get(attemptId);
    this.lastCall.set(attemptId, now);
    return previous;
  }

  /** No screen holds the attempt any more (its token was ended): each is an ordinary screen again. */
  release(attemptId: string): void {
    for (const [clientId, held] of this.boundTo) if (held === attemptId) this.boundTo.delete(clientId);
    this.lastCall.delete(attemptId);
  }

  forgetAttempt(attemptId: string): void {
    this.lastCall.delete(attemptId);
  }
}
