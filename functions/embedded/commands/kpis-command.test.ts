import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createCaptureStream } from '../../../test/support/capture-stream.ts';
import { eventRow, identityRow, openFixtureWarehouse } from '../../../test/sql/fixture-warehouse.ts';
import type { Warehouse } from '../../../pipelines/warehouse/warehouse.ts';
import { findForbiddenConstruct } from '../../bigquery-sql/read-only-query-guard.ts';
import { kpisSql, runKpisCommand, type OpenWarehouse } from './kpis-command.ts';

// `nudge kpis` on a fixture warehouse (DuckDB over the real sql/), opened through the command's
// OpenWarehouse seam as --target gcp would be. Expected figures worked out by hand below.
let warehouse: Warehouse;
let dispose: () => Promise<void>;
let opened: { target: string; closed: boolean }[] = [];
const openFixture: OpenWarehouse = ({ target }) => {
  const record = { target, closed: false };
  opened.push(record);
  return Promise.resolve({ ...warehouse, close: async () => void (record.closed = true) });
};

const send = (send_id: string, person_id: string, variant_id: string, sent_at: string) => ({
  send_id, campaign_id: 'cart', person_id, step: 0, variant_id, provider: 'sendgrid', provider_message_id: `m-${send_id}`, status: 'sent', subject: null, sent_at, error: null, trigger_key: null,
});
const emailEvent = (send_id: string, event_type: string, occurred_at: string, is_machine = false) => ({
  email_event_id: `sendgrid:${send_id}-${event_type}`, send_id, campaign_id: 'cart', person_id: 'x', event_type, source: 'sendgrid', occurred_at, received_at: occurred_at,
  is_machine, machine_reason: is_machine ? 'sendgrid_machine_open' : null, bounce_type: null, status_code: null, url: null, link_index: null, provider_message_id: null,
});
const decision = (send_id: string, person_id: string, outcome: string, decided_at: string) => ({
  decision_id: `d-${send_id}`, send_id, campaign_id: 'cart', person_id, step: 0, outcome, reason: outcome === 'send' ? 'eligible' : 'holdout', defer_until: null, decided_at, variant_id: null, trigger_key: null,
});

before(async () => {
  ({ warehouse, dispose } = await openFixtureWarehouse());
  await warehouse.insertRows('person_identities', ['pa', 'pb', 'pc', 'pd', 'pe'].map((p) => identityRow(`l-${p}`, 'user_id', `u-${p}`, p, '2026-02-01T00:00:00.000Z')));
  await warehouse.insertRows('email_sends', [
    send('k1', 'pa', 'a', '2026-03-01T10:00:00.000Z'),
    send('k2', 'pb', 'a', '2026-03-02T10:00:00.000Z'),
    send('k3', 'pc', 'b', '2026-03-01T11:00:00.000Z'),
  ]);
  await warehouse.insertRows('email_events', [
    emailEvent('k1', 'delivered', '2026-03-01T10:00:01.000Z'),
    emailEvent('k1', 'open', '2026-03-01T10:30:00.000Z'),
    emailEvent('k1', 'click', '2026-03-01T10:31:00.000Z'),
    emailEvent('k2', 'delivered', '2026-03-02T10:00:01.000Z'),
    emailEvent('k3', 'delivered', '2026-03-01T11:00:01.000Z'),
    emailEvent('k3', 'open', '2026-03-01T11:00:02.000Z', true),
  ]);
  await warehouse.insertRows('decisions', [
    decision('k1', 'pa', 'send', '2026-03-01T10:00:00.000Z'),
    decision('k2', 'pb', 'send', '2026-03-02T10:00:00.000Z'),
    decision('k3', 'pc', 'send', '2026-03-01T11:00:00.000Z'),
    decision('h1', 'pd', 'holdout', '2026-03-01T10:00:00.000Z'),
    decision('h2', 'pe', 'holdout', '2026-03-01T10:00:00.000Z'),
  ]);
  await warehouse.insertRows('events', [
    eventRow('o-pa', '2026-03-01T12:00:00.000Z', { user_id: 'u-pa' }, 'order_completed', { total: 40 }),
    eventRow('o-pd', '2026-03-01T15:00:00.000Z', { user_id: 'u-pd' }, 'order_completed', { total: 10 }),
  ]);
});
after(async () => dispose?.());

