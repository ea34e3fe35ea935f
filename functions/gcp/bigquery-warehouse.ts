/**
 * The Warehouse port on BigQuery (pipelines/warehouse/warehouse.ts), so `nudge query`, KPIs and
 * the contract suite can read a deployed dataset with the very SQL the embedded DuckDB warehouse
 * runs.
 *
 * Reads: one query job per call. The SQL is rendered first (bigquery-sql.ts: `${dataset}` and
 * `nudge.x` → the configured dataset) and the job's defaultDataset is that dataset, so bare
 * table names work as they do embedded. Several `;`-separated statements make the job a script,
 * whose results BigQuery takes from its key statement: asked to be the LAST one, which is what
 * the port promises. Rows come back through bigquery-values.ts as the port's plain values.
 *
 * Writes: on GCP the pipeline does NOT write through this adapter. Events, dead letters,
 * decisions and sends reach BigQuery through Pub/Sub BigQuery subscriptions (terraform), which are
 * at-least-once; read the *_deduped views (or QUALIFY ROW_NUMBER() OVER (PARTITION BY <key>) = 1)
 * where counts must be exact. The insert methods exist so the port is whole (tests, backfills,
 * tools): streaming inserts with insertId = the table's primary key, which BigQuery dedupes on a
 * best-effort basis only (about a minute's window), so the port's "idempotent by key" holds here
 * only through a dedupe on read.
 *
 * Personal data: nothing here logs, and errors name tables, columns and BigQuery's reasons —
 * never row contents (the library's insert error carries the rows; it is not passed on).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BigQuery, Query } from '@google-cloud/bigquery';
import type { DeadLetter } from '../../pipelines/events/dead-letters.ts';
import type { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import type { Warehouse, WarehouseRow } from '../../pipelines/warehouse/warehouse.ts';
import { parseCreateTable, type BigQueryTable } from '../bigquery-sql/bigquery-ddl.ts';
import { renderBigQuerySql } from './bigquery-sql.ts';
import { toBigQueryParams, toPlainRow } from './bigquery-values.ts';

/** Every tunable in one place. */
export const bigQueryWarehouseDefaults = {
  /** Rows per insertAll request: Google's advice for streaming inserts is ~500 (hard limits 50k rows, 10 MB). */
  maxInsertRows: 500,
  /** Labels every query job carries, so a billing export tells nudge's queries apart. */
  jobLabels: { app: 'nudge' } as Record<string, string>,
};

/** What the adapter uses of the client; a test passes a fake with these two methods. */
export type BigQueryClient = Pick<BigQuery, 'createQueryJob' | 'dataset'>;

export type BigQueryWarehouseOptions = {
  /** A client with an explicit project and credentials (createBigQueryClient in bigquery-client.ts). */
  bigquery: BigQueryClient;
  /** Project holding the dataset (also the default for unqualified dataset names). */
  projectId: string;
  /** Dataset id, as terraform names it (var.bigquery_dataset_id, default `nudge`). */
  dataset: string;
  /** Dataset location (EU, US, a region); jobs run there. The library finds it itself for EU and US. */
  location?: string;
  /** The sql/ folder, whose tables/*.sql give each table's columns and key for inserts; found when omitted. */
  sqlDir?: string;
  settings?: Partial<typeof bigQueryWarehouseDefaults>;
};

function findSqlDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'sql', 'tables'))) return join(dir, 'sql');
    if (dirname(dir) === dir) throw new Error('Cannot find the sql/ folder; pass sqlDir to createBigQueryWarehouse');
  }
}

function readTables(sqlDir: string): Map<string, BigQueryTable> {
  const dir = join(sqlDir, 'tables');
  const files = readdirSync(dir).filter((name) => name.endsWith('.sql')).sort();
  return new Map(files.map((file) => parseCreateTable(readFileSync(join(dir, file), 'utf8'))).map((table) => [table.name, table]));
}

/**
 * A row as insertAll's `json`: JSON columns as JSON text (the API takes a JSON column as a
 * string holding JSON, as the Pub/Sub subscriptions write it), instants as ISO text.
 */
function encodeRow(table: BigQueryTable, row: WarehouseRow): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const column of table.columns) {
    const value = row[column.name];
    if (value === undefined || value === null) continue;
    if (column.type === 'JSON') json[column.name] = JSON.stringify(value);
    else if (value instanceof Date) json[column.name] = value.toISOString();
    else json[column.name] = value;
  }
  return json;
}

/** insertId: the primary key's value (a composite key as its JSON array). */
function rowKey(table: BigQueryTable, row: WarehouseRow): string | undefined {
  if (table.primaryKey.length === 0) return undefined;
  const parts = table.primaryKey.map((column) => row[column]);
  return parts.length === 1 ? String(parts[0]) : JSON.stringify(parts);
}

/**
 * The library's PartialFailureError lists each failed row with the row itself; only the
 * reasons (which name columns, not values) are passed on.
 */
