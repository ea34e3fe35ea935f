/**
 * Result column names as BigQuery gives them. BigQuery names a SELECT item by its alias, else by
 * the last name of a path (`t.col` → col, `s.a.b` → b), else leaves it anonymous and names it
 * `f0_`, `f1_`, … in the order of the anonymous columns of the result; `SELECT *` keeps names.
 * DuckDB names paths alike but calls an anonymous `COUNT(*)` "count_star()".
 *
 * Two steps, because an anonymous column of a subquery or CTE reaches the result through
 * `SELECT *` (and can be referred to by no name in between): before translation every anonymous
 * item of every SELECT list gets a unique placeholder alias (`_bq_anonymous_<n>`), which no
 * analyst's SQL can refer to; after the query the placeholders left in the result are renamed
 * f0_, f1_, … in column order. A UNION takes its names from its first SELECT in both dialects.
 */
import type { WarehouseRow } from '../../../pipelines/warehouse/warehouse.ts';
import { isDistinctFrom, isKeyword, isOp, isSignificant, nextSignificant, type Token } from '../../bigquery-sql/bigquery-tokens.ts';

const placeholderPrefix = '_bq_anonymous_';
const placeholderName = /^_bq_anonymous_\d+$/;

/** BigQuery's reserved keywords: never an alias, and an operand that follows one is no alias. */
const reserved = new Set(
  ('ALL AND ANY ARRAY AS ASC ASSERT_ROWS_MODIFIED AT BETWEEN BY CASE CAST COLLATE CONTAINS CREATE CROSS CUBE CURRENT DEFAULT ' +
    'DEFINE DESC DISTINCT ELSE END ENUM ESCAPE EXCEPT EXCLUDE EXISTS EXTRACT FALSE FETCH FOLLOWING FOR FROM FULL GROUP GROUPING ' +
    'GROUPS HASH HAVING IF IGNORE IN INNER INTERSECT INTERVAL INTO IS JOIN LATERAL LEFT LIKE LIMIT LOOKUP MERGE NATURAL NEW NO ' +
    'NOT NULL NULLS OF ON OR ORDER OUTER OVER PARTITION PRECEDING PROTO QUALIFY RANGE RECURSIVE RESPECT RIGHT ROLLUP ROWS SELECT ' +
    'SET SOME STRUCT TABLESAMPLE THEN TO TREAT TRUE UNBOUNDED UNION UNNEST USING WHEN WHERE WINDOW WITH WITHIN').split(' '),
);
/** Words that end a SELECT list at its own depth. */
const listEnd = new Set(['FROM', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'WINDOW', 'ORDER', 'LIMIT', 'UNION', 'INTERSECT', 'EXCEPT']);

const isName = (token: Token | undefined) => (token?.kind === 'ident' && !reserved.has(token.value.toUpperCase())) || token?.kind === 'quoted';

/** `a`, `t.a`, `` `t`.a.b ``: names its column after its last part. */
function isPath(sig: readonly Token[]): boolean {
  return sig.length % 2 === 1 && sig.every((token, index) => (index % 2 === 0 ? isName(token) : isOp(token, '.')));
}

/** Reserved words an expression can end with: `CASE … END`, `TRUE`, `x IS NULL`, `x IS NOT FALSE`. */
const reservedExpressionEnd = new Set(['END', 'TRUE', 'FALSE', 'NULL']);

/** Whether an expression can end with `token`: a name, a literal, a parameter, `)`, `]`, END, TRUE, FALSE, NULL. */
function canEndExpression(token: Token): boolean {
  if (isOp(token, ')') || isOp(token, ']') || isName(token)) return true;
  if (['number', 'string', 'bytes', 'param', 'placeholder'].includes(token.kind)) return true;
  return token.kind === 'ident' && reservedExpressionEnd.has(token.value.toUpperCase());
}

/** `expr AS name`, or `expr name` after something an expression can end with. */
function hasAlias(sig: readonly Token[]): boolean {
  const last = sig.at(-1);
  const before = sig.at(-2);
  if (sig.length < 2) return false;
  // After AS any word is the alias (DuckDB, and the tests, take `AS at` though AT is reserved).
  if (isKeyword(before, 'AS') && (last?.kind === 'ident' || last?.kind === 'quoted')) return true;
  if (!isName(last)) return false;
  // `INTERVAL 1 DAY`, `INTERVAL n HOUR`: the unit is part of the literal, not an alias.
  if (isKeyword(sig.at(-3), 'INTERVAL')) return false;
  return canEndExpression(before!);
}

/** `*`, `t.*`, `* EXCEPT (...)`, `* REPLACE (...)`: columns that keep their names. */
function isStar(sig: readonly Token[]): boolean {
  return sig.some((token, index) => isOp(token, '*') && (index === 0 || isOp(sig[index - 1], '.')));
}

/**
 * The name a SELECT item gives its column, and the index (into `sig`) of its expression's last
 * token; undefined for an anonymous item or a star.
 */
