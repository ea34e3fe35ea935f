import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { catalogTriggerKey, readCatalogTriggerKey, type CatalogTrigger } from './catalog-trigger-key.ts';
import { cartTriggerKey } from './cart-trigger-key.ts';
import { BROWSE_TRIGGER_KEY } from './plan-browse-timers.ts';

describe('catalogTriggerKey', () => {
  test('names the kind, the product and the update; a drop also its price before', () => {
    assert.equal(catalogTriggerKey({ kind: 'back_in_stock', product_id: 'sku-1', event_id: 'e-1' }), '["back_in_stock","sku-1","e-1"]');
    assert.equal(catalogTriggerKey({ kind: 'price_drop', product_id: 'sku-1', event_id: 'e-1', previous_price: 19.9 }), '["price_drop","sku-1","e-1",19.9]');
  });

  test('a second restock (another update) or another product is another key', () => {
    const keys = new Set([
      catalogTriggerKey({ kind: 'back_in_stock', product_id: 'sku-1', event_id: 'e-1' }),
      catalogTriggerKey({ kind: 'back_in_stock', product_id: 'sku-1', event_id: 'e-2' }),
      catalogTriggerKey({ kind: 'back_in_stock', product_id: 'sku-2', event_id: 'e-1' }),
      catalogTriggerKey({ kind: 'price_drop', product_id: 'sku-1', event_id: 'e-1', previous_price: 10 }),
    ]);
    assert.equal(keys.size, 4);
  });

  const notCatalog: { name: string; key: string }[] = [
    { name: 'the browse key', key: BROWSE_TRIGGER_KEY },
    { name: 'not JSON', key: '["back_in_stock"' },
    { name: 'JSON but not an array', key: '{"kind":"back_in_stock"}' },
    { name: 'an unknown kind', key: '["sold_out","sku-1","e-1"]' },
    { name: 'an empty product id', key: '["back_in_stock","","e-1"]' },
    { name: 'an empty event id', key: '["back_in_stock","sku-1",""]' },
    { name: 'a restock with a price', key: '["back_in_stock","sku-1","e-1",10]' },
    { name: 'a drop without its price', key: '["price_drop","sku-1","e-1"]' },
    { name: 'a drop from a zero price', key: '["price_drop","sku-1","e-1",0]' },
    { name: 'a drop with the price as text', key: '["price_drop","sku-1","e-1","10"]' },
    { name: 'a number id', key: '["back_in_stock",1,"e-1"]' },
  ];
  for (const { name, key } of notCatalog) {
    test(`readCatalogTriggerKey: ${name} → null`, () => assert.equal(readCatalogTriggerKey(key), null));
  }

  test("readCatalogTriggerKey: a cart's trigger key is not a catalog one, even for a cart id that looks like a kind", () => {
    for (const cart_id of ['c-1', 'back_in_stock', 'price_drop']) {
      const key = cartTriggerKey({ cart_id, items: [{ product_id: 'sku-1' }], opened_after_event_id: 'e-0' } as never);
      assert.equal(typeof key, 'string');
      assert.equal(readCatalogTriggerKey(key!), null, key!);
    }
  });

  const id = fc.string({ minLength: 1, maxLength: 20 });
  const trigger: fc.Arbitrary<CatalogTrigger> = fc.oneof(
    fc.record({ kind: fc.constant('back_in_stock' as const), product_id: id, event_id: id }),
    fc.record({ kind: fc.constant('price_drop' as const), product_id: id, event_id: id, previous_price: fc.double({ min: 0.01, max: 1e9, noNaN: true }) }),
  );

  test('round trip: reading a key gives back the trigger it was made from, for any ids (quotes, commas, unicode)', () => {
    fc.assert(fc.property(trigger, (t) => assert.deepEqual(readCatalogTriggerKey(catalogTriggerKey(t)), { ...t })), { numRuns: 1000 });
  });

  test('injective: two different triggers never share a key', () => {
    fc.assert(
      fc.property(trigger, trigger, (a, b) => {
        const same = JSON.stringify(a) === JSON.stringify(b) || (a.kind === b.kind && a.product_id === b.product_id && a.event_id === b.event_id && (a.kind === 'back_in_stock' || (a as { previous_price: number }).previous_price === (b as { previous_price: number }).previous_price));
        assert.equal(catalogTriggerKey(a) === catalogTriggerKey(b), same);
      }),
    );
  });
});
