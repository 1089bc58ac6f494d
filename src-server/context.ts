// What every route module is given: configuration, the database pools, file storage, the receipt signer and the transfer key.
import type { ServerConfig } from './config.ts';
import type { CentralDb } from './db/database.ts';
import type { ReceiptSigner } from './receipts.ts';
import type { TransferKey } from './transfers.ts';
import type { BlobStorage } from './uploads/storage.ts';

export interface ServerContext {
  config: ServerConfig;
  db: CentralDb;
  /**
   * A separate, smaller pool for audio uploads (a bulkhead): an upload's two short statements never
   * queue behind a crowd of push transactions, and pushes keep their own connections.
   */
  uploadDb: CentralDb;
  storage: BlobStorage;
  receipts: ReceiptSigner;
  /** The X25519 key USB transfers from venue hubs are encrypted to. */
  transfers: TransferKey;
}
