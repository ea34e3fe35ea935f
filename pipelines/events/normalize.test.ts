import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { clampOccurredAt, normalize, occurredAtOf, type NormalizeOptions } from './normalize.ts';
import { NudgeEvent } from './nudge-event.ts';
import { callSchemas, type ParsedSegmentCall } from './segment-schemas.ts';
import { maxFutureSkewMs, maxPastSkewMs } from './limits.ts';

const receivedAt = new Date('2026-06-01T12:00:00.000Z');
const received = receivedAt.getTime();
const minute = 60_000;
const day = 24 * 60 * minute;

function options(overrides: Partial<NormalizeOptions> = {}): NormalizeOptions {
  let next = 0;
  return { receivedAt, source: 'http', sourceId: 'wk_1', newEventId: () => `gen-${++next}`, ...overrides };
}

/** Parses like validatePayload does, then normalizes. */
function normalizeRaw(type: ParsedSegmentCall['type'], raw: Record<string, unknown>, opts = options()): NudgeEvent {
  const call = callSchemas[type].parse(raw) as ParsedSegmentCall;
  call.type = type;
  return normalize(call, opts);
}

describe('normalize', () => {
  test('a track call becomes a complete, valid NudgeEvent', () => {
    const event = normalizeRaw('track', {
      messageId: 'm-1',
      anonymousId: 'a-1',
      userId: 'u-1',
      event: 'Product Added',
      properties: { product_id: 'p1', price: '10', email: 'Shopper@Example.COM ' },
      context: { library: { name: 'analytics.js' } },
      timestamp: '2026-06-01T11:59:00.000Z',
    });
    assert.deepEqual(event, {
      event_id: 'm-1',
      type: 'track',
      kind: 'product_added',
      event_name: 'Product Added',
      anonymous_id: 'a-1',
      user_id: 'u-1',
      email: 'shopper@example.com',
      previous_id: null,
      properties: { product_id: 'p1', price: 10, email: 'Shopper@Example.COM ' },
      traits: {},
      context: { library: { name: 'analytics.js' } },
      occurred_at: '2026-06-01T11:59:00.000Z',
      received_at: '2026-06-01T12:00:00.000Z',
      source: 'http',
      source_id: 'wk_1',
      hops: { collected: '2026-06-01T12:00:00.000Z' },
      schema_version: 1,
    });
    assert.ok(NudgeEvent.safeParse(event).success);
  });

  test('generates event_id only when messageId is absent', () => {
    const opts = options();
    assert.equal(normalizeRaw('page', { anonymousId: 'a' }, opts).event_id, 'gen-1');
    assert.equal(normalizeRaw('page', { anonymousId: 'a', messageId: 'given' }, opts).event_id, 'given');
    assert.equal(normalizeRaw('page', { anonymousId: 'a', messageId: null }, opts).event_id, 'gen-2');
    assert.equal(normalizeRaw('page', { anonymousId: 'a', messageId: 12 }, opts).event_id, '12');
  });

  const kinds: [ParsedSegmentCall['type'], Record<string, unknown>, NudgeEvent['kind'], string | null][] = [
    ['track', { event: 'Product Viewed', properties: { product_id: 'p' } }, 'product_viewed', 'Product Viewed'],
    ['track', { event: 'Products Searched', properties: { query: 'q' } }, 'products_searched', 'Products Searched'],
    ['track', { event: 'Product List Viewed' }, 'product_list_viewed', 'Product List Viewed'],
    ['track', { event: 'Product Added', properties: { sku: 's' } }, 'product_added', 'Product Added'],
    ['track', { event: 'Product Removed', properties: { sku: 's' } }, 'product_removed', 'Product Removed'],
    ['track', { event: 'Cart Viewed' }, 'cart_viewed', 'Cart Viewed'],
    ['track', { event: 'Checkout Started' }, 'checkout_started', 'Checkout Started'],
    ['track', { event: 'Order Completed', properties: { order_id: 'o' } }, 'order_completed', 'Order Completed'],
    ['track', { event: 'Catalog Updated', properties: { product_id: 'p', stock: 1 } }, 'catalog_updated', 'Catalog Updated'],
    ['track', { event: 'Consent Updated', properties: { email_marketing: false } }, 'consent_updated', 'Consent Updated'],
    ['track', { event: 'Course Clicked' }, 'other', 'Course Clicked'],
    ['identify', { traits: { plan: 'pro' } }, 'identify', null],
    ['alias', { previousId: 'old' }, 'alias', null],
    ['page', { name: 'Home' }, 'page', 'Home'],
    ['page', {}, 'page', null],
    ['screen', { name: 'Cart' }, 'page', 'Cart'],
  ];
  for (const [type, fields, kind, eventName] of kinds) {
    test(`${type} ${JSON.stringify(fields)} → kind ${kind}`, () => {
      const event = normalizeRaw(type, { userId: 'u', ...fields });
      assert.equal(event.type, type);
      assert.equal(event.kind, kind);
      assert.equal(event.event_name, eventName);
    });
  }

  test('identify keeps traits; alias keeps previous_id', () => {
    const identify = normalizeRaw('identify', { userId: 'u', traits: { email: 'A@B.CO', email_marketing_consent: true } });
    assert.deepEqual(identify.traits, { email: 'A@B.CO', email_marketing_consent: true });
    assert.equal(identify.email, 'a@b.co');
    assert.deepEqual(identify.properties, {});
    const alias = normalizeRaw('alias', { userId: 'u', previousId: 42 });
    assert.equal(alias.previous_id, '42');
  });

  test('email comes from traits, then context.traits, then properties; "" is none', () => {
    const email = (type: ParsedSegmentCall['type'], raw: Record<string, unknown>) => normalizeRaw(type, { userId: 'u', ...raw }).email;
    assert.equal(email('identify', { traits: { email: 'T@x.io' }, context: { traits: { email: 'c@x.io' } } }), 't@x.io');
    assert.equal(email('identify', { traits: { email: '' }, context: { traits: { email: 'C@x.io' } } }), 'c@x.io');
    assert.equal(email('track', { event: 'x', context: { traits: { email: 'c@x.io' } }, properties: { email: 'p@x.io' } }), 'c@x.io');
    assert.equal(email('track', { event: 'x', properties: { email: 'P@X.io' } }), 'p@x.io');
    assert.equal(email('page', { properties: { email: 'p@x.io' } }), 'p@x.io');
    assert.equal(email('track', { event: 'x' }), null);
  });

  test('batch context goes under the item context, item keys win', () => {
    const event = normalizeRaw(
      'track',
      { userId: 'u', event: 'x', context: { ip: '1.1.1.1', library: { name: 'item' } } },
      options({ batch: { context: { library: { name: 'batch' }, locale: 'fr-FR' } } }),
    );
    assert.deepEqual(event.context, { library: { name: 'item' }, locale: 'fr-FR', ip: '1.1.1.1' });
    const onlyBatch = normalizeRaw('track', { userId: 'u', event: 'x' }, options({ batch: { context: { locale: 'fr-FR' } } }));
    assert.deepEqual(onlyBatch.context, { locale: 'fr-FR' });
  });

  test('occurred_at: timestamp, else skew-corrected originalTimestamp (item or batch sentAt), else received_at', () => {
    const at = (raw: Record<string, unknown>, opts = options()) => normalizeRaw('track', { userId: 'u', event: 'x', ...raw }, opts).occurred_at;
    assert.equal(at({ timestamp: '2026-06-01T10:00:00Z', originalTimestamp: '2020-01-01T00:00:00Z' }), '2026-06-01T10:00:00.000Z');
    // Device clock is 1 hour fast: original 13:00, sent 13:00:05 by that clock → 11:59:55 on ours.
    assert.equal(at({ originalTimestamp: '2026-06-01T13:00:00Z', sentAt: '2026-06-01T13:00:05Z' }), '2026-06-01T11:59:55.000Z');
    assert.equal(
      at({ originalTimestamp: '2026-06-01T13:00:00Z' }, options({ batch: { sentAt: Date.parse('2026-06-01T13:00:05Z') } })),
      '2026-06-01T11:59:55.000Z',
    );
    assert.equal(at({ originalTimestamp: '2026-06-01T11:00:00Z' }), '2026-06-01T11:00:00.000Z');
    assert.equal(at({}), '2026-06-01T12:00:00.000Z');
  });

  const clamps: [string, number, number][] = [
    ['inside the window', received - 3 * day, received - 3 * day],
    ['exactly 7 days ago', received - maxPastSkewMs, received - maxPastSkewMs],
    ['years ago', Date.parse('2001-01-01T00:00:00Z'), received - 7 * day],
    ['4 minutes ahead', received + 4 * minute, received],
    ['an hour ahead', received + 60 * minute, received],
    ['far future', Date.parse('2099-01-01T00:00:00Z'), received + maxFutureSkewMs],
  ];
  for (const [name, occurred, expected] of clamps) {
    test(`clamps occurred_at ${name}`, () => {
      assert.equal(clampOccurredAt(occurred, received), expected);
      const event = normalizeRaw('track', { userId: 'u', event: 'x', timestamp: new Date(occurred).toISOString() });
      assert.equal(event.occurred_at, new Date(expected).toISOString());
    });
  }

  test('a device clock 1 h behind, with sentAt: occurred_at is skew-corrected to about received_at', () => {
    const hour = 60 * minute;
    // Added 2 s before sending, both read from a clock an hour slow.
    const event = normalizeRaw('track', {
      userId: 'u',
      event: 'Product Added',
      properties: { product_id: 'p' },
      timestamp: new Date(received - hour - 2000).toISOString(),
      sentAt: new Date(received - hour).toISOString(),
    });
    assert.equal(event.occurred_at, new Date(received - 2000).toISOString());
  });

  test('skew correction applies whichever field carried the time, with the call or the batch sentAt', () => {
    const at = (raw: Record<string, unknown>, opts = options()) => normalizeRaw('track', { userId: 'u', event: 'x', ...raw }, opts).occurred_at;
    const behind = { timestamp: '2026-06-01T10:59:50Z', sentAt: '2026-06-01T11:00:00Z' };
    assert.equal(at(behind), '2026-06-01T11:59:50.000Z');
    assert.equal(at({ originalTimestamp: behind.timestamp, sentAt: behind.sentAt }), '2026-06-01T11:59:50.000Z');
    assert.equal(at({ timestamp: behind.timestamp }, options({ batch: { sentAt: Date.parse(behind.sentAt) } })), '2026-06-01T11:59:50.000Z');
  });

  test('a device clock 1 min ahead without sentAt: occurred_at is received_at, never in the future', () => {
    const event = normalizeRaw('track', { userId: 'u', event: 'Order Completed', properties: { order_id: 'o' }, timestamp: new Date(received + minute).toISOString() });
    assert.equal(event.occurred_at, receivedAt.toISOString());
  });

  test('occurredAtOf treats 0 as a time, not as absent', () => {
    assert.equal(occurredAtOf(0, 5, null, 100), 0);
    assert.equal(occurredAtOf(0, 5, 10, 100), 90);
    assert.equal(occurredAtOf(null, 0, 10, 100), 90);
    assert.equal(occurredAtOf(undefined, undefined, 10, 100), 100);
  });

  test('default properties/traits are fresh objects per event', () => {
    const a = normalizeRaw('alias', { userId: 'u', previousId: 'p' });
    const b = normalizeRaw('alias', { userId: 'u', previousId: 'p' });
    a.properties.x = 1;
    a.traits.y = 2;
    assert.deepEqual(b.properties, {});
    assert.deepEqual(b.traits, {});
  });
});
