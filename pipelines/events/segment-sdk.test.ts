import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Analytics } from '@segment/analytics-node';
import { validatePayload } from './validate-payload.ts';

// What the official Segment Node SDK really sends must pass unchanged. Its HTTP client is
// replaced by a function that keeps the bodies, so nothing touches the network.
test('batches built by @segment/analytics-node validate without errors', async () => {
  const bodies: string[] = [];
  const analytics = new Analytics({
    writeKey: 'wk_test',
    host: 'http://127.0.0.1:9',
    maxEventsInBatch: 50,
    httpClient: {
      makeRequest: async (request) => {
        bodies.push(request.body);
        return { status: 200, statusText: 'OK', headers: {} };
      },
    },
  });
  analytics.identify({ userId: '42', traits: { email: 'Peter@Example.com', email_marketing_consent: true } });
  analytics.track({ anonymousId: 'anon-1', event: 'Product Added', properties: { product_id: 'p1', price: 19.99, quantity: 1 } });
  analytics.track({ userId: 'u1', event: 'Order Completed', properties: { order_id: 'o1', total: 19.99, products: [{ sku: 'S-1' }] } });
  analytics.track({ userId: 'u1', event: 'Something Custom', timestamp: new Date('2026-01-01T00:00:00Z') });
  analytics.page({ anonymousId: 'anon-1', name: 'Home', properties: { url: 'https://shop.example/' } });
  analytics.screen({ userId: 'u1', name: 'Cart' });
  analytics.alias({ userId: 'u1', previousId: 'anon-1' });
  await analytics.closeAndFlush({ timeout: 5000 });

  assert.ok(bodies.length >= 1);
  const events = bodies.flatMap((body) => {
    const result = validatePayload(JSON.parse(body), 'batch', {
      receivedAt: new Date(),
      source: 'http',
      sourceId: 'wk_test',
      newEventId: () => 'generated',
    });
    assert.deepEqual(result.errors, []);
    return result.events;
  });
  assert.deepEqual(
    events.map((e) => e.kind),
    ['identify', 'product_added', 'order_completed', 'other', 'page', 'page', 'alias'],
  );
  assert.equal(events[0]?.user_id, '42');
  assert.equal(events[0]?.email, 'peter@example.com');
  assert.ok(events.every((e) => e.event_id !== 'generated'), 'the SDK sends messageIds');
  assert.equal(events[2]?.properties.products && (events[2].properties.products as { product_id: string }[])[0]?.product_id, 'S-1');
});
