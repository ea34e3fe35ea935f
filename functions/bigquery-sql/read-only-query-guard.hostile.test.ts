import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findForbiddenConstruct } from './read-only-query-guard.ts';

// The guard refuses DuckDB's file and settings functions by name (read_text, duckdb_settings,
// current_setting, …). A backtick-quoted name is the same function to DuckDB (the translator turns
// `x` into "x"), so it must be refused too. Found by an adversarial pass: each of these ran.
for (const sql of [
  "SELECT * FROM `read_text`('/etc/hostname')",
  'SELECT * FROM `duckdb_settings`()',
  "SELECT `current_setting`('threads') AS t",
  "SELECT * FROM `pragma_table_info`('events')",
  "SELECT * FROM `query`('SELECT 42 AS x')",
  "SELECT * FROM nudge.`read_text`('/etc/hostname')",
]) {
  test(`read-only guard refuses a quoted DuckDB function: ${sql}`, () => {
    assert.match(findForbiddenConstruct(sql) ?? 'allowed', /not allowed/);
  });
}

for (const sql of [
  "SELECT * FROM `nudge.read_text`('/etc/hostname')",
  'SELECT * FROM `DuckDB_Settings` ()',
  "SELECT `getenv`('HOME') AS home",
]) {
  test(`read-only guard refuses a quoted DuckDB function: ${sql}`, () => {
    assert.match(findForbiddenConstruct(sql) ?? 'allowed', /not allowed/);
  });
}

// Valid BigQuery the guard must let through.
for (const sql of [
  '(SELECT 1 AS a) UNION ALL (SELECT 2)',
  '((SELECT 1 AS a))',
  'SELECT 1;;',
  'SELECT 1; ; ',
  'SELECT x IS DISTINCT FROM \'a\' AS d FROM UNNEST([\'b\']) AS x',
  'SELECT EXTRACT(DAY FROM CURRENT_DATE()) AS d',
  'SELECT `events`.x FROM nudge.events AS `events`',
]) {
  test(`read-only guard allows: ${sql}`, () => {
    assert.equal(findForbiddenConstruct(sql), null);
  });
}
test('read-only guard still refuses a second statement after ;;', () => {
  assert.match(findForbiddenConstruct('SELECT 1;; DELETE FROM t') ?? 'allowed', /second|not allowed/);
});
test('read-only guard still refuses a parenthesised non-SELECT', () => {
  assert.match(findForbiddenConstruct('(DELETE FROM t)') ?? 'allowed', /not allowed|only a SELECT/);
});
