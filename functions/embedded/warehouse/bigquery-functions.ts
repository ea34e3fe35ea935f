import { BigQueryTranslationError, isKeyword, isSignificant, type Token } from '../../bigquery-sql/bigquery-tokens.ts';
import { formatDateTime, parseFormat, type FormatTarget } from './format-elements.ts';
import { guardedAverageArgument, guardedDivision } from './numeric-division.ts';
import { formatPrintf } from './printf-format.ts';
import { countCapturingGroups, literalPattern } from './regexp-groups.ts';
import { readDatePart, truncateToWeek, weekOfYear, weeksBetween } from './week-parts.ts';

/**
 * BigQuery function calls → DuckDB, one row per function. Each rewrite receives the call's
 * arguments already translated (`args`) and, for the few that need the shape of an argument
 * (a date part, a format literal, `x AS type`), its raw tokens. Functions not listed here are
 * left as written: most aggregate, string and math functions share names in both dialects.
 */
export type FunctionCall = {
  /** Upper-case BigQuery name. */
  name: string;
  args: string[];
  rawArgs: Token[][];
  translate: (tokens: readonly Token[]) => string;
  translateType: (tokens: readonly Token[]) => string;
};

export type FunctionRewrite = (call: FunctionCall) => string;

const rename =
  (duckName: string): FunctionRewrite =>
  ({ args }) =>
    `${duckName}(${args.join(', ')})`;

/** The call's first argument token, to say where it is (the call's own token is not passed in). */
function firstToken(call: FunctionCall): Token {
  return call.rawArgs.flat().find(isSignificant) ?? { kind: 'op', text: '', value: '', line: 1, column: 1 };
}

/** Refuses a call whose argument count is not one of `allowed`. The one arity check of every rewrite table. */
export function arity(call: FunctionCall, ...allowed: number[]): void {
  if (!allowed.includes(call.args.length)) {
    throw new BigQueryTranslationError(`${call.name} takes ${allowed.join(' or ')} argument(s), got ${call.args.length}`);
  }
}

/** `DAY` → `'day'`, for the parts that mean the same in both dialects; weeks go through week-parts.ts. */
function datePart(call: FunctionCall, index: number): string {
  const part = readDatePart(call.name, call.rawArgs[index] ?? []);
  if (part.kind === 'week') throw new BigQueryTranslationError(`${call.name}: date part ${part.name} is not supported here`);
  return `'${part.duckdb}'`;
}

/** The strptime format of PARSE_*'s literal format (format-elements.ts refuses what strptime reads otherwise). */
function formatArg(call: FunctionCall, target: FormatTarget): string {
  return parseFormat(call.name, literalFormat(call), target);
}

/** The format string of FORMAT_*: a literal, so that each element can be checked. */
function literalFormat(call: FunctionCall): string {
  const tokens = (call.rawArgs[0] ?? []).filter(isSignificant);
  if (tokens.length !== 1 || tokens[0]!.kind !== 'string') throw new BigQueryTranslationError(`${call.name}: the format must be a string literal here`);
  return tokens[0]!.value;
}

const formatWithoutZone =
  (target: FormatTarget): FunctionRewrite =>
  (call) => (arity(call, 2), formatDateTime(call.name, literalFormat(call), call.args[1]!, target, 'none'));

/**
 * `INTERVAL n HOUR` passes as written; `INTERVAL s.window_hours HOUR` (a column or an expression,
 * which BigQuery accepts) needs parentheses in DuckDB, whose grammar takes only a literal there.
 */
function intervalArg(call: FunctionCall, index: number): string {
  const raw = call.rawArgs[index] ?? [];
  const sig = raw.filter(isSignificant);
  const last = sig.at(-1);
  if (!isKeyword(sig[0], 'INTERVAL') || sig.length < 3 || last?.kind !== 'ident') return call.args[index]!;
  if (sig.length === 3 && sig[1]!.kind === 'number') return call.args[index]!;
  const amount = call.translate(raw.slice(raw.indexOf(sig[0]!) + 1, raw.indexOf(last)));
  const unit = readDatePart(call.name, [last]);
  if (unit.kind === 'week' && unit.iso) throw new BigQueryTranslationError(`${call.name}: INTERVAL ... ISOWEEK is not a BigQuery interval`);
  return `INTERVAL (${amount.trim()}) ${unit.kind === 'week' ? 'WEEK' : unit.duckdb.toUpperCase()}`;
}

