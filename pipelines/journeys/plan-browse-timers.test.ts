import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BROWSE_TRIGGER_KEY, latestViewTime, movedOnSince, planBrowseTimers } from './plan-browse-timers.ts';
import { planJourneyTimers } from './plan-journey-timers.ts';
import { cartCampaign } from '../../test/support/journey-harness.ts';
import { browseCampaign } from './journey-fixtures.ts';
import { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { createFoldEvents } from '../profiles/fold-events.ts';
import { createInMemoryProfileStore } from '../profiles/in-memory-profile-store.ts';
import { emptyProfile, type Cart, type Profile } from '../profiles/profile.ts';
import { createManualClock } from '../shared/clock.ts';

// The browse follow-up's timer, planned inside the profile transaction. Most cases go through the
// real fold (in-memory store), as events arrive in production: views on the browse topic (late,
// coalesced), adds and orders on the priority topic, two devices, redeliveries.

const at = (minute: number, hour = 12) => new Date(Date.UTC(2026, 2, 1, hour, minute)).toISOString();

type Ids = { user_id?: string | null; anonymous_id?: string | null };
const who = (ids: Ids = {}) => ({ anonymous_id: ids.anonymous_id === undefined ? 'device-1' : ids.anonymous_id, user_id: ids.user_id ?? null });
/** A view that happened at `occurred` and reached nudge at `received` (a device clock may be off, a coalesced view late). */
/** Views carry the shopper's address (context.traits.email): nudge only arms browse timers for people it can write to. */
const view = (productId: string, occurred: string, received = occurred, ids: Ids = {}, email: string | null = 'ann@example.com') =>
  makeEvent('product_viewed', { ...who(ids), email, occurred_at: occurred, received_at: received, properties: { product_id: productId, name: productId } });
const add = (productId: string, occurred: string, received = occurred, ids: Ids = {}) =>
  makeEvent('product_added', { ...who(ids), occurred_at: occurred, received_at: received, properties: { cart_id: 'c-1', product_id: productId, name: productId, price: 10, quantity: 1 } });
const order = (occurred: string, ids: Ids = {}) =>
  makeEvent('order_completed', { ...who(ids), occurred_at: occurred, received_at: occurred, properties: { order_id: 'o-1', total: 10, products: [{ product_id: 'x', price: 10, quantity: 1 }] } });
const checkout = (occurred: string, ids: Ids = {}) => makeEvent('checkout_started', { ...who(ids), occurred_at: occurred, received_at: occurred, properties: { cart_id: 'c-1' } });
const identify = (occurred: string, ids: Ids) => makeEvent('identify', { ...who(ids), occurred_at: occurred, received_at: occurred, traits: { email: 'ann@example.com' } });

function setup(definitions: CampaignDefinition[] = [browseCampaign]) {
  const store = createInMemoryProfileStore();
  const clock = createManualClock(at(0));
  let ids = 0;
  const fold = createFoldEvents({ store, clock, newPersonId: () => `p-${++ids}`, onPersonFolded: (change) => planJourneyTimers(definitions, change) });
  const timers = async () => (await store.findDueTimers(new Date('2027-01-01T00:00:00.000Z'), 100)).filter((timer) => timer.campaign_id === browseCampaign.id);
  const cartTimers = async () => (await store.findDueTimers(new Date('2027-01-01T00:00:00.000Z'), 100)).filter((timer) => timer.campaign_id === cartCampaign.id);
  return { store, fold, timers, cartTimers };
}

describe('planBrowseTimers through the fold', () => {
  test('a view arms the browse timer at the time nudge received it + wait; each later view pushes it back', async () => {
    const { fold, timers } = setup();
    const first = view('jacket', at(0));
    await fold([first]);
    const [armed] = await timers();
    assert.deepEqual(armed, {
      timer_id: `browse-abandonment:${armed!.person_id}:${BROWSE_TRIGGER_KEY}`,
      campaign_id: 'browse-abandonment',
      person_id: armed!.person_id,
      trigger_key: 'browse',
      step: 0,
      due_at: at(10),
      armed_at: at(0),
      armed_by_event_id: first.event_id,
    });
    const second = view('boots', at(4));
    await fold([second]);
    const rearmed = await timers();
    assert.equal(rearmed.length, 1, 'one browse journey per person: the same timer, pushed back');
    assert.deepEqual([rearmed[0]!.due_at, rearmed[0]!.armed_by_event_id], [at(14), second.event_id]);
  });

  test('of several views in one coalesced batch, the latest received arms, wherever it is in the batch', async () => {
    const { fold, timers } = setup();
    const late = view('b', at(3), at(7));
    await fold([view('a', at(5), at(5)), late, view('c', at(6), at(6))]);
    const [armed] = await timers();
    assert.deepEqual([armed?.due_at, armed?.armed_by_event_id], [at(17), late.event_id]);
  });

  const skew = [
    { name: 'a device clock an hour slow', occurred: at(0, 11), received: at(0, 12) },
    { name: 'a device clock an hour fast', occurred: at(0, 13), received: at(0, 12) },
    { name: 'a correct clock', occurred: at(0, 12), received: at(0, 12) },
  ];
  for (const { name, occurred, received } of skew) {
    test(`${name}: due at received + wait, never earlier or later`, async () => {
      const { fold, timers } = setup();
      await fold([view('jacket', occurred, received)]);
      const [armed] = await timers();
      assert.equal(armed?.due_at, at(10, 12));
    });
  }

  test('a device clock an hour fast cannot make a view outlive the order that followed it', async () => {
    // The view claims 13:00 but nudge got it at 12:00; the order (server clock) came at 12:05.
    const { fold, timers } = setup();
    await fold([view('jacket', at(0, 13), at(0, 12))]);
    await fold([order(at(5))]);
    assert.deepEqual(await timers(), []);
  });

  const exits = [
    { name: 'an order', event: () => order(at(5)) },
    { name: 'an add to cart', event: () => add('jacket', at(5)) },
    { name: 'a checkout', event: () => checkout(at(5)) },
  ];
  for (const { name, event } of exits) {
    test(`${name} stamped after the latest view cancels the timer (same batch or later)`, async () => {
      const later = setup();
      await later.fold([view('jacket', at(0))]);
      assert.equal((await later.timers()).length, 1);
      await later.fold([event()]);
      assert.deepEqual(await later.timers(), [], 'a later fold');
      const same = setup();
      await same.fold([view('jacket', at(0)), event()]);
      assert.deepEqual(await same.timers(), [], 'the same fold');
    });
  }

  test('an exit stamped before the latest view does not cancel: the shopper came back to browse', async () => {
    const { fold, timers } = setup();
    await fold([order(at(0)), view('jacket', at(5))]);
    assert.equal((await timers())[0]?.due_at, at(15));
    const separate = setup();
    await separate.fold([view('jacket', at(0))]);
    await separate.fold([order(at(1))]);
    await separate.fold([view('boots', at(3))]);
    assert.equal((await separate.timers())[0]?.due_at, at(13), 'a view after the order arms again');
  });

  test('an add that arrived BEFORE a coalesced earlier view: the late view arms nothing (the cart journey has it)', async () => {
    const { fold, timers, cartTimers } = setup([cartCampaign, browseCampaign]);
    // Viewed at 12:00, added at 12:01 (priority topic, at once); the view reaches nudge at 12:02.
    await fold([add('jacket', at(1))]);
    await fold([view('jacket', at(0), at(2))]);
    assert.deepEqual(await timers(), []);
    assert.equal((await cartTimers()).length, 1, 'the cart journey is armed instead');
  });

  test('a cart left alone long ago does not stop a new browse session', async () => {
    const { fold, timers, cartTimers } = setup([cartCampaign, browseCampaign]);
    await fold([add('socks', at(0, 8))]);
    await fold([view('jacket', at(0))]);
    assert.equal((await timers())[0]?.due_at, at(10));
    assert.equal((await cartTimers()).length, 1, 'both journeys run: the cart one for the socks');
  });

  test('redelivery of the same view plans the same: no second timer, the due time does not move', async () => {
    const { fold, timers } = setup();
    const first = view('jacket', at(0));
    await fold([first]);
    await fold([view('boots', at(2))]);
    const before = await timers();
    await fold([first]);
    await fold([{ ...first }]);
    assert.deepEqual(await timers(), before);
  });

  test('two devices merged into one person: one browse timer for the survivor carries the latest view', async () => {
    const { fold, timers, store } = setup();
    await fold([identify(at(0), { user_id: 'u-1', anonymous_id: 'phone' })]);
    await fold([view('jacket', at(1), at(1), { anonymous_id: 'phone', user_id: 'u-1' })]);
    await fold([view('boots', at(2), at(2), { anonymous_id: 'laptop' }, null)]);
    assert.equal((await timers()).length, 1, 'two people before the merge; the anonymous laptop has no timer (no address)');
    // The laptop logs in: the two become one person, and their next view re-arms the survivor's timer.
    await fold([identify(at(3), { user_id: 'u-1', anonymous_id: 'laptop' }), view('hat', at(4), at(4), { anonymous_id: 'laptop', user_id: 'u-1' })]);
    const survivor = await store.findPersonId('user:u-1' as never);
    const mine = (await timers()).filter((timer) => timer.person_id === survivor);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]!.due_at, at(14));
    const profile = await store.getProfile(survivor!);
    assert.deepEqual(profile!.recent_views.map((v) => v.product_id).sort(), ['boots', 'hat', 'jacket'], 'the survivor holds both devices’ views');
  });

  test('a campaign of another trigger plans nothing here; several browse campaigns each get their own timer', () => {
    const other = CampaignDefinition.parse({ ...browseCampaign, id: 'browse-two', wait: '20m' });
    const after = withViews([{ product_id: 'a', viewed_at: at(0) }]);
    const plan = planBrowseTimers([cartCampaign, browseCampaign, other], { person_id: 'p-1', before: null, after, events: [view('a', at(0))] });
    assert.deepEqual(plan.put.map((timer) => [timer.timer_id, timer.due_at]), [
      ['browse-abandonment:p-1:browse', at(10)],
      ['browse-two:p-1:browse', at(20)],
    ]);
    assert.deepEqual(plan.remove, []);
  });
});

