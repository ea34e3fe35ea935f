/**
 * BigQuery functions with no DuckDB namesake that analysts reach for: GENERATE_DATE_ARRAY,
 * GENERATE_TIMESTAMP_ARRAY, JSON_EXTRACT_ARRAY and CONTAINS_SUBSTR. Rows of the same table as
 * bigquery-functions.ts (one rewrite per function), kept apart so that file stays one concern.
 */
import { BigQueryTranslationError, isKeyword, isSignificant } from '../../bigquery-sql/bigquery-tokens.ts';
import { functionRewrites, type FunctionCall, type FunctionRewrite } from './bigquery-functions.ts';

const dateSteps = new Set(['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR']);
const timestampSteps = new Set(['MICROSECOND', 'MILLISECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY']);
const monthlySteps = new Set(['MONTH', 'QUARTER', 'YEAR']);

/** `INTERVAL <amount> <part>` → the amount's DuckDB text and the part. */
function stepOf(call: FunctionCall, allowed: Set<string>): { amount: string; part: string; literal?: number } {
  const raw = call.rawArgs[2] ?? [];
  const sig = raw.filter(isSignificant);
  const part = sig.at(-1)?.value.toUpperCase() ?? '';
  if (!isKeyword(sig[0], 'INTERVAL') || sig.length < 3 || !allowed.has(part)) {
    throw new BigQueryTranslationError(`${call.name}: the step must be INTERVAL n ${[...allowed].join('|')}`);
  }
  const amount = call.translate(raw.slice(raw.indexOf(sig[0]!) + 1, raw.indexOf(sig.at(-1)!))).trim();
  const literal = /^-?\d+$/.test(amount.replace(/\s/g, '')) ? Number(amount.replace(/\s/g, '')) : undefined;
  return { amount, part, ...(literal === undefined ? {} : { literal }) };
}

/**
 * Both ends inclusive, empty when the step never reaches the end (start after end with a positive
 * step), NULL when an input is NULL: what DuckDB's generate_series does. A zero step is an error
 * in BigQuery and an empty list in DuckDB, hence the check. Month-sized steps from a day after
 * the 28th are refused at run time: DuckDB carries a clamped day on (Jan 31, Feb 29, Mar 29) and
 * BigQuery's documentation does not say it does the same.
 */
const generateArray =
  (kind: 'DATE' | 'TIMESTAMP'): FunctionRewrite =>
  (call) => {
    if (kind === 'TIMESTAMP' && call.args.length !== 3) throw new BigQueryTranslationError(`${call.name} takes 3 arguments, got ${call.args.length}`);
    if (call.args.length !== 2 && call.args.length !== 3) throw new BigQueryTranslationError(`${call.name} takes 2 or 3 arguments, got ${call.args.length}`);
    const type = kind === 'DATE' ? 'DATE' : 'TIMESTAMPTZ';
    const start = `CAST(${call.args[0]} AS ${type})`;
    const end = `CAST(${call.args[1]} AS ${type})`;
    const step = call.args.length === 3 ? stepOf(call, kind === 'DATE' ? dateSteps : timestampSteps) : { amount: '1', part: 'DAY', literal: 1 };
    if (step.literal === 0) throw new BigQueryTranslationError(`${call.name}: the step cannot be 0`);
    // Parenthesised: DuckDB's INTERVAL takes a bare literal only when it is unsigned.
    const interval = `INTERVAL (${step.amount}) ${step.part}`;
    let series = `generate_series(${start}, ${end}, ${interval})`;
    if (kind === 'DATE') series = `CAST(${series} AS DATE[])`;
    const checks: string[] = [];
    if (step.literal === undefined) checks.push(`WHEN (${step.amount}) = 0 THEN error('${call.name}: the step cannot be 0')`);
    if (monthlySteps.has(step.part)) {
      checks.push(`WHEN day(${start}) > 28 THEN error('${call.name}: a ${step.part} step from a day after the 28th is not supported')`);
    }
    return checks.length ? `(CASE ${checks.join(' ')} ELSE ${series} END)` : series;
  };

