/**
 * The Warehouse port on DuckDB, for the embedded runtime: one file, `${dataDir}/warehouse.duckdb`,
 * whose tables come from the same sql/ DDL BigQuery gets (translated by bigquery-to-duckdb.ts).
 *
 * Exactly once in `events` although delivery is at-least-once: the DDL's primary key (NOT
 * ENFORCED in BigQuery) is enforced here. Inserts take a fast path — the appender straight into
 * the table, which fails whole on a duplicate key — and only a slice that hit a duplicate (a
 * redelivery after a crash, a client retry) takes the slow path: a temp staging table and
 * INSERT OR IGNORE, about three times slower.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, DuckDBTimestampTZValue, type DuckDBAppender, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { DeadLetter } from '../../../pipelines/events/dead-letters.ts';
import type { NudgeEvent } from '../../../pipelines/events/nudge-event.ts';
import type { QueryParamTypes } from '../../../pipelines/warehouse/query-param-types.ts';
import type { Warehouse, WarehouseRow } from '../../../pipelines/warehouse/warehouse.ts';
import { parseCreateTable } from '../../bigquery-sql/bigquery-ddl.ts';
import { translateStatements } from './bigquery-to-duckdb.ts';
import { readPlainRows, toDuckDbParam } from './duckdb-values.ts';
import { toTypedDuckDbParam } from './duckdb-typed-params.ts';
import { describeDuckDbError } from './duckdb-errors.ts';
import { toBigQueryResultArrays } from './result-arrays.ts';
import { bigQueryColumnNames, nameAnonymousColumns } from './select-list-names.ts';
import { orderViewsByDependencies } from '../../bigquery-sql/sql-view-order.ts';

/** Every tunable in one place. */
export const duckDbWarehouseDefaults = {
  fileName: 'warehouse.duckdb',
  /**
   * WAL size that triggers a checkpoint. At DuckDB's 16MB default a checkpoint lands every ~40k
   * events and costs more than the inserts between them; 64MB keeps batches of 1000 fast while
   * the WAL replayed after a crash stays small.
   */
  checkpointThreshold: '64MB',
  /** DuckDB's buffer pool (the primary-key index is buffer-managed, so it stays within it). */
  memoryLimit: '256MB',
  /** Rows appended and flushed as one all-or-nothing unit. */
  maxAppendRows: 5000,
};

export type DuckDbWarehouseOptions = {
  /** Folder of the warehouse file (NUDGE_DATA_DIR); created when missing. */
  dataDir: string;
  /** The sql/ folder; found by walking up from this module when omitted. */
  sqlDir?: string;
  /** Open for queries only (no DDL, no inserts). DuckDB still refuses while a writer holds the file. */
  readOnly?: boolean;
  /** Extra dataset names whose qualifier queries may use (`nudge` always works). */
  datasets?: readonly string[];
  settings?: Partial<typeof duckDbWarehouseDefaults>;
};

/** sql/tables first (in name order), then sql/views when it exists, each after the views it reads. */
function findSqlFiles(sqlDir: string): string[] {
  const list = (folder: string) => {
    const dir = join(sqlDir, folder);
    if (!existsSync(dir)) return [];
    return readdirSync(dir).filter((name) => name.endsWith('.sql')).sort().map((name) => join(dir, name));
  };
  const views = list('views').map((path) => ({ path, name: basename(path, '.sql'), sql: readFileSync(path, 'utf8') }));
  return [...list('tables'), ...orderViewsByDependencies(views).map((view) => view.path)];
}

function findSqlDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'sql', 'tables'))) return join(dir, 'sql');
    if (dirname(dir) === dir) throw new Error('Cannot find the sql/ folder; pass sqlDir to openDuckDbWarehouse');
  }
}

type AppendValue = (appender: DuckDBAppender, value: unknown, column: string) => void;

function instantMicros(value: unknown, column: string): bigint {
  const ms = value instanceof Date ? value.getTime() : Date.parse(String(value));
  if (Number.isNaN(ms)) throw new TypeError(`${column}: not an instant: ${String(value)}`);
  return BigInt(ms) * 1000n;
}

