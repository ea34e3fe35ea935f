import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Warehouse, WarehouseRow } from '../../pipelines/warehouse/warehouse.ts';
import { eventRow, identityRow, openFixtureWarehouse } from './fixture-warehouse.ts';

// holdout_uplift and variant_comparison on a generated fixture, checked against the formulas
// computed here in JavaScript from counts known by construction (not read back from SQL).
let warehouse: Warehouse;
let dispose: () => Promise<void>;

const base = Date.parse('2026-03-01T00:00:00.000Z');
const at = (ms: number) => new Date(base + ms).toISOString();
const minute = 60_000;
const hour = 60 * minute;

type Arm = 'send' | 'holdout';
const decision = (send_id: string, campaign_id: string, step: number, person_id: string, outcome: Arm | 'defer' | 'skip', decided_at: string, skipReason = 'no_consent') => ({
  decision_id: `${send_id}-${outcome}-${skipReason}`,
  send_id,
  campaign_id,
  person_id,
  step,
  outcome,
  reason: outcome === 'send' ? 'eligible' : outcome === 'holdout' ? 'holdout' : outcome === 'defer' ? 'quiet_hours' : skipReason,
  defer_until: outcome === 'defer' ? decided_at : null,
  decided_at,
  variant_id: null,
  trigger_key: null,
});
const order = (id: string, person: string, ms: number, total: number) => eventRow(id, at(ms), { user_id: `u-${person}` }, 'order_completed', { total });
const link = (person: string) => identityRow(`l-${person}`, 'user_id', `u-${person}`, person, at(0));

/** The formulas of holdout_uplift.sql, in JavaScript. */
function expectedUplift(campaign_id: string, step: number, t: { n: number; c: number; revenue: number }, k: { n: number; c: number; revenue: number }) {
  const p1 = t.n ? t.c / t.n : null;
  const p0 = k.n ? k.c / k.n : null;
  const uplift = p1 === null || p0 === null ? null : p1 - p0;
  const se = p1 === null || p0 === null ? null : Math.sqrt((p1 * (1 - p1)) / t.n + (p0 * (1 - p0)) / k.n);
  const enough = Math.min(t.c, t.n - t.c, k.c, k.n - k.c) >= 5;
  return {
    campaign_id,
    step,
    treatment_n: t.n,
    treatment_conversions: t.c,
    treatment_conversion_rate: p1,
    treatment_revenue: t.revenue,
    control_n: k.n,
    control_conversions: k.c,
    control_conversion_rate: p0,
    control_revenue: k.revenue,
    uplift,
    relative_uplift: uplift === null || !p0 ? null : uplift / p0,
    uplift_ci_low: uplift === null || se === null || !enough ? null : uplift - 1.96 * se,
    uplift_ci_high: uplift === null || se === null || !enough ? null : uplift + 1.96 * se,
    incremental_revenue: t.n && k.n ? (t.revenue / t.n - k.revenue / k.n) * t.n : null,
    people_needed_per_arm: uplift === null || uplift === 0 ? null : Math.ceil((1.96 ** 2 * (p1! * (1 - p1!) + p0! * (1 - p0!))) / uplift ** 2),
  };
}

