/**
 * BigQuery functions whose name DuckDB also has, with another meaning. Passed through unchanged
 * they would run without an error and answer differently — the worst outcome (DESIGN.md §4) — so
 * each is rewritten to BigQuery's meaning or refused. Found by reading BigQuery's function list
 * against DuckDB 1.5's and running each in DuckDB:
 *
 * - LOG(x) is log10 in DuckDB (natural log in BigQuery); LOG(x, b) takes the base FIRST in DuckDB.
 * - GREATEST / LEAST skip NULLs in DuckDB; BigQuery answers NULL when any argument is NULL.
 * - ARRAY_CONCAT (DuckDB's list_concat) treats a NULL array as empty; BigQuery answers NULL.
 * - REGEXP_REPLACE replaces the first match in DuckDB, every match in BigQuery.
 * - MD5 / SHA1 / SHA256 return hex TEXT in DuckDB, BYTES in BigQuery (so TO_HEX(MD5(x)) would hex
 *   the hex); TO_HEX is upper-case in DuckDB, lower-case in BigQuery.
 * - SUBSTR / SUBSTRING: position 0 or before the start reads from the first character in BigQuery
 *   (DuckDB: fewer characters or none); a negative length is an error in BigQuery.
 * - MAX_BY / MIN_BY skip NULL values in DuckDB (aggregate-clauses.ts rewrites them).
 * - JSON_KEYS lists nested keys too in BigQuery ("a", "a.b"), top-level ones in DuckDB: refused.
 * - ARRAY_SLICE takes 0-based offsets in BigQuery, 1-based in DuckDB: refused.
 * - ARRAY_TRANSFORM / ARRAY_FILTER with (element, index) lambdas: BigQuery's index is 0-based,
 *   DuckDB's 1-based: the two-parameter form is refused.
 * - POW / POWER and EXP answer Infinity or NaN in DuckDB where BigQuery fails (0 to a negative power, a
 *   negative base to a fractional power, overflow); LEFT / RIGHT / REPEAT / LPAD / RPAD answer a
 *   string for a negative length where BigQuery fails. Both now fail as BigQuery does.
 */
import { BigQueryTranslationError, isOp, isSignificant } from '../../bigquery-sql/bigquery-tokens.ts';
import { arity, type FunctionRewrite } from './bigquery-functions.ts';

const nullIfAnyNull =
  (duckName: string): FunctionRewrite =>
  (call) => {
    if (call.args.length === 0) throw new BigQueryTranslationError(`${call.name} takes at least 1 argument`);
    return `(CASE WHEN ${call.args.map((arg) => `(${arg}) IS NULL`).join(' OR ')} THEN NULL ELSE ${duckName}(${call.args.join(', ')}) END)`;
  };

const hashBytes =
  (duckName: string): FunctionRewrite =>
  (call) => (arity(call, 1), `unhex(${duckName}(${call.args[0]}))`);

const refused =
  (why: string): FunctionRewrite =>
  (call) => {
    throw new BigQueryTranslationError(`${call.name} is not supported: ${why}`);
  };

/** Refuses `(e, i) -> ...` lambdas, whose index differs; one-parameter lambdas mean the same. */
const lambdaWithoutIndex =
  (duckName: string): FunctionRewrite =>
  (call) => {
    arity(call, 2);
    const lambda = call.rawArgs[1]!.filter(isSignificant);
    if (isOp(lambda[0], '(') && lambda.findIndex((token) => isOp(token, ',')) !== -1 && lambda.findIndex((token) => isOp(token, ',')) < lambda.findIndex((token) => isOp(token, ')'))) {
      throw new BigQueryTranslationError(`${call.name} with an (element, index) lambda is not supported (BigQuery's index is 0-based, DuckDB's 1-based)`);
    }
    return `${duckName}(${call.args.join(', ')})`;
  };

const substr: FunctionRewrite = (call) => {
  arity(call, 2, 3);
  const [value, position, length] = call.args;
  const start = `(CASE WHEN (${position}) = 0 OR (${position}) < -length(${value}) THEN 1 ELSE (${position}) END)`;
  if (length === undefined) return `substr(${value}, ${start})`;
  return `(CASE WHEN (${length}) < 0 THEN error('${call.name}: the length cannot be negative') ELSE substr(${value}, ${start}, ${length}) END)`;
};

/** BigQuery fails where DuckDB's namesake answers Infinity or NaN from finite arguments. */
const failInsteadOfNonFinite =
  (duckName: string, count: number, why: string): FunctionRewrite =>
  (call) => {
    arity(call, count);
    const result = `${duckName}(${call.args.join(', ')})`;
    const finite = call.args.map((arg) => `isfinite(CAST(${arg} AS DOUBLE))`).join(' AND ');
    return `(CASE WHEN NOT isfinite(${result}) AND ${finite} THEN error('${call.name}: ${why}') ELSE ${result} END)`;
  };

/**
 * BigQuery fails on a negative length (argument `lengthAt`); DuckDB answers a string. LPAD / RPAD
 * pad with a space by default in BigQuery; DuckDB's need the pattern.
 */
const nonNegativeLength =
  (duckName: string, min: number, max: number, lengthAt: number): FunctionRewrite =>
  (call) => {
    arity(call, min, max);
    const args = max === 3 && call.args.length === 2 ? [...call.args, "' '"] : call.args;
    return `(CASE WHEN (${call.args[lengthAt]}) < 0 THEN error('${call.name}: the length cannot be negative') ELSE ${duckName}(${args.join(', ')}) END)`;
  };

export const sameNameRewrites: Record<string, FunctionRewrite> = {
  POW: failInsteadOfNonFinite('pow', 2, 'the result is not a finite number (division by zero, a fractional power of a negative number, or overflow)'),
  POWER: failInsteadOfNonFinite('pow', 2, 'the result is not a finite number (division by zero, a fractional power of a negative number, or overflow)'),
  EXP: failInsteadOfNonFinite('exp', 1, 'overflow'),
  LEFT: nonNegativeLength('"left"', 2, 2, 1),
  RIGHT: nonNegativeLength('"right"', 2, 2, 1),
  REPEAT: nonNegativeLength('repeat', 2, 2, 1),
  LPAD: nonNegativeLength('lpad', 2, 3, 1),
  RPAD: nonNegativeLength('rpad', 2, 3, 1),
  LOG: (call) => (arity(call, 1, 2), call.args.length === 1 ? `ln(${call.args[0]})` : `(ln(${call.args[0]}) / ln(${call.args[1]}))`),
  GREATEST: nullIfAnyNull('greatest'),
  LEAST: nullIfAnyNull('least'),
  ARRAY_CONCAT: nullIfAnyNull('list_concat'),
  REGEXP_REPLACE: (call) => (arity(call, 3), `regexp_replace(${call.args.join(', ')}, 'g')`),
  MD5: hashBytes('md5'),
  SHA1: hashBytes('sha1'),
  SHA256: hashBytes('sha256'),
  TO_HEX: (call) => (arity(call, 1), `lower(to_hex(${call.args[0]}))`),
  SUBSTR: substr,
  SUBSTRING: substr,
  JSON_KEYS: refused("BigQuery lists nested keys too, DuckDB's json_keys only the top level"),
  ARRAY_SLICE: refused("BigQuery's offsets are 0-based, DuckDB's 1-based; use arr[OFFSET(i)] or UNNEST ... WITH OFFSET"),
  ARRAY_TRANSFORM: lambdaWithoutIndex('list_transform'),
  ARRAY_FILTER: lambdaWithoutIndex('list_filter'),
};
