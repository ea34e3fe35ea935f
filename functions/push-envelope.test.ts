import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePushEnvelope, encodePushEnvelope, PushEnvelopeError } from './push-envelope.ts';

// As documented at https://cloud.google.com/pubsub/docs/push#receive_push.
const documented = {
  message: {
    attributes: { key: 'value' },
    data: 'SGVsbG8gQ2xvdWQgUHViL1N1YiEgSGVyZSBpcyBteSBtZXNzYWdlIQ==',
    messageId: '2070443601311540',
    message_id: '2070443601311540',
    publishTime: '2021-02-26T19:13:55.749Z',
    publish_time: '2021-02-26T19:13:55.749Z',
  },
  subscription: 'projects/myproject/subscriptions/mysubscription',
};

describe('decodePushEnvelope', () => {
  test('reads the documented push body from bytes, text or a parsed object alike', () => {
    for (const body of [Buffer.from(JSON.stringify(documented)), JSON.stringify(documented), documented]) {
      const message = decodePushEnvelope(body);
      assert.equal(message.data.toString(), 'Hello Cloud Pub/Sub! Here is my message!');
      assert.deepEqual(message.attributes, { key: 'value' });
      assert.equal(message.messageId, '2070443601311540');
      assert.equal(message.publishTime, '2021-02-26T19:13:55.749Z');
      assert.equal(message.deliveryAttempt, 1, 'absent deliveryAttempt means first delivery');
    }
  });

  test('takes deliveryAttempt, the snake_case ids, and defaults missing data and attributes', () => {
    const message = decodePushEnvelope({
      message: { message_id: '7', publish_time: '2026-01-01T00:00:00Z' },
      subscription: 'projects/p/subscriptions/s',
      deliveryAttempt: 4,
    });
    assert.equal(message.messageId, '7');
    assert.equal(message.publishTime, '2026-01-01T00:00:00Z');
    assert.equal(message.deliveryAttempt, 4);
    assert.equal(message.data.length, 0);
    assert.deepEqual(message.attributes, {});
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['not JSON', Buffer.from('{nope'), /body is not JSON/],
    ['no message', { subscription: 's' }, /message: /],
    ['no subscription', { message: documented.message }, /subscription: /],
    ['data not base64', { ...documented, message: { ...documented.message, data: 'not base64!' } }, /message\.data: Expected standard base64/],
    ['attribute not a string', { ...documented, message: { ...documented.message, attributes: { n: 1 } } }, /message\.attributes\.n/],
    ['no message id', { ...documented, message: { data: '', publishTime: 'x' } }, /message\.messageId is missing/],
    ['no publish time', { ...documented, message: { data: '', messageId: '1' } }, /message\.publishTime is missing/],
    ['deliveryAttempt zero', { ...documented, deliveryAttempt: 0 }, /deliveryAttempt/],
    ['an array', [documented], /\(body\)/],
  ];
  for (const [name, body, pattern] of bad) {
    test(`rejects a body with ${name}, naming the field`, () => {
      assert.throws(
        () => decodePushEnvelope(body),
        (error: unknown) => error instanceof PushEnvelopeError && pattern.test(error.message),
      );
    });
  }
});

describe('encodePushEnvelope', () => {
  test('round-trips every field, including binary data, through decodePushEnvelope', () => {
    const original = {
      data: Buffer.from([0, 1, 2, 250, 255, 0x7b]),
      attributes: { kind: 'product_added', 'ünïcode': 'välue ✓' },
      messageId: '42',
      publishTime: '2026-11-27T10:00:00.123Z',
      deliveryAttempt: 3,
    };
    const body = encodePushEnvelope(original, 'projects/nudge/subscriptions/on-priority-event');
    const parsed = JSON.parse(body.toString()) as { subscription: string; message: { message_id: string } };
    assert.equal(parsed.subscription, 'projects/nudge/subscriptions/on-priority-event');
    assert.equal(parsed.message.message_id, '42');
    assert.deepEqual(decodePushEnvelope(body), original);
  });
});
