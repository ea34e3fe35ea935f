import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CampaignTrigger } from '../campaigns/campaign-definition.ts';
import type { StoredProductInterest } from './apply-interest-signal.ts';
import { T } from './interest-fixtures.ts';
import { DEFAULT_INTEREST_RETENTION_MS, interestExpireAt, isInterestExpired, latestActivityAt, lookbacksBeyondRetention } from './interest-retention.ts';

const DAY_MS = 86_400_000;
const record = (overrides: Partial<StoredProductInterest>): StoredProductInterest => ({
  product_id: 'p',
  identity: 'anon:a',
  view_count: 0,
  last_viewed_at: null,
  last_carted_at: null,
  requested_at: null,
  bought_at: null,
  out_of_stock_interest_at: null,
  first_interest_at: null,
  recent_event_ids: [],
  ...overrides,
});

test('latestActivityAt: the latest of view, add, request and purchase, whichever is set', () => {
  const cases: Array<[string, Partial<StoredProductInterest>, string]> = [
    ['a view only', { last_viewed_at: T(1), first_interest_at: T(1) }, T(1)],
    ['a purchase only (first_interest_at null while stored)', { bought_at: T(2) }, T(2)],
    ['an add after the view', { last_viewed_at: T(1), last_carted_at: T(3), first_interest_at: T(1) }, T(3)],
    ['a request after everything', { last_viewed_at: T(1), last_carted_at: T(3), requested_at: T(9), bought_at: T(4), first_interest_at: T(1) }, T(9)],
    ['a purchase after the interest keeps the record', { last_viewed_at: T(1), bought_at: T(700), first_interest_at: T(1) }, T(700)],
  ];
  for (const [name, fields, expected] of cases) assert.equal(latestActivityAt(record(fields)), expected, name);
});

test('interestExpireAt: latest activity plus the retention, as an ISO instant', () => {
  assert.equal(interestExpireAt(record({ last_viewed_at: T(0), last_carted_at: T(5) }), DAY_MS), T(5 + 24 * 60));
  assert.equal(interestExpireAt(record({ bought_at: T(0) }), DEFAULT_INTEREST_RETENTION_MS), T(90 * 24 * 60));
});

test('isInterestExpired: expired from expire_at on, alive before', () => {
  assert.equal(isInterestExpired(T(10), new Date(Date.parse(T(10)) - 1)), false);
  assert.equal(isInterestExpired(T(10), new Date(T(10))), true);
  assert.equal(isInterestExpired(T(10), new Date(T(11))), true);
});

test('lookbacksBeyondRetention: back-in-stock and price-drop lookbacks longer than the retention, by campaign', () => {
  // The trigger as the definition schema gives it, defaults filled in.
  const campaign = (id: string, trigger: Record<string, unknown>) => ({ id, trigger: CampaignTrigger.parse(trigger) });
  const definitions = [
    campaign('restock', { kind: 'back_in_stock' }),
    campaign('restock-long', { kind: 'back_in_stock', lookback: '120d' }),
    campaign('drop', { kind: 'price_drop', lookback: '91d' }),
    campaign('browse', { kind: 'browse_abandoned' }),
  ];
  assert.deepStrictEqual(lookbacksBeyondRetention(DEFAULT_INTEREST_RETENTION_MS, definitions), [
    { campaign: 'restock-long', lookback: '120d' },
    { campaign: 'drop', lookback: '91d' },
  ]);
  assert.deepStrictEqual(lookbacksBeyondRetention(120 * DAY_MS, definitions), []);
  assert.deepStrictEqual(lookbacksBeyondRetention(20 * DAY_MS, definitions.slice(0, 1)), [{ campaign: 'restock', lookback: '30d' }]);
});