before(async () => {
  ({ warehouse, dispose } = await openFixtureWarehouse());
  const decisions: WarehouseRow[] = [];
  const events: WarehouseRow[] = [];
  const identities: WarehouseRow[] = [];
  // cart step 0: 200 treated, 30 of whom order 1 h after the decision (20 each); 100 held out,
  // 8 of whom order (10 each).
  for (let i = 0; i < 200; i++) {
    const person = `t${i}`;
    const decided = i * minute;
    decisions.push(decision(`cart-t${i}`, 'cart', 0, i === 0 ? 't0-old' : person, 'send', at(decided)));
    identities.push(link(person));
    if (i < 30) events.push(order(`o-t${i}`, person, decided + hour, 20));
  }
  // t0 was decided about as t0-old, merged into t0 before ordering.
  identities.push(identityRow('l-t0-merge', 'person', 't0-old', 't0', at(30 * minute)));
  // Duplicates and other outcomes are not units: a copy of a decision, a deferral before the send, a skip.
  decisions.push(decision('cart-t1', 'cart', 0, 't1', 'send', at(minute)));
  decisions.push(decision('cart-t2', 'cart', 0, 't2', 'defer', at(0)));
  decisions.push(decision('cart-x', 'cart', 0, 't3', 'skip', at(0)));
  for (let j = 0; j < 100; j++) {
    const person = `c${j}`;
    const decided = j * minute;
    decisions.push(decision(`cart-c${j}`, 'cart', 0, person, 'holdout', at(decided)));
    identities.push(link(person));
    // c0 orders exactly at the end of its 24 h window: it counts.
    if (j < 8) events.push(order(`o-c${j}`, person, j === 0 ? decided + 24 * hour : decided + 2 * hour, 10));
  }
  // c8 orders at the very instant of its decision, and 1 ms after its window: neither counts.
  events.push(order('o-c8-at', 'c8', 8 * minute, 10), order('o-c8-late', 'c8', 8 * minute + 24 * hour + 1, 10));
  // cart step 1: equal rates (1 of 2 each): uplift 0, no sample size.
  decisions.push(decision('cart1-t', 'cart', 1, 't0', 'send', at(2 * hour)), decision('cart1-t2', 'cart', 1, 't199', 'send', at(2 * hour)));
  decisions.push(decision('cart1-c', 'cart', 1, 'c0', 'holdout', at(2 * hour)), decision('cart1-c2', 'cart', 1, 'c99', 'holdout', at(2 * hour)));
  // (t0's order at 1 h is before this decision; c0's order at 24 h is within it.) t199 gets one:
  events.push(order('o-t199', 't199', 3 * hour, 20));
  // night: everyone decided at 22:00. Ten treated are deferred to 08:00 (quiet hours); five of them
  // order at 23:00, so at 08:00 their send is skipped (cart_converted). Ten held out, five of whom
  // order at 23:00 too. The email had no effect: uplift 0, not a treatment arm emptied by the orders.
  // Four more treated were skipped by the frequency cap (after the holdout draw: treatment), one orders.
  const night = 21 * 24 * hour + 22 * hour;
  for (let i = 0; i < 10; i++) {
    decisions.push(decision(`night-t${i}`, 'night', 0, `nt${i}`, 'defer', at(night)));
    if (i < 5) decisions.push(decision(`night-t${i}`, 'night', 0, `nt${i}`, 'skip', at(night + 10 * hour), 'cart_converted'));
    else decisions.push(decision(`night-t${i}`, 'night', 0, `nt${i}`, 'send', at(night + 10 * hour)));
    decisions.push(decision(`night-c${i}`, 'night', 0, `nc${i}`, 'holdout', at(night)));
    identities.push(link(`nt${i}`), link(`nc${i}`));
    if (i < 5) events.push(order(`o-nt${i}`, `nt${i}`, night + hour, 30), order(`o-nc${i}`, `nc${i}`, night + hour, 30));
  }
  for (let i = 0; i < 4; i++) {
    decisions.push(decision(`night-cap${i}`, 'night', 0, `ncap${i}`, 'skip', at(night), 'frequency_capped'));
    identities.push(link(`ncap${i}`));
  }
  events.push(order('o-ncap0', 'ncap0', night + hour, 30));
  // winback: treated only, no control arm.
  decisions.push(decision('wb-1', 'winback', 0, 't150', 'send', at(0))); // t150 never orders

  // promo step 0: variants a (10 of 100 convert), b (30 of 100), c (12 of 100), one order 1 h
  // after each converted send.
  const sends: WarehouseRow[] = [];
  for (const [variant, converted] of [['a', 10], ['b', 30], ['c', 12]] as const) {
    for (let i = 0; i < 100; i++) {
      const person = `v${variant}${i}`;
      const sent = 10 * 24 * hour + i * minute;
      sends.push({ send_id: `promo-${variant}${i}`, campaign_id: 'promo', person_id: person, step: 0, variant_id: variant, provider: 'outbox', provider_message_id: null, status: 'sent', subject: null, sent_at: at(sent), error: null, trigger_key: null });
      identities.push(link(person));
      if (i < converted) events.push(order(`o-${person}`, person, sent + hour, 15));
    }
  }
  await warehouse.insertRows('decisions', decisions);
  await warehouse.insertRows('events', events);
  await warehouse.insertRows('person_identities', identities);
  await warehouse.insertRows('email_sends', sends);
});
after(async () => dispose?.());

