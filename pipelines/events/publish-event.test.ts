import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { BusMessage, EventBus } from './bus.ts';
import { DeadLetter, type DeadLetterStore } from './dead-letters.ts';
import { decodeEventMessage } from './encode-message.ts';
import { createPublishEvent, type PublishEvent } from './publish-event.ts';
import type { SegmentEventInput } from './segment-schemas.ts';
import type { TopicName } from './topics.ts';
import { createManualClock } from '../shared/clock.ts';

function createFakeBus(options: { failOn?: TopicName } = {}) {
  const calls: { topic: TopicName; messages: readonly BusMessage[] }[] = [];
  const bus: EventBus = {
    publish: async (topic, messages) => {
      if (topic === options.failOn) throw new Error(`${topic} unavailable`);
      calls.push({ topic, messages });
    },
  };
  return { bus, calls };
}

function createFakeDeadLetters() {
  const records: DeadLetter[] = [];
  const store: DeadLetterStore = {
    put: async (batch) => {
      records.push(...batch);
    },
  };
  return { store, records };
}

function setup(busOptions: { failOn?: TopicName } = {}) {
  const fakeBus = createFakeBus(busOptions);
  const deadLetters = createFakeDeadLetters();
  let next = 0;
  const publishEvent = createPublishEvent({
    bus: fakeBus.bus,
    deadLetters: deadLetters.store,
    clock: createManualClock('2026-06-01T12:00:00.000Z'),
    newEventId: () => `id-${++next}`,
    sourceId: 'shop-backend',
  });
  return { publishEvent, calls: fakeBus.calls, deadLetters: deadLetters.records };
}

describe('publishEvent', () => {
  test('validates, routes, and publishes one call per topic', async () => {
    const { publishEvent, calls, deadLetters } = setup();
    const result = await publishEvent([
      { type: 'track', event: 'Product Added', userId: 'u1', messageId: 'm1', properties: { product_id: 'p1', price: 10 } },
      { type: 'track', event: 'Product Viewed', userId: 'u1', messageId: 'm2', properties: { product_id: 'p2' } },
      { type: 'identify', userId: 'u1', messageId: 'm3', traits: { email: 'u1@example.com' } },
      { type: 'track', event: 'Catalog Updated', userId: 'catalog-sync', messageId: 'm4', properties: { product_id: 'p1', stock: 0 } },
      { type: 'page', anonymousId: 'a1', name: 'Home' },
    ]);
    assert.deepEqual(result, { accepted: ['m1', 'm2', 'm3', 'm4', 'id-1'], errors: [] });
    assert.deepEqual(deadLetters, []);
    const byTopic = Object.fromEntries(calls.map((c) => [c.topic, c.messages.map((m) => decodeEventMessage(m.data).event_id)]));
    assert.deepEqual(byTopic, {
      'events-priority': ['m1', 'm3'],
      'events-browse': ['m2', 'id-1'],
      'events-catalog': ['m4'],
    });
    assert.equal(calls.length, 3);
    const published = decodeEventMessage(calls.find((c) => c.topic === 'events-catalog')!.messages[0]!.data);
    assert.equal(published.source, 'publish');
    assert.equal(published.source_id, 'shop-backend');
    assert.equal(published.received_at, '2026-06-01T12:00:00.000Z');
    assert.deepEqual(published.hops, { collected: '2026-06-01T12:00:00.000Z' });
  });

  test('dead-letters invalid events (stage "publish"), publishes the valid ones, reports errors by index', async () => {
    const { publishEvent, calls, deadLetters } = setup();
    const bad = { type: 'track', event: 'Order Completed', userId: 'u1', properties: { total: 5 } } as unknown as SegmentEventInput;
    const result = await publishEvent([
      { type: 'track', event: 'Cart Viewed', anonymousId: 'a1', messageId: 'm1' },
      bad,
      { type: 'alias', userId: 'u1', previousId: 'a1', messageId: 'm3' },
    ]);
    assert.deepEqual(result.accepted, ['m1', 'm3']);
    assert.deepEqual(result.errors, [{ index: 1, path: 'properties.order_id', message: 'Required: a non-empty string or a number' }]);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]?.topic, 'events-priority');
    assert.equal(deadLetters.length, 1);
    const [letter] = deadLetters;
    assert.ok(DeadLetter.safeParse(letter).success);
    assert.equal(letter?.stage, 'publish');
    assert.equal(letter?.source_id, 'shop-backend');
    assert.equal(letter?.received_at, '2026-06-01T12:00:00.000Z');
    assert.equal(letter?.reason, 'properties.order_id: Required: a non-empty string or a number');
    assert.deepEqual(JSON.parse(letter!.payload), bad);
  });

  test('a single event: errors carry no index; nothing is published when it is invalid', async () => {
    const { publishEvent, calls, deadLetters } = setup();
    const result = await publishEvent({ type: 'track', event: 'Course Clicked' });
    assert.deepEqual(result, { accepted: [], errors: [{ path: 'userId', message: 'Required: anonymousId or userId' }] });
    assert.equal(calls.length, 0);
    assert.equal(deadLetters.length, 1);
  });

  test('a single valid event is published to its topic', async () => {
    const { publishEvent, calls } = setup();
    const result = await publishEvent({
      type: 'track',
      event: 'Consent Updated',
      userId: 42,
      timestamp: new Date('2026-06-01T11:00:00.000Z'),
      properties: { email_marketing: false },
    });
    assert.deepEqual(result.accepted, ['id-1']);
    const event = decodeEventMessage(calls[0]!.messages[0]!.data);
    assert.equal(calls[0]?.topic, 'events-priority');
    assert.equal(event.user_id, '42');
    assert.equal(event.occurred_at, '2026-06-01T11:00:00.000Z');
  });

  test('an empty array publishes nothing', async () => {
    const { publishEvent, calls, deadLetters } = setup();
    assert.deepEqual(await publishEvent([]), { accepted: [], errors: [] });
    assert.equal(calls.length + deadLetters.length, 0);
  });

  test('rejects when the bus fails, so the caller can retry', async () => {
    const { publishEvent } = setup({ failOn: 'events-browse' });
    await assert.rejects(publishEvent({ type: 'page', anonymousId: 'a' }), /events-browse unavailable/);
  });

  test('publishEvent counts as server-side: Catalog Updated is accepted', async () => {
    const { publishEvent, calls } = setup();
    const result = await publishEvent({ type: 'track', event: 'Catalog Updated', userId: 'catalog-sync', properties: { product_id: 'p', stock: 3 } });
    assert.deepEqual(result.errors, []);
    assert.equal(calls[0]?.topic, 'events-catalog');
  });

  test('shares the door: clock skew corrected with sentAt, no future times, ties kept in call order', async () => {
    const { publishEvent, calls } = setup();
    const now = Date.parse('2026-06-01T12:00:00.000Z');
    await publishEvent([
      { type: 'track', event: 'Product Added', userId: 'u', messageId: 'behind', timestamp: new Date(now - 3_600_000 - 1000).toISOString(), sentAt: new Date(now - 3_600_000).toISOString(), properties: { product_id: 'a' } },
      { type: 'track', event: 'Order Completed', userId: 'u', messageId: 'ahead', timestamp: new Date(now + 60_000).toISOString(), properties: { order_id: 'o' } },
      { type: 'track', event: 'Product Added', userId: 'u', messageId: 'now', properties: { product_id: 'b' } },
    ]);
    const events = calls.flatMap((call) => call.messages.map((message) => decodeEventMessage(message.data)));
    const at = Object.fromEntries(events.map((event) => [event.event_id, event.occurred_at]));
    assert.equal(at.behind, '2026-06-01T11:59:59.000Z');
    assert.equal(at.ahead, '2026-06-01T11:59:59.999Z');
    assert.equal(at.now, '2026-06-01T12:00:00.000Z');
  });

  test('an absurd number is refused at the door with the field, not published', async () => {
    const { publishEvent, calls, deadLetters } = setup();
    const result = await publishEvent({ type: 'track', event: 'Product Added', userId: 'u', properties: { product_id: 'p', price: 1e303 } });
    assert.equal(result.errors[0]?.path, 'properties.price');
    assert.equal(calls.length, 0);
    assert.equal(deadLetters.length, 1);
  });

  test('an event that cannot be serialised is refused, not thrown', async () => {
    const { publishEvent, deadLetters } = setup();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const result = await publishEvent({ type: 'track', event: 'x', userId: 'u', properties: circular });
    assert.equal(result.errors[0]?.path, '');
    assert.match(result.errors[0]?.message ?? '', /not JSON-serialisable/);
    assert.equal(deadLetters.length, 1);
  });
});