function withViews(views: { product_id: string; viewed_at: string }[], extra: Partial<Profile> = {}): Profile {
  const profile = emptyProfile('p-1', at(0, 9));
  return {
    ...profile,
    traits: { email: 'ann@example.com' },
    recent_views: views.map((v, i) => ({ product_id: v.product_id, name: null, price: null, category: null, image_url: null, url: null, brand: null, currency: null, viewed_at: v.viewed_at, event_id: `v-${i}` }) as Profile['recent_views'][number]),
    ...extra,
  };
}
const cartAt = (updated_at: string, over: Partial<Cart> = {}): Cart => ({
  cart_id: 'c-1',
  items: [{ product_id: 'sku-1', name: 'Jacket', price: 100, quantity: 1, image_url: null, url: null, category: null }],
  value: 100,
  currency: 'EUR',
  status: 'open',
  updated_at,
  opened_after_event_id: null,
  ...over,
} as Cart);

describe('planBrowseTimers: only people nudge can write to', () => {
  test('an anonymous visitor\'s views arm nothing; giving an address after browsing arms the timer from that moment', async () => {
    const { fold, timers } = setup();
    await fold([view('jacket', at(0), at(0), {}, null), view('boots', at(1), at(1), {}, null)]);
    assert.deepEqual(await timers(), [], 'no address, no timer: it could only ever decide no_email');
    const login = identify(at(3), { anonymous_id: 'device-1' });
    await fold([login]);
    const [armed] = await timers();
    assert.equal(armed?.due_at, at(13), 'the wait counts from the fold that gave the address');
    assert.equal(armed?.armed_by_event_id, login.event_id);
    // Already known: a later identify without views moves nothing.
    await fold([identify(at(5), { anonymous_id: 'device-1' })]);
    assert.equal((await timers())[0]?.due_at, at(13));
  });
});

