import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from './config-error.ts';
import { checkInterestRetentionCoversCampaigns, parseInterestRetention } from './interest-retention-config.ts';

const DAY_MS = 86_400_000;

test('NUDGE_INTEREST_RETENTION: a duration, 90d when unset or empty', () => {
  assert.equal(parseInterestRetention({}), 90 * DAY_MS);
  assert.equal(parseInterestRetention({ NUDGE_INTEREST_RETENTION: '' }), 90 * DAY_MS);
  assert.equal(parseInterestRetention({ NUDGE_INTEREST_RETENTION: ' 180d ' }), 180 * DAY_MS);
  assert.equal(parseInterestRetention({ NUDGE_INTEREST_RETENTION: '7d' }), 7 * DAY_MS);
  assert.equal(parseInterestRetention({ NUDGE_INTEREST_RETENTION: '6d24h' }), 7 * DAY_MS);
});

test('NUDGE_INTEREST_RETENTION refuses what is not a duration, and anything under 7 days, naming the variable', () => {
  for (const value of ['90', 'ninety days', '0d', '-5d', '1.5d']) {
    assert.throws(() => parseInterestRetention({ NUDGE_INTEREST_RETENTION: value }), (error: unknown) => error instanceof ConfigError && /NUDGE_INTEREST_RETENTION must be a duration like "90d"/.test(error.message), value);
  }
  for (const value of ['12h', '1d', '6d23h']) {
    assert.throws(() => parseInterestRetention({ NUDGE_INTEREST_RETENTION: value }), (error: unknown) => error instanceof ConfigError && /NUDGE_INTEREST_RETENTION must be at least 7d/.test(error.message), value);
  }
});

test('a retention shorter than a campaign lookback is refused, naming the variable and the campaigns', () => {
  const restock = (id: string, lookback: string) => ({ id, trigger: { kind: 'back_in_stock' as const, lookback, stock_factor: 3 } });
  assert.doesNotThrow(() => checkInterestRetentionCoversCampaigns(90 * DAY_MS, [restock('a', '30d'), restock('b', '90d')]));
  assert.throws(
    () => checkInterestRetentionCoversCampaigns(90 * DAY_MS, [restock('a', '30d'), restock('b', '100d')]),
    (error: unknown) => error instanceof ConfigError && /^NUDGE_INTEREST_RETENTION \(90d\) is shorter than the lookback of campaigns b \(lookback 100d\)/.test(error.message),
  );
  assert.throws(() => checkInterestRetentionCoversCampaigns(7 * DAY_MS + 3_600_000, [restock('c', '8d')]), /\(169h\)/);
});
