import type { BigQueryCase } from './bigquery-case.ts';

const dateFunctions = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/date_functions';
const datetimeFunctions = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/datetime_functions';
const timestampFunctions = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/timestamp_functions';

/** Date and time answers BigQuery documents (weeks, boundaries, formats). */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'DATE_DIFF in DAY counts the days between two dates',
    sql: "SELECT DATE_DIFF(DATE '2010-07-07', DATE '2008-12-25', DAY) AS days_diff",
    expected: { rows: [{ days_diff: 559 }] },
    documented: `${dateFunctions}#date_diff (example: 559)`,
  },
  {
    name: 'DATE_DIFF in WEEK counts Sunday boundaries: Saturday to Sunday is one week',
    sql: "SELECT DATE_DIFF(DATE '2017-10-15', DATE '2017-10-14', DAY) AS days_diff, DATE_DIFF(DATE '2017-10-15', DATE '2017-10-14', WEEK) AS weeks_diff",
    expected: { rows: [{ days_diff: 1, weeks_diff: 1 }] },
    documented: `${dateFunctions}#date_diff (example: 1 day, 1 week, "each WEEK starts on Sunday")`,
  },
  {
    name: 'DATE_DIFF in YEAR counts calendar years, ISOYEAR ISO years',
    sql: "SELECT DATE_DIFF(DATE '2017-12-30', DATE '2014-12-30', YEAR) AS year_diff, DATE_DIFF(DATE '2017-12-30', DATE '2014-12-30', ISOYEAR) AS isoyear_diff",
    expected: { rows: [{ year_diff: 3, isoyear_diff: 2 }] },
    documented: `${dateFunctions}#date_diff (example: 3 and 2, ISO year 2015 starts 2014-12-29)`,
  },
  {
    name: 'DATE_DIFF from Sunday to Monday: 0 WEEK, 1 WEEK(MONDAY), 1 ISOWEEK',
    sql:
      "SELECT DATE_DIFF(DATE '2017-12-18', DATE '2017-12-17', WEEK) AS week_diff, DATE_DIFF(DATE '2017-12-18', DATE '2017-12-17', WEEK(MONDAY)) AS week_weekday_diff, " +
      "DATE_DIFF(DATE '2017-12-18', DATE '2017-12-17', ISOWEEK) AS isoweek_diff",
    expected: { rows: [{ week_diff: 0, week_weekday_diff: 1, isoweek_diff: 1 }] },
    documented: `${dateFunctions}#date_diff (example: 0, 1, 1)`,
  },
  {
    name: 'DATE_DIFF in WEEK backwards and across several weeks (boundaries, not days / 7)',
    sql:
      "SELECT DATE_DIFF(DATE '2017-10-14', DATE '2017-10-15', WEEK) AS back, DATE_DIFF(DATE '2017-11-05', DATE '2017-10-14', WEEK) AS forward, " +
      "DATE_DIFF(DATE '2017-11-04', DATE '2017-10-15', WEEK(SATURDAY)) AS saturdays",
    // Sundays after 2017-10-14 up to 2017-11-05: 10-15, 10-22, 10-29, 11-05. Saturdays after
    // 2017-10-15 up to 2017-11-04: 10-21, 10-28, 11-04.
    expected: { rows: [{ back: -1, forward: 4, saturdays: 3 }] },
    documented: `${dateFunctions}#date_diff ("the number of part boundaries between the two dates"; WEEK(<WEEKDAY>) weeks begin on WEEKDAY)`,
  },
  {
    name: 'DATE_DIFF in MONTH and QUARTER counts boundaries: one day apart can be one month',
    sql: "SELECT DATE_DIFF(DATE '2026-02-01', DATE '2026-01-31', MONTH) AS months, DATE_DIFF(DATE '2026-04-01', DATE '2026-03-31', QUARTER) AS quarters",
    expected: { rows: [{ months: 1, quarters: 1 }] },
    documented: `${dateFunctions}#date_diff ("the number of part boundaries between the two dates")`,
  },
  {
    name: 'DATETIME_DIFF counts boundaries, weeks Sunday-based',
    sql:
      "SELECT DATETIME_DIFF(DATETIME '2010-07-07 10:20:00', DATETIME '2008-12-25 15:30:00', DAY) AS days, " +
      "DATETIME_DIFF(DATETIME '2017-10-15 00:00:00', DATETIME '2017-10-14 00:00:00', WEEK) AS weeks, " +
      "DATETIME_DIFF(DATETIME '2017-12-18 00:00:00', DATETIME '2017-12-17 00:00:00', WEEK) AS week_diff, " +
      "DATETIME_DIFF(DATETIME '2017-12-18 00:00:00', DATETIME '2017-12-17 00:00:00', WEEK(MONDAY)) AS week_weekday_diff, " +
      "DATETIME_DIFF(DATETIME '2017-12-18 00:00:00', DATETIME '2017-12-17 00:00:00', ISOWEEK) AS isoweek_diff",
    expected: { rows: [{ days: 559, weeks: 1, week_diff: 0, week_weekday_diff: 1, isoweek_diff: 1 }] },
    documented: `${datetimeFunctions}#datetime_diff (examples: 559, 1; 0, 1, 1)`,
  },
  {
    name: 'TIMESTAMP_DIFF counts whole intervals, negative when the first is earlier',
    sql:
      "SELECT TIMESTAMP_DIFF(TIMESTAMP '2018-08-14', TIMESTAMP '2018-10-14', DAY) AS negative_diff, " +
      "TIMESTAMP_DIFF(TIMESTAMP '2001-02-01 01:00:00', TIMESTAMP '2001-02-01 00:00:01', HOUR) AS hours",
    expected: { rows: [{ negative_diff: -61, hours: 0 }] },
    documented: `${timestampFunctions}#timestamp_diff (examples: -61, 0)`,
  },
  {
    name: 'DATE_TRUNC to MONTH',
    sql: "SELECT DATE_TRUNC(DATE '2008-12-25', MONTH) AS month",
    expected: { rows: [{ month: '2008-12-01' }] },
    documented: `${dateFunctions}#date_trunc (example: 2008-12-01)`,
  },
  {
    name: 'DATE_TRUNC to WEEK(MONDAY) of a Sunday is the Monday before',
    sql: "SELECT date AS original, DATE_TRUNC(date, WEEK(MONDAY)) AS truncated FROM (SELECT DATE('2017-11-05') AS date)",
    expected: { rows: [{ original: '2017-11-05', truncated: '2017-10-30' }] },
    documented: `${dateFunctions}#date_trunc (example: 2017-11-05 → 2017-10-30)`,
  },
  {
    name: 'DATE_TRUNC to WEEK starts on Sunday; ISOWEEK on Monday; WEEK(SATURDAY) on Saturday',
    sql:
      "SELECT d, DATE_TRUNC(d, WEEK) AS sunday_week, DATE_TRUNC(d, ISOWEEK) AS iso_week, DATE_TRUNC(d, WEEK(SATURDAY)) AS saturday_week " +
      "FROM UNNEST([DATE '2017-11-04', DATE '2017-11-05', DATE '2017-11-08']) AS d ORDER BY d",
    expected: {
      rows: [
        { d: '2017-11-04', sunday_week: '2017-10-29', iso_week: '2017-10-30', saturday_week: '2017-11-04' },
        { d: '2017-11-05', sunday_week: '2017-11-05', iso_week: '2017-10-30', saturday_week: '2017-11-04' },
        { d: '2017-11-08', sunday_week: '2017-11-05', iso_week: '2017-11-06', saturday_week: '2017-11-04' },
      ],
    },
    documented: `${dateFunctions}#date_trunc (WEEK: "begins on Sunday"; WEEK(<WEEKDAY>): begins on WEEKDAY; ISOWEEK: ISO 8601 weeks begin on Monday)`,
  },
  {
    name: 'DATE_TRUNC to ISOYEAR is the Monday of ISO week 1',
    sql: "SELECT DATE_TRUNC(DATE '2015-06-15', ISOYEAR) AS isoyear_boundary, EXTRACT(ISOYEAR FROM DATE '2015-06-15') AS isoyear_number",
    expected: { rows: [{ isoyear_boundary: '2014-12-29', isoyear_number: 2015 }] },
    documented: `${dateFunctions}#date_trunc (example: 2014-12-29, 2015)`,
  },
  {
    name: 'EXTRACT WEEK is Sunday-based from 0 (days before the first Sunday are week 0); ISOWEEK and ISOYEAR are ISO 8601',
    sql:
      'SELECT date, EXTRACT(ISOYEAR FROM date) AS isoyear, EXTRACT(ISOWEEK FROM date) AS isoweek, EXTRACT(YEAR FROM date) AS year, EXTRACT(WEEK FROM date) AS week ' +
      "FROM UNNEST([DATE '2015-12-26', DATE '2015-12-27', DATE '2015-12-28', DATE '2016-01-01', DATE '2016-01-02', DATE '2016-01-03', DATE '2016-01-04']) AS date ORDER BY date",
    expected: {
      rows: [
        { date: '2015-12-26', isoyear: 2015, isoweek: 52, year: 2015, week: 51 },
        { date: '2015-12-27', isoyear: 2015, isoweek: 52, year: 2015, week: 52 },
        { date: '2015-12-28', isoyear: 2015, isoweek: 53, year: 2015, week: 52 },
        { date: '2016-01-01', isoyear: 2015, isoweek: 53, year: 2016, week: 0 },
        { date: '2016-01-02', isoyear: 2015, isoweek: 53, year: 2016, week: 0 },
        { date: '2016-01-03', isoyear: 2015, isoweek: 53, year: 2016, week: 1 },
        { date: '2016-01-04', isoyear: 2016, isoweek: 1, year: 2016, week: 1 },
      ],
    },
    documented: `${dateFunctions}#extract (example over 2015-12-23 … 2016-01-09: ISOYEAR, ISOWEEK, YEAR, WEEK)`,
  },
  {
    name: 'EXTRACT WEEK(SUNDAY) and WEEK(MONDAY)',
    sql: "SELECT date, EXTRACT(WEEK(SUNDAY) FROM date) AS week_sunday, EXTRACT(WEEK(MONDAY) FROM date) AS week_monday FROM (SELECT DATE('2017-11-05') AS date)",
    expected: { rows: [{ date: '2017-11-05', week_sunday: 45, week_monday: 44 }] },
    documented: `${dateFunctions}#extract (example: 45, 44)`,
  },
  {
    name: 'TIMESTAMP_TRUNC to DAY in a time zone',
    sql:
      "SELECT TIMESTAMP_TRUNC(TIMESTAMP '2008-12-25 15:30:00+00', DAY, 'UTC') AS utc, " +
      "TIMESTAMP_TRUNC(TIMESTAMP '2008-12-25 15:30:00+00', DAY, 'America/Los_Angeles') AS la",
    expected: { rows: [{ utc: '2008-12-25T00:00:00.000Z', la: '2008-12-25T08:00:00.000Z' }] },
    documented: `${timestampFunctions}#timestamp_trunc (example: 2008-12-25 00:00:00+00 and 2008-12-25 08:00:00+00)`,
  },
  {
    name: 'TIMESTAMP_TRUNC to WEEK(MONDAY) in UTC and in Pacific/Auckland',
    sql:
      "SELECT TIMESTAMP_TRUNC(TIMESTAMP '2017-11-06 00:00:00+12', WEEK(MONDAY), 'UTC') AS utc_truncated, " +
      "TIMESTAMP_TRUNC(TIMESTAMP '2017-11-06 00:00:00+12', WEEK(MONDAY), 'Pacific/Auckland') AS nzdt_truncated",
    expected: { rows: [{ utc_truncated: '2017-10-30T00:00:00.000Z', nzdt_truncated: '2017-11-05T11:00:00.000Z' }] },
    documented: `${timestampFunctions}#timestamp_trunc (example: 2017-10-30 00:00:00+00, 2017-11-05 11:00:00+00)`,
  },
  {
    name: 'TIMESTAMP_TRUNC to WEEK starts on Sunday (UTC and a time zone)',
    sql:
      "SELECT TIMESTAMP_TRUNC(TIMESTAMP '2017-11-08 15:00:00+00', WEEK) AS utc_week, " +
      "TIMESTAMP_TRUNC(TIMESTAMP '2017-11-05 03:00:00+00', WEEK, 'America/Los_Angeles') AS la_week",
    // 2017-11-05 03:00 UTC is Saturday 2017-11-04 20:00 in Los Angeles (PDT, UTC-7): its week
    // began Sunday 2017-10-29 00:00 PDT = 07:00 UTC.
    expected: { rows: [{ utc_week: '2017-11-05T00:00:00.000Z', la_week: '2017-10-29T07:00:00.000Z' }] },
    documented: `${timestampFunctions}#timestamp_trunc (WEEK: "begins on Sunday"; with a time zone, truncation happens in that zone)`,
  },
  {
    name: 'TIMESTAMP_TRUNC to ISOYEAR',
    sql: "SELECT TIMESTAMP_TRUNC(TIMESTAMP '2015-06-15 00:00:00+00', ISOYEAR) AS isoyear_boundary",
    expected: { rows: [{ isoyear_boundary: '2014-12-29T00:00:00.000Z' }] },
    documented: `${timestampFunctions}#timestamp_trunc (example: 2014-12-29 00:00:00+00)`,
  },
  {
    name: 'DATETIME_TRUNC to DAY and WEEK(MONDAY)',
    sql:
      "SELECT DATETIME_TRUNC(DATETIME '2008-12-25 15:30:00', DAY) AS truncated, " +
      "DATETIME_TRUNC(DATETIME '2017-11-05 00:00:00', WEEK(MONDAY)) AS monday_week, DATETIME_TRUNC(DATETIME '2017-11-08 12:00:00', WEEK) AS sunday_week",
    expected: { rows: [{ truncated: '2008-12-25T00:00:00.000', monday_week: '2017-10-30T00:00:00.000', sunday_week: '2017-11-05T00:00:00.000' }] },
    documented: `${datetimeFunctions}#datetime_trunc (examples: 2008-12-25 00:00:00, 2017-10-30 00:00:00)`,
  },
  {
    name: 'FORMAT_TIMESTAMP %c, %b-%d-%Y and a literal Z',
    sql:
      `SELECT FORMAT_TIMESTAMP('%c', TIMESTAMP '2050-12-25 15:30:55+00', 'UTC') AS formatted, FORMAT_TIMESTAMP('%b-%d-%Y', TIMESTAMP '2050-12-25 15:30:55+00') AS dashed, ` +
      `FORMAT_TIMESTAMP('%b %Y', TIMESTAMP '2050-12-25 15:30:55+00') AS month, FORMAT_TIMESTAMP('%Y-%m-%dT%H:%M:%SZ', TIMESTAMP '2050-12-25 15:30:55', 'UTC') AS iso`,
    expected: { rows: [{ formatted: 'Sun Dec 25 15:30:55 2050', dashed: 'Dec-25-2050', month: 'Dec 2050', iso: '2050-12-25T15:30:55Z' }] },
    documented: `${timestampFunctions}#format_timestamp (examples: Sun Dec 25 15:30:55 2050, Dec-25-2050, Dec 2050, 2050-12-25T15:30:55Z)`,
  },
  {
    name: 'FORMAT_TIMESTAMP %e pads with a space; %Z, %z and %Ez in UTC; %A %B %j %k %l %P %C %Q',
    sql:
      "SELECT FORMAT_TIMESTAMP('[%e] %Z %z %Ez', TIMESTAMP '2008-12-05 07:04:09+00') AS zone, " +
      "FORMAT_TIMESTAMP('%A %B %j [%k] [%l] %P %C %Q', TIMESTAMP '2008-12-25 15:30:00+00') AS words",
    expected: { rows: [{ zone: '[ 5] UTC +0000 +00:00', words: 'Thursday December 360 [15] [ 3] pm 20 4' }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/format-elements (%e: "single digits are preceded by a space"; %Z zone name; %z +HHMM; %Ez +HH:MM; %k, %l space-padded hours; %P am/pm; %C century; %Q quarter)',
  },
  {
    name: 'FORMAT_DATE week elements: %U %W (from 00), %u (Monday 1), %V and %G (ISO)',
    sql: "SELECT FORMAT_DATE('%U %W %u %V %G %g', DATE '2016-01-01') AS jan1, FORMAT_DATE('%U %W %u %V %G', DATE '2016-01-03') AS jan3",
    expected: { rows: [{ jan1: '00 00 5 53 2015 15', jan3: '01 00 7 53 2015' }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/format-elements (%U: Sunday first day, 00-53; %W: Monday first day, 00-53; %u: Monday 1-7; %V: ISO week 01-53; %G/%g: ISO year)',
  },
  {
    name: 'FORMAT_DATE %x, %b-%d-%Y, %b %Y',
    sql: "SELECT FORMAT_DATE('%x', DATE '2008-12-25') AS US_format, FORMAT_DATE('%b-%d-%Y', DATE '2008-12-25') AS formatted, FORMAT_DATE('%b %Y', DATE '2008-12-25') AS month",
    expected: { rows: [{ US_format: '12/25/08', formatted: 'Dec-25-2008', month: 'Dec 2008' }] },
    documented: `${dateFunctions}#format_date (examples: 12/25/08, Dec-25-2008, Dec 2008)`,
  },
  {
    name: 'FORMAT_DATETIME %c',
    sql: "SELECT FORMAT_DATETIME('%c', DATETIME '2008-12-25 15:30:00') AS formatted, FORMAT_DATETIME('%b-%d-%Y', DATETIME '2008-12-25 15:30:00') AS dashed",
    expected: { rows: [{ formatted: 'Thu Dec 25 15:30:00 2008', dashed: 'Dec-25-2008' }] },
    documented: `${datetimeFunctions}#format_datetime (examples: Thu Dec 25 15:30:00 2008, Dec-25-2008)`,
  },
  {
    name: 'FORMAT_TIMESTAMP %z in another time zone is refused, naming the element',
    sql: "SELECT FORMAT_TIMESTAMP('%H:%M %z', TIMESTAMP '2008-12-25 15:30:00+00', 'America/Los_Angeles') AS local",
    expected: { refused: /FORMAT_TIMESTAMP: format element "%z"/ },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/format-elements (%z: the offset of the zone, here -0800)',
  },
  {
    name: 'FORMAT_TIMESTAMP in another time zone formats its wall clock',
    sql: "SELECT FORMAT_TIMESTAMP('%F %T', TIMESTAMP '2008-12-25 15:30:00+00', 'America/Los_Angeles') AS local",
    expected: { rows: [{ local: '2008-12-25 07:30:00' }] },
    documented: `${timestampFunctions}#format_timestamp (time_zone: "the time zone in which to format")`,
  },
  {
    name: 'an element DuckDB cannot render the same (%E*S) is refused, naming it',
    sql: "SELECT FORMAT_TIMESTAMP('%E*S', TIMESTAMP '2008-12-25 15:30:00.5+00') AS s",
    expected: { refused: /format element "%E\*S" is not supported/ },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/format-elements (%E*S: seconds with full fractional precision)',
  },
  {
    name: 'LAST_DAY of the month, year, ISO year and weeks',
    sql:
      "SELECT LAST_DAY(DATE '2008-11-25') AS by_default, LAST_DAY(DATE '2008-11-25', MONTH) AS month, LAST_DAY(DATE '2008-11-10', YEAR) AS year, " +
      "LAST_DAY(DATE '2008-11-10', QUARTER) AS quarter, LAST_DAY(DATE '2008-11-10', ISOYEAR) AS isoyear, " +
      "LAST_DAY(DATE '2008-11-10', WEEK) AS week, LAST_DAY(DATE '2008-11-10', WEEK(SUNDAY)) AS week_sunday, LAST_DAY(DATE '2008-11-10', WEEK(MONDAY)) AS week_monday",
    // ISO year 2008 ends on Sunday 2008-12-28 (ISO 2009 begins Monday 2008-12-29).
    expected: {
      rows: [{ by_default: '2008-11-30', month: '2008-11-30', year: '2008-12-31', quarter: '2008-12-31', isoyear: '2008-12-28', week: '2008-11-15', week_sunday: '2008-11-15', week_monday: '2008-11-16' }],
    },
    documented: `${dateFunctions}#last_day (examples: 2008-11-30, 2008-11-30, 2008-12-31, WEEK(SUNDAY) 2008-11-15, WEEK(MONDAY) 2008-11-16)`,
  },
  {
    name: 'PARSE_DATE refuses elements DuckDB would read with another meaning (%x)',
    sql: "SELECT PARSE_DATE('%x', '12/25/08') AS d",
    expected: { refused: /PARSE_DATE: format element "%x" is not supported/ },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/format-elements (%x: the date in MM/DD/YY)',
  },
  {
    name: 'FORMAT_DATE pads %C and %g with zeros, %e and %k with spaces',
    sql: "SELECT FORMAT_DATE('%C|%g|%e|%y|%d', DATE '0999-01-04') AS early, FORMAT_DATE('%g|%G', DATE '2009-01-01') AS iso, FORMAT_DATETIME('[%k][%l][%I]', DATETIME '2009-01-01 09:05:00') AS hours",
    // 4 January is always in ISO week 1, so 0999-01-04 is in ISO year 999; 2009-01-01 (a Thursday) in 2009.
    expected: { rows: [{ early: '09|99| 4|99|04', iso: '09|2009', hours: '[ 9][ 9][09]' }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/format-elements (%C: century 00-99; %g: ISO year without century 00-99; %e, %k, %l: single digits preceded by a space)',
  },
  {
    name: 'DATE_TRUNC of a TIMESTAMP is a TIMESTAMP (the zone midnight), not a DATE read as UTC midnight',
    sql:
      "SELECT TIMESTAMP_DIFF(TIMESTAMP '2024-03-01 12:00:00+00', DATE_TRUNC(TIMESTAMP '2024-03-01 12:00:00+00', DAY, 'America/New_York'), HOUR) AS hours, " +
      "DATE_TRUNC(TIMESTAMP '2024-03-01 12:00:00+00', DAY, 'America/New_York') AS day_start",
    expected: { rows: [{ hours: 7, day_start: '2024-03-01T05:00:00.000Z' }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/date_functions#date_trunc (DATE, DATETIME or TIMESTAMP; "Return data type: Same data type as date_value"; time_zone for a TIMESTAMP)',
  },
  {
    name: 'DATE_TRUNC keeps its argument type: a DATETIME stays a DATETIME, a TIMESTAMP without a zone a TIMESTAMP (UTC)',
    sql:
      "SELECT DATE_TRUNC(DATETIME '2024-05-17 12:34:56', HOUR) AS dt, DATE_TRUNC(TIMESTAMP '2024-05-17 12:34:56+00', QUARTER) AS ts, " +
      "DATE_DIFF(DATE_TRUNC(DATE '2016-01-02', ISOYEAR), DATE '2014-12-29', DAY) AS iso_start_gap, DATE_TRUNC(DATE '2024-05-17', YEAR) AS d",
    expected: { rows: [{ dt: '2024-05-17T12:00:00.000', ts: '2024-04-01T00:00:00.000Z', iso_start_gap: 0, d: '2024-01-01' }] },
    documented: `${dateFunctions}#date_trunc ("Return data type: Same data type as date_value"; ISOYEAR: the Monday of the first ISO week; 2016-01-02 is in ISO year 2015)`,
  },
  {
    name: 'PARSE_DATETIME reads a DATETIME (doc example)',
    sql: "SELECT PARSE_DATETIME('%Y-%m-%d %H:%M:%S', '1998-10-18 13:45:55') AS datetime",
    expected: { rows: [{ datetime: '1998-10-18T13:45:55.000' }] },
    documented: `${datetimeFunctions}#parse_datetime (example: 1998-10-18T13:45:55)`,
  },
];