describe('planBrowseTimers, pure cases', () => {
  const plan = (after: Profile, events: NudgeEvent[]) => planBrowseTimers([browseCampaign], { person_id: 'p-1', before: after, after, events });

  test('a fold with no view (an identify) arms nothing and cancels nothing', () => {
    const result = plan(withViews([{ product_id: 'a', viewed_at: at(0) }]), [identify(at(5), { user_id: 'u' })]);
    assert.deepEqual(result, { put: [], remove: [] });
  });

  test('an exit event in a fold for a person with no views at all cancels (nothing to follow up)', () => {
    const result = plan(withViews([]), [order(at(5))]);
    assert.deepEqual(result, { put: [], remove: ['browse-abandonment:p-1:browse'] });
  });

  test('an event that is not one of the campaign’s exits (a remove) does not cancel', () => {
    const removed = makeEvent('product_removed', { occurred_at: at(5), received_at: at(5), properties: { cart_id: 'c-1', product_id: 'a' } });
    assert.deepEqual(plan(withViews([{ product_id: 'a', viewed_at: at(0) }]), [removed]), { put: [], remove: [] });
  });

  test('an exit at exactly the latest view’s instant cancels (at or after)', () => {
    const result = plan(withViews([{ product_id: 'a', viewed_at: at(5) }]), [view('a', at(5)), order(at(5))]);
    assert.deepEqual(result, { put: [], remove: ['browse-abandonment:p-1:browse'] });
  });

  test('views arm even when the profile’s latest view came from an earlier fold (late view of an older product)', () => {
    const late = view('a', at(1), at(9));
    const result = plan(withViews([{ product_id: 'b', viewed_at: at(6) }, { product_id: 'a', viewed_at: at(1) }]), [late]);
    assert.deepEqual(result.put.map((t) => [t.due_at, t.armed_at, t.armed_by_event_id]), [[at(19), at(9), late.event_id]]);
  });
});

