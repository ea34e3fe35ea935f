import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import type { ReceivedMessage } from '../../pipelines/events/bus.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';
import { createSqliteBus, type SqliteBus, type SqliteBusSubscription, type Timers } from './sqlite-bus.ts';
import { openSqliteDatabase } from './sqlite-database.ts';

/** Timers driven by the manual clock: nothing fires until the test moves time. */
function createManualTimers(clock: ReturnType<typeof createManualClock>) {
  const pending = new Map<number, { at: number; fire: () => void }>();
  let nextId = 1;
  const timers: Timers = {
    setTimeout: (fire, ms) => {
      const id = nextId++;
      pending.set(id, { at: clock.now().getTime() + ms, fire });
      return id;
    },
    clearTimeout: (handle) => {
      pending.delete(handle as number);
    },
  };
  return {
    timers,
    advance(ms: number) {
      clock.advance(ms);
      const now = clock.now().getTime();
      for (const [id, timer] of [...pending]) {
        if (timer.at > now) continue;
        pending.delete(id);
        timer.fire();
      }
    },
  };
}

/** Lets the dispatcher run its pending event-loop turns (it never needs wall-clock time). */
async function settle(turns = 30): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
}

const msg = (text: string, attributes: Record<string, string> = {}) => ({ data: Buffer.from(text), attributes });
const texts = (messages: readonly ReceivedMessage[]) => messages.map((m) => m.data.toString());

