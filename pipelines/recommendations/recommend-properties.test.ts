import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { CatalogItem } from '../catalog/catalog-item.ts';
import type { CoView } from '../product-interest/product-interest.ts';
import { catalogItem } from './recommendation-fixtures.ts';
import { type RecommendInput, recommend } from './recommend.ts';

/**
 * recommend() against a brute-force reference on random small catalogs. The pools are tiny so
 * that ids collide (duplicates, seeds among candidates, excluded co-views) and every tie and tier
 * boundary shows up in short runs. Prices are whole numbers so the ±40% band can be checked
 * exactly (5·|Δ| ≤ 2·seed price) without floating-point doubt at the edges.
 */

const ids = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8', 'p9'];
const productId = fc.constantFrom(...ids);

const item: fc.Arbitrary<CatalogItem> = fc
  .record({
    product_id: productId,
    name: fc.constantFrom<string | null>('Coat', 'Scarf', null, '', ' '),
    url: fc.constantFrom<string | null>('https://shop.example/x', null, ''),
    stock: fc.constantFrom<number | null>(0, 1, 7, null),
    category: fc.constantFrom<string | null>('coats', 'scarves', 'Coats', null),
    brand: fc.constantFrom<string | null>('Nord', 'Sud', null),
    tags: fc.option(fc.array(fc.constantFrom('wool', 'Wool', ' wool', 'red', 'winter', 'navy', 'slim', ''), { maxLength: 5 }), { nil: null }),
    price: fc.option(fc.integer({ min: 0, max: 200 }), { nil: null }),
    currency: fc.constantFrom<string | null>('EUR', 'USD', null),
  })
  .map(({ product_id, ...fields }) => catalogItem(product_id, fields));

const input: fc.Arbitrary<RecommendInput> = fc.record({
  seeds: fc.array(item, { maxLength: 3 }),
  candidates: fc.array(item, { maxLength: 14 }),
  coViews: fc
    .array(fc.tuple(productId, fc.array(fc.record({ product_id: productId, count: fc.integer({ min: 0, max: 4 }) }), { maxLength: 4 })), { maxLength: 4 })
    .map((entries) => new Map<string, readonly CoView[]>(entries)),
  bestSellers: fc.array(fc.record({ product_id: productId, count: fc.integer({ min: 1, max: 50 }) }), { maxLength: 6 }),
  exclude: fc.uniqueArray(productId, { maxLength: 4 }).map((list) => new Set(list)),
  limit: fc.integer({ min: 1, max: 24 }),
});

// ---- The reference: filter everything, score everything, sort once. ----

function canShow(candidate: CatalogItem, input: RecommendInput): boolean {
  if (input.seeds.some((s) => s.product_id === candidate.product_id)) return false;
  if (input.exclude.has(candidate.product_id)) return false;
  if (candidate.stock === 0) return false;
  return (candidate.name ?? '').trim().length > 0 && (candidate.url ?? '').trim().length > 0;
}

function firstCopies(candidates: readonly CatalogItem[]): CatalogItem[] {
  return candidates.filter((c, index) => candidates.findIndex((other) => other.product_id === c.product_id) === index);
}

function showable(input: RecommendInput): CatalogItem[] {
  return firstCopies(input.candidates).filter((c) => canShow(c, input));
}

function referenceSimilarity(seed: CatalogItem, c: CatalogItem): number {
  let points = 0;
  if (seed.category && c.category && seed.category === c.category) points += 4;
  const theirs = (c.tags ?? []).map((t) => t.trim().toLowerCase());
  const mine = [...new Set((seed.tags ?? []).map((t) => t.trim().toLowerCase()))].filter((t) => t !== '' && theirs.includes(t));
  points += mine.length > 3 ? 3 : mine.length;
  if (seed.brand && c.brand && seed.brand === c.brand) points += 2;
  if (seed.price !== null && c.price !== null && seed.currency === c.currency && 5 * Math.abs(c.price - seed.price) <= 2 * seed.price) points += 2;
  return points;
}

function referenceRecommend(input: RecommendInput): { id: string; reason: string; item: CatalogItem }[] {
  const distinctSeedIds = [...new Set(input.seeds.map((s) => s.product_id))];
  const rows = showable(input).map((c) => {
    let together = 0;
    for (const seedId of distinctSeedIds) for (const v of input.coViews.get(seedId) ?? []) if (v.product_id === c.product_id) together += v.count;
    const similar = input.seeds.reduce((best, s) => Math.max(best, referenceSimilarity(s, c)), 0);
    const place = input.bestSellers.findIndex((b) => b.product_id === c.product_id);
    if (together > 0) return { c, tier: 0, score: together, reason: 'viewed_together' };
    if (similar > 0) return { c, tier: 1, score: similar, reason: 'similar' };
    if (place >= 0) return { c, tier: 2, score: 1000 - place, reason: 'best_seller' };
    return { c, tier: 3, score: 0, reason: 'best_seller' };
  });
  rows.sort((a, b) => a.tier - b.tier || b.score - a.score || (a.c.product_id < b.c.product_id ? -1 : 1));
  return rows.slice(0, input.limit).map((r) => ({ id: r.c.product_id, reason: r.reason, item: r.c }));
}

const runs = { numRuns: 500 };

test('recommend agrees with the brute-force reference', () => {
  fc.assert(
    fc.property(input, (given) => {
      const actual = recommend(given).map(({ item, reason }) => ({ id: item.product_id, reason, item }));
      assert.deepEqual(actual, referenceRecommend(given));
    }),
    runs,
  );
});

test('recommend shows only candidates, never a seed, an excluded id or a repeat', () => {
  fc.assert(
    fc.property(input, (given) => {
      const result = recommend(given);
      const shownIds = result.map(({ item }) => item.product_id);
      assert.equal(new Set(shownIds).size, shownIds.length);
      for (const { item } of result) {
        assert.ok(given.candidates.includes(item), `${item.product_id} is one of the candidates`);
        assert.ok(!given.exclude.has(item.product_id));
        assert.ok(!given.seeds.some((s) => s.product_id === item.product_id));
        assert.notEqual(item.stock, 0);
        assert.ok(item.name?.trim() && item.url?.trim());
      }
    }),
    runs,
  );
});

test('recommend fills the block: min(limit, showable) items', () => {
  fc.assert(
    fc.property(input, (given) => {
      assert.equal(recommend(given).length, Math.min(given.limit, showable(given).length));
    }),
    runs,
  );
});

test('recommend ranks the tiers in order: viewed together, similar, best seller', () => {
  const tier = { viewed_together: 0, similar: 1, best_seller: 2 };
  fc.assert(
    fc.property(input, (given) => {
      const tiers = recommend(given).map(({ reason }) => tier[reason]);
      assert.deepEqual(tiers, [...tiers].sort((a, b) => a - b));
    }),
    runs,
  );
});
