import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeadLetter } from './dead-letters.ts';
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
