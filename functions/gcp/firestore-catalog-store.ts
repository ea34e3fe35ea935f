import type { DocumentReference, DocumentSnapshot, Firestore } from '@google-cloud/firestore';
import { mergeCatalogUpdates, productIdsOf } from '../../pipelines/catalog/apply-catalog-update.ts';
import { CatalogItem } from '../../pipelines/catalog/catalog-item.ts';
import type { CatalogStore } from '../../pipelines/catalog/catalog-store.ts';
import { readCatalogUpdates, type CatalogUpdate } from '../../pipelines/catalog/read-catalog-update.ts';
import { encodeDocumentId } from './firestore-profile-store.ts';

/**
 * The GCP CatalogStore: one native Firestore document per product,
 *   `{prefix}catalog_items/{encodeDocumentId(product_id)}`   the CatalogItem, field for field
 * (product ids may hold '/', hence the encoding shared with the profile store).
 *
 * Each batch is read, merged and written in runTransaction, which retries on contention, so two
 * instances updating one product never lose a field. The injected client must not set `useBigInt`.
 */

export const CATALOG_ITEMS_COLLECTION = 'catalog_items';
/** Firestore's per-transaction write limit: bigger batches are committed in chunks of this many products. */
export const MAX_PRODUCTS_PER_TRANSACTION = 500;

export type FirestoreCatalogStoreDeps = {
  firestore: Firestore;
  /** Prepended to the collection name (tests, side-by-side environments). Default ''. */
  collectionPrefix?: string;
  /** Attempts runTransaction makes under contention. Default 10, as for profiles. */
  maxAttempts?: number;
};

export function createFirestoreCatalogStore(deps: FirestoreCatalogStoreDeps): CatalogStore {
  const { firestore } = deps;
  const collection = firestore.collection(`${deps.collectionPrefix ?? ''}${CATALOG_ITEMS_COLLECTION}`);
  const ref = (productId: string): DocumentReference => collection.doc(encodeDocumentId(productId));

  const applyChunk = (productIds: readonly string[], updates: readonly CatalogUpdate[]) =>
    firestore.runTransaction(
      async (t) => {
        const snaps = await t.getAll(...productIds.map(ref));
        const current = itemsOf(productIds, snaps);
        for (const [id, item] of mergeCatalogUpdates(current, updates)) t.set(ref(id), CatalogItem.parse(item));
      },
      { maxAttempts: deps.maxAttempts ?? 10 },
    );

  return {
    applyUpdates: async (events) => {
      // Validated before the first transaction: an invalid event writes nothing.
      const updates = readCatalogUpdates(events);
      for (const productIds of chunk(productIdsOf(updates), MAX_PRODUCTS_PER_TRANSACTION)) {
        const ids = new Set(productIds);
        await applyChunk(
          productIds,
          updates.filter((update) => ids.has(update.product_id)),
        );
      }
    },
    getItems: async (productIds) => {
      const found = new Map<string, CatalogItem>();
      for (const ids of chunk([...new Set(productIds)], MAX_PRODUCTS_PER_TRANSACTION)) {
        for (const [id, item] of itemsOf(ids, await firestore.getAll(...ids.map(ref)))) found.set(id, item);
      }
      return found;
    },
  };
}

/** getAll answers in the order of the refs it was given. */
function itemsOf(productIds: readonly string[], snaps: readonly DocumentSnapshot[]): Map<string, CatalogItem> {
  const items = new Map<string, CatalogItem>();
  productIds.forEach((id, i) => {
    const snap = snaps[i];
    if (snap?.exists) items.set(id, CatalogItem.parse(snap.data()));
  });
  return items;
}

function chunk<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  return chunks;
}
