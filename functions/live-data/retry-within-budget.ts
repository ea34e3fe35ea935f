import type { ShopAttempt } from './request-shop-products.ts';
import type { ShopApiLiveDataSettings } from './shop-api-defaults.ts';

export type RetrySettings = Pick<ShopApiLiveDataSettings, 'maxAttempts' | 'attemptTimeoutMs' | 'minAttemptMs' | 'backoffBaseMs' | 'backoffMaxMs'>;

/**
 * Runs `attempt` until it succeeds, fails for a reason a retry cannot cure, or another attempt
 * would not fit in the budget: the wait before it (Retry-After when the shop sent one, else full
 * jitter, so instances that failed together do not retry together) plus `minAttemptMs` must end
 * before `endsAt`. A Retry-After beyond the budget therefore ends the loop at once rather than
 * waiting for an answer that could not be used. Each attempt gets what is left, at most
 * `attemptTimeoutMs`.
 *
 * `now` and `endsAt` are on a monotonic clock (performance.now), the clock timers run on.
 * With no budget for even one attempt the result is a `timeout`.
 */
export async function retryWithinBudget(
  attempt: (timeoutMs: number) => Promise<ShopAttempt>,
  budget: { endsAt: number; now: () => number },
  settings: RetrySettings,
  random: () => number,
): Promise<{ outcome: ShopAttempt; attempts: number }> {
  let outcome: ShopAttempt = { ok: false, reason: 'timeout', retryable: false, detail: 'no budget for a request' };
  let attempts = 0;
  while (attempts < settings.maxAttempts) {
    const remaining = budget.endsAt - budget.now();
    if (remaining < settings.minAttemptMs) break;
    attempts += 1;
    outcome = await attempt(Math.min(settings.attemptTimeoutMs, remaining));
    if (outcome.ok || !outcome.retryable || attempts >= settings.maxAttempts) break;
    const wait = outcome.retryAfterMs ?? random() * Math.min(settings.backoffMaxMs, settings.backoffBaseMs * 2 ** attempts);
    if (budget.now() + wait + settings.minAttemptMs > budget.endsAt) break;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return { outcome, attempts };
}
