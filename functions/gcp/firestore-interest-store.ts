import { createHash } from 'node:crypto';
import { Timestamp, type CollectionReference, type DocumentData, type DocumentReference, type Firestore, type Transaction } from '@google-cloud/firestore';
import { latestInterestAt, latestOutOfStockInterestAt, StoredProductInterest, toProductInterest } from '../../pipelines/product-interest/apply-interest-signal.ts';
import { addBestSeller, readBestSellersQuery, type BestSeller } from '../../pipelines/product-interest/best-sellers.ts';
import { readInterestSignals, type InterestSignal } from '../../pipelines/product-interest/interest-signals.ts';
import { encodeInterestCursor, matchesInterestedQuery, readInterestedQuery, sortInterests } from '../../pipelines/product-interest/interest-query.ts';
import { DEFAULT_INTEREST_RETENTION_MS, interestExpireAt, isInterestExpired } from '../../pipelines/product-interest/interest-retention.ts';
import type { InterestRetentionDeps, InterestStore } from '../../pipelines/product-interest/interest-store.ts';
import { planInterestRecording } from '../../pipelines/product-interest/plan-interest-recording.ts';
import type { CoView, ProductInterest } from '../../pipelines/product-interest/product-interest.ts';
import { addCoViews, CO_VIEWS_TOP_K } from '../../pipelines/recommendations/co-views.ts';
import { encodeDocumentId } from './firestore-profile-store.ts';

/**
 * The GCP InterestStore, three native Firestore collections:
 *   `{prefix}product_interests/{sha256(product_id NUL identity)}`  the stored record, field for
 *      field, plus first_come_at (the public first_interest_at, never null), latest_interest_at
 *      and latest_out_of_stock_interest_at (derived, for reading the console and later queries),
 *      and expire_at: a Timestamp (latest activity + retention), which the TTL policy on the
 *      collection group deletes by (terraform/firestore.tf). A hash, because the id must hold two
 *      arbitrary strings and stay under Firestore's 1,500-byte limit.
 *   `{prefix}co_views/{encodeDocumentId(product_id)}`     { product_id, co_views: CoView[] }
 *   `{prefix}best_sellers/{encodeDocumentId(product_id)}` { product_id, count, category, rank_key }
 *
 * Queries and their indexes (terraform/firestore.tf declares the composite ones):
 * - listInterested: product_id == P order by first_come_at, identity — composite index
 *   (product_id, first_come_at, identity). The `since` filter is applied while reading in that
 *   order, a batch at a time: a second range field would have to lead the ordering, and "first
 *   come" is the order the journeys page in. The cost is reading the product's records from the
 *   cursor on, including ones too old for `since`; pages never re-read each other.
 * - getInterests and recording: identity in [...] — the automatic single-field index.
 * - getBestSellers: order by rank_key (count descending, then product id, in one string) — the
 *   automatic single-field index; with a category, composite (category, rank_key).
 *
 * TTL deletion comes typically within a day after expire_at, so every read and every recording
 * skips documents already past it (while reading, not in the query: an inequality on expire_at
 * would need its own composite indexes and would have to lead the ordering). A document without
 * expire_at (written before retention) is judged by the expiry its record implies; TTL never
 * deletes it until it is written again.
 *
 * Recording runs per event (an order's lines in chunks) in runTransaction: the identity's records
 * are read inside it, so the records proving an event counted commit with the counts it moved.
 * The injected client must not set `useBigInt`.
 */

export const PRODUCT_INTERESTS_COLLECTION = 'product_interests';
export const CO_VIEWS_COLLECTION = 'co_views';
export const BEST_SELLERS_COLLECTION = 'best_sellers';
/** Two writes per order line (record, best seller): 200 lines stay well inside Firestore's 500 writes per transaction. */
const MAX_SIGNALS_PER_TRANSACTION = 200;
/** Firestore's limit on `in` values. */
const MAX_IN_VALUES = 30;

export type FirestoreInterestStoreDeps = InterestRetentionDeps & {
  firestore: Firestore;
  /** Prepended to the collection names (tests, side-by-side environments). Default ''. */
  collectionPrefix?: string;
  /** Attempts runTransaction makes under contention. Default 10, as for profiles. */
  maxAttempts?: number;
  coViewsTopK?: number;
};

