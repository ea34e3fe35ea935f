import type { DeadLetter } from '../events/dead-letters.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import type { QueryParamTypes } from './query-param-types.ts';

/**
 * The warehouse port: history nudge keeps for analysts, reconciliation and KPIs (DESIGN.md §3).
 * DuckDB embedded (functions/embedded/warehouse/duckdb-warehouse.ts); on GCP, BigQuery
 * (functions/gcp/bigquery-warehouse.ts) — where `events` is written by a Pub/Sub BigQuery
 * subscription rather than by insertEvents, so reads there dedupe by key (the *_deduped views).
 *
 * SQL is always BigQuery Standard SQL, the dialect of sql/ (the embedded adapter translates it):
 * tables by bare name (`events`) or dataset-qualified (`nudge.events`, `${dataset}.events`),
 * named parameters as `@name`.
 */
export type WarehouseRow = Record<string, unknown>;

export type Warehouse = {
  /**
   * Appends events; resolves once they are durable. Idempotent by event_id: an id already stored
   * (or repeated in the batch) is skipped, so at-least-once delivery leaves one row per event.
   */
  insertEvents: (rows: readonly NudgeEvent[]) => Promise<void>;
  /** Appends dead letters; idempotent by dead_letter_id, durable once resolved. */
  insertDeadLetters: (rows: readonly DeadLetter[]) => Promise<void>;
  /**
   * Appends rows to any table of sql/tables (decisions, email_sends, ...) by bare name; resolves
   * once they are durable. Idempotent by the table's primary key, like insertEvents. Rows carry
   * the table's columns by name (a missing one is NULL, an extra one is refused); instants as
   * ISO-8601 text or Date, JSON columns as values. Rejects for a table sql/tables does not declare.
   */
  insertRows: (table: string, rows: readonly WarehouseRow[]) => Promise<void>;
  /**
   * Runs BigQuery SQL (several `;`-separated statements allowed: the last one's rows are
   * returned). Rows are plain JSON-ready values: INT64 as number (as a decimal string beyond
   * 2^53), TIMESTAMP as ISO-8601 UTC text (`2026-11-27T10:00:00.000Z`), DATE as `YYYY-MM-DD`,
   * JSON columns parsed, BYTES as base64, NUMERIC as number while exact (else its exact decimal
   * text, decimal-value.ts). `types` binds the named parameters with BigQuery's
   * types (query-param-types.ts, values in their canonical form); the others by their value.
   */
  query: (sql: string, params?: Record<string, unknown>, options?: { types?: QueryParamTypes }) => Promise<WarehouseRow[]>;
  close: () => Promise<void>;
};