// Holdout, cart step 0: treated pa (ordered, 40), pb, pc: 1 of 3; held out pd (ordered, 10), pe: 1 of 2.
const uplift = 1 / 3 - 1 / 2;
const se = Math.sqrt(((1 / 3) * (2 / 3)) / 3 + (0.5 * 0.5) / 2);
// Too few orders for an interval (fewer than 5 of each outcome per arm): the CI is NULL, not a guess.
void se;
const holdout = {
  section: 'holdout', campaign_id: 'cart', step: 0, treatment_n: 3, treatment_conversions: 1, treatment_conversion_rate: 1 / 3, control_n: 2, control_conversions: 1, control_conversion_rate: 0.5,
  uplift, uplift_ci_low: null, uplift_ci_high: null, incremental_revenue: (40 / 3 - 10 / 2) * 3, people_needed_per_arm: Math.ceil((1.96 ** 2 * ((1 / 3) * (2 / 3) + 0.25)) / uplift ** 2),
};
const targets = { open_rate_target: 0.3, ctr_target: 0.1, conversion_rate_target: 0.05 };

function assertClose(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort());
  for (const [key, want] of Object.entries(expected)) {
    if (typeof want === 'number' && !Number.isInteger(want)) assert.ok(Math.abs((actual[key] as number) - want) < 1e-12, `${key}: ${String(actual[key])} ≠ ${want}`);
    else assert.equal(actual[key], want, key);
  }
}

