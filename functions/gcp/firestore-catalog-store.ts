import type { DocumentReference, DocumentSnapshot, Firestore, Query } from '@google-cloud/firestore';
import { mergeCatalogChanges, productIdsOf } from '../../pipelines/catalog/apply-catalog-update.ts';
import { CatalogItem } from '../../pipelines/catalog/catalog-item.ts';
import { checkFindItemsLimit, type CatalogChange, type CatalogStore } from '../../pipelines/catalog/catalog-store.ts';
import { readCatalogUpdates, type CatalogUpdate } from '../../pipelines/catalog/read-catalog-update.ts';
import { encodeDocumentId } from './firestore-profile-store.ts';

/**
 * The GCP CatalogStore: one native Firestore document per product,
 *   `{prefix}catalog_items/{encodeDocumentId(product_id)}`   the CatalogItem, field for field
 * (product ids may hold '/', hence the encoding shared with the profile store).
 *
 * Each batch is read, merged and written in runTransaction, which retries on contention, so two
 * instances updating one product never lose a field. The injected client must not set `useBigInt`.
 * The changes a call reports are those of each chunk's successful attempt: runTransaction runs the
 * callback again on contention, and only the last run's reads are the ones its writes were based on.
 *
 * findItems queries the `product_id` field in order (Firestore sorts strings by UTF-8 bytes, the
 * order the contract asks for), with `category ==` when a category is given. That needs the
 * composite index (category ASC, product_id ASC) on catalog_items (terraform/firestore.tf); the
 * any-category query is served by the automatic single-field index. Stock is not in the query:
 * `stock > 0` with an order on product_id would need another composite index and order by stock
 * first, so out-of-stock items are dropped in memory while reading pages in product_id order. A
 * call reads at most FIND_ITEMS_MAX_SCANNED documents, so it may return fewer than `limit` in-stock
 * items when the first thousands of a category are sold out: a bounded read cost per email matters
 * more than the last candidates of a recommendation block.
 */

export const CATALOG_ITEMS_COLLECTION = 'catalog_items';
/** Firestore's per-transaction write limit: bigger batches are committed in chunks of this many products. */
export const MAX_PRODUCTS_PER_TRANSACTION = 500;
/** The most documents one findItems call reads when it filters stock in memory. */
export const FIND_ITEMS_MAX_SCANNED = 2000;

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

  const applyChunk = (productIds: readonly string[], updates: readonly CatalogUpdate[]): Promise<CatalogChange[]> =>
    firestore.runTransaction(
      async (t) => {
        const snaps = await t.getAll(...productIds.map(ref));
        const changes = mergeCatalogChanges(itemsOf(productIds, snaps), updates);
        for (const change of changes) t.set(ref(change.product_id), CatalogItem.parse(change.after));
        return changes;
      },
      { maxAttempts: deps.maxAttempts ?? 10 },
    );

  const findItems: CatalogStore['findItems'] = async ({ category, inStockOnly, limit }) => {
    checkFindItemsLimit(limit);
    const base: Query = (category === null ? collection : collection.where('category', '==', category)).orderBy('product_id');
    if (!inStockOnly) return (await base.limit(limit).get()).docs.map((doc) => CatalogItem.parse(doc.data()));
    const found: CatalogItem[] = [];
    // Pages a little larger than the limit: most items are in stock, so one page usually does.
    const pageSize = Math.min(FIND_ITEMS_MAX_SCANNED, Math.max(50, limit * 2));
    let scanned = 0;
    let last: string | null = null;
    while (found.length < limit && scanned < FIND_ITEMS_MAX_SCANNED) {
      const page = await (last === null ? base : base.startAfter(last)).limit(Math.min(pageSize, FIND_ITEMS_MAX_SCANNED - scanned)).get();
      for (const doc of page.docs) {
        const item = CatalogItem.parse(doc.data());
        if (item.stock !== null && item.stock > 0 && found.length < limit) found.push(item);
      }
      scanned += page.size;
      if (page.size === 0 || page.docs.length < pageSize) break;
      last = page.docs[page.docs.length - 1]!.get('product_id') as string;
    }
    return found;
  };

  return {
    applyUpdates: async (events) => {
      // Validated before the first transaction: an invalid event writes nothing.
      const updates = readCatalogUpdates(events);
      const changes: CatalogChange[] = [];
      for (const productIds of chunk(productIdsOf(updates), MAX_PRODUCTS_PER_TRANSACTION)) {
        const ids = new Set(productIds);
        changes.push(
          ...(await applyChunk(
            productIds,
            updates.filter((update) => ids.has(update.product_id)),
          )),
        );
      }
      return changes;
    },
    getItems: async (productIds) => {
      const found = new Map<string, CatalogItem>();
      for (const ids of chunk([...new Set(productIds)], MAX_PRODUCTS_PER_TRANSACTION)) {
        for (const [id, item] of itemsOf(ids, await firestore.getAll(...ids.map(ref)))) found.set(id, item);
      }
      return found;
    },
    findItems,
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
