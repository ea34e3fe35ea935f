/**
 * CAST / SAFE_CAST where DuckDB's cast answers what BigQuery's would not (found by running both
 * sides' documented rules through DuckDB 1.5):
 *
 * - STRING → INT64: BigQuery takes decimal or hex integer text only; DuckDB also takes '1.5' (→ 2)
 *   and '1e3' (→ 1000). BigQuery fails ("Bad int64 value"); SAFE_CAST gives NULL.
 * - STRING → BOOL: BigQuery takes 'true' / 'false' (any case) only; DuckDB also 'yes', 't', '1'.
 * - FLOAT64 → INT64: BigQuery rounds halfway away from zero (2.5 → 3); DuckDB to even (2.5 → 2).
 * - FLOAT64 → STRING: BigQuery writes 1.0 as "1", DuckDB as "1.0"; integral values from 1e15 on
 *   (BigQuery's "1e+15") are refused rather than guessed.
 * - NUMERIC → STRING: BigQuery drops trailing zeros ("1.5"); DuckDB's DECIMAL(38, 9) keeps nine.
 * - TIMESTAMP → STRING: BigQuery writes `2024-01-01 10:00:00+00` (UTC) with 0, 3 or 6 digits of
 *   fraction; DuckDB drops every trailing zero. DATETIME and TIME with a fraction are refused;
 *   BYTES → STRING is the bytes read as UTF-8 (an error when they are not, as in BigQuery);
 *   INTERVAL → STRING (BigQuery's '0-0 1 0:0:0' form) is refused. DATE and BOOL print alike.
 *
 * The argument's type is only known to DuckDB, so each rewrite is a CASE on typeof(x), which
 * DuckDB decides once per query; the other branches are never evaluated.
 */
import { isSignificant, type Token } from '../../bigquery-sql/bigquery-tokens.ts';
import { findCastAs, functionRewrites, type FunctionRewrite } from './bigquery-functions.ts';

const integerTypes = new Set(['INT64', 'INT', 'INTEGER', 'BIGINT', 'SMALLINT', 'TINYINT', 'BYTEINT']);
const boolTypes = new Set(['BOOL', 'BOOLEAN']);

/** The expression tokens and the upper-case first word of the type of `x AS type`. */
function castOperands(raw: readonly Token[]): { expr: Token[]; type: string } | undefined {
  const asAt = findCastAs(raw);
  if (asAt === -1) return undefined;
  const typeTokens = raw.slice(asAt + 1).filter(isSignificant);
  return { expr: raw.slice(0, asAt), type: typeTokens.length === 1 ? typeTokens[0]!.value.toUpperCase() : '' };
}

const error = (message: string) => `error('${message}')`;

const strictCast =
  (safe: boolean): FunctionRewrite =>
  (call) => {
    const base = (safe ? functionRewrites.SAFE_CAST : functionRewrites.CAST)!(call);
    const operands = castOperands(call.rawArgs[0] ?? []);
    if (!operands) return base;
    const x = call.translate(operands.expr).trim();
    const fail = (what: string) => (safe ? 'NULL' : `error(concat('${what}: ', CAST(${x} AS VARCHAR)))`);
    const text = `CAST(${x} AS VARCHAR)`;
    if (integerTypes.has(operands.type)) {
      return (
        `(CASE WHEN (${x}) IS NULL THEN NULL ` +
        `WHEN typeof(${x}) = 'VARCHAR' THEN (CASE WHEN regexp_full_match(${text}, '[+-]?(0[xX][0-9a-fA-F]+|[0-9]+)') THEN ${base} ELSE ${fail('Bad int64 value')} END) ` +
        `WHEN typeof(${x}) IN ('DOUBLE', 'FLOAT') THEN ${safe ? 'TRY_CAST' : 'CAST'}(round(CAST(${x} AS DOUBLE)) AS BIGINT) ` +
        `ELSE ${base} END)`
      );
    }
    if (boolTypes.has(operands.type)) {
      return (
        `(CASE WHEN (${x}) IS NULL THEN NULL ` +
        `WHEN typeof(${x}) = 'VARCHAR' THEN (CASE WHEN lower(${text}) IN ('true', 'false') THEN lower(${text}) = 'true' ELSE ${fail('Bad bool value')} END) ` +
        `ELSE ${base} END)`
      );
    }
    if (operands.type === 'STRING') {
      // Every branch must bind whatever x's type is (DuckDB binds all, runs one), so typed views
      // of x go through its text: a DATE has no cast to DOUBLE, but its text has a TRY_CAST.
      const as = (type: string) => `TRY_CAST(${text} AS ${type})`;
      const double = as('DOUBLE');
      const instant = as('TIMESTAMPTZ');
      const wallClock = as('TIMESTAMP');
      const micros = (value: string) => `(microsecond(${value}) % 1000000)`;
      // BigQuery writes a TIMESTAMP's fraction with 0, 3 or 6 digits (trailing zeros dropped by threes).
      const fraction = (value: string) =>
        `(CASE WHEN ${micros(value)} = 0 THEN '' WHEN ${micros(value)} % 1000 = 0 THEN '.' || lpad(CAST(${micros(value)} // 1000 AS VARCHAR), 3, '0') ` +
        `ELSE '.' || lpad(CAST(${micros(value)} AS VARCHAR), 6, '0') END)`;
      const refuse = (what: string) => error(`CAST(${what} AS STRING) is not supported embedded`);
      return (
        `(CASE WHEN (${x}) IS NULL THEN NULL ` +
        `WHEN typeof(${x}) IN ('DOUBLE', 'FLOAT') AND isfinite(${double}) AND ${double} = trunc(${double}) THEN ` +
        `(CASE WHEN abs(${double}) < 1e15 THEN CAST(CAST(${double} AS BIGINT) AS VARCHAR) ELSE ${refuse('FLOAT64 whole number from 1e15 on')} END) ` +
        `WHEN typeof(${x}) LIKE 'DECIMAL%' THEN regexp_replace(regexp_replace(${text}, '(\\.[0-9]*?)0+$', '\\1'), '\\.$', '') ` +
        `WHEN typeof(${x}) = 'TIMESTAMP WITH TIME ZONE' THEN strftime(${instant}, '%Y-%m-%d %H:%M:%S') || ${fraction(instant)} || '+00' ` +
        // DATETIME and TIME with a fraction of a second: BigQuery's digits are not documented.
        `WHEN typeof(${x}) = 'TIMESTAMP' THEN (CASE WHEN ${micros(wallClock)} = 0 THEN strftime(${wallClock}, '%Y-%m-%d %H:%M:%S') ELSE ${refuse('DATETIME with a fraction of a second')} END) ` +
        `WHEN typeof(${x}) = 'TIME' THEN (CASE WHEN ${micros(as('TIME'))} = 0 THEN ${text} ELSE ${refuse('TIME with a fraction of a second')} END) ` +
        `WHEN typeof(${x}) = 'BLOB' THEN decode(${as('BLOB')}) ` +
        `WHEN typeof(${x}) = 'INTERVAL' THEN ${refuse('INTERVAL')} ` +
        `ELSE ${base} END)`
      );
    }
    return base;
  };

export const castRewrites: Record<string, FunctionRewrite> = { CAST: strictCast(false), SAFE_CAST: strictCast(true) };
