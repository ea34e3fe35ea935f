import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EventKind, NudgeEvent } from '../events/nudge-event.ts';
import { applyEvent } from './apply-event.ts';
import { makeEvent } from './event-fixtures.ts';
import { emptyProfile, type Profile } from './profile.ts';
import { defaultProfileConfig, type ProfileConfig } from './profile-config.ts';
import { profileFromEvent } from './profile-from-event.ts';
import { affinitiesAt, viewProfile } from './view-profile.ts';

const T0 = '2026-03-01T00:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
const day = (days: number) => at(days * 24 * 60);

function fold(events: NudgeEvent[], config: ProfileConfig = defaultProfileConfig): Profile {
  return events.reduce((profile, event) => applyEvent(profile, event, config), emptyProfile('p', T0, config));
}
const track = (kind: EventKind, minute: number, properties: Record<string, unknown>, extra: Partial<NudgeEvent> = {}) =>
  makeEvent(kind, { occurred_at: at(minute), properties, ...extra });

const shoe = { product_id: 'shoe', name: 'Trail Shoe', price: 89.9, image_url: 'https://shop.test/shoe.jpg', url: 'https://shop.test/shoe', category: 'Shoes' };
const sock = { product_id: 'sock', name: 'Wool Sock', price: '7.50', category: 'Socks' };

describe('cart', () => {
  test('add two products, remove one, order: ordered and empty; a later add reopens with a fresh quantity', () => {
    const added = fold([track('product_added', 1, { ...shoe, quantity: 2 }), track('product_added', 2, sock)]);
    assert.deepStrictEqual(
      added.cart?.items.map((item) => [item.product_id, item.quantity, item.price]),
      [
        ['shoe', 2, 89.9],
        ['sock', 1, 7.5],
      ],
    );
    assert.equal(added.cart?.value, 187.3);
    assert.equal(added.cart?.status, 'open');
    assert.equal(added.cart?.cart_id, 'default');
    assert.deepStrictEqual(added.cart?.items[0], { product_id: 'shoe', name: 'Trail Shoe', price: 89.9, quantity: 2, image_url: 'https://shop.test/shoe.jpg', url: 'https://shop.test/shoe', category: 'Shoes' });

    const removed = fold([track('product_added', 1, { ...shoe, quantity: 2 }), track('product_added', 2, sock), track('product_removed', 3, { product_id: 'sock' })]);
    assert.deepStrictEqual(removed.cart?.items.map((item) => item.product_id), ['shoe']);
    assert.equal(removed.cart?.value, 179.8);

    const ordered = fold([
      track('product_added', 1, { ...shoe, quantity: 2 }),
      track('product_added', 2, sock),
      track('product_removed', 3, { product_id: 'sock' }),
      track('order_completed', 4, { order_id: 'o-1', total: 179.8, currency: 'eur', products: [{ ...shoe, quantity: 2 }] }),
    ]);
    assert.equal(ordered.cart?.status, 'ordered');
    assert.deepStrictEqual(ordered.cart?.items, []);
    assert.deepStrictEqual(ordered.orders, { count: 1, revenue: 179.8, currency: 'EUR', last_order_at: at(4), last_order_id: 'o-1' });

    const reopened = applyEvent(ordered, track('product_added', 5, { ...shoe, quantity: 1 }));
    assert.equal(reopened.cart?.status, 'open');
    assert.deepStrictEqual(reopened.cart?.items.map((item) => [item.product_id, item.quantity]), [['shoe', 1]]);
  });

  test('an add delivered after the order but older than it stays out of the cart', () => {
    const late = fold([track('order_completed', 10, { order_id: 'o-1', total: 5 }), track('product_added', 5, shoe)]);
    assert.equal(late.cart?.status, 'ordered');
    assert.deepStrictEqual(late.cart?.items, []);
  });

  test('remove with a quantity subtracts; quantities never show below zero', () => {
    const profile = fold([track('product_added', 1, { ...shoe, quantity: 3 }), track('product_removed', 2, { product_id: 'shoe', quantity: 1 })]);
    assert.equal(profile.cart?.items[0]?.quantity, 2);
    const gone = applyEvent(profile, track('product_removed', 3, { product_id: 'shoe', quantity: 5 }));
    assert.deepStrictEqual(gone.cart?.items, []);
  });

  test('a Cart Viewed snapshot sets quantities; later adds count on top; details come from the latest describing event', () => {
    const profile = fold([
      track('product_added', 1, { ...shoe, quantity: 5 }),
      track('cart_viewed', 2, { products: [{ ...shoe, quantity: 1 }, { ...sock, quantity: 2 }] }),
      track('product_added', 3, { product_id: 'sock', price: 8 }),
    ]);
    assert.deepStrictEqual(profile.cart?.items.map((item) => [item.product_id, item.quantity, item.price]), [
      ['shoe', 1, 89.9],
      ['sock', 3, 8],
    ]);
  });

  test('checkout started marks the cart checked out; carts are kept per cart_id and the latest active one is shown', () => {
    const profile = fold([
      track('product_added', 1, { ...shoe, cart_id: 'c-1' }),
      track('product_added', 2, { ...sock, cart_id: 'c-2', currency: 'usd' }),
      track('checkout_started', 3, { cart_id: 'c-2' }),
    ]);
    assert.equal(profile.cart?.cart_id, 'c-2');
    assert.equal(profile.cart?.status, 'checked_out');
    assert.equal(profile.cart?.currency, 'USD');
    assert.deepStrictEqual(profile.state.carts.map((cart) => cart.cart_id), ['c-1', 'c-2']);
    const back = applyEvent(profile, track('product_added', 4, { ...shoe, cart_id: 'c-1' }));
    assert.equal(back.cart?.cart_id, 'c-1');
    assert.equal(back.cart?.items[0]?.quantity, 2);
  });

  test('cart contents expire cartTtlDays before the newest cart activity', () => {
    const profile = fold([track('product_added', 0, shoe, { occurred_at: day(0) }), track('product_added', 0, { ...sock, cart_id: 'c-9' }, { occurred_at: day(31) })]);
    assert.deepStrictEqual(profile.state.carts.map((cart) => cart.cart_id), ['c-9']);
  });
});

