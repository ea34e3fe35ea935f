import { BigQueryTranslationError, isSignificant, type Token } from '../../bigquery-sql/bigquery-tokens.ts';

/**
 * How many capturing groups a regular expression (RE2 syntax, BigQuery's and DuckDB's) has.
 * BigQuery's REGEXP_EXTRACT returns the group when there is one and refuses more than one, while
 * DuckDB's returns whatever group number it is told: the translator must know the count. Hand-
 * written because RE2's syntax for groups is small: `\x` escapes, `[...]` classes (where `(` is
 * literal), `(?:...)` and `(?flags)` which do not capture, `(?P<name>...)` / `(?<name>...)` which do.
 */
export function countCapturingGroups(pattern: string): number {
  let groups = 0;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '\\') i += 1;
    else if (inClass) inClass = ch !== ']';
    else if (ch === '[') {
      inClass = true;
      // `[]...]` and `[^]...]` hold a literal `]` first.
      if (pattern[i + 1] === '^') i += 1;
      if (pattern[i + 1] === ']') i += 1;
    } else if (ch === '(') {
      if (pattern[i + 1] !== '?' || pattern.startsWith('?P<', i + 1) || (pattern[i + 2] === '<' && pattern[i + 3] !== '=' && pattern[i + 3] !== '!')) groups += 1;
    }
  }
  return groups;
}

/** The pattern of a regexp function, which must be a literal for its groups to be known. */
export function literalPattern(functionName: string, raw: readonly Token[]): string {
  const tokens = raw.filter(isSignificant);
  if (tokens.length !== 1 || tokens[0]!.kind !== 'string') {
    throw new BigQueryTranslationError(`${functionName}: the regular expression must be a string literal here (its capturing groups decide the answer)`);
  }
  return tokens[0]!.value;
}
