import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  classifyTrackEvent,
  findTrackPropertySchema,
  trackEventKinds,
  trackPropertySchemas,
  type KnownTrackEventName,
} from './commerce-schemas.ts';
import { eventKinds } from './nudge-event.ts';

const monopoly = {
  product_id: '507f1f77bcf86cd799439011',
  sku: '45790-32',
  name: 'Monopoly: 3rd Edition',
  price: 19,
  position: 1,
  category: 'Games',
  url: 'https://www.example.com/product/path',
  image_url: 'https://www.example.com/product/path.jpg',
};
const uno = { product_id: '505bd76785ebb509fc183733', sku: '46493-32', name: 'Uno Card Game', price: 3, quantity: 2, category: 'Games' };

// The property examples of https://segment.com/docs/connections/spec/ecommerce/v2/, plus nudge's own events.
const specExamples: Record<KnownTrackEventName, Record<string, unknown>> = {
  'Product Viewed': {
    product_id: '507f1f77bcf86cd799439011',
    sku: 'G-32',
    category: 'Games',
    name: 'Monopoly: 3rd Edition',
    brand: 'Hasbro',
    variant: '200 pieces',
    price: 18.99,
    quantity: 1,
    coupon: 'MAYDEALS',
    currency: 'usd',
    position: 3,
    value: 18.99,
    url: 'https://www.example.com/product/path',
    image_url: 'https://www.example.com/product/path.jpg',
  },
  'Products Searched': { query: 'blue roses' },
  'Product List Viewed': { list_id: 'hot_deals_1', category: 'Deals', products: [monopoly, uno] },
  'Product Added': {
    cart_id: 'skdjsidjsdkdj29j',
    product_id: '507f1f77bcf86cd799439011',
    sku: 'G-32',
    category: 'Games',
    name: 'Monopoly: 3rd Edition',
    brand: 'Hasbro',
    variant: '200 pieces',
    price: 18.99,
    quantity: 1,
    coupon: 'MAYDEALS',
    position: 3,
    url: 'https://www.example.com/product/path',
    image_url: 'https://www.example.com/product/path.jpg',
  },
  'Product Removed': { cart_id: 'ksjdj92dj29dj92d2j', product_id: '507f1f77bcf86cd799439011', sku: 'G-32', price: 18.99, quantity: 1 },
  'Cart Viewed': { cart_id: 'd92jd29jd92jd29j92d92jd', products: [monopoly, uno] },
  'Checkout Started': {
    order_id: '50314b8e9bcf000000000000',
    affiliation: 'Google Store',
    value: 30,
    revenue: 25.0,
    shipping: 3,
    tax: 2,
    discount: 2.5,
    coupon: 'hasbros',
    currency: 'USD',
    products: [monopoly, uno],
  },
  'Order Completed': {
    checkout_id: 'fksdjfsdjfisjf9sdfjsd9f',
    order_id: '50314b8e9bcf000000000000',
    affiliation: 'Google Store',
    total: 27.5,
    subtotal: 22.5,
    revenue: 25.0,
    shipping: 3,
    tax: 2,
    discount: 2.5,
    coupon: 'hasbros',
    currency: 'USD',
    products: [monopoly, uno],
  },
  'Catalog Updated': { product_id: 'sku-1', stock: 0, price: 24.5, currency: 'EUR', name: 'Rain jacket' },
  'Consent Updated': { email_marketing: true, source: 'checkout-checkbox' },
  'Back In Stock Requested': { product_id: 'sku-1' },
};