describe('recent views', () => {
  test('latest first, one entry per product, capped', () => {
    const config = { ...defaultProfileConfig, recentViewsMax: 3 };
    const views = ['a', 'b', 'c', 'a', 'd'].map((id, i) => track('product_viewed', i, { product_id: id, name: `P ${id}`, price: 1 }));
    const profile = fold(views, config);
    assert.deepStrictEqual(profile.recent_views.map((view) => view.product_id), ['d', 'a', 'c']);
    assert.equal(profile.recent_views[1]?.viewed_at, at(3));
    assert.equal(profile.recent_views[1]?.name, 'P a');
  });
});

describe('category affinities', () => {
  test('decay with the configured half-life; scores are relative to the newest activity', () => {
    const config = { ...defaultProfileConfig, affinityHalfLifeDays: 14 };
    const profile = fold(
      [
        track('product_viewed', 0, { product_id: 'x', category: 'Shoes' }, { occurred_at: day(0) }),
        track('product_viewed', 0, { product_id: 'y', category: 'Socks' }, { occurred_at: day(14) }),
        track('product_added', 0, { product_id: 'y', category: 'Socks' }, { occurred_at: day(14) }),
      ],
      config,
    );
    assert.deepStrictEqual(profile.category_affinities, {
      as_of: day(14),
      half_life_days: 14,
      scores: [
        { category: 'Socks', score: 4 },
        { category: 'Shoes', score: 0.5 },
      ],
    });
    const later = affinitiesAt(profile, new Date(day(28)), config);
    assert.deepStrictEqual(later.scores, [
      { category: 'Socks', score: 2 },
      { category: 'Shoes', score: 0.25 },
    ]);
  });

  test('activity older than the window is forgotten', () => {
    const config = { ...defaultProfileConfig, affinityWindowDays: 10 };
    const profile = fold([track('product_list_viewed', 0, { category: 'Old' }, { occurred_at: day(0) }), track('product_list_viewed', 0, { category: 'New' }, { occurred_at: day(11) })], config);
    assert.deepStrictEqual(profile.category_affinities.scores.map((entry) => entry.category), ['New']);
    assert.deepStrictEqual(profile.state.affinity_days.map((entry) => entry.category), ['New']);
  });

  test('orders count each product category, weighted by quantity', () => {
    const profile = fold([track('order_completed', 0, { order_id: 'o', products: [{ product_id: 'a', category: 'Hats', quantity: 2 }] })]);
    assert.deepStrictEqual(profile.category_affinities.scores, [{ category: 'Hats', score: 10 }]);
  });
});

