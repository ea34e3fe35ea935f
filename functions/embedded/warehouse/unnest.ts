/**
 * `UNNEST(arr) AS x WITH OFFSET [AS] o`: BigQuery numbers the elements from 0 in `o` (default
 * name `offset`). DuckDB's WITH ORDINALITY numbers from 1, so the pair comes from a subquery that
 * shifts it; DuckDB joins such a subquery laterally, so `arr` may be a column of an earlier table.
 */
import { BigQueryTranslationError, isKeyword, nextSignificant, type Token } from '../../bigquery-sql/bigquery-tokens.ts';

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * `withAt` is the index of WITH (known to be followed by OFFSET). Returns the FROM item and the
 * index of its last token.
 */
export function translateUnnestWithOffset(call: string, element: string | undefined, tokens: readonly Token[], withAt: number): { text: string; end: number } {
  const offsetAt = nextSignificant(tokens, withAt + 1);
  if (!element) throw new BigQueryTranslationError('UNNEST(...) WITH OFFSET needs an alias for the element here: UNNEST(arr) AS x WITH OFFSET AS o', tokens[withAt]);
  let end = offsetAt;
  let name = 'offset';
  let at = nextSignificant(tokens, offsetAt + 1);
  if (isKeyword(tokens[at], 'AS')) at = nextSignificant(tokens, at + 1);
  const alias = tokens[at];
  const afterFromItem = ['ON', 'USING', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'WINDOW', 'ORDER', 'LIMIT', 'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'UNION', 'INTERSECT', 'EXCEPT'];
  if ((alias?.kind === 'ident' && !afterFromItem.includes(alias.value.toUpperCase())) || alias?.kind === 'quoted') {
    name = alias.value;
    end = at;
  }
  const [x, o] = [quoteIdent(element), quoteIdent(name)];
  const text = `(SELECT _bq_unnest.${x} AS ${x}, _bq_unnest.${o} - 1 AS ${o} FROM ${call} WITH ORDINALITY AS _bq_unnest(${x}, ${o})) AS ${quoteIdent(`_unnest_${element}`)}`;
  return { text, end };
}
