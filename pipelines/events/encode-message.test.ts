import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEventMessage, encodeEventMessage, InvalidEventMessageError } from './encode-message.ts';
import type { NudgeEvent } from './nudge-event.ts';

const event: NudgeEvent = {
  event_id: 'm-1',
  type: 'identify',
  kind: 'identify',
  event_name: null,
  anonymous_id: 'a-1',
  user_id: 'u-1',
  email: 'peter@example.com',
  previous_id: null,
  properties: {},
  traits: { email: 'Peter@Example.com', name: 'Péter ✉', address: { city: 'Lyon' } },
  context: { ip: '8.8.8.8' },
  occurred_at: '2026-06-01T11:59:00.000Z',
  received_at: '2026-06-01T12:00:00.000Z',
  source: 'http',
  source_id: 'wk_1',
  hops: { collected: '2026-06-01T12:00:00.000Z' },
  schema_version: 1,
};

describe('event messages', () => {
  test('round trip: decode(encode(event)) equals the event', () => {
    assert.deepEqual(decodeEventMessage(encodeEventMessage(event).data), event);
  });

  test('attributes are exactly event_id, kind, type, schema_version (no personal data)', () => {
    const { attributes } = encodeEventMessage(event);
    assert.deepEqual(attributes, { event_id: 'm-1', kind: 'identify', type: 'identify', schema_version: '1' });
    for (const value of Object.values(attributes)) {
      assert.ok(!/example\.com|u-1|a-1|8\.8\.8\.8/.test(value));
    }
  });

  const bad: [string, Buffer, RegExp][] = [
    ['not JSON', Buffer.from('{"event_id":'), /not JSON/],
    ['JSON but not an event', Buffer.from('{"hello":"world"}'), /not a NudgeEvent: .*event_id/],
    ['wrong schema_version', Buffer.from(JSON.stringify({ ...event, schema_version: 2 })), /schema_version/],
    ['unknown kind', Buffer.from(JSON.stringify({ ...event, kind: 'group' })), /kind/],
    ['occurred_at with offset', Buffer.from(JSON.stringify({ ...event, occurred_at: '2026-06-01T12:00:00+02:00' })), /occurred_at/],
  ];
  for (const [name, data, message] of bad) {
    test(`decode throws InvalidEventMessageError on ${name}`, () => {
      assert.throws(() => decodeEventMessage(data), (error: unknown) => {
        assert.ok(error instanceof InvalidEventMessageError);
        assert.match(error.message, message);
        return true;
      });
    });
  }
});
