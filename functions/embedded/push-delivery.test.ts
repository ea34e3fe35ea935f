import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HttpRequest } from '../http.ts';
import { decodePushEnvelope } from '../push-envelope.ts';
import { createPushDelivery } from './push-delivery.ts';

const message = { data: Buffer.from('{"event_id":"e1"}'), attributes: { kind: 'identify' }, messageId: '9', publishTime: '2026-11-27T10:00:00.000Z', deliveryAttempt: 2 };

test('POSTs the Pub/Sub push envelope and acks on a 2xx Pub/Sub accepts', async () => {
  const requests: HttpRequest[] = [];
  const handle = createPushDelivery(async (request) => {
    requests.push(request);
    return { status: 204 };
  }, { subscription: 'on-priority-event', path: '/on-priority-event' });
  await handle(message);
  const [request] = requests;
  assert.equal(request?.method, 'POST');
  assert.equal(request?.path, '/on-priority-event');
  assert.deepEqual(decodePushEnvelope(request?.rawBody), message);
  assert.equal((JSON.parse(request?.rawBody.toString() ?? '{}') as { subscription: string }).subscription, 'projects/nudge-embedded/subscriptions/on-priority-event');
});

test('any other status is a nack carrying the status and body', async () => {
  for (const status of [400, 429, 500, 203]) {
    const handle = createPushDelivery(async () => ({ status, body: 'profile store unavailable' }), { subscription: 's' });
    await assert.rejects(handle(message), new RegExp(`answered ${status}: profile store unavailable`));
  }
});
