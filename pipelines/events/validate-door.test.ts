import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { maxJsonDepth } from './limits.ts';
import { validatePayload, type ValidateOptions } from './validate-payload.ts';
import { checkCatalogLinks, isShopLink } from '../catalog/check-catalog-links.ts';

/**
 * What the door refuses (issue 6): absurd numbers, too-deep JSON, ids that are not valid Unicode,
 * shop events from a browser key, catalog links off the shop's domains. Each refusal names the
 * field; the other events of the batch are kept.
 */

const receivedAt = new Date('2026-06-01T12:00:00.000Z');

function options(overrides: Partial<ValidateOptions> = {}): ValidateOptions {
  let next = 0;
  return { receivedAt, source: 'http', sourceId: 'wk_1', newEventId: () => `gen-${++next}`, ...overrides };
}

const track = (event: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event,
  userId: 'u-1',
  properties,
  ...extra,
});

describe('validatePayload: numbers are finite and within per-field bounds', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['price 1e303', track('Product Added', { product_id: 'p', price: 1e303 }), 'properties.price'],
    ['price as the string "1e303"', track('Product Added', { product_id: 'p', price: '1' + '0'.repeat(303) }), 'properties.price'],
    ['price above 1e9', track('Product Added', { product_id: 'p', price: 1e9 + 1 }), 'properties.price'],
    ['quantity above 1e6', track('Product Added', { product_id: 'p', quantity: 1e6 + 1 }), 'properties.quantity'],
    ['quantity 0', track('Product Added', { product_id: 'p', quantity: 0 }), 'properties.quantity'],
    ['order total 1e303', track('Order Completed', { order_id: 'o', total: 1e303 }), 'properties.total'],
    ['order revenue 1e12', track('Order Completed', { order_id: 'o', revenue: 1e12 }), 'properties.revenue'],
    ['order subtotal', track('Order Completed', { order_id: 'o', subtotal: 2e9 }), 'properties.subtotal'],
    ['order tax', track('Order Completed', { order_id: 'o', tax: 2e9 }), 'properties.tax'],
    ['order shipping', track('Order Completed', { order_id: 'o', shipping: 2e9 }), 'properties.shipping'],
    ['order discount', track('Order Completed', { order_id: 'o', discount: 2e9 }), 'properties.discount'],
    ['checkout value', track('Checkout Started', { value: 2e9 }), 'properties.value'],
    ['a product price in an order', track('Order Completed', { order_id: 'o', products: [{ product_id: 'p', price: 1e303 }] }), 'properties.products.0.price'],
    ['a product quantity in a cart', track('Cart Viewed', { products: [{ product_id: 'p', quantity: 1e7 }] }), 'properties.products.0.quantity'],
    ['catalog price', track('Catalog Updated', { product_id: 'p', price: 1e303 }), 'properties.price'],
    ['catalog stock above 1e9', track('Catalog Updated', { product_id: 'p', stock: 1e10 }), 'properties.stock'],
    ['catalog stock negative', track('Catalog Updated', { product_id: 'p', stock: -1 }), 'properties.stock'],
  ];
  for (const [name, item, path] of cases) {
    test(`refuses ${name} naming ${path}; the other event of the batch is kept`, () => {
      const fine = track('Product Added', { product_id: 'ok', price: 1e9, quantity: 1e6 }, { messageId: 'fine' });
      const result = validatePayload({ batch: [item, fine] }, 'batch', options({ serverKey: true }));
      assert.deepEqual(result.events.map((event) => event.event_id), ['fine']);
      assert.equal(result.rejected.length, 1);
      assert.equal(result.rejected[0]?.index, 0);
      assert.ok(result.errors.some((error) => error.path === path), JSON.stringify(result.errors));
    });
  }

  test('the bounds themselves are accepted', () => {
    const result = validatePayload(
      { batch: [track('Catalog Updated', { product_id: 'p', price: 1e9, stock: 1e9 }), track('Catalog Updated', { product_id: 'p', price: 0, stock: 0 })] },
      'batch',
      options({ serverKey: true }),
    );
    assert.deepEqual(result.errors, []);
  });
});

