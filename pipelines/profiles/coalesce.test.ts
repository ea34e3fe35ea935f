import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCoalescer, eventCoalesceKey, type CoalescerTimers } from './coalesce.ts';
import { makeEvent } from './event-fixtures.ts';

/** Timers that only move when the test says so. */
function fakeTimers() {
  let now = 0;
  let nextId = 1;
  const scheduled = new Map<number, { at: number; callback: () => void }>();
  const timers: CoalescerTimers = {
    setTimeout: (callback, ms) => {
      const id = nextId++;
      scheduled.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout: (handle: never) => {
      scheduled.delete(handle as unknown as number);
    },
  };
  /** Moves time forward, firing due timers in order, and lets promise callbacks run. */
  const advance = async (ms: number) => {
    const until = now + ms;
    for (;;) {
      const due = [...scheduled.entries()].filter(([, t]) => t.at <= until).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      scheduled.delete(due[0]);
      now = due[1].at;
      due[1].callback();
      await settle();
    }
    now = until;
    await settle();
  };
  return { timers, advance, pendingTimers: () => scheduled.size };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

type Item = { key: string; n: number };

function setup(options: { windowMs?: number; maxBatch?: number; flush?: (items: Item[]) => Promise<void> } = {}) {
  const clock = fakeTimers();
  const flushed: Item[][] = [];
  const coalescer = createCoalescer<Item>({
    windowMs: options.windowMs ?? 1000,
    maxBatch: options.maxBatch ?? 100,
    keyOf: (item) => item.key,
    flush: options.flush ?? (async (items) => void flushed.push(items)),
    timers: clock.timers,
  });
  return { ...clock, coalescer, flushed };
}

describe('createCoalescer', () => {
  test('items with the same key within the window are flushed together, once the window ends', async () => {
    const { coalescer, flushed, advance } = setup();
    const settled: number[] = [];
    const adds = [1, 2, 3].map((n) => coalescer.add({ key: 'a', n }).then(() => settled.push(n)));
    await advance(999);
    assert.deepStrictEqual(flushed, []);
    assert.deepStrictEqual(settled, []);
    assert.equal(coalescer.pending(), 3);
    await advance(1);
    await Promise.all(adds);
    assert.deepStrictEqual(flushed, [[{ key: 'a', n: 1 }, { key: 'a', n: 2 }, { key: 'a', n: 3 }]]);
    assert.deepStrictEqual(settled, [1, 2, 3]);
    assert.equal(coalescer.pending(), 0);
  });

  test('different keys are flushed separately; the window starts with a key\'s first item', async () => {
    const { coalescer, flushed, advance } = setup();
    void coalescer.add({ key: 'a', n: 1 });
    await advance(500);
    void coalescer.add({ key: 'b', n: 2 });
    void coalescer.add({ key: 'a', n: 3 });
    await advance(500);
    assert.deepStrictEqual(flushed, [[{ key: 'a', n: 1 }, { key: 'a', n: 3 }]]);
    void coalescer.add({ key: 'a', n: 4 });
    await advance(500);
    assert.deepStrictEqual(flushed.slice(1), [[{ key: 'b', n: 2 }]]);
    await advance(500);
    assert.deepStrictEqual(flushed.slice(2), [[{ key: 'a', n: 4 }]], 'at most one flush per key per window');
  });

  test('maxBatch flushes at once and clears the window timer', async () => {
    const { coalescer, flushed, advance, pendingTimers } = setup({ maxBatch: 2 });
    const both = Promise.all([coalescer.add({ key: 'a', n: 1 }), coalescer.add({ key: 'a', n: 2 })]);
    assert.equal(pendingTimers(), 0);
    await advance(0);
    await both;
    assert.deepStrictEqual(flushed, [[{ key: 'a', n: 1 }, { key: 'a', n: 2 }]]);
  });

  test('a failed flush rejects every add of its batch, and only those', async () => {
    const { coalescer, advance } = setup({
      flush: async (items) => {
        if (items.some((item) => item.key === 'bad')) throw new Error('store down');
      },
    });
    const bad = [coalescer.add({ key: 'bad', n: 1 }), coalescer.add({ key: 'bad', n: 2 })].map((p) => p.then(() => 'ok', (e: Error) => e.message));
    const good = coalescer.add({ key: 'good', n: 3 }).then(() => 'ok');
    await advance(1000);
    assert.deepStrictEqual(await Promise.all(bad), ['store down', 'store down']);
    assert.equal(await good, 'ok');
  });

  test('flushes of one key never overlap: the next batch waits for the one in flight', async () => {
    let release: () => void = () => undefined;
    const calls: number[][] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const { coalescer, advance } = setup({
      maxBatch: 1,
      flush: async (items) => {
        calls.push(items.map((item) => item.n));
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (items[0]!.n === 1) await new Promise<void>((resolve) => (release = resolve));
        inFlight--;
      },
    });
    const first = coalescer.add({ key: 'a', n: 1 });
    const second = coalescer.add({ key: 'a', n: 2 });
    await advance(0);
    assert.deepStrictEqual(calls, [[1]]);
    release();
    await Promise.all([first, second]);
    assert.deepStrictEqual(calls, [[1], [2]]);
    assert.equal(maxInFlight, 1);
  });

  test('flushAll flushes open batches now and waits for them (shutdown)', async () => {
    const { coalescer, flushed, pendingTimers } = setup({ windowMs: 60_000 });
    const adds = [coalescer.add({ key: 'a', n: 1 }), coalescer.add({ key: 'b', n: 2 })];
    await coalescer.flushAll();
    assert.deepStrictEqual(flushed, [[{ key: 'a', n: 1 }], [{ key: 'b', n: 2 }]]);
    assert.equal(pendingTimers(), 0);
    await Promise.all(adds);
  });

  test('uses the global timers when none are given', async () => {
    const flushed: number[][] = [];
    const coalescer = createCoalescer<number>({ windowMs: 0, maxBatch: 10, keyOf: () => 'k', flush: async (items) => void flushed.push(items) });
    await Promise.all([coalescer.add(1), coalescer.add(2)]);
    assert.deepStrictEqual(flushed, [[1, 2]]);
  });

  test('rejects nonsense options', () => {
    const timers = fakeTimers().timers;
    assert.throws(() => createCoalescer({ windowMs: 10, maxBatch: 0, keyOf: String, flush: async () => {}, timers }), /maxBatch/);
    assert.throws(() => createCoalescer({ windowMs: -1, maxBatch: 1, keyOf: String, flush: async () => {}, timers }), /windowMs/);
  });
});

describe('eventCoalesceKey', () => {
  test('user id, else anonymous id, else email', () => {
    assert.equal(eventCoalesceKey(makeEvent('page', { user_id: 'u', anonymous_id: 'a', email: 'e@x' })), 'user:u');
    assert.equal(eventCoalesceKey(makeEvent('page', { user_id: null, anonymous_id: 'a', email: 'e@x' })), 'anon:a');
    assert.equal(eventCoalesceKey(makeEvent('page', { user_id: null, anonymous_id: null, email: 'e@x' })), 'email:e@x');
  });
});
