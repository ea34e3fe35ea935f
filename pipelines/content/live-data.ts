/**
 * The LiveData port: what a product is now — price, stock, name, link — read at send time, so an
 * email never shows yesterday's price or a sold-out item as buyable. Two adapters: the catalog
 * store (what Catalog Updated events said) and the shop's own HTTP API (NUDGE_CATALOG_API_URL,
 * docs/live-data.md), which falls back to the catalog when it is slow, down or talking nonsense.
 */

export type LiveItem = {
  product_id: string;
  name: string | null;
  /** Current unit price; null = unknown (the email shows none). */
  price: number | null;
  /** ISO 4217, upper case. */
  currency: string | null;
  /** Units available now; null = unknown. 0 = sold out: shown, never as buyable. */
  stock: number | null;
  url: string | null;
  image_url: string | null;
  category: string | null;
};

/** Where an answer came from, best first. */
export type LiveDataSource = 'shop_api' | 'cache' | 'stale_cache' | 'catalog';

/** A fallback taken while reading, recorded on the decision (no personal data). */
export type LiveDataFallback = {
  product_id: string;
  /** What was used instead of a fresh answer; "dropped" = nothing known, the item is left out. */
  used: 'stale_cache' | 'catalog' | 'dropped';
  /**
   * Short and machine-readable, why the better source was not used: "timeout", "http_503",
   * "network", "invalid_response", "not_found", "not_in_catalog", … For an id dropped after the
   * shop API failed, the catalog's reason follows a "+": "timeout+not_in_catalog" (docs/live-data.md).
   */
  reason: string;
};

export type LiveDataResult = {
  /** product id → item, for every id an answer was found for (a dropped id is absent). */
  items: Map<string, LiveItem & { source: LiveDataSource }>;
  fallbacks: LiveDataFallback[];
};

/**
 * Reads these products now. Never rejects for an unavailable source and never outlives the
 * deadline by more than a few milliseconds: it answers with what it has and says what it used.
 */
export type LiveData = (productIds: readonly string[], options: { deadline: Date }) => Promise<LiveDataResult>;
