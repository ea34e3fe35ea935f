import type { CatalogItem } from '../../pipelines/catalog/catalog-item.ts';
import type { CatalogStore } from '../../pipelines/catalog/catalog-store.ts';
import type { LiveData, LiveDataResult, LiveItem } from '../../pipelines/content/live-data.ts';
import { systemClock, type Clock } from '../../pipelines/shared/clock.ts';

/**
 * LiveData from the catalog store: what the last `Catalog Updated` events said. It is the last
 * resort (the shop API falls back to it), so there is nothing behind it: an id it cannot answer
 * for is `dropped`, and the reason says why, so the decision shows why an item was left out:
 * - `not_in_catalog`: no catalog event ever named this product;
 * - `catalog_unavailable`: the store failed (it never rejects for that: the email goes out
 *   without the block rather than not at all);
 * - `catalog_timeout`: the store did not answer before the deadline. The port promises never to
 *   outlive the deadline, and a stuck Firestore read must not hold the send loop.
 *
 * `clock` places the deadline in time; the system clock unless a test moves time by hand.
 */
export function createCatalogLiveData(deps: { catalog: Pick<CatalogStore, 'getItems'>; clock?: Clock }): LiveData {
  const clock = deps.clock ?? systemClock;
  return async (productIds, options) => {
    const ids = [...new Set(productIds)];
    if (ids.length === 0) return { items: new Map(), fallbacks: [] };
    const found = await readBeforeDeadline(() => deps.catalog.getItems(ids), options.deadline.getTime() - clock.now().getTime());
    if (found === 'catalog_unavailable' || found === 'catalog_timeout') {
      return { items: new Map(), fallbacks: ids.map((product_id) => ({ product_id, used: 'dropped', reason: found })) };
    }
    const result: LiveDataResult = { items: new Map(), fallbacks: [] };
    for (const id of ids) {
      const item = found.get(id);
      if (item) result.items.set(id, { ...toLiveItem(item), source: 'catalog' });
      else result.fallbacks.push({ product_id: id, used: 'dropped', reason: 'not_in_catalog' });
    }
    return result;
  };
}

/** The fields an email shows; brand, tags and field clocks stay in the catalog. */
export function toLiveItem(item: CatalogItem): LiveItem {
  return {
    product_id: item.product_id,
    name: item.name,
    price: item.price,
    currency: item.currency,
    stock: item.stock,
    url: item.url,
    image_url: item.image_url,
    category: item.category,
  };
}

async function readBeforeDeadline(
  read: () => Promise<Map<string, CatalogItem>>,
  remainingMs: number,
): Promise<Map<string, CatalogItem> | 'catalog_unavailable' | 'catalog_timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let reading: Promise<Map<string, CatalogItem> | 'catalog_unavailable'>;
  try {
    reading = read().catch(() => 'catalog_unavailable' as const);
  } catch {
    return 'catalog_unavailable';
  }
  // A store that answers at once (memory, SQLite) wins even past the deadline: its answer is
  // ready before the zero-delay timer fires, and costs no waiting.
  const expired = new Promise<'catalog_timeout'>((resolve) => {
    timer = setTimeout(() => resolve('catalog_timeout'), Math.max(0, remainingMs));
  });
  try {
    return await Promise.race([reading, expired]);
  } finally {
    clearTimeout(timer);
  }
}
