import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isSignificant, tokenize, type Token } from '../../bigquery-sql/bigquery-tokens.ts';
import { findDividendStart, guardedAverageArgument, guardedDivision, guardedDivisor } from './numeric-division.ts';

/** The dividend text findDividendStart reads back from the last `/` of `sql`, or undefined. */
function dividendOf(sql: string): string | undefined {
  const tokens = tokenize(sql);
  const slashAt = lastIndexWhere(tokens, (token) => token.kind === 'op' && token.value === '/');
  const start = findDividendStart(tokens, slashAt);
  return start === undefined ? undefined : tokens.slice(start, slashAt).filter(isSignificant).map((token) => token.text).join(' ');
}

/** The last index whose token matches (Array#findLastIndex needs ES2023 typings). */
function lastIndexWhere(tokens: readonly Token[], match: (token: Token) => boolean): number {
  for (let i = tokens.length - 1; i >= 0; i--) if (match(tokens[i]!)) return i;
  return -1;
}

describe('findDividendStart: the dividend of a / read back', () => {
  const cases: [string, string | undefined][] = [
    ['SELECT a / b', 'a'],
    ['SELECT x + a / b', 'a'],
    ['SELECT x - a / b', 'a'],
    ['SELECT -a / b', '- a'],
    ['SELECT x - -a / b', '- a'],
    ['SELECT +a / b', '+ a'],
    ['SELECT a * b / c', 'a * b'],
    ['SELECT x + a * b / c', 'a * b'],
    ['SELECT a / b / c', 'a / b'],
    ['SELECT t.col / 2', 't . col'],
    ['SELECT `t`.`col` / 2', '`t` . `col`'],
    ['SELECT s.f.g / 2', 's . f . g'],
    ['SELECT f(x).field / 2', 'f ( x ) . field'],
    ['SELECT (a + b).field / 2', '( a + b ) . field'],
    ['SELECT (a + b) / c', '( a + b )'],
    ['SELECT f(x) / y', 'f ( x )'],
    ['SELECT `f`(x) / y', '`f` ( x )'],
    ['SELECT nudge.f(x) / y', 'nudge . f ( x )'],
    ['SELECT CAST(x AS NUMERIC) / 3', 'CAST ( x AS NUMERIC )'],
    ['SELECT IF(c, 1, 2) / 3', 'IF ( c , 1 , 2 )'],
    ['SELECT SUM(x) OVER (PARTITION BY g) / 2', 'SUM ( x ) OVER ( PARTITION BY g )'],
    ['SELECT SUM(x) OVER w / 2', 'SUM ( x ) OVER w'],
    ['SELECT CASE WHEN c THEN 1 ELSE 2 END / 2', 'CASE WHEN c THEN 1 ELSE 2 END'],
    ['SELECT CASE WHEN c THEN CASE WHEN d THEN 1 END END / 2', 'CASE WHEN c THEN CASE WHEN d THEN 1 END END'],
    ['SELECT arr[OFFSET(0)] / 2', 'arr [ OFFSET ( 0 ) ]'],
    ['SELECT f(x)[OFFSET(0)] / 2', 'f ( x ) [ OFFSET ( 0 ) ]'],
    ['SELECT [1, 2][OFFSET(0)] / 2', '[ 1 , 2 ] [ OFFSET ( 0 ) ]'],
    ['SELECT ARRAY<INT64>[1][OFFSET(0)] / 2', undefined],
    ["SELECT NUMERIC '5' / 3", "NUMERIC '5'"],
    ["SELECT 'a' / 3", "'a'"],
    ['SELECT 5 / 3', '5'],
    ['SELECT @p / 3', '@p'],
    ['SELECT NULL / 3', 'NULL'],
    ['SELECT TRUE / 3', 'TRUE'],
    ['SELECT x IS NULL / 3', undefined],
    ['SELECT x AND / 3', undefined],
    ['SELECT WHERE / 3', undefined],
    ['SELECT x + ) / 3', undefined],
    ['SELECT ] / 3', undefined],
    ['SELECT (CASE WHEN c THEN 1 END) / 2 - 1 / x', '1'],
    ['SELECT a / b', 'a'],
    ['SELECT (a) - b / c', 'b'],
    ['SELECT (a) - -b / c', '- b'],
    ["SELECT 'x' - b / c", 'b'],
    ['SELECT 1 - b / c', 'b'],
    ['SELECT @p - b / c', 'b'],
    ['SELECT `q` - b / c', 'b'],
    ['SELECT END - b / c', 'b'],
    ['SELECT x AND -b / c', '- b'],
    ['SELECT (a).b.c / 2', '( a ) . b . c'],
  ];
  for (const [sql, expected] of cases) {
    test(`${sql} → ${expected ?? '(not read back)'}`, () => assert.equal(dividendOf(sql), expected));
  }
});

describe('the guards DuckDB evaluates', () => {
  const at = tokenize('SELECT\n  a / b').find((token) => token.value === '/')!;
  test('a division is refused when either side is a DECIMAL, the divisor checked first, and names where', () => {
    const sql = guardedDivision('a', 'b', 'CHECKED(b)', at);
    assert.equal(
      sql,
      "(CASE WHEN typeof(a) LIKE 'DECIMAL%' OR typeof(b) LIKE 'DECIMAL%' THEN error(coalesce(left(CAST(CHECKED(b) AS VARCHAR), 0), '') || " +
        "'Division of a NUMERIC is not supported embedded: BigQuery answers a NUMERIC (rounded to 9 decimals) where DuckDB would answer a FLOAT64; CAST an operand AS FLOAT64 for a FLOAT64 answer (line 2, column 5)') ELSE (a) / CHECKED(b) END)",
    );
  });
  test('the divisor alone, and AVG', () => {
    assert.match(guardedDivisor('b', 'CHECKED(b)', at), /^\(CASE WHEN typeof\(b\) LIKE 'DECIMAL%' THEN error\(coalesce\(left\(CAST\(CHECKED\(b\) AS VARCHAR\), 0\), ''\) \|\| 'Division by a NUMERIC is not supported embedded: .*\(line 2, column 5\)'\) ELSE CHECKED\(b\) END\)$/);
    assert.match(guardedAverageArgument('x', at), /^\(CASE WHEN typeof\(x\) LIKE 'DECIMAL%' THEN error\('AVG of a NUMERIC is not supported embedded: .*'\) ELSE x END\)$/);
  });
});
