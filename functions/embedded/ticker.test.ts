import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTicker } from './ticker.ts';

test('runs periodically, never overlapping, and wakes early on request', async () => {
  let runs = 0;
  let concurrent = 0;
  let maxConcurrent = 0;
  const ticker = startTicker(
    async () => {
      runs += 1;
      concurrent += 1;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise((resolve) => setTimeout(resolve, 5));
      concurrent -= 1;
    },
    60_000,
    () => {},
  );
  // The period is a minute: only wake-ups can make it run within this test.
  ticker.wakeAt(Date.now());
  ticker.wakeAt(Date.now());
  await new Promise((resolve) => setTimeout(resolve, 2));
  ticker.wakeAt(Date.now()); // arrives while the first run is in progress: one more run after it
  await new Promise((resolve) => setTimeout(resolve, 40));
  await ticker.stop();
  assert.equal(runs, 2);
  assert.equal(maxConcurrent, 1);
});

test('stop waits for the run in progress and prevents further runs', async () => {
  let finished = false;
  let runs = 0;
  const ticker = startTicker(
    async () => {
      runs += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished = true;
    },
    1,
    () => {},
  );
  await new Promise((resolve) => setTimeout(resolve, 5));
  await ticker.stop();
  assert.equal(finished, true);
  const after = runs;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(runs, after);
});

test('a wake-up requested inside an async context runs the work outside it', async () => {
  const { AsyncLocalStorage } = await import('node:async_hooks');
  const context = new AsyncLocalStorage<string>();
  const seen: (string | undefined)[] = [];
  const ticker = startTicker(async () => void seen.push(context.getStore()), 60_000, () => {});
  // Like the fold arming a timer inside a store transaction (which tracks itself this way).
  context.run('inside a transaction', () => ticker.wakeAt(Date.now()));
  await new Promise((resolve) => setTimeout(resolve, 20));
  await ticker.stop();
  assert.deepEqual(seen, [undefined]);
});

test('idle waits for the run in progress (a sweep on demand must not race the ticker\'s own)', async () => {
  let finished = false;
  let release!: () => void;
  const ticker = startTicker(
    async () => {
      await new Promise<void>((resolve) => (release = resolve));
      finished = true;
    },
    60_000,
    () => {},
  );
  ticker.wakeAt(Date.now());
  await new Promise((resolve) => setTimeout(resolve, 5));
  const idle = ticker.idle().then(() => finished);
  release();
  assert.equal(await idle, true);
  await ticker.stop();
});
