import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { createManualClock } from '../shared/clock.ts';
import { makeEvent } from './event-fixtures.ts';
import { createFoldEvents, createPersonIdFactory } from './fold-events.ts';
import { createInMemoryProfileStore, type InMemoryProfileStore } from './in-memory-profile-store.ts';
import { identityKey } from './identity-key.ts';
import type { Profile } from './profile.ts';

const at = (minutes: number) => new Date(Date.parse('2026-03-01T10:00:00.000Z') + minutes * 60_000).toISOString();

function setup(options: { conflictsPerTransaction?: number } = {}) {
  const store = createInMemoryProfileStore(options);
  const clock = createManualClock('2026-03-01T12:00:00.000Z');
  let n = 0;
  const fold = createFoldEvents({ store, clock, newPersonId: () => `p-${String(++n).padStart(4, '0')}` });
  return { store, clock, fold };
}

const personOf = (store: InMemoryProfileStore, kind: 'anon' | 'user' | 'email', value: string) => store.findPersonId(identityKey(kind, value));

describe('foldEvents', () => {
  test('anonymous browsing, then identify with user id and email: one person with all of it', async () => {
    const { store, fold } = setup();
    const browse = await fold([
      makeEvent('page', { anonymous_id: 'a-1', occurred_at: at(0) }),
      makeEvent('product_viewed', { anonymous_id: 'a-1', occurred_at: at(1), properties: { product_id: 'shoe', name: 'Shoe', category: 'Shoes' } }),
    ]);
    assert.deepStrictEqual(browse.person_ids, ['p-0001']);
    const identify = await fold([makeEvent('identify', { anonymous_id: 'a-1', user_id: 'u-1', email: 'ann@example.com', occurred_at: at(2), traits: { first_name: 'Ann' } })]);
    assert.deepStrictEqual(identify.outcomes.map((o) => [o.outcome, o.person_id]), [['applied', 'p-0001']]);
    assert.equal(await personOf(store, 'user', 'u-1'), 'p-0001');
    assert.equal(await personOf(store, 'email', 'ANN@example.com'), 'p-0001');
    const profile = (await store.getProfile('p-0001'))!;
    assert.deepStrictEqual(profile.identities, { anonymous_ids: ['a-1'], user_id: 'u-1', emails: ['ann@example.com'] });
    assert.deepStrictEqual(profile.recent_views.map((view) => view.product_id), ['shoe']);
    assert.equal(profile.traits.first_name, 'Ann');
    assert.equal(profile.version, 2);
    assert.equal(profile.updated_at, '2026-03-01T12:00:00.000Z');
  });

  test('two devices with the same user id become one person; the other is marked merged and its keys relinked', async () => {
    const { store, fold } = setup();
    await fold([makeEvent('identify', { anonymous_id: 'laptop', user_id: 'u-1', occurred_at: at(0) })]);
    await fold([makeEvent('product_added', { anonymous_id: 'phone', occurred_at: at(1), properties: { product_id: 'shoe', name: 'Shoe', price: 10 } })]);
    await fold([makeEvent('page', { anonymous_id: 'phone', email: 'ann@example.com', occurred_at: at(2) })]);
    assert.equal(await personOf(store, 'anon', 'phone'), 'p-0002');

    const result = await fold([makeEvent('identify', { anonymous_id: 'phone', user_id: 'u-1', occurred_at: at(3) })]);
    assert.deepStrictEqual(result.merged, [{ from: 'p-0002', into: 'p-0001' }]);
    assert.deepStrictEqual(result.person_ids, ['p-0001']);
    const winner = (await store.getProfile('p-0001'))!;
    assert.deepStrictEqual(winner.identities, { anonymous_ids: ['phone', 'laptop'], user_id: 'u-1', emails: ['ann@example.com'] });
    assert.deepStrictEqual(winner.cart?.items.map((item) => [item.product_id, item.quantity]), [['shoe', 1]]);
    const loser = (await store.getProfile('p-0002'))!;
    assert.equal(loser.merged_into, 'p-0001');
    assert.equal(loser.version, 3);
    for (const [kind, value] of [['anon', 'phone'], ['email', 'ann@example.com'], ['anon', 'laptop'], ['user', 'u-1']] as const) {
      assert.equal(await personOf(store, kind, value), 'p-0001', `${kind}:${value}`);
    }
    // Events applied to the loser before the merge stay recognised as applied.
    assert.equal(store.snapshot().applied.size, 4);
  });

  test('alias merges two known persons, even with different user ids', async () => {
    const { store, fold } = setup();
    await fold([makeEvent('identify', { anonymous_id: null, user_id: 'old-id', occurred_at: at(0), traits: { plan: 'free' } })]);
    await fold([makeEvent('order_completed', { anonymous_id: null, user_id: 'new-id', occurred_at: at(1), properties: { order_id: 'o-1', total: 20 } })]);
    const result = await fold([makeEvent('alias', { anonymous_id: null, user_id: 'new-id', previous_id: 'old-id', occurred_at: at(2) })]);
    assert.deepStrictEqual(result.merged, [{ from: 'p-0002', into: 'p-0001' }]);
    const profile = (await store.getProfile('p-0001'))!;
    assert.equal(profile.traits.plan, 'free');
    assert.equal(profile.orders.count, 1);
    assert.equal(await personOf(store, 'user', 'new-id'), 'p-0001');
  });

  test('alias of an unseen previous id links it to the person', async () => {
    const { store, fold } = setup();
    await fold([makeEvent('alias', { anonymous_id: null, user_id: 'u-9', previous_id: 'cookie-9', occurred_at: at(0) })]);
    assert.equal(await personOf(store, 'anon', 'cookie-9'), 'p-0001');
    const later = await fold([makeEvent('page', { anonymous_id: 'cookie-9', occurred_at: at(1) })]);
    assert.equal(later.outcomes[0]?.person_id, 'p-0001');
  });

  test('stitching never merges two different user ids: a shared device moves to whoever logs in', async () => {
    const { store, fold } = setup();
    await fold([makeEvent('identify', { anonymous_id: 'shared', user_id: 'alice', occurred_at: at(0) })]);
    const result = await fold([makeEvent('identify', { anonymous_id: 'shared', user_id: 'bob', occurred_at: at(1) })]);
    assert.deepStrictEqual(result.merged, []);
    assert.deepStrictEqual(result.person_ids, ['p-0002']);
    assert.equal(await personOf(store, 'user', 'alice'), 'p-0001');
    assert.equal(await personOf(store, 'anon', 'shared'), 'p-0002');
    assert.equal((await store.getProfile('p-0001'))?.identities.user_id, 'alice');
  });

  test('redelivered events and repeats within a batch are duplicates; ignored kinds write nothing', async () => {
    const { store, fold } = setup();
    const added = makeEvent('product_added', { occurred_at: at(0), properties: { product_id: 'shoe', quantity: 2 } });
    const first = await fold([added, added, makeEvent('other', { occurred_at: at(1) }), makeEvent('catalog_updated', { properties: { product_id: 'shoe', stock: 0 } })]);
    assert.deepStrictEqual(first.outcomes.map((o) => o.outcome), ['applied', 'duplicate', 'ignored', 'ignored']);
    const before = store.snapshot();
    const again = await fold([added]);
    assert.deepStrictEqual(again.outcomes.map((o) => o.outcome), ['duplicate']);
    assert.deepStrictEqual(again.person_ids, []);
    assert.deepStrictEqual(store.snapshot(), before);
    const profile = (await store.getProfile('p-0001'))!;
    assert.equal(profile.cart?.items[0]?.quantity, 2);
    assert.equal(profile.version, 1);

    const nothing = await fold([makeEvent('other')]);
    assert.deepStrictEqual(nothing, { outcomes: [{ event_id: nothing.outcomes[0]!.event_id, outcome: 'ignored', person_id: null }], person_ids: [], merged: [], linked: [], confirmed: [] });
  });

  test('events of several persons in one call: one write per person, version bumped once', async () => {
    const { store, fold } = setup();
    const events: NudgeEvent[] = [];
    for (let i = 0; i < 3; i++) {
      events.push(makeEvent('product_viewed', { anonymous_id: 'x', occurred_at: at(i), properties: { product_id: `p${i}` } }));
      events.push(makeEvent('product_viewed', { anonymous_id: 'y', occurred_at: at(i), properties: { product_id: `q${i}` } }));
    }
    const result = await fold(events);
    assert.deepStrictEqual(result.person_ids, ['p-0001', 'p-0002']);
    assert.deepStrictEqual((await store.getProfile('p-0001'))?.recent_views.map((v) => v.product_id), ['p2', 'p1', 'p0']);
    assert.deepStrictEqual((await store.getProfile('p-0002'))?.recent_views.map((v) => v.product_id), ['q2', 'q1', 'q0']);
    assert.equal((await store.getProfile('p-0001'))?.version, 1);
  });

  test('a batch that stitches as it goes: browse, identify, browse again in one call', async () => {
    const { store, fold } = setup();
    await fold([makeEvent('identify', { anonymous_id: 'laptop', user_id: 'u-1', occurred_at: at(0) })]);
    const result = await fold([
      makeEvent('product_viewed', { anonymous_id: 'phone', occurred_at: at(1), properties: { product_id: 'a' } }),
      makeEvent('identify', { anonymous_id: 'phone', user_id: 'u-1', occurred_at: at(2) }),
      makeEvent('product_viewed', { anonymous_id: 'phone', occurred_at: at(3), properties: { product_id: 'b' } }),
    ]);
    assert.deepStrictEqual(result.outcomes.map((o) => o.person_id), ['p-0001', 'p-0001', 'p-0001']);
    // The person created for the phone in this batch was merged before anything was written.
    assert.deepStrictEqual(result.merged, []);
    assert.equal(await store.getProfile('p-0002'), null);
    assert.deepStrictEqual((await store.getProfile('p-0001'))?.recent_views.map((v) => v.product_id), ['b', 'a']);
  });

  test('keys still pointing at a merged person are followed to the winner and relinked', async () => {
    const { store, fold } = setup();
    await fold([makeEvent('identify', { anonymous_id: 'laptop', user_id: 'u-1', occurred_at: at(0) })]);
    await fold([makeEvent('page', { anonymous_id: 'phone', occurred_at: at(1) })]);
    await fold([makeEvent('identify', { anonymous_id: 'phone', user_id: 'u-1', occurred_at: at(2) })]);
    // A key the merge did not know about (not listed on the loser) still points at it.
    await store.transact(async (tx) => tx.linkIdentities([identityKey('anon', 'tablet')], 'p-0002'));
    const result = await fold([makeEvent('page', { anonymous_id: 'tablet', occurred_at: at(3) })]);
    assert.deepStrictEqual(result.outcomes.map((o) => o.person_id), ['p-0001']);
    assert.equal(await personOf(store, 'anon', 'tablet'), 'p-0001');
    assert.equal((await store.getProfile('p-0002'))?.merged_into, 'p-0001');
  });

  test('a key linked to a person without a profile is handled like any person', async () => {
    const { store, fold } = setup();
    await fold([makeEvent('identify', { anonymous_id: 'laptop', user_id: 'u-1', occurred_at: at(0), traits: { plan: 'pro' } })]);
    await store.transact(async (tx) => tx.linkIdentities([identityKey('anon', 'ghost')], 'p-0000'));
    const result = await fold([makeEvent('identify', { anonymous_id: 'ghost', user_id: 'u-1', occurred_at: at(1) })]);
    assert.deepStrictEqual(result.merged, [{ from: 'p-0001', into: 'p-0000' }]);
    assert.equal((await store.getProfile('p-0000'))?.traits.plan, 'pro');
    assert.equal(await personOf(store, 'user', 'u-1'), 'p-0000');
  });

  test('a transaction the store runs again gives the same outcome, applied once', async () => {
    const { store, fold } = setup({ conflictsPerTransaction: 2 });
    const result = await fold([makeEvent('product_added', { occurred_at: at(0), properties: { product_id: 'shoe', quantity: 1 } })]);
    assert.equal(store.attempts(), 3);
    const personId = result.person_ids[0]!;
    assert.equal(store.snapshot().profiles.size, 1);
    assert.equal((await store.getProfile(personId))?.cart?.items[0]?.quantity, 1);
    assert.equal(await personOf(store, 'anon', 'anon-1'), personId);
  });

  test('createPersonIdFactory gives sortable ids from the injected clock', () => {
    const clock = createManualClock('2026-03-01T00:00:00.000Z');
    const next = createPersonIdFactory(clock);
    const first = next();
    clock.advance(1000);
    const second = next();
    assert.match(first, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.ok(first < second);
  });
});

describe('foldEvents converges', () => {
  const kinds = ['page', 'identify', 'product_viewed', 'product_added', 'product_removed', 'cart_viewed', 'checkout_started', 'order_completed', 'consent_updated'] as const;
  const draft = fc.record({
    kind: fc.constantFrom(...kinds),
    minute: fc.integer({ min: 0, max: 5 }),
    product: fc.constantFrom('a', 'b', 'c'),
    quantity: fc.integer({ min: 1, max: 3 }),
    flag: fc.boolean(),
  });
  const toEvent = (d: { kind: (typeof kinds)[number]; minute: number; product: string; quantity: number; flag: boolean }, i: number) =>
    makeEvent(d.kind, {
      event_id: `e-${i}`,
      occurred_at: at(d.minute),
      anonymous_id: 'device',
      // The same person throughout: identity stitching has nothing to decide differently.
      user_id: d.kind === 'identify' ? 'u-1' : null,
      email: d.kind === 'identify' ? 'ann@example.com' : null,
      traits: d.kind === 'identify' ? { tier: d.flag ? 'gold' : 'silver', email_marketing_consent: d.flag } : {},
      properties: {
        product_id: d.product,
        name: `Product ${d.product}`,
        price: d.quantity * 1.1,
        quantity: d.quantity,
        category: d.product === 'a' ? 'A' : 'B',
        email_marketing: d.flag,
        order_id: `o-${i}`,
        total: d.quantity,
        products: [{ product_id: d.product, quantity: d.quantity }],
      },
    });
  const normalise = ({ version: _v, updated_at: _u, created_at: _c, ...rest }: Profile) => rest;

  test('one batch, or one event per call in any order with redeliveries: the same profile', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(draft, { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 4 }), fc.infiniteStream(fc.nat()), async (drafts, chunk, randoms) => {
        const events = drafts.map(toEvent);
        const whole = setup();
        await whole.fold(events);
        const pieces = setup();
        const order = events.map((event) => ({ event, r: randoms.next().value })).sort((x, y) => x.r - y.r).map((x) => x.event);
        for (let i = 0; i < order.length; i += chunk) {
          const batch = order.slice(i, i + chunk);
          await pieces.fold([...batch, ...batch.slice(0, 1)]);
          await pieces.fold(batch.slice(-1));
        }
        const a = (await whole.store.getProfile('p-0001'))!;
        const b = (await pieces.store.getProfile('p-0001'))!;
        assert.deepStrictEqual(normalise(b), normalise(a));
      }),
      { numRuns: 150 },
    );
  });
});

