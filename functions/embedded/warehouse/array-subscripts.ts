/**
 * Array subscripts, `arr[i]`, `arr[OFFSET(i)]`, `arr[ORDINAL(i)]`, `arr[SAFE_OFFSET(i)]` and
 * `arr[SAFE_ORDINAL(i)]`. BigQuery's bare `[i]` is 0-based (OFFSET); OFFSET and ORDINAL raise an
 * error out of range (negative indexes included), the SAFE_ forms give NULL. DuckDB lists are
 * 1-based, NULL out of range and count negative indexes from the end, so every subscript becomes a
 * CASE over the array's length. The array expression is repeated in it (len, subscript).
 */
import { BigQueryTranslationError, findClosing, isKeyword, isOp, isSignificant, previousSignificant, type Token } from '../../bigquery-sql/bigquery-tokens.ts';

/** BigQuery's reserved keywords: an identifier before `[` that is one of these starts an array literal. */
const reserved = new Set(
  (
    'ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE CROSS CUBE CURRENT ' +
    'DEFAULT DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE FETCH FOLLOWING FOR FROM FULL ' +
    'GROUP GROUPING GROUPS HASH HAVING IF IGNORE IN INNER INTERSECT INTERVAL INTO IS JOIN LATERAL LEFT LIKE LIMIT LOOKUP ' +
    'MERGE NATURAL NEW NO NOT NULL NULLS OF ON OR ORDER OUTER OVER PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE ' +
    'RESPECT RIGHT ROLLUP ROWS SELECT SET SOME STRUCT TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED UNION UNNEST USING WHEN ' +
    'WHERE WINDOW WITH WITHIN'
  ).split(' '),
);

/** Reserved words that are called like functions: `IF(...)[OFFSET(0)]` subscripts the call. */
const callLike = new Set(['ARRAY', 'CAST', 'EXTRACT', 'IF', 'STRUCT', 'GROUPING', 'RANGE']);

/** Whether the `[` at `open` subscripts the expression before it (rather than opening an array literal). */
export function isSubscript(tokens: readonly Token[], open: number): boolean {
  const before = tokens[previousSignificant(tokens, open)];
  if (!before) return false;
  if (before.kind === 'quoted' || before.kind === 'param') return true;
  if (before.kind === 'ident') return !reserved.has(before.value.toUpperCase());
  return isOp(before, ')') || isOp(before, ']');
}

function findOpening(tokens: readonly Token[], close: number): number {
  const closer = tokens[close]!.value;
  const opener = closer === ')' ? '(' : '[';
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    const token = tokens[i]!;
    if (token.kind !== 'op') continue;
    if (token.value === closer) depth += 1;
    else if (token.value === opener && --depth === 0) return i;
  }
  throw new BigQueryTranslationError(`Unbalanced "${closer}"`, tokens[close]);
}

/**
 * Index of the first token of the operand that ends just before the `[` at `open`: a column path
 * (`t.arr`), a call (`SPLIT(s)`, `SAFE.F(x)`), a parenthesised expression or subquery, an array
 * literal (`[1, 2]`, `ARRAY<INT64>[1]`), and any chain of subscripts and field accesses of these.
 */