describe('nudge kpis', () => {
  test('--json: one line per campaign × step × variant with engagement, conversions and targets, then one per campaign × step against the holdout', async () => {
    opened = [];
    const out = createCaptureStream();
    assert.equal(await runKpisCommand({ json: true, target: 'gcp', env: { NUDGE_DATA_DIR: '/nonexistent' } }, out, { openWarehouse: openFixture }), 0);
    assert.deepEqual(opened, [{ target: 'gcp', closed: true }], 'opened for the target asked, and closed');
    const rows = out.text().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(rows.length, 3);
    assertClose(rows[0]!, {
      section: 'campaign', campaign_id: 'cart', step: 0, variant_id: 'a', sends: 2, delivered: 2, bounces: 0, human_opens: 1, machine_opens: 0, human_clicks: 1,
      open_rate: 0.5, ctr: 0.5, click_to_open: 1, unsubscribes: 0, spam_reports: 0, spam_report_rate: 0,
      conversions: 1, revenue: 40, conversion_rate: 0.5, revenue_per_email: 20, ...targets,
    });
    assertClose(rows[1]!, {
      section: 'campaign', campaign_id: 'cart', step: 0, variant_id: 'b', sends: 1, delivered: 1, bounces: 0, human_opens: 0, machine_opens: 1, human_clicks: 0,
      open_rate: 0, ctr: 0, click_to_open: null, unsubscribes: 0, spam_reports: 0, spam_report_rate: 0,
      conversions: 0, revenue: 0, conversion_rate: 0, revenue_per_email: 0, ...targets,
    });
    assertClose(rows[2]!, holdout);
  });

  test('--from limits the sends counted to their days; the holdout stays whole', async () => {
    const out = createCaptureStream();
    assert.equal(await runKpisCommand({ json: true, from: '2026-03-02', env: {} }, out, { openWarehouse: openFixture }), 0);
    const rows = out.text().trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(rows.map((r) => [r.section, r.variant_id, r.sends, r.delivered, r.human_opens, r.conversions, r.open_rate, r.treatment_n]), [
      ['campaign', 'a', 1, 1, 0, 0, 0, undefined],
      ['holdout', undefined, undefined, undefined, undefined, undefined, undefined, 3],
    ]);
  });

  test('the table: rates in percent, targets in the headings', async () => {
    const out = createCaptureStream();
    assert.equal(await runKpisCommand({ json: false, env: {} }, out, { openWarehouse: openFixture }), 0);
    const lines = out.text().split('\n');
    const cells = (line: string) => line.trim().split(/\s{2,}/);
    assert.deepEqual(cells(lines[0]!), [
      'campaign', 'step', 'variant', 'sends', 'delivered', 'bounces', 'open rate (target 30%)', 'machine opens', 'CTR (target 10%)', 'click-to-open', 'unsubs', 'spam rate',
      'conversions', 'conv. rate (target 5%)', 'revenue', 'rev/email',
    ]);
    assert.deepEqual(cells(lines[2]!), ['cart', '0', 'a', '2', '2', '0', '50.0%', '0', '50.0%', '100.0%', '0', '0.0%', '1', '50.0%', '40.00', '20.00']);
    assert.deepEqual(cells(lines[3]!), ['cart', '0', 'b', '1', '1', '0', '0.0%', '1', '0.0%', '-', '0', '0.0%', '0', '0.0%', '0.00', '0.00']);
    // The holdout once per campaign and step, below: 1 of 3 treated against 1 of 2 held out, too few for an interval.
    const holdoutHeader = lines.findIndex((line) => line.startsWith('campaign') && line.includes('uplift'));
    assert.ok(holdoutHeader > 3, out.text());
    assert.deepEqual(cells(lines[holdoutHeader]!), ['campaign', 'step', 'treated (orders/n)', 'held out (orders/n)', 'uplift [95% CI]', 'incremental revenue', 'people needed per arm']);
    assert.deepEqual(cells(lines[holdoutHeader + 2]!), ['cart', '0', '33.3% (1/3)', '50.0% (1/2)', '-16.7 pts [too few orders yet]', '25.00', String(holdout.people_needed_per_arm)]);
    assert.equal(lines.filter((line) => line.startsWith('cart')).length, 3, 'two variant rows and one holdout row');
  });

  test("the report's SQL passes the running host's read-only admin query guard (the embedded path while npm start runs)", () => {
    assert.equal(findForbiddenConstruct(kpisSql({ from: '2026-03-01', to: '2026-03-31' })), null);
  });

  test('refuses a day that is not YYYY-MM-DD (it is inlined into the SQL)', async () => {
    assert.throws(() => kpisSql({ from: "2026-03-01' OR TRUE --" }), /not a day/);
    assert.throws(() => kpisSql({ from: '2026-12-05', to: '2026-11-01' }), /--from 2026-12-05 is after --to 2026-11-01/);
    const out = createCaptureStream();
    assert.equal(await runKpisCommand({ json: true, to: 'yesterday', env: {} }, out, { openWarehouse: openFixture }), 1);
    assert.equal(out.text(), '');
  });

  test('--target gcp without a project fails naming the variable to set, before any client is built', async () => {
    const out = createCaptureStream();
    const errors: string[] = [];
    const original = console.error;
    console.error = (message: string) => void errors.push(message);
    try {
      assert.equal(await runKpisCommand({ json: true, target: 'gcp', env: { METADATA_SERVER_DETECTION: 'none' } }, out), 1);
    } finally {
      console.error = original;
    }
    assert.match(errors.join('\n'), /NUDGE_GCP_PROJECT/);
  });
});

test('a data dir with no nudge in it is named and left untouched, not answered with an empty table', async () => {
  const { mkdtempSync, readdirSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { runQueryCommand } = await import('./query-command.ts');
  const parent = mkdtempSync(join(tmpdir(), 'nudge-wrong-dir-'));
  const dataDir = join(parent, 'not-here');
  const errors: string[] = [];
  const original = console.error;
  console.error = (message: string) => void errors.push(message);
  try {
    assert.equal(await runKpisCommand({ json: false, env: { NUDGE_DATA_DIR: dataDir } }, createCaptureStream()), 1);
    assert.equal(await runQueryCommand('SELECT 1 AS x', { json: true, env: { NUDGE_DATA_DIR: dataDir } }, createCaptureStream()), 1);
  } finally {
    console.error = original;
    assert.deepEqual(readdirSync(parent), [], 'nothing was created');
    rmSync(parent, { recursive: true, force: true });
  }
  assert.equal(errors.length, 2);
  for (const error of errors) assert.match(error, new RegExp(`no warehouse in ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
});