describe('traits and consent', () => {
  test('traits are last-writer-wins per key by event time', () => {
    const newer = makeEvent('identify', { occurred_at: at(5), traits: { first_name: 'Ann', plan: 'pro' } });
    const older = makeEvent('identify', { occurred_at: at(1), traits: { first_name: 'Anna', city: 'Lyon' } });
    const profile = fold([newer, older]);
    assert.deepStrictEqual(profile.traits, { city: 'Lyon', first_name: 'Ann', plan: 'pro' });
    assert.deepStrictEqual(profile.clocks['trait:first_name'], { at: at(5), event_id: newer.event_id });
  });

  test('traits Firestore could not store, or too large, are skipped', () => {
    const profile = fold([makeEvent('identify', { traits: { ok: { nested: [1, 2] }, grid: [[1]], '': 1, __name__: 2, huge: 'x'.repeat(5000) } })]);
    assert.deepStrictEqual(profile.traits, { ok: { nested: [1, 2] } });
  });

  test('consent from identify and from Consent Updated: the latest wins, with its source', () => {
    const given = makeEvent('identify', { occurred_at: at(1), traits: { email_marketing_consent: true } });
    const withdrawn = track('consent_updated', 2, { email_marketing: false, source: 'preference-center' });
    assert.deepStrictEqual(fold([withdrawn, given]).consent.email_marketing, { value: false, at: at(2), source: 'preference-center' });
    assert.deepStrictEqual(fold([given]).consent.email_marketing, { value: true, at: at(1), source: 'identify' });
    const unsourced = track('consent_updated', 3, { email_marketing: true });
    assert.equal(fold([given, withdrawn, unsourced]).consent.email_marketing?.source, 'consent_updated');
  });
});

describe('what touches a profile', () => {
  test('unknown track events and catalog updates do not touch profiles at all', () => {
    const base = fold([track('product_viewed', 1, shoe)]);
    for (const kind of ['other', 'catalog_updated'] as const) {
      assert.equal(profileFromEvent(track(kind, 9, { product_id: 'shoe', price: 1, stock: 0 }, { anonymous_id: 'someone-new' })), null);
      assert.strictEqual(applyEvent(base, track(kind, 9, { product_id: 'shoe', price: 1, stock: 0 })), base);
    }
  });

  test('pages only move last_seen (and record who was seen)', () => {
    const base = fold([track('product_viewed', 1, shoe)]);
    const paged = applyEvent(base, makeEvent('page', { occurred_at: at(30), user_id: 'u-1', email: 'ann@example.com' }));
    assert.equal(paged.last_seen_at, at(30));
    assert.equal(paged.first_seen_at, at(1));
    assert.deepStrictEqual(paged.identities, { anonymous_ids: ['anon-1'], user_id: 'u-1', emails: ['ann@example.com'] });
    // updated_at is the writer's (the fold sets it); a pure merge keeps the latest received_at.
    const { last_seen_at: _a, identities: _b, clocks: _c, updated_at: _u, ...rest } = paged;
    const { last_seen_at: _d, identities: _e, clocks: _f, updated_at: _v, ...before } = base;
    assert.deepStrictEqual(rest, before);
  });

  test('identity lists keep the most recently seen ids first', () => {
    const config = { ...defaultProfileConfig, anonymousIdsMax: 2 };
    const profile = fold(['a', 'b', 'c', 'a'].map((id, i) => makeEvent('page', { occurred_at: at(i), anonymous_id: id })), config);
    assert.deepStrictEqual(profile.identities.anonymous_ids, ['a', 'c']);
    assert.deepStrictEqual(Object.keys(profile.clocks).filter((key) => key.startsWith('anon:')).sort(), ['anon:a', 'anon:c']);
  });

  test('viewProfile hides the merge machinery', () => {
    const view = viewProfile(fold([track('product_added', 1, shoe)]));
    assert.equal('clocks' in view, false);
    assert.equal('state' in view, false);
    assert.equal(view.cart?.items.length, 1);
  });
});

describe('amounts a profile cannot keep', () => {
  test('an order without a total whose lines add up past the bound keeps the order, not that amount, and says so', () => {
    const dropped: string[] = [];
    const order = makeEvent('order_completed', {
      user_id: 'u1',
      properties: { order_id: 'o-1', products: [{ product_id: 'p1', price: 1e9, quantity: 1e6 }] },
    });
    const fragment = profileFromEvent(order, defaultProfileConfig, (field, reason) => dropped.push(`${field}: ${reason}`));
    assert.equal(fragment?.orders.count, 1);
    assert.equal(fragment?.orders.revenue, 0);
    assert.equal(dropped.length, 1);
    assert.match(dropped[0]!, /properties\.products/);

    const small = makeEvent('order_completed', { user_id: 'u1', properties: { order_id: 'o-2', products: [{ product_id: 'p1', price: 2.5, quantity: 2 }] } });
    assert.equal(profileFromEvent(small)?.orders.revenue, 5, 'a line total within the bound is the revenue');
  });
});
