import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { added, ordered, requested, T, viewed } from './interest-fixtures.ts';
import { InvalidInterestEventError, readInterestSignals, type InterestSignal } from './interest-signals.ts';

const noStock = new Map<string, number | null>();
const signal = (overrides: Partial<InterestSignal>): InterestSignal => ({ kind: 'view', product_id: 'p1', identity: 'anon:anon-1', event_id: 'e1', at: T(0), out_of_stock: false, category: null, ...overrides });

describe('readInterestSignals', () => {
  const cases: Array<{ name: string; event: ReturnType<typeof viewed>; stock?: Map<string, number | null>; expected: InterestSignal[] }> = [
    { name: 'Product Viewed → view', event: viewed('p1', { id: 'e1' }), expected: [signal({})] },
    { name: 'Product Added → carted', event: added('p1', { id: 'e1' }), expected: [signal({ kind: 'carted' })] },
    { name: 'Back In Stock Requested → requested', event: requested('p1', { id: 'e1' }), expected: [signal({ kind: 'requested' })] },
    {
      name: 'Order Completed → bought per product (once per product, with its category)',
      event: ordered([{ product_id: 'p1', category: 'Shoes' }, { product_id: 'p2' }, { product_id: 'p1' }], { id: 'e1' }),
      expected: [signal({ kind: 'bought', category: 'Shoes' }), signal({ kind: 'bought', product_id: 'p2' })],
    },
    { name: 'Order Completed without products → nothing', event: makeEvent('order_completed', { event_id: 'e1', properties: { order_id: 'o1' } }), expected: [] },
    { name: 'a user id wins over the anonymous id', event: viewed('p1', { id: 'e1', user: 'u-9' }), expected: [signal({ identity: 'user:u-9' })] },
    { name: 'no identity at all → nothing', event: viewed('p1', { id: 'e1', anon: null }), expected: [] },
    { name: 'a numeric product id and sku are read', event: makeEvent('product_viewed', { event_id: 'e1', received_at: T(0), properties: { sku: 42 } }), expected: [signal({ product_id: '42' })] },
    { name: 'stock 0 → out of stock', event: viewed('p1', { id: 'e1' }), stock: new Map([['p1', 0]]), expected: [signal({ out_of_stock: true })] },
    { name: 'unknown stock → not out of stock', event: viewed('p1', { id: 'e1' }), stock: new Map([['p1', null]]), expected: [signal({})] },
    { name: 'other kinds → nothing', event: makeEvent('product_removed', { event_id: 'e1', properties: { product_id: 'p1' } }), expected: [] },
  ];
  for (const { name, event, stock, expected } of cases) {
    test(name, () => assert.deepStrictEqual(readInterestSignals([event], stock ?? noStock), expected));
  }

  test('time is received_at, not the device clock', () => {
    const event = { ...viewed('p1', { id: 'e1' }), occurred_at: T(-60), received_at: T(5) };
    assert.equal(readInterestSignals([event], noStock)[0]?.at, T(5));
  });

  test('a relevant event without a product id is refused naming the field, and nothing of the batch is returned', () => {
    const bad = makeEvent('product_viewed', { event_id: 'bad', properties: { name: 'no id' } });
    assert.throws(
      () => readInterestSignals([viewed('p1'), bad], noStock),
      (error: unknown) => error instanceof InvalidInterestEventError && error.errors[0]?.path === 'properties.product_id' && /bad/.test(error.message),
    );
    const badOrder = makeEvent('order_completed', { event_id: 'o', properties: { order_id: 'o', products: [{ product_id: 'p1' }, { name: 'x' }] } });
    assert.throws(() => readInterestSignals([badOrder], noStock), (error: unknown) => error instanceof InvalidInterestEventError && error.errors[0]?.path === 'properties.products[1].product_id');
  });
});
