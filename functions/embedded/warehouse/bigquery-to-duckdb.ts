/**
 * BigQuery Standard SQL → DuckDB SQL, so the embedded warehouse runs the very sql/ files GCP runs
 * (DESIGN.md §5) and `nudge query` takes the SQL an analyst would write for BigQuery.
 *
 * Hand-written by necessity. No npm package did the job when this was written: node-sql-parser
 * and sql-parser-cst parse BigQuery but do not emit DuckDB; @polyglot-sql/sdk (a sqlglot-style
 * transpiler, 0.12.1) rejects column OPTIONS in DDL, turns `@param` into `ABS(param)` and reads
 * JSON_VALUE as `->` (JSON, not text). sqlglot itself is Python. So this covers the dialect nudge
 * uses — DDL with PARTITION BY / CLUSTER BY / OPTIONS / NOT ENFORCED keys, BigQuery types,
 * backticked `project.dataset.table` names, `@param`s, "double-quoted" strings and the functions
 * in bigquery-functions.ts — and refuses clearly what it does not know. It works on tokens
 * (bigquery-tokens.ts), so literals and comments are never rewritten. Rules are tables; add rows.
 *
 * Choices: TIMESTAMP → TIMESTAMPTZ (an instant, as in BigQuery; the session runs in UTC), tables
 * live in DuckDB's default schema (the dataset qualifier is dropped), `@name` → `$name`.
 */
import { functionRewrites, nonZeroDivisor } from './bigquery-functions.ts';
import { findDivisorEnd } from './divisor-span.ts';
import { findDividendStart, guardedDivision, guardedDivisor } from './numeric-division.ts';
import { aggregateRewrites, translateAggregateCall } from './aggregate-clauses.ts';
import { castRewrites } from './casts.ts';
import { jsonEncodingRewrites } from './json-encoding.ts';
import { arrayConstructRewrites } from './array-constructs.ts';
import { refuseConstructAt, refuseStatement } from './refused-constructs.ts';
import { sameNameRewrites } from './same-name-functions.ts';
import { readDashedPath, tableOfProjectPath } from './table-paths.ts';
import { isArrayOfStructs, translateSelectAsStruct } from './select-as-struct.ts';
import { aliasAnonymousItems } from './select-list-names.ts';
import { translateUnnestWithOffset } from './unnest.ts';
import { isSubscript, operandStart, readSubscript, subscriptExpression } from './array-subscripts.ts';
import {
  BigQueryTranslationError,
  findClosing,
  isKeyword,
  locateError,
  isOp,
  isSignificant,
  nextSignificant,
  previousSignificant,
  splitTopLevel,
  tokenize,
  type Token,
} from '../../bigquery-sql/bigquery-tokens.ts';

export { BigQueryTranslationError } from '../../bigquery-sql/bigquery-tokens.ts';

export type TranslateOptions = {
  /** Dataset names whose qualifier is dropped (`nudge.events` → `events`). `${...}` placeholders always are. */
  datasets?: readonly string[];
  /**
   * Give anonymous SELECT items placeholder aliases that nameAnonymousColumns (select-list-names.ts)
   * renames f0_, f1_, … in the result, as BigQuery names them. For queries whose rows are read.
   */
  nameColumns?: boolean;
};

export type TranslatedStatement = {
  /** DuckDB SQL of one statement, without the trailing `;`. */
  sql: string;
  /** Names of the `@params` it uses (now `$params`), for binding. */
  params: string[];
};

const simpleTypes: Record<string, string> = {
  STRING: 'VARCHAR', BYTES: 'BLOB', JSON: 'JSON', BOOL: 'BOOLEAN', BOOLEAN: 'BOOLEAN',
  INT64: 'BIGINT', INT: 'BIGINT', INTEGER: 'BIGINT', SMALLINT: 'BIGINT', BIGINT: 'BIGINT', TINYINT: 'BIGINT', BYTEINT: 'BIGINT',
  FLOAT64: 'DOUBLE', FLOAT: 'DOUBLE',
  // DuckDB decimals stop at 38 digits, so BIGNUMERIC keeps NUMERIC's precision here.
  NUMERIC: 'DECIMAL(38, 9)', DECIMAL: 'DECIMAL(38, 9)', BIGNUMERIC: 'DECIMAL(38, 9)', BIGDECIMAL: 'DECIMAL(38, 9)',
  DATE: 'DATE', DATETIME: 'TIMESTAMP', TIME: 'TIME', TIMESTAMP: 'TIMESTAMPTZ', INTERVAL: 'INTERVAL',
};
const decimalTypes = new Set(['NUMERIC', 'DECIMAL', 'BIGNUMERIC', 'BIGDECIMAL']);
/** `TIMESTAMP '2026-01-01 10:00:00Z'` and friends. */
const literalTypes = new Set(['TIMESTAMP', 'DATETIME', 'DATE', 'TIME', 'JSON', 'NUMERIC', 'BIGNUMERIC']);

