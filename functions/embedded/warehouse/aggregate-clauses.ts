/**
 * Aggregate calls whose BigQuery clauses DuckDB spells differently or lacks: ARRAY_AGG with
 * DISTINCT / IGNORE NULLS / ORDER BY / LIMIT, ANY_VALUE(x HAVING MAX|MIN y), MAX_BY / MIN_BY,
 * APPROX_QUANTILES and PERCENTILE_CONT / PERCENTILE_DISC.
 *
 * Hand-written beside the translator (bigquery-to-duckdb.ts) for the reason given there: no
 * library emits DuckDB from BigQuery. Each rewrite reads the call's clauses at its top level (a
 * subquery inside an argument keeps its own ORDER BY and LIMIT) and receives the OVER clause when
 * it must wrap it (ARRAY_AGG's NULL check sits outside the window call).
 */
import { BigQueryTranslationError, findClosing, isKeyword, isOp, isSignificant, nextSignificant, splitTopLevel, type Token } from '../../bigquery-sql/bigquery-tokens.ts';

export type AggregateParts = {
  distinct: boolean;
  args: Token[][];
  nulls?: 'IGNORE' | 'RESPECT';
  orderBy?: Token[];
  limit?: Token[];
  having?: { extreme: 'MAX' | 'MIN'; expr: Token[] };
};

/** Splits the tokens between a call's parentheses into its arguments and its trailing clauses. */
export function parseAggregateParts(inner: readonly Token[]): AggregateParts {
  const sig = inner.map((token, index) => ({ token, index })).filter(({ token }) => isSignificant(token));
  const clauses: { word: string; at: number; bodyFrom: number }[] = [];
  let depth = 0;
  for (let k = 0; k < sig.length; k++) {
    const { token, index } = sig[k]!;
    if (isOp(token, '(') || isOp(token, '[')) depth += 1;
    else if (isOp(token, ')') || isOp(token, ']')) depth -= 1;
    if (depth !== 0 || token.kind !== 'ident') continue;
    const word = token.value.toUpperCase();
    const next = sig[k + 1]?.token;
    if ((word === 'IGNORE' || word === 'RESPECT') && isKeyword(next, 'NULLS')) clauses.push({ word, at: index, bodyFrom: sig[k + 1]!.index + 1 });
    else if (word === 'ORDER' && isKeyword(next, 'BY')) clauses.push({ word, at: index, bodyFrom: sig[k + 1]!.index + 1 });
    else if (word === 'LIMIT') clauses.push({ word, at: index, bodyFrom: index + 1 });
    else if (word === 'HAVING' && isKeyword(next, 'MAX', 'MIN')) clauses.push({ word: `HAVING ${next!.value.toUpperCase()}`, at: index, bodyFrom: sig[k + 1]!.index + 1 });
  }
  const argsEnd = clauses[0]?.at ?? inner.length;
  let head = inner.slice(0, argsEnd);
  const first = head.findIndex(isSignificant);
  const distinct = isKeyword(head[first], 'DISTINCT');
  if (distinct) head = head.slice(first + 1);
  const parts: AggregateParts = { distinct, args: head.some(isSignificant) ? splitTopLevel(head) : [] };
  clauses.forEach((clause, k) => {
    const body = inner.slice(clause.bodyFrom, clauses[k + 1]?.at ?? inner.length);
    if (clause.word === 'IGNORE' || clause.word === 'RESPECT') parts.nulls = clause.word;
    else if (clause.word === 'ORDER') parts.orderBy = body;
    else if (clause.word === 'LIMIT') parts.limit = body;
    else parts.having = { extreme: clause.word.endsWith('MAX') ? 'MAX' : 'MIN', expr: body };
  });
  return parts;
}

type Translate = (tokens: readonly Token[]) => string;

export type AggregateCall = { name: string; parts: AggregateParts; translate: Translate; over: string };

