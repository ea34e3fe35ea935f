import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { addCoViews } from './co-views.ts';
import type { CoView } from '../product-interest/product-interest.ts';

/** The reference: exact counts, unbounded. */
function exactCounts(batches: readonly string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const batch of batches) for (const id of batch) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}
const apply = (batches: readonly string[][], topK: number) => batches.reduce<CoView[]>((list, batch) => addCoViews(list, batch, topK), []);
const arbBatches = fc.array(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), { maxLength: 4 }), { maxLength: 40 });

describe('addCoViews', () => {
  test('increments a listed product, inserts a new one at 1, highest count first, ties by product_id', () => {
    assert.deepStrictEqual(addCoViews([{ product_id: 'b', count: 2 }, { product_id: 'a', count: 1 }], ['a', 'c', 'a'], 10), [
      { product_id: 'a', count: 3 },
      { product_id: 'b', count: 2 },
      { product_id: 'c', count: 1 },
    ]);
  });

  test('a full list replaces its lowest (among equal lowest, the greatest product_id) and the newcomer inherits count + 1', () => {
    const full = [{ product_id: 'a', count: 5 }, { product_id: 'b', count: 2 }, { product_id: 'c', count: 2 }];
    assert.deepStrictEqual(addCoViews(full, ['z'], 3), [
      { product_id: 'a', count: 5 },
      { product_id: 'z', count: 3 },
      { product_id: 'b', count: 2 },
    ]);
  });

  test('a list stored under a larger bound is cut to the new one; the input is not mutated', () => {
    const stored = [{ product_id: 'a', count: 3 }, { product_id: 'b', count: 2 }, { product_id: 'c', count: 1 }];
    const copy = structuredClone(stored);
    assert.deepStrictEqual(addCoViews(stored, [], 2), stored.slice(0, 2));
    assert.deepStrictEqual(stored, copy);
  });

  test('refuses a topK that is not a whole number ≥ 1', () => {
    assert.throws(() => addCoViews([], ['a'], 0), /topK/);
    assert.throws(() => addCoViews([], ['a'], 1.5), /topK/);
  });

  test('property: with room for every product, the counts are exact', () => {
    fc.assert(
      fc.property(arbBatches, (batches) => {
        const expected = [...exactCounts(batches)].map(([product_id, count]) => ({ product_id, count })).sort((x, y) => y.count - x.count || (x.product_id < y.product_id ? -1 : 1));
        assert.deepStrictEqual(apply(batches, 8), expected);
      }),
    );
  });

  test('property: bounded, the list keeps at most topK, counts sum to every co-view added, over-estimate only, and keeps every heavy hitter', () => {
    fc.assert(
      fc.property(arbBatches, fc.integer({ min: 1, max: 5 }), (batches, topK) => {
        const list = apply(batches, topK);
        const exact = exactCounts(batches);
        const total = batches.reduce((sum, batch) => sum + batch.length, 0);
        assert.ok(list.length <= topK);
        assert.equal(list.reduce((sum, entry) => sum + entry.count, 0), total);
        for (const entry of list) assert.ok(entry.count >= (exact.get(entry.product_id) ?? 0));
        for (const [id, count] of exact) if (count > total / topK) assert.ok(list.some((entry) => entry.product_id === id), `${id} (${count} of ${total}) kept`);
      }),
    );
  });
});
