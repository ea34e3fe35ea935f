import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Warehouse, WarehouseRow } from '../../pipelines/warehouse/warehouse.ts';
import { eventRow, identityRow, openFixtureWarehouse } from './fixture-warehouse.ts';

// campaign_engagement_daily, orders_with_person, attributed_orders, campaign_conversions and
// variant_comparison on one hand-made campaign in DuckDB; every expected row worked out by hand
// from the fixture below (tables hold duplicates, as on BigQuery).
let warehouse: Warehouse;
let dispose: () => Promise<void>;

const send = (send_id: string, person_id: string, step: number, variant_id: string | null, sent_at: string, status = 'sent') => ({
  send_id,
  campaign_id: 'cart',
  person_id,
  step,
  variant_id,
  provider: 'sendgrid',
  provider_message_id: status === 'failed' ? null : `msg-${send_id}`,
  status,
  subject: 'Your cart',
  sent_at,
  error: status === 'failed' ? '550 rejected' : null,
  trigger_key: null,
});

let n = 0;
const emailEvent = (send_id: string, event_type: string, occurred_at: string, extra: { is_machine?: boolean; bounce_type?: string } = {}) => ({
  email_event_id: `sendgrid:${send_id}-${event_type}-${(n += 1)}`,
  send_id,
  campaign_id: 'cart',
  person_id: 'ignored-here',
  event_type,
  source: 'sendgrid',
  occurred_at,
  received_at: occurred_at,
  is_machine: extra.is_machine ?? false,
  machine_reason: extra.is_machine ? 'sendgrid_machine_open' : null,
  bounce_type: extra.bounce_type ?? null,
  status_code: null,
  url: event_type === 'click' ? 'https://shop.example/cart' : null,
  link_index: event_type === 'click' ? 0 : null,
  provider_message_id: `msg-${send_id}`,
});

