import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { journeyTimerId, type JourneyTimer } from './journey-timer.ts';
import { finishTimer, rereadLeased, takeTimer } from './timer-lease.ts';
import { createInMemoryProfileStore } from '../profiles/in-memory-profile-store.ts';
import { emptyProfile } from '../profiles/profile.ts';

// The lease that makes a timer's step safe to crash in: taken by pushing due_at to now + lease,
// finished only if still the leased version (a cart change meanwhile wins).
const now = new Date('2026-03-01T12:00:00.000Z');
const lease = 60_000;
const key = JSON.stringify(['default', null]);

function timerFor(personId: string, dueAt: string, step = 0): JourneyTimer {
  return { timer_id: journeyTimerId('cart-abandonment', personId, key), campaign_id: 'cart-abandonment', person_id: personId, trigger_key: key, step, due_at: dueAt, armed_at: '2026-03-01T11:00:00.000Z', armed_by_event_id: null };
}

async function storeWith(timers: JourneyTimer[], people = ['p-1']) {
  const store = createInMemoryProfileStore();
  await store.transact(async (tx) => {
    for (const person of people) tx.putProfile(emptyProfile(person, '2026-03-01T10:00:00.000Z'));
    for (const timer of timers) tx.putTimer(timer);
  });
  return store;
}

describe('timer lease', () => {
  test('a timer is taken from its due instant on, and leased until now + lease', async () => {
    const due = timerFor('p-1', now.toISOString());
    const store = await storeWith([due]);
    const taken = await takeTimer(store, due.timer_id, now, lease);
    assert.equal(taken?.leased.due_at, '2026-03-01T12:01:00.000Z');
    assert.equal(taken?.profile?.person_id, 'p-1');
    assert.deepEqual(await store.transact((tx) => tx.getTimers([due.timer_id])), new Map([[due.timer_id, taken!.leased]]));
    assert.equal(await takeTimer(store, due.timer_id, now, lease), null, 'leased: not due again before the lease ends');
  });

  test('a timer not yet due, or gone, is not taken', async () => {
    const later = timerFor('p-1', '2026-03-01T12:00:00.001Z');
    const store = await storeWith([later]);
    assert.equal(await takeTimer(store, later.timer_id, now, lease), null);
    assert.equal(await takeTimer(store, 'missing', now, lease), null);
  });

  test('finishing replaces or removes the leased timer, but not one re-armed (due or step changed) meanwhile', async () => {
    const due = timerFor('p-1', '2026-03-01T11:59:00.000Z');
    const store = await storeWith([due]);
    const { leased } = (await takeTimer(store, due.timer_id, now, lease))!;
    const rearmed = { ...leased, due_at: '2026-03-01T12:30:00.000Z' };
    await store.transact(async (tx) => tx.putTimer(rearmed));
    assert.equal(await finishTimer(store, leased, null), false);
    assert.equal((await rereadLeased(store, leased)).stillLeased, false);
    const nextStep = { ...leased, step: 1 };
    await store.transact(async (tx) => tx.putTimer(nextStep));
    assert.equal(await finishTimer(store, leased, null), false, 'same due time, another step');
    assert.deepEqual((await rereadLeased(store, leased)).stillLeased, false);

    await store.transact(async (tx) => tx.putTimer(leased));
    const reread = await rereadLeased(store, leased);
    assert.equal(reread.stillLeased, true);
    assert.equal(reread.profile?.person_id, 'p-1');
    const followUp = { ...leased, step: 1, due_at: '2026-03-02T12:00:00.000Z' };
    assert.equal(await finishTimer(store, leased, followUp), true);
    assert.deepEqual(await store.transact((tx) => tx.getTimers([due.timer_id])), new Map([[due.timer_id, followUp]]));
    assert.equal(await finishTimer(store, followUp, null), true);
    assert.deepEqual(await store.transact((tx) => tx.getTimers([due.timer_id])), new Map());
    assert.equal(await finishTimer(store, followUp, null), false, 'gone');
  });

  test('an absorbed person\'s timer gives way to the survivor\'s for the same cart, and fires when there is none', async () => {
    const absorbed = timerFor('p-2', '2026-03-01T11:59:00.000Z');
    const survivors = timerFor('p-1', '2026-03-01T12:20:00.000Z');
    const store = await storeWith([absorbed, survivors], ['p-1', 'p-2']);
    await store.transact(async (tx) => tx.putProfile({ ...emptyProfile('p-2', '2026-03-01T10:00:00.000Z'), merged_into: 'p-1' }));
    assert.equal(await takeTimer(store, absorbed.timer_id, now, lease), null);
    assert.deepEqual([...(await store.transact((tx) => tx.getTimers([absorbed.timer_id, survivors.timer_id]))).keys()], [survivors.timer_id]);

    const alone = await storeWith([absorbed], ['p-1', 'p-2']);
    await alone.transact(async (tx) => tx.putProfile({ ...emptyProfile('p-2', '2026-03-01T10:00:00.000Z'), merged_into: 'p-1' }));
    const taken = await takeTimer(alone, absorbed.timer_id, now, lease);
    assert.equal(taken?.profile?.person_id, 'p-1', 'the survivor\'s profile, for the cart it now holds');
  });
});