/** An object nested `levels` deep under properties.a.a.a… */
function nested(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

describe('validatePayload: nesting depth', () => {
  test('an event nested thousands of levels is refused naming the field; the nine beside it are kept', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    const batch = [
      ...Array.from({ length: 9 }, (_, i) => track('Product Viewed', { product_id: `p-${i}` }, { messageId: `ok-${i}` })),
      track('Product Viewed', { product_id: 'p', deep }, { messageId: 'deep' }),
    ];
    const result = validatePayload({ batch }, 'batch', options({ bodyBytes: 12_000 }));
    assert.equal(result.events.length, 9);
    assert.equal(result.rejected.length, 1);
    const [error] = result.errors;
    assert.equal(error?.index, 9);
    assert.match(error?.path ?? '', /^properties\.deep(\.0)+$/);
    assert.match(error?.message ?? '', new RegExp(`deeper than ${maxJsonDepth} levels`));
    // The dead letter keeps a readable, truncated payload rather than crashing on the depth.
    const payload = result.rejected[0]!.payload;
    assert.ok(payload.length < 10_000);
    assert.match(payload, /"messageId":"deep"/);
    assert.match(payload, /truncated/);
  });

  test('exactly the maximum depth is accepted, one more is refused', () => {
    // The event is level 0 and properties level 1: properties nested maxJsonDepth − 1 more.
    const ok = validatePayload(track('x', nested(maxJsonDepth)), 'track', options());
    assert.deepEqual(ok.errors, []);
    const tooDeep = validatePayload(track('x', nested(maxJsonDepth + 1)), 'track', options());
    assert.equal(tooDeep.events.length, 0);
    assert.match(tooDeep.errors[0]?.path ?? '', /^properties(\.a)+$/);
  });

  test('a null at the deepest accepted level is a value, not one more level', () => {
    let value: unknown = { leaf: null };
    for (let i = 1; i < maxJsonDepth; i++) value = { a: value };
    const result = validatePayload(track('x', value as Record<string, unknown>), 'track', options());
    assert.deepEqual(result.errors, []);
  });

  test('a circular event (publishEvent) is refused as not JSON-serialisable, naming where the cycle closes', () => {
    const properties: Record<string, unknown> = { product_id: 'p' };
    properties.self = properties;
    const result = validatePayload(track('Product Viewed', properties), 'track', options());
    assert.equal(result.events.length, 0);
    assert.equal(result.errors[0]?.path, '');
    assert.match(result.errors[0]?.message ?? '', /^Event is not JSON-serialisable \(circular reference at properties(\.self)+\)$/);
  });

  test('a loop is reported as circular even when the first value past the limit is not part of it', () => {
    // The walk goes round `self` down to the limit; what lies past it is `related`, reached from the loop.
    const properties: Record<string, unknown> = { product_id: 'p', related: { a: {} } };
    properties.self = properties;
    const result = validatePayload(track('Product Viewed', properties), 'track', options());
    assert.equal(result.errors[0]?.path, '');
    assert.match(result.errors[0]?.message ?? '', /^Event is not JSON-serialisable \(circular reference at properties(\.self)+\.related\)$/);
  });

  test('only own properties count, as in JSON: a deep value inherited from a defaults object does not refuse the event', () => {
    const properties = Object.create({ inherited: nested(maxJsonDepth + 5) }) as Record<string, unknown>;
    properties.product_id = 'p';
    const result = validatePayload(track('Product Viewed', properties), 'track', options());
    assert.deepEqual(result.errors, []);
  });

  test('a too-deep batch context refuses the body, naming context', () => {
    const result = validatePayload({ batch: [track('x', {})], context: nested(maxJsonDepth + 5) }, 'batch', options());
    assert.equal(result.events.length, 0);
    assert.match(result.errors[0]?.path ?? '', /^context(\.a)+$/);
  });
});

