/**
 * DuckDB's errors about a translated query, told in terms of the analyst's SQL. DuckDB quotes the
 * SQL it ran ("LINE 1: <translation>" and a caret under it); that text is not what the analyst
 * wrote, and its line and column point into the translation, so both are dropped rather than
 * mislead. The placeholder aliases of anonymous columns (select-list-names.ts) are named for what
 * they are. What DuckDB says about the problem itself (a missing column, a type mismatch) stays.
 */
const quotedTranslation = /\n+LINE \d+:[^\n]*(\n[ \t]*\^[^\n]*)?/g;
const placeholder = /"?_bq_anonymous_\d+"?/g;

export function describeDuckDbError(error: unknown, statement: { index: number; count: number }): Error {
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw.replace(quotedTranslation, '').replace(placeholder, '(an unnamed column)').trimEnd();
  const where = statement.count > 1 ? ` (statement ${statement.index + 1} of ${statement.count})` : '';
  return new Error(`${message}${where}`, { cause: error });
}