before(async () => {
  ({ warehouse, dispose } = await openFixtureWarehouse());
  const linked = (person: string, at = '2026-02-01T00:00:00.000Z') => identityRow(`l-${person}`, 'user_id', `u-${person}`, person, at);
  await warehouse.insertRows('person_identities', [
    linked('pa'), linked('pb'), linked('pc'), linked('pd'),
    // pd-old (who got email s5) was merged into pd before ordering.
    identityRow('l-pd-old', 'person', 'pd-old', 'pd', '2026-03-01T16:00:00.000Z'),
  ]);
  const s1 = send('s1', 'pa', 0, 'a', '2026-03-01T10:00:00.000Z');
  await warehouse.insertRows('email_sends', [
    s1,
    s1, // at-least-once copy
    send('s2', 'pa', 1, 'a', '2026-03-01T20:00:00.000Z'), // second reminder, same person
    send('s3', 'pb', 0, 'b', '2026-03-01T12:00:00.000Z'),
    send('s4', 'pc', 0, 'a', '2026-03-01T13:00:00.000Z'),
    send('s5', 'pd-old', 0, 'b', '2026-03-01T14:00:00.000Z'),
    send('s6', 'pe', 0, 'a', '2026-03-01T15:00:00.000Z', 'failed'), // never left: not a send
    // 2026-03-02: no send at all. 2026-03-03:
    send('s7', 'pf', 0, 'a', '2026-03-03T10:00:00.000Z'),
    send('s8', 'pg', 0, null, '2026-03-03T11:00:00.000Z', 'in_doubt_resolved'),
    send('s9', 'ph', 1, 'b', '2026-03-03T12:00:00.000Z'),
    // Settled by the in-doubt resolver, which does not know the variant: its decision does.
    send('s10', 'pi', 0, null, '2026-03-03T13:00:00.000Z', 'in_doubt_resolved'),
  ]);
  await warehouse.insertRows('decisions', [
    { decision_id: 'd-s10', send_id: 's10', campaign_id: 'cart', person_id: 'pi', step: 0, outcome: 'send', reason: 'eligible', defer_until: null, decided_at: '2026-03-03T12:59:59.000Z', variant_id: 'a', trigger_key: null },
  ]);
  const s1Click = emailEvent('s1', 'click', '2026-03-01T11:05:00.000Z');
  await warehouse.insertRows('email_events', [
    emailEvent('s1', 'delivered', '2026-03-01T10:00:02.000Z'),
    emailEvent('s1', 'open', '2026-03-01T11:00:00.000Z'),
    emailEvent('s1', 'open', '2026-03-01T12:00:00.000Z'), // opened twice: one unique open
    s1Click,
    s1Click, // webhook retried
    emailEvent('s2', 'delivered', '2026-03-01T20:00:02.000Z'),
    emailEvent('s2', 'open', '2026-03-01T20:00:03.000Z', { is_machine: true }), // a privacy proxy only
    emailEvent('s3', 'delivered', '2026-03-01T12:00:02.000Z'),
    emailEvent('s3', 'open', '2026-03-01T12:30:00.000Z'),
    emailEvent('s3', 'click', '2026-03-01T12:00:03.000Z', { is_machine: true }), // link scanner: no touch
    emailEvent('s3', 'unsubscribe', '2026-03-01T12:31:00.000Z'),
    emailEvent('s4', 'bounce', '2026-03-01T13:00:02.000Z', { bounce_type: 'hard' }),
    emailEvent('s5', 'delivered', '2026-03-01T14:00:02.000Z'),
    emailEvent('s5', 'open', '2026-03-02T08:59:00.000Z'),
    emailEvent('s5', 'click', '2026-03-02T09:00:00.000Z'),
    emailEvent('s5', 'spamreport', '2026-03-02T09:10:00.000Z'),
    emailEvent('s6', 'dropped', '2026-03-01T15:00:01.000Z'), // of a failed send: not counted
    emailEvent('s7', 'open', '2026-03-03T10:00:05.000Z', { is_machine: true }), // machine opens only
    emailEvent('s9', 'dropped', '2026-03-03T12:00:01.000Z'), // reported, none delivered
  ]);
  const order = (id: string, person: string, at: string, properties: Record<string, unknown>) => eventRow(id, at, { user_id: `u-${person}` }, 'order_completed', properties);
  const ord1 = order('ord-1', 'pa', '2026-03-01T21:00:00.000Z', { order_id: 1001, total: 50, currency: 'eur' });
  await warehouse.insertRows('events', [
    ord1,
    ord1, // redelivered
    order('ord-2', 'pb', '2026-03-02T12:00:00.000Z', { revenue: '30.5' }), // exactly 24 h after s3
    order('ord-3', 'pc', '2026-03-02T13:00:00.001Z', {
      products: [{ product_id: 'x', price: 10, quantity: 2 }, { sku: 7, price: '2.5' }, { name: 'no id', price: 100 }, 'junk'],
    }), // 1 ms past s4's window
    order('ord-4', 'pd', '2026-03-04T09:00:00.000Z', { total: 'abc', revenue: 40 }), // 2 days after the click on s5
    order('ord-5', 'pa', '2026-03-07T00:00:00.000Z', { total: 5 }), // past every window
    order('ord-6', 'pb', '2026-03-01T11:00:00.000Z', { total: 7 }), // before s3 was sent
    order('ord-7', 'pc', '2026-03-01T13:00:00.000Z', { total: 9 }), // at the very instant of s4
    eventRow('view-1', '2026-03-01T21:30:00.000Z', { user_id: 'u-pa' }, 'product_viewed', { total: 99 }), // not an order
  ]);
});
after(async () => dispose?.());

const nulls = { open_rate: null, ctr: null, click_to_open: null, unsubscribe_rate: null, spam_report_rate: null };
const targets = { open_rate_target: 0.3, ctr_target: 0.1 };

