import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogEvent } from '../../pipelines/catalog/catalog-fixtures.ts';
import { createInMemoryCatalogStore } from '../../pipelines/catalog/in-memory-catalog-store.ts';
import type { LiveDataResult } from '../../pipelines/content/live-data.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import { createCatalogLiveData } from './catalog-live-data.ts';
import { createShopApiLiveData, shopApiLiveDataDefaults, type ShopApiLiveDataDeps } from './shop-api-live-data.ts';
import { answerProducts, answerRaw, endlessBody, hang, startTestShopServer, type TestShopServer } from '../../test/support/shop-api-test-server.ts';

const TOKEN = 'secret-token-4f9a';
const jacket = { id: 'sku-1', price: 129.0, currency: 'eur', stock: 3, name: 'Jacket', url: 'https://shop.example/p/1', image_url: 'https://cdn.example/1.jpg', category: 'coats' };
const shopKnows = (...products: Record<string, unknown>[]) => answerProducts((ids) => products.filter((product) => ids.includes(product.id as string)));

/** Resolves with the call's result, or fails the test if it has not settled by `guardMs` (generous; not a timing assertion). */
async function settledWithin<T>(promise: Promise<T>, guardMs: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${guardMs} ms`)), guardMs);
  });
  try {
    return await Promise.race([promise, guard]);
  } finally {
    clearTimeout(timer);
  }
}

const fallbackOf = (result: LiveDataResult, id: string) => result.fallbacks.filter((entry) => entry.product_id === id);

describe('shop API live data against a real HTTP server', () => {
  let server: TestShopServer;
  const clock = createManualClock('2026-03-01T12:00:00.000Z');
  let logs: Record<string, unknown>[] = [];
  const catalog = createInMemoryCatalogStore();
  const within = (ms: number) => ({ deadline: new Date(clock.now().getTime() + ms) });
  const adapter = (overrides: Partial<ShopApiLiveDataDeps> = {}) =>
    createShopApiLiveData({
      baseUrl: `${server.baseUrl}/`,
      token: TOKEN,
      fallback: createCatalogLiveData({ catalog, clock }),
      clock,
      log: (entry) => logs.push(entry),
      random: () => 0.5,
      ...overrides,
      settings: { backoffBaseMs: 5, ...overrides.settings },
    });

  before(async () => {
    server = await startTestShopServer();
    await catalog.applyUpdates([
      catalogEvent({ product_id: 'sku-1', name: 'Jacket (catalog)', price: 139, currency: 'EUR', stock: 1 }),
      catalogEvent({ product_id: 'sku-2', name: 'Scarf (catalog)', price: 20, currency: 'EUR', stock: 5 }),
    ]);
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
    logs = [];
  });

  test('a fresh answer: mapped, from shop_api, ids percent-encoded one by one, the token sent as a bearer', async () => {
    server.script(shopKnows(jacket, { id: 'a,b c/é', stock: 0 }));
    const result = await adapter()(['sku-1', 'a,b c/é'], within(2000));
    assert.deepEqual(result.items.get('sku-1'), {
      product_id: 'sku-1', name: 'Jacket', price: 129, currency: 'EUR', stock: 3, url: 'https://shop.example/p/1', image_url: 'https://cdn.example/1.jpg', category: 'coats', source: 'shop_api',
    });
    assert.equal(result.items.get('a,b c/é')?.stock, 0);
    assert.deepEqual(result.fallbacks, []);
    assert.equal(server.requests.length, 1);
    assert.equal(server.requests[0]!.url, `/products?ids=${encodeURIComponent('a,b c/é')},sku-1`);
    assert.deepEqual(server.requests[0]!.ids.sort(), ['a,b c/é', 'sku-1']);
    assert.equal(server.requests[0]!.authorization, `Bearer ${TOKEN}`);
  });

  test('no token: no Authorization header', async () => {
    server.script(shopKnows(jacket));
    await adapter({ token: null })(['sku-1'], within(2000));
    assert.equal(server.requests[0]!.authorization, undefined);
  });

  test('sold out: available false or stock ≤ 0 is stock 0; available true without stock is unknown', async () => {
    server.script(shopKnows({ id: 'p1', available: false, stock: 7 }, { id: 'p2', stock: -2 }, { id: 'p3', available: true }));
    const result = await adapter()(['p1', 'p2', 'p3'], within(2000));
    assert.deepEqual(['p1', 'p2', 'p3'].map((id) => result.items.get(id)?.stock), [0, 0, null]);
  });

  test('a cache hit within the TTL makes no request; after the TTL the shop is asked again', async () => {
    server.script(shopKnows(jacket));
    const live = adapter();
    await live(['sku-1'], within(2000));
    clock.advance(shopApiLiveDataDefaults.cacheTtlMs - 1);
    const cached = await live(['sku-1'], within(2000));
    assert.equal(cached.items.get('sku-1')?.source, 'cache');
    assert.equal(server.requests.length, 1);
    clock.advance(1);
    server.script(shopKnows({ ...jacket, price: 99 }));
    const refetched = await live(['sku-1'], within(2000));
    assert.equal(refetched.items.get('sku-1')?.source, 'shop_api');
    assert.equal(refetched.items.get('sku-1')?.price, 99);
    assert.equal(server.requests.length, 2);
  });

  test('503 then 200: retried within the budget', async () => {
    server.script(answerRaw(503, 'busy'), shopKnows(jacket));
    const result = await adapter()(['sku-1'], within(2000));
    assert.equal(result.items.get('sku-1')?.source, 'shop_api');
    assert.equal(server.requests.length, 2);
    assert.deepEqual(result.fallbacks, []);
  });

  test('a hung server: the stale cache entry answers, reason timeout, settled long before the guard', async () => {
    server.script(shopKnows(jacket));
    const live = adapter({ settings: { attemptTimeoutMs: 150, fallbackReserveMs: 20 } });
    await live(['sku-1'], within(2000));
    clock.advance(shopApiLiveDataDefaults.cacheTtlMs + 1000);
    server.script(hang);
    const before = timerCount();
    const result = await settledWithin(live(['sku-1'], within(300)), 5000);
    assert.deepEqual(result.items.get('sku-1'), { ...result.items.get('sku-1'), price: 129, source: 'stale_cache' });
    assert.deepEqual(result.fallbacks, [{ product_id: 'sku-1', used: 'stale_cache', reason: 'timeout' }]);
    assert.ok(server.requests.length >= 2, 'the hung request was retried while the budget allowed');
    assert.equal(timerCount(), before, 'no timer left behind');
  });

  test('a stale answer never shows an item as buyable that the catalog has since heard is sold out', async () => {
    const soldOutCatalog = createInMemoryCatalogStore();
    await soldOutCatalog.applyUpdates([catalogEvent({ product_id: 'sku-1', name: 'Jacket (catalog)', price: 139, currency: 'EUR', stock: 0 })]);
    server.script(shopKnows(jacket));
    const live = adapter({ fallback: createCatalogLiveData({ catalog: soldOutCatalog, clock }), settings: { attemptTimeoutMs: 100, fallbackReserveMs: 20 } });
    await live(['sku-1'], within(2000));
    clock.advance(shopApiLiveDataDefaults.cacheTtlMs + 1000);
    server.script(answerRaw(503, 'down'));
    const result = await live(['sku-1'], within(300));
    assert.equal(result.items.get('sku-1')?.source, 'stale_cache');
    assert.equal(result.items.get('sku-1')?.price, 129, "the shop's last price stands");
    assert.equal(result.items.get('sku-1')?.stock, 0, 'but sold out wins');
  });

  test('a hung server and no cache: the catalog answers (or the item is dropped) with reason timeout', async () => {
    server.script(hang);
    const result = await settledWithin(adapter()(['sku-2', 'nowhere'], within(250)), 5000);
    assert.equal(result.items.get('sku-2')?.source, 'catalog');
    assert.equal(result.items.get('sku-2')?.name, 'Scarf (catalog)');
    assert.deepEqual(fallbackOf(result, 'sku-2'), [{ product_id: 'sku-2', used: 'catalog', reason: 'timeout' }]);
    assert.deepEqual(fallbackOf(result, 'nowhere'), [{ product_id: 'nowhere', used: 'dropped', reason: 'timeout+not_in_catalog' }]);
    assert.equal(result.items.has('nowhere'), false);
  });

  for (const [name, handler, reason] of [
    ['garbage JSON', answerRaw(200, '{"products": [ {"id": '), 'invalid_response'],
    ['an HTML page with 200', answerRaw(200, '<html><body>Log in</body></html>', { 'content-type': 'text/html' }), 'invalid_response'],
    ['wrong envelope types', answerRaw(200, JSON.stringify({ products: { id: 'sku-2' } })), 'invalid_response'],
    ['a product without an id', answerRaw(200, JSON.stringify({ products: [{ name: 'x' }] })), 'invalid_response'],
    ['a declared 10 MB body', answerRaw(200, '', { 'content-length': String(10 * 1024 * 1024) }), 'invalid_response'],
    ['an HTML 500 page (retried, then given up)', answerRaw(500, '<html>Internal Server Error</html>', { 'content-type': 'text/html' }), 'http_500'],
    ['a 404', answerRaw(404, 'no such route'), 'http_404'],
  ] as const) {
    test(`${name} → catalog, reason ${reason}`, async () => {
      server.script(handler);
      const result = await settledWithin(adapter()(['sku-2'], within(1500)), 5000);
      assert.equal(result.items.get('sku-2')?.source, 'catalog');
      assert.deepEqual(result.fallbacks, [{ product_id: 'sku-2', used: 'catalog', reason }]);
      assert.equal(server.requests.length, reason === 'http_500' ? shopApiLiveDataDefaults.maxAttempts : 1);
    });
  }

  test('a product with wrong field types falls back alone; the others are used', async () => {
    server.script(shopKnows({ id: 'sku-2', price: '12.00' }, { id: 'sku-1', price: 5 }));
    const result = await adapter()(['sku-1', 'sku-2'], within(2000));
    assert.equal(result.items.get('sku-1')?.source, 'shop_api');
    assert.deepEqual(result.fallbacks, [{ product_id: 'sku-2', used: 'catalog', reason: 'invalid_response' }]);
    assert.ok(logs.some((entry) => JSON.stringify(entry.product_ids) === '["sku-2"]'));
  });

  test('an unasked or id-less entry is ignored; a numeric id equal to an asked id falls back alone as invalid_response', async () => {
    server.script(answerRaw(200, JSON.stringify({ products: [null, 'sku-2', { id: 7, price: 1 }, { id: 'other', price: 'x' }, jacket] })));
    const result = await adapter()(['sku-1', '7'], within(2000));
    assert.equal(result.items.get('sku-1')?.source, 'shop_api');
    assert.equal(result.items.get('sku-1')?.price, 129);
    // Two entries (null, 'sku-2') have no readable id: "7" could not be read as unknown either way.
    assert.deepEqual(result.fallbacks, [{ product_id: '7', used: 'dropped', reason: 'invalid_response+not_in_catalog' }]);
    assert.ok(logs.some((entry) => JSON.stringify(entry.product_ids) === '["7"]' && entry.unreadable_entries === 2));
  });

  test('an answer with price and stock only: name and currency from the catalog, price and stock the shop\'s, no fallback', async () => {
    server.script(shopKnows({ id: 'sku-1', price: 99, stock: 0 }));
    const result = await adapter()(['sku-1'], within(2000));
    assert.deepEqual(result.items.get('sku-1'), {
      product_id: 'sku-1', name: 'Jacket (catalog)', price: 99, currency: 'EUR', stock: 0, url: null, image_url: null, category: null, source: 'shop_api',
    });
    assert.deepEqual(result.fallbacks, []);
  });

  test('a complete answer costs no catalog read', async () => {
    let reads = 0;
    const fallback = createCatalogLiveData({ catalog: { getItems: async (ids) => (reads++, catalog.getItems(ids)) }, clock });
    server.script(shopKnows(jacket));
    const result = await adapter({ fallback })(['sku-1'], within(2000));
    assert.equal(result.items.get('sku-1')?.name, 'Jacket');
    assert.equal(reads, 0);
  });

  test('an endless body is cut at the byte cap: invalid_response, and the server sees the client hang up', async () => {
    const endless = endlessBody();
    server.script(endless);
    const result = await settledWithin(adapter({ settings: { maxResponseBytes: 256 * 1024 } })(['sku-2'], within(4000)), 8000);
    assert.deepEqual(result.fallbacks, [{ product_id: 'sku-2', used: 'catalog', reason: 'invalid_response' }]);
    assert.ok(endless.written() < 100_000_000, `the server wrote ${endless.written()} bytes: the client read to the end`);
  });

  test('429 with a Retry-After beyond the budget: the fallback at once, no second request', async () => {
    server.script(answerRaw(429, 'slow down', { 'retry-after': '120' }), shopKnows(jacket));
    const result = await settledWithin(adapter()(['sku-1'], within(10_000)), 5000);
    assert.deepEqual(result.fallbacks, [{ product_id: 'sku-1', used: 'catalog', reason: 'http_429' }]);
    assert.equal(server.requests.length, 1);
  });

  test('429 with a Retry-After inside the budget: waited for and retried', async () => {
    server.script(answerRaw(429, 'slow down', { 'retry-after': '0' }), shopKnows(jacket));
    const result = await adapter()(['sku-1'], within(2000));
    assert.equal(result.items.get('sku-1')?.source, 'shop_api');
    assert.equal(server.requests.length, 2);
  });

  test('ids the shop does not know: the catalog, reason not_found; the "unknown" answer is cached', async () => {
    server.script(shopKnows(jacket));
    const live = adapter();
    const first = await live(['sku-1', 'sku-2'], within(2000));
    assert.equal(first.items.get('sku-2')?.source, 'catalog');
    assert.deepEqual(first.fallbacks, [{ product_id: 'sku-2', used: 'catalog', reason: 'not_found' }]);
    const second = await live(['sku-2'], within(2000));
    assert.deepEqual(second.fallbacks, [{ product_id: 'sku-2', used: 'catalog', reason: 'not_found' }]);
    assert.equal(server.requests.length, 1);
  });

  test('the token never appears in logs', async () => {
    server.script(answerRaw(503, `echo ${TOKEN}`));
    await adapter()(['sku-1'], within(2000));
    assert.ok(logs.length > 0, 'the failure was logged');
    assert.ok(!JSON.stringify(logs).includes(TOKEN));
    assert.equal(logs[0]!.reason, 'http_503');
    server.script(answerRaw(200, `Bearer ${TOKEN} is not JSON`));
    await adapter()(['sku-1'], within(2000));
    assert.equal(logs[1]!.reason, 'invalid_response');
    assert.match(String(logs[1]!.detail), /\[token\]/);
    assert.ok(!JSON.stringify(logs).includes(TOKEN));
  });

  test('connection refused: network', async () => {
    const closed = await startTestShopServer();
    await closed.close();
    const result = await settledWithin(adapter({ baseUrl: closed.baseUrl })(['sku-1'], within(2000)), 5000);
    assert.deepEqual(result.fallbacks, [{ product_id: 'sku-1', used: 'catalog', reason: 'network' }]);
    assert.equal(logs[0]!.detail, 'ECONNREFUSED');
  });

  test('more ids than one request holds are split into chunks', async () => {
    server.script(answerProducts((ids) => ids.map((id) => ({ id }))));
    const ids = Array.from({ length: 120 }, (_, index) => `p${index}`);
    const result = await adapter({ settings: { maxIdsPerRequest: 50 } })(ids, within(3000));
    assert.equal(result.items.size, 120);
    assert.deepEqual(server.requests.map((request) => request.ids.length).sort((a, b) => a - b), [20, 50, 50]);
  });

  test('concurrent calls for the same ids share one request', async () => {
    server.script((_request, response, ids) => {
      setTimeout(() => answerProducts(() => ids.map((id) => ({ id })))(_request, response, ids), 50);
    });
    const live = adapter();
    const [one, two] = await Promise.all([live(['x', 'y'], within(2000)), live(['y', 'x', 'x'], within(2000))]);
    assert.equal(server.requests.length, 1);
    assert.deepEqual([...one.items.keys()].sort(), ['x', 'y']);
    assert.deepEqual([...two.items.keys()].sort(), ['x', 'y']);
  });

  test('a deadline already past: no request, straight to the catalog with reason timeout', async () => {
    const result = await adapter()(['sku-1'], within(-1));
    assert.equal(server.requests.length, 0);
    assert.deepEqual(result.fallbacks, [{ product_id: 'sku-1', used: 'catalog', reason: 'timeout' }]);
  });
});

function timerCount(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}