function assertRowsClose(actual: WarehouseRow[], expected: WarehouseRow[]): void {
  assert.equal(actual.length, expected.length, 'row count');
  expected.forEach((row, index) => {
    const got = actual[index]!;
    assert.deepEqual(Object.keys(got).sort(), Object.keys(row).sort(), `columns of row ${index}`);
    for (const [key, want] of Object.entries(row)) {
      const value = got[key];
      if (typeof want === 'number' && !Number.isInteger(want)) {
        assert.equal(typeof value, 'number', `${key} of row ${index}`);
        assert.ok(Math.abs((value as number) - want) < 1e-12, `${key} of row ${index}: ${String(value)} ≠ ${want}`);
      } else {
        assert.equal(value, want, `${key} of row ${index}`);
      }
    }
  });
}

describe('holdout_uplift', () => {
  test('treatment vs holdout per campaign and step: rates, uplift, CI, incremental revenue, sample size', async () => {
    const rows = await warehouse.query('SELECT * FROM nudge.holdout_uplift ORDER BY campaign_id, step');
    const expected = [
      expectedUplift('cart', 0, { n: 200, c: 30, revenue: 600 }, { n: 100, c: 8, revenue: 80 }),
      expectedUplift('cart', 1, { n: 2, c: 1, revenue: 20 }, { n: 2, c: 1, revenue: 10 }),
      expectedUplift('night', 0, { n: 14, c: 6, revenue: 180 }, { n: 10, c: 5, revenue: 150 }),
      expectedUplift('winback', 0, { n: 1, c: 0, revenue: 0 }, { n: 0, c: 0, revenue: 0 }),
    ];
    // The reference agrees with the figures worked out by hand for cart step 0.
    assert.ok(Math.abs(expected[0]!.uplift! - 0.07) < 1e-12);
    assert.ok(Math.abs(expected[0]!.incremental_revenue! - 440) < 1e-9);
    assert.equal(expected[0]!.people_needed_per_arm, 158);
    assert.equal(expected[1]!.people_needed_per_arm, null);
    assert.equal(expected[1]!.uplift_ci_low, null, '1 of 2 against 1 of 2: too few for an interval');
    assert.notEqual(expected[0]!.uplift_ci_low, null);
    assertRowsClose(rows, expected);
  });
});

describe('variant_comparison', () => {
  test('each variant against the alphabetically first: uplift, CI and significance as computed here', async () => {
    const rows = await warehouse.query(
      "SELECT variant_id, is_baseline, sends, converted_sends, conversion_rate, baseline_variant_id, uplift, uplift_ci_low, uplift_ci_high, significant FROM nudge.variant_comparison WHERE campaign_id = 'promo' ORDER BY variant_id",
    );
    const compare = (variant: string, converted: number) => {
      const p = converted / 100;
      const p0 = 10 / 100;
      const se = Math.sqrt((p * (1 - p)) / 100 + (p0 * (1 - p0)) / 100);
      const uplift = p - p0;
      return { variant_id: variant, is_baseline: false, sends: 100, converted_sends: converted, conversion_rate: p, baseline_variant_id: 'a', uplift, uplift_ci_low: uplift - 1.96 * se, uplift_ci_high: uplift + 1.96 * se, significant: uplift - 1.96 * se > 0 || uplift + 1.96 * se < 0 };
    };
    const expected = [
      { variant_id: 'a', is_baseline: true, sends: 100, converted_sends: 10, conversion_rate: 0.1, baseline_variant_id: 'a', uplift: null, uplift_ci_low: null, uplift_ci_high: null, significant: null },
      compare('b', 30),
      compare('c', 12),
    ];
    assert.equal(expected[1]!.significant, true, '30 % against 10 % of 100 is significant');
    assert.equal(expected[2]!.significant, false, '12 % against 10 % of 100 is not');
    assertRowsClose(rows, expected);
  });
});
