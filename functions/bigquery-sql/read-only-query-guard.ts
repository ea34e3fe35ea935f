import { BigQueryTranslationError, isDistinctFrom, isOp, isSignificant, tokenize, type Token } from './bigquery-tokens.ts';

/**
 * The admin query endpoint answers analysts' SELECTs, nothing else: DuckDB would also run
 * `read_text('/etc/passwd')`, `COPY … TO`, `DELETE`, `ATTACH`, `INSTALL`, or read any file named
 * as a table. Checked on tokens (never raw text), so words inside string literals and comments
 * are fine. Returns why a query is refused, naming the construct, or null when it may run; the
 * callers put it in context ("nudge query is read-only: DELETE is not allowed").
 */
export function findForbiddenConstruct(sql: string): string | null {
  let tokens: Token[];
  try {
    tokens = tokenize(sql).filter(isSignificant);
  } catch (error) {
    if (error instanceof BigQueryTranslationError) return error.message;
    throw error;
  }
  const semicolon = tokens.findIndex((token) => token.kind === 'op' && token.text === ';');
  // `SELECT 1;;`: empty statements after the first are nothing to run.
  if (semicolon >= 0 && tokens.slice(semicolon).some((token) => !(token.kind === 'op' && token.text === ';'))) {
    return 'Only one statement may run: found a second one after ";"';
  }
  const statement = semicolon >= 0 ? tokens.slice(0, semicolon) : tokens;
  // `(SELECT 1 AS a) UNION ALL (SELECT 2)`: a query may start with parentheses.
  const first = statement.find((token) => !(token.kind === 'op' && token.text === '('));
  if (first?.kind === 'ident' && statementWords.has(first.value.toUpperCase())) return `${first.value.toUpperCase()} is not allowed`;
  if (!first || first.kind !== 'ident' || !['SELECT', 'WITH'].includes(first.value.toUpperCase())) {
    return `only a SELECT (or WITH … SELECT) may run, not ${first ? first.text : 'an empty statement'}`;
  }
  // Each parenthesis level knows whether it is in a FROM clause; a FROM item starts after FROM or
  // JOIN, after a comma of that clause, and inside a parenthesis that opens at such a start.
  const levels: { inFrom: boolean; extract?: boolean }[] = [{ inFrom: false }];
  let itemStart = false;
  for (let i = 0; i < statement.length; i++) {
    const token = statement[i]!;
    const level = levels.at(-1)!;
    const startsItem: boolean = itemStart;
    itemStart = false;
    const isCall = statement[i + 1]?.kind === 'op' && statement[i + 1]?.text === '(';
    if (token.kind === 'ident' && !isCall && statementWords.has(token.value.toUpperCase())) return `${token.value.toUpperCase()} is not allowed`;
    if (isCall && (token.kind === 'ident' || token.kind === 'quoted')) {
      // A backtick-quoted name is the same function to DuckDB: `read_text`(…), nudge.`query`(…), `nudge.glob`(…).
      const name = token.kind === 'quoted' ? token.value.split('.').at(-1)!.trim() : token.value;
      const shown = token.kind === 'quoted' ? token.text : token.value;
      if (fileFunction.test(name)) return `${shown}() is not allowed: it reads files or settings outside the warehouse tables`;
      if (startsItem && name.toUpperCase() !== 'UNNEST') return `Table function ${shown}() is not allowed: query the warehouse tables`;
    }
    if (token.kind === 'ident') {
      const word = token.value.toUpperCase();
      // `x IS [NOT] DISTINCT FROM y` and `EXTRACT(part FROM x)`: a value follows, not a table.
      const tableFrom = word === 'FROM' && !level.extract && !isDistinctFrom(statement[i - 1], statement[i - 2]);
      if (tableFrom || word === 'JOIN') {
        level.inFrom = true;
        itemStart = true;
      } else if (fromEnds.has(word)) level.inFrom = false;
      else if (startsItem && word === 'LATERAL') itemStart = true;
    }
    // `FROM nudge.f(…)`, `` FROM nudge.`f`(…) ``: the item starts with the whole dotted path.
    if (startsItem && (token.kind === 'ident' || token.kind === 'quoted') && isOp(statement[i + 1], '.')) itemStart = true;
    if (startsItem && isOp(token, '.')) itemStart = true;
    if (startsItem && token.kind === 'string') return `FROM '${token.value}' is not allowed: it would read a file; query the warehouse tables`;
    if (startsItem && token.kind === 'quoted' && looksLikeFile.test(token.value)) {
      return `FROM \`${token.value}\` is not allowed: it names a file; query the warehouse tables`;
    }
    if (token.kind === 'op' && (token.text === '(' || token.text === '[')) {
      // EXTRACT(part FROM value): that FROM reads a value, not a table.
      const opener = statement[i - 1];
      levels.push({ inFrom: startsItem, extract: opener?.kind === 'ident' && opener.value.toUpperCase() === 'EXTRACT' });
      itemStart = startsItem;
    } else if (token.kind === 'op' && (token.text === ')' || token.text === ']')) {
      if (levels.length > 1) levels.pop();
    } else if (token.kind === 'op' && token.text === ',' && level.inFrom) itemStart = true;
  }
  return null;
}

/** Words that end a FROM clause at their parenthesis level. */
const fromEnds = new Set(['SELECT', 'WHERE', 'GROUP', 'HAVING', 'QUALIFY', 'WINDOW', 'ORDER', 'LIMIT', 'UNION', 'INTERSECT', 'EXCEPT']);

/** Statements and clauses that change data, settings or the database (as bare words). */
const statementWords = new Set([
  'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'UPSERT', 'CREATE', 'DROP', 'ALTER', 'TRUNCATE', 'COPY', 'ATTACH', 'DETACH',
  'INSTALL', 'LOAD', 'PRAGMA', 'SET', 'RESET', 'CALL', 'EXPORT', 'IMPORT', 'VACUUM', 'CHECKPOINT', 'USE', 'GRANT',
  'REVOKE', 'EXECUTE', 'PREPARE', 'DEALLOCATE', 'DECLARE', 'BEGIN', 'COMMIT', 'ROLLBACK', 'ABORT', 'RETURNING',
]);

/** Functions that read files, other databases or the environment. */
const fileFunction = /^(?:read_\w*|glob|\w+_scan|scan_\w+|query|query_table|sniff_csv|parquet_\w+|iceberg_\w+|delta_\w+|sqlite_\w+|postgres_\w+|mysql_\w+|getenv|current_setting|load_\w+|json_execute_serialized_sql|duckdb_\w+|pragma_\w+|which_secret|read)$/i;

/** A name DuckDB would resolve to a file (replacement scans) rather than a table. */
const looksLikeFile = /[/\\:~]|\.(?:csv|tsv|txt|parquet|json|jsonl|ndjson|gz|zst|xlsx|db|duckdb|sqlite|arrow)$/i;
