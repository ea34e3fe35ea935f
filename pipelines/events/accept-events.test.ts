import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAcceptEvents } from './accept-events.ts';
import type { DeadLetter } from './dead-letters.ts';
import { validatePayload } from './validate-payload.ts';

test('acceptEvents: an event that cannot be encoded is dead-lettered with the reason, the others still published', async () => {
  const published: string[] = [];
  const deadLetters: DeadLetter[] = [];
  const acceptEvents = createAcceptEvents({
    bus: { publish: async (_topic, messages) => void published.push(...messages.map((m) => m.attributes.event_id ?? '')) },
    deadLetters: { put: async (records) => void deadLetters.push(...records) },
    newId: () => 'dl-1',
  });
  const receivedAt = new Date('2026-06-01T12:00:00.000Z');
  const { events } = validatePayload(
    { batch: [{ type: 'page', userId: 'u', messageId: 'ok' }, { type: 'page', userId: 'u', messageId: 'bad' }] },
    'batch',
    { receivedAt, source: 'test', sourceId: null, newEventId: () => 'x' },
  );
  // A consumer-built event (the door would have refused it) that JSON.stringify cannot encode.
  events[1]!.properties = { n: 10n };
  await acceptEvents({ events, rejected: [], stage: 'collect', sourceId: null, receivedAt });
  assert.deepEqual(published, ['ok']);
  assert.equal(deadLetters.length, 1);
  assert.match(deadLetters[0]!.reason, /could not be encoded/);
  assert.match(deadLetters[0]!.payload, /"event_id":"bad"/);
});
