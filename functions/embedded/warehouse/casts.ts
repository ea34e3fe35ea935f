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
      const double = `CAST(${x} AS DOUBLE)`;
      return (
        `(CASE WHEN (${x}) IS NULL THEN NULL ` +
        `WHEN typeof(${x}) IN ('DOUBLE', 'FLOAT') AND isfinite(${double}) AND ${double} = trunc(${double}) THEN ` +
        `(CASE WHEN abs(${double}) < 1e15 THEN CAST(CAST(${double} AS BIGINT) AS VARCHAR) ELSE error('CAST(FLOAT64 AS STRING) of a whole number from 1e15 on is not supported embedded') END) ` +
        `WHEN typeof(${x}) LIKE 'DECIMAL%' THEN regexp_replace(regexp_replace(${text}, '(\\.[0-9]*?)0+$', '\\1'), '\\.$', '') ` +
        `ELSE ${base} END)`
      );
    }
    return base;
  };

export const castRewrites: Record<string, FunctionRewrite> = { CAST: strictCast(false), SAFE_CAST: strictCast(true) };
