import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Warehouse } from '../../pipelines/warehouse/warehouse.ts';
import { eventRow, identityRow, openFixtureWarehouse } from './fixture-warehouse.ts';

// sql/views/email_events_deduped, person_identities_deduped, person_surviving and
// events_with_person on fixtures in DuckDB, tables holding duplicate rows as BigQuery's would.
let warehouse: Warehouse;
let dispose: () => Promise<void>;
before(async () => ({ warehouse, dispose } = await openFixtureWarehouse()));
after(async () => dispose?.());

const emailEvent = (email_event_id: string, received_at: string, event_type = 'open') => ({
  email_event_id,
  send_id: 's-1',
  campaign_id: 'cart',
  person_id: 'p-1',
  event_type,
  source: 'sendgrid',
  occurred_at: '2026-03-01T10:00:00.000Z',
  received_at,
  is_machine: false,
  machine_reason: null,
  bounce_type: null,
  status_code: null,
  url: null,
  link_index: null,
  provider_message_id: 'sg-1',
});

describe('deduped views of the measurement tables', () => {
  test('email_events_deduped keeps one row per email_event_id, the first copy received', async () => {
    await warehouse.insertRows('email_events', [
      emailEvent('sendgrid:e-1', '2026-03-01T10:00:05.000Z'),
      emailEvent('sendgrid:e-1', '2026-03-01T10:00:01.000Z'), // SendGrid retried its webhook: same sg_event_id
      emailEvent('sendgrid:e-2', '2026-03-01T10:00:02.000Z', 'click'),
    ]);
    assert.deepEqual(await warehouse.query('SELECT COUNT(*) AS n FROM nudge.email_events'), [{ n: 3 }]);
    assert.deepEqual(await warehouse.query('SELECT email_event_id, event_type, received_at FROM nudge.email_events_deduped ORDER BY email_event_id'), [
      { email_event_id: 'sendgrid:e-1', event_type: 'open', received_at: '2026-03-01T10:00:01.000Z' },
      { email_event_id: 'sendgrid:e-2', event_type: 'click', received_at: '2026-03-01T10:00:02.000Z' },
    ]);
  });
});

