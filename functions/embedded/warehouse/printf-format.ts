import { BigQueryTranslationError } from '../../bigquery-sql/bigquery-tokens.ts';

/**
 * BigQuery's FORMAT(format, args...) → DuckDB's printf. Both follow C's printf for the common
 * specifiers, but DuckDB's refuses an INT64 for %f (BigQuery coerces it), knows no %t, and
 * BigQuery's %t prints NULL as "NULL" where every other specifier makes the whole result NULL.
 * Supported exactly: flags `-+ #0`, a width, a precision, and %d %i %o %x %X %f %F %e %E %g %G %s
 * %t %%; the rest (`%'d` grouping, `*` widths, %T, %p, %P) is refused by name.
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/string_functions#format_string
 */
const specifier = /^%([-+ #0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])/;
const floatTypes = new Set(['f', 'F', 'e', 'E', 'g', 'G']);
const passTypes = new Set(['d', 'i', 'o', 'x', 'X', 's']);

/** `%t`: the value as CAST(x AS STRING) writes it, for the types where DuckDB's text is the same. */
function asText(arg: string): string {
  return (
    `(CASE WHEN typeof(${arg}) IN ('VARCHAR', 'BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT', 'BOOLEAN', 'DATE', '"NULL"') ` +
    `THEN coalesce(CAST(${arg} AS VARCHAR), 'NULL') ELSE error('FORMAT: %t of a ' || typeof(${arg}) || ' is not supported') END)`
  );
}

export function formatPrintf(format: string, args: readonly string[]): string {
  let duckFormat = '';
  const duckArgs: string[] = [];
  let next = 0;
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') {
      duckFormat += format[i];
      continue;
    }
    const match = specifier.exec(format.slice(i));
    const written = match?.[0] ?? /^%[^a-zA-Z%]*[a-zA-Z%]?/.exec(format.slice(i))![0];
    const type = match?.[4];
    if (!match || !type || (!floatTypes.has(type) && !passTypes.has(type) && type !== 't' && type !== '%')) {
      throw new BigQueryTranslationError(`FORMAT: specifier "${written}" is not supported`);
    }
    i += written.length - 1;
    if (type === '%') {
      duckFormat += '%%';
      continue;
    }
    const arg = args[next++];
    if (arg === undefined) throw new BigQueryTranslationError(`FORMAT: "${written}" has no argument`);
    if (type === 't') {
      duckFormat += `%${match[1]}${match[2]}${match[3] === undefined ? '' : `.${match[3]}`}s`;
      duckArgs.push(asText(arg));
    } else {
      duckFormat += written;
      duckArgs.push(floatTypes.has(type) ? `CAST(${arg} AS DOUBLE)` : arg);
    }
  }
  if (next !== args.length) throw new BigQueryTranslationError(`FORMAT: ${args.length - next} argument(s) more than the format uses`);
  return `printf(${[`'${duckFormat.replaceAll("'", "''")}'`, ...duckArgs].join(', ')})`;
}
