import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogEvent } from '../../pipelines/catalog/catalog-fixtures.ts';
import { createInMemoryCatalogStore } from '../../pipelines/catalog/in-memory-catalog-store.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import { ConfigError } from '../config-error.ts';
import { createLiveData, parseLiveDataConfig } from './live-data-config.ts';

test('defaults: no shop API, a budget of 800 ms', () => {
  assert.deepEqual(parseLiveDataConfig({}), { shopApi: null, budgetMs: 800 });
  assert.deepEqual(parseLiveDataConfig({ NUDGE_CATALOG_API_URL: '  ', NUDGE_CATALOG_API_TOKEN: 'ignored' }), { shopApi: null, budgetMs: 800 });
});

test('a shop API: URL without trailing slash, token trimmed, TTL as a duration', () => {
  assert.deepEqual(
    parseLiveDataConfig({ NUDGE_CATALOG_API_URL: 'https://shop.example/api/nudge/', NUDGE_CATALOG_API_TOKEN: 'abc.def\n', NUDGE_CATALOG_API_CACHE_TTL: '5m', NUDGE_LIVE_DATA_BUDGET_MS: '1500' }),
    { shopApi: { url: 'https://shop.example/api/nudge', token: 'abc.def', cacheTtlMs: 300_000 }, budgetMs: 1500 },
  );
  assert.deepEqual(parseLiveDataConfig({ NUDGE_CATALOG_API_URL: 'http://127.0.0.1:8080' }).shopApi, { url: 'http://127.0.0.1:8080', token: null, cacheTtlMs: 60_000 });
  assert.equal(parseLiveDataConfig({ NUDGE_CATALOG_API_URL: 'http://localhost:3000/x', NUDGE_CATALOG_API_CACHE_TTL: 'off' }).shopApi?.cacheTtlMs, 0);
});

test('bad settings are refused with the variable named', () => {
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ NUDGE_CATALOG_API_URL: 'shop.example/api' }, 'NUDGE_CATALOG_API_URL', /absolute URL/],
    [{ NUDGE_CATALOG_API_URL: 'http://shop.example/api' }, 'NUDGE_CATALOG_API_URL', /https/],
    [{ NUDGE_CATALOG_API_URL: 'ftp://localhost/api' }, 'NUDGE_CATALOG_API_URL', /https/],
    [{ NUDGE_CATALOG_API_URL: 'https://user:pw@shop.example' }, 'NUDGE_CATALOG_API_URL', /credentials/],
    [{ NUDGE_CATALOG_API_URL: 'https://shop.example/api?key=1' }, 'NUDGE_CATALOG_API_URL', /query/],
    [{ NUDGE_CATALOG_API_URL: 'https://shop.example', NUDGE_CATALOG_API_TOKEN: 'two words' }, 'NUDGE_CATALOG_API_TOKEN', /printable ASCII/],
    [{ NUDGE_CATALOG_API_URL: 'https://shop.example', NUDGE_CATALOG_API_CACHE_TTL: '60' }, 'NUDGE_CATALOG_API_CACHE_TTL', /duration/],
    [{ NUDGE_CATALOG_API_URL: 'https://shop.example', NUDGE_CATALOG_API_CACHE_TTL: '2d' }, 'NUDGE_CATALOG_API_CACHE_TTL', /at most 24h/],
    [{ NUDGE_LIVE_DATA_BUDGET_MS: 'fast' }, 'NUDGE_LIVE_DATA_BUDGET_MS', /integer/],
    [{ NUDGE_LIVE_DATA_BUDGET_MS: '50' }, 'NUDGE_LIVE_DATA_BUDGET_MS', /between 100/],
    [{ NUDGE_LIVE_DATA_BUDGET_MS: '1.5' }, 'NUDGE_LIVE_DATA_BUDGET_MS', /integer/],
  ];
  for (const [env, variable, message] of cases) {
    assert.throws(() => parseLiveDataConfig(env), (error: unknown) => error instanceof ConfigError && error.message.startsWith(variable) && message.test(error.message), JSON.stringify(env));
  }
});

test('the token never appears in an error message', () => {
  assert.throws(() => parseLiveDataConfig({ NUDGE_CATALOG_API_URL: 'https://shop.example', NUDGE_CATALOG_API_TOKEN: 'sec ret' }), (error: Error) => !error.message.includes('sec ret'));
});

test('createLiveData: the catalog alone without a URL; the shop API in front of it with one', async () => {
  const clock = createManualClock();
  const catalog = createInMemoryCatalogStore();
  await catalog.applyUpdates([catalogEvent({ product_id: 'sku-1', name: 'Jacket', stock: 2 })]);
  const deadline = new Date(clock.now().getTime() + 1000);
  let calls = 0;
  const fetchStub = (async () => {
    calls += 1;
    return new Response(JSON.stringify({ products: [{ id: 'sku-1', name: 'Jacket (shop)' }] }), { status: 200 });
  }) as typeof fetch;

  const catalogOnly = createLiveData(parseLiveDataConfig({}), { catalog, clock, fetch: fetchStub });
  assert.equal((await catalogOnly(['sku-1'], { deadline })).items.get('sku-1')?.source, 'catalog');
  assert.equal(calls, 0);

  const withShop = createLiveData(parseLiveDataConfig({ NUDGE_CATALOG_API_URL: 'https://shop.example' }), { catalog, clock, fetch: fetchStub });
  const item = (await withShop(['sku-1'], { deadline })).items.get('sku-1');
  assert.deepEqual([item?.source, item?.name, calls], ['shop_api', 'Jacket (shop)', 1]);
});
