/**
 * NUMERIC division and AVG. BigQuery answers `NUMERIC / INT64`, `NUMERIC / NUMERIC` and AVG of a
 * NUMERIC with a NUMERIC (scale 9, rounded half away from zero: `NUMERIC '5' / 3` is 1.666666667);
 * DuckDB answers a DOUBLE (1.6666666666666667) for any division of a DECIMAL, and its SQL has no
 * way to give a result the type of its operands (a CASE over `typeof` unifies to DOUBLE). The
 * translator does not know operand types, so the check runs in DuckDB: a division or AVG whose
 * operand is a DECIMAL is refused there, naming the construct and where it is; INT64 and FLOAT64
 * division (FLOAT64 in both dialects) runs as before.
 *
 * The dividend is found by reading back from `/` (it binds tighter than everything but unary signs
 * and postfix access, left to right): the chain of primaries joined by `*` and `/` before it.
 */
import { describePosition, isKeyword, isOp, previousSignificant, type Token } from '../../bigquery-sql/bigquery-tokens.ts';

/** Types a DuckDB value has for a BigQuery NUMERIC / BIGNUMERIC. */
const isDecimal = (sql: string) => `typeof(${sql}) LIKE 'DECIMAL%'`;

/** DuckDB's error() with the refusal; `first` (if given) is evaluated before, for its own error. */
function refusal(what: string, at: Token, first?: string): string {
  const message = `${what} is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (${describePosition(at)})`;
  const quoted = `'${message.replaceAll("'", "''")}'`;
  return first ? `error(coalesce(left(CAST(${first} AS VARCHAR), 0), '') || ${quoted})` : `error(${quoted})`;
}

/**
 * `dividend / divisor`, refused in DuckDB when either is a NUMERIC. `checked` is the divisor with
 * its zero check (nonZeroDivisor): the refusal evaluates it first, so `NUMERIC '1' / 0` stays
 * BigQuery's division-by-zero error. The dividend appears twice (its type, its value).
 */
export function guardedDivision(dividend: string, divisor: string, checked: string, at: Token): string {
  return `(CASE WHEN ${isDecimal(dividend)} OR ${isDecimal(divisor)} THEN ${refusal('Division of a NUMERIC', at, checked)} ELSE (${dividend}) / ${checked} END)`;
}

/** Only the divisor, where the dividend could not be read back: refused when it is a NUMERIC. */
export function guardedDivisor(divisor: string, checked: string, at: Token): string {
  return `(CASE WHEN ${isDecimal(divisor)} THEN ${refusal('Division by a NUMERIC', at, checked)} ELSE ${checked} END)`;
}

/** The argument of AVG, refused in DuckDB when it is a NUMERIC (`distinct`: AVG(DISTINCT x)). */
export function guardedAverageArgument(value: string, at: Token): string {
  return `(CASE WHEN ${isDecimal(value)} THEN ${refusal('AVG of a NUMERIC', at)} ELSE ${value} END)`;
}

const typedLiteralPrefix = new Set(['DATE', 'DATETIME', 'TIME', 'TIMESTAMP', 'NUMERIC', 'BIGNUMERIC', 'DECIMAL', 'BIGDECIMAL', 'JSON', 'RANGE']);
/** Words before `(` that make a call or a construct, not a parenthesised operand of something else. */
const callKeywords = new Set(['CAST', 'SAFE_CAST', 'EXTRACT', 'IF', 'ARRAY', 'STRUCT', 'EXISTS', 'INTERVAL', 'COLLATE']);

function matchingOpen(tokens: readonly Token[], close: number): number | undefined {
  const closer = tokens[close]!.value;
  const opener = closer === ')' ? '(' : '[';
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (isOp(tokens[i], closer)) depth += 1;
    else if (isOp(tokens[i], opener) && --depth === 0) return i;
  }
  return undefined;
}

function matchingCase(tokens: readonly Token[], end: number): number | undefined {
  let depth = 0;
  for (let i = end; i >= 0; i--) {
    if (isKeyword(tokens[i], 'END')) depth += 1;
    else if (isKeyword(tokens[i], 'CASE') && --depth === 0) return i;
  }
  return undefined;
}

const isNameToken = (token: Token | undefined) => token?.kind === 'ident' || token?.kind === 'quoted';

