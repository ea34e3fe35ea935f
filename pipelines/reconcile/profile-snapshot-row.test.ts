import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { refoldHistory } from './refold-history.ts';
import { ProfileSnapshotRow, snapshotRowOf } from './profile-snapshot-row.ts';

const at = (minute: number) => `2026-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

describe('snapshotRowOf: the people table row of one day', () => {
  test('counters, cart, consent and suppression as the profile has them', () => {
    const profile = refoldHistory('p-1', [
      makeEvent('identify', { type: 'identify', user_id: 'u-1', email: 'a@example.com', occurred_at: at(1), received_at: at(1), traits: { plan: 'gold', email_marketing_consent: true } }),
      makeEvent('order_completed', { occurred_at: at(2), received_at: at(2), properties: { total: 12.5 } }),
      makeEvent('product_added', { occurred_at: at(3), received_at: at(3), properties: { product_id: 'x', price: 2.5, quantity: 3 } }),
      makeEvent('identify', { type: 'identify', source: 'unsubscribe', occurred_at: at(4), received_at: at(4), traits: { email_unsubscribed_at: at(4) } }),
    ], at(0));
    assert.deepEqual(snapshotRowOf({ ...profile, version: 4 }, '2026-03-02T03:00:00.000Z'), {
      snapshot_id: 'p-1/2026-03-02',
      person_id: 'p-1',
      snapshot_date: '2026-03-02',
      taken_at: '2026-03-02T03:00:00.000Z',
      merged_into: null,
      profile_version: 4,
      user_id: 'u-1',
      emails: ['a@example.com'],
      traits: { plan: 'gold', email_marketing_consent: true, email_unsubscribed_at: at(4) },
      is_email_marketing_consented: true,
      is_suppressed: true,
      orders_count: 1,
      orders_revenue: 12.5,
      last_order_at: at(2),
      cart_value: 7.5,
      cart_items_count: 3,
      first_seen_at: at(1),
      last_seen_at: at(4),
    });
  });

  test('rows fit the table contract (ProfileSnapshotRow), and a row that does not is refused', () => {
    const row = snapshotRowOf(refoldHistory('p-3', [makeEvent('page', { occurred_at: at(1), received_at: at(1) })], at(0)), '2026-03-02T03:00:00.000Z');
    assert.deepEqual(ProfileSnapshotRow.parse(row), row);
    assert.equal(ProfileSnapshotRow.safeParse({ ...row, snapshot_date: '2026-03-02T03:00:00.000Z' }).success, false);
    assert.equal(ProfileSnapshotRow.safeParse({ ...row, emails: 'a@example.com' }).success, false);
  });

  test('a person with nothing known: no cart value, no consent, not suppressed', () => {
    const row = snapshotRowOf({ ...refoldHistory('p-2', [], at(0)), merged_into: 'p-1' }, '2026-03-02T23:59:59.999Z');
    assert.deepEqual([row.snapshot_date, row.merged_into, row.cart_value, row.cart_items_count, row.is_email_marketing_consented, row.is_suppressed], ['2026-03-02', 'p-1', null, 0, null, false]);
  });
});
