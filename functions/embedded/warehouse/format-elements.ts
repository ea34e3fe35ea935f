import { BigQueryTranslationError } from '../../bigquery-sql/bigquery-tokens.ts';

/**
 * FORMAT_TIMESTAMP / FORMAT_DATETIME / FORMAT_DATE → DuckDB, element by element. DuckDB's strftime
 * shares most elements but not all of them, and some share a letter with another meaning (%c is
 * ISO there, %g milliseconds, %x the ISO date, %z "+00"), so nothing passes through unlisted: each
 * BigQuery element is either a strftime spelling with the same output, an SQL expression, or
 * refused by name. https://cloud.google.com/bigquery/docs/reference/standard-sql/format-elements
 */
export type FormatTarget = 'DATE' | 'DATETIME' | 'TIMESTAMP';

type Rendering = { strftime: string } | { sql: (value: string) => string };
type Element = Rendering & { hasTime?: true; needsUtc?: true };

const padded = (expression: string, width: number, fill: ' ' | '0') => `lpad(CAST(${expression} AS VARCHAR), ${width}, '${fill}')`;

const elements: Record<string, Element> = {
  '%A': { strftime: '%A' }, '%a': { strftime: '%a' }, '%B': { strftime: '%B' }, '%b': { strftime: '%b' }, '%h': { strftime: '%b' },
  '%d': { strftime: '%d' }, '%j': { strftime: '%j' }, '%m': { strftime: '%m' }, '%U': { strftime: '%U' }, '%W': { strftime: '%W' },
  '%w': { strftime: '%w' }, '%Y': { strftime: '%Y' }, '%y': { strftime: '%y' }, '%G': { strftime: '%G' }, '%V': { strftime: '%V' },
  '%u': { strftime: '%u' }, '%D': { strftime: '%m/%d/%y' }, '%x': { strftime: '%m/%d/%y' }, '%F': { strftime: '%Y-%m-%d' },
  '%n': { strftime: '\n' }, '%t': { strftime: '\t' }, '%%': { strftime: '%%' },
  '%e': { sql: (v) => padded(`day(${v})`, 2, ' ') },
  '%C': { sql: (v) => padded(`year(${v}) // 100`, 2, '0') },
  '%g': { sql: (v) => padded(`isoyear(${v}) % 100`, 2, '0') },
  '%Q': { sql: (v) => `CAST(quarter(${v}) AS VARCHAR)` },
  '%E4Y': { sql: (v) => padded(`year(${v})`, 4, '0') },
  '%H': { strftime: '%H', hasTime: true }, '%I': { strftime: '%I', hasTime: true }, '%M': { strftime: '%M', hasTime: true },
  '%S': { strftime: '%S', hasTime: true }, '%p': { strftime: '%p', hasTime: true }, '%T': { strftime: '%H:%M:%S', hasTime: true },
  '%X': { strftime: '%H:%M:%S', hasTime: true }, '%R': { strftime: '%H:%M', hasTime: true },
  '%E3S': { strftime: '%S.%g', hasTime: true }, '%E6S': { strftime: '%S.%f', hasTime: true },
  '%k': { sql: (v) => padded(`hour(${v})`, 2, ' '), hasTime: true },
  '%l': { sql: (v) => padded(`(hour(${v}) + 11) % 12 + 1`, 2, ' '), hasTime: true },
  '%P': { sql: (v) => `lower(strftime(${v}, '%p'))`, hasTime: true },
  // "Wed Jan 20 21:47:00 2021": the day space-padded, as %e.
  '%c': { sql: (v) => `(strftime(${v}, '%a %b ') || ${padded(`day(${v})`, 2, ' ')} || strftime(${v}, ' %H:%M:%S %Y'))`, hasTime: true },
  // The zone elements and epoch seconds are rendered for UTC only: the embedded warehouse formats
  // a zoned timestamp from its wall-clock time, which has lost the offset and the instant.
  '%Z': { strftime: 'UTC', hasTime: true, needsUtc: true },
  '%z': { strftime: '+0000', hasTime: true, needsUtc: true },
  '%Ez': { strftime: '+00:00', hasTime: true, needsUtc: true },
  '%s': { sql: (v) => `CAST(floor(epoch(${v})) AS VARCHAR)`, hasTime: true, needsUtc: true },
};

