/**
 * The edge between @google-cloud/bigquery's values and the plain JSON-ready values the Warehouse
 * port promises (pipelines/warehouse/warehouse.ts), in both directions — the twin of
 * functions/embedded/warehouse/duckdb-values.ts, so `nudge query` prints the same text on either target.
 *
 * Rows arrive parsed by the library with `wrapIntegers: true` and `parseJSON: true`: INT64 as
 * BigQueryInt (its decimal text kept, never rounded through a double), TIMESTAMP as
 * BigQueryTimestamp, DATE/DATETIME/TIME as their wrapper classes, NUMERIC as big.js `Big`,
 * BYTES as Buffer, JSON already parsed, STRUCT as plain objects and ARRAY as arrays.
 */
import {
  BigQuery,
  BigQueryDate,
  BigQueryDatetime,
  BigQueryInt,
  BigQueryTime,
  BigQueryTimestamp,
  Geography,
} from '@google-cloud/bigquery';
import { decimalValue } from '../../pipelines/warehouse/decimal-value.ts';
import { elementTypeOf, type QueryParamTypes } from '../../pipelines/warehouse/query-param-types.ts';

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/** INT64 text → number while exact, the decimal text itself beyond 2^53 (as BigQuery's REST API does). */
function integerValue(text: string): number | string {
  const big = BigInt(text);
  return big >= -maxSafe && big <= maxSafe ? Number(big) : big.toString();
}

/**
 * `2026-11-27T10:00:00.123456Z` (or `.000Z`, or no fraction) → `2026-11-27T10:00:00.123Z`. Cut, not
 * rounded, to milliseconds: DuckDB's side goes through a JS Date, which cuts the same way, and
 * rounding could carry into the next second (or day).
 */
function millisecondText(value: string, zone: 'Z' | ''): string {
  const match = /^(\d{4,}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?Z?$/.exec(value);
  if (!match) return value;
  const fraction = (match[3] ?? '').padEnd(3, '0').slice(0, 3);
  return `${match[1]}T${match[2]}.${fraction}${zone}`;
}

/**
 * big.js is the library's NUMERIC class but not one of its exports (nor a dependency of ours), so it
 * is recognised by its constructor's name; Big's toString never uses exponent notation for the
 * scales NUMERIC/BIGNUMERIC have, and decimalValue() of it is what the embedded DECIMAL gives.
 */
function isBig(value: object): boolean {
  return value.constructor?.name === 'Big';
}

/** One value of a parsed BigQuery row as the port's plain value. */
export function toPlainValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') return typeof value === 'bigint' ? integerValue(value.toString()) : value;
  if (value instanceof BigQueryInt) return integerValue(value.value);
  if (value instanceof BigQueryTimestamp) return millisecondText(value.value, 'Z');
  // DATETIME is a wall-clock time: ISO text without a zone, as the DuckDB adapter prints TIMESTAMP.
  if (value instanceof BigQueryDatetime) return millisecondText(value.value, '');
  if (value instanceof BigQueryDate || value instanceof BigQueryTime || value instanceof Geography) return value.value;
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return value.toISOString();
  // NUMERIC/BIGNUMERIC: a number while exact, else the exact decimal text, as the DuckDB adapter.
  if (isBig(value)) return decimalValue(String(value));
  if (Array.isArray(value)) return value.map(toPlainValue);
  // A STRUCT, or a parsed JSON object (whose members are already plain: walking them is harmless).
  // (A RANGE, whose class the library does not export, lands here too: { elementType, start, end }.)
  return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, toPlainValue(member)]));
}

export function toPlainRow(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, toPlainValue(value)]));
}

/** What @google-cloud/bigquery takes for named parameters: values, plus types where it cannot infer one. */
export type BigQueryParams = { params: Record<string, unknown>; types: Record<string, string | string[]> };

/**
 * Query parameters in the port's plain values (the ones toDuckDbParam takes) for BigQuery, so one
 * call means the same on both targets: Dates become TIMESTAMPs; strings stay STRING (BigQuery
 * coerces a STRING parameter compared with a TIMESTAMP or DATE, as DuckDB does); integers INT64,
 * other numbers FLOAT64; bigints INT64 without rounding; arrays ARRAY (for `IN UNNEST(@ids)`);
 * other objects JSON text (STRING), as the embedded side sends them. The library cannot infer a
 * type for null or an empty array, so those are sent as a STRING NULL and an ARRAY<STRING>.
 * A parameter in `declared` is sent with that type instead.
 */
export function toBigQueryParams(values: Readonly<Record<string, unknown>>, declared: QueryParamTypes = {}): BigQueryParams {
  const params: Record<string, unknown> = {};
  const types: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(values)) {
    const type = declared[name];
    if (type !== undefined) {
      // Declared (query-param-types.ts): the canonical text goes as the parameter's value with
      // the type stated, so BigQuery parses it itself — no inference from the JavaScript value.
      const element = elementTypeOf(type);
      params[name] = value;
      types[name] = element === null ? type : [element];
    } else if (value === null || value === undefined) {
      params[name] = null;
      types[name] = 'STRING';
    } else if (Array.isArray(value)) {
      params[name] = value.map((item) => toBigQueryParam(item, name));
      if (value.length === 0) types[name] = ['STRING'];
    } else {
      params[name] = toBigQueryParam(value, name);
    }
  }
  return { params, types };
}

function toBigQueryParam(value: unknown, name: string): unknown {
  if (value instanceof Date) return BigQuery.timestamp(value);
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return BigQuery.int(value.toString());
    case 'object':
      if (value === null) throw new TypeError(`Query parameter @${name}: an array may not hold null (BigQuery refuses NULL array elements)`);
      return JSON.stringify(value);
    default:
      throw new TypeError(`Query parameter @${name}: unsupported value of type ${typeof value}`);
  }
}
