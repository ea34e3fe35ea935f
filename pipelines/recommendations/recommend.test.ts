import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CatalogItem } from '../catalog/catalog-item.ts';
import type { CoView } from '../product-interest/product-interest.ts';
import { catalogItem } from './recommendation-fixtures.ts';
import { type RecommendInput, recommend, scoreSimilarity } from './recommend.ts';

const seed = catalogItem('seed', { category: 'jackets', tags: ['wool', 'winter', 'classic', 'navy'], brand: 'Nord', price: 100, currency: 'EUR' });

function run(overrides: Partial<RecommendInput>): string[] {
  return recommend({ seeds: [seed], candidates: [], coViews: new Map(), bestSellers: [], exclude: new Set(), limit: 24, ...overrides }).map(
    ({ item, reason }) => `${item.product_id}:${reason}`,
  );
}

describe('recommend: what may be shown', () => {
  const cases: { name: string; candidate: CatalogItem; exclude?: string[]; shown: boolean }[] = [
    { name: 'a plain showable item (as a fallback)', candidate: catalogItem('a'), shown: true },
    { name: 'the seed itself', candidate: catalogItem('seed'), shown: false },
    { name: 'an excluded id (bought, in the cart)', candidate: catalogItem('a'), exclude: ['a'], shown: false },
    { name: 'stock 0', candidate: catalogItem('a', { stock: 0 }), shown: false },
    { name: 'stock unknown (null)', candidate: catalogItem('a', { stock: null }), shown: true },
    { name: 'stock 1', candidate: catalogItem('a', { stock: 1 }), shown: true },
    { name: 'no name', candidate: catalogItem('a', { name: null }), shown: false },
    { name: 'a blank name', candidate: catalogItem('a', { name: '  ' }), shown: false },
    { name: 'no url', candidate: catalogItem('a', { url: null }), shown: false },
    { name: 'a blank url', candidate: catalogItem('a', { url: '' }), shown: false },
  ];
  for (const { name, candidate, exclude = [], shown } of cases) {
    test(`${name}: ${shown ? 'shown' : 'not shown'}`, () => {
      // Every tier is tried: co-viewed, same category, best seller — none may override the rule.
      const related = { ...candidate, category: 'jackets' };
      const inputs: Partial<RecommendInput>[] = [
        { candidates: [candidate] },
        { candidates: [related] },
        { candidates: [candidate], coViews: new Map([['seed', [{ product_id: candidate.product_id, count: 3 }]]]) },
        { candidates: [candidate], bestSellers: [{ product_id: candidate.product_id, count: 9 }] },
      ];
      for (const input of inputs) {
        assert.equal(run({ ...input, exclude: new Set(exclude) }).length, shown ? 1 : 0);
      }
    });
  }

  test('a seed is never shown, even when another seed was viewed with it', () => {
    const other = catalogItem('other', { category: 'jackets' });
    const result = run({ seeds: [seed, other], candidates: [seed, other, catalogItem('a')], coViews: new Map([['seed', [{ product_id: 'other', count: 9 }]]]) });
    assert.deepEqual(result, ['a:best_seller']);
  });

  test('an item is shown once, under its best reason, even when listed twice', () => {
    const a = catalogItem('a', { category: 'jackets' });
    const result = run({
      candidates: [a, a, catalogItem('b')],
      coViews: new Map([['seed', [{ product_id: 'a', count: 1 }]]]),
      bestSellers: [{ product_id: 'a', count: 50 }, { product_id: 'b', count: 1 }],
    });
    assert.deepEqual(result, ['a:viewed_together', 'b:best_seller']);
  });

  test('of two copies of a product, the first is the one shown', () => {
    const first = catalogItem('a', { name: 'First' });
    const result = recommend({ seeds: [seed], candidates: [first, catalogItem('a', { name: 'Second' })], coViews: new Map(), bestSellers: [], exclude: new Set(), limit: 3 });
    assert.equal(result[0]?.item.name, 'First');
  });
});

