import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { maxEventBytes } from './limits.ts';
import { NudgeEvent } from './nudge-event.ts';
import { validatePayload, type ValidateOptions } from './validate-payload.ts';

const receivedAt = new Date('2026-06-01T12:00:00.000Z');

function options(overrides: Partial<ValidateOptions> = {}): ValidateOptions {
  let next = 0;
  return { receivedAt, source: 'http', sourceId: 'wk_1', newEventId: () => `gen-${++next}`, ...overrides };
}

const added = { type: 'track', event: 'Product Added', anonymousId: 'a1', messageId: 'm0', properties: { product_id: 'p1', price: 5 } };

/** An item whose JSON is `bytes` long (ASCII). */
function itemOfSize(bytes: number): Record<string, unknown> {
  const base = { type: 'track', event: 'Big', userId: 'u', properties: { blob: '' } };
  const padding = bytes - JSON.stringify(base).length;
  return { ...base, properties: { blob: 'x'.repeat(padding) } };
}

describe('validatePayload: single calls', () => {
  test('a valid call gives one normalized event and no errors', () => {
    const result = validatePayload({ userId: 'u', event: 'Checkout Started' }, 'track', options());
    assert.equal(result.events.length, 1);
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.rejected, []);
    assert.ok(NudgeEvent.safeParse(result.events[0]).success);
    assert.equal(result.events[0]?.kind, 'checkout_started');
  });

  test('the endpoint decides the call type, not a stray `type` field', () => {
    const result = validatePayload({ userId: 'u', type: 'identify', event: 'x' }, 'track', options());
    assert.equal(result.events[0]?.type, 'track');
  });

  test('field errors have no index for single calls; the payload is kept as JSON', () => {
    const body = { userId: 'u', event: 'Product Added', properties: { product_id: 'p', price: 'free' } };
    const result = validatePayload(body, 'track', options());
    assert.deepEqual(result.events, []);
    assert.equal(result.errors.length, 1);
    assert.equal(result.errors[0]?.path, 'properties.price');
    assert.ok(!('index' in result.errors[0]!));
    assert.deepEqual(JSON.parse(result.rejected[0]!.payload), body);
    assert.ok(!('index' in result.rejected[0]!));
  });

  const notEvents: [string, unknown][] = [
    ['null', null],
    ['an array', [added]],
    ['a string', 'track'],
  ];
  for (const [name, body] of notEvents) {
    test(`rejects ${name} as a body with path ""`, () => {
      const result = validatePayload(body, 'track', options());
      assert.deepEqual(result.errors, [{ path: '', message: 'Expected an event object' }]);
    });
  }

  test('bodyBytes above the limit rejects a single call without measuring it', () => {
    const result = validatePayload({ userId: 'u', event: 'x' }, 'track', options({ bodyBytes: maxEventBytes + 1 }));
    assert.equal(result.events.length, 0);
    assert.equal(result.errors[0]?.path, '');
    assert.match(result.errors[0]?.message ?? '', /32769 bytes; the limit is 32768 bytes/);
  });

  test('without bodyBytes a single call is measured', () => {
    const result = validatePayload(itemOfSize(maxEventBytes + 1), 'track', options());
    assert.match(result.errors[0]?.message ?? '', /limit is 32768/);
  });
});

