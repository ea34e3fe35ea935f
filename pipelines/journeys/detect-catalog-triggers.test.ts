import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { detectCatalogTriggers } from './detect-catalog-triggers.ts';
import { backInStockCampaign as backInStock, priceDropCampaign as priceDrop } from './journey-fixtures.ts';
import { cartCampaign } from '../../test/support/journey-harness.ts';
import { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { emptyCatalogItem, type CatalogItem } from '../catalog/catalog-item.ts';

const deepDrop = CampaignDefinition.parse({ ...priceDrop, id: 'deep-drop', trigger: { kind: 'price_drop', min_drop_percent: 30 } });

const item = (values: Partial<CatalogItem> = {}): CatalogItem => ({ ...emptyCatalogItem('sku-1', '2026-03-01T10:00:00.000Z'), currency: 'EUR', ...values });

describe('detectCatalogTriggers: back in stock', () => {
  const cases: { name: string; before: Partial<CatalogItem> | null; after: Partial<CatalogItem>; fires: boolean }[] = [
    { name: '0 → 3 is a restock', before: { stock: 0 }, after: { stock: 3 }, fires: true },
    { name: '0 → 1 is a restock', before: { stock: 0 }, after: { stock: 1 }, fires: true },
    { name: '0 → 0 is not', before: { stock: 0 }, after: { stock: 0 }, fires: false },
    { name: 'null → 5 (stock never known) is not', before: { stock: null }, after: { stock: 5 }, fires: false },
    { name: 'an unknown product (no item before) is not', before: null, after: { stock: 5 }, fires: false },
    { name: '2 → 5 (was in stock) is not', before: { stock: 2 }, after: { stock: 5 }, fires: false },
    { name: '0 → unknown is not', before: { stock: 0 }, after: { stock: null }, fires: false },
    { name: '5 → 0 (sold out) is not', before: { stock: 5 }, after: { stock: 0 }, fires: false },
  ];
  for (const { name, before, after, fires } of cases) {
    test(name, () => {
      const fired = detectCatalogTriggers([backInStock], before === null ? null : item(before), item(after), 'upd-1');
      assert.deepEqual(fired, fires ? [{ kind: 'back_in_stock', campaign_id: 'back-in-stock', product_id: 'sku-1', event_id: 'upd-1', stock: after.stock }] : []);
    });
  }
});

describe('detectCatalogTriggers: price drop', () => {
  const cases: { name: string; before: Partial<CatalogItem>; after: Partial<CatalogItem>; fires: boolean }[] = [
    { name: 'exactly 10% (100 → 90)', before: { price: 100 }, after: { price: 90 }, fires: true },
    { name: '9.99% (100 → 90.01) is not', before: { price: 100 }, after: { price: 90.01 }, fires: false },
    { name: '19.90 → 17.91 is a 10% cut, though floating point says 9.99…', before: { price: 19.9 }, after: { price: 17.91 }, fires: true },
    { name: '19.90 → 17.92 is not', before: { price: 19.9 }, after: { price: 17.92 }, fires: false },
    { name: 'a 50% cut', before: { price: 80 }, after: { price: 40 }, fires: true },
    { name: 'a rise is not', before: { price: 80 }, after: { price: 100 }, fires: false },
    { name: 'no change is not', before: { price: 80 }, after: { price: 80 }, fires: false },
    { name: 'a currency change is not a drop', before: { price: 100, currency: 'EUR' }, after: { price: 80, currency: 'GBP' }, fires: false },
    { name: 'unknown price before is not', before: { price: null }, after: { price: 10 }, fires: false },
    { name: 'a free item before is not (no base to cut from)', before: { price: 0 }, after: { price: 0 }, fires: false },
    { name: 'price unknown after is not', before: { price: 100 }, after: { price: null }, fires: false },
  ];
  for (const { name, before, after, fires } of cases) {
    test(name, () => {
      const fired = detectCatalogTriggers([priceDrop], item(before), item(after), 'upd-2');
      assert.deepEqual(fired, fires ? [{ kind: 'price_drop', campaign_id: 'price-drop', product_id: 'sku-1', event_id: 'upd-2', previous_price: before.price, stock: null }] : []);
    });
  }

  test('each campaign judges with its own threshold; a cart campaign never fires from the catalog', () => {
    const fired = detectCatalogTriggers([cartCampaign, priceDrop, deepDrop, backInStock], item({ price: 100, stock: 0 }), item({ price: 75, stock: 4 }), 'upd-3');
    assert.deepEqual(
      fired.map((trigger) => [trigger.kind, trigger.campaign_id]),
      [
        ['price_drop', 'price-drop'],
        ['back_in_stock', 'back-in-stock'],
      ],
    );
    const deeper = detectCatalogTriggers([priceDrop, deepDrop], item({ price: 100 }), item({ price: 70 }), 'upd-4');
    assert.deepEqual(deeper.map((trigger) => trigger.campaign_id), ['price-drop', 'deep-drop']);
  });

  test('no campaigns, nothing fires', () => {
    assert.deepEqual(detectCatalogTriggers([], item({ stock: 0, price: 10 }), item({ stock: 9, price: 1 }), 'e'), []);
  });
});

describe('detectCatalogTriggers: a price of 0', () => {
  test('a cut to 0 is not a drop (a feed glitch far more often than a giveaway)', () => {
    assert.deepEqual(detectCatalogTriggers([priceDrop], item({ price: 100 }), item({ price: 0 }), 'zero'), []);
    assert.equal(detectCatalogTriggers([priceDrop], item({ price: 100 }), item({ price: 0.01 }), 'cent').length, 1);
  });
});

describe('detectCatalogTriggers against a reference in whole cents', () => {
  // The reference works in integer cents and whole percents, where "a cut of at least p%" is exact:
  // (before − after) × 100 ≥ p × before.
  const reference = (before: { cents: number | null; stock: number | null; currency: string } | null, after: { cents: number | null; stock: number | null; currency: string }, percent: number) => {
    const kinds: string[] = [];
    if (before && before.cents !== null && before.cents > 0 && after.cents !== null && after.cents > 0 && before.currency === after.currency && (before.cents - after.cents) * 100 >= percent * before.cents) kinds.push('price_drop');
    if (before && before.stock === 0 && after.stock !== null && after.stock > 0) kinds.push('back_in_stock');
    return kinds;
  };
  const state = fc.record({
    cents: fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null }),
    stock: fc.option(fc.integer({ min: 0, max: 3 }), { nil: null }),
    currency: fc.constantFrom('EUR', 'GBP'),
  });

  test('fires exactly when the reference says so', () => {
    fc.assert(
      fc.property(fc.option(state, { nil: null }), state, fc.integer({ min: 1, max: 99 }), (before, after, percent) => {
        const drop = CampaignDefinition.parse({ ...priceDrop, trigger: { kind: 'price_drop', min_drop_percent: percent } });
        const toItem = (s: typeof after) => item({ price: s.cents === null ? null : s.cents / 100, stock: s.stock, currency: s.currency });
        const fired = detectCatalogTriggers([drop, backInStock], before && toItem(before), toItem(after), 'e');
        assert.deepEqual(fired.map((trigger) => trigger.kind), reference(before, after, percent));
      }),
      { numRuns: 2000 },
    );
  });

  test('drops exactly at the threshold, from prices in cents, always fire', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 99 }), (unit, percent) => {
        const beforeCents = unit * 100; // so that percent × before is whole cents
        const afterCents = beforeCents - unit * percent;
        const drop = CampaignDefinition.parse({ ...priceDrop, trigger: { kind: 'price_drop', min_drop_percent: percent } });
        assert.equal(detectCatalogTriggers([drop], item({ price: beforeCents / 100 }), item({ price: afterCents / 100 }), 'e').length, 1);
      }),
    );
  });
});
