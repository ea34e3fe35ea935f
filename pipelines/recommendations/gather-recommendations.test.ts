import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CatalogItem } from '../catalog/catalog-item.ts';
import type { CoView } from '../product-interest/product-interest.ts';
import { createGatherRecommendations, type GatherRecommendationsDeps, gatherBounds, type RecommendationRequest } from './gather-recommendations.ts';
import { catalogItem } from './recommendation-fixtures.ts';

type Query = { category: string | null; inStockOnly: boolean; limit: number };

/**
 * In-memory stores shaped like the ports, recording every read, so a test can check both what
 * is recommended and that the reads stayed bounded.
 */
function fakes(items: readonly CatalogItem[], coViews: Record<string, CoView[]> = {}, sellers: Record<string, { product_id: string; count: number }[]> = {}) {
  const reads = { getItems: [] as string[][], findItems: [] as Query[], getCoViews: [] as string[][], getBestSellers: [] as { category: string | null; limit: number }[] };
  const deps: GatherRecommendationsDeps = {
    catalog: {
      getItems: async (ids) => {
        reads.getItems.push([...ids]);
        return new Map(items.filter((item) => ids.includes(item.product_id)).map((item) => [item.product_id, item]));
      },
      findItems: async (query) => {
        reads.findItems.push(query);
        return items
          .filter((item) => (query.category === null || item.category === query.category) && (!query.inStockOnly || (item.stock ?? 0) > 0))
          .sort((a, b) => (a.product_id < b.product_id ? -1 : 1))
          .slice(0, query.limit);
      },
    },
    interests: {
      getCoViews: async (ids) => {
        reads.getCoViews.push([...ids]);
        return new Map(ids.filter((id) => coViews[id]).map((id) => [id, coViews[id] ?? []]));
      },
      getBestSellers: async (query) => {
        reads.getBestSellers.push(query);
        return (sellers[query.category ?? '*'] ?? []).slice(0, query.limit);
      },
    },
  };
  return { deps, reads };
}

const request = (overrides: Partial<RecommendationRequest>): RecommendationRequest => ({ seedIds: [], exclude: new Set(), limit: 4, ...overrides });
const shown = (result: { item: CatalogItem; reason: string }[]) => result.map(({ item, reason }) => `${item.product_id}:${reason}`);

const shop = [
  catalogItem('jacket', { category: 'jackets', brand: 'Nord', price: 100, currency: 'EUR' }),
  catalogItem('jacket-nord', { category: 'jackets', brand: 'Nord', price: 110, currency: 'EUR' }),
  catalogItem('jacket-other', { category: 'jackets', brand: 'Sud', price: 400, currency: 'EUR' }),
  catalogItem('jacket-sold-out', { category: 'jackets', stock: 0 }),
  catalogItem('jacket-bought', { category: 'jackets' }),
  catalogItem('scarf', { category: 'scarves' }),
  catalogItem('hat', { category: 'hats' }),
  catalogItem('socks', { category: 'socks' }),
];

