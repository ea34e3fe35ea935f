import {
  BIGINT,
  BOOLEAN,
  DATE,
  DECIMAL,
  DOUBLE,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  LIST,
  listValue,
  TIMESTAMP,
  TIMESTAMPTZ,
  VARCHAR,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { elementTypeOf, type QueryParamType, type ScalarQueryParamType } from '../../../pipelines/warehouse/query-param-types.ts';

/**
 * A parameter declared with a BigQuery type (query-param-types.ts), bound to DuckDB as the type
 * the translator maps it to (INT64 → BIGINT, NUMERIC → DECIMAL(38, 9), DATETIME → TIMESTAMP,
 * TIMESTAMP → TIMESTAMPTZ, ARRAY<T> → T[]), so `SELECT @d` answers a DATE here as BigQuery does,
 * instead of a string DuckDB may or may not coerce. The value is in its canonical form (already
 * checked by functions/bigquery-sql/parse-query-param.ts). JSON is bound as its text: DuckDB's
 * JSON is a VARCHAR alias that a bound value does not keep; every JSON function reads the text.
 */
export function toTypedDuckDbParam(value: unknown, type: QueryParamType): { value: DuckDBValue; type: DuckDBType } {
  const element = elementTypeOf(type);
  if (element !== null) {
    if (!Array.isArray(value)) throw new TypeError(`a ${type} parameter needs an array`);
    return { value: listValue(value.map((item) => toScalar(item, element).value)), type: LIST(duckDbTypeOf(element)) };
  }
  return toScalar(value, type as ScalarQueryParamType);
}

function duckDbTypeOf(type: ScalarQueryParamType): DuckDBType {
  return { STRING: VARCHAR, INT64: BIGINT, FLOAT64: DOUBLE, NUMERIC: DECIMAL(38, 9), BOOL: BOOLEAN, DATE, DATETIME: TIMESTAMP, TIMESTAMP: TIMESTAMPTZ, JSON: VARCHAR }[type];
}

function toScalar(value: unknown, type: ScalarQueryParamType): { value: DuckDBValue; type: DuckDBType } {
  const duckType = duckDbTypeOf(type);
  const text = String(value);
  switch (type) {
    case 'STRING':
    case 'JSON':
      return { value: text, type: duckType };
    case 'INT64':
      return { value: BigInt(text), type: duckType };
    case 'FLOAT64':
      return { value: Number(value), type: duckType };
    case 'BOOL':
      return { value: value === true, type: duckType };
    case 'NUMERIC': {
      const [whole, fraction = ''] = text.replace(/^-/, '').split('.');
      const scaled = BigInt(`${whole}${fraction.padEnd(9, '0')}`);
      return { value: new DuckDBDecimalValue(text.startsWith('-') ? -scaled : scaled, 38, 9), type: duckType };
    }
    case 'DATE':
      return { value: new DuckDBDateValue(Number(microsOf(text) / 86_400_000_000n)), type: duckType };
    case 'DATETIME':
      return { value: new DuckDBTimestampValue(microsOf(text)), type: duckType };
    case 'TIMESTAMP':
      return { value: new DuckDBTimestampTZValue(microsOf(text)), type: duckType };
  }
}

/** Microseconds since the epoch of a canonical DATE, DATETIME or UTC TIMESTAMP text. */
function microsOf(text: string): bigint {
  const [, y, mo, d, h = '0', mi = '0', s = '0', f = '0'] = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})\.(\d{6}))?/.exec(text) ?? [];
  const day = new Date(Date.UTC(2000, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  day.setUTCFullYear(Number(y)); // Date.UTC reads years 0–99 as 1900–1999
  return BigInt(day.getTime()) * 1000n + BigInt(f);
}