/** How a JS value enters a column, by DuckDB data type (information_schema spelling). */
const appendByType: Record<string, AppendValue> = {
  VARCHAR: (a, v) => a.appendVarchar(String(v)),
  JSON: (a, v) => a.appendVarchar(JSON.stringify(v)),
  BIGINT: (a, v) => (typeof v === 'number' && (v | 0) === v ? a.appendInteger(v) : a.appendBigInt(BigInt(v as number))),
  DOUBLE: (a, v) => a.appendDouble(Number(v)),
  BOOLEAN: (a, v) => a.appendBoolean(Boolean(v)),
  // YYYY-MM-DD text (profile_snapshots.snapshot_date), parsed by DuckDB at flush like instants.
  DATE: (a, v) => a.appendVarchar(String(v)),
  // UTC ISO text (every NudgeEvent instant) is parsed by DuckDB at flush, twice as fast as building
  // the value here; text with an offset is converted here, as DuckDB's appender would drop the offset.
  'TIMESTAMP WITH TIME ZONE': (a, v, column) =>
    typeof v === 'string' && v.endsWith('Z') ? a.appendVarchar(v) : a.appendTimestampTZ(new DuckDBTimestampTZValue(instantMicros(v, column))),
};

type TableWriter = {
  table: string;
  key: string;
  columns: { name: string; append: AppendValue }[];
  appender?: DuckDBAppender;
  staging?: DuckDBAppender;
};

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const isDuplicateKey = (error: unknown) => /Duplicate key|violates (primary key|unique) constraint/i.test(String(error));

function appendRows(appender: DuckDBAppender, writer: TableWriter, rows: readonly Record<string, unknown>[]): void {
  for (const row of rows) {
    for (const column of writer.columns) {
      const value = row[column.name];
      if (value === null || value === undefined) appender.appendNull();
      else column.append(appender, value, `${writer.table}.${column.name}`);
    }
    appender.endRow();
  }
}

function refuseUnknownColumns(writer: TableWriter, rows: readonly Record<string, unknown>[]): void {
  const known = new Set(writer.columns.map((column) => column.name));
  const unknown = new Set(rows.flatMap((row) => Object.keys(row).filter((key) => !known.has(key))));
  if (unknown.size > 0) throw new Error(`Warehouse table ${writer.table} has no column(s) ${[...unknown].join(', ')}`);
}

/** DuckDB types of the BigQuery scalar types a NULLABLE column added to a table may have. */
const addableTypes: Record<string, string> = { STRING: 'VARCHAR', INT64: 'BIGINT', FLOAT64: 'DOUBLE', BOOL: 'BOOLEAN', TIMESTAMP: 'TIMESTAMPTZ', DATE: 'DATE', JSON: 'JSON' };

async function describeTable(connection: DuckDBConnection, ddlFile: string): Promise<TableWriter> {
  const ddl = parseCreateTable(readFileSync(ddlFile, 'utf8'));
  const reader = await connection.runAndReadAll(
    `SELECT column_name, data_type FROM information_schema.columns
     WHERE table_schema = 'main' AND table_name = $table ORDER BY ordinal_position`,
    { table: ddl.name },
  );
  const actual = reader.getRowObjectsJS() as { column_name: string; data_type: string }[];
  const absent = ddl.columns.filter((c) => !actual.some((a) => a.column_name === c.name));
  // CREATE TABLE IF NOT EXISTS never alters. A NULLABLE column added to the DDL since the file was
  // made is added here, as BigQuery adds one (existing rows read NULL); anything else needs a hand.
  const missing = absent.filter((c) => c.mode !== 'NULLABLE' || !addableTypes[c.type]).map((c) => c.name);
  if (missing.length > 0) throw new Error(`Warehouse table ${ddl.name} lacks columns ${missing.join(', ')} declared in ${ddlFile}`);
  if (absent.length > 0) {
    for (const column of absent) await connection.run(`ALTER TABLE "${ddl.name}" ADD COLUMN "${column.name}" ${addableTypes[column.type]}`);
    return describeTable(connection, ddlFile);
  }
  const columns = actual.map(({ column_name: name, data_type: type }) => {
    const append = appendByType[type];
    if (!append) throw new Error(`Warehouse table ${ddl.name}.${name}: no appender for DuckDB type ${type}`);
    return { name, append };
  });
  return { table: ddl.name, key: ddl.primaryKey[0] ?? '', columns };
}

