/**
 * DuckDB's errors about a translated query, told in terms of the analyst's SQL. DuckDB quotes the
 * SQL it ran ("LINE 1: <translation>" and a caret under it); that text is not what the analyst
 * wrote, and its line and column point into the translation, so both are dropped rather than
 * mislead. The placeholder aliases of anonymous columns (select-list-names.ts) are named for what
 * they are. What DuckDB says about the problem itself (a missing column, a type mismatch) stays.
 */
import { describePosition, isOp, isSignificant, tokenize } from '../../bigquery-sql/bigquery-tokens.ts';

/** DuckDB's error for a function it does not have (its "Did you mean" names a DuckDB function). */
const unknownFunction = /(?:Scalar|Aggregate|Table) Function with name "?([\w.]+)"? does not exist/i;

/**
 * A function neither the translator nor DuckDB knows: named as the analyst wrote it, with the line
 * and column of its first call in their SQL, and without DuckDB's suggestion (a DuckDB name, which
 * BigQuery may not have).
 */
function describeUnknownFunction(name: string, sql: string | undefined): string {
  const tokens = sql === undefined ? [] : tokenize(sql).filter(isSignificant);
  const call = tokens.find((token, i) => token.kind === 'ident' && token.value.toLowerCase() === name.toLowerCase() && isOp(tokens[i + 1], '('));
  const where = call ? ` at ${describePosition(call)}` : '';
  return `Function ${call?.value ?? name}() is not supported by the embedded warehouse (not a BigQuery function, or one it does not translate)${where}`;
}

const quotedTranslation = /\n+LINE \d+:[^\n]*(\n[ \t]*\^[^\n]*)?/g;
const placeholder = /"?_bq_anonymous_\d+"?/g;

export function describeDuckDbError(error: unknown, statement: { index: number; count: number }, sql?: string): Error {
  const raw = error instanceof Error ? error.message : String(error);
  const unknown = unknownFunction.exec(raw);
  const message = unknown ? describeUnknownFunction(unknown[1]!, sql) : raw.replace(quotedTranslation, '').replace(placeholder, '(an unnamed column)').trimEnd();
  const where = statement.count > 1 ? ` (statement ${statement.index + 1} of ${statement.count})` : '';
  return new Error(`${message}${where}`, { cause: error });
}
