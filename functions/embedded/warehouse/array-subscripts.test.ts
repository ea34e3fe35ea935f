import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isSignificant, tokenize, type Token } from '../../bigquery-sql/bigquery-tokens.ts';
import { isSubscript, operandStart, readSubscript, subscriptExpression } from './array-subscripts.ts';

const text = (tokens: readonly { text: string; kind: string }[]) => tokens.filter((token) => token.kind !== 'space' && token.kind !== 'comment').map((token) => token.text).join(' ');
/** The last `[` of the SQL: whether it subscripts, and the operand it subscripts. */
function lastBracket(sql: string): { subscript: boolean; operand?: string } {
  const tokens = tokenize(sql);
  const open = lastIndexWhere(tokens, (token) => token.kind === 'op' && token.value === '[');
  if (!isSubscript(tokens, open)) return { subscript: false };
  return { subscript: true, operand: text(tokens.slice(operandStart(tokens, open), open)) };
}

/** The last index whose token matches (Array#findLastIndex needs ES2023 typings). */
function lastIndexWhere(tokens: readonly Token[], match: (token: Token) => boolean): number {
  for (let i = tokens.length - 1; i >= 0; i--) if (match(tokens[i]!)) return i;
  return -1;
}

describe('isSubscript and operandStart: what a [ subscripts', () => {
  const cases: [string, { subscript: boolean; operand?: string }][] = [
    ['SELECT [1, 2]', { subscript: false }],
    ['SELECT x, [1]', { subscript: false }],
    ['SELECT IN [1]', { subscript: false }],
    ['SELECT arr[0]', { subscript: true, operand: 'arr' }],
    ['SELECT t.arr[0]', { subscript: true, operand: 't . arr' }],
    ['SELECT `t`.`arr`[0]', { subscript: true, operand: '`t` . `arr`' }],
    ['SELECT @arr[0]', { subscript: true, operand: '@arr' }],
    ['SELECT SPLIT(s)[OFFSET(0)]', { subscript: true, operand: 'SPLIT ( s )' }],
    ['SELECT SAFE.SPLIT(s)[OFFSET(0)]', { subscript: true, operand: 'SAFE . SPLIT ( s )' }],
    ['SELECT IF(c, a, b)[OFFSET(0)]', { subscript: true, operand: 'IF ( c , a , b )' }],
    ['SELECT (SELECT ARRAY_AGG(x) FROM t)[OFFSET(0)]', { subscript: true, operand: '( SELECT ARRAY_AGG ( x ) FROM t )' }],
    ['SELECT [1, 2][OFFSET(0)]', { subscript: true, operand: '[ 1 , 2 ]' }],
    ['SELECT ARRAY<INT64>[1, 2][OFFSET(0)]', { subscript: true, operand: 'ARRAY < INT64 > [ 1 , 2 ]' }],
    ['SELECT ARRAY[1, 2][OFFSET(0)]', { subscript: true, operand: 'ARRAY [ 1 , 2 ]' }],
    ['SELECT ARRAY(SELECT 1)[OFFSET(0)]', { subscript: true, operand: 'ARRAY ( SELECT 1 )' }],
    ['SELECT ARRAY<STRUCT<a INT64>>[(1)][OFFSET(0)]', { subscript: true, operand: 'ARRAY < STRUCT < a INT64 > > [ ( 1 ) ]' }],
    ['SELECT m[OFFSET(0)][OFFSET(1)]', { subscript: true, operand: 'm [ OFFSET ( 0 ) ]' }],
    ['SELECT f(x).arr[OFFSET(0)]', { subscript: true, operand: 'f ( x ) . arr' }],
    ['SELECT s.a[OFFSET(0)].b[OFFSET(1)]', { subscript: true, operand: 's . a [ OFFSET ( 0 ) ] . b' }],
    ['SELECT 1 + arr[0]', { subscript: true, operand: 'arr' }],
    ['SELECT (arr)[0]', { subscript: true, operand: '( arr )' }],
  ];
  for (const [sql, expected] of cases) test(`${sql}`, () => assert.deepEqual(lastBracket(sql), expected));

  test('a subscript of a window call is refused, naming it', () => {
    const tokens = tokenize('SELECT ARRAY_AGG(x) OVER (ORDER BY y)[OFFSET(0)]');
    const open = lastIndexWhere(tokens, (token) => token.value === '[');
    assert.throws(() => operandStart(tokens, open), /subscript of a window function call is not supported/);
  });
  test('unbalanced brackets and type angles are refused', () => {
    const close = tokenize('SELECT x)[0]');
    assert.throws(() => operandStart(close, lastIndexWhere(close, (token) => token.value === '[')), /Unbalanced "\)"/);
    const angle = tokenize('SELECT INT64>[1][0]');
    assert.throws(() => operandStart(angle, lastIndexWhere(angle, (token) => token.value === '[')), /Unbalanced "<"/);
  });
});