const shift =
  (operator: '+' | '-', castTo?: string): FunctionRewrite =>
  (call) => {
    arity(call, 2);
    const sum = `(${call.args[0]} ${operator} ${intervalArg(call, 1)})`;
    return castTo ? `CAST(${sum} AS ${castTo})` : sum;
  };

/**
 * TIMESTAMP_DIFF counts whole intervals elapsed (01:00:00 - 00:00:01 is 0 hours): DuckDB's
 * date_sub; BigQuery takes only MICROSECOND … DAY there, so longer parts are refused as BigQuery
 * refuses them. DATE_DIFF and DATETIME_DIFF count part boundaries crossed: DuckDB's date_diff,
 * except for weeks, whose boundaries are BigQuery's weekday (week-parts.ts).
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/timestamp_functions#timestamp_diff
 */
const wholeIntervalParts = new Set(['MICROSECOND', 'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY']);

const timestampDiff: FunctionRewrite = (call) => {
  arity(call, 3);
  const part = readDatePart(call.name, call.rawArgs[2] ?? []);
  if (!wholeIntervalParts.has(part.name)) throw new BigQueryTranslationError(`${call.name}: BigQuery does not support date part ${part.name} here (MICROSECOND … DAY only)`);
  return `date_sub(${datePart(call, 2)}, ${call.args[1]}, ${call.args[0]})`;
};

const boundaryDiff: FunctionRewrite = (call) => {
  arity(call, 3);
  const part = readDatePart(call.name, call.rawArgs[2] ?? []);
  if (part.kind === 'week') return weeksBetween(call.args[0]!, call.args[1]!, part.startsOn);
  return `date_diff('${part.duckdb}', ${call.args[1]}, ${call.args[0]})`;
};

/** `(value, part[, time zone])`: truncated in the zone's wall clock, then back to an instant. */
const trunc =
  (): FunctionRewrite =>
  (call) => {
    arity(call, 2, 3);
    const value = call.args.length === 3 ? `timezone(${call.args[2]}, ${call.args[0]})` : call.args[0]!;
    const part = readDatePart(call.name, call.rawArgs[1] ?? []);
    const truncated = part.kind === 'week' ? truncateToWeek(value, part.startsOn) : `date_trunc('${part.duckdb}', ${value})`;
    return call.args.length === 3 ? `timezone(${call.args[2]}, ${truncated})` : truncated;
  };

/** time_bucket widths of the parts DATE_TRUNC takes (weeks and ISOYEAR have their own origin). */
const bucketWidths: Record<string, string> = {
  MICROSECOND: 'INTERVAL 1 MICROSECOND', MILLISECOND: 'INTERVAL 1 MILLISECOND', SECOND: 'INTERVAL 1 SECOND', MINUTE: 'INTERVAL 1 MINUTE',
  HOUR: 'INTERVAL 1 HOUR', DAY: 'INTERVAL 1 DAY', MONTH: 'INTERVAL 1 MONTH', QUARTER: 'INTERVAL 3 MONTH', YEAR: 'INTERVAL 1 YEAR',
};

/**
 * DATE_TRUNC returns the type it is given: a DATE for a DATE, a DATETIME for a DATETIME, a
 * TIMESTAMP for a TIMESTAMP (with a time zone: the zone's midnight, month start …, as an instant).
 * DuckDB's date_trunc turns a DATE into a TIMESTAMP, and the argument's type is only known to
 * DuckDB, so without a zone the truncation is time_bucket, which keeps its argument's type: months
 * from 2000-01-01 (quarters are 3 of them), weeks from a day of the week's weekday, an ISO year
 * from the Monday of its first ISO week (a bucket of 400 days from there ends after the ISO year).
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/date_functions#date_trunc
 */
