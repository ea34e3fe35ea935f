import { BigQueryTranslationError, isOp, isSignificant, type Token } from '../../bigquery-sql/bigquery-tokens.ts';

/**
 * BigQuery's date parts, read from the tokens an analyst wrote (`DAY`, `WEEK`, `WEEK(MONDAY)`,
 * `ISOWEEK`, ...). Weeks are the trap: BigQuery's `WEEK` starts on Sunday and `WEEK(<weekday>)` on
 * the day named, while DuckDB's 'week' is ISO (Monday) everywhere — in date_trunc, date_part and
 * date_diff. So every week-like part carries the weekday it starts on, and is computed from a
 * Monday-based DuckDB week shifted by that many days, never passed through as 'week'.
 * https://cloud.google.com/bigquery/docs/reference/standard-sql/date_functions#date_trunc
 */
export type DatePart =
  | { kind: 'plain'; name: string; duckdb: string }
  /** `startsOn`: 0 = Sunday … 6 = Saturday. `iso`: ISOWEEK (Monday, numbered by ISO 8601). */
  | { kind: 'week'; name: string; startsOn: number; iso: boolean };

const plainParts: Record<string, string> = {
  MICROSECOND: 'microsecond', MILLISECOND: 'millisecond', SECOND: 'second', MINUTE: 'minute', HOUR: 'hour',
  DAY: 'day', MONTH: 'month', QUARTER: 'quarter', YEAR: 'year', ISOYEAR: 'isoyear', DAYOFWEEK: 'dow', DAYOFYEAR: 'doy',
};

const weekdays = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

/** Reads a date part; anything else is refused, naming what was written. */
export function readDatePart(functionName: string, raw: readonly Token[]): DatePart {
  const tokens = raw.filter(isSignificant);
  const written = tokens.map((token) => token.text).join('');
  const refuse = () => new BigQueryTranslationError(`${functionName}: unsupported date part "${written}"`);
  const word = tokens[0]?.kind === 'ident' ? tokens[0].value.toUpperCase() : '';
  if (tokens.length === 1 && plainParts[word]) return { kind: 'plain', name: word, duckdb: plainParts[word] };
  if (tokens.length === 1 && word === 'WEEK') return { kind: 'week', name: 'WEEK', startsOn: 0, iso: false };
  if (tokens.length === 1 && word === 'ISOWEEK') return { kind: 'week', name: 'ISOWEEK', startsOn: 1, iso: true };
  const day = tokens[2]?.kind === 'ident' ? weekdays.indexOf(tokens[2].value.toUpperCase()) : -1;
  if (word === 'WEEK' && tokens.length === 4 && isOp(tokens[1], '(') && day >= 0 && isOp(tokens[3], ')')) {
    return { kind: 'week', name: `WEEK(${weekdays[day]})`, startsOn: day, iso: false };
  }
  throw refuse();
}

/**
 * Days to add so that the week's first day lands on a Monday, where DuckDB's ISO week starts:
 * Sunday-weeks shift by 1, Saturday-weeks by 2, Tuesday-weeks by 6.
 */
function shiftToMonday(startsOn: number): number {
  return (8 - startsOn) % 7;
}

/** The first instant of the week holding `value` (DATE, TIMESTAMP or TIMESTAMPTZ expression). */
export function truncateToWeek(value: string, startsOn: number): string {
  const shift = shiftToMonday(startsOn);
  if (shift === 0) return `date_trunc('week', ${value})`;
  return `(date_trunc('week', (${value}) + INTERVAL ${shift} DAY) - INTERVAL ${shift} DAY)`;
}

/**
 * EXTRACT(WEEK[(<weekday>)] FROM x): weeks numbered from 0, where days before the year's first
 * <weekday> are week 0 (strftime's %U for Sunday, %W for Monday). Counting the <weekday>s on or
 * before the day within its year gives the same number for any start day.
 */
export function weekOfYear(value: string, startsOn: number): string {
  return `((dayofyear(${value}) + 6 - ((dayofweek(${value}) - ${startsOn} + 7) % 7)) // 7)`;
}

/** DATE_DIFF / DATETIME_DIFF with a week part: week starts crossed from `start` to `end`. */
export function weeksBetween(end: string, start: string, startsOn: number): string {
  return `(date_diff('day', ${truncateToWeek(start, startsOn)}, ${truncateToWeek(end, startsOn)}) // 7)`;
}
