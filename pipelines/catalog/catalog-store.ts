import type { NudgeEvent } from '../events/nudge-event.ts';
import type { CatalogItem } from './catalog-item.ts';

/**
 * The catalog store port: Firestore on GCP (functions/gcp/firestore-catalog-store.ts), SQLite
 * embedded (functions/embedded/sqlite-catalog-store.ts), in memory for tests
 * (./in-memory-catalog-store.ts). The merge itself is the pure mergeCatalogUpdates; adapters only
 * make each product's read-merge-write atomic.
 */
export type CatalogStore = {
  /**
   * Applies `catalog_updated` events: per product, read the item, merge (last writer wins per
   * field, see apply-catalog-update.ts), write it if it changed, in one transaction retried on
   * contention. Idempotent, and order does not matter, so a redelivered batch is harmless.
   *
   * Every event is checked before anything is written: an invalid one rejects the whole call
   * with InvalidCatalogUpdateError and nothing is stored. Any other rejection is transient
   * (retry the call). A batch larger than one transaction can hold is committed in several,
   * which is safe because products are independent and re-applying is harmless.
   */
  applyUpdates: (events: readonly NudgeEvent[]) => Promise<void>;
  /** product id → item, for the ids the catalog knows (committed state). */
  getItems: (productIds: readonly string[]) => Promise<Map<string, CatalogItem>>;
  close?: () => Promise<void>;
};
