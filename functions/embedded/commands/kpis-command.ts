import type { Writable } from 'node:stream';
import { dataDirOf } from '../config.ts';
import type { Warehouse, WarehouseRow } from '../../../pipelines/warehouse/warehouse.ts';
import { openWarehouseForTarget } from './warehouse-target.ts';
import { formatTable } from './format-table.ts';
import { queryEmbeddedWarehouse } from './query-command.ts';

/**
 * `nudge kpis`: the campaign table analysts and the shop owner ask for — per campaign, step and
 * variant: engagement (campaign_engagement_daily), attributed conversions (campaign_conversions)
 * and the holdout comparison (holdout_uplift), with the reference targets (kpi_targets).
 *
 * It reads the sql/views through the Warehouse port only, so the same report runs on any
 * warehouse: `reportKpis(warehouse, ...)`. Which warehouse is the caller's choice, through
 * `deps.openWarehouse`: by default the embedded warehouse (through the running host), or with
 * `--target gcp` the deployed BigQuery dataset (warehouse-target.ts); tests pass a fixture.
 */

type Env = Readonly<Record<string, string | undefined>>;

/** Opens the warehouse a command reads; the command closes it. */
export type OpenWarehouse = (args: { target: string; env: Env; dataDir: string }) => Promise<Warehouse>;

export type KpisOptions = {
  json: boolean;
  /** First and last UTC day of the sends counted (YYYY-MM-DD, inclusive); all when omitted. */
  from?: string;
  to?: string;
  /** embedded (default) or gcp. */
  target?: string;
  env: Env;
};

const day = /^\d{4}-\d{2}-\d{2}$/;

/**
 * One row per campaign × step × variant. Engagement and conversions are summed over the days of
 * the sends in [from, to] and their rates recomputed from the sums (an average of daily rates would
 * weigh a day of 3 sends like a day of 3,000). The holdout comparison is per campaign and step,
 * over every decision (holdout_uplift has no day), comes apart (holdoutSql).
 * Views by bare name: each adapter resolves them in its own dataset (BigQuery's default dataset,
 * DuckDB's one schema), whatever the dataset is called.
 */
export function kpisSql(range: { from?: string; to?: string }): string {
  for (const value of [range.from, range.to]) {
    if (value !== undefined && (!day.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))) {
      throw new Error(`not a day (YYYY-MM-DD): ${value}`);
    }
  }
  if (range.from !== undefined && range.to !== undefined && range.from > range.to) throw new Error(`--from ${range.from} is after --to ${range.to}`);
  // Checked above to be a date literal, so inlining it is safe; the running host's admin query
  // (the embedded path while npm start holds the file) takes no parameters.
  const between = `send_date BETWEEN DATE '${range.from ?? '0001-01-01'}' AND DATE '${range.to ?? '9999-12-31'}'`;
  return `
WITH
engagement AS (
  SELECT
    campaign_id, step, variant_id,
    SUM(sends) AS sends,
    SUM(delivered) AS delivered,
    SUM(hard_bounces + soft_bounces) AS bounces,
    SUM(human_unique_opens) AS human_opens,
    SUM(machine_unique_opens) AS machine_opens,
    SUM(human_unique_clicks) AS human_clicks,
    SUM(unsubscribes) AS unsubscribes,
    SUM(spam_reports) AS spam_reports,
    SUM(rate_denominator) AS rate_denominator
  FROM campaign_engagement_daily
  WHERE ${between}
  GROUP BY campaign_id, step, variant_id
),
conversions AS (
  SELECT campaign_id, step, variant_id, SUM(conversions) AS conversions, SUM(converted_sends) AS converted_sends, SUM(revenue) AS revenue
  FROM campaign_conversions
  WHERE ${between}
  GROUP BY campaign_id, step, variant_id
)
SELECT
  e.campaign_id,
  e.step,
  e.variant_id,
  e.sends,
  e.delivered,
  e.bounces,
  e.human_opens,
  e.machine_opens,
  e.human_clicks,
  SAFE_DIVIDE(e.human_opens, e.rate_denominator) AS open_rate,
  t.open_rate_target,
  SAFE_DIVIDE(e.human_clicks, e.rate_denominator) AS ctr,
  t.ctr_target,
  SAFE_DIVIDE(e.human_clicks, e.human_opens) AS click_to_open,
  e.unsubscribes,
  e.spam_reports,
  SAFE_DIVIDE(e.spam_reports, e.rate_denominator) AS spam_report_rate,
  c.conversions,
  c.revenue,
  SAFE_DIVIDE(c.converted_sends, e.sends) AS conversion_rate,
  t.conversion_rate_target,
  SAFE_DIVIDE(c.revenue, e.sends) AS revenue_per_email
FROM engagement AS e
JOIN conversions AS c
  ON c.campaign_id = e.campaign_id AND c.step = e.step AND c.variant_id IS NOT DISTINCT FROM e.variant_id
CROSS JOIN kpi_targets AS t
ORDER BY e.campaign_id, e.step, e.variant_id`;
}

/**
 * The holdout comparison, one row per campaign × step: over every decision (holdout_uplift has no
 * day), apart from the campaign rows so that nobody sums an incremental revenue once per variant.
 */
export const holdoutSql = `
SELECT campaign_id, step, treatment_n, treatment_conversions, treatment_conversion_rate, control_n, control_conversions, control_conversion_rate,
  uplift, uplift_ci_low, uplift_ci_high, incremental_revenue, people_needed_per_arm
FROM holdout_uplift
ORDER BY campaign_id, step`;