describe('readSubscript: what is asked for', () => {
  const read = (sql: string) => {
    const tokens = tokenize(sql);
    const open = tokens.findIndex((token) => token.value === '[');
    const subscript = readSubscript(tokens, open);
    return { kind: subscript.kind, index: text(subscript.tokens.filter(isSignificant)), endsAtClose: tokens[subscript.end]!.value === ']' && subscript.end === tokens.length - 1 };
  };
  test('each kind, a bare index as OFFSET, expressions inside', () => {
    assert.deepEqual(read('a[OFFSET(1)]'), { kind: 'OFFSET', index: '1', endsAtClose: true });
    assert.deepEqual(read('a[ordinal(i + 1)]'), { kind: 'ORDINAL', index: 'i + 1', endsAtClose: true });
    assert.deepEqual(read('a[SAFE_OFFSET(f(2))]'), { kind: 'SAFE_OFFSET', index: 'f ( 2 )', endsAtClose: true });
    assert.deepEqual(read('a[SAFE_ORDINAL(0)]'), { kind: 'SAFE_ORDINAL', index: '0', endsAtClose: true });
    assert.deepEqual(read('a[2]'), { kind: 'OFFSET', index: '2', endsAtClose: true });
    assert.deepEqual(read('a[OFFSET(1) + 1]'), { kind: 'OFFSET', index: 'OFFSET ( 1 ) + 1', endsAtClose: true });
    assert.deepEqual(read('a[OFFSET]'), { kind: 'OFFSET', index: 'OFFSET', endsAtClose: true });
  });
  test('a JSON subscript and an empty one are refused', () => {
    assert.throws(() => read("j['a']"), /JSON subscripts/);
    assert.throws(() => read('a[]'), /needs an index/);
  });
});

describe('subscriptExpression', () => {
  test('OFFSET: 0-based, an error out of range (negative too), NULL for a NULL array or index', () => {
    assert.equal(
      subscriptExpression('arr', 'OFFSET', 'i'),
      "(CASE WHEN typeof((arr)) NOT LIKE '%[]' AND typeof((arr)) <> '\"NULL\"' THEN error('A subscript of a value that is not an ARRAY (JSON or STRUCT) is not supported embedded') " +
        "WHEN (arr) IS NULL OR (i) IS NULL THEN NULL WHEN (i) < 0 OR (i) >= len((arr)) THEN error(concat('Array index ', CAST((i) AS VARCHAR), ' is out of bounds (OFFSET; array size ', CAST(len((arr)) AS VARCHAR), ')')) ELSE (arr)[(i) + 1] END)",
    );
  });
  test('ORDINAL: 1-based; SAFE_ forms NULL out of range', () => {
    assert.match(subscriptExpression('arr', 'ORDINAL', 'i'), /WHEN \(i\) < 1 OR \(i\) > len\(\(arr\)\) THEN error\(concat\('Array index ', CAST\(\(i\) AS VARCHAR\), ' is out of bounds \(ORDINAL; array size '.* ELSE \(arr\)\[\(i\)\] END\)$/);
    assert.match(subscriptExpression('arr', 'SAFE_OFFSET', 'i'), /WHEN \(i\) < 0 OR \(i\) >= len\(\(arr\)\) THEN NULL ELSE \(arr\)\[\(i\) \+ 1\] END\)$/);
    assert.match(subscriptExpression('arr', 'SAFE_ORDINAL', 'i'), /WHEN \(i\) < 1 OR \(i\) > len\(\(arr\)\) THEN NULL ELSE \(arr\)\[\(i\)\] END\)$/);
  });
});
