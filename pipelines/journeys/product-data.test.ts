import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toProductData, type SeenProduct } from './product-data.ts';
import type { ShopSettings } from './build-email-data.ts';
import type { LiveItem } from '../content/live-data.ts';

const shop: ShopSettings = { name: 'Shop', url: 'https://shop.example', cart_url: 'https://shop.example/cart', currency: 'EUR', postal_address: null, hosts: ['shop.example', 'cdn.shop.example'] };
const live = (over: Partial<LiveItem> = {}): LiveItem => ({
  product_id: 'sku-1',
  name: 'Storm Jacket',
  price: 129,
  currency: 'GBP',
  stock: 4,
  url: 'https://shop.example/p/sku-1',
  image_url: 'https://cdn.shop.example/sku-1.jpg',
  category: 'Jackets',
  ...over,
});
const seen = (over: Partial<SeenProduct> = {}): SeenProduct => ({ name: 'Jacket (as viewed)', url: 'https://shop.example/p/viewed', image_url: 'https://cdn.shop.example/viewed.jpg', ...over });

describe('toProductData', () => {
  test('live data wins: name, price, currency, stock, links', () => {
    assert.deepEqual(toProductData('sku-1', live(), seen(), shop), {
      product_id: 'sku-1',
      name: 'Storm Jacket',
      price: 129,
      currency: 'GBP',
      image_url: 'https://cdn.shop.example/sku-1.jpg',
      url: 'https://shop.example/p/sku-1',
      stock: 4,
      available: true,
    });
  });

  test('without live data the view stands in for name and links, never for a price; stock unknown counts as available', () => {
    assert.deepEqual(toProductData('sku-1', null, seen(), shop), {
      product_id: 'sku-1',
      name: 'Jacket (as viewed)',
      price: null,
      currency: 'EUR',
      image_url: 'https://cdn.shop.example/viewed.jpg',
      url: 'https://shop.example/p/viewed',
      stock: null,
      available: true,
    });
  });

  const cases: { name: string; live: LiveItem | null; seen: SeenProduct | null; expect: Partial<ReturnType<typeof toProductData> & object> | null }[] = [
    { name: 'nothing known at all → null', live: null, seen: null, expect: null },
    { name: 'no name anywhere → null', live: live({ name: null }), seen: seen({ name: null }), expect: null },
    { name: 'live without a name borrows the viewed one', live: live({ name: null }), seen: seen(), expect: { name: 'Jacket (as viewed)', price: 129 } },
    { name: 'stock 0 is shown as not available', live: live({ stock: 0 }), seen: null, expect: { stock: 0, available: false } },
    { name: 'stock 1 is available', live: live({ stock: 1 }), seen: null, expect: { stock: 1, available: true } },
    { name: 'stock unknown is available', live: live({ stock: null }), seen: null, expect: { stock: null, available: true } },
    { name: 'a live price of 0 is shown as 0, not unknown', live: live({ price: 0 }), seen: null, expect: { price: 0 } },
    { name: 'live currency missing → the shop’s, upper case', live: live({ currency: null }), seen: null, expect: { currency: 'EUR' } },
    { name: 'lower-case currency is upper-cased', live: live({ currency: 'usd' }), seen: null, expect: { currency: 'USD' } },
    { name: 'a link off the shop’s domains falls back to the shop home, an image to none', live: live({ url: 'https://evil.example/p', image_url: 'https://evil.example/i.jpg' }), seen: null, expect: { url: 'https://shop.example', image_url: null } },
    { name: 'a plain-http link is not shown', live: live({ url: 'http://shop.example/p', image_url: 'http://shop.example/i.jpg' }), seen: null, expect: { url: 'https://shop.example', image_url: null } },
    { name: 'live without links borrows the viewed links', live: live({ url: null, image_url: null }), seen: seen(), expect: { url: 'https://shop.example/p/viewed', image_url: 'https://cdn.shop.example/viewed.jpg' } },
    { name: 'nothing has links: home page, no image', live: live({ url: null, image_url: null }), seen: null, expect: { url: 'https://shop.example', image_url: null } },
    { name: 'a viewed link off the domains is not shown either', live: null, seen: seen({ url: 'javascript:alert(1)', image_url: 'https://evil.example/i.jpg' }), expect: { url: 'https://shop.example', image_url: null } },
  ];
  for (const { name, live: liveItem, seen: seenProduct, expect } of cases) {
    test(name, () => {
      const data = toProductData('sku-1', liveItem, seenProduct, shop);
      if (expect === null) return assert.equal(data, null);
      assert.ok(data);
      assert.deepEqual(Object.fromEntries(Object.keys(expect).map((key) => [key, data[key as keyof typeof data]])), expect);
    });
  }
});