describe('validatePayload: batches', () => {
  test('keeps the valid items and reports the invalid ones with their index', () => {
    const batch = [
      added,
      { type: 'track', event: 'Product Added', anonymousId: 'a1', properties: { product_id: 'p', price: -1 } },
      { type: 'identify', userId: 'u1', traits: { email: 'U1@Example.com' } },
      { type: 'page' },
      'not an event',
      { type: 'group', userId: 'u', groupId: 'g' },
      { event: 'no type', userId: 'u' },
      { type: 'alias', userId: 'u1', previousId: 'a1' },
    ];
    const result = validatePayload({ batch }, 'batch', options());
    assert.deepEqual(
      result.events.map((e) => [e.event_id, e.kind]),
      [['m0', 'product_added'], ['gen-1', 'identify'], ['gen-2', 'alias']],
    );
    assert.deepEqual(
      result.errors.map((e) => [e.index, e.path]),
      [[1, 'properties.price'], [3, 'userId'], [4, ''], [5, 'type'], [6, 'type']],
    );
    assert.match(result.errors[3]!.message, /group calls are not supported/);
    assert.deepEqual(result.rejected.map((r) => r.index), [1, 3, 4, 5, 6]);
    assert.deepEqual(JSON.parse(result.rejected[0]!.payload), batch[1]);
    assert.equal(result.rejected[2]!.payload, '"not an event"');
    for (const event of result.events) assert.ok(NudgeEvent.safeParse(event).success);
  });

  test('one item can have several errors, each with the item index', () => {
    const result = validatePayload({ batch: [added, { type: 'track', event: 'Order Completed', timestamp: 'now' }] }, 'batch', options());
    assert.deepEqual(result.errors.map((e) => [e.index, e.path]).sort(), [[1, 'timestamp']]);
    const both = validatePayload({ batch: [{ type: 'track', event: 'Order Completed' }] }, 'batch', options());
    assert.deepEqual(both.errors.map((e) => [e.index, e.path]).sort(), [[0, 'properties.order_id'], [0, 'userId']]);
    assert.equal(both.rejected.length, 1);
  });

  test('batch context and sentAt apply to every item', () => {
    const result = validatePayload(
      {
        batch: [{ type: 'track', event: 'x', userId: 'u', originalTimestamp: '2026-06-01T13:00:00Z' }],
        context: { library: { name: 'analytics-node' } },
        sentAt: '2026-06-01T13:00:10Z',
        writeKey: 'secret-key',
      },
      'batch',
      options(),
    );
    const [event] = result.events;
    assert.deepEqual(event?.context, { library: { name: 'analytics-node' } });
    assert.equal(event?.occurred_at, '2026-06-01T11:59:50.000Z');
    assert.ok(!JSON.stringify(event).includes('secret-key'));
  });

  test('events of one request with the same time keep the request order: [add A, order, add B] strictly increasing', () => {
    const at = '2026-06-01T11:00:00.000Z';
    const batch = [
      { type: 'track', event: 'Product Added', userId: 'u', messageId: 'add-a', timestamp: at, properties: { product_id: 'a' } },
      { type: 'track', event: 'Order Completed', userId: 'u', messageId: 'order', timestamp: at, properties: { order_id: 'o' } },
      { type: 'track', event: 'Product Added', userId: 'u', messageId: 'add-b', timestamp: at, properties: { product_id: 'b' } },
    ];
    const result = validatePayload({ batch }, 'batch', options());
    const times = result.events.map((event) => Date.parse(event.occurred_at));
    assert.deepEqual(result.events.map((event) => event.event_id), ['add-a', 'order', 'add-b']);
    assert.ok(times[0]! < times[1]! && times[1]! < times[2]!, JSON.stringify(result.events.map((event) => event.occurred_at)));
    // Only ties move, and only earlier: the last keeps its time.
    assert.equal(result.events[2]?.occurred_at, at);
  });

  test('a request of just two events at the same time keeps their order too: [add, order]', () => {
    const at = '2026-06-01T11:00:00.000Z';
    const batch = [
      { type: 'track', event: 'Product Added', userId: 'u', messageId: 'add', timestamp: at, properties: { product_id: 'a' } },
      { type: 'track', event: 'Order Completed', userId: 'u', messageId: 'order', timestamp: at, properties: { order_id: 'o' } },
    ];
    const result = validatePayload({ batch }, 'batch', options());
    assert.deepEqual(
      result.events.map((event) => [event.event_id, event.occurred_at]),
      [
        ['add', '2026-06-01T10:59:59.999Z'],
        ['order', at],
      ],
    );
  });

  test('only exact ties are spread; events already in another order are not moved', () => {
    const batch = [
      { type: 'page', userId: 'u', messageId: 'late', timestamp: '2026-06-01T11:00:05.000Z' },
      { type: 'page', userId: 'u', messageId: 'early', timestamp: '2026-06-01T11:00:00.000Z' },
      { type: 'page', userId: 'u', messageId: 'no-time' },
      { type: 'page', userId: 'u', messageId: 'no-time-2' },
    ];
    const result = validatePayload({ batch }, 'batch', options());
    assert.deepEqual(
      result.events.map((event) => event.occurred_at),
      ['2026-06-01T11:00:05.000Z', '2026-06-01T11:00:00.000Z', '2026-06-01T11:59:59.999Z', '2026-06-01T12:00:00.000Z'],
    );
  });

  test('an item over 32 KB is rejected with path "" and the others are kept', () => {
    const big = itemOfSize(maxEventBytes + 1);
    const result = validatePayload({ batch: [added, big, itemOfSize(maxEventBytes)] }, 'batch', options());
    assert.equal(result.events.length, 2);
    assert.deepEqual(result.errors.map((e) => [e.index, e.path]), [[1, '']]);
    assert.match(result.errors[0]!.message, /Event is 32769 bytes; the limit is 32768 bytes \(32 KB\) per event/);
    assert.equal(result.rejected[0]!.payload, JSON.stringify(big));
  });

  test('size is counted in UTF-8 bytes, not characters', () => {
    const base = itemOfSize(100);
    // 11,000 '€' = 33,000 UTF-8 bytes but only 11,000 UTF-16 units.
    const euros = { ...base, properties: { blob: '€'.repeat(11_000) } };
    const result = validatePayload({ batch: [euros] }, 'batch', options());
    assert.equal(result.errors[0]?.path, '');
    assert.match(result.errors[0]?.message ?? '', /limit is 32768/);
  });

  test('a body within 32 KB needs no per-item measuring', () => {
    // bodyBytes is the caller's promise that the whole body (hence every item) is small.
    const result = validatePayload({ batch: [itemOfSize(maxEventBytes + 10)] }, 'batch', options({ bodyBytes: 2000 }));
    assert.equal(result.events.length, 1);
    const measured = validatePayload({ batch: [itemOfSize(maxEventBytes + 10)] }, 'batch', options({ bodyBytes: 400_000 }));
    assert.equal(measured.events.length, 0);
  });

  const envelopes: [string, unknown, string][] = [
    ['no batch field', { events: [] }, 'batch'],
    ['batch not an array', { batch: added }, 'batch'],
    ['a bare array', [added], ''],
    ['a bad batch context', { batch: [added], context: { traits: { email: 'nope' } } }, 'context.traits.email'],
  ];
  for (const [name, body, path] of envelopes) {
    test(`rejects the whole body on ${name} (no index)`, () => {
      const result = validatePayload(body, 'batch', options());
      assert.equal(result.events.length, 0);
      assert.equal(result.errors[0]?.path, path);
      assert.equal(result.errors[0]?.index, undefined);
      assert.equal(result.rejected.length, 1);
      assert.equal(result.rejected[0]?.payload, JSON.stringify(body));
    });
  }

  test('an empty batch is valid and gives nothing', () => {
    assert.deepEqual(validatePayload({ batch: [] }, 'batch', options()), { events: [], errors: [], rejected: [] });
  });

  test('unknown fields are kept in properties, traits and context', () => {
    const result = validatePayload(
      { batch: [{ type: 'identify', userId: 'u', traits: { plan: 'pro', nested: { a: 1 } }, context: { custom: true }, channel: 'server' }] },
      'batch',
      options(),
    );
    assert.deepEqual(result.events[0]?.traits, { plan: 'pro', nested: { a: 1 } });
    assert.deepEqual(result.events[0]?.context, { custom: true });
  });
});