describe('campaign_engagement_daily', () => {
  test('per campaign × step × variant × send day: unique human engagement, machines apart, rates over the sends that did not bounce', async () => {
    const rows = await warehouse.query('SELECT * FROM nudge.campaign_engagement_daily ORDER BY send_date, step, variant_id NULLS FIRST');
    const zero = { delivered: 0, hard_bounces: 0, soft_bounces: 0, dropped: 0, human_unique_opens: 0, machine_unique_opens: 0, human_unique_clicks: 0, machine_unique_clicks: 0, unsubscribes: 0, spam_reports: 0 };
    const expected: WarehouseRow[] = [
      // s1 (delivered, opened twice, clicked) and s4 (hard bounce); s6 failed is no send.
      { campaign_id: 'cart', step: 0, variant_id: 'a', send_date: '2026-03-01', sends: 2, ...zero, delivered: 1, hard_bounces: 1, human_unique_opens: 1, human_unique_clicks: 1, rate_denominator: 1, open_rate: 1, ctr: 1, click_to_open: 1, bounce_rate: 0.5, unsubscribe_rate: 0, spam_report_rate: 0 },
      // s3 (open, scanner click, unsubscribe) and s5 (open, click, spam report).
      { campaign_id: 'cart', step: 0, variant_id: 'b', send_date: '2026-03-01', sends: 2, ...zero, delivered: 2, human_unique_opens: 2, human_unique_clicks: 1, machine_unique_clicks: 1, unsubscribes: 1, spam_reports: 1, rate_denominator: 2, open_rate: 1, ctr: 0.5, click_to_open: 0.5, bounce_rate: 0, unsubscribe_rate: 0.5, spam_report_rate: 0.5 },
      // s2: a machine open only — 0 human opens, 1 machine.
      { campaign_id: 'cart', step: 1, variant_id: 'a', send_date: '2026-03-01', sends: 1, ...zero, delivered: 1, machine_unique_opens: 1, rate_denominator: 1, open_rate: 0, ctr: 0, click_to_open: null, bounce_rate: 0, unsubscribe_rate: 0, spam_report_rate: 0 },
      // 2026-03-02 had no send: no row. s8: settled in doubt, no variant, no event at all.
      { campaign_id: 'cart', step: 0, variant_id: null, send_date: '2026-03-03', sends: 1, ...zero, rate_denominator: 1, open_rate: 0, ctr: 0, click_to_open: null, bounce_rate: 0, unsubscribe_rate: 0, spam_report_rate: 0 },
      // s7: machine open only, and s10 (variant a from its decision): no delivery report, rates over the sends.
      { campaign_id: 'cart', step: 0, variant_id: 'a', send_date: '2026-03-03', sends: 2, ...zero, machine_unique_opens: 1, rate_denominator: 2, open_rate: 0, ctr: 0, click_to_open: null, bounce_rate: 0, unsubscribe_rate: 0, spam_report_rate: 0 },
      // s9: dropped — nothing could be opened: rates NULL, not 0.
      { campaign_id: 'cart', step: 1, variant_id: 'b', send_date: '2026-03-03', sends: 1, ...zero, dropped: 1, rate_denominator: 0, ...nulls, bounce_rate: 0 },
    ].map((row) => ({ ...row, ...targets }));
    assert.deepEqual(rows.map(sortKeys), expected.map(sortKeys));
  });
});

describe('orders_with_person', () => {
  test('one row per order event, revenue read as the profile reads it: total, else revenue, else lines', async () => {
    assert.deepEqual(await warehouse.query('SELECT order_event_id, order_id, person_id, revenue, currency FROM nudge.orders_with_person ORDER BY order_event_id'), [
      { order_event_id: 'ord-1', order_id: '1001', person_id: 'pa', revenue: 50, currency: 'EUR' },
      { order_event_id: 'ord-2', order_id: null, person_id: 'pb', revenue: 30.5, currency: null },
      // 10 × 2 + 2.5 × 1 (no quantity); the line without an id and the non-object are not lines.
      { order_event_id: 'ord-3', order_id: null, person_id: 'pc', revenue: 22.5, currency: null },
      { order_event_id: 'ord-4', order_id: null, person_id: 'pd', revenue: 40, currency: null }, // total 'abc' is no amount
      { order_event_id: 'ord-5', order_id: null, person_id: 'pa', revenue: 5, currency: null },
      { order_event_id: 'ord-6', order_id: null, person_id: 'pb', revenue: 7, currency: null },
      { order_event_id: 'ord-7', order_id: null, person_id: 'pc', revenue: 9, currency: null },
    ]);
  });
});

describe('attributed_orders', () => {
  test('last touch within the window (start exclusive, end inclusive), each order once', async () => {
    const rows = await warehouse.query(
      'SELECT order_event_id, person_id, send_id, step, variant_id, send_date, touch_type, touched_at, window_ends_at, revenue FROM nudge.attributed_orders ORDER BY order_event_id',
    );
    assert.deepEqual(rows, [
      // s1 (sent 10:00, clicked 11:05) and s2 (sent 20:00) both qualify: the later, s2, wins, once.
      { order_event_id: 'ord-1', person_id: 'pa', send_id: 's2', step: 1, variant_id: 'a', send_date: '2026-03-01', touch_type: 'send', touched_at: '2026-03-01T20:00:00.000Z', window_ends_at: '2026-03-02T20:00:00.000Z', revenue: 50 },
      // Exactly at the end of s3's 24 h window: in.
      { order_event_id: 'ord-2', person_id: 'pb', send_id: 's3', step: 0, variant_id: 'b', send_date: '2026-03-01', touch_type: 'send', touched_at: '2026-03-01T12:00:00.000Z', window_ends_at: '2026-03-02T12:00:00.000Z', revenue: 30.5 },
      // The email went to pd-old, merged into pd since; the click's 5-day window covers the order.
      { order_event_id: 'ord-4', person_id: 'pd', send_id: 's5', step: 0, variant_id: 'b', send_date: '2026-03-01', touch_type: 'click', touched_at: '2026-03-02T09:00:00.000Z', window_ends_at: '2026-03-07T09:00:00.000Z', revenue: 40 },
      // Not credited: ord-3 (1 ms past the end), ord-5 (past every window), ord-6 (before the send),
      // ord-7 (at the instant of the send).
    ]);
  });
});