export function operandStart(tokens: readonly Token[], open: number): number {
  let at = previousSignificant(tokens, open);
  for (;;) {
    const token = tokens[at]!;
    if (isOp(token, ')') || isOp(token, ']')) {
      at = findOpening(tokens, at);
      const before = previousSignificant(tokens, at);
      const previous = tokens[before];
      if (isOp(token, ')') && previous?.kind === 'ident' && (!reserved.has(previous.value.toUpperCase()) || callLike.has(previous.value.toUpperCase()))) at = before;
      else if (isOp(token, ')') && isKeyword(previous, 'OVER')) throw new BigQueryTranslationError('A subscript of a window function call is not supported embedded; subscript it in an outer query', tokens[open]);
      else if (isOp(token, ')') && isOp(previous, '>')) at = typeStart(tokens, before);
      else if (isOp(token, ']') && isSubscript(tokens, at)) {
        at = previousSignificant(tokens, at);
        continue;
      } else if (isOp(token, ']') && isOp(previous, '>')) at = typeStart(tokens, before);
      else if (isOp(token, ']') && previous?.kind === 'ident' && previous.value.toUpperCase() === 'ARRAY') at = before;
    }
    const dot = previousSignificant(tokens, at);
    if (!isOp(tokens[dot], '.')) return at;
    const owner = previousSignificant(tokens, dot);
    const ownerToken = tokens[owner];
    if (!ownerToken || !(ownerToken.kind === 'ident' || ownerToken.kind === 'quoted' || ownerToken.kind === 'placeholder' || isOp(ownerToken, ')') || isOp(ownerToken, ']'))) return at;
    at = owner;
  }
}

/** The start of `ARRAY<...>` / `STRUCT<...>` whose `>` is at `close`. */
function typeStart(tokens: readonly Token[], close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (isOp(tokens[i], '>')) depth += 1;
    else if (isOp(tokens[i], '<') && --depth === 0) return previousSignificant(tokens, i);
  }
  throw new BigQueryTranslationError('Unbalanced "<"', tokens[close]);
}

export type SubscriptIndex = { kind: 'OFFSET' | 'ORDINAL' | 'SAFE_OFFSET' | 'SAFE_ORDINAL'; tokens: Token[]; end: number };

/** What `[ ... ]` at `open` asks for; a bare index is OFFSET. */
export function readSubscript(tokens: readonly Token[], open: number): SubscriptIndex {
  const close = findClosing(tokens, open);
  const inner = tokens.slice(open + 1, close);
  const sig = inner.filter(isSignificant);
  const word = sig[0]?.kind === 'ident' ? sig[0].value.toUpperCase() : '';
  if (/^(SAFE_)?(OFFSET|ORDINAL)$/.test(word) && isOp(sig[1], '(') && isOp(sig.at(-1), ')')) {
    const first = inner.indexOf(sig[1]!);
    const last = findClosing(inner, first);
    if (last === inner.indexOf(sig.at(-1)!)) return { kind: word as SubscriptIndex['kind'], tokens: inner.slice(first + 1, last), end: close };
  }
  if (sig.length === 1 && sig[0]!.kind === 'string') {
    throw new BigQueryTranslationError('JSON subscripts (json[\'field\']) are not supported embedded; use JSON_QUERY', sig[0]);
  }
  if (sig.length === 0) throw new BigQueryTranslationError('An array subscript needs an index', tokens[open]);
  return { kind: 'OFFSET', tokens: inner, end: close };
}

/** The DuckDB expression for `array[kind(index)]`, both already translated. */
export function subscriptExpression(array: string, kind: SubscriptIndex['kind'], index: string): string {
  const a = `(${array})`;
  const i = `(${index})`;
  const zeroBased = kind.endsWith('OFFSET');
  const low = zeroBased ? `${i} < 0` : `${i} < 1`;
  const high = zeroBased ? `${i} >= len(${a})` : `${i} > len(${a})`;
  const outOfRange = kind.startsWith('SAFE_')
    ? 'NULL'
    : `error(concat('Array index ', CAST(${i} AS VARCHAR), ' is out of bounds (${kind}; array size ', CAST(len(${a}) AS VARCHAR), ')'))`;
  const element = `${a}[${zeroBased ? `${i} + 1` : i}]`;
  return (
    `(CASE WHEN typeof(${a}) NOT LIKE '%[]' AND typeof(${a}) <> '"NULL"' THEN error('A subscript of a value that is not an ARRAY (JSON or STRUCT) is not supported embedded') ` +
    `WHEN ${a} IS NULL OR ${i} IS NULL THEN NULL WHEN ${low} OR ${high} THEN ${outOfRange} ELSE ${element} END)`
  );
}