export async function openDuckDbWarehouse(options: DuckDbWarehouseOptions): Promise<Warehouse> {
  const settings = { ...duckDbWarehouseDefaults, ...options.settings };
  const path = join(options.dataDir, settings.fileName);
  const sqlFiles = findSqlFiles(options.sqlDir ?? findSqlDir());
  if (!options.readOnly) mkdirSync(options.dataDir, { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, {
      access_mode: options.readOnly ? 'READ_ONLY' : 'READ_WRITE',
      checkpoint_threshold: settings.checkpointThreshold,
      memory_limit: settings.memoryLimit,
    });
  } catch (error) {
    const inUse = /lock/i.test(String(error)) ? ' It is in use by another process (is `npm start` running?).' : '';
    throw new Error(`Cannot open the warehouse ${path}.${inUse} ${String(error)}`, { cause: error });
  }
  const connection = await instance.connect();
  // BigQuery evaluates DATE(ts), FORMAT_TIMESTAMP, ... in UTC unless told otherwise.
  await connection.run("SET TimeZone = 'UTC'");
  // BigQuery sorts NULLs first ascending and last descending, in ORDER BY, window ORDER BY and
  // aggregate ORDER BY (ARRAY_AGG, STRING_AGG) alike; DuckDB's default is NULLS LAST. One session
  // setting covers every ORDER BY; an explicit NULLS FIRST/LAST still wins.
  await connection.run("SET default_null_order = 'nulls_first_on_asc_last_on_desc'");
  // Defense in depth behind the admin query guard: no files, URLs or other databases beyond this
  // one, and no SET that could turn that back on. The SQL of sql/ needs neither. (After TimeZone:
  // setting it loads the icu extension.)
  await connection.run('SET enable_external_access = false');
  await connection.run('SET lock_configuration = true');
  const writers = new Map<string, TableWriter>();
  if (!options.readOnly) {
    // Each table is brought up to its DDL before the views that read it are made.
    for (const file of sqlFiles) {
      for (const statement of translateStatements(readFileSync(file, 'utf8'), { datasets: options.datasets })) {
        await connection.run(statement.sql);
      }
      if (!dirname(file).endsWith('tables')) continue;
      const writer = await describeTable(connection, file);
      writers.set(writer.table, writer);
    }
  }

  // One connection serves everything; its calls must not interleave (an appender is mid-row otherwise).
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;
  const exclusive = <T>(task: () => Promise<T>, whenClosed: 'fail' | 'run' = 'fail'): Promise<T> => {
    const run = tail.then(() => {
      if (closed && whenClosed === 'fail') throw new Error('The warehouse is closed');
      return task();
    });
    tail = run.catch(() => undefined);
    return run;
  };

  async function insertSkippingDuplicates(writer: TableWriter, rows: readonly Record<string, unknown>[]): Promise<void> {
    const staging = `_incoming_${writer.table}`;
    if (!writer.staging) {
      await connection.run(`CREATE TEMP TABLE IF NOT EXISTS ${quote(staging)} AS SELECT * FROM ${quote(writer.table)} LIMIT 0`);
      writer.staging = await connection.createAppender(staging, 'main', 'temp');
    }
    try {
      appendRows(writer.staging, writer, rows);
      writer.staging.flushSync();
      await connection.run(`INSERT OR IGNORE INTO ${quote(writer.table)} SELECT * FROM ${quote(staging)}`);
    } finally {
      writer.staging.clear();
      await connection.run(`DELETE FROM ${quote(staging)}`);
    }
  }

  /** `checkColumns`: refuse a field the table lacks, rather than drop it unseen (a typo, or personal data). */
  const insert = (table: string, rows: readonly Record<string, unknown>[], checkColumns = false) =>
    exclusive(async () => {
      const writer = writers.get(table);
      if (!writer) throw new Error(`The warehouse has no table ${table}${options.readOnly ? ' (opened read-only)' : ''}`);
      if (checkColumns) refuseUnknownColumns(writer, rows);
      // A table without a primary key has nothing to dedupe by: every row is kept.
      const unique = writer.key ? [...new Map(rows.map((row) => [row[writer.key], row])).values()] : rows;
      writer.appender ??= await connection.createAppender(table);
      for (let start = 0; start < unique.length; start += settings.maxAppendRows) {
        const slice = unique.slice(start, start + settings.maxAppendRows);
        try {
          appendRows(writer.appender, writer, slice);
          writer.appender.flushSync();
        } catch (error) {
          writer.appender.clear();
          if (!isDuplicateKey(error)) throw error;
          await insertSkippingDuplicates(writer, slice);
        }
      }
    });

  return {
    insertEvents: (rows: readonly NudgeEvent[]) => insert('events', rows),
    insertDeadLetters: (rows: readonly DeadLetter[]) => insert('dead_letters', rows),
    insertRows: (table, rows) => insert(table, rows, true),
    query: (sql, params = {}, queryOptions = {}) =>
      exclusive(async () => {
        let rows: WarehouseRow[] = [];
        const statements = translateStatements(sql, { datasets: options.datasets, nameColumns: true });
        for (const [index, statement] of statements.entries()) {
          const missing = statement.params.filter((name) => !(name in params));
          if (missing.length > 0) throw new Error(`Query parameter(s) without a value: ${missing.map((n) => `@${n}`).join(', ')}`);
          const { values, types } = bindParams(statement.params, params, queryOptions.types);
          let reader;
          try {
            reader = await connection.runAndReadAll(statement.sql, statement.params.length > 0 ? values : undefined, types);
          } catch (error) {
            throw describeDuckDbError(error, { index, count: statements.length }, sql);
          }
          const names = bigQueryColumnNames(reader.columnNames());
          refuseDuplicateColumns(names, { index, count: statements.length });
          const plain = readPlainRows(reader);
          toBigQueryResultArrays(reader, plain, names);
          rows = nameAnonymousColumns(plain);
        }
        return rows;
      }),
    close: () =>
      exclusive(async () => {
        if (closed) return;
        for (const writer of writers.values()) {
          writer.appender?.closeSync();
          writer.staging?.closeSync();
        }
        connection.closeSync();
        instance.closeSync();
        closed = true;
      }, 'run'),
  };
}

