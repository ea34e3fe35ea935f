import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { emptyCatalogItem } from './catalog-item.ts';
import { compareProductIds, selectCatalogItems } from './select-catalog-items.ts';

const sign = (n: number) => Math.sign(n);

describe('compareProductIds', () => {
  test('orders as the UTF-8 bytes do (SQLite and Firestore), not as UTF-16 code units', () => {
    assert.ok(compareProductIds('\uFF01', '\u{1F45F}') < 0, 'BMP private/fullwidth before an astral code point');
    assert.ok('\u{1F45F}' < '\uFF01', 'while JavaScript says the opposite');
    assert.equal(compareProductIds('ab', 'ab'), 0);
    assert.ok(compareProductIds('ab', 'abc') < 0);
  });

  test('agrees with Buffer.compare of the UTF-8 encodings (fast-check)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        assert.equal(sign(compareProductIds(a, b)), sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('selectCatalogItems', () => {
  const item = (id: string, stock: number | null, category: string | null) => ({ ...emptyCatalogItem(id, '2026-03-01T10:00:00.000Z'), stock, category });

  test('filters by category and stock > 0, sorts by id, cuts at the limit, and leaves its input alone', () => {
    const items = [item('b', 1, 'x'), item('a', 0, 'x'), item('c', null, 'x'), item('d', 2, 'y'), item('e', 5, 'x')];
    const snapshot = structuredClone(items);
    assert.deepStrictEqual(selectCatalogItems(items, { category: 'x', inStockOnly: true, limit: 5 }).map((i) => i.product_id), ['b', 'e']);
    assert.deepStrictEqual(selectCatalogItems(items, { category: null, inStockOnly: false, limit: 3 }).map((i) => i.product_id), ['a', 'b', 'c']);
    assert.deepStrictEqual(items, snapshot);
  });

  test('refuses a limit outside 1..500', () => {
    assert.throws(() => selectCatalogItems([], { category: null, inStockOnly: false, limit: 0 }), RangeError);
    assert.throws(() => selectCatalogItems([], { category: null, inStockOnly: false, limit: 501 }), /1 to 500, got 501/);
  });
});