type State = { datasets: Set<string>; params: Set<string> };

/** Every function rewrite: the base table, then constructs and same-name functions (which win). */
const rewrites = { ...functionRewrites, ...arrayConstructRewrites, ...sameNameRewrites, ...castRewrites, ...jsonEncodingRewrites };

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function quoteString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function isDatasetQualifier(token: Token, state: State): boolean {
  if (token.kind === 'placeholder') return true;
  if (token.kind === 'quoted') return /^\$\{\s*\w+\s*\}$/.test(token.value) || state.datasets.has(token.value.toLowerCase());
  return token.kind === 'ident' && state.datasets.has(token.value.toLowerCase());
}

/** Parses a type at `sig[at]`; returns the DuckDB spelling and the index after it. */
function parseType(sig: readonly Token[], at: number): { text: string; next: number } {
  const token = sig[at];
  const word = token?.kind === 'ident' ? token.value.toUpperCase() : '';
  if ((word === 'ARRAY' || word === 'STRUCT') && isOp(sig[at + 1], '<')) {
    const fields: string[] = [];
    let i = at + 2;
    for (;;) {
      if (word === 'ARRAY') {
        const element = parseType(sig, i);
        fields.push(element.text);
        i = element.next;
      } else {
        const name = sig[i];
        if (name?.kind !== 'ident' && name?.kind !== 'quoted') throw new BigQueryTranslationError('STRUCT fields need names in DuckDB');
        const field = parseType(sig, i + 1);
        fields.push(`${quoteIdent(name.value)} ${field.text}`);
        i = field.next;
      }
      if (isOp(sig[i], '>')) break;
      if (word === 'ARRAY' || !isOp(sig[i], ',')) throw new BigQueryTranslationError(`Malformed ${word}<...> type`);
      i += 1;
    }
    return { text: word === 'ARRAY' ? `${fields[0]}[]` : `STRUCT(${fields.join(', ')})`, next: i + 1 };
  }
  const mapped = simpleTypes[word];
  if (!mapped) throw new BigQueryTranslationError(`Unsupported type "${token?.text ?? '(none)'}"`);
  if (isOp(sig[at + 1], '(')) {
    const close = findClosing(sig, at + 1);
    const parameters = sig.slice(at + 2, close).map((t) => t.text).join('');
    return { text: decimalTypes.has(word) ? `DECIMAL(${parameters})` : mapped, next: close + 1 };
  }
  return { text: mapped, next: at + 1 };
}

export function translateType(tokens: readonly Token[]): string {
  const sig = tokens.filter(isSignificant);
  const { text, next } = parseType(sig, 0);
  if (next !== sig.length) throw new BigQueryTranslationError(`Unexpected "${sig[next]!.text}" after type`);
  return text;
}

/** Rewrites a call `NAME(args)` whose name token is at `at`; returns the text and the index of `)`. */
function translateCall(tokens: readonly Token[], at: number, state: State): { text: string; end: number } {
  const name = tokens[at]!.value.toUpperCase();
  const open = nextSignificant(tokens, at + 1);
  const close = findClosing(tokens, open);
  const inner = tokens.slice(open + 1, close);
  const rawArgs = inner.some(isSignificant) ? splitTopLevel(inner) : [];
  const translate = (part: readonly Token[]) => translateTokens(part, state).trim();
  const rewrite = rewrites[name]!;
  return { text: rewrite({ name, args: rawArgs.map(translate), rawArgs, translate, translateType }), end: close };
}