describe('movedOnSince and latestViewTime', () => {
  const cases: { name: string; profile: Partial<Profile>; last: string; expected: ReturnType<typeof movedOnSince> }[] = [
    { name: 'nothing happened', profile: {}, last: at(5), expected: null },
    { name: 'an order after the view', profile: { orders: { ...emptyProfile('x', at(0)).orders, count: 1, last_order_at: at(6) } }, last: at(5), expected: 'already_bought' },
    { name: 'an order at the same instant', profile: { orders: { ...emptyProfile('x', at(0)).orders, count: 1, last_order_at: at(5) } }, last: at(5), expected: 'already_bought' },
    { name: 'an order before the view', profile: { orders: { ...emptyProfile('x', at(0)).orders, count: 1, last_order_at: at(4) } }, last: at(5), expected: null },
    { name: 'an open cart changed after the view', profile: { cart: cartAt(at(6)) }, last: at(5), expected: 'in_cart_journey' },
    { name: 'an open cart changed at the same instant', profile: { cart: cartAt(at(5)) }, last: at(5), expected: 'in_cart_journey' },
    { name: 'an open cart changed before the view', profile: { cart: cartAt(at(4)) }, last: at(5), expected: null },
    { name: 'an empty cart changed after the view', profile: { cart: cartAt(at(6), { items: [] }) }, last: at(5), expected: null },
    { name: 'a checked-out cart changed after the view', profile: { cart: cartAt(at(6), { status: 'checked_out' }) }, last: at(5), expected: null },
    {
      name: 'an order and a cart after the view: bought wins',
      profile: { cart: cartAt(at(7)), orders: { ...emptyProfile('x', at(0)).orders, count: 1, last_order_at: at(6) } },
      last: at(5),
      expected: 'already_bought',
    },
  ];
  for (const { name, profile, last, expected } of cases) {
    test(`movedOnSince: ${name} → ${String(expected)}`, () => {
      assert.equal(movedOnSince({ ...emptyProfile('p', at(0)), ...profile }, last), expected);
    });
  }

  test('latestViewTime: the latest by time, whatever the order; null without views', () => {
    assert.equal(latestViewTime(withViews([])), null);
    assert.equal(latestViewTime(withViews([{ product_id: 'a', viewed_at: at(3) }, { product_id: 'b', viewed_at: at(9) }, { product_id: 'c', viewed_at: at(1) }])), at(9));
    assert.equal(latestViewTime(withViews([{ product_id: 'a', viewed_at: at(9) }, { product_id: 'b', viewed_at: at(3) }])), at(9));
  });

});