/** The values of the parameters a statement uses: typed ones as their declared type, the others by value. */
/**
 * BigQuery refuses a result with two columns of one name (names compare without case), where
 * DuckDB answers both (the second renamed `a:1` in rows). Top-level result columns only: a
 * subquery's duplicate names are BigQuery's to allow or refuse, and DuckDB's binder to resolve.
 * https://cloud.google.com/bigquery/docs/error-messages (Duplicate column names in the result are not supported)
 */
function refuseDuplicateColumns(names: readonly string[], statement: { index: number; count: number }): void {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const name of names) {
    if (seen.has(name.toLowerCase())) duplicates.add(name);
    seen.add(name.toLowerCase());
  }
  if (duplicates.size === 0) return;
  const where = statement.count > 1 ? ` (statement ${statement.index + 1} of ${statement.count})` : '';
  throw new Error(`Duplicate column names in the result are not supported. Found duplicate(s): ${[...duplicates].join(', ')}${where}`);
}

function bindParams(names: readonly string[], params: Record<string, unknown>, declared: QueryParamTypes = {}): { values: Record<string, DuckDBValue>; types?: Record<string, DuckDBType> } {
  const values: Record<string, DuckDBValue> = {};
  const types: Record<string, DuckDBType> = {};
  for (const name of names) {
    const type = declared[name];
    if (type === undefined) {
      values[name] = toDuckDbParam(params[name]);
      continue;
    }
    const bound = toTypedDuckDbParam(params[name], type);
    values[name] = bound.value;
    types[name] = bound.type;
  }
  return Object.keys(types).length > 0 ? { values, types } : { values };
}
