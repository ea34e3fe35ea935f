import type { CoView, ProductInterest } from './product-interest.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';

/** The product's stock as the catalog knew it when the event was recorded; null = unknown. */
export type StockAtEvent = ReadonlyMap<string, number | null>;

export type InterestPage = { interests: ProductInterest[]; next: string | null };

/**
 * The product-interest store port: SQLite embedded, Firestore on GCP, in memory for tests; one
 * contract suite runs against each (test/contracts/interest-store.contract.ts).
 */
export type InterestStore = {
  /**
   * Records what these events say about products (Product Viewed, Product Added, Back In Stock
   * Requested, Order Completed; other kinds are ignored) and the co-views they imply. Idempotent
   * by event id: a redelivered batch changes nothing. `stock` says which products were out of
   * stock at the time (for out_of_stock_interest_at).
   */
  record: (events: readonly NudgeEvent[], stock: StockAtEvent) => Promise<void>;
  /**
   * Identities interested in a product whose latest interest (view, add, request) is at or after
   * `since`, first come first (first_interest_at, then identity), a page at a time.
   * `outOfStockOnly`: only those whose interest came while it was out of stock, or who asked.
   */
  listInterested: (productId: string, query: { since: string; outOfStockOnly: boolean; after: string | null; limit: number }) => Promise<InterestPage>;
  /** Every interest of these identities (one person's), optionally only in these products. */
  getInterests: (identities: readonly string[], productIds?: readonly string[]) => Promise<ProductInterest[]>;
  /** product id → the products most often viewed with it (highest count first, at most top-K kept). */
  getCoViews: (productIds: readonly string[]) => Promise<Map<string, CoView[]>>;
  /** The most bought products (optionally of one category), most first: the fallback recommendation. */
  getBestSellers: (query: { category: string | null; limit: number }) => Promise<{ product_id: string; count: number }[]>;
  close?: () => Promise<void>;
};