/** Start of the primary (with postfix `.x`, `[...]`, `OVER (...)`) that ends at `k`, or undefined. */
function primaryStart(tokens: readonly Token[], k: number): number | undefined {
  const token = tokens[k];
  if (!token) return undefined;
  let start: number | undefined;
  if (isOp(token, ')')) {
    const open = matchingOpen(tokens, k);
    if (open === undefined) return undefined;
    const before = previousSignificant(tokens, open);
    if (isKeyword(tokens[before], 'OVER')) return primaryStart(tokens, previousSignificant(tokens, before));
    if (tokens[before]?.kind === 'quoted' || (tokens[before]?.kind === 'ident' && (callKeywords.has(tokens[before]!.value.toUpperCase()) || !reservedBeforeParen(tokens[before]!)))) {
      start = pathStart(tokens, before);
    } else start = open;
  } else if (isOp(token, ']')) {
    const open = matchingOpen(tokens, k);
    if (open === undefined) return undefined;
    const before = previousSignificant(tokens, open);
    const prior = tokens[before];
    // `arr[OFFSET(0)]`: a subscript of the primary before it; `[1, 2]` alone is an array literal.
    if (isOp(prior, ')') || isOp(prior, ']') || (isNameToken(prior) && !reservedBeforeParen(prior!))) return primaryStart(tokens, before);
    if (isOp(prior, '>') || isKeyword(prior, 'ARRAY')) return undefined; // ARRAY<T>[…]: not read back
    start = open;
  } else if (isKeyword(token, 'END')) start = matchingCase(tokens, k);
  else if (token.kind === 'string') {
    const before = previousSignificant(tokens, k);
    start = tokens[before]?.kind === 'ident' && typedLiteralPrefix.has(tokens[before]!.value.toUpperCase()) ? before : k;
  } else if (token.kind === 'number' || token.kind === 'param') start = k;
  else if (isKeyword(token, 'TRUE', 'FALSE', 'NULL')) start = isKeyword(tokens[previousSignificant(tokens, k)], 'IS', 'NOT') ? undefined : k;
  else if (isNameToken(token) && isKeyword(tokens[previousSignificant(tokens, k)], 'OVER')) {
    // `SUM(x) OVER w`: a named window; the operand is the call before OVER.
    return primaryStart(tokens, previousSignificant(tokens, previousSignificant(tokens, k)));
  } else if (isNameToken(token) && !reservedBeforeParen(token)) start = pathStart(tokens, k);
  return start;
}

/** BigQuery keywords that cannot be a function or column name (so end no operand). */
function reservedBeforeParen(token: Token): boolean {
  return token.kind === 'ident' && /^(AND|OR|NOT|IN|IS|LIKE|BETWEEN|SELECT|WHERE|ON|WHEN|THEN|ELSE|AS|BY|FROM|HAVING|QUALIFY|CASE|END|UNNEST|ALL|ANY|SOME|DISTINCT|OVER|WINDOW|PARTITION|ORDER|GROUP|LIMIT|UNION|INTERSECT|EXCEPT|JOIN|USING|WITH|RETURN|INTERVAL|ESCAPE)$/i.test(token.value);
}

/** `a.b.c` ending at `k` (also `(expr).field`, `f(x).field`): the index where it starts. */
function pathStart(tokens: readonly Token[], k: number): number | undefined {
  let start = k;
  for (;;) {
    const dot = previousSignificant(tokens, start);
    if (!isOp(tokens[dot], '.')) return start;
    const before = previousSignificant(tokens, dot);
    if (isNameToken(tokens[before])) start = before;
    else if (isOp(tokens[before], ')') || isOp(tokens[before], ']')) return primaryStart(tokens, before);
    else return undefined;
  }
}

/** Whether the token before a `-`/`+` makes it binary (an operand ends there). */
function endsOperand(token: Token | undefined): boolean {
  if (!token) return false;
  if (isOp(token, ')') || isOp(token, ']')) return true;
  if (['number', 'string', 'param', 'quoted'].includes(token.kind)) return true;
  return token.kind === 'ident' && (isKeyword(token, 'END', 'TRUE', 'FALSE', 'NULL') || !reservedBeforeParen(token));
}

/**
 * Index of the first token of the dividend of the `/` at `slashAt` (a chain `a * b / c` reads
 * `a * b`), or undefined when it cannot be read back with certainty.
 */
export function findDividendStart(tokens: readonly Token[], slashAt: number): number | undefined {
  let k = previousSignificant(tokens, slashAt);
  for (;;) {
    let start = primaryStart(tokens, k);
    if (start === undefined) return undefined;
    let before = previousSignificant(tokens, start);
    // Unary signs bind tighter than * and /: `-a / b` divides -a.
    while ((isOp(tokens[before], '-') || isOp(tokens[before], '+')) && !endsOperand(tokens[previousSignificant(tokens, before)])) {
      start = before;
      before = previousSignificant(tokens, start);
    }
    if (!(isOp(tokens[before], '*') || isOp(tokens[before], '/'))) return start;
    // `SELECT * / 2` cannot happen; `COUNT(*)` ends in `)`; so `*` here is multiplication.
    k = previousSignificant(tokens, before);
  }
}