function only(call: AggregateCall, allowed: { nulls?: boolean; orderBy?: boolean; limit?: boolean; having?: boolean; distinct?: boolean }, args: number): void {
  const { parts, name } = call;
  const refuse = (clause: string) => {
    throw new BigQueryTranslationError(`${name}(... ${clause}) is not supported`);
  };
  if (parts.distinct && !allowed.distinct) refuse('DISTINCT');
  if (parts.nulls && !allowed.nulls) refuse(`${parts.nulls} NULLS`);
  if (parts.orderBy && !allowed.orderBy) refuse('ORDER BY');
  if (parts.limit && !allowed.limit) refuse('LIMIT');
  if (parts.having && !allowed.having) refuse(`HAVING ${parts.having.extreme}`);
  if (parts.args.length !== args) throw new BigQueryTranslationError(`${name} takes ${args} argument(s), got ${parts.args.length}`);
}

/** A positive integer literal, as BigQuery requires for LIMIT and APPROX_QUANTILES' count. */
function positiveLiteral(name: string, what: string, tokens: readonly Token[] | undefined): number {
  const sig = (tokens ?? []).filter(isSignificant);
  const value = sig.length === 1 && sig[0]!.kind === 'number' ? Number(sig[0]!.value) : NaN;
  if (!Number.isInteger(value) || value < 1) throw new BigQueryTranslationError(`${name}: ${what} must be a positive integer literal`);
  return value;
}

/**
 * ARRAY_AGG([DISTINCT] x [IGNORE|RESPECT NULLS] [ORDER BY ...] [LIMIT n]) [OVER (...)].
 * IGNORE NULLS becomes a FILTER; LIMIT a slice of the ordered list. Without IGNORE NULLS the NULLs
 * stay, as in BigQuery, which fails only when such an array reaches the result (checked there by
 * result-arrays.ts, for every array, not only ARRAY_AGG's).
 */
function translateArrayAgg(call: AggregateCall): string {
  only(call, { nulls: true, orderBy: true, limit: true, distinct: true }, 1);
  const { parts, translate } = call;
  const value = translate(parts.args[0]!);
  const orderBy = parts.orderBy ? ` ORDER BY ${translate(parts.orderBy)}` : '';
  const filter = parts.nulls === 'IGNORE' ? ` FILTER (WHERE (${value}) IS NOT NULL)` : '';
  let list = `array_agg(${parts.distinct ? 'DISTINCT ' : ''}${value}${orderBy})${filter}${call.over}`;
  if (parts.limit) list = `list_slice(${list}, 1, ${positiveLiteral(call.name, 'LIMIT', parts.limit)})`;
  return list;
}

/**
 * APPROX_QUANTILES([DISTINCT] x, n [IGNORE|RESPECT NULLS]): n + 1 boundaries, minimum first and
 * maximum last. Computed EXACTLY here (the embedded warehouse holds one shop's data): boundary k
 * is the sorted value at index round(k × (N − 1) / n). That rule gives every example BigQuery's
 * page documents ([1, 5, 9] for 1,1,1,4,5,6,7,8,9 in halves; 9 as the 90th percentile of 1..10;
 * [1, 6, 9] with DISTINCT; [NULL, 4, 9] with RESPECT NULLS), so on small data, where BigQuery's
 * sketch is exact too, the two agree. NULLs sort first, as BigQuery places them with RESPECT NULLS.
 */
function translateApproxQuantiles(call: AggregateCall): string {
  only(call, { nulls: true, distinct: true }, 2);
  const { parts, translate } = call;
  if (call.over) throw new BigQueryTranslationError('APPROX_QUANTILES is not an analytic function');
  const value = translate(parts.args[0]!);
  const n = positiveLiteral(call.name, 'the number of quantiles', parts.args[1]);
  const filter = parts.nulls === 'RESPECT' ? '' : ` FILTER (WHERE (${value}) IS NOT NULL)`;
  const sorted = `list_sort(array_agg(${parts.distinct ? 'DISTINCT ' : ''}${value})${filter}, 'ASC', 'NULLS FIRST')`;
  return `(CASE WHEN len(${sorted}) > 0 THEN list_transform(range(0, ${n + 1}), _bq_k -> ${sorted}[CAST(round((len(${sorted}) - 1) * _bq_k / ${n}) AS BIGINT) + 1]) END)`;
}

/**
 * PERCENTILE_CONT / PERCENTILE_DISC(x, p) OVER (...): DuckDB's quantile_cont interpolates as
 * BigQuery does, and its quantile_disc takes the first value whose cumulative share reaches p, as
 * BigQuery's does; both ignore NULLs, BigQuery's default. RESPECT NULLS is refused.
 */
