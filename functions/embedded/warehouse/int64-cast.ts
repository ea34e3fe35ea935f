/**
 * CAST(x AS INT64) as BigQuery does it, which DuckDB's CAST(x AS BIGINT) does not in two ways:
 * - a FLOAT64 rounds half away from zero (2.5 → 3, -2.5 → -3), where DuckDB rounds half to even
 *   (2.5 → 2); DuckDB's round() on a DOUBLE rounds away from zero, so it rounds first;
 * - a STRING must hold an integer ('7', '-3', '0x1E'): '1.5' or '1e3' is an error (NULL with
 *   SAFE_CAST), where DuckDB rounds '1.5' to 2.
 * The translator does not know x's type, so the choice is made by typeof(x), which DuckDB settles
 * when it binds the query; only the branch for x's type ever runs.
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/conversion_functions#cast_as_int64
 */
export function castToInt64(expression: string, safe: boolean): string {
  const cast = safe ? 'TRY_CAST' : 'CAST';
  const notAnInteger = safe ? 'NULL' : `error('CAST: a STRING holding a non-integer cannot be cast to INT64: ' || CAST(${expression} AS VARCHAR))`;
  return (
    `(CASE WHEN typeof(${expression}) IN ('DOUBLE', 'FLOAT') THEN ${cast}(round(TRY_CAST(${expression} AS DOUBLE)) AS BIGINT) ` +
    `WHEN typeof(${expression}) = 'VARCHAR' AND regexp_matches(CAST(${expression} AS VARCHAR), '^\\s*[+-]?[0-9]*[.eE]') THEN ${notAnInteger} ` +
    `ELSE ${cast}(${expression} AS BIGINT) END)`
  );
}
