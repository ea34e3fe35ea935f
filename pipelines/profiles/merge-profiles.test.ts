import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { EventKind, NudgeEvent } from '../events/nudge-event.ts';
import { applyEvent } from './apply-event.ts';
import { makeEvent } from './event-fixtures.ts';
import { mergeProfiles } from './merge-profiles.ts';
import { emptyProfile, Profile } from './profile.ts';
import type { ProfileConfig } from './profile-config.ts';

/**
 * The merge laws (DESIGN.md §4) on random event histories. Caps, windows and TTLs are tiny here
 * so that every cap, expiry and tie is exercised by short histories.
 */
const config: ProfileConfig = {
  recentViewsMax: 3,
  anonymousIdsMax: 2,
  emailsMax: 1,
  traitsMax: 2,
  traitMaxChars: 200,
  affinityHalfLifeDays: 2,
  affinityWindowDays: 5,
  affinityTopMax: 2,
  affinityWeights: { product_viewed: 1, product_list_viewed: 1, product_added: 3, order_completed: 5 },
  cartTtlDays: 6,
  cartChangesMax: 3,
  cartSnapshotsMax: 2,
};

const T0 = '2026-01-01T00:00:00.000Z';

const product = fc.record({
  product_id: fc.constantFrom('p1', 'p2', 'p3', 'p4'),
  name: fc.option(fc.constantFrom('Shoe', 'Sock', 'Hat'), { nil: undefined }),
  price: fc.option(fc.constantFrom(0.1, 0.2, 19.99, 5, 3.33), { nil: undefined }),
  quantity: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  category: fc.option(fc.constantFrom('shoes', 'socks', 'hats'), { nil: undefined }),
});
const cartId = fc.option(fc.constantFrom('c1', 'c2'), { nil: undefined });
const withoutUndefined = (value: object) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>;