/**
 * Letters whose NFKC form and case fold equal their NFC form and lower case: ASCII and the
 * Latin-1 letters except ß (case-folded to "ss"). Text with anything else is refused at run time
 * by CONTAINS_SUBSTR, since DuckDB has no NFKC normalisation nor case folding to match BigQuery's.
 */
const simpleText = String.raw`[^\x{00}-\x{7F}\x{C0}-\x{D6}\x{D8}-\x{DE}\x{E0}-\x{F6}\x{F8}-\x{FF}]`;
// Control characters are fine here too (their fold is themselves); the class starts at space for the linter.
const simpleTextInJs = /[^\t\n\r\u0020-\u007F\u00C0-\u00D6\u00D8-\u00DE\u00E0-\u00F6\u00F8-\u00FF]/u;

/**
 * CONTAINS_SUBSTR(text, search): a case-insensitive, normalised substring test. Only STRING
 * values are searched here (BigQuery also searches every field of a STRUCT or a row, and JSON):
 * other types are refused when the query runs, as is text outside simpleText.
 */
const containsSubstr: FunctionRewrite = (call) => {
  if (call.args.length !== 2) throw new BigQueryTranslationError(`${call.name} takes 2 arguments here (json_scope is not supported), got ${call.args.length}`);
  const searchTokens = call.rawArgs[1]!.filter(isSignificant);
  if (searchTokens.length === 1 && searchTokens[0]!.kind === 'string' && simpleTextInJs.test(searchTokens[0]!.value.normalize('NFC'))) {
    throw new BigQueryTranslationError(`${call.name}: search text with characters beyond ASCII and Latin-1 letters is not supported`);
  }
  // The cast lets a STRUCT argument bind, so that the typeof() check refuses it by name.
  const [text, search] = call.args.map((arg) => `nfc_normalize(CAST(${arg} AS VARCHAR))`);
  const refuse = (what: string) => `error('${call.name}: ${what} is not supported embedded')`;
  return (
    `(CASE WHEN typeof(${call.args[0]}) NOT IN ('VARCHAR', '"NULL"') THEN ${refuse('searching a value that is not a STRING')} ` +
    `WHEN regexp_matches(${text}, '${simpleText}') OR regexp_matches(${search}, '${simpleText}') THEN ${refuse('text beyond ASCII and Latin-1 letters')} ` +
    `ELSE contains(lower(${text}), lower(${search})) END)`
  );
};

/**
 * JSON_QUERY_ARRAY / JSON_EXTRACT_ARRAY of a STRING give BigQuery's ARRAY<STRING> of JSON text
 * (`'"a"'`, `'1'`), of a JSON value an ARRAY<JSON>. DuckDB decides a CASE's type once for all
 * rows, so the STRING form is recognised where it is written: a string literal argument. A STRING
 * column holding JSON text still gets JSON elements (the same values, printed unquoted).
 */
const jsonArray: FunctionRewrite = (call) => {
  const elements = functionRewrites.JSON_QUERY_ARRAY!(call);
  const input = (call.rawArgs[0] ?? []).filter(isSignificant);
  const isStringLiteral = input.length === 1 && input[0]!.kind === 'string';
  return isStringLiteral ? `CAST(${elements} AS VARCHAR[])` : elements;
};

export const arrayConstructRewrites: Record<string, FunctionRewrite> = {
  JSON_QUERY_ARRAY: jsonArray,
  GENERATE_DATE_ARRAY: generateArray('DATE'),
  GENERATE_TIMESTAMP_ARRAY: generateArray('TIMESTAMP'),
  // BigQuery's older name for JSON_QUERY_ARRAY (same JSONPath, same elements).
  JSON_EXTRACT_ARRAY: jsonArray,
  CONTAINS_SUBSTR: containsSubstr,
};
