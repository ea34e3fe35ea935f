import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { MerchantRow } from './feed-row.ts';
import { mapMerchantRow, saleWindowIncludes, splitPrice } from './map-merchant-row.ts';

const NOW = new Date('2026-03-10T12:00:00.000Z');
const row = (attributes: Record<string, string | string[]>): MerchantRow => ({
  label: '2',
  attributes: new Map(Object.entries(attributes).map(([name, value]) => [name, Array.isArray(value) ? value : [value]])),
});
const map = (attributes: Record<string, string | string[]>, inStockQuantity: number | null = null) => mapMerchantRow(row(attributes), { now: NOW, inStockQuantity });

describe('mapMerchantRow', () => {
  const cases: Array<{ name: string; attributes: Record<string, string | string[]>; inStock?: number; properties: Record<string, unknown> }> = [
    {
      name: 'the usual attributes',
      attributes: { id: 'sku-1', title: 'Boot', price: '129.00 EUR', link: 'https://shop.example/p/1', image_link: 'https://shop.example/1.jpg', brand: 'Acme', availability: 'in_stock', quantity: '7' },
      properties: { product_id: 'sku-1', name: 'Boot', price: 129, currency: 'EUR', url: 'https://shop.example/p/1', image_url: 'https://shop.example/1.jpg', brand: 'Acme', stock: 7 },
    },
    { name: 'out_of_stock is 0 whatever the quantity', attributes: { id: 'a', availability: 'out_of_stock', quantity: '5' }, properties: { product_id: 'a', stock: 0 } },
    { name: '"out of stock" (older spelling, any case)', attributes: { id: 'a', availability: 'Out Of Stock' }, properties: { product_id: 'a', stock: 0 } },
    { name: 'sell_on_google_quantity counts as a quantity', attributes: { id: 'a', availability: 'in stock', sell_on_google_quantity: '3' }, properties: { product_id: 'a', stock: 3 } },
    { name: 'preorder without a quantity is not buyable now: 0', attributes: { id: 'a', availability: 'preorder' }, properties: { product_id: 'a', stock: 0 } },
    { name: 'backorder with a quantity: that number', attributes: { id: 'a', availability: 'backorder', quantity: '2' }, properties: { product_id: 'a', stock: 2 } },
    { name: 'in_stock without a quantity takes --in-stock-quantity', attributes: { id: 'a', availability: 'in_stock' }, inStock: 10, properties: { product_id: 'a', stock: 10 } },
    { name: 'a price without currency', attributes: { id: 'a', price: '2500' }, properties: { product_id: 'a', price: 2500 } },
    { name: 'a lower-case currency', attributes: { id: 'a', price: '9.5usd' }, properties: { product_id: 'a', price: 9.5, currency: 'USD' } },
    { name: 'a sale price without a window wins', attributes: { id: 'a', price: '100.00 EUR', sale_price: '80.00 EUR' }, properties: { product_id: 'a', price: 80, currency: 'EUR' } },
    { name: 'a sale price inside its window wins', attributes: { id: 'a', price: '100 EUR', sale_price: '80 EUR', sale_price_effective_date: '2026-03-01T00:00+0100/2026-03-31T23:59+0100' }, properties: { product_id: 'a', price: 80, currency: 'EUR' } },
    { name: 'a sale price outside its window does not', attributes: { id: 'a', price: '100 EUR', sale_price: '80 EUR', sale_price_effective_date: '2026-04-01/2026-04-30' }, properties: { product_id: 'a', price: 100, currency: 'EUR' } },
    {
      name: 'product_type is the category; custom labels and path segments are tags, deduplicated',
      attributes: { id: 'a', price: '1', product_type: ['Apparel > Jackets', 'Sale > Jackets'], google_product_category: '5598', custom_label_0: 'winter', custom_label_3: 'Jackets', custom_label_4: ' ' },
      properties: { product_id: 'a', price: 1, category: 'Apparel > Jackets', tags: ['winter', 'Jackets', 'Apparel', 'Sale'] },
    },
    { name: 'google_product_category when there is no product_type', attributes: { id: 'a', price: '1', google_product_category: 'Apparel & Accessories > Clothing' }, properties: { product_id: 'a', price: 1, category: 'Apparel & Accessories > Clothing', tags: [] } },
  ];
  for (const { name, attributes, inStock, properties } of cases) {
    test(name, () => {
      const mapped = map(attributes, inStock ?? null);
      const expected = { ...properties };
      if (Array.isArray(expected.tags) && expected.tags.length === 0) delete expected.tags;
      assert.deepStrictEqual(mapped.properties, expected);
      assert.equal(mapped.needsQuantity, false);
    });
  }

  test('in_stock without any quantity and no --in-stock-quantity: stock left unset, flagged', () => {
    const mapped = map({ id: 'a', price: '1', availability: 'in_stock' });
    assert.equal(mapped.needsQuantity, true);
    assert.equal('stock' in mapped.properties, false);
  });

  test('at most 32 tags', () => {
    const paths = Array.from({ length: 40 }, (_, i) => `t${i}`).join(' > ');
    assert.equal((map({ id: 'a', price: '1', product_type: paths }).properties.tags as string[]).length, 32);
  });

  test('values it cannot read are passed on as written, and say which attribute they came from', () => {
    const mapped = map({ id: 'a', price: '-5.00 EUR', availability: 'maybe', sale_price: 'cheap' });
    assert.deepStrictEqual(mapped.properties, { product_id: 'a', price: 'cheap', stock: 'maybe' });
    assert.deepStrictEqual(mapped.fields, { product_id: 'id', price: 'sale_price', stock: 'availability' });
    assert.deepStrictEqual(map({ id: 'a', price: '-5.00 EUR', availability: 'in_stock', quantity: '-1' }).properties, { product_id: 'a', price: -5, currency: 'EUR', stock: -1 });
    assert.deepStrictEqual(map({ id: 'a', availability: 'in_stock', quantity: 'lots' }).properties, { product_id: 'a', stock: 'lots' });
  });

  test('an unreadable sale window: regular price, and a warning naming the attribute', () => {
    const mapped = map({ id: 'a', price: '100 EUR', sale_price: '80 EUR', sale_price_effective_date: 'next week' });
    assert.equal(mapped.properties.price, 100);
    assert.deepStrictEqual(mapped.warnings.map((w) => w.field), ['sale_price_effective_date']);
  });

  test('a missing id leaves product_id unset (the schema names it)', () => {
    const mapped = map({ title: 'x', price: '1' });
    assert.equal('product_id' in mapped.properties, false);
    assert.equal(mapped.fields.product_id, 'id');
  });
});

describe('splitPrice and saleWindowIncludes', () => {
  test('splitPrice', () => {
    assert.deepStrictEqual(splitPrice(' 15.00 USD '), { amount: 15, currency: 'USD' });
    assert.deepStrictEqual(splitPrice('1,299.00 USD'), { amount: '1,299.00 USD', currency: null });
    assert.deepStrictEqual(splitPrice('1e400'), { amount: '1e400', currency: null });
  });

  const windows: Array<[string, boolean | null]> = [
    ['2026-03-10T11:00Z/2026-03-10T13:00Z', true],
    ['2026-03-10T13:00+0100/2026-03-10T15:00+0100', true],
    ['2026-03-10T13:01+01:00/2026-03-10T15:00+01:00', false],
    ['2026-03-10/2026-03-10', true],
    ['2026-03-09/2026-03-09', false],
    ['2026-03-11T00:00Z/2026-03-01T00:00Z', null],
    ['2026-03-10T11:00Z', null],
    ['soon/later', null],
  ];
  for (const [window, expected] of windows) {
    test(`${window} → ${expected}`, () => assert.equal(saleWindowIncludes(window, NOW), expected));
  }
});
