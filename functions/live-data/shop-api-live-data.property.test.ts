import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { catalogEvent } from '../../pipelines/catalog/catalog-fixtures.ts';
import { createInMemoryCatalogStore } from '../../pipelines/catalog/in-memory-catalog-store.ts';
import type { LiveItem } from '../../pipelines/content/live-data.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import { createCatalogLiveData } from './catalog-live-data.ts';
import { createShopApiLiveData } from './shop-api-live-data.ts';
import { answerProducts, answerRaw, hang, startTestShopServer, type ShopHandler, type TestShopServer } from '../../test/support/shop-api-test-server.ts';

/**
 * For any ids, any catalog, any cache state and any sequence of server behaviours, a call:
 * - resolves (never rejects), and settles before deadline + a generous guard;
 * - accounts for every distinct requested id exactly once: either an item with no fallback entry
 *   (source shop_api or cache, equal to what the shop says), or exactly one fallback entry:
 *   `stale_cache` → an item from the cache (equal to the shop's earlier answer),
 *   `catalog` → an item equal to the catalog's, `dropped` → no item;
 * - says nothing about ids it was not asked for;
 * - gives reasons of the documented form: a shop reason, plus "+<catalog reason>" exactly when dropped.
 * The reference is plain data: what the shop and the catalog know, field for field.
 */
const pool = ['a', 'b', 'c', 'd', 'e'];
const CACHE_TTL = 60_000;
const MAX_STALE = 600_000;

const shopProduct = (id: string) => ({ id, name: `Shop ${id}`, price: 10 + id.charCodeAt(0), currency: 'EUR', stock: id.charCodeAt(0) % 3, url: `https://shop.example/${id}`, image_url: null, category: 'c' });
const shopItem = (id: string): LiveItem => {
  const { id: product_id, ...fields } = shopProduct(id);
  return { product_id, ...fields };
};

const behaviours: Record<string, ShopHandler> = {
  ok: answerProducts(() => []), // replaced per run by the shop's knowledge
  http_503: answerRaw(503, 'busy'),
  html_500: answerRaw(500, '<html>oops</html>', { 'content-type': 'text/html' }),
  http_429_soon: answerRaw(429, '', { 'retry-after': '0' }),
  http_429_late: answerRaw(429, '', { 'retry-after': '60' }),
  garbage: answerRaw(200, '{"products":['),
  wrong_types: answerRaw(200, JSON.stringify({ products: 'none' })),
  hang,
};

let server: TestShopServer;
before(async () => {
  server = await startTestShopServer();
});
after(() => server.close());

test('property: every requested id is answered or has exactly one fallback, whatever the shop does', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        requested: fc.array(fc.constantFrom(...pool), { maxLength: 6 }),
        shopKnows: fc.subarray(pool),
        shopBroken: fc.subarray(pool, { maxLength: 2 }),
        catalogKnows: fc.subarray(pool),
        catalogThrows: fc.boolean(),
        warmed: fc.subarray(pool),
        ageMs: fc.constantFrom(0, CACHE_TTL - 1, CACHE_TTL + 1, MAX_STALE + 1),
        script: fc.array(fc.constantFrom(...Object.keys(behaviours)), { minLength: 1, maxLength: 4 }),
        budgetMs: fc.constantFrom(0, 60, 200, 400),
      }),
      async (run) => {
        const clock = createManualClock('2026-03-01T12:00:00.000Z');
        const broken = new Set(run.shopBroken);
        const answerShop = answerProducts((ids) => ids.filter((id) => run.shopKnows.includes(id)).map((id) => (broken.has(id) ? { id, price: 'free' } : shopProduct(id))));
        const catalog = createInMemoryCatalogStore();
        await catalog.applyUpdates(run.catalogKnows.map((id) => catalogEvent({ product_id: id, name: `Catalog ${id}`, price: 1, currency: 'EUR', stock: 9 })));
        const catalogLive = createCatalogLiveData({ catalog: run.catalogThrows ? { getItems: async () => Promise.reject(new Error('down')) } : catalog, clock });
        const live = createShopApiLiveData({
          baseUrl: server.baseUrl,
          token: 't',
          fallback: catalogLive,
          clock,
          settings: { cacheTtlMs: CACHE_TTL, maxStaleMs: MAX_STALE, attemptTimeoutMs: 100, backoffBaseMs: 5, fallbackReserveMs: 20 },
        });
        // The cache: what an earlier, successful call left behind, run.ageMs ago.
        server.script(answerShop);
        if (run.warmed.length > 0) await live(run.warmed, { deadline: new Date(clock.now().getTime() + 2000) });
        clock.advance(run.ageMs);
        server.script(...run.script.map((name) => (name === 'ok' ? answerShop : behaviours[name]!)));

        const result = await settleOrFail(live(run.requested, { deadline: new Date(clock.now().getTime() + run.budgetMs) }), run.budgetMs + 3000);

        const distinct = new Set(run.requested);
        for (const id of result.items.keys()) assert.ok(distinct.has(id), `item for unrequested ${id}`);
        for (const entry of result.fallbacks) assert.ok(distinct.has(entry.product_id), `fallback for unrequested ${entry.product_id}`);
        for (const id of distinct) {
          const entries = result.fallbacks.filter((entry) => entry.product_id === id);
          assert.ok(entries.length <= 1, `${id}: ${entries.length} fallback entries`);
          const item = result.items.get(id);
          const entry = entries[0];
          if (!entry) {
            assert.ok(item && (item.source === 'shop_api' || item.source === 'cache'), `${id}: neither answered nor fallen back`);
            assert.ok(run.shopKnows.includes(id) && !broken.has(id));
            assert.deepEqual(item, { ...shopItem(id), source: item.source });
            continue;
          }
          assert.match(entry.reason, entry.used === 'dropped' ? /^[a-z0-9_]+\+(not_in_catalog|catalog_unavailable|catalog_timeout)$/ : /^[a-z0-9_]+$/);
          if (entry.used === 'stale_cache') {
            assert.ok(run.warmed.includes(id) && run.shopKnows.includes(id) && !broken.has(id));
            assert.deepEqual(item, { ...shopItem(id), source: 'stale_cache' });
          } else if (entry.used === 'catalog') {
            assert.ok(run.catalogKnows.includes(id) && !run.catalogThrows);
            assert.equal(item?.source, 'catalog');
            assert.equal(item?.name, `Catalog ${id}`);
          } else {
            assert.equal(item, undefined);
            assert.ok(!run.catalogKnows.includes(id) || run.catalogThrows);
          }
        }
      },
    ),
    { numRuns: 60 },
  );
});

async function settleOrFail<T>(promise: Promise<T>, guardMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`not settled within ${guardMs} ms`)), guardMs)))]);
  } finally {
    clearTimeout(timer);
  }
}
