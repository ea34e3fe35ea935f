import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { BigQueryTranslationError, translateBigQueryToDuckDb, translateStatements } from './bigquery-to-duckdb.ts';
import { readPlainRows } from './duckdb-values.ts';
import { subscriptExpression } from './array-subscripts.ts';

const offset0 = subscriptExpression('arr', 'OFFSET', '0');

/** [what, BigQuery, DuckDB] — the translation, exactly. */
const cases: [string, string, string][] = [
  [
    'DDL: types mapped, storage clauses and OPTIONS dropped, key enforced',
    'CREATE TABLE `p.nudge.t` (a STRING NOT NULL, b INT64, c FLOAT64, d BOOL, e JSON, f TIMESTAMP, g DATE, h DATETIME, i NUMERIC(10, 2), ' +
      "j ARRAY<STRING>, k STRUCT<x INT64, y STRING>, l BYTES, m STRING(20) DEFAULT 'x' OPTIONS(description=\"d\"), PRIMARY KEY (a) NOT ENFORCED) " +
      'PARTITION BY DATE(f) CLUSTER BY a, b OPTIONS (description = "x")',
    'CREATE TABLE "t" (a VARCHAR NOT NULL, b BIGINT, c DOUBLE, d BOOLEAN, e JSON, f TIMESTAMPTZ, g DATE, h TIMESTAMP, i DECIMAL(10,2), ' +
      'j VARCHAR[], k STRUCT("x" BIGINT, "y" VARCHAR), l BLOB, m VARCHAR DEFAULT \'x\', PRIMARY KEY (a)\n);',
  ],
  ['DDL: foreign keys stay BigQuery metadata', 'CREATE TABLE nudge.t (a INT64, FOREIGN KEY (a) REFERENCES nudge.u(a) NOT ENFORCED)', 'CREATE TABLE t (a BIGINT\n);'],
  ['DDL: CREATE TABLE AS with partitioning', 'CREATE TABLE t PARTITION BY DATE(ts) AS SELECT CURRENT_TIMESTAMP() AS ts', 'CREATE TABLE t AS SELECT current_timestamp AS ts;'],
  ['DDL: view OPTIONS dropped', "CREATE OR REPLACE VIEW `${dataset}.v` OPTIONS (description = 'v') AS SELECT 1 AS x", 'CREATE OR REPLACE VIEW "v"  AS SELECT 1 AS x;'],
  ['placeholder dataset inside backticks', 'SELECT * FROM `${dataset}.events`', 'SELECT * FROM "events";'],
  ['placeholder dataset backticked alone', 'SELECT * FROM `${dataset}`.events', 'SELECT * FROM events;'],
  ['known dataset dropped, unknown kept', 'SELECT * FROM nudge.events JOIN shop.orders o USING (user_id)', 'SELECT * FROM events JOIN shop.orders o USING (user_id);'],
  ['project.dataset.table → table; alias.column kept', 'SELECT e.event_id FROM `my-project.nudge.events` AS e', 'SELECT e.event_id FROM "events" AS e;'],
  [
    'string literals: double quotes, escapes, raw, triple-quoted, keywords inside untouched',
    `SELECT "it's", 'a\\'b', r'\\d+', '''two\nlines''', 'COUNTIF(x) @p'`,
    `SELECT 'it''s', 'a''b', '\\d+', 'two\nlines', 'COUNTIF(x) @p';`,
  ],
  ['comments: # becomes --', 'SELECT 1 # note\n-- keep\n/* keep */', 'SELECT 1 -- note\n-- keep\n/* keep */;'],
  [
    'JSON functions',
    "SELECT JSON_VALUE(properties, '$.price'), JSON_VALUE(x), JSON_QUERY(context, '$.page'), JSON_EXTRACT_SCALAR(traits, '$.email')",
    // JSON_VALUE extracts scalars only: an object or an array is NULL, not its JSON text.
    "SELECT (CASE WHEN json_type(properties, '$.price') IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(properties, '$.price') END), " +
      "(CASE WHEN json_type(x, '$') IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(x, '$') END), json_extract(context, '$.page'), " +
      "(CASE WHEN json_type(traits, '$.email') IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(traits, '$.email') END);",
  ],
  [
    'interval arithmetic',
    'SELECT TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 7 DAY), TIMESTAMP_ADD(ts, INTERVAL 1 HOUR), DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)',
    'SELECT (current_timestamp - INTERVAL 7 DAY), (ts + INTERVAL 1 HOUR), CAST((current_date - INTERVAL 1 DAY) AS DATE);',
  ],
  [
    'DATE / TIMESTAMP functions and literals',
    "SELECT DATE(ts), DATE(2026, 1, 2), DATE(ts, 'Europe/Paris'), TIMESTAMP('2026-01-01'), TIMESTAMP '2026-01-01 00:00:00+00'",
    "SELECT CAST(ts AS DATE), make_date(2026, 1, 2), CAST(timezone('Europe/Paris', ts) AS DATE), CAST('2026-01-01' AS TIMESTAMPTZ), CAST('2026-01-01 00:00:00+00' AS TIMESTAMPTZ);",
  ],
  [
    'casts and COUNTIF in a window',
    "SELECT SAFE_CAST(x AS NUMERIC), CAST(y AS BYTES), CAST(z AS ARRAY<FLOAT64>), COUNTIF(kind = 'a') OVER (PARTITION BY user_id)",
    "SELECT TRY_CAST(x AS DECIMAL(38, 9)), CAST(y AS BLOB), CAST(z AS DOUBLE[]), count(CASE WHEN kind = 'a' THEN 1 END) OVER (PARTITION BY user_id);",
  ],
  [
    'formatting and parsing time',
    "SELECT FORMAT_TIMESTAMP('%F %T', ts), FORMAT_TIMESTAMP('%H', ts, 'Europe/Paris'), PARSE_TIMESTAMP('%Y%m%d', s)",
    "SELECT strftime(ts, '%Y-%m-%d %H:%M:%S'), strftime(timezone('Europe/Paris', ts), '%H'), CAST(strptime(s, '%Y%m%d') AS TIMESTAMPTZ);",
  ],
  [
    'date parts become strings',
    'SELECT TIMESTAMP_DIFF(a, b, SECOND), DATE_DIFF(d1, d0, DAY), TIMESTAMP_TRUNC(ts, DAY), DATE_TRUNC(d, MONTH), EXTRACT(HOUR FROM ts), EXTRACT(DAYOFWEEK FROM ts)',
    "SELECT date_sub('second', b, a), date_diff('day', d0, d1), date_trunc('day', ts), time_bucket(INTERVAL 1 MONTH, (d)), date_part('hour', ts), (dayofweek(ts) + 1);",
  ],
  [
    'weeks start on Sunday or the weekday named, not on DuckDB\'s Monday',
    'SELECT DATE_TRUNC(d, WEEK), DATE_TRUNC(d, WEEK(MONDAY)), EXTRACT(WEEK FROM d), EXTRACT(ISOWEEK FROM d), DATE_DIFF(a, b, ISOWEEK)',
    "SELECT time_bucket(INTERVAL 7 DAY, (d), DATE '2000-01-02'), time_bucket(INTERVAL 7 DAY, (d), DATE '2000-01-03'), " +
      "((dayofyear(d) + 6 - ((dayofweek(d) - 0 + 7) % 7)) // 7), date_part('week', d), (date_diff('day', date_trunc('week', b), date_trunc('week', a)) // 7);",
  ],
  [
    'division checks its divisor and refuses a NUMERIC operand (numeric-division.ts); MOD, DIV check the divisor; SAFE_DIVIDE does not',
    'SELECT a / -b.c * 2, MOD(x, y), SAFE_DIVIDE(p, q)',
    "SELECT (CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof(-b.c) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN (-b.c) = 0 THEN error('division by zero: / -b.c') ELSE (-b.c) END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 10)') ELSE (a) / (CASE WHEN (-b.c) = 0 THEN error('division by zero: / -b.c') ELSE (-b.c) END) END) * 2, mod(x, (CASE WHEN (y) = 0 THEN error('division by zero: MOD') ELSE (y) END)), CASE WHEN (q) = 0 THEN NULL ELSE (CASE WHEN typeof(p) LIKE 'DECIMAL%' OR typeof(q) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((q) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 45)') ELSE (p) / (q) END) END;",
  ],
  [
    'the divisor of / takes its window, call, subscript and CASE along; AS and the next operator stay outside',
    'SELECT n / COUNT(*) OVER (PARTITION BY g) AS share, n / SUM(n) OVER w AS w_share, a / SAFE.LOG(b) + 1, a / CASE WHEN c THEN 1 END AS r',
    "SELECT (CASE WHEN typeof(n) LIKE 'DECIMAL%' OR typeof(COUNT(*) OVER (PARTITION BY g)) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN (COUNT(*) OVER (PARTITION BY g)) = 0 THEN error('division by zero: / COUNT(*) OVER (PARTITION BY g)') ELSE (COUNT(*) OVER (PARTITION BY g)) END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 10)') ELSE (n) / (CASE WHEN (COUNT(*) OVER (PARTITION BY g)) = 0 THEN error('division by zero: / COUNT(*) OVER (PARTITION BY g)') ELSE (COUNT(*) OVER (PARTITION BY g)) END) END) AS share, (CASE WHEN typeof(n) LIKE 'DECIMAL%' OR typeof((CASE WHEN typeof(sum(n) OVER w) = 'HUGEINT' AND TRY_CAST(CAST(sum(n) OVER w AS VARCHAR) AS HUGEINT) NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN error(concat('int64 overflow: SUM is ', CAST(sum(n) OVER w AS VARCHAR))) ELSE sum(n) OVER w END)) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN ((CASE WHEN typeof(sum(n) OVER w) = 'HUGEINT' AND TRY_CAST(CAST(sum(n) OVER w AS VARCHAR) AS HUGEINT) NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN error(concat('int64 overflow: SUM is ', CAST(sum(n) OVER w AS VARCHAR))) ELSE sum(n) OVER w END)) = 0 THEN error('division by zero: / SUM(n) OVER w') ELSE ((CASE WHEN typeof(sum(n) OVER w) = 'HUGEINT' AND TRY_CAST(CAST(sum(n) OVER w AS VARCHAR) AS HUGEINT) NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN error(concat('int64 overflow: SUM is ', CAST(sum(n) OVER w AS VARCHAR))) ELSE sum(n) OVER w END)) END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 55)') ELSE (n) / (CASE WHEN ((CASE WHEN typeof(sum(n) OVER w) = 'HUGEINT' AND TRY_CAST(CAST(sum(n) OVER w AS VARCHAR) AS HUGEINT) NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN error(concat('int64 overflow: SUM is ', CAST(sum(n) OVER w AS VARCHAR))) ELSE sum(n) OVER w END)) = 0 THEN error('division by zero: / SUM(n) OVER w') ELSE ((CASE WHEN typeof(sum(n) OVER w) = 'HUGEINT' AND TRY_CAST(CAST(sum(n) OVER w AS VARCHAR) AS HUGEINT) NOT BETWEEN -9223372036854775808 AND 9223372036854775807 THEN error(concat('int64 overflow: SUM is ', CAST(sum(n) OVER w AS VARCHAR))) ELSE sum(n) OVER w END)) END) END) AS w_share, (CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof(try(ln(b))) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN (try(ln(b))) = 0 THEN error('division by zero: / SAFE.LOG(b)') ELSE (try(ln(b))) END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 85)') ELSE (a) / (CASE WHEN (try(ln(b))) = 0 THEN error('division by zero: / SAFE.LOG(b)') ELSE (try(ln(b))) END) END) + 1, (CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof(CASE WHEN c THEN 1 END) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN (CASE WHEN c THEN 1 END) = 0 THEN error('division by zero: / CASE WHEN c THEN 1 END') ELSE (CASE WHEN c THEN 1 END) END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 106)') ELSE (a) / (CASE WHEN (CASE WHEN c THEN 1 END) = 0 THEN error('division by zero: / CASE WHEN c THEN 1 END') ELSE (CASE WHEN c THEN 1 END) END) END) AS r;",
  ],
  [
    'CONCAT, LOG, REGEXP_REPLACE, APPROX_COUNT_DISTINCT',
    "SELECT CONCAT(a, '-', b), LOG(x), LOG(x, 2), REGEXP_REPLACE(s, 'a', 'b'), APPROX_COUNT_DISTINCT(u)",
    "SELECT (a || '-' || b), ln(x), (ln(x) / ln(2)), regexp_replace(s, 'a', 'b', 'g'), count(DISTINCT u);",
  ],
  [
    'FORMAT_* element by element; FORMAT through printf',
    "SELECT FORMAT_DATE('%e/%m', d), FORMAT_TIMESTAMP('%c', ts, 'UTC'), FORMAT('%5.2f|%t', x, y)",
    "SELECT (lpad(CAST(day(d) AS VARCHAR), 2, ' ') || strftime(d, '/%m')), (strftime(ts, '%a %b ') || lpad(CAST(day(ts) AS VARCHAR), 2, ' ') || strftime(ts, ' %H:%M:%S %Y')), " +
      "printf('%5.2f|%s', CAST(x AS DOUBLE), (CASE WHEN typeof(y) IN ('VARCHAR', 'BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT', 'BOOLEAN', 'DATE', '\"NULL\"') " +
      "THEN coalesce(CAST(y AS VARCHAR), 'NULL') ELSE error('FORMAT: %t of a ' || typeof(y) || ' is not supported') END));",
  ],
  [
    "clock and epoch conversions",
    "SELECT CURRENT_DATE('Europe/Paris'), CURRENT_DATETIME(), UNIX_SECONDS(ts), UNIX_MILLIS(ts), UNIX_MICROS(ts), TIMESTAMP_SECONDS(n), TIMESTAMP_MILLIS(n), TIMESTAMP_MICROS(n)",
    "SELECT CAST(timezone('Europe/Paris', current_timestamp) AS DATE), timezone('UTC', current_timestamp), CAST(floor(epoch(ts)) AS BIGINT), epoch_ms(ts), epoch_us(ts), to_timestamp(n), to_timestamp((n) / 1000), to_timestamp((n) / 1000000);",
  ],
  [
    "logic and JSON conversions",
    "SELECT LOGICAL_AND(b), LOGICAL_OR(b), INT64(j), FLOAT64(j), BOOL(j), LAX_INT64(j), LAX_FLOAT64(j), LAX_BOOL(j)",
    "SELECT bool_and(b), bool_or(b), CAST(j AS BIGINT), CAST(j AS DOUBLE), CAST(j AS BOOLEAN), TRY_CAST(j AS BIGINT), TRY_CAST(j AS DOUBLE), TRY_CAST(j AS BOOLEAN);",
  ],
  [
    "arrays, regexp test, civil time",
    "SELECT SPLIT(s), SPLIT(s, ';'), ARRAY_LENGTH(a), GENERATE_ARRAY(1, 3), GENERATE_UUID(), REGEXP_CONTAINS(s, 'x'), DATETIME(ts, 'UTC'), DATETIME(d), TIMESTAMP(dt, 'Europe/Paris')",
    "SELECT string_split(s, ','), string_split(s, ';'), len(a), generate_series(1, 3), CAST(uuid() AS VARCHAR), regexp_matches(s, 'x'), timezone('UTC', ts), CAST(d AS TIMESTAMP), timezone('Europe/Paris', CAST(dt AS TIMESTAMP));",
  ],
  [
    "parsing, JSON text",
    "SELECT PARSE_DATE('%F', s), PARSE_TIMESTAMP('%F', s, 'UTC'), FORMAT_DATETIME('%F', dt), JSON_QUERY_ARRAY(j), JSON_EXTRACT(j, '$.a'), PARSE_JSON(s)",
    "SELECT CAST(strptime(s, '%Y-%m-%d') AS DATE), timezone('UTC', strptime(s, '%Y-%m-%d')), strftime(dt, '%Y-%m-%d'), (CASE WHEN json_type(j, '$') = 'ARRAY' THEN json_extract(j, '$' || '[*]') END), json_extract(j, '$.a'), json(s);",
  ],
  [
    "LAST_DAY and week parts",
    "SELECT LAST_DAY(d, YEAR), LAST_DAY(d, ISOYEAR), LAST_DAY(d, WEEK(MONDAY)), LAST_DAY(d), DATE_TRUNC(d, ISOWEEK), TIMESTAMP_TRUNC(ts, WEEK(TUESDAY), 'UTC'), EXTRACT(WEEK(SATURDAY) FROM d)",
    "SELECT CAST(date_trunc('year', d) + INTERVAL 1 YEAR - INTERVAL 1 DAY AS DATE), CAST(date_trunc('week', make_date(isoyear(d), 12, 28)) + INTERVAL 6 DAY AS DATE), CAST(date_trunc('week', d) + INTERVAL 6 DAY AS DATE), last_day(d), time_bucket(INTERVAL 7 DAY, (d), DATE '2000-01-03'), timezone('UTC', (date_trunc('week', (timezone('UTC', ts)) + INTERVAL 6 DAY) - INTERVAL 6 DAY)), ((dayofyear(d) + 6 - ((dayofweek(d) - 6 + 7) % 7)) // 7);",
  ],
  [
    "SUBSTR, REGEXP_*, GREATEST/LEAST, DIV, week intervals and diffs",
    "SELECT SUBSTR(s, 2), SUBSTRING(s, 2, 3), REGEXP_EXTRACT(s, 'a(b)'), REGEXP_SUBSTR(s, 'ab'), REGEXP_EXTRACT_ALL(s, 'ab'), GREATEST(a, b), LEAST(a), DIV(a, b), TIMESTAMP_ADD(ts, INTERVAL n WEEK), DATE_DIFF(a, b, WEEK(FRIDAY)), DATETIME_DIFF(a, b, HOUR)",
    "SELECT substr(s, (CASE WHEN (2) = 0 OR (2) < -length(s) THEN 1 ELSE (2) END)), (CASE WHEN (3) < 0 THEN error('SUBSTRING: the length cannot be negative') ELSE substr(s, (CASE WHEN (2) = 0 OR (2) < -length(s) THEN 1 ELSE (2) END), 3) END), (CASE WHEN regexp_matches(s, 'a(b)') THEN regexp_extract(s, 'a(b)', 1) END), (CASE WHEN regexp_matches(s, 'ab') THEN regexp_extract(s, 'ab', 0) END), regexp_extract_all(s, 'ab', 0), (CASE WHEN (a) IS NULL OR (b) IS NULL THEN NULL ELSE greatest(a, b) END), (CASE WHEN (a) IS NULL THEN NULL ELSE least(a) END), ((a) // (CASE WHEN (b) = 0 THEN error('division by zero: DIV') ELSE (b) END)), (ts + INTERVAL (n) WEEK), (date_diff('day', (date_trunc('week', (b) + INTERVAL 3 DAY) - INTERVAL 3 DAY), (date_trunc('week', (a) + INTERVAL 3 DAY) - INTERVAL 3 DAY)) // 7), date_diff('hour', b, a);",
  ],
  [
    'PARSE_* spells BigQuery-only elements in strptime\'s, through one table',
    "SELECT PARSE_TIMESTAMP('%E*S|%E6S|%E3S|%F|%T|%R|%D|%Ez|%k|%l|%s|%%x', s), PARSE_DATETIME('%e %h %Y %I%p', s)",
    "SELECT CAST(strptime(s, '%S.%f|%S.%f|%S.%g|%Y-%m-%d|%H:%M:%S|%H:%M|%m/%d/%y|%z|%-H|%-I|%s|%%x') AS TIMESTAMPTZ), CAST(strptime(s, '%-d %b %Y %I%p') AS TIMESTAMP);",
  ],
  [
    "every strftime-spelled format element",
    "SELECT FORMAT_DATETIME('%A%a%B%b%h%d%j%m%U%W%w%Y%y%G%V%u%D%x%F%n%t%%%H%I%M%S%p%T%X%R%E3S%E6S', dt)",
    "SELECT strftime(dt, '%A%a%B%b%b%d%j%m%U%W%w%Y%y%G%V%u%m/%d/%y%m/%d/%y%Y-%m-%d\n\t%%%H%I%M%S%p%H:%M:%S%H:%M:%S%H:%M%S.%g%S.%f');",
  ],
  [
    "an empty format, a quote in the text, %E4Y",
    "SELECT FORMAT_DATE('', d), FORMAT_DATE(\"it's %E4Y\", d)",
    "SELECT CASE WHEN d IS NULL THEN NULL ELSE '' END, (strftime(d, 'it''s ') || lpad(CAST(year(d) AS VARCHAR), 4, '0'));",
  ],
  [
    "every kind of divisor: sign, typed literal, paths, parameter, subscript, nested CASE, number",
    "SELECT a / +b, a / NUMERIC '2', a / t.x, a / `q`, a / @p, a / arr[OFFSET(0)], a / s.f.g, a / s.`f`, a / CASE WHEN x THEN CASE WHEN y THEN 1 END END, a / 2.5 AS z",
    "SELECT (CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof(+b) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN (+b) = 0 THEN error('division by zero: / +b') ELSE (+b) END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 10)') ELSE (a) / (CASE WHEN (+b) = 0 THEN error('division by zero: / +b') ELSE (+b) END) END), (CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof(CAST('2' AS DECIMAL(38, 9))) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN (CAST('2' AS DECIMAL(38, 9))) = 0 THEN error('division by zero: / NUMERIC ''2''') ELSE (CAST('2' AS DECIMAL(38, 9))) END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 18)') ELSE (a) / (CASE WHEN (CAST('2' AS DECIMAL(38, 9))) = 0 THEN error('division by zero: / NUMERIC ''2''') ELSE (CAST('2' AS DECIMAL(38, 9))) END) END), (CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof(t.x) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN (t.x) = 0 THEN error('division by zero: / t.x') ELSE (t.x) END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 35)') ELSE (a) / (CASE WHEN (t.x) = 0 THEN error('division by zero: / t.x') ELSE (t.x) END) END), (CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof(\"q\") LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN (\"q\") = 0 THEN error('division by zero: / `q`') ELSE (\"q\") END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 44)') ELSE (a) / (CASE WHEN (\"q\") = 0 THEN error('division by zero: / `q`') ELSE (\"q\") END) END), (CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof($p) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN ($p) = 0 THEN error('division by zero: / @p') ELSE ($p) END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 53)') ELSE (a) / (CASE WHEN ($p) = 0 THEN error('division by zero: / @p') ELSE ($p) END) END), (CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof((CASE WHEN typeof((arr)) NOT LIKE '%[]' AND typeof((arr)) <> '\"NULL\"' THEN error('A subscript of a value that is not an ARRAY (JSON or STRUCT) is not supported embedded') WHEN (arr) IS NULL OR (0) IS NULL THEN NULL WHEN (0) < 0 OR (0) >= len((arr)) THEN error(concat('Array index ', CAST((0) AS VARCHAR), ' is out of bounds (OFFSET; array size ', CAST(len((arr)) AS VARCHAR), ')')) ELSE (arr)[(0) + 1] END)) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN ((CASE WHEN typeof((arr)) NOT LIKE '%[]' AND typeof((arr)) <> '\"NULL\"' THEN error('A subscript of a value that is not an ARRAY (JSON or STRUCT) is not supported embedded') WHEN (arr) IS NULL OR (0) IS NULL THEN NULL WHEN (0) < 0 OR (0) >= len((arr)) THEN error(concat('Array index ', CAST((0) AS VARCHAR), ' is out of bounds (OFFSET; array size ', CAST(len((arr)) AS VARCHAR), ')')) ELSE (arr)[(0) + 1] END)) = 0 THEN error('division by zero: / arr[OFFSET(0)]') ELSE ((CASE WHEN typeof((arr)) NOT LIKE '%[]' AND typeof((arr)) <> '\"NULL\"' THEN error('A subscript of a value that is not an ARRAY (JSON or STRUCT) is not supported embedded') WHEN (arr) IS NULL OR (0) IS NULL THEN NULL WHEN (0) < 0 OR (0) >= len((arr)) THEN error(concat('Array index ', CAST((0) AS VARCHAR), ' is out of bounds (OFFSET; array size ', CAST(len((arr)) AS VARCHAR), ')')) ELSE (arr)[(0) + 1] END)) END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 61)') ELSE (a) / (CASE WHEN ((CASE WHEN typeof((arr)) NOT LIKE '%[]' AND typeof((arr)) <> '\"NULL\"' THEN error('A subscript of a value that is not an ARRAY (JSON or STRUCT) is not supported embedded') WHEN (arr) IS NULL OR (0) IS NULL THEN NULL WHEN (0) < 0 OR (0) >= len((arr)) THEN error(concat('Array index ', CAST((0) AS VARCHAR), ' is out of bounds (OFFSET; array size ', CAST(len((arr)) AS VARCHAR), ')')) ELSE (arr)[(0) + 1] END)) = 0 THEN error('division by zero: / arr[OFFSET(0)]') ELSE ((CASE WHEN typeof((arr)) NOT LIKE '%[]' AND typeof((arr)) <> '\"NULL\"' THEN error('A subscript of a value that is not an ARRAY (JSON or STRUCT) is not supported embedded') WHEN (arr) IS NULL OR (0) IS NULL THEN NULL WHEN (0) < 0 OR (0) >= len((arr)) THEN error(concat('Array index ', CAST((0) AS VARCHAR), ' is out of bounds (OFFSET; array size ', CAST(len((arr)) AS VARCHAR), ')')) ELSE (arr)[(0) + 1] END)) END) END), (CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof(s.f.g) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN (s.f.g) = 0 THEN error('division by zero: / s.f.g') ELSE (s.f.g) END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 81)') ELSE (a) / (CASE WHEN (s.f.g) = 0 THEN error('division by zero: / s.f.g') ELSE (s.f.g) END) END), (CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof(s.\"f\") LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN (s.\"f\") = 0 THEN error('division by zero: / s.`f`') ELSE (s.\"f\") END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 92)') ELSE (a) / (CASE WHEN (s.\"f\") = 0 THEN error('division by zero: / s.`f`') ELSE (s.\"f\") END) END), (CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof(CASE WHEN x THEN CASE WHEN y THEN 1 END END) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN (CASE WHEN x THEN CASE WHEN y THEN 1 END END) = 0 THEN error('division by zero: / CASE WHEN x THEN CASE WHEN y THEN 1 END END') ELSE (CASE WHEN x THEN CASE WHEN y THEN 1 END END) END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 103)') ELSE (a) / (CASE WHEN (CASE WHEN x THEN CASE WHEN y THEN 1 END END) = 0 THEN error('division by zero: / CASE WHEN x THEN CASE WHEN y THEN 1 END END') ELSE (CASE WHEN x THEN CASE WHEN y THEN 1 END END) END) END), (CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof(CAST(2.5 AS DOUBLE)) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST((CASE WHEN (CAST(2.5 AS DOUBLE)) = 0 THEN error('division by zero: / 2.5') ELSE (CAST(2.5 AS DOUBLE)) END) AS VARCHAR), 0), '') || 'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 1, column 152)') ELSE (a) / (CASE WHEN (CAST(2.5 AS DOUBLE)) = 0 THEN error('division by zero: / 2.5') ELSE (CAST(2.5 AS DOUBLE)) END) END) AS z;",
  ],
  [
    "FORMAT: every supported specifier, flags, precision on %t, a quote, %%",
    "SELECT FORMAT(\"%F|%e|%g|%G|%i|%o|%X|%E|%%|%.3t|%-5t|it's\", a, b, c, d, e, f, g, h, i, j)",
    "SELECT printf('%F|%e|%g|%G|%i|%o|%X|%E|%%|%.3s|%-5s|it''s', CAST(a AS DOUBLE), CAST(b AS DOUBLE), CAST(c AS DOUBLE), CAST(d AS DOUBLE), e, f, g, CAST(h AS DOUBLE), (CASE WHEN typeof(i) IN ('VARCHAR', 'BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT', 'BOOLEAN', 'DATE', '\"NULL\"') THEN coalesce(CAST(i AS VARCHAR), 'NULL') ELSE error('FORMAT: %t of a ' || typeof(i) || ' is not supported') END), (CASE WHEN typeof(j) IN ('VARCHAR', 'BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT', 'BOOLEAN', 'DATE', '\"NULL\"') THEN coalesce(CAST(j AS VARCHAR), 'NULL') ELSE error('FORMAT: %t of a ' || typeof(j) || ' is not supported') END));",
  ],
  [
    "MICROSECOND … DAY parts as DuckDB names them",
    "SELECT DATE_DIFF(a, b, MICROSECOND), DATE_DIFF(a, b, MILLISECOND), DATE_DIFF(a, b, SECOND), DATE_DIFF(a, b, MINUTE), EXTRACT(DAYOFYEAR FROM a), EXTRACT(QUARTER FROM a), EXTRACT(ISOYEAR FROM a), EXTRACT(YEAR FROM a)",
    "SELECT date_diff('microsecond', b, a), date_diff('millisecond', b, a), date_diff('second', b, a), date_diff('minute', b, a), date_part('doy', a), date_part('quarter', a), date_part('isoyear', a), date_part('year', a);",
  ],
  ['STRUCT constructor', "SELECT STRUCT(1 AS a, 'x' AS b, c, c + 1)", 'SELECT struct_pack("a" := 1, "b" := \'x\', "c" := c, "_field_4" := c + 1);'],
  ['EXCEPT columns, IN UNNEST and @params', 'SELECT * EXCEPT (a, b) FROM t WHERE x IN UNNEST(@ids) AND y = @y', 'SELECT * EXCLUDE (a, b) FROM t WHERE x IN (SELECT unnest($ids)) AND y = $y;'],
  [
    'array subscripts and SAFE.',
    "SELECT arr[OFFSET(0)], arr[SAFE_ORDINAL(1)], SAFE.PARSE_DATE('%F', s), SAFE.LOWER(s)",
    `SELECT ${offset0}, ${subscriptExpression('arr', 'SAFE_ORDINAL', '1')}, try(CAST(strptime(s, '%Y-%m-%d') AS DATE)), try(LOWER(s));`,
  ],
  [
    'windows and QUALIFY pass through',
    'SELECT * FROM events QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY received_at) = 1',
    'SELECT * FROM events QUALIFY ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY received_at) = 1;',
  ],
  [
    'interval amounts that are expressions get parentheses; literals stay',
    'SELECT TIMESTAMP_ADD(ts, INTERVAL s.window_hours HOUR), TIMESTAMP_SUB(ts, INTERVAL 2 * n DAY), TIMESTAMP_ADD(ts, INTERVAL 5 MINUTE)',
    'SELECT (ts + INTERVAL (s.window_hours) HOUR), (ts - INTERVAL (2 * n) DAY), (ts + INTERVAL 5 MINUTE);',
  ],
  ['UNNEST in FROM: the alias names the element, not the row', 'SELECT p FROM UNNEST(arr) AS p, UNNEST(b) q JOIN t ON TRUE', 'SELECT p FROM UNNEST(arr) AS "p"("p"), UNNEST(b) AS "q"("q") JOIN t ON TRUE;'],
  [
    'nested calls, several statements',
    "SELECT COUNTIF(JSON_VALUE(properties, '$.sku') = @sku) FROM events; SELECT 2",
    "SELECT count(CASE WHEN (CASE WHEN json_type(properties, '$.sku') IN ('OBJECT', 'ARRAY') THEN NULL ELSE json_extract_string(properties, '$.sku') END) = $sku THEN 1 END) FROM events;\nSELECT 2;",
  ],
];

