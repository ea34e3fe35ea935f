import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Warehouse, WarehouseRow } from '../../pipelines/warehouse/warehouse.ts';
import { eventRow, identityRow, openFixtureWarehouse } from './fixture-warehouse.ts';

// sql/views/pipeline_latency_samples and pipeline_latency on fixtures in DuckDB, with the
// percentiles worked out by hand below (nearest rank: the value at rank ceil(N × n / 100)).
let warehouse: Warehouse;
let dispose: () => Promise<void>;
after(async () => dispose?.());

const at = (iso: string, plusMs = 0) => new Date(Date.parse(iso) + plusMs).toISOString();
const event = (id: string, receivedAt: string, ids: Parameters<typeof eventRow>[2], kind = 'page'): WarehouseRow => ({
  ...eventRow(id, receivedAt, ids, kind),
  hops: { collected: receivedAt },
});

const decision = (send_id: string, outcome: string, decided_at: string): WarehouseRow => ({
  decision_id: `${send_id}:${outcome}:${decided_at}`, send_id, campaign_id: 'cart', person_id: 'p-1', step: 1, outcome,
  reason: outcome === 'send' ? 'eligible' : 'quiet_hours', defer_until: null, decided_at, variant_id: null, trigger_key: 'cart-1',
});
const send = (send_id: string, status: string, sent_at: string): WarehouseRow => ({
  send_id, campaign_id: 'cart', person_id: 'p-1', step: 1, variant_id: null, provider: 'sendgrid', provider_message_id: `sg-${send_id}`,
  status, subject: 'Your cart', sent_at, error: null, trigger_key: 'cart-1',
});
const emailEvent = (email_event_id: string, send_id: string, event_type: string, source: string, occurred_at: string, received_at: string): WarehouseRow => ({
  email_event_id, send_id, campaign_id: 'cart', person_id: 'p-1', event_type, source, occurred_at, received_at,
  is_machine: false, machine_reason: null, bounce_type: null, status_code: null, url: null, link_index: null, provider_message_id: `sg-${send_id}`,
});

before(async () => {
  ({ warehouse, dispose } = await openFixtureWarehouse());
  const events: WarehouseRow[] = [];
  const links: WarehouseRow[] = [];
  // Hour 10: 40 new browsers. Browser i arrives at 10:00:00 + i s and is linked after
  // ((7i mod 40) + 1) × 10 ms — every latency 10, 20, …, 400 ms exactly once.
  for (let i = 1; i <= 40; i++) {
    const arrived = at('2026-03-01T10:00:00.000Z', i * 1000);
    events.push(event(`e-a${i}`, arrived, { anonymous_id: `a-${i}` }));
    links.push(identityRow(`l-a${i}`, 'anonymous_id', `a-${i}`, `p-a${i}`, at(arrived, (((7 * i) % 40) + 1) * 10)));
  }
  // Known identities write no new sample: a-1's later event, a redelivered link of a-1 (later
  // linked_at), a merge moving a-2 to another person, and the merge's own `person` row.
  events.push(event('e-a1-again', '2026-03-01T10:30:00.000Z', { anonymous_id: 'a-1' }));
  links.push(identityRow('l-a1', 'anonymous_id', 'a-1', 'p-a1', '2026-03-01T10:30:00.500Z'));
  links.push(identityRow('l-a2-moved', 'anonymous_id', 'a-2', 'p-a1', '2026-03-01T10:31:00.000Z'));
  links.push(identityRow('l-merge', 'person', 'p-a2', 'p-a1', '2026-03-01T10:31:00.000Z'));
  // A catalog update names no shopper; an identity never linked (still queued) has no sample yet.
  events.push(event('e-catalog', '2026-03-01T10:40:00.000Z', { anonymous_id: 'backend' }, 'catalog_updated'));
  events.push(event('e-unlinked', '2026-03-01T10:41:00.000Z', { anonymous_id: 'a-queued' }));

  // Hour 11: user ids after 700, 100 and 400 ms, plus one that started in hour 10 and finished in
  // hour 11 (200 ms) — a hop counts in the hour it finished.
  const users: [string, string, number][] = [['u-1', '2026-03-01T11:05:00.000Z', 700], ['u-2', '2026-03-01T11:06:00.000Z', 100], ['u-3', '2026-03-01T11:07:00.000Z', 400], ['u-4', '2026-03-01T10:59:59.900Z', 200]];
  for (const [user, arrived, latency] of users) {
    events.push(event(`e-${user}`, arrived, { user_id: user }, 'identify'));
    links.push(identityRow(`l-${user}`, 'user_id', user, `p-${user}`, at(arrived, latency)));
  }
  // An email seen first on an identify, linked when that identify was folded (1.5 s later).
  events.push(event('e-mail', '2026-03-01T12:00:00.000Z', { user_id: 'u-1', email: 'jane@example.com' }, 'identify'));
  links.push(identityRow('l-mail', 'email', 'jane@example.com', 'p-u-1', '2026-03-01T12:00:01.500Z'));

  await warehouse.insertEvents(events as never);
  await warehouse.insertRows('person_identities', links);

  await warehouse.insertRows('decisions', [
    decision('s-1', 'send', '2026-03-01T12:00:00.000Z'),
    decision('s-2', 'defer', '2026-03-01T11:00:00.000Z'), // deferred first, then sent: the send decision counts
    decision('s-2', 'send', '2026-03-01T12:10:00.000Z'),
    decision('s-3', 'send', '2026-03-01T12:20:00.000Z'),
    decision('s-4', 'send', '2026-03-01T12:30:00.000Z'),
  ]);
  await warehouse.insertRows('email_sends', [
    send('s-1', 'sent', '2026-03-01T12:00:00.250Z'),
    send('s-2', 'sent', '2026-03-01T12:10:00.050Z'),
    send('s-3', 'failed', '2026-03-01T12:20:01.000Z'), // never left
    send('s-4', 'in_doubt_resolved', '2026-03-01T12:45:00.000Z'), // the resolver's clock, not the send's
  ]);
  await warehouse.insertRows('email_events', [
    emailEvent('sendgrid:d-1', 's-1', 'delivered', 'sendgrid', '2026-03-01T12:00:03.000Z', '2026-03-01T12:00:04.200Z'),
    emailEvent('sendgrid:d-1b', 's-1', 'delivered', 'sendgrid', '2026-03-01T12:00:09.000Z', '2026-03-01T12:00:09.300Z'), // a second delivered: the first counts
    emailEvent('first_party:o-1', 's-1', 'open', 'first_party', '2026-03-01T12:05:00.000Z', '2026-03-01T12:05:00.000Z'), // nudge's own pixel: no ESP hop
  ]);
});

