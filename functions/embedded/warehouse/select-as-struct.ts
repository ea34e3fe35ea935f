/**
 * `ARRAY(SELECT AS STRUCT a, b AS c FROM ...)`: an array of structs, one per row, the way
 * analysts nest line items or touches into one row. DuckDB has no SELECT AS STRUCT, so the list
 * becomes one `struct_pack(a := a, c := b)` column, and DuckDB's ARRAY(subquery) makes the list.
 * Each field needs a name (an alias or a column path): BigQuery allows anonymous fields, which
 * struct_pack cannot express, so those are refused, as is `*`. Only the form directly inside
 * ARRAY(...) is translated; elsewhere (a value table in FROM, a scalar subquery) it is refused.
 */
import { BigQueryTranslationError, isKeyword, isOp, nextSignificant, previousSignificant, type Token } from '../../bigquery-sql/bigquery-tokens.ts';
import { fieldNameOf, selectItems } from './select-list-names.ts';

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Whether `tokens[selectAt]` (SELECT) starts `SELECT AS STRUCT` directly inside `ARRAY(`. */
export function isArrayOfStructs(tokens: readonly Token[], selectAt: number): boolean {
  const open = previousSignificant(tokens, selectAt);
  return isOp(tokens[open], '(') && isKeyword(tokens[previousSignificant(tokens, open)], 'ARRAY');
}

/** Translates `SELECT AS STRUCT <list>` at `selectAt`; returns the text and the list's last token. */
export function translateSelectAsStruct(tokens: readonly Token[], selectAt: number, translate: (part: readonly Token[]) => string): { text: string; end: number } {
  const structAt = nextSignificant(tokens, nextSignificant(tokens, selectAt + 1) + 1);
  const items = selectItems(tokens, structAt);
  const fields = items.map((item) => {
    const sig = item.map((index) => tokens[index]!);
    const named = fieldNameOf(sig);
    if (!named) throw new BigQueryTranslationError('SELECT AS STRUCT: give every field a name (expr AS name) here', sig[0]);
    return `${quoteIdent(named.name)} := ${translate(tokens.slice(item[0]!, item[named.exprEnd]! + 1))}`;
  });
  return { text: `SELECT struct_pack(${fields.join(', ')})`, end: items.at(-1)!.at(-1)! };
}
