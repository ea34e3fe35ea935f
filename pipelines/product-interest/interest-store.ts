import type { CoView, ProductInterest } from './product-interest.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import type { Clock } from '../shared/clock.ts';

/** The product's stock as the catalog knew it when the event was recorded; null = unknown. */
export type StockAtEvent = ReadonlyMap<string, number | null>;

export type InterestPage = { interests: ProductInterest[]; next: string | null };

/**
 * The product-interest store port: SQLite embedded, Firestore on GCP, in memory for tests; one
 * contract suite runs against each (test/contracts/interest-store.contract.ts).
 *
 * Retention: every record write sets the record's expiry, its latest view, add, request or
 * purchase plus the retention (interest-retention.ts). From then on a record is gone for every
 * method: not listed, not returned, and recording treats it as never seen (a new view starts a new
 * record). The embedded store deletes expired rows on its daily prune, Firestore by its TTL policy
 * some hours later; until then they are stored but never answered.
 */
export type InterestStore = {
  /**
   * Records what these events say about products (Product Viewed, Product Added, Back In Stock
   * Requested, Order Completed; other kinds are ignored) and the co-views they imply. Idempotent
   * by event id: a redelivered batch changes nothing (plan-interest-recording.ts says how).
   * `stock` says which products were out of stock at the time (for out_of_stock_interest_at).
   * A relevant event without a readable product id rejects the whole call with
   * InvalidInterestEventError (interest-signals.ts) before anything is written; any other
   * rejection is transient (retry the call).
   */
  record: (events: readonly NudgeEvent[], stock: StockAtEvent) => Promise<void>;
  /**
   * Identities interested in a product whose latest interest (view, add, request) is at or after
   * `since`, first come first (first_interest_at, then identity), a page at a time.
   * `outOfStockOnly`: only those whose interest came while it was out of stock, or who asked.
   * `after` is the `next` of the previous page (opaque); `limit` 1..1000. A bad query rejects with
   * InvalidInterestQueryError (interest-query.ts) naming the field.
   */
  listInterested: (productId: string, query: { since: string; outOfStockOnly: boolean; after: string | null; limit: number }) => Promise<InterestPage>;
  /** Every interest of these identities (one person's), optionally only in these products; by identity, then product id. */
  getInterests: (identities: readonly string[], productIds?: readonly string[]) => Promise<ProductInterest[]>;
  /**
   * product id → the products most often viewed with it (highest count first, at most top-K kept;
   * approximate counts, see recommendations/co-views.ts). Products never co-viewed are absent.
   */
  getCoViews: (productIds: readonly string[]) => Promise<Map<string, CoView[]>>;
  /**
   * The most bought products (optionally of one category, as the latest order line naming one
   * said), most first, then product id: the fallback recommendation. Each order counts once.
   */
  getBestSellers: (query: { category: string | null; limit: number }) => Promise<{ product_id: string; count: number }[]>;
  close?: () => Promise<void>;
};

/** What every adapter takes besides its storage: "now" for expiry, and the retention. */
export type InterestRetentionDeps = {
  clock: Clock;
  /** How long a record outlives its latest activity. Default DEFAULT_INTEREST_RETENTION_MS (90 days). */
  retentionMs?: number;
};

/** The embedded and in-memory stores delete expired records when asked; on Firestore the TTL policy does. */
export type InterestPruning = {
  /**
   * Deletes the records expired at the clock's now, `batchSize` (default 1000) per transaction,
   * yielding between batches; resolves with how many were deleted. Co-views and best sellers are
   * per-product totals, not per identity, and stay (see docs/architecture.md).
   */
  pruneExpired: (options?: { batchSize?: number }) => Promise<number>;
};