describe('translateBigQueryToDuckDb', () => {
  for (const [what, bigquery, duckdb] of cases) {
    test(what, () => assert.equal(translateBigQueryToDuckDb(bigquery), duckdb));
  }

  test('unquoted dashed project ids after FROM and JOIN, through a known dataset', () => {
    assert.equal(
      translateBigQueryToDuckDb('SELECT * FROM my-project-123.nudge.events e JOIN shop-prod.analytics_prod.decisions d USING (person_id)', { datasets: ['analytics_prod'] }),
      'SELECT * FROM "events" e JOIN "decisions" d USING (person_id);',
    );
  });

  test('a project path through another dataset is refused, not read as this warehouse', () => {
    for (const sql of ['SELECT * FROM other-project.analytics.events', 'SELECT * FROM `p.analytics.events`']) {
      assert.throws(() => translateBigQueryToDuckDb(sql), /Dataset "(other-project|p)\.analytics" is not this warehouse's.*NUDGE_BIGQUERY_DATASET.*\(line 1, column 15\)/);
    }
  });

  test('a refusal inside nested calls names the innermost construct\'s line and column', () => {
    assert.throws(
      () => translateBigQueryToDuckDb('SELECT\n  COUNT(*),\n  SUM(DATE_DIFF(a, b)) AS x\nFROM t'),
      (error: unknown) => error instanceof BigQueryTranslationError && error.line === 3 && error.column === 7 && /DATE_DIFF takes 3 argument\(s\), got 2 \(line 3, column 7\)/.test(error.message),
    );
  });

  test('extra dataset names can be dropped too', () => {
    assert.equal(translateBigQueryToDuckDb('SELECT * FROM shop.orders', { datasets: ['shop'] }), 'SELECT * FROM orders;');
  });

  test('nameColumns: anonymous items of every SELECT list get placeholder aliases; names, paths, stars and DDL do not', () => {
    const [query] = translateStatements('SELECT a, t.b, COUNT(*), x + 1 AS y, z w, CASE WHEN c THEN 1 END, * EXCEPT (d) FROM (SELECT MAX(e) FROM u) t', { nameColumns: true });
    assert.equal(
      query!.sql,
      'SELECT a, t.b, COUNT(*) AS "_bq_anonymous_1", x + 1 AS y, z AS w, CASE WHEN c THEN 1 END AS "_bq_anonymous_2", * EXCLUDE (d) FROM (SELECT MAX(e) AS "_bq_anonymous_3" FROM u) t',
    );
    assert.equal(translateStatements('CREATE VIEW v AS SELECT COUNT(*) AS n FROM t', { nameColumns: true })[0]!.sql, 'CREATE VIEW v AS SELECT COUNT(*) AS n FROM t');
    assert.equal(translateStatements('SELECT COUNT(*) FROM t')[0]!.sql, 'SELECT COUNT(*) FROM t', 'off unless asked for');
  });

  test('translateStatements reports the parameters each statement uses', () => {
    assert.deepEqual(translateStatements('SELECT @a; SELECT @b, @a;'), [
      { sql: 'SELECT $a', params: ['a'] },
      { sql: 'SELECT $b, $a', params: ['b', 'a'] },
    ]);
  });

  const refused: [string, RegExp][] = [
    ["SELECT b'abc'", /Bytes literals/],
    ['DECLARE x INT64', /scripting \(DECLARE\)/],
    ['SELECT @@project_id', /System variables/],
    ['CREATE TABLE t (\n  a STRING,\n  g GEOGRAPHY)', /Unsupported type "GEOGRAPHY" \(line 3, column 5\)/],
    ['SELECT * FROM ${dataset}', /must qualify a table/],
    ['SELECT DATE_DIFF(a, b)', /DATE_DIFF takes 3/],
    ['SELECT TIMESTAMP_TRUNC(ts, FORTNIGHT)', /unsupported date part "FORTNIGHT"/],
    ['SELECT * FROM UNNEST(arr) WITH OFFSET AS o', /WITH OFFSET needs an alias for the element.*\(line 1, column 27\)/],
    ['SELECT TIMESTAMP_ADD(ts, INTERVAL n FORTNIGHT)', /unsupported date part "FORTNIGHT"/],
    ['SELECT ML.PREDICT(x) FROM t', /ML\.PREDICT: BigQuery ML functions are not supported \(line 1, column 8\)/],
    ['SELECT nudge.add_four(1)', /nudge\.add_four\(\.\.\.\): user-defined functions are not supported/],
    ['SELECT NET.HOST(url) FROM t', /NET\.HOST: NET\. functions are not supported/],
    ['SELECT ST_DISTANCE(a, b) FROM t', /ST_DISTANCE: geography functions are not supported/],
    ['CREATE MODEL nudge.m OPTIONS (model_type = "linear_reg") AS SELECT 1 AS label', /BigQuery ML models are not supported \(line 1, column 8\)/],
    ["SELECT 'abc\n", /Unterminated literal[\s\S]*\(line 1, column 8\)/],
    ['SELECT DATE_TRUNC(d, WEEK(FUNDAY))', /unsupported date part "WEEK\(FUNDAY\)"/],
    ['SELECT TIMESTAMP_DIFF(a, b, MONTH)', /TIMESTAMP_DIFF: BigQuery does not support date part MONTH/],
    ["SELECT REGEXP_EXTRACT(s, '(a)(b)')", /REGEXP_EXTRACT: the regular expression has 2 capturing groups/],
    ['SELECT REGEXP_EXTRACT(s, p)', /REGEXP_EXTRACT: the regular expression must be a string literal/],
    ["SELECT REGEXP_EXTRACT(s, 'a', 2)", /REGEXP_EXTRACT with a position or occurrence is not supported/],
    ['SELECT 1 / ', /"\/" needs a divisor/],
    ['SELECT CONCAT()', /CONCAT takes at least 1 argument/],
    ['SELECT FORMAT_TIMESTAMP(f, ts)', /FORMAT_TIMESTAMP: the format must be a string literal/],
    ["SELECT FORMAT_DATE('%H', d)", /FORMAT_DATE: format element "%H" needs a time/],
    ["SELECT FORMAT_DATETIME('%Z', d)", /FORMAT_DATETIME: format element "%Z" is supported only for a TIMESTAMP formatted in UTC/],
    ["SELECT FORMAT_TIMESTAMP('%s', ts, tz)", /FORMAT_TIMESTAMP: format element "%s" is supported only/],
    ["SELECT FORMAT_TIMESTAMP('%Y%', ts)", /format element "%" is not supported/],
    ["SELECT FORMAT('%d %d', 1)", /FORMAT: "%d" has no argument/],
    ["SELECT FORMAT('%d', 1, 2)", /FORMAT: 1 argument\(s\) more than the format uses/],
    ["SELECT FORMAT('%T', 1)", /FORMAT: specifier "%T" is not supported/],
    ['SELECT FORMAT()', /FORMAT takes a format/],
    ["SELECT FORMAT('%q', 1)", /FORMAT: specifier "%q" is not supported/],
    ["SELECT FORMAT('a %5', 1)", /FORMAT: specifier "%5" is not supported/],
    ['SELECT a / CASE WHEN x THEN 1', /CASE without END/],
    ['SELECT a / ,', /Cannot read the divisor after "\/" at ","/],
    ['SELECT LAST_DAY(d, DAY)', /LAST_DAY: unsupported date part "DAY"/],
    ['SELECT TIMESTAMP_ADD(ts, INTERVAL n ISOWEEK)', /INTERVAL \.\.\. ISOWEEK is not a BigQuery interval/],
    ['SELECT EXTRACT(HOUR ts)', /EXTRACT expects \(part FROM expression\)/],
    ['SELECT EXTRACT(WEEK(MONDAY, 2) FROM d)', /EXTRACT: unsupported date part "WEEK\(MONDAY,2\)"/],
    ["SELECT PARSE_TIMESTAMP('%c', s)", /PARSE_TIMESTAMP: format element "%c" is not supported/],
    ["SELECT PARSE_DATE('%Y-%U', s)", /PARSE_DATE: format element "%U" is not supported/],
    ["SELECT PARSE_TIMESTAMP('%F %X', s)", /PARSE_TIMESTAMP: format element "%X" is not supported/],
    ["SELECT PARSE_DATE('%F %H', s)", /PARSE_DATE: format element "%H" needs a time/],
    ['SELECT PARSE_DATE(f, s)', /PARSE_DATE: the format must be a string literal here/],
    ['SELECT SUBSTR(s)', /SUBSTR takes 2 or 3 argument\(s\), got 1/],
    ['SELECT GREATEST()', /GREATEST takes at least 1 argument/],
    ['SELECT DATE_DIFF(a, b, WEEK(MONDAY)) / ', /"\/" needs a divisor/],
    ['SELECT x / * FROM t', /Cannot read the divisor after "\/" at "\*"/],
    ["SELECT REGEXP_EXTRACT_ALL(s, '(a)(b)')", /REGEXP_EXTRACT_ALL: the regular expression has 2 capturing groups/],
  ];
  for (const [sql, message] of refused) {
    test(`refuses clearly: ${sql}`, () => {
      assert.throws(() => translateBigQueryToDuckDb(sql), (error: unknown) => error instanceof BigQueryTranslationError && message.test(error.message));
    });
  }
});

/**
 * The translation must also mean what BigQuery means: each query runs in DuckDB on a fixture and
 * its result is the one BigQuery returns for the same query (values worked out from BigQuery's
 * documented semantics).
 */
describe('translated queries give BigQuery results', () => {
  let connection: DuckDBConnection;
  let instance: DuckDBInstance;
  before(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    await connection.run(
      translateBigQueryToDuckDb(`CREATE TABLE \`\${dataset}.t\` (id STRING NOT NULL, props JSON, ts TIMESTAMP, n STRING);
        INSERT INTO nudge.t VALUES
          ("a", JSON '{"price": 10.5, "sku": "S1", "tags": ["x"]}', TIMESTAMP '2026-11-29 23:30:00+00', "7"),
          ("b", JSON '{"price": 2, "sku": "S2"}', TIMESTAMP '2026-11-30 00:15:00+00', "seven"),
          ("c", JSON '{}', TIMESTAMP '2026-11-30 10:00:00+00', NULL)`),
    );
  });
  after(() => {
    connection.closeSync();
    instance.closeSync();
  });

  const run = async (sql: string, params: Record<string, string> = {}) => {
    const [statement] = translateStatements(sql);
    return readPlainRows(await connection.runAndReadAll(statement!.sql, statement!.params.length ? params : undefined));
  };

  const queries: [string, string, Record<string, unknown>[], Record<string, string>?][] = [
    ['JSON_VALUE reads text, compared as text', "SELECT id FROM t WHERE JSON_VALUE(props, '$.sku') = @sku", [{ id: 'b' }], { sku: 'S2' }],
    ['JSON_VALUE of a missing path is NULL', "SELECT JSON_VALUE(props, '$.sku') AS sku FROM t WHERE id = 'c'", [{ sku: null }]],
    ['numbers from JSON add up', "SELECT SUM(SAFE_CAST(JSON_VALUE(props, '$.price') AS FLOAT64)) AS revenue FROM t", [{ revenue: 12.5 }]],
    ['COUNTIF counts', "SELECT COUNTIF(JSON_VALUE(props, '$.price') IS NOT NULL) AS priced FROM t", [{ priced: 2 }]],
    ['COUNTIF of nothing, or of NULLs only, is 0 (not NULL)', "SELECT COUNTIF(id = 'none') AS a, COUNTIF(n = 'x') AS b, COUNTIF(NULL) AS c FROM t WHERE id = 'c'", [{ a: 0, b: 0, c: 0 }]],
    ['COUNTIF over no row at all is 0', "SELECT COUNTIF(TRUE) AS n FROM t WHERE id = 'none'", [{ n: 0 }]],
    ['SAFE_CAST gives NULL, not an error', 'SELECT id, SAFE_CAST(n AS INT64) AS n FROM t ORDER BY id', [{ id: 'a', n: 7 }, { id: 'b', n: null }, { id: 'c', n: null }]],
    ['DATE(ts) is the UTC day', 'SELECT DATE(ts) AS day, COUNT(*) AS n FROM t GROUP BY day ORDER BY day', [{ day: '2026-11-29', n: 1 }, { day: '2026-11-30', n: 2 }]],
    ['DATE(ts, tz) is the local day', "SELECT DATE(ts, 'Europe/Paris') AS day FROM t WHERE id = 'a'", [{ day: '2026-11-30' }]],
    ['TIMESTAMP_DIFF is end minus start', 'SELECT TIMESTAMP_DIFF(MAX(ts), MIN(ts), MINUTE) AS m FROM t', [{ m: 630 }]],
    [
      'TIMESTAMP_DIFF counts whole intervals (BigQuery doc examples)',
      'SELECT TIMESTAMP_DIFF(TIMESTAMP "2010-07-07 10:20:00+00", TIMESTAMP "2008-12-25 15:30:00+00", HOUR) AS a, ' +
        'TIMESTAMP_DIFF(TIMESTAMP "2001-02-01 01:00:00+00", TIMESTAMP "2001-02-01 00:00:01+00", HOUR) AS b',
      [{ a: 13410, b: 0 }],
    ],
    ['DATE_DIFF counts boundaries', "SELECT DATE_DIFF(DATE '2026-02-01', DATE '2026-01-31', MONTH) AS m", [{ m: 1 }]],
    ['TIMESTAMP_SUB with an interval', "SELECT id FROM t WHERE ts > TIMESTAMP_SUB(TIMESTAMP '2026-11-30 10:00:00+00', INTERVAL 10 HOUR) ORDER BY id", [{ id: 'b' }, { id: 'c' }]],
    ['FORMAT_TIMESTAMP with %F %T', "SELECT FORMAT_TIMESTAMP('%F %T', ts) AS f FROM t WHERE id = 'b'", [{ f: '2026-11-30 00:15:00' }]],
    ['EXTRACT(DAYOFWEEK) numbers Sunday 1', "SELECT EXTRACT(DAYOFWEEK FROM ts) AS dow FROM t WHERE id = 'a'", [{ dow: 1 }]],
    ['TIMESTAMP_TRUNC to the day stays a timestamp', "SELECT TIMESTAMP_TRUNC(ts, DAY) AS d FROM t WHERE id = 'c'", [{ d: '2026-11-30T00:00:00.000Z' }]],
    ['string parameter compared with a TIMESTAMP', 'SELECT COUNT(*) AS n FROM t WHERE ts >= @since', [{ n: 2 }], { since: '2026-11-30T00:00:00Z' }],
    ['array OFFSET is zero-based', "SELECT ['p', 'q'][OFFSET(1)] AS second", [{ second: 'q' }]],
    ['SELECT * EXCEPT', "SELECT * EXCEPT (props, ts, n) FROM t WHERE id = 'a'", [{ id: 'a' }]],
    [
      'JSON_TYPE names types as BigQuery does',
      "SELECT JSON_TYPE(JSON_QUERY(props, '$.price')) AS a, JSON_TYPE(JSON_QUERY(props, '$.sku')) AS b, JSON_TYPE(JSON_QUERY(props, '$.tags')) AS c, JSON_TYPE(props) AS d, " +
        "JSON_TYPE(JSON 'true') AS e, JSON_TYPE(JSON 'null') AS f, JSON_TYPE(JSON '2') AS g, JSON_TYPE(JSON_QUERY(props, '$.none')) AS h FROM t WHERE id = 'a'",
      [{ a: 'number', b: 'string', c: 'array', d: 'object', e: 'boolean', f: 'null', g: 'number', h: null }],
    ],
    [
      'UNNEST(JSON_QUERY_ARRAY(...)) AS x yields the elements; no array, no rows',
      "SELECT id, (SELECT STRING_AGG(JSON_VALUE(tag), ',') FROM UNNEST(JSON_QUERY_ARRAY(props, '$.tags')) AS tag) AS tags, " +
        "(SELECT COUNT(*) FROM UNNEST(JSON_QUERY_ARRAY(props, '$.sku')) AS x) AS n FROM t ORDER BY id",
      [{ id: 'a', tags: 'x', n: 0 }, { id: 'b', tags: null, n: 0 }, { id: 'c', tags: null, n: 0 }],
    ],
    ['an interval read from a column', "SELECT TIMESTAMP_ADD(ts, INTERVAL SAFE_CAST(n AS INT64) HOUR) AS later FROM t WHERE id = 'a'", [{ later: '2026-11-30T06:30:00.000Z' }]],
    ['QUALIFY keeps one row per key', 'SELECT DATE(ts) AS day, id FROM t QUALIFY ROW_NUMBER() OVER (PARTITION BY DATE(ts) ORDER BY ts DESC) = 1 ORDER BY day', [{ day: '2026-11-29', id: 'a' }, { day: '2026-11-30', id: 'c' }]],
  ];
  for (const [what, sql, expected, params] of queries) {
    test(what, async () => assert.deepEqual(await run(sql, params), expected));
  }
});