const payload: fc.Arbitrary<{ kind: EventKind; properties?: object; traits?: object }> = fc.oneof(
  fc.record({
    kind: fc.constant<EventKind>('identify'),
    traits: fc.record(
      {
        first_name: fc.constantFrom('Ann', 'Bob'),
        plan: fc.constantFrom('free', 'pro'),
        age: fc.integer({ min: 20, max: 22 }),
        email_marketing_consent: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
  }),
  fc.record({ kind: fc.constant<EventKind>('consent_updated'), properties: fc.record({ email_marketing: fc.boolean() }) }),
  fc.record({ kind: fc.constant<EventKind>('product_viewed'), properties: product }),
  fc.record({ kind: fc.constant<EventKind>('product_list_viewed'), properties: fc.record({ category: fc.constantFrom('shoes', 'hats') }) }),
  fc.record({ kind: fc.constantFrom<EventKind>('product_added', 'product_removed'), properties: fc.tuple(product, cartId).map(([p, c]) => ({ ...p, cart_id: c })) }),
  fc.record({ kind: fc.constant<EventKind>('cart_viewed'), properties: fc.record({ cart_id: cartId, products: fc.array(product, { maxLength: 3 }) }) }),
  fc.record({
    kind: fc.constant<EventKind>('checkout_started'),
    properties: fc.record({ cart_id: cartId, products: fc.option(fc.array(product, { maxLength: 3 }), { nil: undefined }) }),
  }),
  fc.record({
    kind: fc.constant<EventKind>('order_completed'),
    properties: fc.record({ order_id: fc.constantFrom('o1', 'o2', 'o3'), total: fc.option(fc.constantFrom(10, 0.1, 0.2, 99.99), { nil: undefined }), products: fc.array(product, { maxLength: 2 }), currency: fc.constantFrom('EUR', 'USD') }),
  }),
  fc.record({ kind: fc.constantFrom<EventKind>('page', 'products_searched', 'alias', 'other', 'catalog_updated') }),
);

/** A history of events with unique ids, times over ~2 weeks with many exact ties, each tagged with a part (0–2). */
const history = fc
  .array(
    fc.record({
      payload,
      day: fc.integer({ min: 0, max: 14 }),
      hour: fc.constantFrom(0, 12),
      anon: fc.constantFrom('a1', 'a2', 'a3'),
      user: fc.option(fc.constantFrom('u1', 'u2'), { nil: null }),
      email: fc.option(fc.constantFrom('x@example.com', 'y@example.com'), { nil: null }),
      id: fc.integer({ min: 0, max: 1_000_000 }),
      part: fc.integer({ min: 0, max: 2 }),
    }),
    { maxLength: 30 },
  )
  .map((drafts) =>
    drafts.map((draft, index): { event: NudgeEvent; part: number } => {
      const at = new Date(Date.parse(T0) + draft.day * 86_400_000 + draft.hour * 3_600_000).toISOString();
      const event = makeEvent(draft.payload.kind, {
        // Unique, but not in history order: ties on time are broken by ids in no particular order.
        event_id: `e${draft.id}-${index}`,
        occurred_at: at,
        received_at: at,
        anonymous_id: draft.anon,
        user_id: draft.user,
        email: draft.email,
        previous_id: draft.payload.kind === 'alias' ? 'a9' : null,
        properties: withoutUndefined(draft.payload.properties ?? {}),
        traits: withoutUndefined(draft.payload.traits ?? {}),
      });
      return { event, part: draft.part };
    }),
  );

const fold = (events: readonly NudgeEvent[]) => events.reduce((profile, event) => applyEvent(profile, event, config), emptyProfile('', T0, config));
const merge = (a: Profile, b: Profile) => mergeProfiles(a, b, config);
const partOf = (events: { event: NudgeEvent; part: number }[], part: number) => events.filter((e) => e.part === part).map((e) => e.event);

describe('mergeProfiles laws', () => {
  test('the order events are applied in does not matter', () => {
    fc.assert(
      fc.property(
        history.chain((events) => fc.tuple(fc.constant(events.map((e) => e.event)), fc.shuffledSubarray(events.map((e) => e.event), { minLength: events.length, maxLength: events.length }))),
        ([events, shuffled]) => {
          assert.deepStrictEqual(fold(shuffled), fold(events));
        },
      ),
      { numRuns: 400 },
    );
  });

  test('commutative', () => {
    fc.assert(
      fc.property(history, (events) => {
        const a = fold(partOf(events, 0));
        const b = fold([...partOf(events, 1), ...partOf(events, 2)]);
        assert.deepStrictEqual(merge(a, b), merge(b, a));
      }),
      { numRuns: 300 },
    );
  });

  test('associative, and merging folded parts equals folding the whole', () => {
    fc.assert(
      fc.property(history, (events) => {
        const [a, b, c] = [0, 1, 2].map((part) => fold(partOf(events, part))) as [Profile, Profile, Profile];
        const left = merge(merge(a, b), c);
        assert.deepStrictEqual(left, merge(a, merge(b, c)));
        assert.deepStrictEqual(left, fold(events.map((e) => e.event)));
      }),
      { numRuns: 300 },
    );
  });

  test('every merged profile is valid against the schema and survives a JSON round trip', () => {
    fc.assert(
      fc.property(history, (events) => {
        const profile = fold(events.map((e) => e.event));
        assert.deepStrictEqual(Profile.parse(profile), profile);
        assert.deepStrictEqual(JSON.parse(JSON.stringify(profile)), profile);
      }),
      { numRuns: 200 },
    );
  });

  test('merging persons keeps the smallest person id and sums counters', () => {
    const order = makeEvent('order_completed', { properties: { order_id: 'o1', total: 10.1 } });
    const other = makeEvent('order_completed', { properties: { order_id: 'o2', total: 0.2 } });
    const a = applyEvent(emptyProfile('01B', T0), order, config);
    const b = applyEvent(emptyProfile('01A', T0), other, config);
    const merged = merge(a, b);
    assert.equal(merged.person_id, '01A');
    assert.equal(merged.orders.count, 2);
    assert.equal(merged.orders.revenue, 10.3);
  });
});