const dateTrunc: FunctionRewrite = (call) => {
  arity(call, 2, 3);
  if (call.args.length === 3) return trunc()(call);
  const input = (call.rawArgs[0] ?? []).filter(isSignificant);
  // A string literal is read as a DATE, as BigQuery coerces it.
  const value = input.length === 1 && input[0]!.kind === 'string' ? `CAST(${call.args[0]} AS DATE)` : `(${call.args[0]})`;
  const part = readDatePart(call.name, call.rawArgs[1] ?? []);
  if (part.kind === 'week') {
    // 2000-01-02 was a Sunday; the origin is the first day of such a week.
    return `time_bucket(INTERVAL 7 DAY, ${value}, DATE '2000-01-0${2 + part.startsOn}')`;
  }
  if (part.name === 'ISOYEAR') {
    return `time_bucket(INTERVAL 400 DAY, ${value}, CAST(date_trunc('week', make_date(CAST(isoyear(${value}) AS INTEGER), 1, 4)) AS DATE))`;
  }
  const width = bucketWidths[part.name];
  if (!width) throw new BigQueryTranslationError(`${call.name}: unsupported date part "${part.name}"`);
  return `time_bucket(${width}, ${value})`;
};

const castTo =
  (type: string, safe = false): FunctionRewrite =>
  (call) => {
    arity(call, 1);
    return `${safe ? 'TRY_CAST' : 'CAST'}(${call.args[0]} AS ${type})`;
  };

/**
 * BigQuery raises "division by zero" where DuckDB answers NULL or Infinity; a divisor wrapped in
 * this raises DuckDB's error() instead, and is itself unchanged otherwise.
 */
export function nonZeroDivisor(divisor: string, what: string): string {
  return `(CASE WHEN (${divisor}) = 0 THEN error('division by zero: ${what.replaceAll("'", "''")}') ELSE (${divisor}) END)`;
}

/**
 * JSON_VALUE answers NULL for an object or an array (it extracts scalars only), where DuckDB's
 * json_extract_string answers their JSON text.
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/json_functions#json_value
 */
const jsonScalar: FunctionRewrite = (call) => {
  arity(call, 1, 2);
  const [json, path = "'$'"] = call.args;
  return `(CASE WHEN json_type(${json}, ${path}) IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(${json}, ${path}) END)`;
};

/**
 * REGEXP_EXTRACT: the capturing group if the pattern has one, else the whole match; more than
 * one group is an error in BigQuery; no match is NULL (DuckDB's regexp_extract answers '').
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/string_functions#regexp_extract
 */
function regexpGroup(call: FunctionCall): number {
  const groups = countCapturingGroups(literalPattern(call.name, call.rawArgs[1] ?? []));
  if (groups > 1) throw new BigQueryTranslationError(`${call.name}: the regular expression has ${groups} capturing groups; BigQuery allows at most 1`);
  return groups;
}

const regexpExtract: FunctionRewrite = (call) => {
  if (call.args.length > 2) throw new BigQueryTranslationError(`${call.name} with a position or occurrence is not supported`);
  arity(call, 2);
  const [value, pattern] = call.args;
  return `(CASE WHEN regexp_matches(${value}, ${pattern}) THEN regexp_extract(${value}, ${pattern}, ${regexpGroup(call)}) END)`;
};

/**
 * LAST_DAY(date[, part]): the last day of the month (by default), quarter, year or week holding
 * the date; weeks end on the day before their start day (Saturday for WEEK).
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/date_functions#last_day
 */
const lastDay: FunctionRewrite = (call) => {
  arity(call, 1, 2);
  const value = call.args[0]!;
  const part = call.args.length === 2 ? readDatePart(call.name, call.rawArgs[1] ?? []) : undefined;
  if (!part || part.name === 'MONTH') return `last_day(${value})`;
  if (part.kind === 'week') return `CAST(${truncateToWeek(value, part.startsOn)} + INTERVAL 6 DAY AS DATE)`;
  if (part.name === 'YEAR' || part.name === 'QUARTER') return `CAST(date_trunc('${part.duckdb}', ${value}) + INTERVAL 1 ${part.name} - INTERVAL 1 DAY AS DATE)`;
  // An ISO year ends on the Sunday of the ISO week holding its 28 December.
  if (part.name === 'ISOYEAR') return `CAST(date_trunc('week', make_date(isoyear(${value}), 12, 28)) + INTERVAL 6 DAY AS DATE)`;
  throw new BigQueryTranslationError(`${call.name}: unsupported date part "${part.name}"`);
};