export type KpisReport = { campaigns: WarehouseRow[]; holdout: WarehouseRow[] };

/** The campaign table and the holdout table, read through the port. */
export async function reportKpis(warehouse: Warehouse, range: { from?: string; to?: string } = {}): Promise<KpisReport> {
  return { campaigns: await warehouse.query(kpisSql(range)), holdout: await warehouse.query(holdoutSql) };
}

const percent = (value: unknown) => (typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '-');
/** A difference of two rates: percentage points, signed, so it is not read as a relative change. */
const points = (value: unknown) => (typeof value === 'number' ? `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)} pts` : '-');
const money = (value: unknown) => (typeof value === 'number' ? value.toFixed(2) : '-');
const count = (value: unknown) => (value === null || value === undefined ? '-' : String(value));

/** Rows for the terminal: rates as percentages, each target in its column's heading; the holdout apart. */
export function formatKpis(report: KpisReport): string {
  const rows = report.campaigns;
  if (rows.length === 0 && report.holdout.length === 0) return '(no sends in the range)\n';
  const first = rows[0] ?? {};
  const target = (key: string) => `target ${percent(first[key]).replace('.0%', '%')}`;
  const table = rows.map((row) => ({
    campaign: row.campaign_id,
    step: row.step,
    variant: row.variant_id ?? '-',
    sends: row.sends,
    delivered: row.delivered,
    bounces: row.bounces,
    [`open rate (${target('open_rate_target')})`]: percent(row.open_rate),
    'machine opens': row.machine_opens,
    [`CTR (${target('ctr_target')})`]: percent(row.ctr),
    'click-to-open': percent(row.click_to_open),
    unsubs: row.unsubscribes,
    'spam rate': percent(row.spam_report_rate),
    conversions: row.conversions,
    [`conv. rate (${target('conversion_rate_target')})`]: percent(row.conversion_rate),
    revenue: money(row.revenue),
    'rev/email': money(row.revenue_per_email),
  }));
  const holdout = report.holdout.map((row) => ({
    campaign: row.campaign_id,
    step: row.step,
    'treated (orders/n)': `${percent(row.treatment_conversion_rate)} (${count(row.treatment_conversions)}/${count(row.treatment_n)})`,
    'held out (orders/n)': `${percent(row.control_conversion_rate)} (${count(row.control_conversions)}/${count(row.control_n)})`,
    'uplift [95% CI]': typeof row.uplift === 'number' ? `${points(row.uplift)} ${typeof row.uplift_ci_low === 'number' ? `[${points(row.uplift_ci_low)}, ${points(row.uplift_ci_high)}]` : '[too few orders yet]'}` : '-',
    'incremental revenue': money(row.incremental_revenue),
    'people needed per arm': count(row.people_needed_per_arm),
  }));
  return (
    (rows.length === 0 ? '(no sends in the range)\n' : formatTable(table)) +
    'Rates over the sends that did not bounce; conv. rate: sends with an order credited by last touch (attributed_orders) / sends.\n' +
    (holdout.length === 0
      ? ''
      : '\nAgainst the holdout (per campaign and step, every decision whatever the range; an order within 24 h of the decision, both arms alike):\n' + formatTable(holdout)) +
    'docs/warehouse.md explains each figure.\n'
  );
}

/** The embedded warehouse as a query-only port: through the running host, else the file. */
function embeddedQueryWarehouse(dataDir: string): Warehouse {
  const readOnly = () => Promise.reject(new Error('nudge kpis only reads the warehouse'));
  return {
    insertEvents: readOnly,
    insertDeadLetters: readOnly,
    insertRows: readOnly,
    query: (sql) => queryEmbeddedWarehouse(dataDir, sql),
    close: () => Promise.resolve(),
  };
}

/** Embedded: through the running host when there is one (it holds the DuckDB file); gcp: the deployed BigQuery dataset. */
export const openDefaultWarehouse: OpenWarehouse = ({ target, env, dataDir }) => {
  if (target === 'embedded') return Promise.resolve(embeddedQueryWarehouse(dataDir));
  if (target === 'gcp') return openWarehouseForTarget({ target: 'gcp', env });
  return Promise.reject(new Error(`--target must be embedded or gcp, got "${target}"`));
};

export async function runKpisCommand(options: KpisOptions, out: Writable, deps: { openWarehouse?: OpenWarehouse } = {}): Promise<number> {
  const dataDir = dataDirOf(options.env);
  const open = deps.openWarehouse ?? openDefaultWarehouse;
  let report: KpisReport;
  try {
    const warehouse = await open({ target: options.target ?? 'embedded', env: options.env, dataDir });
    try {
      report = await reportKpis(warehouse, { ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}) });
    } finally {
      await warehouse.close();
    }
  } catch (error) {
    console.error(`nudge: kpis failed: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  // JSON lines, each saying which table it belongs to: a campaign row or a holdout row.
  const lines = [...report.campaigns.map((row) => ({ section: 'campaign', ...row })), ...report.holdout.map((row) => ({ section: 'holdout', ...row }))];
  out.write(options.json ? lines.map((row) => JSON.stringify(row)).join('\n') + (lines.length ? '\n' : '') : formatKpis(report));
  return 0;
}
