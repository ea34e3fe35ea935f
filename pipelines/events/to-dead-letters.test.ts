import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serialiseForDeadLetter, truncateForDeadLetter } from './dead-letter-payload.ts';
import { DeadLetter } from './dead-letters.ts';
import { maxDeadLetterPayloadChars, maxJsonDepth } from './limits.ts';
import { toDeadLetters } from './to-dead-letters.ts';

test('toDeadLetters: one valid record per rejected event, with a one-line reason', () => {
  let next = 0;
  const letters = toDeadLetters(
    [
      { index: 2, payload: '{"type":"page"}', errors: [{ index: 2, path: 'userId', message: 'Required: anonymousId or userId' }] },
      {
        payload: '{"a":1}',
        errors: [
          { path: '', message: 'Event is 40000 bytes; the limit is 32768 bytes (32 KB) per event' },
          { path: 'type', message: 'x' },
          { path: 'event', message: 'y' },
        ],
      },
    ],
    { stage: 'collect', sourceId: 'wk_1', receivedAt: new Date('2026-06-01T12:00:00.000Z'), newId: () => `dl-${++next}` },
  );
  assert.deepEqual(
    letters.map((l) => [l.dead_letter_id, l.stage, l.reason, l.payload, l.source_id, l.received_at]),
    [
      ['dl-1', 'collect', 'userId: Required: anonymousId or userId', '{"type":"page"}', 'wk_1', '2026-06-01T12:00:00.000Z'],
      ['dl-2', 'collect', 'Event is 40000 bytes; the limit is 32768 bytes (32 KB) per event (+2 more)', '{"a":1}', 'wk_1', '2026-06-01T12:00:00.000Z'],
    ],
  );
  assert.equal(letters[1]?.errors.length, 3);
  for (const letter of letters) assert.ok(DeadLetter.safeParse(letter).success);
});

/** Follows `key` `times` levels down a parsed payload. */
function descend(value: unknown, key: string | number, times: number): unknown {
  for (let i = 0; i < times; i++) value = (value as Record<string | number, unknown>)[key];
  return value;
}

const cutMarker = `[truncated: nested deeper than ${maxJsonDepth} levels]`;

describe('dead-letter payloads: refused input is kept readable, and keeping it never fails', () => {
  test('exact JSON whenever it can be produced, with the sender’s own toJSON (a Money class)', () => {
    class Money {
      constructor(readonly cents: number) {}
      toJSON(): string {
        return (this.cents / 100).toFixed(2);
      }
    }
    const item = { userId: 'u', event: 'Product Added', properties: { price: new Money(1999) } };
    assert.equal(serialiseForDeadLetter(item), '{"userId":"u","event":"Product Added","properties":{"price":"19.99"}}');
  });

  test('input JSON cannot hold (a BigInt from publishEvent) is kept as JSON: the BigInt as a string, everything else as JSON has it', () => {
    const item = {
      userId: 'u',
      properties: { order_id: 10n, total: 19.5, paid: true, coupon: null, products: [{ product_id: 'p', quantity: 2 }] },
      timestamp: new Date('2026-06-01T12:00:00.000Z'),
      sentAt: new Date(Number.NaN),
    };
    assert.equal(
      serialiseForDeadLetter(item),
      '{"userId":"u","properties":{"order_id":"10","total":19.5,"paid":true,"coupon":null,"products":[{"product_id":"p","quantity":2}]},' +
        '"timestamp":"2026-06-01T12:00:00.000Z","sentAt":null}',
    );
  });

  test('a too-deep event keeps every level the door accepts; only what lies deeper becomes a marker', () => {
    let accepted: unknown = { leaf: 'kept' };
    for (let level = 1; level < maxJsonDepth; level++) accepted = { a: accepted };
    let tooDeep: unknown = 'lost';
    for (let level = 0; level < maxJsonDepth + 8; level++) tooDeep = [tooDeep];
    const payload = JSON.parse(serialiseForDeadLetter({ userId: 'u', accepted, tooDeep }));
    assert.equal(payload.userId, 'u');
    // `accepted` is level 1 and holds maxJsonDepth − 1 more objects: all kept, down to the leaf.
    assert.deepEqual(descend(payload.accepted, 'a', maxJsonDepth - 1), { leaf: 'kept' });
    // The arrays of levels 1 … maxJsonDepth are kept; the one below them is the marker.
    assert.deepEqual(descend(payload.tooDeep, 0, maxJsonDepth - 1), [cutMarker]);
  });

  test('a circular event (publishEvent) is kept with its fields, the cycle cut at the depth limit', () => {
    const item: Record<string, unknown> = { userId: 'u', event: 'Product Viewed' };
    item.self = item;
    const payload = JSON.parse(serialiseForDeadLetter(item));
    assert.equal(payload.event, 'Product Viewed');
    assert.equal(descend(payload, 'self', maxJsonDepth + 1), cutMarker);
  });

  test('input no JSON can be made of (its own toJSON throws, on the copy too) still gives a dead letter, naming why', () => {
    const item = {
      userId: 'u',
      toJSON(): never {
        throw new Error('session closed');
      },
    };
    assert.equal(serialiseForDeadLetter(item), '[not serialisable: session closed]');
  });

  test('raw text up to the dead-letter size limit is kept whole; longer text is cut there, saying how much was dropped', () => {
    const atLimit = 'x'.repeat(maxDeadLetterPayloadChars);
    assert.equal(truncateForDeadLetter(atLimit), atLimit);
    assert.equal(truncateForDeadLetter(`${atLimit}yz`), `${atLimit}…[truncated: 2 more characters]`);
  });
});
