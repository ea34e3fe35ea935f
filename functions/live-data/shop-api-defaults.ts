/**
 * Every tunable of the shop API adapter (shop-api-live-data.ts) in one place. Sized for one email
 * reading a handful of products inside a budget of about 800 ms (NUDGE_LIVE_DATA_BUDGET_MS).
 */
export const shopApiLiveDataDefaults = {
  /** A fresh cache entry answers without a request (NUDGE_CATALOG_API_CACHE_TTL). */
  cacheTtlMs: 60_000,
  /**
   * How old a cached answer may be and still stand in when the shop API fails (`stale_cache`).
   * A day: older than that, the catalog events are likely fresher than our copy.
   */
  maxStaleMs: 24 * 3_600_000,
  /** Products kept in the cache; the least recently used goes first beyond this. */
  cacheMaxEntries: 10_000,
  /** Ids per request; more are split into several requests sent side by side. */
  maxIdsPerRequest: 50,
  /** Length of the encoded `ids` value per request, so long ids never make a URL proxies refuse. */
  maxIdsQueryChars: 1_500,
  /**
   * Bytes read of one answer. 50 products are a few KB; anything this large is a misconfigured
   * endpoint (a page, a dump), and reading it would cost memory and the budget.
   */
  maxResponseBytes: 1_048_576,
  /** Attempts per request, the first included, if the budget allows them. */
  maxAttempts: 3,
  /**
   * One attempt waits at most this long, so a hung connection leaves budget for a retry on
   * another one. The budget still wins when less remains.
   */
  attemptTimeoutMs: 500,
  /** An attempt is only started with at least this much budget left; less could not finish. */
  minAttemptMs: 50,
  /** Backoff before retry n (1, 2, …) is random in [0, min(backoffMaxMs, backoffBaseMs × 2^n)]: "full jitter". */
  backoffBaseMs: 50,
  backoffMaxMs: 400,
  /**
   * Budget kept back from the HTTP requests for the catalog read that follows a failure, so the
   * fallback can still answer before the deadline.
   */
  fallbackReserveMs: 100,
};

export type ShopApiLiveDataSettings = typeof shopApiLiveDataDefaults;
