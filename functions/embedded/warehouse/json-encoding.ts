/**
 * TO_JSON_STRING and TO_JSON, encoded as BigQuery documents or refused. DuckDB's to_json writes
 * the same text as BigQuery for STRING, BOOL, INT64 (up to 2^53), DATE, JSON, NULL fields and
 * ARRAYs / STRUCTs of these (no spaces, fields in order). What it writes otherwise differs:
 * TIMESTAMP (DuckDB "2024-01-01 00:00:00+00", BigQuery RFC 3339 "2024-01-01T00:00:00Z"), a NULL
 * argument (SQL NULL, BigQuery the text null), FLOAT64 (DuckDB 2.0, BigQuery's number format is
 * not reproduced here), NUMERIC, BYTES, TIME, DATETIME and INT64 beyond 2^53. A top-level
 * TIMESTAMP is written here; every other type outside the list is refused when the query runs,
 * naming the type, as is an integer of 16 digits or more anywhere in the text.
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/json_functions#json_encodings
 */
import { BigQueryTranslationError } from '../../bigquery-sql/bigquery-tokens.ts';
import type { FunctionRewrite } from './bigquery-functions.ts';

const encodable = String.raw`(?:VARCHAR|BOOLEAN|HUGEINT|BIGINT|INTEGER|SMALLINT|TINYINT|DATE|JSON|"NULL")`;
/** A STRUCT whose fields (names already reduced to q) all have encodable types. */
const plainStruct = String.raw`STRUCT\((?:[^(),\s]+ ${encodable}(?:\[\])*, )*[^(),\s]+ ${encodable}(?:\[\])*\)`;

/** Whether DuckDB's type name of `x` is encodable: nested STRUCTs reduced from the inside, 4 levels deep. */
function isEncodable(x: string): string {
  let type = String.raw`regexp_replace(typeof(${x}), '"([^"]|"")*"', 'q', 'g')`;
  for (let level = 0; level < 4; level++) type = `regexp_replace(${type}, '${plainStruct}', 'VARCHAR', 'g')`;
  return String.raw`regexp_full_match(${type}, '${encodable}(\[\])*')`;
}

/** A TIMESTAMP as RFC 3339 in UTC: whole seconds, or all six digits of a fraction that ends in a non-zero digit. */
function timestampJson(x: string, refuse: (what: string) => string): string {
  const micros = `(microsecond(${x}) % 1000000)`;
  const seconds = `strftime(${x}, '%Y-%m-%dT%H:%M:%S')`;
  return (
    `(CASE WHEN ${micros} = 0 THEN '"' || ${seconds} || 'Z"' ` +
    `WHEN ${micros} % 10 <> 0 THEN '"' || ${seconds} || '.' || lpad(CAST(${micros} AS VARCHAR), 6, '0') || 'Z"' ` +
    `ELSE ${refuse("a TIMESTAMP whose fraction of a second ends in 0")} END)`
  );
}

/** The JSON text BigQuery writes for `x`, or a run-time refusal. */
function jsonText(name: string, x: string): string {
  const refuse = (what: string) => `error('${name} of ${what} is not supported embedded')`;
  const text = `CAST(to_json(${x}) AS VARCHAR)`;
  // The value is in a subquery-free CASE: typeof() is one answer per query, so one branch runs.
  const instant = `TRY_CAST(CAST(${x} AS VARCHAR) AS TIMESTAMPTZ)`;
  return (
    `(CASE WHEN typeof(${x}) = 'TIMESTAMP WITH TIME ZONE' THEN (CASE WHEN (${x}) IS NULL THEN 'null' ELSE ${timestampJson(instant, refuse)} END) ` +
    `WHEN NOT ${isEncodable(x)} THEN error(concat('${name} of ', typeof(${x}), ' is not supported embedded (BigQuery encodes it otherwise)')) ` +
    `WHEN (${x}) IS NULL THEN 'null' ` +
    String.raw`WHEN regexp_matches(${text}, '(^|[\[:,])-?[0-9]{16,}([\],}]|$)') THEN ${refuse('an INT64 beyond 2^53 (written as a string by BigQuery)')} ` +
    `ELSE ${text} END)`
  );
}

export const jsonEncodingRewrites: Record<string, FunctionRewrite> = {
  TO_JSON_STRING: (call) => {
    if (call.args.length === 2) throw new BigQueryTranslationError(`${call.name} with pretty_print is not supported embedded`);
    if (call.args.length !== 1) throw new BigQueryTranslationError(`${call.name} takes 1 or 2 arguments, got ${call.args.length}`);
    return jsonText(call.name, call.args[0]!);
  },
  TO_JSON: (call) => {
    if (call.args.length !== 1) throw new BigQueryTranslationError(`${call.name} with stringify_wide_numbers is not supported embedded`);
    return `json(${jsonText(call.name, call.args[0]!)})`;
  },
};
