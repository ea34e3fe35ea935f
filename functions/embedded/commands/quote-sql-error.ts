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