/** Where the top-level `AS` of `x AS type` (inside CAST / SAFE_CAST) is, or -1. */
export function findCastAs(tokens: readonly Token[]): number {
  let depth = 0;
  let asIndex = -1;
  tokens.forEach((token, index) => {
    if (token.kind === 'op' && (token.value === '(' || token.value === '[')) depth += 1;
    if (token.kind === 'op' && (token.value === ')' || token.value === ']')) depth -= 1;
    if (depth === 0 && isKeyword(token, 'AS')) asIndex = index;
  });
  return asIndex;
}

/** `x AS type` inside CAST / SAFE_CAST. */
function castParts(call: FunctionCall): { expr: string; type: string } {
  const tokens = call.rawArgs[0] ?? [];
  const asIndex = findCastAs(tokens);
  if (call.args.length !== 1 || asIndex === -1) throw new BigQueryTranslationError(`${call.name} expects (expression AS type)`);
  const typeTokens = tokens.slice(asIndex + 1);
  if (typeTokens.some((token) => isKeyword(token, 'FORMAT'))) throw new BigQueryTranslationError(`${call.name} ... FORMAT is not supported`);
  return { expr: call.translate(tokens.slice(0, asIndex)), type: call.translateType(typeTokens) };
}

/*
 * the stricter CAST / SAFE_CAST, SUBSTR, LOG, GREATEST / LEAST, REGEXP_REPLACE and the other functions DuckDB
 * has under the same name with another meaning live in casts.ts and same-name-functions.ts,
 * layered over this table (bigquery-to-duckdb.ts).
 */