/** A document id for any (product, identity) pair: fixed length, no '/', never '.', '..' or '__…__'. */
export function interestDocumentId(productId: string, identity: string): string {
  return createHash('sha256').update(`${productId}\u0000${identity}`).digest('hex');
}

/** Count descending, then product id, as one string ordered like compareBestSellers (counts below 10^15). */
export function bestSellerRankKey(line: BestSeller): string {
  return `${String(999_999_999_999_999 - line.count).padStart(15, '0')}\u0000${line.product_id}`;
}

export function createFirestoreInterestStore(deps: FirestoreInterestStoreDeps): InterestStore {
  const { firestore } = deps;
  const prefix = deps.collectionPrefix ?? '';
  const interests = firestore.collection(`${prefix}${PRODUCT_INTERESTS_COLLECTION}`);
  const coViews = firestore.collection(`${prefix}${CO_VIEWS_COLLECTION}`);
  const bestSellers = firestore.collection(`${prefix}${BEST_SELLERS_COLLECTION}`);
  const topK = deps.coViewsTopK ?? CO_VIEWS_TOP_K;
  const retentionMs = deps.retentionMs ?? DEFAULT_INTEREST_RETENTION_MS;
  /** The stored record, or null when it expired at `now`. */
  const readLive = (data: DocumentData, now: Date): StoredProductInterest | null => {
    const record = StoredProductInterest.parse(data);
    return isInterestExpired(expireAtOf(data, record, retentionMs), now) ? null : record;
  };
  const coViewRef = (productId: string): DocumentReference => coViews.doc(encodeDocumentId(productId));
  const bestSellerRef = (productId: string): DocumentReference => bestSellers.doc(encodeDocumentId(productId));

  const recordChunk = (signals: readonly InterestSignal[]) =>
    firestore.runTransaction(
      async (t) => {
        const identities = [...new Set(signals.map((signal) => signal.identity))];
        const now = deps.clock.now();
        // Expired documents the TTL has not deleted yet count as absent, as pruned rows do embedded.
        const stored = await readIdentities(interests, identities, (query) => t.get(query), (data) => readLive(data, now));
        const plan = planInterestRecording(signals, stored);
        // Every read before the first write, as a transaction requires.
        const coViewIds = [...plan.coViews.keys()];
        const bestSellerIds = [...plan.bestSellers.keys()];
        const snaps = coViewIds.length + bestSellerIds.length > 0 ? await t.getAll(...coViewIds.map(coViewRef), ...bestSellerIds.map(bestSellerRef)) : [];
        for (const record of plan.records) writeRecord(t, interests, StoredProductInterest.parse(record), retentionMs);
        coViewIds.forEach((id, i) => {
          const current = (snaps[i]?.get('co_views') as CoView[] | undefined) ?? [];
          t.set(coViewRef(id), { product_id: id, co_views: addCoViews(current, plan.coViews.get(id)!, topK) });
        });
        bestSellerIds.forEach((id, i) => {
          const snap = snaps[coViewIds.length + i];
          const current: BestSeller | null = snap?.exists ? { product_id: id, count: snap.get('count') as number, category: (snap.get('category') as string | null) ?? null } : null;
          const line = addBestSeller(current, id, plan.bestSellers.get(id)!);
          t.set(bestSellerRef(id), { ...line, rank_key: bestSellerRankKey(line) });
        });
      },
      { maxAttempts: deps.maxAttempts ?? 10 },
    );

  return {
    record: async (events, stock) => {
      // All events read first: an invalid one writes nothing.
      readInterestSignals(events, stock);
      for (const event of events) {
        const signals = readInterestSignals([event], stock);
        for (let i = 0; i < signals.length; i += MAX_SIGNALS_PER_TRANSACTION) await recordChunk(signals.slice(i, i + MAX_SIGNALS_PER_TRANSACTION));
      }
    },
    listInterested: async (productId, query) => {
      const read = readInterestedQuery(productId, query);
      const found: ProductInterest[] = [];
      const now = deps.clock.now();
      let position = read.after;
      // limit + 1 matches tell whether there is a next page.
      const batch = Math.min(read.query.limit + 1, 500);
      for (;;) {
        let q = interests.where('product_id', '==', read.productId).orderBy('first_come_at').orderBy('identity');
        if (position) q = q.startAfter(position.first_interest_at, position.identity);
        const snap = await q.limit(batch).get();
        for (const doc of snap.docs) {
          const data = doc.data();
          const stored = StoredProductInterest.parse(data);
          const record = toProductInterest(stored);
          // The cursor moves past expired documents too: they are skipped, not waited for.
          position = { first_interest_at: record.first_interest_at, identity: record.identity };
          if (!isInterestExpired(expireAtOf(data, stored, retentionMs), now) && matchesInterestedQuery(record, read.query)) found.push(record);
          if (found.length > read.query.limit) break;
        }
        if (found.length > read.query.limit || snap.size < batch) break;
      }
      const page = found.slice(0, read.query.limit);
      const last = page[page.length - 1];
      return { interests: page, next: found.length > read.query.limit && last ? encodeInterestCursor(last) : null };
    },
    getInterests: async (identities, productIds) => {
      const products = productIds && new Set(productIds);
      const now = deps.clock.now();
      const stored = await readIdentities(interests, [...new Set(identities)], (query) => query.get(), (data) => readLive(data, now));
      return sortInterests(stored.filter((record) => !products || products.has(record.product_id)).map(toProductInterest));
    },
    getCoViews: async (productIds) => {
      const ids = [...new Set(productIds)];
      const found = new Map<string, CoView[]>();
      if (ids.length === 0) return found;
      const snaps = await firestore.getAll(...ids.map(coViewRef));
      ids.forEach((id, i) => {
        const list = snaps[i]?.get('co_views') as CoView[] | undefined;
        if (list && list.length > 0) found.set(id, list.map(({ product_id, count }) => ({ product_id, count })));
      });
      return found;
    },
    getBestSellers: async (query) => {
      const { category, limit } = readBestSellersQuery(query);
      const base = category === null ? bestSellers : bestSellers.where('category', '==', category);
      const snap = await base.orderBy('rank_key').limit(limit).get();
      return snap.docs.map((doc) => ({ product_id: doc.get('product_id') as string, count: doc.get('count') as number }));
    },
  };
}