/** `%E3S`, `%Ez`, `%E4Y`, `%E*S` … read as one element; otherwise `%` and one character. */
function readElement(format: string, at: number): string {
  if (format[at + 1] !== 'E' && format[at + 1] !== 'O') return format.slice(at, at + 2);
  const match = /^%[EO](\*S|\d+[SY]|z|.?)/.exec(format.slice(at));
  return match![0];
}

/**
 * The DuckDB expression formatting `value` as BigQuery's `format` does. `zone`: 'utc' when the
 * timestamp is formatted in UTC, 'other' with another (or a computed) time zone, 'none' for DATE
 * and DATETIME, which have no zone.
 */
export function formatDateTime(functionName: string, format: string, value: string, target: FormatTarget, zone: 'utc' | 'other' | 'none'): string {
  const parts: string[] = [];
  let pending = '';
  const flush = () => {
    if (pending) parts.push(`strftime(${value}, '${pending.replaceAll("'", "''")}')`);
    pending = '';
  };
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') {
      pending += format[i];
      continue;
    }
    const written = readElement(format, i);
    const element = elements[written];
    if (!element) throw new BigQueryTranslationError(`${functionName}: format element "${written}" is not supported`);
    if (element.hasTime && target === 'DATE') throw new BigQueryTranslationError(`${functionName}: format element "${written}" needs a time, and a DATE has none`);
    if (element.needsUtc && zone !== 'utc') {
      throw new BigQueryTranslationError(`${functionName}: format element "${written}" is supported only for a TIMESTAMP formatted in UTC`);
    }
    if ('strftime' in element) pending += element.strftime;
    else {
      flush();
      parts.push(element.sql(value));
    }
    i += written.length - 1;
  }
  flush();
  if (parts.length === 0) return `CASE WHEN ${value} IS NULL THEN NULL ELSE '' END`;
  return parts.length === 1 ? parts[0]! : `(${parts.join(' || ')})`;
}

/**
 * PARSE_DATE / PARSE_DATETIME / PARSE_TIMESTAMP → DuckDB's strptime, through this one table: the
 * elements strptime reads as BigQuery reads them, in strptime's spelling. Everything else is
 * refused by name — elements strptime lacks (%Q, %C, %G, %V, %U, %W, %u, %w, %Z, %n, %t, %P, %E4Y)
 * and those it reads with another meaning (%c ISO, %x the ISO date, %X, %g milliseconds).
 * Fractions: %E*S, %E6S and %E3S need the point in the text (strptime's %f / %g).
 */
const parseElements: Record<string, string> = {
  '%Y': '%Y', '%y': '%y', '%m': '%m', '%d': '%d', '%e': '%-d', '%j': '%j', '%b': '%b', '%B': '%B', '%h': '%b', '%a': '%a', '%A': '%A',
  '%H': '%H', '%k': '%-H', '%I': '%I', '%l': '%-I', '%M': '%M', '%S': '%S', '%p': '%p', '%s': '%s', '%z': '%z', '%Ez': '%z',
  '%F': '%Y-%m-%d', '%D': '%m/%d/%y', '%T': '%H:%M:%S', '%R': '%H:%M',
  '%E*S': '%S.%f', '%E6S': '%S.%f', '%E3S': '%S.%g', '%%': '%%',
};

/** The strptime format reading text as BigQuery's `format` does, or a refusal naming the element. */
export function parseFormat(functionName: string, format: string, target: FormatTarget): string {
  let out = '';
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') {
      out += format[i];
      continue;
    }
    const written = readElement(format, i);
    const spelled = parseElements[written];
    if (spelled === undefined) throw new BigQueryTranslationError(`${functionName}: format element "${written}" is not supported`);
    if (target === 'DATE' && elements[written]?.hasTime) throw new BigQueryTranslationError(`${functionName}: format element "${written}" needs a time, and a DATE has none`);
    out += spelled;
    i += written.length - 1;
  }
  return `'${out.replaceAll("'", "''")}'`;
}