export const functionRewrites: Record<string, FunctionRewrite> = {
  // JSON: BigQuery's JSONPath ('$.a.b', '$."a b"', '$.a[0]') is also DuckDB's.
  JSON_VALUE: jsonScalar,
  JSON_EXTRACT_SCALAR: jsonScalar,
  JSON_QUERY: (call) => (arity(call, 2), `json_extract(${call.args[0]}, ${call.args[1]})`),
  JSON_EXTRACT: (call) => (arity(call, 2), `json_extract(${call.args[0]}, ${call.args[1]})`),
  // BigQuery names JSON types object, array, string, number, boolean, null; DuckDB names the
  // storage type (VARCHAR, UBIGINT, BIGINT, DOUBLE, ...), so every number type maps to 'number'.
  JSON_TYPE: (call) =>
    (arity(call, 1),
    `(CASE json_type(${call.args[0]}) WHEN 'VARCHAR' THEN 'string' WHEN 'BOOLEAN' THEN 'boolean' ` +
      `WHEN 'BIGINT' THEN 'number' WHEN 'UBIGINT' THEN 'number' WHEN 'DOUBLE' THEN 'number' WHEN 'HUGEINT' THEN 'number' ` +
      `ELSE lower(json_type(${call.args[0]})) END)`),
  // The elements of a JSON array as an array of JSON (NULL when the path holds no array, as in
  // BigQuery, where UNNEST of it then yields no rows).
  JSON_QUERY_ARRAY: (call) =>
    (arity(call, 1, 2),
    `(CASE WHEN json_type(${call.args[0]}, ${call.args[1] ?? "'$'"}) = 'ARRAY' THEN json_extract(${call.args[0]}, ${call.args[1] ?? "'$'"} || '[*]') END)`),
  PARSE_JSON: (call) => (arity(call, 1), `json(${call.args[0]})`),
  // TO_JSON and TO_JSON_STRING: json-encoding.ts.
  // Conversions (BigQuery's JSON-to-scalar functions behave like DuckDB casts from JSON).
  CAST: (call) => (({ expr, type }) => `CAST(${expr} AS ${type})`)(castParts(call)),
  SAFE_CAST: (call) => (({ expr, type }) => `TRY_CAST(${expr} AS ${type})`)(castParts(call)),
  INT64: castTo('BIGINT'),
  FLOAT64: castTo('DOUBLE'),
  BOOL: castTo('BOOLEAN'),
  LAX_INT64: castTo('BIGINT', true),
  LAX_FLOAT64: castTo('DOUBLE', true),
  LAX_BOOL: castTo('BOOLEAN', true),
  // Time. The embedded session runs in UTC, as BigQuery does by default.
  CURRENT_TIMESTAMP: (call) => (arity(call, 0), 'current_timestamp'),
  CURRENT_DATE: (call) => (arity(call, 0, 1), call.args[0] ? `CAST(timezone(${call.args[0]}, current_timestamp) AS DATE)` : 'current_date'),
  CURRENT_DATETIME: (call) => (arity(call, 0, 1), `timezone(${call.args[0] ?? "'UTC'"}, current_timestamp)`),
  TIMESTAMP_ADD: shift('+'),
  TIMESTAMP_SUB: shift('-'),
  DATETIME_ADD: shift('+'),
  DATETIME_SUB: shift('-'),
  DATE_ADD: shift('+', 'DATE'),
  DATE_SUB: shift('-', 'DATE'),
  TIMESTAMP_DIFF: timestampDiff,
  DATETIME_DIFF: boundaryDiff,
  DATE_DIFF: boundaryDiff,
  TIMESTAMP_TRUNC: trunc(),
  DATETIME_TRUNC: trunc(),
  DATE_TRUNC: dateTrunc,
  DATE: (call) => {
    arity(call, 1, 2, 3);
    if (call.args.length === 3) return `make_date(${call.args.join(', ')})`;
    if (call.args.length === 2) return `CAST(timezone(${call.args[1]}, ${call.args[0]}) AS DATE)`;
    return `CAST(${call.args[0]} AS DATE)`;
  },
  TIMESTAMP: (call) => {
    arity(call, 1, 2);
    if (call.args.length === 2) return `timezone(${call.args[1]}, CAST(${call.args[0]} AS TIMESTAMP))`;
    return `CAST(${call.args[0]} AS TIMESTAMPTZ)`;
  },
  DATETIME: (call) => {
    arity(call, 1, 2);
    if (call.args.length === 2) return `timezone(${call.args[1]}, ${call.args[0]})`;
    return `CAST(${call.args[0]} AS TIMESTAMP)`;
  },
  EXTRACT: (call) => {
    const raw = call.rawArgs[0] ?? [];
    const fromAt = raw.findIndex((token) => isKeyword(token, 'FROM'));
    if (fromAt < 1 || call.args.length !== 1) throw new BigQueryTranslationError('EXTRACT expects (part FROM expression)');
    const value = call.translate(raw.slice(fromAt + 1));
    const partTokens = raw.slice(0, fromAt);
    if (isKeyword(partTokens.find(isSignificant), 'DATE') && partTokens.filter(isSignificant).length === 1) return `CAST(${value} AS DATE)`;
    const part = readDatePart('EXTRACT', partTokens);
    // BigQuery numbers days of week 1 (Sunday) to 7; DuckDB 0 (Sunday) to 6.
    if (part.name === 'DAYOFWEEK') return `(dayofweek(${value}) + 1)`;
    if (part.kind === 'week') return part.iso ? `date_part('week', ${value})` : weekOfYear(value, part.startsOn);
    return `date_part('${part.duckdb}', ${value})`;
  },
  FORMAT_TIMESTAMP: (call) => {
    arity(call, 2, 3);
    const zone = call.rawArgs[2]?.filter(isSignificant);
    const inUtc = !zone || (zone.length === 1 && zone[0]!.kind === 'string' && /^(UTC|Etc\/UTC|\+00(:00)?|Z)$/i.test(zone[0]!.value));
    const value = inUtc ? call.args[1]! : `timezone(${call.args[2]}, ${call.args[1]})`;
    return formatDateTime(call.name, literalFormat(call), value, 'TIMESTAMP', inUtc ? 'utc' : 'other');
  },
  FORMAT_DATE: formatWithoutZone('DATE'),
  FORMAT_DATETIME: formatWithoutZone('DATETIME'),
  FORMAT: (call) => {
    if (call.args.length === 0) throw new BigQueryTranslationError('FORMAT takes a format and its arguments');
    return formatPrintf(literalFormat(call), call.args.slice(1));
  },
  PARSE_TIMESTAMP: (call) => {
    arity(call, 2, 3);
    const parsed = `strptime(${call.args[1]}, ${formatArg(call, 'TIMESTAMP')})`;
    return call.args.length === 3 ? `timezone(${call.args[2]}, ${parsed})` : `CAST(${parsed} AS TIMESTAMPTZ)`;
  },
  PARSE_DATE: (call) => (arity(call, 2), `CAST(strptime(${call.args[1]}, ${formatArg(call, 'DATE')}) AS DATE)`),
  PARSE_DATETIME: (call) => (arity(call, 2), `CAST(strptime(${call.args[1]}, ${formatArg(call, 'DATETIME')}) AS TIMESTAMP)`),
  UNIX_SECONDS: (call) => (arity(call, 1), `CAST(floor(epoch(${call.args[0]})) AS BIGINT)`),
  UNIX_MILLIS: rename('epoch_ms'),
  UNIX_MICROS: rename('epoch_us'),
  TIMESTAMP_SECONDS: rename('to_timestamp'),
  TIMESTAMP_MILLIS: (call) => (arity(call, 1), `to_timestamp((${call.args[0]}) / 1000)`),
  TIMESTAMP_MICROS: (call) => (arity(call, 1), `to_timestamp((${call.args[0]}) / 1000000)`),
  // Aggregates and logic.
  // Not DuckDB's count_if, which answers NULL when no row (or only NULLs) is counted, where
  // BigQuery's COUNTIF answers 0. count() of a CASE is 0 then, and still takes OVER (...).
  COUNTIF: (call) => (arity(call, 1), `count(CASE WHEN ${call.args[0]} THEN 1 END)`),
  // HyperLogLog (DuckDB's approx_count_distinct) can overshoot the true count on small data;
  // an exact count is always within BigQuery's bounds and never more than the truth.
  APPROX_COUNT_DISTINCT: (call) => (arity(call, 1), `count(DISTINCT ${call.args[0]})`),
  LOGICAL_AND: rename('bool_and'),
  LOGICAL_OR: rename('bool_or'),
  // NUMERIC operands are refused in DuckDB, which would answer a FLOAT64 (numeric-division.ts).
  SAFE_DIVIDE: (call) => (arity(call, 2), `CASE WHEN (${call.args[1]}) = 0 THEN NULL ELSE ${guardedDivision(call.args[0]!, call.args[1]!, `(${call.args[1]})`, firstToken(call))} END`),
  AVG: (call) => {
    arity(call, 1);
    const raw = call.rawArgs[0]!;
    const distinct = raw.find(isSignificant);
    const isDistinct = isKeyword(distinct, 'DISTINCT');
    const value = isDistinct ? call.translate(raw.slice(raw.indexOf(distinct!) + 1)).trim() : call.args[0]!;
    return `avg(${isDistinct ? 'DISTINCT ' : ''}${guardedAverageArgument(value, firstToken(call))})`;
  },
  DIV: (call) => (arity(call, 2), `((${call.args[0]}) // ${nonZeroDivisor(call.args[1]!, 'DIV')})`),
  MOD: (call) => (arity(call, 2), `mod(${call.args[0]}, ${nonZeroDivisor(call.args[1]!, 'MOD')})`),
  STRUCT: (call) =>
    `struct_pack(${call.rawArgs
      .map((raw, index) => {
        const sig = raw.filter(isSignificant);
        const as = sig.length > 2 && isKeyword(sig.at(-2), 'AS') ? sig.at(-1)! : undefined;
        const name = as?.value ?? (sig.length === 1 && sig[0]!.kind === 'ident' ? sig[0]!.value : `_field_${index + 1}`);
        const expr = as ? call.translate(raw.slice(0, raw.indexOf(sig.at(-2)!))) : call.args[index];
        return `"${name.replaceAll('"', '""')}" := ${expr}`;
      })
      .join(', ')})`,
  // Strings and arrays.
  REGEXP_CONTAINS: rename('regexp_matches'),
  REGEXP_EXTRACT: regexpExtract,
  REGEXP_SUBSTR: regexpExtract,
  REGEXP_EXTRACT_ALL: (call) => (arity(call, 2), `regexp_extract_all(${call.args[0]}, ${call.args[1]}, ${regexpGroup(call)})`),
  // BigQuery's CONCAT is NULL when any argument is; DuckDB's concat skips NULLs, its || does not.
  CONCAT: (call) => {
    if (call.args.length === 0) throw new BigQueryTranslationError('CONCAT takes at least 1 argument');
    return `(${call.args.join(' || ')})`;
  },
  LAST_DAY: lastDay,
  SPLIT: (call) => (arity(call, 1, 2), `string_split(${call.args[0]}, ${call.args[1] ?? "','"})`),
  ARRAY_LENGTH: rename('len'),
  GENERATE_ARRAY: rename('generate_series'),
  GENERATE_UUID: (call) => (arity(call, 0), 'CAST(uuid() AS VARCHAR)'),
};