export function fieldNameOf(sig: readonly Token[]): { name: string; exprEnd: number } | undefined {
  if (sig.length === 0 || isStar(sig)) return undefined;
  if (isPath(sig)) return { name: sig.at(-1)!.value, exprEnd: sig.length - 1 };
  if (!hasAlias(sig)) return undefined;
  return { name: sig.at(-1)!.value, exprEnd: isKeyword(sig.at(-2), 'AS') ? sig.length - 3 : sig.length - 2 };
}

/**
 * A list-ending word that belongs to the item instead: `* EXCEPT (…)`, and the FROM of
 * `x IS [NOT] DISTINCT FROM y` (a FROM inside parentheses, `EXTRACT(… FROM …)`, is never at depth 0).
 */
function continuesItem(word: Token, previous: Token | undefined, beforePrevious: Token | undefined): boolean {
  if (isKeyword(word, 'EXCEPT')) return isOp(previous, '*');
  return isKeyword(word, 'FROM') && isDistinctFrom(previous, beforePrevious);
}

/** Indexes (into `tokens`) of the SELECT list items that start after `selectAt`. */
export function selectItems(tokens: readonly Token[], selectAt: number): number[][] {
  const items: number[][] = [[]];
  let depth = 0;
  let previous: Token | undefined = tokens[selectAt];
  let beforePrevious: Token | undefined;
  for (let i = selectAt + 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (isOp(token, '(') || isOp(token, '[')) depth += 1;
    else if (isOp(token, ')') || isOp(token, ']')) {
      if (depth === 0) break;
      depth -= 1;
    }
    if (depth === 0 && (isOp(token, ';') || (token.kind === 'ident' && listEnd.has(token.value.toUpperCase()) && !continuesItem(token, previous, beforePrevious)))) break;
    if (depth === 0 && isOp(token, ',')) items.push([]);
    else if (isSignificant(token)) items.at(-1)!.push(i);
    if (isSignificant(token)) {
      beforePrevious = previous;
      previous = token;
    }
  }
  return items;
}

/**
 * The query's tokens with a placeholder alias after every anonymous SELECT item, for the
 * translator (bigquery-to-duckdb.ts, option `nameColumns`). `next` numbers the placeholders.
 */
export function aliasAnonymousItems(tokens: readonly Token[]): Token[] {
  const insertAfter = new Map<number, Token>();
  const insertAs = new Set<number>();
  let next = 1;
  tokens.forEach((token, selectAt) => {
    if (!isKeyword(token, 'SELECT')) return;
    // SELECT AS STRUCT names struct fields, not columns (select-as-struct.ts refuses anonymous ones).
    if (isKeyword(tokens[nextSignificant(tokens, selectAt + 1)], 'AS')) return;
    for (const item of selectItems(tokens, selectAt)) {
      let sig = item.map((index) => tokens[index]!);
      if (isKeyword(sig[0], 'DISTINCT', 'ALL')) sig = sig.slice(1);
      if (sig.length === 0 || isKeyword(sig[0], 'AS') || isPath(sig) || isStar(sig)) continue;
      if (hasAlias(sig)) {
        // `expr alias` → `expr AS alias`: DuckDB takes no keyword (`2 year`, `NULL nothing`) as a bare alias.
        if (!isKeyword(sig.at(-2), 'AS')) insertAs.add(item.at(-1)!);
        continue;
      }
      const last = tokens[item.at(-1)!]!;
      insertAfter.set(item.at(-1)!, { ...last, kind: 'quoted', text: `\`${placeholderPrefix}${next}\``, value: `${placeholderPrefix}${next}` });
      next += 1;
    }
  });
  if (insertAfter.size === 0 && insertAs.size === 0) return [...tokens];
  return tokens.flatMap((token, index) => {
    if (insertAs.has(index)) return [{ ...token, kind: 'ident', text: 'AS', value: 'AS' }, { ...token, kind: 'space', text: ' ', value: ' ' }, token];
    const alias = insertAfter.get(index);
    if (!alias) return [token];
    return [token, { ...alias, kind: 'space', text: ' ', value: ' ' }, { ...alias, kind: 'ident', text: 'AS', value: 'AS' }, { ...alias, kind: 'space', text: ' ', value: ' ' }, alias];
  });
}

/** The result's column names as BigQuery gives them: placeholders become f0_, f1_, … in order. */
export function bigQueryColumnNames(columns: readonly string[]): string[] {
  let anonymous = 0;
  return columns.map((column) => (placeholderName.test(column) ? `f${anonymous++}_` : column));
}

/** Renames the placeholders that reached the result f0_, f1_, … in column order, as BigQuery does. */
export function nameAnonymousColumns(rows: WarehouseRow[]): WarehouseRow[] {
  const columns = Object.keys(rows[0] ?? {});
  if (!columns.some((column) => placeholderName.test(column))) return rows;
  const names = bigQueryColumnNames(columns);
  return rows.map((row) => Object.fromEntries(columns.map((column, index) => [names[index]!, row[column]])));
}