describe('foldEvents invariants under random stitching', () => {
  const draft = fc.record({
    kind: fc.constantFrom('page', 'identify', 'alias', 'order_completed', 'product_viewed' as const),
    anon: fc.option(fc.constantFrom('a1', 'a2', 'a3', 'a4'), { nil: null }),
    user: fc.option(fc.constantFrom('u1', 'u2', 'u3'), { nil: null }),
    email: fc.option(fc.constantFrom('x@example.com', 'y@example.com'), { nil: null }),
    previous: fc.constantFrom('a1', 'a2', 'u1', 'u2', 'never-seen'),
    minute: fc.integer({ min: 0, max: 30 }),
  });

  test('every order counted exactly once among live persons; every key leads to a live person', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(draft, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }), async (batches) => {
        const { store, fold } = setup();
        let orders = 0;
        let n = 0;
        const all: NudgeEvent[] = [];
        for (const batch of batches) {
          const events = batch
            .filter((d) => d.anon || d.user || d.email)
            .map((d) => {
              if (d.kind === 'order_completed') orders++;
              return makeEvent(d.kind, {
                event_id: `e-${n++}`,
                anonymous_id: d.anon,
                user_id: d.kind === 'alias' ? (d.user ?? 'u9') : d.user,
                email: d.email,
                previous_id: d.kind === 'alias' ? d.previous : null,
                occurred_at: at(d.minute),
                properties: d.kind === 'order_completed' ? { order_id: `o-${n}`, total: 1 } : { product_id: 'p' },
              });
            });
          all.push(...events);
          await fold(events);
        }
        // Redelivering everything changes nothing.
        const before = store.snapshot();
        await fold(all);
        assert.deepStrictEqual(store.snapshot(), before);

        const { profiles, identities, applied } = store.snapshot();
        const live = [...profiles.values()].filter((p) => p.merged_into === null);
        assert.equal(live.reduce((sum, p) => sum + p.orders.count, 0), orders);
        assert.equal(applied.size, all.length);
        const follow = (id: string) => {
          let current = id;
          for (let hops = 0; hops < 10 && profiles.get(current)?.merged_into; hops++) current = profiles.get(current)!.merged_into!;
          return current;
        };
        for (const [key, person] of identities) assert.equal(profiles.get(follow(person))?.merged_into, null, `${key} → ${person}`);
        for (const [eventId, marker] of applied) assert.ok(profiles.has(marker.person_id), eventId);
      }),
      { numRuns: 200 },
    );
  });
});
