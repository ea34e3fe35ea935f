import type { NudgeEvent } from '../events/nudge-event.ts';
import type { CatalogItem } from './catalog-item.ts';

/**
 * What one applyUpdates call did to one product: the item as stored before (read in the same
 * transaction as the write, so no other writer slips in between; null = the product was new) and
 * as written. Back-in-stock and price-drop triggers compare the two.
 */
export type CatalogChange = { product_id: string; before: CatalogItem | null; after: CatalogItem };

/** What findItems selects; see CatalogStore.findItems. */
export type CatalogQuery = { category: string | null; inStockOnly: boolean; limit: number };

/** findItems' limit bounds: enough candidates for a recommendation block, never a full scan. */
export const findItemsLimits = { min: 1, max: 500 } as const;

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
   * Resolves to one CatalogChange per product whose stored item this call changed, in the order
   * the products first appear in `events`: a redelivered batch, or an update older than every
   * field it sets, gives no entry. A transaction retried on contention reports what its
   * successful attempt changed, so a change is reported by exactly one call.
   *
   * Every event is checked before anything is written: an invalid one rejects the whole call
   * with InvalidCatalogUpdateError and nothing is stored. Any other rejection is transient
   * (retry the call). A batch larger than one transaction can hold is committed in several,
   * which is safe because products are independent and re-applying is harmless; a call that
   * fails after some of them committed has written those, and its retry reports only the rest.
   */
  applyUpdates: (events: readonly NudgeEvent[]) => Promise<CatalogChange[]>;
  /** product id → item, for the ids the catalog knows (committed state). */
  getItems: (productIds: readonly string[]) => Promise<Map<string, CatalogItem>>;
  /**
   * Candidate items, ordered by product_id, at most `limit` (1..500, RangeError otherwise):
   * those whose category equals `category` exactly (null: any category, items without one
   * included); with `inStockOnly`, only stock > 0 (unknown stock is not in stock). For
   * recommendations, which rank the candidates themselves.
   */
  findItems: (query: CatalogQuery) => Promise<CatalogItem[]>;
  close?: () => Promise<void>;
};

/** Throws RangeError unless limit is a whole number in findItemsLimits; every adapter calls it first. */
export function checkFindItemsLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < findItemsLimits.min || limit > findItemsLimits.max) {
    throw new RangeError(`findItems: limit must be a whole number from ${findItemsLimits.min} to ${findItemsLimits.max}, got ${limit}`);
  }
}
