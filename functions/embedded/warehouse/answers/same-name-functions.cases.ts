import type { BigQueryCase } from './bigquery-case.ts';

const strings = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/string_functions';
const math = 'https://cloud.google.com/bigquery/docs/reference/standard-sql/mathematical_functions';

/**
 * Functions DuckDB also has under the same name with another meaning (same-name-functions.ts):
 * each case is one that DuckDB's namesake would answer differently without an error.
 */
export const bigQueryCases: BigQueryCase[] = [
  {
    name: 'LOG(x) is the natural logarithm; LOG(x, base) takes the base second',
    sql: 'SELECT LOG(100, 10) AS log_100_base_10, LOG(1) AS ln_1, ROUND(LOG(EXP(2)), 9) AS ln_e2',
    expected: { rows: [{ log_100_base_10: 2, ln_1: 0, ln_e2: 2 }] },
    documented: `${math}#log ("If only X is present, LOG is a synonym of LN. If Y is also present, LOG computes the logarithm of X to base Y"; example LOG(100, 10) = 2)`,
  },
  {
    name: 'GREATEST / LEAST are NULL when any argument is NULL',
    sql: 'SELECT GREATEST(1, NULL, 3) IS NULL AS greatest_null, LEAST(1, NULL) IS NULL AS least_null, GREATEST(1, 5, 3) AS greatest, LEAST(4, 2, 9) AS least',
    expected: { rows: [{ greatest_null: true, least_null: true, greatest: 5, least: 2 }] },
    documented: `${math}#greatest and #least ("Returns NULL if any of the inputs is NULL")`,
  },
  {
    name: 'ARRAY_CONCAT is NULL when an argument is NULL',
    sql: 'SELECT ARRAY_CONCAT([1, 2], [3, 4], [5, 6]) AS count_to_six, ARRAY_CONCAT([1], CAST(NULL AS ARRAY<INT64>)) IS NULL AS with_null',
    expected: { rows: [{ count_to_six: [1, 2, 3, 4, 5, 6], with_null: true }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/array_functions#array_concat (example [1..6]; "returns NULL if any input argument is NULL")',
  },
  {
    name: 'REGEXP_REPLACE replaces every match, with backreferences',
    sql: "SELECT REGEXP_REPLACE('a-b-c', '-', '+') AS every_match, REGEXP_REPLACE('# Heading', r'^# ([a-zA-Z0-9\\s]+$)', '<h1>\\\\1</h1>') AS html",
    expected: { rows: [{ every_match: 'a+b+c', html: '<h1>Heading</h1>' }] },
    documented: `${strings}#regexp_replace ("all substrings of value that match regular expression regexp are replaced"; example <h1>Heading</h1>)`,
  },
  {
    name: 'MD5 is BYTES; TO_HEX of it is lower-case hex',
    sql: "SELECT TO_HEX(MD5('Hello World')) AS hex, MD5('Hello World') AS bytes",
    expected: { rows: [{ hex: 'b10a8db164e0754105b7a99be72e3fe5', bytes: 'sQqNsWTgdUEFt6mb5y4/5Q==' }] },
    documented: 'https://cloud.google.com/bigquery/docs/reference/standard-sql/hash_functions#md5 (example: sQqNsWTgdUEFt6mb5y4/5Q==) and ' + `${strings}#to_hex (lower-case)`,
  },
  {
    name: 'SUBSTR: positions from the end, and before the start read from the first character',
    sql:
      "SELECT SUBSTR('apple', 2) AS a, SUBSTR('apple', 2, 2) AS b, SUBSTR('apple', -2) AS c, SUBSTR('apple', 1, 123) AS d, SUBSTR('apple', 123) AS e, " +
      "SUBSTR('apple', 0, 2) AS f, SUBSTR('apple', -10, 2) AS g",
    expected: { rows: [{ a: 'pple', b: 'pp', c: 'le', d: 'apple', e: '', f: 'ap', g: 'ap' }] },
    documented: `${strings}#substr (examples pple, pp, le, apple, ''; "position = 0 or position < -LENGTH(value)": starts from position 1)`,
  },
  {
    name: 'SUBSTR with a negative length is an error',
    sql: "SELECT SUBSTR('apple', 2, -1) AS s",
    expected: { error: /length cannot be negative/ },
    documented: `${strings}#substr ("If length is less than 0, the function returns an error")`,
  },
  {
    name: 'POW of 0 to a negative power is an error (DuckDB: Infinity)',
    sql: 'SELECT POW(0, -1) AS p',
    expected: { error: /POW: the result is not a finite number/ },
    documented: `${math}#pow (the special cases table: X = 0, Y < 0 → error)`,
  },
  {
    name: 'POW of a negative base to a fractional power is an error (DuckDB: NaN)',
    sql: 'SELECT POWER(-8, 1 / 3) AS p',
    expected: { error: /POWER: the result is not a finite number/ },
    documented: `${math}#pow (the special cases table: finite X < 0, non-integer Y → error)`,
  },
  {
    name: 'EXP overflow is an error (DuckDB: Infinity)',
    sql: 'SELECT EXP(710) AS e',
    expected: { error: /EXP: overflow/ },
    documented: `${math}#exp ("Generates an error if the result overflows")`,
  },
  {
    name: 'POW, EXP, LEFT, RIGHT, REPEAT, LPAD, RPAD in range answer as usual; LPAD pads with spaces by default',
    sql: "SELECT POW(2, 3) AS pow, EXP(0) AS exp, LEFT('apple', 3) AS left_part, RIGHT('apple', 3) AS right_part, REPEAT('ab', 2) AS repeated, LPAD('c', 3) AS lpad, RPAD('c', 3, 'x') AS rpad",
    expected: { rows: [{ pow: 8, exp: 1, left_part: 'app', right_part: 'ple', repeated: 'abab', lpad: '  c', rpad: 'cxx' }] },
    documented: `${math}#pow, #exp; ${strings}#left (app), #right (ple), #repeat, #lpad ("pattern ... default is a space"), #rpad`,
  },
  {
    name: 'a negative length is an error in LEFT (DuckDB: all but the last characters)',
    sql: "SELECT LEFT('apple', -1) AS l",
    expected: { error: /LEFT: the length cannot be negative/ },
    documented: `${strings}#left ("If length is negative, an error is returned")`,
  },
  {
    name: 'a negative count or length is an error in REPEAT and LPAD (DuckDB: an empty string)',
    sql: "SELECT REPEAT('a', -1) AS r",
    expected: { error: /REPEAT: the length cannot be negative/ },
    documented: `${strings}#repeat ("Returns an error if repetitions is negative") and #lpad (a negative return_length is an error)`,
  },
  {
    name: 'CONTAINS_SUBSTR is case-insensitive',
    sql: "SELECT CONTAINS_SUBSTR('the blue house', 'Blue house') AS blue, CONTAINS_SUBSTR('the red house', 'blue') AS red, CONTAINS_SUBSTR('Café crème', 'CAFÉ') AS accented",
    expected: { rows: [{ blue: true, red: false, accented: true }] },
    documented: `${strings}#contains_substr (examples: 'the blue house' contains 'Blue house' → TRUE; 'the red house' → FALSE)`,
  },
  {
    name: 'CONTAINS_SUBSTR in WHERE over a table',
    sql: "SELECT COUNT(*) AS n FROM nudge.events WHERE CONTAINS_SUBSTR(event_name, 'ORDER')",
    expected: { rows: [{ n: 0 }] },
    documented: `${strings}#contains_substr (a STRING column searched case-insensitively; the table is empty here)`,
  },
];
