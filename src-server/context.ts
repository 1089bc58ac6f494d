// What every route module is given: configuration, the database pools, file storage and the receipt signer.
import type { ServerConfig } from './config.ts';
import type { CentralDb } from './db/database.ts';
import type { ReceiptSigner } from './receipts.ts';
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
}