describe('SQLite bus delivery semantics', () => {
  let dir: string;
  let db: Database.Database;
  let bus: SqliteBus | undefined;
  let clock: ReturnType<typeof createManualClock>;
  let time: ReturnType<typeof createManualTimers>;
  const errors: unknown[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nudge-bus-'));
    db = openSqliteDatabase(join(dir, 'bus.db'));
    clock = createManualClock('2026-11-27T10:00:00.000Z');
    time = createManualTimers(clock);
    errors.length = 0;
  });
  afterEach(async () => {
    await bus?.stop({ graceMs: 1_000 });
    bus = undefined;
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function startBus(subscriptions: SqliteBusSubscription[]): SqliteBus {
    bus = createSqliteBus({ db, clock, timers: time.timers, subscriptions, onError: (error) => errors.push(error) });
    bus.start();
    return bus;
  }
  const count = (table: string) => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

  test('delivers on publish without waiting for any timer, with the publish time of the clock', async () => {
    const got: ReceivedMessage[] = [];
    const b = startBus([{ name: 's', topic: 'events-priority', onMessage: async (m) => void got.push(m) }]);
    await b.publish('events-priority', [msg('hello', { kind: 'identify' })]);
    await b.whenIdle(); // no time.advance(): the publish itself woke the dispatcher
    assert.deepEqual(texts(got), ['hello']);
    assert.deepEqual(got[0]?.attributes, { kind: 'identify' });
    assert.equal(got[0]?.deliveryAttempt, 1);
    assert.equal(got[0]?.publishTime, '2026-11-27T10:00:00.000Z');
    assert.equal(count('bus_deliveries'), 0, 'acked delivery removed');
    assert.equal(count('bus_messages'), 0, 'message removed once no subscription owes it');
  });

  test('backlogPublishedBefore: unacked messages of the named subscriptions published by a time (the reconciliation\'s lag check)', async () => {
    const releases: (() => void)[] = [];
    const b = startBus([
      { name: 'writer', topic: 'events-priority', onMessage: () => new Promise<void>((resolve) => void releases.push(resolve)) },
      { name: 'other', topic: 'events-priority', onMessage: async () => {} },
    ]);
    await b.publish('events-priority', [msg('early')]);
    time.advance(60_000);
    await b.publish('events-priority', [msg('late')]);
    await settle();
    assert.equal(b.backlogPublishedBefore(['writer'], new Date('2026-11-27T10:00:00.000Z')), 1, 'leased and unacked counts');
    assert.equal(b.backlogPublishedBefore(['writer'], new Date('2026-11-27T10:01:00.000Z')), 2);
    assert.equal(b.backlogPublishedBefore(['writer'], new Date('2026-11-27T09:59:59.999Z')), 0);
    assert.equal(b.backlogPublishedBefore(['other'], new Date('2026-11-27T10:01:00.000Z')), 0, 'acked');
    releases.forEach((release) => release());
    await b.whenIdle();
    assert.equal(b.backlogPublishedBefore(['writer'], new Date('2026-11-27T10:01:00.000Z')), 0, 'written');
  });

  test('every subscription of a topic gets its own copy; the message stays until the last ack', async () => {
    const a: string[] = [];
    let releaseB = () => {};
    const b = startBus([
      { name: 'a', topic: 'events-browse', onMessage: async (m) => void a.push(m.data.toString()) },
      { name: 'b', topic: 'events-browse', onMessage: () => new Promise<void>((resolve) => (releaseB = resolve)) },
    ]);
    await b.publish('events-browse', [msg('x')]);
    await settle();
    assert.deepEqual(a, ['x']);
    assert.equal(count('bus_messages'), 1, 'b has not acked yet');
    releaseB();
    await b.whenIdle();
    assert.equal(count('bus_messages'), 0);
  });

  test('a nack is redelivered after exponential backoff with the attempt counted', async () => {
    const attempts: number[] = [];
    const b = startBus([
      {
        name: 's', topic: 'events-priority', minBackoffMs: 1_000, maxBackoffMs: 3_000, maxDeliveryAttempts: 10,
        onMessage: async (m) => {
          attempts.push(m.deliveryAttempt);
          if (m.deliveryAttempt < 4) throw new Error(`boom ${m.deliveryAttempt}`);
        },
      },
    ]);
    await b.publish('events-priority', [msg('retry me')]);
    await b.whenIdle();
    assert.deepEqual(attempts, [1]);
    for (const [wait, expected] of [[1_000, [1, 2]], [2_000, [1, 2, 3]], [3_000, [1, 2, 3, 4]]] as const) {
      time.advance(wait - 1);
      await b.whenIdle();
      assert.equal(attempts.length, expected.length - 1, `not before ${wait} ms`);
      time.advance(1);
      await b.whenIdle();
      assert.deepEqual(attempts, expected, `redelivered after ${wait} ms`);
    }
    assert.equal(b.stats().subscriptions[0]?.backlog, 0, 'acked on the 4th attempt');
    assert.equal(errors.length, 3, 'each handler failure reported');
  });

  test('after maxDeliveryAttempts the message is dead-lettered, listed with its last error, and can be replayed', async () => {
    let failing = true;
    const seen: ReceivedMessage[] = [];
    const b = startBus([
      {
        name: 'poison', topic: 'events-catalog', minBackoffMs: 10, maxBackoffMs: 10, maxDeliveryAttempts: 3,
        onMessage: async (m) => {
          seen.push(m);
          if (failing) throw new Error(`cannot handle attempt ${m.deliveryAttempt}`);
        },
      },
    ]);
    await b.publish('events-catalog', [msg('bad', { kind: 'catalog_updated' })]);
    await b.whenIdle();
    for (let i = 0; i < 3; i++) {
      time.advance(10);
      await b.whenIdle();
    }
    assert.deepEqual(seen.map((m) => m.deliveryAttempt), [1, 2, 3], 'delivered exactly maxDeliveryAttempts times');
    const [dead, ...more] = b.listDeadLettered('poison');
    assert.equal(more.length, 0);
    assert.equal(dead?.data.toString(), 'bad');
    assert.deepEqual(dead?.attributes, { kind: 'catalog_updated' });
    assert.equal(dead?.attempts, 3);
    assert.equal(dead?.topic, 'events-catalog');
    assert.equal(dead?.messageId, seen[0]?.messageId);
    assert.match(dead?.lastError ?? '', /cannot handle attempt 3/);
    assert.deepEqual(b.stats().subscriptions.map((s) => [s.name, s.backlog, s.deadLettered]), [['poison', 0, 1]]);
    assert.equal(count('bus_messages'), 0);

    failing = false;
    assert.equal(b.replayDeadLettered('poison'), 1);
    await b.whenIdle();
    const replayed = seen.at(-1);
    assert.equal(replayed?.data.toString(), 'bad');
    assert.equal(replayed?.deliveryAttempt, 1, 'a replay starts over');
    assert.notEqual(replayed?.messageId, dead?.messageId, 'a replay is a new message');
    assert.deepEqual(b.listDeadLettered('poison'), []);
    assert.throws(() => b.replayDeadLettered('gone'), /Unknown subscription "gone"/);
    assert.equal(b.stats().subscriptions[0]?.deadLettered, 0);
  });

  test('a lease that expires unanswered is redelivered after the ack deadline plus backoff', async () => {
    const calls: ReceivedMessage[] = [];
    let releaseFirst = () => {};
    const b = startBus([
      {
        name: 's', topic: 'events-priority', ackDeadlineMs: 5_000, minBackoffMs: 1_000, maxBackoffMs: 1_000,
        onMessage: (m) => {
          calls.push(m);
          if (calls.length === 1) return new Promise<void>((resolve) => (releaseFirst = resolve)); // hangs
          return Promise.resolve();
        },
      },
    ]);
    await b.publish('events-priority', [msg('slow')]);
    await settle();
    assert.equal(calls.length, 1);
    assert.equal(b.stats().subscriptions[0]?.leased, 1);
    time.advance(5_999);
    await settle();
    assert.equal(calls.length, 1, 'still within deadline + backoff');
    time.advance(1);
    await settle();
    assert.equal(calls.length, 2, 'redelivered once the lease expired');
    assert.equal(calls[1]?.deliveryAttempt, 2);
    assert.equal(calls[1]?.messageId, calls[0]?.messageId);
    releaseFirst(); // the late answer of the first lease must not resurrect anything
    await b.whenIdle();
    assert.equal(b.stats().subscriptions[0]?.backlog, 0);
    assert.equal(calls.length, 2);
  });

  test('a batch handler gets up to maxBatch messages and only its nacked ones come back', async () => {
    const batches: string[][] = [];
    const b = startBus([
      {
        name: 'batch', topic: 'events-browse', maxBatch: 3, minBackoffMs: 100, maxBackoffMs: 100,
        onBatch: async (messages) => {
          batches.push(texts(messages));
          return messages.map((m) => (m.data.toString() === 'b' && m.deliveryAttempt === 1 ? 'nack' : 'ack'));
        },
      },
    ]);
    await b.publish('events-browse', ['a', 'b', 'c', 'd'].map((t) => msg(t)));
    await b.whenIdle();
    assert.deepEqual(batches, [['a', 'b', 'c'], ['d']]);
    time.advance(100);
    await b.whenIdle();
    assert.deepEqual(batches.at(-1), ['b'], 'only the nacked one is redelivered');
    assert.equal(b.stats().subscriptions[0]?.backlog, 0);
  });

  test('a batch handler answering the wrong number of results nacks the whole batch', async () => {
    let calls = 0;
    const b = startBus([{ name: 'batch', topic: 'events-browse', minBackoffMs: 50, maxBackoffMs: 50, onBatch: async () => (++calls === 1 ? ['ack'] : ['ack', 'ack']) }]);
    await b.publish('events-browse', [msg('1'), msg('2')]);
    await b.whenIdle();
    assert.equal(b.stats().subscriptions[0]?.backlog, 2, 'nothing acked from a malformed answer');
    time.advance(50);
    await b.whenIdle();
    assert.equal(calls, 2);
    assert.equal(b.stats().subscriptions[0]?.backlog, 0);
  });

  test('never more than maxOutstanding messages in flight per subscription', async () => {
    let inFlight = 0;
    let peak = 0;
    const gates: Array<() => void> = [];
    const b = startBus([
      {
        name: 's', topic: 'events-browse', maxOutstanding: 2,
        onMessage: async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise<void>((resolve) => gates.push(resolve));
          inFlight--;
        },
      },
    ]);
    await b.publish('events-browse', ['1', '2', '3', '4', '5'].map((t) => msg(t)));
    await settle();
    assert.equal(inFlight, 2);
    while (gates.length > 0) {
      gates.shift()?.();
      await settle();
    }
    await b.whenIdle();
    assert.equal(peak, 2);
    assert.equal(b.stats().subscriptions[0]?.backlog, 0);
  });

  test('publish validates before queueing: a bad call rejects alone, unknown topics reject', async () => {
    const got: string[] = [];
    const b = startBus([{ name: 's', topic: 'events-priority', onMessage: async (m) => void got.push(m.data.toString()) }]);
    const good = b.publish('events-priority', [msg('good')]);
    const bad = b.publish('events-priority', [{ data: 'not a buffer' as unknown as Buffer, attributes: {} }]);
    const badAttribute = b.publish('events-priority', [{ data: Buffer.from('x'), attributes: { n: 1 as unknown as string } }]);
    await assert.rejects(bad, /data must be a Buffer/);
    await assert.rejects(badAttribute, /attribute "n" must be a string/);
    await good;
    await assert.rejects(b.publish('events-unknown' as 'events-priority', [msg('x')]), /Unknown topic "events-unknown"/);
    await b.publish('events-browse', [msg('nobody listens')]); // like Pub/Sub: kept nowhere
    await b.whenIdle();
    assert.deepEqual(got, ['good']);
    assert.equal(count('bus_messages'), 0);
  });

  test('rejects an invalid subscription declaration with a clear message', () => {
    assert.throws(() => createSqliteBus({ db, subscriptions: [{ name: 's', topic: 'events-nope', onMessage: async () => {} }] }), /unknown topic "events-nope"/);
    assert.throws(() => createSqliteBus({ db, subscriptions: [{ name: 's', topic: 'events-browse', maxDeliveryAttempts: 0, onMessage: async () => {} }] }), /maxDeliveryAttempts must be a positive integer/);
    const twice = { name: 's', topic: 'events-browse', onMessage: async () => {} };
    assert.throws(() => createSqliteBus({ db, subscriptions: [twice, twice] }), /declared twice/);
  });
});
