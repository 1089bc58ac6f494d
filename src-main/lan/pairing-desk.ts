// "Add seats" on the hub: the one-time pairing codes and what went wrong with them. Codes live only in
// the hub's memory (a restart closes pairing). A code is 8 digits and valid for 2 minutes; each code
// takes at most one proof: a right one uses it (the next seat gets a new code), a wrong one burns it
// (the hub shows a new code and the failure). Five failed proofs in a row pause pairing until the hub
// opens it again, so someone guessing at codes on the LAN gets five tries, each at one chance in
// 10^8. Pairing behind a relay counts as a failed proof: it is an attack, not a typing mistake.
import { newPairingCode, codeVerifier, SrpHub, type CodeVerifier } from '../../src-shared/node/room/pairing-proof.ts';
import { StationError, type ErrorCode } from '../../src-shared/errors.ts';

export const PAIRING_CODE_TTL_MS = 2 * 60_000;
export const PAIRING_MAX_FAILURES = 5;
/** How many failures the hub keeps to show. */
const FAILURES_KEPT = 50;

export type PairingFailureReason = Extract<ErrorCode, 'PAIRING_CODE_WRONG' | 'PAIRING_RELAYED'>;

export interface PairingFailure {
  at: string;
  reason: PairingFailureReason;
  /** Where the attempt came from, and the device id of the key it showed. */
  address: string;
  deviceId: string | undefined;
}

export interface PairingCode {
  code: string;
  expiresAt: string;
}

export interface PairingStatus {
  state: 'closed' | 'open' | 'paused';
  /** The code to show while open; past expiresAt it no longer pairs (open() makes a new one). */
  code: PairingCode | null;
  consecutiveFailures: number;
  /** The latest first. */
  failures: PairingFailure[];
}

interface LiveCode extends PairingCode {
  generation: number;
  verifier: CodeVerifier;
}

/** One seat's SRP conversation, bound to the code that was live when it began. */
export interface CodeAttempt {
  generation: number;
  srp: SrpHub;
}

export interface PairingDeskOptions {
  now?: () => Date;
  codeTtlMs?: number;
  maxFailures?: number;
}

export class PairingDesk {
  private readonly now: () => Date;
  private readonly ttlMs: number;
  private readonly maxFailures: number;
  private state: PairingStatus['state'] = 'closed';
  private live: LiveCode | undefined;
  /** Codes are told apart by generation: an attempt may prove only against the code it began with. */
  private generation = 0;
  /** The generation whose single proof has been taken: a right proof whose pairing is still completing. */
  private spent = 0;
  private consecutiveFailures = 0;
  private failures: PairingFailure[] = [];

  constructor(options: PairingDeskOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.ttlMs = options.codeTtlMs ?? PAIRING_CODE_TTL_MS;
    this.maxFailures = options.maxFailures ?? PAIRING_MAX_FAILURES;
  }

  /** Open "add seats", or re-open it after a pause or an expired code: a fresh code, the failure count reset. */
  open(): PairingCode {
    this.state = 'open';
    this.consecutiveFailures = 0;
    return this.issue();
  }

  close(): void {
    this.state = 'closed';
    this.live = undefined;
  }

  get isOpen(): boolean {
    return this.state === 'open';
  }

  status(): PairingStatus {
    const code = this.state === 'open' && this.live ? { code: this.live.code, expiresAt: this.live.expiresAt } : null;
    return { state: this.state, code, consecutiveFailures: this.consecutiveFailures, failures: [...this.failures] };
  }

  /** A seat asks to pair by code: the SRP conversation for the live code, or why there is none. */
  begin(): CodeAttempt {
    const live = this.usableCode();
    return { generation: live.generation, srp: new SrpHub(live.verifier) };
  }

  /**
   * The seat's proof. Right: the code is used, and the session key comes back for the channel binding.
   * Wrong: the code is burnt and the failure counted. Either way the attempt's code takes no more proofs.
   */
  prove(attempt: CodeAttempt, A: Buffer, M1: Buffer, who: { address: string; deviceId: string | undefined }): { key: Buffer; M2: Buffer } {
    const live = this.usableCode();
    if (live.generation !== attempt.generation || this.spent === attempt.generation) {
      // The code this conversation began with was used or burnt meanwhile: a failed proof, which does
      // not burn the code that is live now (it was not what the seat tried).
      this.fail('PAIRING_CODE_WRONG', who, false);
      throw new StationError('PAIRING_CODE_WRONG', 'the code this attempt began with is no longer live');
    }
    this.spent = attempt.generation;
    const proved = attempt.srp.prove(A, M1);
    if (!proved) {
      this.fail('PAIRING_CODE_WRONG', who, true);
      throw new StationError('PAIRING_CODE_WRONG');
    }
    return proved;
  }

  /** The proof was right but the channel binding failed: a relay. Counted like a wrong code. */
  relayed(who: { address: string; deviceId: string | undefined }): void {
    this.fail('PAIRING_RELAYED', who, true);
  }

  /** A seat was paired: the count of failures in a row starts again, the next seat gets a new code. */
  succeeded(): void {
    this.consecutiveFailures = 0;
    if (this.state === 'open') this.issue();
  }

  private usableCode(): LiveCode {
    if (this.state === 'paused') throw new StationError('PAIRING_PAUSED', `${this.consecutiveFailures} failed proofs in a row`);
    if (this.state === 'closed' || !this.live) throw new StationError('PAIRING_CLOSED');
    if (this.now().toISOString() >= this.live.expiresAt) throw new StationError('PAIRING_CODE_EXPIRED', `the code expired at ${this.live.expiresAt}`);
    return this.live;
  }

  private issue(): PairingCode {
    const code = newPairingCode();
    this.generation += 1;
    this.live = { code, expiresAt: new Date(this.now().getTime() + this.ttlMs).toISOString(), generation: this.generation, verifier: codeVerifier(code) };
    return { code, expiresAt: this.live.expiresAt };
  }

  /** Record a failed proof; `burn` replaces the live code with a new one. */
  private fail(reason: PairingFailureReason, who: { address: string; deviceId: string | undefined }, burn: boolean): void {
    this.failures = [{ at: this.now().toISOString(), reason, address: who.address, deviceId: who.deviceId }, ...this.failures].slice(0, FAILURES_KEPT);
    this.consecutiveFailures += 1;
    if (this.consecutiveFailures >= this.maxFailures) {
      this.state = 'paused';
      this.live = undefined;
    } else if (burn && this.state === 'open') {
      this.issue();
    }
  }
}
