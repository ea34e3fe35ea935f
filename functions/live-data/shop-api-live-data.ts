import { performance } from 'node:perf_hooks';
import type { LiveData, LiveDataResult, LiveItem } from '../../pipelines/content/live-data.ts';
import type { Clock } from '../../pipelines/shared/clock.ts';
import { createLiveDataCache } from './live-data-cache.ts';
import { requestShopProducts, type ShopAttempt } from './request-shop-products.ts';
import { retryWithinBudget } from './retry-within-budget.ts';
import { shopApiLiveDataDefaults, type ShopApiLiveDataSettings } from './shop-api-defaults.ts';
import { fillFromCatalog, hasUnknownDescriptiveFields, shopProductToLiveItem } from './shop-product.ts';

export { shopApiLiveDataDefaults } from './shop-api-defaults.ts';

export type ShopApiLiveDataDeps = {
  /** NUDGE_CATALOG_API_URL; `/products` is appended. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set; never logged. */
  token: string | null;
  /** Asked for every id the shop could not answer for and the cache could not cover: the catalog adapter. */
  fallback: LiveData;
  /** Ages cache entries and places deadlines in time. */
  clock: Clock;
  fetch?: typeof fetch;
  settings?: Partial<ShopApiLiveDataSettings>;
  log?: (entry: Record<string, unknown>) => void;
  /** Jitter of the backoff, in [0, 1). */
  random?: () => number;
};

type ChunkResult = { outcome: ShopAttempt; attempts: number };

/**
 * LiveData from the shop's own API (contract: docs/live-data.md). Per id, best first:
 * 1. a fresh cache entry (`cache`, no request);
 * 2. the shop's answer (`shop_api`), requested in chunks side by side, retried inside the budget;
 * 3. when that fails: a stale cache entry (`stale_cache`), then the fallback LiveData (`catalog`),
 *    then nothing (`dropped`). Each id that did not get a fresh answer has exactly one fallback
 *    entry whose reason says why the shop's answer was not used ("timeout", "http_503",
 *    "network", "invalid_response", "not_found", …); for a dropped id the fallback's own reason
 *    follows a "+" ("timeout+not_in_catalog"), so the decision tells both halves of the story.
 *    An id the shop says it does not know skips the stale copy: the shop's word is fresher.
 * An answer from the shop (fresh, cached or stale) that leaves out name, url, image_url, category
 * or currency has them filled from the fallback LiveData, read once per call together with the
 * fallbacks and by the same deadline; price and stock stay the shop's, the source stays the
 * shop's, and no fallback entry is recorded (docs/live-data.md, "Partial answers").
 *
 * Time: the requests end `fallbackReserveMs` before the deadline, leaving the catalog read time
 * to answer by the deadline; every timer is cleared when its wait is over, so nothing is left
 * pending after a call settles. The deadline is moved to the monotonic clock on entry, because
 * timers run on it and the wall clock may jump.
 *
 * Concurrent calls that need the same chunk of ids share one request (single flight). The
 * request runs on the budget of the call that started it; a call that joins it still never waits
 * past its own deadline (its answer is then a "timeout").
 */
