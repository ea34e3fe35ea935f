import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ShopAttempt } from './request-shop-products.ts';
import { retryWithinBudget } from './retry-within-budget.ts';

const settings = { maxAttempts: 3, attemptTimeoutMs: 500, minAttemptMs: 50, backoffBaseMs: 50, backoffMaxMs: 400 };
const ok: ShopAttempt = { ok: true, products: new Map() };
const fail = (reason: string, retryable: boolean, retryAfterMs?: number): ShopAttempt => ({ ok: false, reason, retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

/** A virtual clock the attempts and waits move, so budgets are tested without waiting. */
function scripted(outcomes: ShopAttempt[], attemptCostMs = 0) {
  let now = 0;
  const timeouts: number[] = [];
  return {
    attempt: async (timeoutMs: number) => {
      timeouts.push(timeoutMs);
      now += attemptCostMs;
      return outcomes.shift() ?? ok;
    },
    clock: { now: () => now },
    timeouts,
  };
}

test('retries 5xx, timeouts and network errors until one succeeds', async () => {
  const run = scripted([fail('http_503', true), fail('network', true)]);
  const result = await retryWithinBudget(run.attempt, { endsAt: 10_000, now: run.clock.now }, settings, () => 0);
  assert.equal(result.outcome.ok, true);
  assert.equal(result.attempts, 3);
});

test('never retries what a retry cannot cure (4xx, invalid answers)', async () => {
  for (const outcome of [fail('http_404', false), fail('invalid_response', false)]) {
    const run = scripted([outcome]);
    const result = await retryWithinBudget(run.attempt, { endsAt: 10_000, now: run.clock.now }, settings, () => 0);
    assert.deepEqual(result, { outcome, attempts: 1 });
  }
});

test('stops after maxAttempts with the last failure', async () => {
  const run = scripted([fail('http_500', true), fail('http_502', true), fail('http_503', true), ok]);
  const result = await retryWithinBudget(run.attempt, { endsAt: 10_000, now: run.clock.now }, settings, () => 0);
  assert.deepEqual(result, { outcome: fail('http_503', true), attempts: 3 });
});

test('a Retry-After beyond the budget ends the loop without waiting', async () => {
  const run = scripted([fail('http_429', true, 120_000)]);
  const result = await retryWithinBudget(run.attempt, { endsAt: 800, now: run.clock.now }, settings, () => 0);
  assert.deepEqual(result, { outcome: fail('http_429', true, 120_000), attempts: 1 });
});

test('each attempt gets at most what is left of the budget; none starts with less than minAttemptMs', async () => {
  const run = scripted([fail('timeout', true), fail('timeout', true)], 500);
  const result = await retryWithinBudget(run.attempt, { endsAt: 800, now: run.clock.now }, settings, () => 0);
  assert.deepEqual(run.timeouts, [500, 300]);
  assert.equal(result.attempts, 2);
  const none = scripted([]);
  const skipped = await retryWithinBudget(none.attempt, { endsAt: 49, now: none.clock.now }, settings, () => 0);
  assert.deepEqual({ reason: !skipped.outcome.ok && skipped.outcome.reason, attempts: skipped.attempts }, { reason: 'timeout', attempts: 0 });
});