function translateIdent(tokens: readonly Token[], i: number, state: State): { text: string; end: number } {
  const token = tokens[i]!;
  const word = token.value.toUpperCase();
  const before = tokens[previousSignificant(tokens, i)];
  const afterIndex = nextSignificant(tokens, i + 1);
  const after = tokens[afterIndex];
  if (isOp(before, '.')) return { text: token.text, end: i };
  if (word === 'SELECT' && isKeyword(after, 'AS') && isKeyword(tokens[nextSignificant(tokens, afterIndex + 1)], 'STRUCT') && isArrayOfStructs(tokens, i)) {
    return translateSelectAsStruct(tokens, i, (part) => translateTokens(part, state).trim());
  }
  refuseConstructAt(tokens, i);
  const dashed = readDashedPath(tokens, i);
  if (dashed) return { text: quoteIdent(tableOfProjectPath(dashed.parts, state.datasets, token)), end: dashed.end };
  if (isDatasetQualifier(token, state) && isOp(tokens[i + 1], '.')) return { text: '', end: i + 1 };
  if (word === 'SAFE' && isOp(after, '.')) {
    // SAFE.FN(...) returns NULL instead of failing; DuckDB's try() does the same.
    const fnIndex = nextSignificant(tokens, afterIndex + 1);
    const fn = tokens[fnIndex];
    const open = nextSignificant(tokens, fnIndex + 1);
    if (fn?.kind !== 'ident' || !isOp(tokens[open], '(')) throw new BigQueryTranslationError('SAFE. must prefix a function call');
    const close = findClosing(tokens, open);
    const inner = rewrites[fn.value.toUpperCase()]
      ? translateCall(tokens, fnIndex, state).text
      : fn.text + translateTokens(tokens.slice(open, close + 1), state);
    return { text: `try(${inner})`, end: close };
  }
  if (word === 'UNNEST' && isOp(after, '(')) return translateUnnest(tokens, i, afterIndex, state);
  if (isOp(after, '(') && aggregateRewrites[word]) return translateAggregateCall(tokens, i, afterIndex, (part) => translateTokens(part, state).trim());
  if (isOp(after, '(') && rewrites[word]) return translateCall(tokens, i, state);
  if (literalTypes.has(word) && after?.kind === 'string') {
    return { text: `CAST(${quoteString(after.value)} AS ${simpleTypes[word]})`, end: afterIndex };
  }
  if (word === 'EXCEPT' && isOp(before, '*') && isOp(after, '(')) return { text: 'EXCLUDE', end: i };
  // BigQuery's LIKE escapes with a backslash ('50\\%' matches "50%"); DuckDB's only when told.
  if (word === 'LIKE' && (after?.kind === 'string' || after?.kind === 'param')) {
    return { text: `LIKE ${translateTokens(tokens.slice(afterIndex, afterIndex + 1), state)} ESCAPE '\\'`, end: afterIndex };
  }
  // OFFSET is reserved in DuckDB, not in BigQuery, where `offset` is UNNEST ... WITH OFFSET's
  // default column name. Only `LIMIT n OFFSET m` (after a literal, a parameter or a parenthesis)
  // keeps the keyword.
  if (word === 'OFFSET' && !isOp(after, '(') && !(before?.kind === 'number' || before?.kind === 'param' || isOp(before, ')'))) {
    return { text: quoteIdent(token.value), end: i };
  }
  if (word === 'IN' && isKeyword(after, 'UNNEST')) {
    const open = nextSignificant(tokens, afterIndex + 1);
    const close = findClosing(tokens, open);
    return { text: `IN (SELECT unnest(${translateTokens(tokens.slice(open + 1, close), state).trim()}))`, end: close };
  }
  return { text: token.text, end: i };
}

/** Words that may follow `UNNEST(...)` in FROM without being its alias. */
const afterFromItem = new Set(['ON', 'USING', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'WINDOW', 'ORDER', 'LIMIT', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'UNION', 'INTERSECT', 'EXCEPT']);

/**
 * `FROM UNNEST(arr) AS x`: in BigQuery x is the element; in DuckDB a table alias alone names the
 * row (a struct {unnest: element}), so `x` would silently read as a struct. The alias is given to
 * the column too: `unnest(arr) AS x(x)`. WITH OFFSET has no DuckDB twin here and is refused.
 */
function translateUnnest(tokens: readonly Token[], i: number, open: number, state: State): { text: string; end: number } {
  const close = findClosing(tokens, open);
  const call = `${tokens[i]!.text}(${translateTokens(tokens.slice(open + 1, close), state).trim()})`;
  let at = nextSignificant(tokens, close + 1);
  if (isKeyword(tokens[at], 'WITH') && isKeyword(tokens[nextSignificant(tokens, at + 1)], 'OFFSET')) {
    return translateUnnestWithOffset(call, undefined, tokens, at);
  }
  const hasAs = isKeyword(tokens[at], 'AS');
  if (hasAs) at = nextSignificant(tokens, at + 1);
  const alias = tokens[at];
  const isAlias = (alias?.kind === 'ident' && !afterFromItem.has(alias.value.toUpperCase())) || alias?.kind === 'quoted';
  // Without an alias, BigQuery makes the fields of an array of STRUCTs columns of the FROM item;
  // DuckDB would give one struct column named "unnest". Its recursive unnest expands the struct
  // (and only that: arrays inside it stay arrays).
  if (!isAlias) return { text: `(SELECT ${call.slice(0, -1)}, recursive := true))`, end: close };
  const name = quoteIdent(alias.value);
  const withAt = nextSignificant(tokens, at + 1);
  if (isKeyword(tokens[withAt], 'WITH') && isKeyword(tokens[nextSignificant(tokens, withAt + 1)], 'OFFSET')) {
    return translateUnnestWithOffset(call, alias.value, tokens, withAt);
  }
  return { text: `${call} AS ${name}(${name})`, end: at };
}