export function createShopApiLiveData(deps: ShopApiLiveDataDeps): LiveData {
  const settings: ShopApiLiveDataSettings = { ...shopApiLiveDataDefaults, ...deps.settings };
  const cache = createLiveDataCache({ ttlMs: settings.cacheTtlMs, maxStaleMs: settings.maxStaleMs, maxEntries: settings.cacheMaxEntries });
  const request = { baseUrl: deps.baseUrl.replace(/\/+$/, ''), token: deps.token, fetch: deps.fetch ?? ((input, init) => fetch(input, init)), clock: deps.clock, maxResponseBytes: settings.maxResponseBytes };
  const random = deps.random ?? Math.random;
  const inFlight = new Map<string, Promise<ChunkResult>>();

  /** One chunk, shared by concurrent callers; its answers are written to the cache once. */
  const fetchChunk = (ids: string[], endsAt: number): Promise<ChunkResult> => {
    const key = ids.join('\n');
    const running = inFlight.get(key);
    if (running) return running;
    const started = retryWithinBudget((timeoutMs) => requestShopProducts(request, ids, timeoutMs), { endsAt, now: () => performance.now() }, settings, random)
      .then((result) => {
        rememberAnswers(ids, result.outcome);
        logFailure(ids, result);
        return result;
      })
      .finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  };

  const rememberAnswers = (ids: readonly string[], outcome: ShopAttempt) => {
    if (!outcome.ok) return;
    const nowMs = deps.clock.now().getTime();
    for (const id of ids) {
      const product = outcome.products.get(id);
      // An invalid row leaves the cache alone: the last good answer may still stand in for it.
      if (product === 'invalid') continue;
      cache.write(id, product ? shopProductToLiveItem(product) : null, nowMs);
    }
  };

  const logFailure = (ids: readonly string[], { outcome, attempts }: ChunkResult) => {
    if (outcome.ok) {
      const invalid = ids.filter((id) => outcome.products.get(id) === 'invalid');
      const unreadableEntries = outcome.unreadableEntries ?? 0;
      const unreadable = unreadableEntries > 0 ? { unreadable_entries: unreadableEntries } : {};
      if (invalid.length > 0 || unreadableEntries > 0) deps.log?.({ severity: 'WARNING', message: 'live data: shop API products break the contract', product_ids: invalid, ...unreadable });
      return;
    }
    // The detail may quote the answer's first bytes; a shop that echoes headers must not leak the token into logs.
    const detail = deps.token && outcome.detail ? outcome.detail.split(deps.token).join('[token]') : outcome.detail;
    deps.log?.({ severity: 'WARNING', message: 'live data: shop API answer not used', reason: outcome.reason, detail, attempts, product_ids: ids });
  };

  return async (productIds, options) => {
    const ids = [...new Set(productIds)];
    const result: LiveDataResult = { items: new Map(), fallbacks: [] };
    if (ids.length === 0) return result;
    const endsAt = performance.now() + budgetLeft(options.deadline, deps.clock);
    const nowMs = deps.clock.now().getTime();

    const failed = new Map<string, string>();
    const stale = new Map<string, LiveItem>();
    const toFetch: string[] = [];
    for (const id of ids) {
      const cached = cache.read(id, nowMs);
      if (cached?.state === 'fresh') {
        if (cached.item) result.items.set(id, { ...cached.item, source: 'cache' });
        else failed.set(id, 'not_found');
        continue;
      }
      if (cached?.item) stale.set(id, cached.item);
      toFetch.push(id);
    }

    // Sorted, so the same set of ids makes the same chunks and concurrent calls can share them.
    const chunks = chunkIds(toFetch.sort(), settings);
    const httpEndsAt = endsAt - settings.fallbackReserveMs;
    const answers = await Promise.all(chunks.map((chunk) => raceUntil(fetchChunk(chunk, httpEndsAt), httpEndsAt)));
    chunks.forEach((chunk, index) => {
      const outcome = answers[index]!;
      for (const id of chunk) {
        if (!outcome.ok) {
          failed.set(id, outcome.reason);
          continue;
        }
        const product = outcome.products.get(id);
        if (product === undefined) failed.set(id, 'not_found');
        else if (product === 'invalid') failed.set(id, 'invalid_response');
        else result.items.set(id, { ...shopProductToLiveItem(product), source: 'shop_api' });
      }
    });

    const toCatalog: string[] = [];
    const staleUsed: string[] = [];
    for (const [id, reason] of failed) {
      const standIn = reason === 'not_found' ? undefined : stale.get(id);
      if (standIn) {
        result.items.set(id, { ...standIn, source: 'stale_cache' });
        result.fallbacks.push({ product_id: id, used: 'stale_cache', reason });
        staleUsed.push(id);
      } else {
        toCatalog.push(id);
      }
    }
    // Shop answers that leave out a name, link, image, category or currency get them from the
    // catalog, in the same read as the fallbacks; ids the shop answered in full cost no read.
    const toFill = [...result.items.values()].filter(hasUnknownDescriptiveFields).map((item) => item.product_id);
    if (toCatalog.length === 0 && toFill.length === 0 && staleUsed.length === 0) return result;

    const catalog = await readFallback(deps.fallback, [...new Set([...toCatalog, ...toFill, ...staleUsed])], options.deadline);
    // A stale answer may predate a sell-out the catalog has heard of since: sold out wins, so an
    // item the shop has none of is never shown as buyable on the strength of an old answer.
    for (const id of staleUsed) {
      if (catalog.items.get(id)?.stock === 0) result.items.set(id, { ...result.items.get(id)!, stock: 0 });
    }
    for (const id of toFill) {
      const known = catalog.items.get(id);
      // No fallback entry: the shop answered, and price and stock are still its own. A catalog
      // that does not know the id (or failed) leaves the shop's answer as it is.
      if (known) result.items.set(id, fillFromCatalog(result.items.get(id)!, known));
    }
    for (const id of toCatalog) {
      const reason = failed.get(id)!;
      const item = catalog.items.get(id);
      if (item) {
        result.items.set(id, item);
        result.fallbacks.push({ product_id: id, used: 'catalog', reason });
      } else {
        const why = catalog.fallbacks.find((entry) => entry.product_id === id)?.reason ?? 'not_in_catalog';
        result.fallbacks.push({ product_id: id, used: 'dropped', reason: `${reason}+${why}` });
      }
    }
    return result;
  };
}

/** Milliseconds until the deadline on the injected clock; an unreadable deadline leaves none. */
function budgetLeft(deadline: Date, clock: Clock): number {
  const left = deadline.getTime() - clock.now().getTime();
  return Number.isFinite(left) ? Math.max(0, left) : 0;
}

/** Ids in request-sized chunks: at most maxIdsPerRequest, and a bounded query length. */
export function chunkIds(ids: readonly string[], settings: Pick<ShopApiLiveDataSettings, 'maxIdsPerRequest' | 'maxIdsQueryChars'>): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let chars = 0;
  for (const id of ids) {
    const length = encodeURIComponent(id).length + 1;
    if (current.length > 0 && (current.length >= settings.maxIdsPerRequest || chars + length > settings.maxIdsQueryChars)) {
      chunks.push(current);
      current = [];
      chars = 0;
    }
    current.push(id);
    chars += length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The chunk's answer, or a timeout once `endsAt` (monotonic) passes; the timer never outlives the wait. */
async function raceUntil(answer: Promise<ChunkResult>, endsAt: number): Promise<ShopAttempt> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<ShopAttempt>((resolve) => {
    // A few ms of grace: the request's own abort fires at endsAt and reports what it knows.
    timer = setTimeout(() => resolve({ ok: false, reason: 'timeout', retryable: false }), Math.max(0, endsAt - performance.now()) + 5);
  });
  try {
    const outcome = answer.then(
      (result) => result.outcome,
      (): ShopAttempt => ({ ok: false, reason: 'internal_error', retryable: false }),
    );
    return await Promise.race([outcome, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** The fallback promises never to reject; a bug there still must not cost the email. */
async function readFallback(fallback: LiveData, ids: string[], deadline: Date): Promise<LiveDataResult> {
  try {
    return await fallback(ids, { deadline });
  } catch {
    return { items: new Map(), fallbacks: ids.map((product_id) => ({ product_id, used: 'dropped' as const, reason: 'catalog_unavailable' })) };
  }
}