// Compile-time checks (tsc runs over test files): known events get typed properties.
// Never called; a wrong expectation here fails `npm run typecheck`.
export async function typeChecks(publishEvent: PublishEvent): Promise<void> {
  await publishEvent({ type: 'track', event: 'Product Added', userId: 'u', properties: { product_id: 'p', price: '9.99', quantity: 2, custom_field: 'kept' } });
  await publishEvent({ type: 'track', event: 'Cart Viewed', anonymousId: 'a' });
  await publishEvent({ type: 'track', event: 'Anything Else', userId: 'u', properties: { whatever: [1] } });
  await publishEvent([
    { type: 'identify', userId: 'u', traits: { email: 'a@b.co', email_marketing_consent: true } },
    { type: 'track', event: 'Order Completed', userId: 'u', properties: { order_id: 'o1', revenue: 10 } },
    { type: 'alias', userId: 'u', previousId: 'a' },
  ]);
  const built: SegmentEventInput[] = [{ type: 'page', anonymousId: 'a' }];
  const dynamicName: string = 'Computed Name';
  await publishEvent(built);
  await publishEvent({ type: 'track', event: dynamicName, userId: 'u', properties: { any: 1 } });
  // @ts-expect-error price must be a number or numeric string
  await publishEvent({ type: 'track', event: 'Product Added', userId: 'u', properties: { product_id: 'p', price: true } });
  // @ts-expect-error Order Completed requires properties with order_id
  await publishEvent({ type: 'track', event: 'Order Completed', userId: 'u' });
  // @ts-expect-error Consent Updated needs email_marketing as a boolean
  await publishEvent({ type: 'track', event: 'Consent Updated', userId: 'u', properties: { email_marketing: 'yes' } });
  // @ts-expect-error alias requires previousId
  await publishEvent({ type: 'alias', userId: 'u' });
  // @ts-expect-error unknown call type
  await publishEvent({ type: 'group', userId: 'u' });
}