describe('e-commerce property schemas', () => {
  for (const [name, properties] of Object.entries(specExamples)) {
    test(`${name} accepts the spec example and keeps every field`, () => {
      const parsed = trackPropertySchemas[name as KnownTrackEventName].safeParse(properties);
      assert.ok(parsed.success, JSON.stringify(parsed.error?.issues));
      for (const key of Object.keys(properties)) assert.ok(key in parsed.data, `${key} kept`);
    });
  }

  const rejections: { name: KnownTrackEventName; properties: Record<string, unknown>; path: string; message?: RegExp }[] = [
    { name: 'Product Viewed', properties: { product_id: 'p1', price: -1 }, path: 'price', message: /≥ 0/ },
    { name: 'Product Viewed', properties: { product_id: 'p1', price: 'cheap' }, path: 'price' },
    { name: 'Product Viewed', properties: { product_id: 'p1', price: '0x10' }, path: 'price' },
    { name: 'Product Viewed', properties: { name: 'no id' }, path: 'product_id', message: /product_id \(or sku\)/ },
    { name: 'Product Viewed', properties: { product_id: 'p1', currency: 'euro' }, path: 'currency', message: /ISO 4217/ },
    { name: 'Product Viewed', properties: { product_id: {}, sku: 's' }, path: 'product_id' },
    { name: 'Product Added', properties: { product_id: 'p1', quantity: 0 }, path: 'quantity', message: /whole number ≥ 1/ },
    { name: 'Product Added', properties: { product_id: 'p1', quantity: 1.5 }, path: 'quantity' },
    { name: 'Product Added', properties: { product_id: 'p1', name: 42 }, path: 'name', message: /^Expected a string$/ },
    { name: 'Product Added', properties: { product_id: 'p1', price: ['19.99'] }, path: 'price', message: /≥ 0/ },
    { name: 'Product Viewed', properties: { product_id: 'p1', currency: ['EUR'] }, path: 'currency', message: /ISO 4217/ },
    { name: 'Product Removed', properties: { product_id: '' }, path: 'product_id' },
    { name: 'Products Searched', properties: {}, path: 'query', message: /Required/ },
    { name: 'Product List Viewed', properties: { products: [uno, { name: 'x' }] }, path: 'products.1.product_id' },
    { name: 'Cart Viewed', properties: { products: 'all of them' }, path: 'products' },
    { name: 'Cart Viewed', properties: { products: [{ product_id: 'a', price: -3 }] }, path: 'products.0.price' },
    { name: 'Checkout Started', properties: { revenue: -5 }, path: 'revenue' },
    { name: 'Order Completed', properties: { total: 10 }, path: 'order_id', message: /Required/ },
    { name: 'Order Completed', properties: { order_id: 'o1', products: [uno, { ...uno, quantity: 'two' }] }, path: 'products.1.quantity' },
    { name: 'Catalog Updated', properties: { product_id: 'p1' }, path: '', message: /stock and\/or price/ },
    { name: 'Catalog Updated', properties: { product_id: 'p1', stock: -1 }, path: 'stock', message: /whole number ≥ 0/ },
    { name: 'Catalog Updated', properties: { product_id: 'p1', stock: 2.5 }, path: 'stock', message: /whole number ≥ 0/ },
    { name: 'Catalog Updated', properties: { stock: 3 }, path: 'product_id', message: /Required/ },
    { name: 'Consent Updated', properties: {}, path: 'email_marketing', message: /Required: true or false/ },
    { name: 'Consent Updated', properties: { email_marketing: 'yes' }, path: 'email_marketing', message: /^Expected true or false$/ },
  ];
  for (const { name, properties, path, message } of rejections) {
    test(`${name} rejects ${JSON.stringify(properties)} at "${path}"`, () => {
      const parsed = trackPropertySchemas[name].safeParse(properties);
      assert.equal(parsed.success, false);
      const issue = parsed.error?.issues[0];
      assert.equal(issue?.path.join('.'), path);
      if (message) assert.match(issue?.message ?? '', message);
    });
  }

  test('coerces numeric strings and numeric ids, upper-cases currency', () => {
    const parsed = trackPropertySchemas['Product Added'].parse({ product_id: 42, cart_id: 7, price: '19.99', quantity: '2', currency: 'eur' });
    assert.deepEqual(parsed, { product_id: '42', cart_id: '7', price: 19.99, quantity: 2, currency: 'EUR' });
  });

  test('copies sku into product_id when product_id is absent, in products too', () => {
    assert.equal(trackPropertySchemas['Product Viewed'].parse({ sku: 'G-32' }).product_id, 'G-32');
    const order = trackPropertySchemas['Order Completed'].parse({ order_id: 1, products: [{ sku: 99 }] });
    assert.equal(order.order_id, '1');
    assert.equal(order.products?.[0]?.product_id, '99');
  });

  test('optional fields accept null as "unknown"', () => {
    const parsed = trackPropertySchemas['Product Viewed'].safeParse({ product_id: 'p', price: null, coupon: null, currency: null });
    assert.ok(parsed.success);
  });

  test('Catalog Updated accepts stock alone or price alone', () => {
    assert.ok(trackPropertySchemas['Catalog Updated'].safeParse({ product_id: 'p', stock: '3' }).success);
    assert.ok(trackPropertySchemas['Catalog Updated'].safeParse({ product_id: 'p', price: 10 }).success);
  });
});

describe('track event names', () => {
  test('every known name has a kind that exists and a schema', () => {
    for (const [name, kind] of Object.entries(trackEventKinds)) {
      assert.ok((eventKinds as readonly string[]).includes(kind));
      assert.equal(classifyTrackEvent(name), kind);
      assert.ok(findTrackPropertySchema(name));
    }
  });

  test('unknown names, wrong case and prototype keys are "other" with no schema', () => {
    for (const name of ['Course Clicked', 'product viewed', 'constructor', '__proto__', 'toString']) {
      assert.equal(classifyTrackEvent(name), 'other');
      assert.equal(findTrackPropertySchema(name), undefined);
    }
  });
});
