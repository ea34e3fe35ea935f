import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Warehouse } from '../../pipelines/warehouse/warehouse.ts';
import { openFixtureWarehouse } from './fixture-warehouse.ts';

// The rates' base when SendGrid's delivered events lag its opens (review: over delivered, 6 opens
// of 10 sends with 2 delivered read as a 300 % open rate), or the webhook does not send them.
let warehouse: Warehouse;
let dispose: () => Promise<void>;
const sentAt = '2026-04-01T10:00:00.000Z';

before(async () => {
  ({ warehouse, dispose } = await openFixtureWarehouse());
  const sends = Array.from({ length: 10 }, (_, i) => ({
    send_id: `lag-${i}`, campaign_id: 'lag', person_id: `p${i}`, step: 0, variant_id: null, provider: 'sendgrid', provider_message_id: `m${i}`,
    status: 'sent', subject: null, sent_at: sentAt, error: null, trigger_key: null,
  }));
  let n = 0;
  const event = (send_id: string, event_type: string, extra: Record<string, unknown> = {}) => ({
    email_event_id: `sendgrid:${++n}`, send_id, campaign_id: 'lag', person_id: 'p', event_type, source: 'sendgrid', occurred_at: '2026-04-01T10:05:00.000Z',
    received_at: '2026-04-01T10:05:01.000Z', is_machine: false, machine_reason: null, bounce_type: null, status_code: null, url: null, link_index: null, provider_message_id: null, ...extra,
  });
  await warehouse.insertRows('email_sends', sends);
  await warehouse.insertRows('email_events', [
    ...sends.map((s) => event(s.send_id, 'processed')),
    event('lag-0', 'delivered'),
    event('lag-1', 'delivered'),
    ...[0, 1, 2, 3, 4, 5].map((i) => event(`lag-${i}`, 'open')),
    event('lag-9', 'bounce', { bounce_type: 'hard' }),
  ]);
});
after(async () => dispose?.());

test('opens ahead of their delivered events: the open rate is over the sends that did not bounce, never above 100 %', async () => {
  const [row] = await warehouse.query("SELECT sends, delivered, hard_bounces, human_unique_opens, rate_denominator, open_rate FROM nudge.campaign_engagement_daily WHERE campaign_id = 'lag'");
  assert.deepEqual(row, { sends: 10, delivered: 2, hard_bounces: 1, human_unique_opens: 6, rate_denominator: 9, open_rate: 6 / 9 });
});
