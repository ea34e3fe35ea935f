import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IdentityKey } from './identity-key.ts';
import type { Profile } from './profile.ts';
import type { JourneyTimer } from '../journeys/journey-timer.ts';
import { compareTimers, createTxBuffer, MAX_WRITES_PER_TRANSACTION, requireTimerLimit } from './profile-tx-rules.ts';

const AT = new Date('2025-01-02T03:04:05.000Z');
const asProfile = (value: Record<string, unknown>) => ({ person_id: 'p1', version: 1, ...value }) as unknown as Profile;
const nested = (depth: number): Record<string, unknown> => (depth === 0 ? { leaf: 1 } : { n: nested(depth - 1) });

describe('createTxBuffer', () => {
  test('returns the writes as validated copies: profiles in their JSON form, applied times in epoch ms', () => {
    const buffer = createTxBuffer();
    buffer.beforeRead();
    const profile = asProfile({ traits: { seen: new Date(AT), gone: undefined } });
    buffer.putProfile(profile);
    (profile as unknown as { traits: { seen: string } }).traits.seen = 'changed later';
    buffer.linkIdentities(['email:a@example.com' as IdentityKey], 'p1');
    buffer.markApplied(['e1', 'e2'], 'p1', AT);
    const writes = buffer.finish();
    assert.deepEqual(writes.profiles.get('p1'), { person_id: 'p1', version: 1, traits: { seen: AT.toISOString() } });
    assert.deepEqual([...writes.identities], [['email:a@example.com', 'p1']]);
    assert.deepEqual([...writes.applied], [['e1', { personId: 'p1', at: AT.getTime() }], ['e2', { personId: 'p1', at: AT.getTime() }]]);
  });

  test('a read after a write throws, and still fails finish() when the caller swallowed it', () => {
    const buffer = createTxBuffer();
    buffer.markApplied(['e1'], 'p1', AT);
    assert.throws(() => buffer.beforeRead(), /reads must come before writes/);
    assert.throws(() => buffer.finish(), /reads must come before writes/);
  });

  test('the tx cannot be used once finished', () => {
    const buffer = createTxBuffer();
    buffer.finish();
    assert.throws(() => buffer.beforeRead(), /after its transaction finished/);
    assert.throws(() => buffer.linkIdentities([], 'p1'), /after its transaction finished/);
  });

  test(`allows ${MAX_WRITES_PER_TRANSACTION} writes but not one more`, () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `e${i}`);
    const full = createTxBuffer();
    full.markApplied(ids(MAX_WRITES_PER_TRANSACTION), 'p1', AT);
    assert.equal(full.finish().applied.size, MAX_WRITES_PER_TRANSACTION);
    const over = createTxBuffer();
    over.markApplied(ids(MAX_WRITES_PER_TRANSACTION - 1), 'p1', AT);
    over.putProfile(asProfile({}));
    over.linkIdentities(['anon:x' as IdentityKey], 'p1');
    assert.throws(() => over.finish(), /wrote 501 documents; Firestore allows at most 500/);
  });

  test('rejects ids, versions and dates no adapter can store', () => {
    const buffer = createTxBuffer();
    assert.throws(() => buffer.putProfile(asProfile({ person_id: '' })), /profile.person_id must be a non-empty string/);
    assert.throws(() => buffer.putProfile(asProfile({ version: Number.NaN })), /version must be a finite number/);
    assert.throws(() => buffer.linkIdentities(['' as IdentityKey], 'p1'), /identity key must be a non-empty string/);
    assert.throws(() => buffer.markApplied(['e1'], '', AT), /personId must be a non-empty string/);
    assert.throws(() => buffer.markApplied(['e1'], 'p1', new Date(Number.NaN)), /invalid Date/);
    assert.equal(buffer.finish().applied.size, 0);
  });

  test('rejects profiles Firestore cannot store, naming where', () => {
    const buffer = createTxBuffer();
    assert.throws(() => buffer.putProfile(asProfile({ grid: [[1]] })), /array directly inside an array at grid\.0/);
    assert.throws(() => buffer.putProfile(asProfile({ traits: { '': 1 } })), /key "" at traits/);
    assert.throws(() => buffer.putProfile(asProfile({ traits: { __x__: 1 } })), /key "__x__" at traits/);
    assert.throws(() => buffer.putProfile(asProfile({ deep: nested(20) })), /nested deeper than Firestore's 20 levels/);
    buffer.putProfile(asProfile({ deep: nested(19), list: [{ inner: [1, 2] }] }));
    assert.equal(buffer.finish().profiles.size, 1);
  });

  test('timers: putTimer keeps a validated copy (unknown keys dropped), deleteTimer records null, last write wins', () => {
    const buffer = createTxBuffer();
    const timer = { ...timerOf('t1', '2025-01-02T03:04:05.000Z'), extra: 'dropped' } as JourneyTimer;
    buffer.putTimer(timer);
    timer.step = 7;
    buffer.deleteTimer('t2');
    buffer.putTimer(timerOf('t2', '2025-01-02T03:04:06Z'));
    buffer.deleteTimer('t3');
    const writes = buffer.finish();
    assert.deepEqual([...writes.timers], [
      ['t1', timerOf('t1', '2025-01-02T03:04:05.000Z')],
      ['t2', timerOf('t2', '2025-01-02T03:04:06Z')],
      ['t3', null],
    ]);
  });
});

describe('compareTimers', () => {
  test('orders by due instant, then timer_id by code point', () => {
    const timers = [
      timerOf('b', '2025-01-01T00:00:01Z'),
      timerOf('a\u{1F600}', '2025-01-01T00:00:01.000Z'),
      timerOf('a\uFF5E', '2025-01-01T00:00:01Z'),
      timerOf('z', '2025-01-01T00:00:00.999Z'),
    ];
    assert.deepEqual(timers.sort(compareTimers).map((t) => t.timer_id), ['z', 'a\uFF5E', 'a\u{1F600}', 'b']);
    assert.equal(compareTimers(timerOf('a', '2025-01-01T00:00:00Z'), timerOf('a', '2025-01-01T00:00:00.000Z')), 0);
  });

  test('requireTimerLimit accepts positive integers only', () => {
    assert.equal(requireTimerLimit(3), 3);
    for (const bad of [0, -1, 1.5, Number.NaN]) assert.throws(() => requireTimerLimit(bad), /positive integer/);
  });
});

function timerOf(timerId: string, dueAt: string): JourneyTimer {
  return { timer_id: timerId, campaign_id: 'c', person_id: 'p1', trigger_key: 'k', step: 0, due_at: dueAt, armed_at: dueAt, armed_by_event_id: null };
}