describe('gatherRecommendations', () => {
  test("the browse case: viewed together, then the seed's category, then best sellers; bought and seed left out", async () => {
    const { deps, reads } = fakes(shop, { jacket: [{ product_id: 'scarf', count: 7 }, { product_id: 'jacket-bought', count: 9 }] }, { jackets: [{ product_id: 'jacket-bought', count: 30 }], '*': [{ product_id: 'hat', count: 80 }, { product_id: 'socks', count: 60 }] });
    const result = await createGatherRecommendations(deps)(request({ seedIds: ['jacket'], exclude: new Set(['jacket-bought']), limit: 5 }));
    assert.deepEqual(shown(result), ['scarf:viewed_together', 'jacket-nord:similar', 'jacket-other:similar', 'hat:best_seller', 'socks:best_seller']);
    assert.deepEqual(reads.findItems, [{ category: 'jackets', inStockOnly: true, limit: gatherBounds.candidatesPerCategory }]);
    assert.deepEqual(reads.getBestSellers, [
      { category: 'jackets', limit: gatherBounds.bestSellersPerQuery },
      { category: null, limit: gatherBounds.bestSellersPerQuery },
    ]);
    // The seed, then only the co-viewed and best-selling ids not already read and not excluded.
    assert.deepEqual(reads.getItems, [['jacket'], ['scarf', 'hat', 'socks']]);
  });

  test("the seeds' category best sellers come before the shop's", async () => {
    const items = [catalogItem('seed', { category: 'a' }), catalogItem('x', { category: 'b' }), catalogItem('y', { category: 'c' })];
    const { deps } = fakes(items, {}, { a: [{ product_id: 'y', count: 2 }], '*': [{ product_id: 'x', count: 90 }, { product_id: 'y', count: 2 }] });
    const result = await createGatherRecommendations(deps)(request({ seedIds: ['seed'] }));
    assert.deepEqual(shown(result), ['y:best_seller', 'x:best_seller']);
  });

  test('a seed the catalog does not know is never shown and still brings its co-views', async () => {
    const { deps, reads } = fakes(shop, { ghost: [{ product_id: 'hat', count: 2 }] });
    const result = await createGatherRecommendations(deps)(request({ seedIds: ['ghost'], limit: 24 }));
    assert.equal(result[0]?.item.product_id, 'hat');
    assert.equal(result[0]?.reason, 'viewed_together');
    assert.ok(!result.some(({ item }) => item.product_id === 'ghost'));
    // No seed category: one bounded slice of the whole shop, in stock.
    assert.deepEqual(reads.findItems, [{ category: null, inStockOnly: true, limit: gatherBounds.candidatesPerCategory }]);
  });

  test('a seed is never shown, even when viewed with another seed', async () => {
    const { deps } = fakes(shop, { jacket: [{ product_id: 'jacket-nord', count: 1 }] });
    const result = await createGatherRecommendations(deps)(request({ seedIds: ['jacket', 'jacket-nord'], limit: 24 }));
    assert.ok(!result.some(({ item }) => item.product_id === 'jacket' || item.product_id === 'jacket-nord'));
  });

  test('a seed without a category adds no category query beside the known ones', async () => {
    const { deps, reads } = fakes(shop);
    await createGatherRecommendations(deps)(request({ seedIds: ['ghost', 'jacket', 'jacket-nord'] }));
    assert.deepEqual(
      reads.findItems.map((query) => query.category),
      ['jackets'],
    );
    assert.deepEqual(
      reads.getBestSellers.map((query) => query.category),
      ['jackets', null],
    );
  });

  test('no seeds: best sellers first, from a slice of the whole shop; no read of seeds or co-views', async () => {
    const { deps, reads } = fakes(shop, {}, { '*': [{ product_id: 'socks', count: 5 }] });
    const result = await createGatherRecommendations(deps)(request({ seedIds: [], limit: 2 }));
    assert.deepEqual(shown(result), ['socks:best_seller', 'hat:best_seller']);
    assert.deepEqual(reads.getCoViews, []);
    // socks came with the slice, so nothing is left to read.
    assert.deepEqual(reads.getItems, []);
  });

  test('nothing to read beyond the candidates: no second getItems', async () => {
    const { deps, reads } = fakes(shop);
    await createGatherRecommendations(deps)(request({ seedIds: ['jacket'] }));
    assert.deepEqual(reads.getItems, [['jacket']]);
  });

  test('at most three seed categories are searched, the first seeds first; repeated seed ids read once', async () => {
    const seeds = ['a', 'b', 'c', 'd'].map((category) => catalogItem(`seed-${category}`, { category }));
    const { deps, reads } = fakes(seeds);
    await createGatherRecommendations(deps)(request({ seedIds: ['seed-a', 'seed-b', 'seed-a', 'seed-c', 'seed-d'] }));
    assert.deepEqual(reads.getItems[0], ['seed-a', 'seed-b', 'seed-c', 'seed-d']);
    assert.deepEqual(reads.getCoViews, [['seed-a', 'seed-b', 'seed-c', 'seed-d']]);
    assert.deepEqual(
      reads.findItems.map((query) => query.category),
      ['a', 'b', 'c'],
    );
    assert.deepEqual(
      reads.getBestSellers.map((query) => query.category),
      ['a', 'b', 'c', null],
    );
  });

  describe('refuses a bad request before any read', () => {
    const cases: { name: string; request: RecommendationRequest; error: RegExp }[] = [
      { name: 'limit 0', request: request({ limit: 0 }), error: /limit/ },
      { name: 'limit 25', request: request({ limit: 25 }), error: /limit/ },
      { name: 'eleven seeds', request: request({ seedIds: Array.from({ length: 11 }, (_, i) => `s${i}`) }), error: /seedIds holds 11 distinct ids; at most 10/ },
      { name: 'an empty seed id', request: request({ seedIds: ['ok', ''] }), error: /seedIds\[1\]/ },
      { name: 'a seed id that is not a string', request: request({ seedIds: [42 as unknown as string] }), error: /seedIds\[0\] must be a non-empty product id/ },
    ];
    for (const { name, request: bad, error } of cases) {
      test(name, async () => {
        const { deps, reads } = fakes(shop);
        await assert.rejects(createGatherRecommendations(deps)(bad), error);
        assert.deepEqual(reads, { getItems: [], findItems: [], getCoViews: [], getBestSellers: [] });
      });
    }

    test('ten seeds, repeated, are fine', async () => {
      const { deps } = fakes(shop);
      const seedIds = Array.from({ length: 20 }, (_, i) => `s${i % 10}`);
      assert.equal((await createGatherRecommendations(deps)(request({ seedIds }))).length, 4);
    });
  });

  test('a store failure is thrown as it came (the step retries)', async () => {
    const { deps } = fakes(shop);
    const failing = { ...deps, interests: { ...deps.interests, getBestSellers: async () => Promise.reject(new Error('unavailable')) } };
    await assert.rejects(createGatherRecommendations(failing)(request({ seedIds: ['jacket'] })), /unavailable/);
  });
});
