import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countCapturingGroups } from './regexp-groups.ts';

/** [pattern, capturing groups] — what decides REGEXP_EXTRACT's answer (group, match or refusal). */
const patterns: [string, number][] = [
  ['abc', 0],
  ['(a)', 1],
  ['(a)(b)', 2],
  ['((a)b)', 2],
  ['\\(a\\)', 0],
  ['[(]a[)]', 0],
  ['[]()]', 0],
  ['[^]()](x)', 1],
  ['(?:a)(b)', 1],
  ['(?i)(b)', 1],
  ['(?P<name>a)', 1],
  ['(?<name>a)', 1],
  ['\\\\(a)', 1],
];

for (const [pattern, groups] of patterns) {
  test(`${pattern} has ${groups} capturing group(s)`, () => assert.equal(countCapturingGroups(pattern), groups));
}
