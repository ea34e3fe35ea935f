import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StoredProductInterest } from './apply-interest-signal.ts';
import { T } from './interest-fixtures.ts';
import type { InterestSignal } from './interest-signals.ts';
import { CO_VIEW_WINDOW_MS, MAX_CO_VIEW_PARTNERS, planInterestRecording } from './plan-interest-recording.ts';

const view = (productId: string, minute: number, id: string, identity = 'anon:a'): InterestSignal => ({ kind: 'view', product_id: productId, identity, event_id: id, at: T(minute), out_of_stock: false, category: null });
const bought = (productId: string, id: string, category: string | null = null): InterestSignal => ({ kind: 'bought', product_id: productId, identity: 'anon:a', event_id: id, at: T(0), out_of_stock: false, category });
const DAY_MIN = CO_VIEW_WINDOW_MS / 60_000;

/** Runs batches one after another, as a store would, carrying the records forward. */
function run(batches: InterestSignal[][]) {
  let stored: StoredProductInterest[] = [];
  const coViews = new Map<string, string[]>();
  const bestSellers = new Map<string, number>();
  for (const batch of batches) {
    const plan = planInterestRecording(batch, stored);
    const keys = new Set(plan.records.map((r) => `${r.product_id}|${r.identity}`));
    stored = [...stored.filter((r) => !keys.has(`${r.product_id}|${r.identity}`)), ...plan.records];
    for (const [id, others] of plan.coViews) coViews.set(id, [...(coViews.get(id) ?? []), ...others].sort());
    for (const [id, added] of plan.bestSellers) bestSellers.set(id, (bestSellers.get(id) ?? 0) + added.count);
  }
  return { stored, coViews: Object.fromEntries([...coViews].sort()), bestSellers: Object.fromEntries(bestSellers) };
}

describe('planInterestRecording', () => {
  test('views within a day are co-viewed both ways, once per pair', () => {
    const { coViews } = run([[view('a', 0, 'e1')], [view('b', 10, 'e2')], [view('c', 20, 'e3')]]);
    assert.deepStrictEqual(coViews, { a: ['b', 'c'], b: ['a', 'c'], c: ['a', 'b'] });
  });

  test('flipping back to a product viewed within the day adds no co-view; a day later it does', () => {
    const { coViews } = run([[view('a', 0, 'e1'), view('b', 1, 'e2'), view('a', 2, 'e3'), view('b', 3, 'e4')], [view('a', DAY_MIN + 10, 'e5'), view('b', DAY_MIN + 11, 'e6')]]);
    assert.deepStrictEqual(coViews, { a: ['b', 'b'], b: ['a', 'a'] });
  });

  test('the same pair counts once whichever view is recorded first (out-of-order delivery)', () => {
    assert.deepStrictEqual(run([[view('b', 10, 'e2')], [view('a', 0, 'e1')]]).coViews, run([[view('a', 0, 'e1')], [view('b', 10, 'e2')]]).coViews);
  });

  test('views more than a day apart, or by other identities, are not co-views', () => {
    assert.deepStrictEqual(run([[view('a', 0, 'e1')], [view('b', DAY_MIN + 1, 'e2')], [view('c', 5, 'e3', 'anon:other')]]).coViews, {});
  });

  test('a redelivered batch changes no record, co-view or best seller', () => {
    const batch = [view('a', 0, 'e1'), view('b', 1, 'e2'), bought('a', 'o1', 'Shoes')];
    const first = planInterestRecording(batch, []);
    const again = planInterestRecording(batch, first.records);
    assert.deepStrictEqual(again, { records: [], coViews: new Map(), bestSellers: new Map() });
    assert.deepStrictEqual(first.bestSellers, new Map([['a', { count: 1, category: 'Shoes' }]]));
  });

  test('a duplicate inside one batch counts once', () => {
    const { stored, bestSellers } = run([[view('a', 0, 'e1'), view('a', 0, 'e1'), bought('a', 'o1'), bought('a', 'o1')]]);
    assert.equal(stored[0]?.view_count, 1);
    assert.deepStrictEqual(bestSellers, { a: 1 });
  });

  test(`at most ${MAX_CO_VIEW_PARTNERS} partners per view, the most recently viewed`, () => {
    const earlier = Array.from({ length: MAX_CO_VIEW_PARTNERS + 3 }, (_, i) => view(`p${String(i).padStart(2, '0')}`, i, `v${i}`));
    const { coViews } = run([earlier, [view('x', 100, 'vx')]]);
    assert.equal(coViews.x?.length, MAX_CO_VIEW_PARTNERS);
    assert.ok(!coViews.x?.includes('p00') && coViews.x?.includes(`p${MAX_CO_VIEW_PARTNERS + 2}`));
  });
});