function translateTokens(tokens: readonly Token[], state: State): string {
  let out = '';
  // Where each token's translation starts in `out` (tokens consumed by a rewrite have none), so a
  // subscript can wrap the array expression before it, and a division its dividend.
  const starts: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    starts[i] = out.length;
    switch (token.kind) {
      case 'comment':
        out += token.text.startsWith('#') ? `--${token.text.slice(1)}` : token.text;
        break;
      case 'string':
        out += quoteString(token.value);
        break;
      case 'bytes':
        throw new BigQueryTranslationError(`Bytes literals are not supported: ${token.text}`, token);
      case 'param':
        if (token.value.startsWith('@')) throw new BigQueryTranslationError(`System variables are not supported: @${token.value}`, token);
        state.params.add(token.value);
        out += `$${token.value}`;
        break;
      case 'placeholder':
      case 'quoted': {
        if (isDatasetQualifier(token, state) && isOp(tokens[i + 1], '.')) {
          i += 1;
        } else if (token.kind === 'placeholder') {
          throw new BigQueryTranslationError(`Placeholder \${${token.value}} must qualify a table, as in \`\${${token.value}}.events\``, token);
        } else {
          // A backticked dotted path is a table: project.dataset.table → table, through a known dataset.
          const parts = token.value.split('.');
          out += quoteIdent(parts.length === 3 ? tableOfProjectPath(parts, state.datasets, token) : parts.at(-1)!);
        }
        break;
      }
      case 'ident': {
        try {
          const { text, end } = translateIdent(tokens, i, state);
          out += text;
          i = end;
        } catch (error) {
          // The innermost construct being translated is where the analyst should look.
          throw locateError(error, token);
        }
        break;
      }
      case 'op':
        if (token.value === '[' && isSubscript(tokens, i)) {
          const subscript = readSubscript(tokens, i);
          const from = starts[operandStart(tokens, i)];
          if (from === undefined) throw new BigQueryTranslationError('This array subscript is not supported embedded; subscript a column or a parenthesised expression', token);
          const array = out.slice(from);
          const lead = array.slice(0, array.length - array.trimStart().length);
          const index = translateTokens(subscript.tokens, state).trim();
          out = `${out.slice(0, from)}${lead}${subscriptExpression(array.trim(), subscript.kind, index)}`;
          i = subscript.end;
          break;
        }
        if (token.value === '/') {
          // x / 0 is an error in BigQuery, Infinity or NULL in DuckDB (divisor-span.ts).
          const end = findDivisorEnd(tokens, i + 1);
          const divisor = translateTokens(tokens.slice(i + 1, end + 1), state).trim();
          const checked = nonZeroDivisor(divisor, `/ ${tokens.slice(i + 1, end + 1).map((t) => t.text).join('').trim()}`);
          // A NUMERIC operand is refused in DuckDB, which would answer a FLOAT64 (numeric-division.ts).
          const start = findDividendStart(tokens, i);
          const from = start === undefined ? undefined : starts[start];
          if (from !== undefined) out = out.slice(0, from) + guardedDivision(out.slice(from).trim(), divisor, checked, token);
          else out += `/ ${guardedDivisor(divisor, checked, token)}`;
          i = end;
          break;
        }
        out += token.text;
        break;
      case 'number':
        // `2.5` and `1e3` are FLOAT64 in BigQuery, DECIMAL in DuckDB: 0.1 + 0.2 would print 0.3, and a
        // division by 2.5 would take the NUMERIC path. Integers and hex stay as written.
        out += /^(?!0[xX])[0-9.]*[.eE]/.test(token.text) ? `CAST(${token.text} AS DOUBLE)` : token.text;
        break;
      default:
        out += token.text;
    }
  }
  return out;
}

const tableClauseWords = ['PARTITION', 'CLUSTER', 'OPTIONS', 'DEFAULT', 'AS'];