describe('recommend: viewed together', () => {
  test('comes first, by count summed over the seeds, ties by product id', () => {
    const seed2 = catalogItem('seed2');
    const coViews = new Map<string, CoView[]>([
      ['seed', [{ product_id: 'a', count: 3 }, { product_id: 'b', count: 4 }, { product_id: 'c', count: 5 }]],
      ['seed2', [{ product_id: 'a', count: 3 }, { product_id: 'd', count: 5 }]],
    ]);
    const candidates = ['d', 'c', 'b', 'a', 'sim'].map((id) => catalogItem(id, id === 'sim' ? { category: 'jackets' } : {}));
    assert.deepEqual(run({ seeds: [seed, seed2], candidates, coViews }), ['a:viewed_together', 'c:viewed_together', 'd:viewed_together', 'b:viewed_together', 'sim:similar']);
  });

  test('co-views under an id that is not a seed do not count', () => {
    const coViews = new Map([['elsewhere', [{ product_id: 'a', count: 9 }]]]);
    assert.deepEqual(run({ candidates: [catalogItem('a')], coViews }), ['a:best_seller']);
  });

  test('a duplicated seed does not double its co-views', () => {
    const coViews = new Map([['seed', [{ product_id: 'a', count: 3 }, { product_id: 'b', count: 5 }]]]);
    const extra = catalogItem('x');
    const coViewsWithX = new Map([...coViews, ['x', [{ product_id: 'a', count: 3 }]]]);
    // a: 3 from seed (+3 from x) vs b: 5 — only a second distinct seed lifts a above b.
    assert.deepEqual(run({ seeds: [seed, seed], candidates: [catalogItem('a'), catalogItem('b')], coViews }), ['b:viewed_together', 'a:viewed_together']);
    assert.deepEqual(run({ seeds: [seed, extra], candidates: [catalogItem('a'), catalogItem('b')], coViews: coViewsWithX }), ['a:viewed_together', 'b:viewed_together']);
  });

  test('a count of 0 is not viewed together', () => {
    assert.deepEqual(run({ candidates: [catalogItem('a')], coViews: new Map([['seed', [{ product_id: 'a', count: 0 }]]]) }), ['a:best_seller']);
  });
});

describe('recommend: similarity score', () => {
  const cases: { name: string; item: CatalogItem; score: number }[] = [
    { name: 'nothing shared', item: catalogItem('a', { category: 'shoes', tags: ['red'], brand: 'Other', price: 300, currency: 'EUR' }), score: 0 },
    { name: 'same category', item: catalogItem('a', { category: 'jackets' }), score: 4 },
    { name: 'one shared tag', item: catalogItem('a', { tags: ['wool'] }), score: 1 },
    { name: 'two shared tags', item: catalogItem('a', { tags: ['wool', 'winter', 'red'] }), score: 2 },
    { name: 'four shared tags count as three', item: catalogItem('a', { tags: ['wool', 'winter', 'classic', 'navy'] }), score: 3 },
    { name: 'tags compared trimmed and case-blind', item: catalogItem('a', { tags: [' Wool', 'WINTER '] }), score: 2 },
    { name: 'a tag repeated counts once', item: catalogItem('a', { tags: ['wool', 'Wool'] }), score: 1 },
    { name: 'same brand', item: catalogItem('a', { brand: 'Nord' }), score: 2 },
    { name: 'brand differs in case', item: catalogItem('a', { brand: 'nord' }), score: 0 },
    { name: 'price at the band floor (−40%)', item: catalogItem('a', { price: 60, currency: 'EUR' }), score: 2 },
    { name: 'price just below the band', item: catalogItem('a', { price: 59.99, currency: 'EUR' }), score: 0 },
    { name: 'price at the band ceiling (+40%)', item: catalogItem('a', { price: 140, currency: 'EUR' }), score: 2 },
    { name: 'price just above the band', item: catalogItem('a', { price: 140.01, currency: 'EUR' }), score: 0 },
    { name: 'same price, other currency', item: catalogItem('a', { price: 100, currency: 'USD' }), score: 0 },
    { name: 'same price, currency unknown', item: catalogItem('a', { price: 100, currency: null }), score: 0 },
    { name: 'price unknown', item: catalogItem('a', { price: null, currency: 'EUR' }), score: 0 },
    { name: 'everything', item: catalogItem('a', { category: 'jackets', tags: ['navy', 'classic', 'winter', 'wool'], brand: 'Nord', price: 120, currency: 'EUR' }), score: 11 },
  ];
  for (const { name, item, score } of cases) {
    test(`${name}: ${score}`, () => assert.equal(scoreSimilarity(seed, item), score));
  }

  test('blank tags never match, not even each other', () => {
    const blank = catalogItem('s', { tags: ['', ' ', 'wool'] });
    assert.equal(scoreSimilarity(blank, catalogItem('a', { tags: [' ', ''] })), 0);
    assert.equal(scoreSimilarity(blank, catalogItem('a', { tags: ['', 'WOOL'] })), 1);
  });

  test('an unknown price is in no band, not even next to a price of 0', () => {
    assert.equal(scoreSimilarity(catalogItem('s', { price: null, currency: 'EUR' }), catalogItem('a', { price: 0, currency: 'EUR' })), 0);
    assert.equal(scoreSimilarity(catalogItem('s', { price: 0, currency: 'EUR' }), catalogItem('a', { price: null, currency: 'EUR' })), 0);
  });

  test('unset fields never match each other', () => {
    const bare = catalogItem('s');
    assert.equal(scoreSimilarity(bare, catalogItem('a')), 0);
  });

  test('both currencies unset compare as one currency', () => {
    assert.equal(scoreSimilarity(catalogItem('s', { price: 10 }), catalogItem('a', { price: 12 })), 2);
  });

  test('a seed priced 0 only matches free items', () => {
    const free = catalogItem('s', { price: 0, currency: 'EUR' });
    assert.equal(scoreSimilarity(free, catalogItem('a', { price: 0, currency: 'EUR' })), 2);
    assert.equal(scoreSimilarity(free, catalogItem('a', { price: 0.01, currency: 'EUR' })), 0);
  });

  test('ranks similar items by score, ties by product id, after viewed-together and before best sellers', () => {
    const candidates = [
      catalogItem('best', {}),
      catalogItem('brand', { brand: 'Nord' }),
      catalogItem('cat-b', { category: 'jackets' }),
      catalogItem('cat-a', { category: 'jackets' }),
      catalogItem('cat-brand', { category: 'jackets', brand: 'Nord' }),
      catalogItem('tag', { tags: ['wool'] }),
      catalogItem('co', {}),
    ];
    assert.deepEqual(run({ candidates, coViews: new Map([['seed', [{ product_id: 'co', count: 1 }]]]), bestSellers: [{ product_id: 'best', count: 100 }] }), [
      'co:viewed_together',
      'cat-brand:similar',
      'cat-a:similar',
      'cat-b:similar',
      'brand:similar',
      'tag:similar',
      'best:best_seller',
    ]);
  });

  test('with several seeds, the best match counts (not the sum)', () => {
    const shoe = catalogItem('shoe', { category: 'shoes', brand: 'Nord' });
    // a: jacket (4) vs b: Nord shoe (category 4 + brand 2 = 6 against the shoe seed, 2 against the jacket).
    const result = run({ seeds: [seed, shoe], candidates: [catalogItem('a', { category: 'jackets', tags: ['wool'] }), catalogItem('b', { category: 'shoes', brand: 'Nord' })] });
    assert.deepEqual(result, ['b:similar', 'a:similar']);
  });
});

