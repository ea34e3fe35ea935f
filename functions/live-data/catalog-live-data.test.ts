import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogEvent } from '../../pipelines/catalog/catalog-fixtures.ts';
import { createInMemoryCatalogStore } from '../../pipelines/catalog/in-memory-catalog-store.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import { createCatalogLiveData } from './catalog-live-data.ts';

const clock = createManualClock('2026-03-01T12:00:00.000Z');
const deadline = () => new Date(clock.now().getTime() + 1000);

async function storeWith() {
  const catalog = createInMemoryCatalogStore();
  await catalog.applyUpdates([
    catalogEvent({ product_id: 'sku-1', name: 'Jacket', price: 129, currency: 'EUR', stock: 3, url: 'https://shop.example/p/1', brand: 'Acme', tags: ['wool'] }),
    catalogEvent({ product_id: 'sku-2', stock: 0 }),
  ]);
  return catalog;
}

test('known ids come from the catalog with the fields an email shows; unknown ids are dropped with a reason', async () => {
  const live = createCatalogLiveData({ catalog: await storeWith(), clock });
  const result = await live(['sku-1', 'sku-2', 'nope', 'sku-1'], { deadline: deadline() });
  assert.deepEqual(result.items.get('sku-1'), {
    product_id: 'sku-1', name: 'Jacket', price: 129, currency: 'EUR', stock: 3, url: 'https://shop.example/p/1', image_url: null, category: null, source: 'catalog',
  });
  assert.equal(result.items.get('sku-2')?.stock, 0);
  assert.deepEqual([...result.items.keys()].sort(), ['sku-1', 'sku-2']);
  assert.deepEqual(result.fallbacks, [{ product_id: 'nope', used: 'dropped', reason: 'not_in_catalog' }]);
});

test('a store that rejects or throws drops every id as catalog_unavailable, never rejects', async () => {
  for (const getItems of [async () => Promise.reject(new Error('firestore down')), () => { throw new Error('sync boom'); }]) {
    const live = createCatalogLiveData({ catalog: { getItems: getItems as never }, clock });
    const result = await live(['a', 'b'], { deadline: deadline() });
    assert.equal(result.items.size, 0);
    assert.deepEqual(result.fallbacks, [
      { product_id: 'a', used: 'dropped', reason: 'catalog_unavailable' },
      { product_id: 'b', used: 'dropped', reason: 'catalog_unavailable' },
    ]);
  }
});

test('a store that never answers is given up on at the deadline: catalog_timeout', async () => {
  const live = createCatalogLiveData({ catalog: { getItems: () => new Promise(() => {}) } });
  const result = await live(['a'], { deadline: new Date(Date.now() + 30) });
  assert.deepEqual(result.fallbacks, [{ product_id: 'a', used: 'dropped', reason: 'catalog_timeout' }]);
});

test('a store that answers at once is used even when the deadline has passed', async () => {
  const live = createCatalogLiveData({ catalog: await storeWith(), clock });
  const result = await live(['sku-1'], { deadline: new Date(clock.now().getTime() - 5000) });
  assert.equal(result.items.get('sku-1')?.name, 'Jacket');
});

test('no ids: no read at all', async () => {
  let reads = 0;
  const live = createCatalogLiveData({ catalog: { getItems: async () => { reads += 1; return new Map(); } }, clock });
  assert.deepEqual(await live([], { deadline: deadline() }), { items: new Map(), fallbacks: [] });
  assert.equal(reads, 0);
});
