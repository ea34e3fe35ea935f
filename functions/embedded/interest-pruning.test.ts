import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startInterestPruning } from './interest-pruning.ts';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('prunes first a while after start, then each period, logging how many; a failure is logged, not thrown', async () => {
  const logs: Record<string, unknown>[] = [];
  const results: Array<number | Error> = [3, new Error('disk full'), 0];
  let calls = 0;
  const ticker = startInterestPruning({
    interests: {
      pruneExpired: async () => {
        const next = results[calls++] ?? 0;
        if (next instanceof Error) throw next;
        return next;
      },
    },
    log: (entry) => logs.push(entry),
    firstAfterMs: 5,
    everyMs: 30,
  });
  await settle(2);
  assert.equal(calls, 0, 'not at start');
  await settle(100);
  await ticker.stop();
  assert.ok(calls >= 3, `ran ${calls} times`);
  assert.deepStrictEqual(logs[0], { severity: 'INFO', message: 'expired product interests pruned', deleted: 3 });
  assert.equal(logs[1]?.severity, 'WARNING');
  assert.match(String(logs[1]?.error), /disk full/);
  const after = calls;
  await settle(50);
  assert.equal(calls, after, 'nothing after stop');
});