describe('pipeline_latency_samples', () => {
  test('collected_to_profiled: one sample per new identity, from its first event to its first link', async () => {
    const rows = await warehouse.query(
      "SELECT subject_id, started_at, finished_at, latency_ms FROM nudge.pipeline_latency_samples WHERE hop = 'collected_to_profiled' AND subject_id IN ('anonymous_id:a-1', 'anonymous_id:a-2', 'user_id:u-4', 'email:jane@example.com') ORDER BY subject_id",
    );
    assert.deepEqual(rows, [
      { subject_id: 'anonymous_id:a-1', started_at: '2026-03-01T10:00:01.000Z', finished_at: '2026-03-01T10:00:01.080Z', latency_ms: 80 },
      { subject_id: 'anonymous_id:a-2', started_at: '2026-03-01T10:00:02.000Z', finished_at: '2026-03-01T10:00:02.150Z', latency_ms: 150 },
      { subject_id: 'email:jane@example.com', started_at: '2026-03-01T12:00:00.000Z', finished_at: '2026-03-01T12:00:01.500Z', latency_ms: 1500 },
      { subject_id: 'user_id:u-4', started_at: '2026-03-01T10:59:59.900Z', finished_at: '2026-03-01T11:00:00.100Z', latency_ms: 200 },
    ]);
    const [count] = await warehouse.query("SELECT COUNT(*) AS n FROM nudge.pipeline_latency_samples WHERE hop = 'collected_to_profiled'");
    assert.deepEqual(count, { n: 45 }, '40 browsers, 4 user ids, 1 email; nothing for the catalog update or the unlinked browser');
  });

  test('the send hops: decided_to_sent from the send decision, sent_to_delivered to the first delivery, esp_to_received for SendGrid events', async () => {
    const rows = await warehouse.query("SELECT hop, subject_id, latency_ms FROM nudge.pipeline_latency_samples WHERE hop != 'collected_to_profiled' ORDER BY hop, subject_id");
    assert.deepEqual(rows, [
      { hop: 'decided_to_sent', subject_id: 's-1', latency_ms: 250 },
      { hop: 'decided_to_sent', subject_id: 's-2', latency_ms: 50 },
      { hop: 'esp_to_received', subject_id: 'sendgrid:d-1', latency_ms: 1200 },
      { hop: 'esp_to_received', subject_id: 'sendgrid:d-1b', latency_ms: 300 },
      { hop: 'sent_to_delivered', subject_id: 's-1', latency_ms: 2750 },
    ]);
  });
});

describe('pipeline_latency', () => {
  test('per hop and hour: count and nearest-rank p50/p95/p99, worked out by hand', async () => {
    const rows = await warehouse.query('SELECT hop, hour_start, samples, p50_ms, p95_ms, p99_ms, max_ms FROM nudge.pipeline_latency ORDER BY hop, hour_start');
    assert.deepEqual(rows, [
      // 10, 20, …, 400 (n = 40): p50 rank 20 → 200; p95 rank 38 → 380; p99 rank ceil(39.6) = 40 → 400.
      { hop: 'collected_to_profiled', hour_start: '2026-03-01T10:00:00.000Z', samples: 40, p50_ms: 200, p95_ms: 380, p99_ms: 400, max_ms: 400 },
      // 100, 200, 400, 700 (n = 4): p50 rank 2 → 200; p95 rank ceil(3.8) = 4 → 700; p99 rank 4 → 700.
      { hop: 'collected_to_profiled', hour_start: '2026-03-01T11:00:00.000Z', samples: 4, p50_ms: 200, p95_ms: 700, p99_ms: 700, max_ms: 700 },
      // One sample: every percentile is that sample.
      { hop: 'collected_to_profiled', hour_start: '2026-03-01T12:00:00.000Z', samples: 1, p50_ms: 1500, p95_ms: 1500, p99_ms: 1500, max_ms: 1500 },
      // 50, 250 (n = 2): p50 rank 1 → 50; p95 rank ceil(1.9) = 2 → 250.
      { hop: 'decided_to_sent', hour_start: '2026-03-01T12:00:00.000Z', samples: 2, p50_ms: 50, p95_ms: 250, p99_ms: 250, max_ms: 250 },
      // 300, 1200: p50 → 300, p95 → 1200.
      { hop: 'esp_to_received', hour_start: '2026-03-01T12:00:00.000Z', samples: 2, p50_ms: 300, p95_ms: 1200, p99_ms: 1200, max_ms: 1200 },
      { hop: 'sent_to_delivered', hour_start: '2026-03-01T12:00:00.000Z', samples: 1, p50_ms: 2750, p95_ms: 2750, p99_ms: 2750, max_ms: 2750 },
    ]);
  });
});
