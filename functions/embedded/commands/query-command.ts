import { existsSync, readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { isSignificant, tokenize } from '../../bigquery-sql/bigquery-tokens.ts';
import { parseQueryParams, QueryParamError, type ParsedQueryParams } from '../../bigquery-sql/parse-query-param.ts';
import { findForbiddenConstruct } from '../../bigquery-sql/read-only-query-guard.ts';
import { ConfigError, dataDirOf, warehouseDatasetsOf } from '../config.ts';
import { formatCsv } from './format-csv.ts';
import { formatTable } from './format-table.ts';
import { openEmbeddedWarehouseSession } from './embedded-warehouse-session.ts';
import { describeQueryError, stringParamHints } from './quote-sql-error.ts';
import { openWarehouseForTarget, type OpenWarehouseOptions, type WarehouseTarget } from './warehouse-target.ts';
import type { WarehouseRow } from '../../../pipelines/warehouse/warehouse.ts';

export const queryFormats = ['table', 'json', 'csv'] as const;
export type QueryFormat = (typeof queryFormats)[number];

export type QueryCommandOptions = {
  /** table (default), json (one JSON object per line) or csv (RFC 4180). */
  format?: QueryFormat;
  /** The old spelling of `format: 'json'`. */
  json?: boolean;
  /** `--param` specs: `name=value` (STRING) or `name:TYPE=value` (parse-query-param.ts). */
  params?: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  target?: WarehouseTarget;
  /** gcp: builds the BigQuery client (tests pass a fake). */
  createBigQuery?: OpenWarehouseOptions['createBigQuery'];
  /** Where `-` reads the SQL from (process.stdin). */
  stdin?: Readable;
};

/**
 * `nudge query <sql|file.sql|->`: BigQuery SQL against the embedded warehouse (default) or, with
 * `--target gcp`, against the deployed BigQuery dataset (warehouse-target.ts). DuckDB allows one
 * process per file, so while the runtime runs the embedded query goes through it (host.json);
 * otherwise the file is opened here.
 *
 * Everything the analyst can get wrong is refused before any warehouse is opened or any job
 * billed, in the analyst's terms: a `.sql` path that does not exist (never run as SQL), DML or
 * DDL, a `--param` that is not a valid value of its type, an `@name` without a `--param` and a
 * `--param` the SQL never uses. A failing query's message quotes the analyst's line, never the
 * DuckDB translation.
 */
export async function runQueryCommand(sqlOrFile: string, options: QueryCommandOptions, out: Writable): Promise<number> {
  const fail = (message: string) => (console.error(`nudge: ${message}`), 1);
  const format = options.format ?? (options.json ? 'json' : 'table');
  if (options.json && format !== 'json') return fail(`--json is --format json; it cannot go with --format ${format}`);

  const source = await readSql(sqlOrFile, options.stdin);
  if ('error' in source) return fail(source.error);
  const { sql, file } = source;
  if (sql.trim() === '') return fail(`no SQL to run${file ? ` in ${file}` : ''}`);

  // The same read-only rule the running host applies, so every path answers alike — and a typo'd
  // DELETE never reaches a deployed dataset.
  const forbidden = findForbiddenConstruct(sql);
  if (forbidden !== null) return fail(describeQueryError(`nudge query is read-only: ${forbidden}`, sql, file));

  let params: ParsedQueryParams;
  try {
    params = parseQueryParams(options.params ?? []);
    checkParamsMatch(sql, Object.keys(params.types));
  } catch (error) {
    if (error instanceof QueryParamError) return fail(error.message);
    throw error;
  }

  const dataDir = options.target === 'gcp' ? undefined : dataDirOf(options.env);
  let rows: WarehouseRow[];
  try {
    rows = dataDir === undefined ? await runGcpQuery(sql, params, options.env, options.createBigQuery) : await queryEmbeddedWarehouse(dataDir, sql, params, warehouseDatasetsOf(options.env));
  } catch (error) {
    // A missing setting is not a failed query: say what to set.
    if (error instanceof ConfigError) return fail(error.message);
    const message = error instanceof Error ? error.message : String(error);
    return fail(`query failed: ${describeQueryError(message, sql, file)}${stringParamHints(message, options.params ?? [])}`);
  }
  out.write(formatRows(rows, format));
  return 0;
}

function formatRows(rows: readonly WarehouseRow[], format: QueryFormat): string {
  if (format === 'csv') return formatCsv(rows);
  if (format === 'json') return rows.map((row) => JSON.stringify(row)).join('\n') + (rows.length ? '\n' : '');
  return formatTable(rows);
}

/**
 * The SQL of the argument: `-` is stdin; a name ending in `.sql` is a file that must exist (a
 * typo'd path run as SQL would fail with a baffling syntax error, or worse, run); anything else is
 * the SQL itself.
 */
async function readSql(argument: string, stdin: Readable | undefined): Promise<{ sql: string; file?: string } | { error: string }> {
  if (argument === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin ?? process.stdin) chunks.push(Buffer.from(chunk as Buffer | string));
    return { sql: Buffer.concat(chunks).toString('utf8') };
  }
  const path = argument.trim();
  if (!/\.sql$/i.test(path)) return { sql: argument };
  if (!existsSync(path)) return { error: `no such file: ${path} (a .sql argument is read as a file, never run as SQL)` };
  try {
    return { sql: readFileSync(path, 'utf8'), file: path };
  } catch (error) {
    return { error: `cannot read ${path}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/**
 * Every `@name` the SQL uses needs a `--param`, and every `--param` must be used: a misspelt
 * parameter would otherwise leave a filter unbound or silently unapplied.
 */
function checkParamsMatch(sql: string, given: readonly string[]): void {
  const used = new Set(tokenize(sql).filter((token) => isSignificant(token) && token.kind === 'param' && !token.value.startsWith('@')).map((token) => token.value));
  const missing = [...used].filter((name) => !given.includes(name));
  if (missing.length > 0) {
    throw new QueryParamError(`the SQL uses ${missing.map((name) => `@${name}`).join(', ')}: give ${missing.map((name) => `--param ${name}=… (or ${name}:TYPE=…)`).join(', ')}`);
  }
  const unused = given.filter((name) => !used.has(name));
  if (unused.length > 0) {
    throw new QueryParamError(`--param ${unused.join(', ')}: the SQL has no ${unused.map((name) => `@${name}`).join(', ')}${used.size ? ` (it uses ${[...used].map((name) => `@${name}`).join(', ')})` : ''}`);
  }
}

/** One read-only query against the embedded warehouse of `dataDir` (embedded-warehouse-session.ts). */
export async function queryEmbeddedWarehouse(
  dataDir: string,
  sql: string,
  typed: ParsedQueryParams = { params: {}, types: {} },
  datasets: readonly string[] = [],
): Promise<WarehouseRow[]> {
  const session = await openEmbeddedWarehouseSession(dataDir, datasets);
  try {
    return await session.query(sql, typed);
  } finally {
    await session.close();
  }
}

async function runGcpQuery(
  sql: string,
  typed: ParsedQueryParams,
  env: Readonly<Record<string, string | undefined>>,
  createBigQuery: OpenWarehouseOptions['createBigQuery'],
): Promise<WarehouseRow[]> {
  const warehouse = await openWarehouseForTarget({ target: 'gcp', env, ...(createBigQuery ? { createBigQuery } : {}) });
  try {
    return await warehouse.query(sql, typed.params, { types: typed.types });
  } finally {
    await warehouse.close();
  }
}