function describeInsertError(table: string, count: number, error: unknown): Error {
  const failures = (error as { errors?: { errors?: { reason?: string; message?: string; location?: string }[] }[] }).errors;
  if (!Array.isArray(failures)) {
    const message = error instanceof Error ? error.message : String(error);
    return new Error(`BigQuery insert into ${table} failed: ${message}`);
  }
  const reasons = new Set(failures.flatMap((failure) => (failure.errors ?? []).map((e) => [e.reason, e.location, e.message].filter(Boolean).join(' '))));
  return new Error(`BigQuery insert into ${table}: ${failures.length} of ${count} rows refused (${[...reasons].slice(0, 5).join('; ')})`);
}

export function createBigQueryWarehouse(options: BigQueryWarehouseOptions): Warehouse {
  const settings = { ...bigQueryWarehouseDefaults, ...options.settings };
  const { bigquery, projectId, dataset } = options;
  let tables: Map<string, BigQueryTable> | undefined;
  let closed = false;
  const ensureOpen = () => {
    if (closed) throw new Error('The warehouse is closed');
  };

  async function insert(tableName: string, rows: readonly WarehouseRow[], checkColumns: boolean): Promise<void> {
    ensureOpen();
    tables ??= readTables(options.sqlDir ?? findSqlDir());
    const table = tables.get(tableName);
    if (!table) throw new Error(`The warehouse has no table ${tableName} (sql/tables declares ${[...tables.keys()].join(', ')})`);
    if (checkColumns) {
      // Refuse a field the table lacks rather than drop it unseen (a typo, or personal data).
      const known = new Set(table.columns.map((column) => column.name));
      const unknown = new Set(rows.flatMap((row) => Object.keys(row).filter((key) => !known.has(key))));
      if (unknown.size > 0) throw new Error(`Warehouse table ${tableName} has no column(s) ${[...unknown].join(', ')}`);
    }
    // Repeats inside one call keep the first copy, as the embedded warehouse does; repeats across
    // calls are left to insertId (best effort) and the dedupe on read.
    const byKey = new Map<string, { insertId?: string; json: Record<string, unknown> }>();
    const keyless: { json: Record<string, unknown> }[] = [];
    for (const row of rows) {
      const insertId = rowKey(table, row);
      if (insertId === undefined) keyless.push({ json: encodeRow(table, row) });
      else if (!byKey.has(insertId)) byKey.set(insertId, { insertId, json: encodeRow(table, row) });
    }
    const raw = [...byKey.values(), ...keyless];
    const target = bigquery.dataset(dataset, { projectId }).table(tableName);
    for (let start = 0; start < raw.length; start += settings.maxInsertRows) {
      const slice = raw.slice(start, start + settings.maxInsertRows);
      try {
        // raw: our own insertIds; partialRetries 0: a refused row is refused again, and a transient
        // failure is the caller's to retry with backoff (DESIGN.md §4), as for the embedded side.
        await target.insert(slice, { raw: true, partialRetries: 0 });
      } catch (error) {
        throw describeInsertError(tableName, slice.length, error);
      }
    }
  }

  return {
    insertEvents: (rows: readonly NudgeEvent[]) => insert('events', rows, false),
    insertDeadLetters: (rows: readonly DeadLetter[]) => insert('dead_letters', rows, false),
    insertRows: (table, rows) => insert(table, rows, true),
    query: async (sql, params = {}, queryOptions = {}) => {
      ensureOpen();
      const rendered = renderBigQuerySql(sql, { projectId, dataset });
      // Checked here, as the embedded adapter does, so the message is the same on both targets and
      // no job is billed for a call that cannot run.
      const missing = rendered.params.filter((name) => !(name in params));
      if (missing.length > 0) throw new Error(`Query parameter(s) without a value: ${missing.map((n) => `@${n}`).join(', ')}`);
      const used = toBigQueryParams(Object.fromEntries(rendered.params.map((name) => [name, params[name]])), queryOptions.types);
      const job: Query = {
        query: rendered.sql,
        useLegacySql: false,
        defaultDataset: { projectId, datasetId: dataset },
        labels: settings.jobLabels,
        ...(options.location ? { location: options.location } : {}),
        ...(rendered.params.length > 0 ? { params: used.params } : {}),
        ...(Object.keys(used.types).length > 0 ? { types: used.types } : {}),
        ...(rendered.statements > 1 ? { scriptOptions: { keyResultStatement: 'LAST' } } : {}),
      };
      const [queryJob] = await bigquery.createQueryJob(job);
      // wrapIntegers: INT64 arrives as its decimal text, never rounded through a double;
      // parseJSON: JSON columns arrive parsed, as the port promises.
      const [rows] = await queryJob.getQueryResults({ wrapIntegers: true, parseJSON: true });
      return (rows as Record<string, unknown>[]).map(toPlainRow);
    },
    // The client holds no connection to release (each call is an HTTPS request); later calls fail,
    // as they do on a closed embedded warehouse.
    close: async () => {
      closed = true;
    },
  };
}