describe('campaign_conversions', () => {
  test('per send day: conversions, converted sends, revenue, rate per send and per email, with the target', async () => {
    const rows = await warehouse.query('SELECT * FROM nudge.campaign_conversions ORDER BY send_date, step, variant_id NULLS FIRST');
    const none = { conversions: 0, converted_sends: 0, revenue: 0, conversion_rate: 0, revenue_per_email: 0, conversion_rate_target: 0.05 };
    assert.deepEqual(rows.map(sortKeys), [
      { campaign_id: 'cart', step: 0, variant_id: 'a', send_date: '2026-03-01', sends: 2, ...none },
      { campaign_id: 'cart', step: 0, variant_id: 'b', send_date: '2026-03-01', sends: 2, ...none, conversions: 2, converted_sends: 2, revenue: 70.5, conversion_rate: 1, revenue_per_email: 35.25 },
      { campaign_id: 'cart', step: 1, variant_id: 'a', send_date: '2026-03-01', sends: 1, ...none, conversions: 1, converted_sends: 1, revenue: 50, conversion_rate: 1, revenue_per_email: 50 },
      { campaign_id: 'cart', step: 0, variant_id: null, send_date: '2026-03-03', sends: 1, ...none },
      { campaign_id: 'cart', step: 0, variant_id: 'a', send_date: '2026-03-03', sends: 2, ...none },
      { campaign_id: 'cart', step: 1, variant_id: 'b', send_date: '2026-03-03', sends: 1, ...none },
    ].map(sortKeys));
  });
});

describe('variant_comparison', () => {
  test('each variant against the alphabetically first of its step; too few conversions: significant is NULL', async () => {
    const rows = await warehouse.query(
      'SELECT campaign_id, step, variant_id, is_baseline, sends, converted_sends, conversion_rate, baseline_variant_id, uplift, uplift_ci_low, uplift_ci_high, significant FROM nudge.variant_comparison ORDER BY step, variant_id',
    );
    // step 0: a = s1, s4, s7, s10 (0 of 4), b = s3, s5 (2 of 2): uplift 1, SE sqrt(0 + 0) = 0.
    // step 1: a = s2 (1 of 1), b = s9 (0 of 1): uplift −1, SE 0.
    assert.deepEqual(rows, [
      { campaign_id: 'cart', step: 0, variant_id: 'a', is_baseline: true, sends: 4, converted_sends: 0, conversion_rate: 0, baseline_variant_id: 'a', uplift: null, uplift_ci_low: null, uplift_ci_high: null, significant: null },
      { campaign_id: 'cart', step: 0, variant_id: 'b', is_baseline: false, sends: 2, converted_sends: 2, conversion_rate: 1, baseline_variant_id: 'a', uplift: 1, uplift_ci_low: 1, uplift_ci_high: 1, significant: null },
      { campaign_id: 'cart', step: 1, variant_id: 'a', is_baseline: true, sends: 1, converted_sends: 1, conversion_rate: 1, baseline_variant_id: 'a', uplift: null, uplift_ci_low: null, uplift_ci_high: null, significant: null },
      { campaign_id: 'cart', step: 1, variant_id: 'b', is_baseline: false, sends: 1, converted_sends: 0, conversion_rate: 0, baseline_variant_id: 'a', uplift: -1, uplift_ci_low: -1, uplift_ci_high: -1, significant: null },
    ]);
  });
});

function sortKeys(row: WarehouseRow): WarehouseRow {
  return Object.fromEntries(Object.entries(row).sort(([a], [b]) => a.localeCompare(b)));
}
