/**
 * A failed query's message for the analyst, about the SQL they wrote. DuckDB quotes the statement
 * it ran ("LINE 1: SELECT … ^") — the translation, which the analyst never wrote and which would
 * send them looking for text that is not in their file — so those lines are dropped. When the
 * message names a place in the analyst's SQL (the translator's "line N, column M", BigQuery's
 * "at [N:M]"), that line is quoted under it with a caret at the column.
 */
export function describeQueryError(message: string, sql: string, source?: string): string {
  const lines = message.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (/^LINE \d+:/.test(lines[i]!)) {
      if (/^\s*\^\s*$/.test(lines[i + 1] ?? '')) i++;
      continue;
    }
    kept.push(lines[i]!);
  }
  const text = kept.join('\n').trimEnd();
  const place = findPlace(text);
  const sqlLines = sql.split(/\r\n|\r|\n/);
  if (place === null || place.line < 1 || place.line > sqlLines.length) return text;
  const gutter = `${source ? `${source}:` : ''}${place.line} | `;
  const quoted = `${gutter}${sqlLines[place.line - 1]!.replace(/\t/g, ' ')}`;
  if (place.column === null || place.column < 1) return `${text}\n  ${quoted}`;
  return `${text}\n  ${quoted}\n  ${' '.repeat(gutter.length + place.column - 1)}^`;
}

function findPlace(message: string): { line: number; column: number | null } | null {
  const translator = /\bline (\d+)(?:, column (\d+))?/i.exec(message);
  if (translator) return { line: Number(translator[1]), column: translator[2] === undefined ? null : Number(translator[2]) };
  const bigQuery = /\bat \[(\d+):(\d+)\]/.exec(message);
  if (bigQuery) return { line: Number(bigQuery[1]), column: Number(bigQuery[2]) };
  return null;
}

/** What an untyped `--param` value looks like it was meant to be, and the word for it. */
const meantTypes: [RegExp, string, string][] = [
  [/^[+-]?\d+$/, 'INT64', 'a number'],
  [/^[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?\d+[eE][+-]?\d+$/, 'FLOAT64', 'a number'],
  [/^\d{4}-\d{2}-\d{2}$/, 'DATE', 'a date'],
  [/^(true|false)$/i, 'BOOL', 'a boolean'],
];

/**
 * `--param n=3` binds a STRING, as `bq query --parameter` does, so `@n + 1` fails in DuckDB's
 * binder about STRING_LITERAL / VARCHAR. When a query fails so, each untyped `--param` whose value
 * reads as another type gets a hint naming the typed spelling. Empty when none applies.
 */
export function stringParamHints(message: string, specs: readonly string[]): string {
  if (!/Binder Error/i.test(message) || !/\b(STRING_LITERAL|VARCHAR)\b/.test(message)) return '';
  const hints: string[] = [];
  for (const spec of specs) {
    const equals = spec.indexOf('=');
    const name = spec.slice(0, equals);
    if (equals < 1 || name.includes(':')) continue;
    const value = spec.slice(equals + 1);
    const meant = meantTypes.find(([pattern]) => pattern.test(value));
    if (meant) hints.push(`@${name} is a STRING; give --param ${name}:${meant[1]}=${value} for ${meant[2]}`);
  }
  return hints.map((hint) => `\n  hint: ${hint}`).join('');
}