const percentile =
  (duckName: string) =>
  (call: AggregateCall): string => {
    only(call, { nulls: true }, 2);
    if (call.parts.nulls === 'RESPECT') throw new BigQueryTranslationError(`${call.name}(... RESPECT NULLS) is not supported`);
    return `${duckName}(${call.translate(call.parts.args[0]!)}, ${call.translate(call.parts.args[1]!)})${call.over}`;
  };

/**
 * ANY_VALUE(x HAVING MAX y), MAX_BY(x, y) and the MIN forms: x of a row with the greatest (least)
 * non-NULL y, NULL x included. Not DuckDB's arg_max / max_by, which skip rows whose x is NULL and
 * so would answer another row's x.
 */
function translateAnyValue(call: AggregateCall): string {
  const { parts, translate } = call;
  if (call.name === 'ANY_VALUE') {
    only(call, { having: true }, 1);
    if (!parts.having) return `any_value(${translate(parts.args[0]!)})${call.over}`;
    return byExtreme(parts.having.extreme, translate(parts.args[0]!), translate(parts.having.expr), call.over);
  }
  only(call, {}, 2);
  return byExtreme(call.name === 'MAX_BY' ? 'MAX' : 'MIN', translate(parts.args[0]!), translate(parts.args[1]!), call.over);
}

function byExtreme(extreme: 'MAX' | 'MIN', value: string, by: string, over: string): string {
  return `${extreme === 'MAX' ? 'arg_max_null' : 'arg_min_null'}(${value}, ${by}) FILTER (WHERE (${by}) IS NOT NULL)${over}`;
}

/**
 * SUM([DISTINCT] x) [OVER (...)]: a sum of INT64 that leaves INT64's range is an error in
 * BigQuery; DuckDB sums integers into a HUGEINT and answers the wide value. The check runs only
 * when DuckDB's result is a HUGEINT (an integer sum), through the value's text so that it binds
 * for FLOAT64, NUMERIC and INTERVAL sums too, which keep DuckDB's answer.
 */
function translateSum(call: AggregateCall): string {
  only(call, { distinct: true }, 1);
  const sum = `sum(${call.parts.distinct ? 'DISTINCT ' : ''}${call.translate(call.parts.args[0]!)})${call.over}`;
  const wide = `TRY_CAST(CAST(${sum} AS VARCHAR) AS HUGEINT)`;
  return (
    `(CASE WHEN typeof(${sum}) = 'HUGEINT' AND ${wide} NOT BETWEEN -9223372036854775808 AND 9223372036854775807 ` +
    `THEN error(concat('int64 overflow: SUM is ', CAST(${sum} AS VARCHAR))) ELSE ${sum} END)`
  );
}

export const aggregateRewrites: Record<string, (call: AggregateCall) => string> = {
  SUM: translateSum,
  ARRAY_AGG: translateArrayAgg,
  APPROX_QUANTILES: translateApproxQuantiles,
  PERCENTILE_CONT: percentile('quantile_cont'),
  PERCENTILE_DISC: percentile('quantile_disc'),
  ANY_VALUE: translateAnyValue,
  MAX_BY: translateAnyValue,
  MIN_BY: translateAnyValue,
};

/**
 * Translates the aggregate call whose name is at `at` (its `(` at `open`), with its OVER clause
 * when one follows; returns the DuckDB text and the index of the last token consumed.
 */
export function translateAggregateCall(tokens: readonly Token[], at: number, open: number, translate: Translate): { text: string; end: number } {
  const name = tokens[at]!.value.toUpperCase();
  const close = findClosing(tokens, open);
  const parts = parseAggregateParts(tokens.slice(open + 1, close));
  let end = close;
  let over = '';
  const overAt = nextSignificant(tokens, close + 1);
  if (isKeyword(tokens[overAt], 'OVER')) {
    const windowAt = nextSignificant(tokens, overAt + 1);
    end = isOp(tokens[windowAt], '(') ? findClosing(tokens, windowAt) : windowAt;
    over = ` OVER ${translate(tokens.slice(windowAt, end + 1))}`;
  }
  return { text: aggregateRewrites[name]!({ name, parts, translate, over }), end };
}