/** Drops `OPTIONS(...)`, `COLLATE 'x'` and `NOT ENFORCED`, which DuckDB has no use for. */
function withoutBigQueryOnly(tokens: readonly Token[]): Token[] {
  const kept: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const next = nextSignificant(tokens, i + 1);
    if (isKeyword(token, 'OPTIONS') && isOp(tokens[next], '(')) i = findClosing(tokens, next);
    else if (isKeyword(token, 'COLLATE') && tokens[next]?.kind === 'string') i = next;
    else if (isKeyword(token, 'NOT') && isKeyword(tokens[next], 'ENFORCED')) i = next;
    else kept.push(token);
  }
  return kept;
}

function translateColumn(item: readonly Token[], state: State): string | null {
  const lead = item.slice(0, item.findIndex(isSignificant)).map((t) => t.text).join('');
  const tokens = withoutBigQueryOnly(item);
  const sig = tokens.filter(isSignificant);
  if (isKeyword(sig[0], 'FOREIGN', 'CONSTRAINT')) return null; // references stay BigQuery metadata
  if (isKeyword(sig[0], 'PRIMARY', 'UNIQUE')) return lead + translateTokens(tokens, state).trim();
  const name = sig[0]!;
  let type: ReturnType<typeof parseType>;
  try {
    type = parseType(sig, 1);
  } catch (error) {
    throw locateError(error, sig[1] ?? name);
  }
  const rest = tokens.slice(tokens.indexOf(sig[type.next - 1]!) + 1);
  const columnName = name.kind === 'quoted' ? quoteIdent(name.value) : name.text;
  return `${lead}${columnName} ${type.text} ${translateTokens(rest, state).trim()}`.trimEnd();
}

/** CREATE [OR REPLACE] [TEMP] TABLE name [(columns)] [PARTITION BY] [CLUSTER BY] [OPTIONS] [AS query] */
function translateCreateTable(tokens: readonly Token[], state: State): string {
  let head = 0;
  while (head < tokens.length && !isOp(tokens[head], '(') && !isKeyword(tokens[head], ...tableClauseWords)) head += 1;
  let out = translateTokens(tokens.slice(0, head), state).trimEnd();
  let i = head;
  if (isOp(tokens[i], '(')) {
    const close = findClosing(tokens, i);
    const columns = splitTopLevel(tokens.slice(i + 1, close)).map((item) => translateColumn(item, state));
    out += ` (${columns.filter((column) => column !== null).join(',')}\n)`;
    i = close + 1;
  }
  // Storage clauses (PARTITION BY, CLUSTER BY, OPTIONS, DEFAULT COLLATE) are BigQuery's business.
  for (; i < tokens.length; i++) {
    if (isOp(tokens[i], '(')) i = findClosing(tokens, i);
    else if (isKeyword(tokens[i], 'AS')) return `${out} AS${translateTokens(tokens.slice(i + 1), state)}`;
  }
  return out;
}

function translateStatement(tokens: readonly Token[], state: State): string {
  refuseStatement(tokens);
  const words = tokens.filter(isSignificant).slice(0, 6).map((t) => t.value.toUpperCase());
  const tableAt = words.indexOf('TABLE');
  if (words[0] === 'CREATE' && tableAt > 0 && tableAt <= 4) return translateCreateTable(tokens, state);
  if (words[0] === 'CREATE') return translateTokens(withoutBigQueryOnly(tokens), state);
  return translateTokens(tokens, state);
}

/** Translates a script of `;`-separated statements, one DuckDB statement per BigQuery one. */
export function translateStatements(sql: string, options: TranslateOptions = {}): TranslatedStatement[] {
  const datasets = new Set(['nudge', ...(options.datasets ?? [])].map((d) => d.toLowerCase()));
  return splitTopLevel(tokenize(sql), ';')
    .filter((statement) => statement.some(isSignificant))
    .map((statement) => {
      const state: State = { datasets, params: new Set() };
      const first = statement.find(isSignificant);
      const isQuery = isKeyword(first, 'SELECT', 'WITH') || isOp(first, '(');
      const tokens = options.nameColumns && isQuery ? aliasAnonymousItems(statement) : statement;
      return { sql: translateStatement(tokens, state).trim(), params: [...state.params] };
    });
}

/** The whole script translated, statements joined with `;`. */
export function translateBigQueryToDuckDb(sql: string, options: TranslateOptions = {}): string {
  return translateStatements(sql, options)
    .map((statement) => `${statement.sql};`)
    .join('\n');
}
