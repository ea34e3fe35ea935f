import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../config-error.ts';
import { isReconcileDue, parseReconcileAt } from './reconcile-schedule.ts';

describe('NUDGE_RECONCILE_AT', () => {
  const cases: [string | undefined, ReturnType<typeof parseReconcileAt>][] = [
    [undefined, { hour: 3, minute: 0 }],
    ['', { hour: 3, minute: 0 }],
    ['23:59', { hour: 23, minute: 59 }],
    ['00:00', { hour: 0, minute: 0 }],
    ['off', null],
    ['OFF', null],
    [' 04:30 ', { hour: 4, minute: 30 }],
  ];
  for (const [value, expected] of cases) test(`${JSON.stringify(value)} → ${JSON.stringify(expected)}`, () => assert.deepEqual(parseReconcileAt({ NUDGE_RECONCILE_AT: value }), expected));
  for (const bad of ['24:00', '3:00', '03:60', 'nightly', '03:00Z', 'x03:00', '103:00']) {
    test(`${bad} is refused, naming the setting`, () => assert.throws(() => parseReconcileAt({ NUDGE_RECONCILE_AT: bad }), (error: unknown) => error instanceof ConfigError && /NUDGE_RECONCILE_AT/.test(error.message)));
  }
});

describe('isReconcileDue', () => {
  const at = { hour: 3, minute: 0 };
  const cases: [string, string, string | null, boolean][] = [
    ['before today\'s time', '2026-03-02T02:59:59.999Z', '2026-03-01T03:00:00.000Z', false],
    ['at the time, last run yesterday', '2026-03-02T03:00:00.000Z', '2026-03-01T03:00:01.000Z', true],
    ['never run', '2026-03-02T03:00:00.000Z', null, true],
    ['already run tonight', '2026-03-02T03:05:00.000Z', '2026-03-02T03:00:00.000Z', false],
    ['host was down at 03:00, back at noon', '2026-03-02T12:00:00.000Z', '2026-03-01T03:00:00.000Z', true],
    ['a run by hand at 02:00 does not count for tonight', '2026-03-02T03:00:00.000Z', '2026-03-02T02:00:00.000Z', true],
  ];
  for (const [name, now, last, due] of cases) test(name, () => assert.equal(isReconcileDue(new Date(now), at, last), due));
});
