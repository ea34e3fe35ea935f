import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadReconcileSql } from '../../functions/reconcile/load-reconcile-sql.ts';
import type { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import { makeEvent } from '../../pipelines/profiles/event-fixtures.ts';
import { compareProfile } from '../../pipelines/reconcile/compare-profile.ts';
import { readPersonHistory, type PersonHistory } from '../../pipelines/reconcile/person-history.ts';
import { refoldHistory } from '../../pipelines/reconcile/refold-history.ts';
import type { Warehouse } from '../../pipelines/warehouse/warehouse.ts';
import { identityRow, openFixtureWarehouse } from './fixture-warehouse.ts';

// sql/reconcile/stage_person_history.sql + read_person_history.sql on fixtures in DuckDB: for each
// shopper, the SQL's reading of the history must agree with the profile fold's (compareProfile
// finds no diff between the refolded events and the SQL row) — and where the SQL is documented to
// read differently, it does so visibly.
const sql = loadReconcileSql();
let warehouse: Warehouse;
let dispose: () => Promise<void>;
before(async () => ({ warehouse, dispose } = await openFixtureWarehouse()));
after(async () => dispose?.());

const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
let people = 0;

/** Stages one shopper's events (all on device anon-<n>, linked to person p-<n>) and reads the SQL's row. */
async function historyOf(build: (e: (kind: NudgeEvent['kind'], minute: number, extra?: Partial<NudgeEvent>) => NudgeEvent) => NudgeEvent[]): Promise<{ events: NudgeEvent[]; history: PersonHistory; personId: string }> {
  const n = ++people;
  const personId = `p-${n}`;
  const e = (kind: NudgeEvent['kind'], minute: number, extra: Partial<NudgeEvent> = {}) =>
    makeEvent(kind, { anonymous_id: `anon-${n}`, occurred_at: at(minute), received_at: at(minute), ...extra, ...(extra.event_id ? {} : { event_id: `e-${n}-${minute}-${kind}` }) });
  const events = build(e);
  await warehouse.insertRows('person_identities', [identityRow(`l-${n}`, 'anonymous_id', `anon-${n}`, personId, at(0))]);
  await warehouse.insertRows('events', events);
  const runId = `run-${n}`;
  await warehouse.query(sql.stageHistory, { run_id: runId, as_of: new Date('2026-03-02T00:00:00.000Z') });
  const [row] = await warehouse.query(sql.readHistory, { run_id: runId, person_ids: [personId] });
  return { events, history: readPersonHistory(row), personId };
}

const agreeing: [string, Parameters<typeof historyOf>[0]][] = [
  ['adds, an order, adds again: only the lines after the order', (e) => [
    e('product_added', 1, { properties: { product_id: 'a', price: 2, quantity: 2 } }),
    e('order_completed', 2, { properties: { total: '19.99' } }),
    e('product_added', 3, { properties: { product_id: 'b', quantity: '3' } }),
    e('product_added', 4, { properties: { sku: 42 } }),
  ]],
  ['a snapshot replaces the lines, later changes add on, a removal without quantity clears a line', (e) => [
    e('product_added', 1, { properties: { product_id: 'a' } }),
    e('cart_viewed', 2, { properties: { products: [{ product_id: 'x', quantity: 2 }, { product_id: 'y' }, { product_id: 'x' }] } }),
    e('product_removed', 3, { properties: { product_id: 'y' } }),
    e('product_removed', 4, { properties: { product_id: 'x', quantity: 1 } }),
    e('product_added', 5, { properties: { product_id: 'y' } }),
  ]],
  ['two carts: the most recently active one is judged', (e) => [
    e('product_added', 1, { properties: { product_id: 'a', cart_id: 'c-1' } }),
    e('product_added', 2, { properties: { product_id: 'b', cart_id: 'c-2' } }),
    e('product_added', 3, { properties: { product_id: 'c', cart_id: 'c-1' } }),
  ]],
  ['an empty snapshot after an order, then a checkout with a cart id', (e) => [
    e('product_added', 1, { properties: { product_id: 'a' } }),
    e('order_completed', 2, { properties: { revenue: 5, products: [{ product_id: 'a', price: 5 }] } }),
    e('cart_viewed', 3, { properties: { products: [] } }),
    e('checkout_started', 4, { properties: { cart_id: 'default' } }),
  ]],
  ['revenue from product lines when there is no total; the later of two orders is the last', (e) => [
    e('order_completed', 5, { properties: { products: [{ product_id: 'a', price: '2.50', quantity: 2 }, { sku: 'b', price: 1 }] } }),
    e('order_completed', 2, { properties: { total: 3 } }),
  ]],
  ['consent: identify yes, then Consent Updated no; a later identify without the trait changes nothing', (e) => [
    e('identify', 1, { type: 'identify', traits: { email_marketing_consent: true }, email: 'a@example.com' }),
    e('consent_updated', 2, { properties: { email_marketing: false } }),
    e('identify', 3, { type: 'identify', traits: { plan: 'gold' }, email: 'b@example.com' }),
    e('consent_updated', 4, { properties: { email_marketing: 'yes' } }),
  ]],
  ['a device clock ahead: stamped at receipt, so the later order still wins', (e) => [
    e('product_added', 1, { occurred_at: at(9), received_at: at(1), properties: { product_id: 'a' } }),
    e('order_completed', 2, { properties: { total: 1 } }),
  ]],
  ['events that never touch a profile are left out of last_seen_at', (e) => [
    e('product_viewed', 1, { properties: { product_id: 'v' } }),
    e('other', 8, { event_name: 'Coupon Copied' }),
  ]],
];

describe('stage_person_history reads the history as the profile fold does', () => {
  for (const [name, build] of agreeing) {
    test(name, async () => {
      const { events, history, personId } = await historyOf(build);
      assert.deepEqual(compareProfile(refoldHistory(personId, events, at(0)), history), []);
    });
  }

  test('the values themselves, for one shopper', async () => {
    const { history } = await historyOf((e) => [
      e('product_added', 1, { email: 'Old@Example.com'.toLowerCase(), properties: { product_id: 'a', quantity: 2 } }),
      e('order_completed', 2, { properties: { total: 12.5 } }),
      e('product_added', 3, { email: 'new@example.com', properties: { product_id: 'b' } }),
    ]);
    assert.deepEqual(
      { ...history, person_id: 'p' },
      { person_id: 'p', events_count: 3, orders_count: 1, orders_revenue: 12.5, last_order_at: at(2), email_marketing: null, consent_at: null, emails: ['new@example.com', 'old@example.com'], last_seen_at: at(3), cart_id: 'default', cart_items: [{ product_id: 'b', quantity: 1 }] },
    );
  });

  test('events received after as_of, or redelivered, are not counted', async () => {
    const { history } = await historyOf((e) => [
      e('order_completed', 1, { event_id: 'dup', properties: { total: 1 } }),
      e('order_completed', 1, { event_id: 'dup', properties: { total: 1 } }),
      e('order_completed', 2, { received_at: '2026-03-02T00:00:00.001Z', properties: { total: 1 } }),
    ]);
    assert.deepEqual([history.orders_count, history.orders_revenue, history.events_count], [1, 1, 1]);
  });

  test('known difference, as documented: the SQL clamps a line at zero once, the fold after every change', async () => {
    const { events, history, personId } = await historyOf((e) => [
      e('product_added', 1, { properties: { product_id: 'a' } }),
      e('product_removed', 2, { properties: { product_id: 'a', quantity: 3 } }),
      e('product_added', 3, { properties: { product_id: 'a' } }),
    ]);
    assert.deepEqual(history.cart_items, []);
    assert.deepEqual(refoldHistory(personId, events, at(0)).cart?.items.map((item) => [item.product_id, item.quantity]), [['a', 1]]);
  });
});
