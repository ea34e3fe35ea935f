import type { BigQueryCase } from './bigquery-case.ts';

const stringFunctions = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/string_functions';
const emails = "UNNEST(['foo@example.com', 'bar@example.org', 'baz@example.net']) AS email";

/** String functions whose DuckDB namesakes answer differently. */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'CONCAT with a NULL argument is NULL',
    sql: "SELECT CONCAT('The', ' ', NULL) AS with_null, CONCAT('Summer', ' ', '1923') AS release_date",
    expected: { rows: [{ with_null: null, release_date: 'Summer 1923' }] },
    documented: `${stringFunctions}#concat ("If any input argument is NULL, the function returns NULL")`,
  },
  {
    name: 'REGEXP_EXTRACT without a group returns the match',
    sql: `SELECT REGEXP_EXTRACT(email, r'^[a-zA-Z0-9_.+-]+') AS user_name FROM ${emails} ORDER BY user_name`,
    expected: { rows: [{ user_name: 'bar' }, { user_name: 'baz' }, { user_name: 'foo' }] },
    documented: `${stringFunctions}#regexp_extract (example: foo, bar, baz)`,
  },
  {
    name: 'REGEXP_EXTRACT with a capturing group returns the group',
    sql: `SELECT REGEXP_EXTRACT(email, r'^[a-zA-Z0-9_.+-]+@([a-zA-Z0-9-]+\\.[a-zA-Z0-9-.]+$)') AS top_level_domain FROM ${emails} ORDER BY top_level_domain`,
    expected: { rows: [{ top_level_domain: 'example.com' }, { top_level_domain: 'example.net' }, { top_level_domain: 'example.org' }] },
    documented: `${stringFunctions}#regexp_extract ("If the regular expression contains a capturing group, the function returns the substring that is matched by that capturing group")`,
  },
  {
    name: 'REGEXP_EXTRACT without a match is NULL; a non-capturing group does not count',
    sql: "SELECT REGEXP_EXTRACT('abc', r'x+') AS no_match, REGEXP_EXTRACT('id=42;', r'(?:id)=(\\d+)') AS digits",
    expected: { rows: [{ no_match: null, digits: '42' }] },
    documented: `${stringFunctions}#regexp_extract ("If there is no match, the function returns NULL")`,
  },
  {
    name: 'REGEXP_EXTRACT with two capturing groups is refused',
    sql: "SELECT REGEXP_EXTRACT('ab', r'(a)(b)') AS two",
    expected: { refused: /REGEXP_EXTRACT: .*2 capturing groups/ },
    documented: `${stringFunctions}#regexp_extract ("Returns an error if ... the regular expression has more than one capturing group")`,
  },
  {
    name: 'REGEXP_EXTRACT_ALL returns every match of the group',
    sql: "SELECT REGEXP_EXTRACT_ALL('Try `func(x)` or `func(y)`', '`(.+?)`') AS example",
    expected: { rows: [{ example: ['func(x)', 'func(y)'] }] },
    documented: `${stringFunctions}#regexp_extract_all (example: [func(x), func(y)])`,
  },
  {
    name: 'REGEXP_REPLACE replaces every match and reads \\1 as the group',
    sql: "SELECT REGEXP_REPLACE('# Heading', r'^# ([a-zA-Z0-9\\s]+$)', '<h1>\\\\1</h1>') AS html, REGEXP_REPLACE('a-b-c', '-', '+') AS every",
    expected: { rows: [{ html: '<h1>Heading</h1>', every: 'a+b+c' }] },
    documented: `${stringFunctions}#regexp_replace (example: <h1>Heading</h1>; "all substrings of value that match ... are replaced")`,
  },
  {
    name: 'SUBSTR with positions from the end, zero and before the start',
    sql:
      "SELECT SUBSTR('apple', 2) AS a, SUBSTR('apple', 2, 2) AS b, SUBSTR('apple', -2) AS c, SUBSTR('apple', 1, 123) AS d, SUBSTR('apple', 123) AS e, " +
      "SUBSTR('apple', 0, 2) AS zero, SUBSTR('apple', -10, 2) AS before_start",
    expected: { rows: [{ a: 'pple', b: 'pp', c: 'le', d: 'apple', e: '', zero: 'ap', before_start: 'ap' }] },
    documented: `${stringFunctions}#substr (examples: pple, pp, le, apple, ""; "position = 0 or position < -LENGTH(value): the function starts from position = 1")`,
  },
  {
    name: 'SUBSTR with a negative length is an error',
    sql: "SELECT SUBSTR('apple', 1, -1) AS s",
    expected: { error: /length cannot be negative/ },
    documented: `${stringFunctions}#substr ("If length is less than 0, the function returns an error")`,
  },
  {
    name: 'APPROX_COUNT_DISTINCT never exceeds the true count',
    sql: 'SELECT APPROX_COUNT_DISTINCT(x) AS approx, COUNT(DISTINCT x) AS exact FROM UNNEST([0, 1, 1, 2, 3, 5]) AS x',
    expected: { rows: [{ approx: 5, exact: 5 }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/approximate_aggregate_functions#approx_count_distinct (example: 5)',
  },
  {
    name: 'COUNTIF over a group with no matching rows, and over an empty window, is 0',
    sql:
      "SELECT g, COUNTIF(x > 10) AS big, COUNTIF(x > 0) OVER (ORDER BY g ROWS BETWEEN 5 PRECEDING AND 1 PRECEDING) AS before_me " +
      "FROM UNNEST([STRUCT('a' AS g, 1 AS x), STRUCT('b' AS g, -1 AS x)]) GROUP BY g, x ORDER BY g",
    expected: { rows: [{ g: 'a', big: 0, before_me: 0 }, { g: 'b', big: 0, before_me: 1 }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/aggregate_functions#countif ("If there are zero input rows ... this function returns 0")',
  },
];

const formatString = `${stringFunctions}#format_string`;

/** FORMAT is printf-like. */
bigQueryCases.push(
  {
    name: 'FORMAT %d with width, zero padding and signs',
    sql: "SELECT FORMAT('%d', 10) AS plain, FORMAT('|%10d|', 11) AS width, FORMAT('+%010d+', 12) AS zeros, FORMAT('%+d|%-4d|', 5, 6) AS flags",
    expected: { rows: [{ plain: '10', width: '|        11|', zeros: '+0000000012+', flags: '+5|6   |' }] },
    documented: `${formatString} (examples: 10, |        11|, +0000000012+)`,
  },
  {
    name: 'FORMAT %s, %f, %E, %5.2f, %x',
    sql: "SELECT FORMAT('-|%s|-', 'abcd efg') AS s, FORMAT('%f %E', 1.1, 2.2) AS floats, FORMAT('[%5.2f]', 3.14159) AS fixed, FORMAT('%x', 255) AS hex",
    expected: { rows: [{ s: '-|abcd efg|-', floats: '1.100000 2.200000E+00', fixed: '[ 3.14]', hex: 'ff' }] },
    documented: `${formatString} (examples: -|abcd efg|-, 1.100000 2.200000E+00; %f: precision 6 by default)`,
  },
  {
    name: 'FORMAT %t writes the value as text, and NULL as NULL; other specifiers make NULL',
    sql: "SELECT FORMAT('%t', DATE '2015-09-01') AS day, FORMAT('00-%t-00', NULL) AS null_text, FORMAT('%s', CAST(NULL AS STRING)) AS null_string, FORMAT('%t|%t', 7, 'x') AS mixed",
    expected: { rows: [{ day: '2015-09-01', null_text: '00-NULL-00', null_string: null, mixed: '7|x' }] },
    documented: `${formatString} (examples: 2015-09-01; NULL handling: "FORMAT('00-%t-00', NULL_expression) returns 00-NULL-00", otherwise a NULL argument gives NULL)`,
  },
  {
    name: "FORMAT %'d (grouping) is refused, naming the specifier",
    sql: "SELECT FORMAT(\"%'d\", 123456789) AS grouped",
    expected: { refused: /FORMAT: specifier "%'d" is not supported/ },
    documented: `${formatString} (example: 123,456,789)`,
  },
);
