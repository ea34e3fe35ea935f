import type { ParsedQueryParams } from '../../bigquery-sql/parse-query-param.ts';
import type { WarehouseRow } from '../../../pipelines/warehouse/warehouse.ts';

type Query = (sql: string, typed?: ParsedQueryParams) => Promise<WarehouseRow[]>;

export type LagStatus =
  | { hop: 'collected_to_profiled'; window_minutes: number; samples: number; p95_ms: number | null }
  | { hop: 'collected_to_profiled'; window_minutes: number; unavailable: string };

export type ReconciliationStatus =
  | { state: 'never_run' }
  | { state: 'ran'; run_id: string; started_at: string; finished_at: string | null; dry_run: boolean; people_checked: number; fixes_applied: number; fixes_skipped: number }
  | { state: 'unknown'; error: string };

/**
 * p95 of event → profile lag over the window ending now: the same samples (pipeline_latency_samples,
 * hop collected_to_profiled) and the same nearest-rank rule as sql/views/pipeline_latency.sql, over
 * a rolling window instead of a clock hour. Instants are bound as typed TIMESTAMPs so the window
 * comes from the caller's clock.
 */
const lagSql = `WITH recent AS (
  SELECT
    latency_ms,
    ROW_NUMBER() OVER (ORDER BY latency_ms) AS latency_rank,
    COUNT(*) OVER () AS samples
  FROM nudge.pipeline_latency_samples
  WHERE hop = 'collected_to_profiled' AND finished_at > @since AND finished_at <= @until
)
SELECT COUNT(*) AS samples, MAX(IF(latency_rank = DIV(95 * samples + 99, 100), latency_ms, NULL)) AS p95_ms
FROM recent`;

export async function readLagStatus(query: Query, now: Date, windowMinutes = 60): Promise<LagStatus> {
  const since = new Date(now.getTime() - windowMinutes * 60_000);
  try {
    const [row] = await query(lagSql, {
      params: { since: `${since.toISOString().slice(0, 23)}000Z`, until: `${now.toISOString().slice(0, 23)}000Z` },
      types: { since: 'TIMESTAMP', until: 'TIMESTAMP' },
    });
    return { hop: 'collected_to_profiled', window_minutes: windowMinutes, samples: Number(row?.samples ?? 0), p95_ms: row?.p95_ms === null || row?.p95_ms === undefined ? null : Number(row.p95_ms) };
  } catch (error) {
    return { hop: 'collected_to_profiled', window_minutes: windowMinutes, unavailable: messageOf(error) };
  }
}

/**
 * The latest run in reconciliation_runs. The table comes with the nightly reconciliation; a
 * warehouse without it (or with no row) has never reconciled — said as such, not as an error.
 */
export async function readReconciliationStatus(query: Query): Promise<ReconciliationStatus> {
  let rows: WarehouseRow[];
  try {
    rows = await query(
      'SELECT run_id, started_at, finished_at, dry_run, people_checked, fixes_applied, fixes_skipped FROM nudge.reconciliation_runs ORDER BY started_at DESC LIMIT 1',
    );
  } catch (error) {
    const message = messageOf(error);
    // DuckDB: "Table with name reconciliation_runs does not exist"; BigQuery: "Not found: Table …reconciliation_runs was not found".
    if (/reconciliation_runs[\s\S]*(?:does not exist|not found)|not found[\s\S]*reconciliation_runs/i.test(message)) return { state: 'never_run' };
    return { state: 'unknown', error: message };
  }
  const row = rows[0];
  if (!row) return { state: 'never_run' };
  return {
    state: 'ran',
    run_id: String(row.run_id),
    started_at: String(row.started_at),
    finished_at: row.finished_at === null ? null : String(row.finished_at),
    dry_run: row.dry_run === true,
    people_checked: Number(row.people_checked),
    fixes_applied: Number(row.fixes_applied),
    fixes_skipped: Number(row.fixes_skipped),
  };
}

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