describe('person_surviving and events_with_person', () => {
  before(async () => {
    const chain = (prefix: string, length: number) =>
      Array.from({ length }, (_, i) => identityRow(`${prefix}-merge-${i}`, 'person', `${prefix}${i}`, `${prefix}${i + 1}`, `2026-02-0${1 + (i % 8)}T00:00:00.000Z`));
    await warehouse.insertRows('person_identities', [
      // Two devices, then a login. p-0 (known by address) was merged into p-1 long ago.
      identityRow('l-email', 'email', 'alice@example.com', 'p-0', '2026-03-01T08:00:00.000Z'),
      identityRow('l-p0', 'person', 'p-0', 'p-1', '2026-03-01T08:30:00.000Z'),
      identityRow('l-anon1', 'anonymous_id', 'anon-1', 'p-1', '2026-03-01T09:00:00.000Z'),
      identityRow('l-anon2', 'anonymous_id', 'anon-2', 'p-2', '2026-03-01T09:30:00.000Z'),
      identityRow('l-user', 'user_id', 'u-1', 'p-2', '2026-03-01T10:00:00.000Z'),
      identityRow('l-user', 'user_id', 'u-1', 'p-2', '2026-03-01T10:00:00.000Z'), // at-least-once copy
      // Logging in on device 1 too: p-1 is absorbed into p-2, and its device moves with it.
      identityRow('l-p1', 'person', 'p-1', 'p-2', '2026-03-01T11:00:00.000Z'),
      identityRow('l-anon1-moved', 'anonymous_id', 'anon-1', 'p-2', '2026-03-01T11:00:00.000Z'),
      // A cycle no correct profile stage writes, and chains of exactly 8 and of 9 merges.
      identityRow('l-cycle-a', 'person', 'p-8', 'p-9', '2026-03-01T12:00:00.000Z'),
      identityRow('l-cycle-b', 'person', 'p-9', 'p-8', '2026-03-01T12:00:01.000Z'),
      ...chain('c', 8),
      ...chain('d', 9),
    ]);
    await warehouse.insertRows('decisions', [
      { decision_id: 'd-1', send_id: 's-5', campaign_id: 'cart', person_id: 'p-5', step: 0, outcome: 'send', reason: 'eligible', defer_until: null, decided_at: '2026-03-01T10:00:00.000Z', variant_id: null, trigger_key: null },
    ]);
    await warehouse.insertRows('events', [
      eventRow('ev-device1-before-login', '2026-03-01T09:05:00.000Z', { anonymous_id: 'anon-1' }, 'product_viewed'),
      eventRow('ev-login', '2026-03-01T10:00:00.000Z', { anonymous_id: 'anon-2', user_id: 'u-1' }, 'identify'),
      eventRow('ev-login', '2026-03-01T10:00:00.000Z', { anonymous_id: 'anon-2', user_id: 'u-1' }, 'identify'), // redelivered
      eventRow('ev-email-only', '2026-03-01T10:30:00.000Z', { email: 'alice@example.com' }),
      eventRow('ev-unknown-user', '2026-03-01T10:40:00.000Z', { user_id: 'u-unknown', anonymous_id: 'anon-1' }),
      eventRow('ev-stranger', '2026-03-01T10:50:00.000Z', { anonymous_id: 'anon-stranger' }),
    ]);
  });

  test('person_surviving follows merges to the end; 8 hops resolve, 9 or a cycle give NULL', async () => {
    const rows = await warehouse.query('SELECT person_id, surviving_person_id, merge_hops FROM nudge.person_surviving ORDER BY person_id');
    const expected = [
      ...Array.from({ length: 9 }, (_, i) => ({ person_id: `c${i}`, surviving_person_id: 'c8', merge_hops: 8 - i })),
      { person_id: 'd0', surviving_person_id: null, merge_hops: 9 },
      ...Array.from({ length: 9 }, (_, i) => ({ person_id: `d${i + 1}`, surviving_person_id: 'd9', merge_hops: 8 - i })),
      { person_id: 'p-0', surviving_person_id: 'p-2', merge_hops: 2 },
      { person_id: 'p-1', surviving_person_id: 'p-2', merge_hops: 1 },
      { person_id: 'p-2', surviving_person_id: 'p-2', merge_hops: 0 },
      { person_id: 'p-5', surviving_person_id: 'p-5', merge_hops: 0 }, // known from a decision only
      { person_id: 'p-8', surviving_person_id: null, merge_hops: 9 },
      { person_id: 'p-9', surviving_person_id: null, merge_hops: 9 },
    ];
    assert.deepEqual(rows, expected);
  });

  test('person_identities_deduped keeps one row per link', async () => {
    assert.deepEqual(await warehouse.query("SELECT COUNT(*) AS n FROM nudge.person_identities_deduped WHERE identity_link_id = 'l-user'"), [{ n: 1 }]);
  });

  test('events_with_person: one row per event, the surviving person by user id, else device, else address', async () => {
    const rows = await warehouse.query('SELECT event_id, person_id, person_matched_by FROM nudge.events_with_person ORDER BY event_id');
    assert.deepEqual(rows, [
      // Before the login, on the device merged since: the survivor.
      { event_id: 'ev-device1-before-login', person_id: 'p-2', person_matched_by: 'anonymous_id' },
      // Only an address, linked to a person merged twice since.
      { event_id: 'ev-email-only', person_id: 'p-2', person_matched_by: 'email' },
      { event_id: 'ev-login', person_id: 'p-2', person_matched_by: 'user_id' },
      { event_id: 'ev-stranger', person_id: null, person_matched_by: null },
      // A user id never linked falls back to the device.
      { event_id: 'ev-unknown-user', person_id: 'p-2', person_matched_by: 'anonymous_id' },
    ]);
  });
});
