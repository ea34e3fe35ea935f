/**
 * The edge between DuckDB values and the plain JSON-ready values the Warehouse port promises
 * (pipelines/warehouse/warehouse.ts), in both directions. Results follow BigQuery's REST habits:
 * INT64 beyond 2^53 and NUMERIC a JS number cannot hold exactly as decimal text, BYTES as base64, timestamps as ISO-8601 UTC text.
 */
import {
  type DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTypeId,
  JSDuckDBValueConverter,
  listValue,
  type DuckDBResultReader,
  type DuckDBValue,
  type DuckDBValueConverter,
  type JS,
} from '@duckdb/node-api';
import { decimalValue } from '../../../pipelines/warehouse/decimal-value.ts';

function instantText(value: DuckDBValue, type: Parameters<DuckDBValueConverter<unknown>>[1]): string {
  const date = JSDuckDBValueConverter(value, type, JSDuckDBValueConverter) as Date;
  // ±infinity has no Date; DuckDB's own spelling ("infinity") is the honest answer.
  return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
}

const toPlain: DuckDBValueConverter<unknown> = (value, type, self) => {
  if (value === null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.UHUGEINT: {
      const big = value as bigint;
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big.toString();
    }
    case DuckDBTypeId.TIMESTAMP_TZ:
      return instantText(value, type);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
    case DuckDBTypeId.TIMESTAMP_MS:
    case DuckDBTypeId.TIMESTAMP_NS:
      // A wall-clock time (BigQuery DATETIME): ISO text without the zone, as BigQuery prints it.
      return instantText(value, type).replace(/Z$/, '');
    case DuckDBTypeId.DATE:
    case DuckDBTypeId.TIME:
    case DuckDBTypeId.TIME_TZ:
    case DuckDBTypeId.INTERVAL:
      return String(value);
    case DuckDBTypeId.DECIMAL:
      // NUMERIC: a number while exact, else the exact decimal text (decimal-value.ts).
      return decimalValue((value as DuckDBDecimalValue).toString());
    case DuckDBTypeId.BLOB:
      return Buffer.from(JSDuckDBValueConverter(value, type, JSDuckDBValueConverter) as Uint8Array).toString('base64');
    default:
      return JSDuckDBValueConverter(value, type, self as DuckDBValueConverter<JS>);
  }
};

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/** Rows of a finished result as plain objects (column name → value), JSON columns parsed. */
export function readPlainRows(reader: DuckDBResultReader): Record<string, unknown>[] {
  // Values reach a converter typed by their vector, which has lost the JSON alias; the result's
  // column types keep it, so JSON is parsed per column (top-level JSON columns only).
  const jsonColumns = reader.columnNames().filter((_, index) => reader.columnType(index).alias === 'JSON');
  const rows = reader.convertRowObjects(toPlain);
  if (jsonColumns.length > 0) {
    for (const row of rows) for (const name of jsonColumns) row[name] = parseJson(row[name]);
  }
  return rows;
}

/**
 * A query parameter for DuckDB. Strings are left for DuckDB to coerce (an ISO string compared
 * with a TIMESTAMP column becomes a timestamp, as a BigQuery STRING parameter would); Dates
 * become TIMESTAMP values; arrays become lists (for `IN UNNEST(@ids)`); objects become JSON text.
 */
export function toDuckDbParam(value: unknown): DuckDBValue {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return new DuckDBTimestampTZValue(BigInt(value.getTime()) * 1000n);
  if (Array.isArray(value)) return listValue(value.map(toDuckDbParam));
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return value;
    case 'object':
      return JSON.stringify(value);
    default:
      throw new TypeError(`Unsupported query parameter value: ${typeof value}`);
  }
}
