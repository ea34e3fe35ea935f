import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import type { DeadLetter } from '../../pipelines/events/dead-letters.ts';
import { createSqliteBus } from './sqlite-bus.ts';
import { createSqliteDeadLetterStore } from './sqlite-dead-letters.ts';

const record = (id: string, stage: string, receivedAt: string): DeadLetter => ({
  dead_letter_id: id,
  stage,
  reason: 'invalid event',
  errors: [{ index: 2, path: 'properties.price', message: 'Expected number' }, { path: 'userId', message: 'Required' }],
  payload: '{"type":"track","properties":{"price":"free"}}',
  source_id: stage === 'collect' ? 'wk_1' : null,
  received_at: receivedAt,
});

test('dead letters round-trip exactly, newest first, filtered by stage and limited', async () => {
  const db = new Database(':memory:');
  const store = createSqliteDeadLetterStore({ db });
  const a = record('a', 'collect', '2026-11-27T10:00:00.000Z');
  const b = record('b', 'publish', '2026-11-27T10:00:01.000Z');
  const c = record('c', 'collect', '2026-11-27T10:00:02.000Z');
  await store.put([a, b]);
  await store.put([c]);
  assert.deepEqual(await store.list(), [c, b, a]);
  assert.deepEqual(await store.list({ stage: 'collect' }), [c, a]);
  assert.deepEqual(await store.list({ limit: 1 }), [c]);
  assert.deepEqual(await store.list({ stage: 'profile' }), []);
});

test('putting the same dead_letter_id again keeps one record', async () => {
  const db = new Database(':memory:');
  const store = createSqliteDeadLetterStore({ db });
  const a = record('a', 'collect', '2026-11-27T10:00:00.000Z');
  await store.put([a]);
  await store.put([{ ...a, reason: 'second try' }]);
  assert.deepEqual(await store.list(), [a]);
});

test('an invalid record rejects the whole put and stores nothing', async () => {
  const db = new Database(':memory:');
  const store = createSqliteDeadLetterStore({ db });
  const good = record('a', 'collect', '2026-11-27T10:00:00.000Z');
  await assert.rejects(store.put([good, { ...good, dead_letter_id: 'b', received_at: 'not a time' }]));
  assert.deepEqual(await store.list(), []);
});

test('shares a database file with the bus without interfering', async () => {
  const db = new Database(':memory:');
  const bus = createSqliteBus({ db, subscriptions: [{ name: 's', topic: 'events-priority', onMessage: async () => {} }] });
  const store = createSqliteDeadLetterStore({ db });
  await store.put([record('a', 'collect', '2026-11-27T10:00:00.000Z')]);
  await bus.publish('events-priority', [{ data: Buffer.from('x'), attributes: {} }]);
  assert.equal((await store.list()).length, 1);
  assert.equal(bus.stats().subscriptions[0]?.backlog, 1);
  assert.deepEqual(bus.listDeadLettered('s'), []);
});