describe('validatePayload: ids must be valid Unicode', () => {
  const lone = '\uD800';
  const cases: [string, Record<string, unknown>, string][] = [
    ['messageId', track('x', {}, { messageId: `m-${lone}` }), 'messageId'],
    ['userId', track('x', {}, { userId: `u-${lone}` }), 'userId'],
    ['anonymousId', track('x', {}, { anonymousId: `a-\uDC00` }), 'anonymousId'],
    ['previousId', { type: 'alias', userId: 'u', previousId: `p-${lone}` }, 'previousId'],
    ['product_id', track('Product Added', { product_id: `p-${lone}` }), 'properties.product_id'],
    ['cart_id', track('Product Added', { product_id: 'p', cart_id: `c-${lone}` }), 'properties.cart_id'],
    ['order_id', track('Order Completed', { order_id: `o-${lone}` }), 'properties.order_id'],
  ];
  for (const [name, item, path] of cases) {
    test(`a lone surrogate in ${name} is a field error at ${path}`, () => {
      const result = validatePayload({ batch: [item] }, 'batch', options());
      assert.equal(result.events.length, 0);
      assert.ok(result.errors.some((error) => error.path === path && /Unicode/.test(error.message)), JSON.stringify(result.errors));
    });
  }

  test('two message ids differing only in a lone surrogate no longer both pass as one row', () => {
    const result = validatePayload({ batch: [track('x', {}, { messageId: 'm\uD800' }), track('x', {}, { messageId: 'm\uD801' })] }, 'batch', options());
    assert.equal(result.events.length, 0);
  });

  test('a numeric id that is not finite (1e999 parses to Infinity) is refused, not stored as "Infinity"', () => {
    const result = validatePayload(JSON.parse('{"type":"track","event":"x","userId":1e999}'), 'track', options());
    assert.equal(result.events.length, 0);
    assert.deepEqual(result.errors.map((error) => [error.path, error.message]), [['userId', 'Expected a non-empty string or a number']]);
  });

  test('a well-formed pair (an emoji) is fine', () => {
    const result = validatePayload(track('x', {}, { messageId: 'm-😀', userId: '😀' }), 'track', options());
    assert.deepEqual(result.errors, []);
  });
});

describe('validatePayload: events that speak for the shop need a server key', () => {
  const catalog = track('Catalog Updated', { product_id: 'p', price: 1 }, { messageId: 'cat' });
  const added = track('Product Added', { product_id: 'p' }, { messageId: 'add' });

  test('a browser key sending Catalog Updated: that event is refused as forbidden, the others kept', () => {
    const result = validatePayload({ batch: [added, catalog] }, 'batch', options());
    assert.deepEqual(result.events.map((event) => event.event_id), ['add']);
    assert.equal(result.rejected[0]?.refusal, 'forbidden');
    assert.equal(result.errors[0]?.path, 'event');
    assert.match(result.errors[0]?.message ?? '', /server write key/);
  });

  test('a server key may send it', () => {
    const result = validatePayload({ batch: [added, catalog] }, 'batch', options({ serverKey: true }));
    assert.equal(result.events.length, 2);
  });
});

