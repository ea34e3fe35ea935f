import { addCoViews, CO_VIEWS_TOP_K } from '../recommendations/co-views.ts';
import { StoredProductInterest, toProductInterest } from './apply-interest-signal.ts';
import { addBestSeller, compareBestSellers, readBestSellersQuery, type BestSeller } from './best-sellers.ts';
import { readInterestSignals } from './interest-signals.ts';
import { compareInterestPosition, encodeInterestCursor, isAfterPosition, matchesInterestedQuery, readInterestedQuery, sortInterests } from './interest-query.ts';
import { DEFAULT_INTEREST_RETENTION_MS, interestExpireAt, isInterestExpired } from './interest-retention.ts';
import type { InterestPruning, InterestRetentionDeps, InterestStore } from './interest-store.ts';
import { interestKey, planInterestRecording } from './plan-interest-recording.ts';
import type { CoView } from './product-interest.ts';

/**
 * An InterestStore in Maps, for tests of what reads interests (journeys, recommendations). It
 * passes the same contract suite as the SQLite and Firestore stores; records are copied in and
 * out, so callers can never mutate what is stored.
 */
export function createInMemoryInterestStore(options: InterestRetentionDeps & { coViewsTopK?: number }): InterestStore & InterestPruning {
  const retentionMs = options.retentionMs ?? DEFAULT_INTEREST_RETENTION_MS;
  // Each record with the expiry its last write gave it (as the adapters store it beside the record).
  const stored = new Map<string, { record: StoredProductInterest; expire_at: string }>();
  const coViews = new Map<string, CoView[]>();
  const bestSellers = new Map<string, BestSeller>();
  const live = () => {
    const now = options.clock.now();
    return [...stored.values()].filter((entry) => !isInterestExpired(entry.expire_at, now)).map((entry) => entry.record);
  };
  const recordsOf = (identities: ReadonlySet<string>) => live().filter((record) => identities.has(record.identity));

  return {
    record: async (events, stock) => {
      const signals = readInterestSignals(events, stock);
      const plan = planInterestRecording(signals, recordsOf(new Set(signals.map((signal) => signal.identity))));
      for (const record of plan.records) {
        const checked = StoredProductInterest.parse(record);
        stored.set(interestKey(checked.product_id, checked.identity), { record: checked, expire_at: interestExpireAt(checked, retentionMs) });
      }
      for (const [productId, others] of plan.coViews) coViews.set(productId, addCoViews(coViews.get(productId) ?? [], others, options.coViewsTopK ?? CO_VIEWS_TOP_K));
      for (const [productId, added] of plan.bestSellers) bestSellers.set(productId, addBestSeller(bestSellers.get(productId) ?? null, productId, added));
    },
    listInterested: async (productId, query) => {
      const read = readInterestedQuery(productId, query);
      const matching = live()
        .filter((record) => record.product_id === read.productId)
        .map(toProductInterest)
        .filter((record) => matchesInterestedQuery(record, read.query) && isAfterPosition(record, read.after))
        .sort(compareInterestPosition);
      const page = matching.slice(0, read.query.limit);
      const last = page[page.length - 1];
      return { interests: page, next: matching.length > page.length && last ? encodeInterestCursor(last) : null };
    },
    getInterests: async (identities, productIds) => {
      const products = productIds && new Set(productIds);
      return sortInterests(recordsOf(new Set(identities)).filter((record) => !products || products.has(record.product_id)).map(toProductInterest));
    },
    getCoViews: async (productIds) => {
      const found = new Map<string, CoView[]>();
      for (const id of productIds) {
        const list = coViews.get(id);
        if (list) found.set(id, structuredClone(list));
      }
      return found;
    },
    getBestSellers: async (query) => {
      const { category, limit } = readBestSellersQuery(query);
      return [...bestSellers.values()]
        .filter((line) => category === null || line.category === category)
        .sort(compareBestSellers)
        .slice(0, limit)
        .map(({ product_id, count }) => ({ product_id, count }));
    },
    pruneExpired: async () => {
      const now = options.clock.now();
      let deleted = 0;
      for (const [key, entry] of stored) {
        if (isInterestExpired(entry.expire_at, now)) {
          stored.delete(key);
          deleted += 1;
        }
      }
      return deleted;
    },
  };
}

