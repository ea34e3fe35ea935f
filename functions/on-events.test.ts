import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeEventMessage } from '../pipelines/events/encode-message.ts';
import { makeEvent } from '../pipelines/profiles/event-fixtures.ts';
import type { FoldResult } from '../pipelines/profiles/fold-events.ts';
import { createEventConsumerEntry, type ProfileFold } from './on-events.ts';
import { encodePushEnvelope } from './push-envelope.ts';

const push = (receivedAt: string, id: string) => {
  const message = encodeEventMessage(makeEvent('identify', { event_id: id, received_at: receivedAt }));
  return {
    method: 'POST',
    path: '/',
    headers: {},
    query: new URLSearchParams(),
    rawBody: encodePushEnvelope({ ...message, messageId: id, publishTime: receivedAt, deliveryAttempt: 1 }, 'projects/p/subscriptions/events-priority-push'),
    remoteAddress: '127.0.0.1',
  };
};

test('after a fold commits, reportFold gets its size and the lag of its oldest event (receipt → commit)', async () => {
  const folds: ProfileFold[] = [];
  const folded: string[] = [];
  const entry = createEventConsumerEntry({
    foldEvents: async (events) => {
      folded.push(...events.map((event) => event.event_id));
      return {} as FoldResult;
    },
    deadLetters: { put: async () => {} },
    clock: { now: () => new Date('2026-03-01T10:00:02.500Z') },
    newId: () => 'id',
    coalesceWindowMs: 0,
    coalesceMaxBatch: 100,
    stage: 'on-priority-event',
    reportFold: (fold) => folds.push(fold),
  });
  assert.equal((await entry(push('2026-03-01T10:00:00.000Z', 'e-1'))).status, 204);
  assert.deepEqual(folded, ['e-1']);
  assert.deepEqual(folds, [{ stage: 'on-priority-event', events: 1, profile_lag_ms: 2500 }]);
});

test('a fold that fails reports nothing (the lag of a profile never written is not a lag)', async () => {
  const folds: ProfileFold[] = [];
  const entry = createEventConsumerEntry({
    foldEvents: async () => {
      throw new Error('firestore unavailable');
    },
    deadLetters: { put: async () => {} },
    clock: { now: () => new Date('2026-03-01T10:00:02.500Z') },
    newId: () => 'id',
    coalesceWindowMs: 0,
    coalesceMaxBatch: 100,
    stage: 'on-priority-event',
    reportFold: (fold) => folds.push(fold),
  });
  assert.equal((await entry(push('2026-03-01T10:00:00.000Z', 'e-2'))).status, 500);
  assert.deepEqual(folds, []);
});