describe('validatePayload: catalog links stay on the shop domains', () => {
  const shopHosts = ['shop.example'];
  const catalog = (properties: Record<string, unknown>) => track('Catalog Updated', { product_id: 'p', price: 1, ...properties });
  const cases: [string, Record<string, unknown>, string | null][] = [
    ['an https url on the shop', { url: 'https://shop.example/p/1' }, null],
    ['an image on a subdomain of the shop', { image_url: 'https://cdn.shop.example/p/1.jpg' }, null],
    ['a url on another host', { url: 'https://evil.example/p/1' }, 'properties.url'],
    ['an image on another host', { image_url: 'https://evil.example/x.jpg' }, 'properties.image_url'],
    ['a host that only ends like the shop', { url: 'https://notshop.example/p' }, 'properties.url'],
    ['plain http on the shop', { url: 'http://shop.example/p/1' }, 'properties.url'],
    ['javascript:', { url: 'javascript:alert(1)' }, 'properties.url'],
    ['not a URL', { image_url: 'shop.example/x.jpg' }, 'properties.image_url'],
    ['an image cleared with null (null means unknown, not a link)', { url: 'https://shop.example/p/1', image_url: null }, null],
  ];
  for (const [name, properties, path] of cases) {
    test(`${name} → ${path ?? 'accepted'}`, () => {
      const result = validatePayload(catalog(properties), 'track', options({ serverKey: true, shopHosts }));
      if (path === null) assert.deepEqual(result.errors, []);
      else assert.equal(result.errors[0]?.path, path);
    });
  }

  test('plain http is refused with a message naming the scheme it got', () => {
    const result = validatePayload(catalog({ url: 'http://shop.example/p/1' }), 'track', options({ serverKey: true, shopHosts }));
    assert.deepEqual(result.errors, [{ path: 'properties.url', message: 'Expected an https URL (got http)' }]);
  });

  test('with several shop domains, links on any of them are accepted; the refusal lists them all and the setting to change', () => {
    const hosts = ['shop.example', 'shop-cdn.example.net'];
    const accepted = validatePayload(
      catalog({ url: 'https://shop.example/p/1', image_url: 'https://img.shop-cdn.example.net/p/1.jpg' }),
      'track',
      options({ serverKey: true, shopHosts: hosts }),
    );
    assert.deepEqual(accepted.errors, []);
    const refused = validatePayload(catalog({ image_url: 'https://evil.example/x.jpg' }), 'track', options({ serverKey: true, shopHosts: hosts }));
    assert.equal(refused.errors[0]?.path, 'properties.image_url');
    assert.match(refused.errors[0]?.message ?? '', /evil\.example is not one of the shop's domains \(shop\.example, shop-cdn\.example\.net\); set NUDGE_SHOP_DOMAINS/);
  });

  const loopback: [string, string, string[]][] = [
    ['localhost', 'http://localhost:3000/p', ['localhost']],
    ['a name under .localhost', 'http://shop.localhost:3000/p', ['shop.localhost']],
    ['127.0.0.1', 'http://127.0.0.1:3000/p', ['127.0.0.1']],
    ['any 127.x.y.z address', 'http://127.100.20.1:3000/p', ['127.100.20.1']],
    ['IPv6 [::1]', 'http://[::1]:3000/p', ['[::1]']],
  ];
  for (const [name, url, hosts] of loopback) {
    test(`plain http is allowed on a loopback shop (local development): ${name}`, () => {
      const result = validatePayload(catalog({ url }), 'track', options({ serverKey: true, shopHosts: hosts }));
      assert.deepEqual(result.errors, []);
    });
  }

  test('a shop subdomain that only starts like a loopback address (127.0.0.1.shop.example) still needs https', () => {
    const result = validatePayload(catalog({ url: 'http://127.0.0.1.shop.example/p' }), 'track', options({ serverKey: true, shopHosts }));
    assert.deepEqual(result.errors, [{ path: 'properties.url', message: 'Expected an https URL (got http)' }]);
  });

  test('a loopback shop allows http, not any other scheme', () => {
    const result = validatePayload(catalog({ url: 'ftp://localhost/p' }), 'track', options({ serverKey: true, shopHosts: ['localhost'] }));
    assert.deepEqual(result.errors, [{ path: 'properties.url', message: 'Expected an https URL (got ftp)' }]);
  });

  test('isShopLink, checked again when an email is built: only https links on the shop domains may go into an email', () => {
    assert.equal(isShopLink('https://cdn.shop.example/p/1.jpg', shopHosts), true);
    assert.equal(isShopLink('https://evil.example/p/1', shopHosts), false);
    assert.equal(isShopLink('http://shop.example/p/1', shopHosts), false);
    assert.equal(isShopLink(undefined, shopHosts), false);
  });

  test('checkCatalogLinks on an unchecked update (the bus consumer): a link that is not a string is refused as such', () => {
    assert.deepEqual(checkCatalogLinks({ url: 42, image_url: ['https://shop.example/x.jpg'] }, shopHosts), [
      { path: 'properties.url', message: 'Expected a URL string' },
      { path: 'properties.image_url', message: 'Expected a URL string' },
    ]);
  });
});
