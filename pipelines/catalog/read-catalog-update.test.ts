import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { catalogEvent } from './catalog-fixtures.ts';
import { InvalidCatalogUpdateError, readCatalogUpdate, readCatalogUpdates } from './read-catalog-update.ts';

describe('readCatalogUpdate', () => {
  test('reads the fields sent, normalised as the collector does; null and unknown properties are dropped', () => {
    const update = readCatalogUpdate(
      catalogEvent({ product_id: 7, stock: '3', price: '19.90', currency: 'gbp', name: null, brand: 'B', tags: ['wool'], colour: 'kept in history only' }, { event_id: 'e1', occurred_at: '2026-03-01T10:00:00Z' }),
    );
    assert.deepStrictEqual(update, {
      product_id: '7',
      clock: { at: '2026-03-01T10:00:00.000Z', event_id: 'e1' },
      values: { stock: 3, price: 19.9, currency: 'GBP', brand: 'B', tags: ['wool'] },
    });
  });

  test('sku alone is not enough: Catalog Updated needs product_id', () => {
    assert.throws(() => readCatalogUpdate(catalogEvent({ sku: 's1', stock: 1 })), /properties\.product_id/);
  });

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['no stock or price', { product_id: 'p', name: 'x' }, 'properties'],
    ['negative stock', { product_id: 'p', stock: -1 }, 'properties.stock'],
    ['fractional stock', { product_id: 'p', stock: 1.5 }, 'properties.stock'],
    ['price not numeric', { product_id: 'p', price: 'cheap' }, 'properties.price'],
    ['bad currency', { product_id: 'p', price: 1, currency: 'euro' }, 'properties.currency'],
    ['empty product_id', { product_id: '', stock: 1 }, 'properties.product_id'],
    ['tags not strings', { product_id: 'p', stock: 1, tags: ['a', 3] }, 'properties.tags.1'],
  ];
  for (const [name, properties, path] of invalid) {
    test(`refuses ${name}, naming ${path}`, () => {
      assert.throws(
        () => readCatalogUpdate(catalogEvent(properties, { event_id: 'bad' })),
        (error: unknown) => error instanceof InvalidCatalogUpdateError && error.errors.some((e) => e.path === path) && /bad/.test(error.message),
      );
    });
  }

  test('refuses an event of another kind', () => {
    assert.throws(
      () => readCatalogUpdate({ ...catalogEvent({ product_id: 'p', stock: 1 }), kind: 'order_completed' }),
      (error: unknown) => error instanceof InvalidCatalogUpdateError && error.errors[0]?.path === 'kind' && /got order_completed/.test(error.message),
    );
  });

  test('readCatalogUpdates names the position and id of the offending event', () => {
    assert.throws(
      () => readCatalogUpdates([catalogEvent({ product_id: 'p', stock: 1 }), catalogEvent({ product_id: 'p' }, { event_id: 'second' })]),
      (error: unknown) => error instanceof InvalidCatalogUpdateError && /^Event 1 \(second\)/.test(error.message) && error.errors.every((e) => e.index === 1),
    );
  });
});
