/**
 * BigQuery constructs the embedded warehouse does not run, refused by name and position (line,
 * column of the analyst's SQL) before DuckDB sees them: DuckDB would reject some with a message
 * about SQL the analyst never wrote, and run others with another meaning.
 */
import { BigQueryTranslationError, isKeyword, isOp, isSignificant, nextSignificant, previousSignificant, type Token } from '../../bigquery-sql/bigquery-tokens.ts';

const scriptingWords = new Set(['DECLARE', 'SET', 'BEGIN', 'IF', 'LOOP', 'WHILE', 'REPEAT', 'FOR', 'EXECUTE', 'CALL', 'RAISE', 'RETURN', 'BREAK', 'LEAVE', 'CONTINUE', 'ITERATE', 'EXCEPTION']);
const unsupportedStatements: Record<string, string> = {
  MERGE: 'MERGE statements are not supported',
  EXPORT: 'EXPORT DATA is not supported',
  LOAD: 'LOAD DATA is not supported',
  ASSERT: 'ASSERT statements are not supported',
  GRANT: 'GRANT is not supported',
  REVOKE: 'REVOKE is not supported',
};
/** What may follow CREATE [OR REPLACE] [TEMP] and is not a table or a view. */
const unsupportedCreates: Record<string, string> = {
  FUNCTION: 'user-defined functions (CREATE FUNCTION) are not supported',
  AGGREGATE: 'user-defined aggregate functions are not supported',
  PROCEDURE: 'procedures are not supported',
  MODEL: 'BigQuery ML models are not supported',
  TABLE_FUNCTION: 'table functions are not supported',
  MATERIALIZED: 'materialized views are not supported',
  SNAPSHOT: 'table snapshots are not supported',
  EXTERNAL: 'external tables are not supported',
  SEARCH: 'search indexes are not supported',
  VECTOR: 'vector indexes are not supported',
  ROW: 'row access policies are not supported',
};

/** Refuses a whole statement by its first words (scripting, MERGE, UDFs, models, ...). */
export function refuseStatement(tokens: readonly Token[]): void {
  const sig = tokens.filter(isSignificant).slice(0, 6);
  const words = sig.map((token) => token.value.toUpperCase());
  const first = words[0] ?? '';
  if (scriptingWords.has(first) && words[1] !== 'TRANSACTION') throw new BigQueryTranslationError(`BigQuery scripting (${first}) is not supported`, sig[0]);
  if (unsupportedStatements[first]) throw new BigQueryTranslationError(unsupportedStatements[first], sig[0]);
  if (first !== 'CREATE') return;
  const kindAt = words.findIndex((word, index) => index > 0 && !['OR', 'REPLACE', 'TEMP', 'TEMPORARY'].includes(word));
  const kind = words[kindAt] === 'TABLE' && words[kindAt + 1] === 'FUNCTION' ? 'TABLE_FUNCTION' : (words[kindAt] ?? '');
  if (unsupportedCreates[kind]) throw new BigQueryTranslationError(unsupportedCreates[kind], sig[kindAt]);
}

/** Function families behind a `name.` prefix that have no DuckDB counterpart. */
const namespaces = new Set(['ML', 'AI', 'NET', 'KEYS', 'AEAD', 'DETERMINISTIC_ENCRYPT', 'HLL_COUNT', 'KLL_QUANTILES', 'S2', 'OBJ', 'VECTOR_SEARCH']);

/**
 * Refuses a construct that starts at the identifier `tokens[i]`, if it is one the translator
 * does not run: FOR SYSTEM_TIME AS OF, TABLESAMPLE, PIVOT / UNPIVOT, SELECT AS STRUCT / VALUE,
 * `namespace.FN(...)` calls (ML., NET., ... and persistent UDFs `dataset.fn(...)`), geography.
 */
export function refuseConstructAt(tokens: readonly Token[], i: number): void {
  const token = tokens[i]!;
  const word = token.value.toUpperCase();
  const afterIndex = nextSignificant(tokens, i + 1);
  const after = tokens[afterIndex];
  const before = tokens[previousSignificant(tokens, i)];
  const refuse = (message: string): never => {
    throw new BigQueryTranslationError(message, token);
  };
  if (word === 'FOR' && isKeyword(after, 'SYSTEM_TIME', 'SYSTEM')) refuse('FOR SYSTEM_TIME AS OF (time travel) is not supported: the embedded warehouse keeps no history of a table');
  if (word === 'TABLESAMPLE') refuse('TABLESAMPLE is not supported (DuckDB samples differently, so the rows would not be BigQuery\'s)');
  if ((word === 'PIVOT' || word === 'UNPIVOT') && isOp(after, '(')) refuse(`${word} is not supported; write it with GROUP BY and COUNTIF / SUM(IF(...))`);
  if (word === 'AS' && isKeyword(before, 'SELECT', 'DISTINCT', 'ALL') && isKeyword(after, 'STRUCT', 'VALUE')) {
    refuse(`SELECT AS ${after!.value.toUpperCase()} is not supported${after!.value.toUpperCase() === 'STRUCT' ? ' here (only directly inside ARRAY(...))' : ''}`);
  }
  if (isOp(after, '.') && !isOp(before, '.') && word !== 'SAFE') {
    const fnIndex = nextSignificant(tokens, afterIndex + 1);
    const callOpen = nextSignificant(tokens, fnIndex + 1);
    if (tokens[fnIndex]?.kind === 'ident' && isOp(tokens[callOpen], '(') && !isOp(tokens[nextSignificant(tokens, callOpen + 1)], '*')) {
      if (namespaces.has(word)) refuse(`${token.value}.${tokens[fnIndex]!.value}: ${word === 'ML' || word === 'AI' ? 'BigQuery ML functions' : `${token.value}. functions`} are not supported`);
      refuse(`${token.value}.${tokens[fnIndex]!.value}(...): user-defined functions are not supported`);
    }
  }
  if (/^ST_[A-Z]/.test(word) && isOp(after, '(')) refuse(`${token.value}: geography functions are not supported`);
}
