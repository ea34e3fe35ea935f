import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openDuckDbWarehouse } from '../../functions/embedded/warehouse/duckdb-warehouse.ts';
import { emptyProfile } from '../../pipelines/profiles/profile.ts';
import { snapshotRowOf } from '../../pipelines/reconcile/profile-snapshot-row.ts';
import type { Warehouse } from '../../pipelines/warehouse/warehouse.ts';

// sql/views/decisions_deduped.sql and email_sends_deduped.sql on fixtures in DuckDB, the way
// BigQuery sees the tables: a Pub/Sub BigQuery subscription writes every copy it delivers (the
// primary key is NOT ENFORCED there), so the fixture tables here are created without it.
const root = mkdtempSync(join(tmpdir(), 'nudge-views-'));
let warehouse: Warehouse;

before(async () => {
  const sqlDir = join(root, 'sql');
  mkdirSync(join(sqlDir, 'tables'), { recursive: true });
  for (const name of readdirSync('sql/tables').filter((n) => n.endsWith('.sql'))) {
    const ddl = readFileSync(join('sql/tables', name), 'utf8').replace(/,\s*PRIMARY KEY \([^)]*\) NOT ENFORCED/, '');
    writeFileSync(join(sqlDir, 'tables', name), ddl);
  }
  cpSync('sql/views', join(sqlDir, 'views'), { recursive: true });
  warehouse = await openDuckDbWarehouse({ dataDir: join(root, 'data'), sqlDir });
});
after(async () => {
  await warehouse?.close();
  rmSync(root, { recursive: true, force: true });
});

const decision = (id: string, decided_at: string, overrides: Record<string, unknown> = {}) => ({
  decision_id: id,
  send_id: 's-1',
  campaign_id: 'cart',
  person_id: 'p-1',
  step: 0,
  outcome: 'send',
  reason: 'eligible',
  defer_until: null,
  decided_at,
  variant_id: 'a',
  ...overrides,
});
const send = (send_id: string, status: string, sent_at: string, provider_message_id: string | null) => ({
  send_id,
  campaign_id: 'cart',
  person_id: 'p-1',
  step: 0,
  variant_id: status === 'in_doubt_resolved' ? null : 'a',
  provider: 'sendgrid',
  provider_message_id,
  status,
  subject: null,
  sent_at,
  error: status === 'failed' ? '400 invalid address' : null,
});

describe('deduped fact views', () => {
  test('decisions_deduped keeps one row per decision_id, the earliest; distinct decisions about one send all stay', async () => {
    await warehouse.insertRows('decisions', [
      decision('d-send', '2026-03-01T10:00:05.000Z'),
      decision('d-send', '2026-03-01T10:00:00.000Z'), // redelivered / re-run: same key, earlier copy
      decision('d-send', '2026-03-01T10:00:00.000Z'), // redelivered again, identical
      decision('d-defer', '2026-03-01T09:00:00.000Z', { outcome: 'defer', reason: 'quiet_hours', defer_until: '2026-03-01T10:00:00.000Z' }),
    ]);
    assert.deepEqual(await warehouse.query('SELECT COUNT(*) AS n FROM nudge.decisions'), [{ n: 4 }], 'the table holds every copy, as BigQuery would');
    assert.deepEqual(await warehouse.query('SELECT decision_id, outcome, decided_at FROM nudge.decisions_deduped ORDER BY decided_at'), [
      { decision_id: 'd-defer', outcome: 'defer', decided_at: '2026-03-01T09:00:00.000Z' },
      { decision_id: 'd-send', outcome: 'send', decided_at: '2026-03-01T10:00:00.000Z' },
    ]);
  });

  test('email_sends_deduped keeps one row per send_id: the worker\'s sent row over the resolver\'s, any status over a later copy', async () => {
    await warehouse.insertRows('email_sends', [
      send('s-both', 'in_doubt_resolved', '2026-03-01T10:00:00.000Z', 'activity-0'),
      send('s-both', 'sent', '2026-03-01T10:00:01.000Z', 'sg-msg-1'),
      send('s-both', 'sent', '2026-03-01T10:00:01.000Z', 'sg-msg-1'),
      send('s-resolved', 'in_doubt_resolved', '2026-03-01T11:00:00.000Z', null),
      send('s-resolved', 'in_doubt_resolved', '2026-03-01T11:00:00.000Z', null),
      send('s-failed', 'failed', '2026-03-01T12:00:00.000Z', null),
    ]);
    assert.deepEqual(await warehouse.query('SELECT COUNT(*) AS n FROM nudge.email_sends'), [{ n: 6 }]);
    assert.deepEqual(await warehouse.query('SELECT send_id, status, provider_message_id FROM nudge.email_sends_deduped ORDER BY send_id'), [
      { send_id: 's-both', status: 'sent', provider_message_id: 'sg-msg-1' },
      { send_id: 's-failed', status: 'failed', provider_message_id: null },
      { send_id: 's-resolved', status: 'in_doubt_resolved', provider_message_id: null },
    ]);
  });

  test('profile_snapshots_deduped keeps one row per person and day, the earliest walk\'s; other days stay', async () => {
    const profile = (personId: string, version: number) => ({ ...emptyProfile(personId, '2026-03-01T00:00:00.000Z'), version });
    await warehouse.insertRows('profile_snapshots', [
      snapshotRowOf(profile('p-1', 3), '2026-03-02T03:00:05.000Z'),
      snapshotRowOf(profile('p-1', 4), '2026-03-02T09:00:00.000Z'), // a second walk that day
      snapshotRowOf(profile('p-1', 3), '2026-03-02T03:00:05.000Z'), // a retried streaming insert
      snapshotRowOf(profile('p-1', 5), '2026-03-03T03:00:05.000Z'),
      snapshotRowOf(profile('p-2', 1), '2026-03-02T03:00:06.000Z'),
    ]);
    assert.deepEqual(await warehouse.query('SELECT COUNT(*) AS n FROM nudge.profile_snapshots'), [{ n: 5 }]);
    assert.deepEqual(await warehouse.query('SELECT snapshot_id, profile_version FROM nudge.profile_snapshots_deduped ORDER BY snapshot_id'), [
      { snapshot_id: 'p-1/2026-03-02', profile_version: 3 },
      { snapshot_id: 'p-1/2026-03-03', profile_version: 5 },
      { snapshot_id: 'p-2/2026-03-02', profile_version: 1 },
    ]);
  });
});