type QueryLike = ReturnType<CollectionReference['where']>;

/** Every stored record of these identities that `read` keeps, `in` queries of at most 30 values each. */
async function readIdentities(
  collection: CollectionReference,
  identities: readonly string[],
  run: (query: QueryLike) => Promise<{ docs: Array<{ data: () => DocumentData }> }>,
  read: (data: DocumentData) => StoredProductInterest | null,
): Promise<StoredProductInterest[]> {
  const records: StoredProductInterest[] = [];
  for (let i = 0; i < identities.length; i += MAX_IN_VALUES) {
    const snap = await run(collection.where('identity', 'in', identities.slice(i, i + MAX_IN_VALUES)));
    for (const doc of snap.docs) {
      const record = read(doc.data());
      if (record) records.push(record);
    }
  }
  return records;
}

/** A document's expiry: its expire_at, else (written before retention) the one its record implies. */
function expireAtOf(data: DocumentData, record: StoredProductInterest, retentionMs: number): string {
  const stamp: unknown = data.expire_at;
  return stamp instanceof Timestamp ? stamp.toDate().toISOString() : interestExpireAt(record, retentionMs);
}

function writeRecord(t: Transaction, collection: CollectionReference, record: StoredProductInterest, retentionMs: number): void {
  t.set(collection.doc(interestDocumentId(record.product_id, record.identity)), {
    ...record,
    // The public first_interest_at (never null): what "first come" orders on.
    first_come_at: toProductInterest(record).first_interest_at,
    latest_interest_at: latestInterestAt(record),
    latest_out_of_stock_interest_at: latestOutOfStockInterestAt(record),
    // A Timestamp: the TTL policy ignores a document whose TTL field holds any other type.
    expire_at: Timestamp.fromMillis(Date.parse(interestExpireAt(record, retentionMs))),
  });
}
