// What the station service asks of the hub's link to the central API (src-main/sync builds it): the
// station API's centre methods are the staff's way to it, checked for rights and audited by the
// service, carried out here. A seat has none attached.
import type { BilingualText } from '../../src-shared/errors.ts';
import type { SignedReceipt } from '../../src-shared/contracts/central-api.ts';
import type { SignedDeletionCertificate } from '../../src-shared/contracts/deletion-certificate.ts';
import type { CentralSyncView } from '../../src-shared/contracts/station-api.ts';

export interface CentralControl {
  status(): CentralSyncView;
  enrol(input: { centralUrl: string; code: string; name: string }): Promise<{ deviceId: string; venueCode: string }>;
  /** A pass now; resolves when it is over (its problem, if any, is in the status). */
  syncNow(): Promise<unknown>;
  receiptOf(candidateId: string): { signed: SignedReceipt; matches: boolean; problems: BilingualText[] } | null;
  /** Delete a confirmed session here and write its signed deletion certificate (refused unless every receipt matches). */
  purgeSession(sessionId: string, orderedBy: string): Promise<SignedDeletionCertificate>;
  /** Without a network: what the centre has not acknowledged, as one signed and encrypted file in `folder`. */
  exportForCentre(folder: string): Promise<{ file: string; bytes: number; sha256: string; events: number; recordings: number; waitingForAudio: string[] }>;
  /** The deletion certificates the centre does not have yet, as files in `folder`. */
  exportCertificates(folder: string): string[];
  /** A session's receipts the centre exported (carried on USB), verified and compared as if fetched. */
  importReceipts(bundle: unknown): Promise<{ sessionId: string; receipts: number; matching: number }>;
}