describe('recommend: best sellers fill the rest', () => {
  test("in the caller's order (its priority), not by count, then the rest by product id", () => {
    const candidates = ['z', 'y', 'x', 'w', 'v'].map((id) => catalogItem(id));
    const bestSellers = [
      { product_id: 'x', count: 2 },
      { product_id: 'z', count: 90 },
      { product_id: 'x', count: 95 },
      { product_id: 'gone', count: 99 },
    ];
    assert.deepEqual(run({ candidates, bestSellers }), ['x:best_seller', 'z:best_seller', 'v:best_seller', 'w:best_seller', 'y:best_seller']);
  });

  test('a best seller not among the candidates is not shown (the caller fetches it)', () => {
    assert.deepEqual(run({ candidates: [], bestSellers: [{ product_id: 'x', count: 5 }] }), []);
  });

  test('the block is never empty while anything is showable', () => {
    assert.deepEqual(run({ seeds: [], candidates: [catalogItem('only', { stock: null })] }), ['only:best_seller']);
  });
});

describe('recommend: limit', () => {
  const candidates = Array.from({ length: 30 }, (_, i) => catalogItem(`p${String(i).padStart(2, '0')}`));
  for (const limit of [1, 3, 24]) {
    test(`${limit} gives the first ${limit}`, () => {
      const result = run({ candidates, limit });
      assert.equal(result.length, limit);
      assert.equal(result[0], 'p00:best_seller');
      assert.equal(result[limit - 1], `p${String(limit - 1).padStart(2, '0')}:best_seller`);
    });
  }
  for (const limit of [0, -1, 25, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    test(`${limit} is refused, naming the field`, () => {
      assert.throws(() => run({ candidates, limit }), (error: unknown) => error instanceof RangeError && /limit/.test(error.message) && error.message.includes(String(limit)));
    });
  }
});

test('recommend does not depend on the order of its inputs', () => {
  const candidates = [
    catalogItem('a', { category: 'jackets' }),
    catalogItem('b', { category: 'jackets' }),
    catalogItem('c'),
    catalogItem('d'),
    catalogItem('e', { brand: 'Nord' }),
  ];
  const coViews = new Map([['seed', [{ product_id: 'd', count: 2 }, { product_id: 'c', count: 2 }]]]);
  const forward = run({ candidates, coViews });
  const backward = run({ candidates: [...candidates].reverse(), coViews: new Map([['seed', [...(coViews.get('seed') ?? [])].reverse()]]) });
  assert.deepEqual(forward, ['c:viewed_together', 'd:viewed_together', 'a:similar', 'b:similar', 'e:similar']);
  assert.deepEqual(backward, forward);
});
