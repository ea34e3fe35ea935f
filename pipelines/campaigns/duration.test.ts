import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, tryParseDuration } from './duration.ts';

test('durations parse to milliseconds', () => {
  const table: [string, number][] = [
    ['10s', 10_000],
    ['30m', 1_800_000],
    ['4h', 14_400_000],
    ['1d', 86_400_000],
    ['24h', 86_400_000],
    ['48h', 172_800_000],
    ['1h30m', 5_400_000],
    ['1d12h', 129_600_000],
    [' 5m ', 300_000],
  ];
  for (const [text, ms] of table) assert.equal(parseDuration(text), ms, text);
});

test('anything else is not a duration', () => {
  for (const text of ['', '30', '30x', 'm', '1.5h', '-5m', '0s', '0m0s', '30 m', '30M', '1 year', '30m1h', '1h1h', '1w', 'h1']) {
    assert.equal(tryParseDuration(text), undefined, JSON.stringify(text));
  }
  assert.throws(() => parseDuration('30x'), { name: 'RangeError', message: 'expected a duration like "30m" (got "30x")' });
});
