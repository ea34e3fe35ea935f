import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createJourneyHarness } from '../../test/support/journey-harness.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { createSuppressPerson } from '../engagement/suppress-person.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { identityKey } from '../profiles/identity-key.ts';
import type { Profile } from '../profiles/profile.ts';

// The cart journey on the paths real shoppers take (issue 6): a second device, a second cart,
// a wrong device clock, an order and a new add in one batch, a value that cannot be stored.
// Times are minutes after 12:00; `received` is when nudge got the event, `occurred` what the
// device said.
const start = Date.parse('2026-03-01T12:00:00.000Z');
const at = (minutes: number) => new Date(start + minutes * 60_000).toISOString();
type Ids = Pick<Partial<NudgeEvent>, 'user_id' | 'anonymous_id'>;
type When = { received: number; occurred?: number };

function event(kind: NudgeEvent['kind'], when: When, ids: Ids, fields: Partial<NudgeEvent> = {}): NudgeEvent {
  return makeEvent(kind, { received_at: at(when.received), occurred_at: at(when.occurred ?? when.received), user_id: null, ...ids, ...fields });
}
const identify = (when: When, ids: Ids) => event('identify', when, ids, { traits: { email: 'ann@example.com', email_marketing_consent: true } });
const add = (when: When, ids: Ids, product = 'jacket', extra: Record<string, unknown> = {}) =>
  event('product_added', when, ids, { properties: { product_id: product, name: product, price: 100, quantity: 1, ...extra } });
const remove = (when: When, ids: Ids, product = 'jacket') => event('product_removed', when, ids, { properties: { product_id: product, quantity: 1 } });
const order = (when: When, ids: Ids, products: string[] = ['jacket']) =>
  event('order_completed', when, ids, { properties: { order_id: `o-${when.received}`, total: 100, products: products.map((id) => ({ product_id: id, price: 100, quantity: 1 })) } });

function journey() {
  const harness = createJourneyHarness();
  return {
    ...harness,
    /** Folds at the time nudge received the events (the fold stamps its writes with the clock). */
    receive: async (...events: NudgeEvent[]) => {
      harness.clock.set(events[events.length - 1]!.received_at);
      await harness.fold(events);
    },
    /** Sweeps at `minutes` (twice: a timer re-armed by the first sweep may be due at once). */
    sweepAt: async (minutes: number) => {
      harness.clock.set(at(minutes));
      await harness.sweep();
      await harness.sweep();
    },
    steps: () => harness.sent.map((email) => email.categories?.find((category) => category.startsWith('step-'))),
  };
}

describe('cart journey: a second device', () => {
  test('logging in on a second device after the cart email does not send that email again', async () => {
    const shop = journey();
    await shop.receive(event('page', { received: 0 }, { anonymous_id: 'tablet' }));
    await shop.receive(identify({ received: 1 }, { user_id: 'u-1', anonymous_id: 'phone' }));
    await shop.receive(add({ received: 2 }, { user_id: 'u-1', anonymous_id: 'phone' }));
    await shop.sweepAt(33);
    assert.deepEqual(shop.steps(), ['step-0']);

    // The tablet logs in: the older (tablet) person absorbs the phone's person and its cart.
    await shop.receive(identify({ received: 40 }, { user_id: 'u-1', anonymous_id: 'tablet' }));
    await shop.sweepAt(41);
    await shop.sweepAt(80);
    assert.deepEqual(shop.steps(), ['step-0'], 'no second first email for the same cart');

    await shop.sweepAt(33 + 24 * 60 + 1);
    await shop.sweepAt(40 + 24 * 60 + 1);
    assert.deepEqual(shop.steps(), ['step-0', 'step-1'], 'one follow-up, whoever survived');
  });

  test('a cart added to on the merged person after the email still gets no second first email', async () => {
    const shop = journey();
    await shop.receive(event('page', { received: 0 }, { anonymous_id: 'tablet' }));
    await shop.receive(identify({ received: 1 }, { user_id: 'u-1', anonymous_id: 'phone' }));
    await shop.receive(add({ received: 2 }, { user_id: 'u-1', anonymous_id: 'phone' }));
    await shop.sweepAt(33);
    await shop.receive(identify({ received: 40 }, { user_id: 'u-1', anonymous_id: 'tablet' }));
    await shop.receive(add({ received: 50 }, { anonymous_id: 'tablet' }, 'scarf'));
    await shop.sweepAt(90);
    assert.deepEqual(shop.steps(), ['step-0']);
  });
});

describe('cart journey: one cart seen from two devices', () => {
  test('a second device\'s own cart joined by a login is the same cart: no second first email', async () => {
    const shop = journey();
    await shop.receive(add({ received: 0 }, { anonymous_id: 'tablet' }, 'jacket'));
    await shop.receive(identify({ received: 1 }, { user_id: 'u-1', anonymous_id: 'phone' }));
    await shop.receive(add({ received: 2 }, { user_id: 'u-1', anonymous_id: 'phone' }, 'hat'));
    await shop.sweepAt(31);
    await shop.sweepAt(33);
    assert.deepEqual(shop.steps(), ['step-0'], 'the anonymous tablet had no address; the phone got its email');

    await shop.receive(identify({ received: 40 }, { user_id: 'u-1', anonymous_id: 'tablet' }));
    await shop.receive(add({ received: 50 }, { anonymous_id: 'tablet' }, 'scarf'));
    await shop.sweepAt(90);
    assert.deepEqual(shop.steps(), ['step-0']);
  });

  test('after a login on a second device, the absorbed person\'s timer does not send before the wait since the last add', async () => {
    const shop = journey();
    await shop.receive(event('page', { received: 0 }, { anonymous_id: 'tablet' }));
    await shop.receive(identify({ received: 1 }, { user_id: 'u-1', anonymous_id: 'phone' }));
    await shop.receive(add({ received: 2 }, { user_id: 'u-1', anonymous_id: 'phone' }));
    await shop.receive(identify({ received: 10 }, { user_id: 'u-1', anonymous_id: 'tablet' }));
    await shop.receive(add({ received: 20 }, { anonymous_id: 'tablet' }, 'scarf'));
    await shop.sweepAt(33);
    assert.deepEqual(shop.steps(), [], 'the phone\'s timer (due at 32) waits for the cart\'s last add');
    await shop.sweepAt(51);
    assert.deepEqual(shop.steps(), ['step-0']);
  });

  test('an add stamped earlier that arrives after the email (an offline queue) does not make it a new cart', async () => {
    const shop = journey();
    const ann = { user_id: 'u-1' };
    await shop.receive(identify({ received: 0 }, ann), add({ received: 2 }, ann));
    await shop.sweepAt(33);
    await shop.receive(add({ received: 40, occurred: 1 }, ann, 'hat'));
    await shop.sweepAt(80);
    assert.deepEqual(shop.steps(), ['step-0']);
  });

  test('a cart the site reports only by Cart Viewed, viewed again and again, is still one cart', async () => {
    const shop = journey();
    const ann = { user_id: 'u-1' };
    const viewed = (minute: number) => event('cart_viewed', { received: minute }, ann, { properties: { products: [{ product_id: 'jacket', name: 'jacket', price: 100, quantity: 1 }] } });
    await shop.receive(identify({ received: 0 }, ann), viewed(1));
    await shop.sweepAt(32);
    for (let minute = 40; minute < 52; minute++) await shop.receive(viewed(minute));
    await shop.sweepAt(90);
    assert.deepEqual(shop.steps(), ['step-0']);
  });
});

describe('cart journey: a second cart', () => {
  test('a cart opened after an order gets its own first email, not the follow-up', async () => {
    const shop = journey();
    const ann = { user_id: 'u-1' };
    await shop.receive(identify({ received: 0 }, ann), add({ received: 1 }, ann, 'jacket'));
    await shop.sweepAt(32);
    await shop.receive(order({ received: 40 }, ann, ['jacket']));
    await shop.receive(add({ received: 60 }, ann, 'boots'));
    await shop.sweepAt(91);
    assert.deepEqual(shop.steps(), ['step-0', 'step-0']);
    assert.match(shop.sent[1]!.html, /boots/);
    assert.doesNotMatch(shop.sent[1]!.html, /jacket/);
    assert.notEqual(shop.sent[1]!.send_id, shop.sent[0]!.send_id);
  });

  test('a cart filled again after it was emptied is a new cart', async () => {
    const shop = journey();
    const ann = { user_id: 'u-1' };
    await shop.receive(identify({ received: 0 }, ann), add({ received: 1 }, ann, 'jacket'));
    await shop.sweepAt(32);
    await shop.receive(remove({ received: 40 }, ann, 'jacket'));
    await shop.receive(add({ received: 60 }, ann, 'boots'));
    await shop.sweepAt(91);
    assert.deepEqual(shop.steps(), ['step-0', 'step-0']);
    assert.match(shop.sent[1]!.html, /boots/);
  });

  test('adding to the same cart after its email does not start it over', async () => {
    const shop = journey();
    const ann = { user_id: 'u-1' };
    await shop.receive(identify({ received: 0 }, ann), add({ received: 1 }, ann, 'jacket'));
    await shop.sweepAt(32);
    await shop.receive(add({ received: 40 }, ann, 'boots'));
    await shop.sweepAt(80);
    assert.deepEqual(shop.steps(), ['step-0']);
  });
});

describe('cart journey: the device clock', () => {
  test('a device clock an hour behind does not skip the wait', async () => {
    const shop = journey();
    const ann = { user_id: 'u-1' };
    await shop.receive(identify({ received: 0 }, ann), add({ received: 1, occurred: 1 - 60 }, ann));
    await shop.sweepAt(1.01);
    assert.equal(shop.sent.length, 0, 'not 0.6 s after the add');
    await shop.sweepAt(31.5);
    assert.equal(shop.sent.length, 1);
  });

  test('a server-side order received after the add closes the cart even when the device clock runs ahead', async () => {
    const shop = journey();
    const ann = { user_id: 'u-1' };
    await shop.receive(identify({ received: 0 }, ann), add({ received: 1, occurred: 2 }, ann, 'jacket'));
    await shop.receive(order({ received: 1.5 }, ann, ['jacket']));
    await shop.receive(add({ received: 10 }, ann, 'boots'));
    await shop.sweepAt(45);
    assert.equal(shop.sent.length, 1);
    assert.doesNotMatch(shop.sent[0]!.html, /jacket/, 'the bought jacket is not in the next cart');
  });
});

describe('cart journey: one batch', () => {
  test('[add A, order, add B] folded together arms a reminder for the cart with B', async () => {
    const shop = journey();
    const ann = { user_id: 'u-1' };
    await shop.receive(identify({ received: 0 }, ann));
    await shop.receive(add({ received: 1, occurred: 0.5 }, ann, 'jacket'), order({ received: 1, occurred: 0.6 }, ann, ['jacket']), add({ received: 1, occurred: 0.7 }, ann, 'boots'));
    await shop.sweepAt(32);
    assert.equal(shop.sent.length, 1);
    assert.match(shop.sent[0]!.html, /boots/);
    assert.doesNotMatch(shop.sent[0]!.html, /jacket/);
  });
});

describe('cart journey: values that cannot be stored', () => {
  test('an absurd price does not break the person: a later order still counts and stops the email', async () => {
    const shop = journey();
    const ann = { user_id: 'u-1' };
    await shop.receive(identify({ received: 0 }, ann), add({ received: 1 }, ann, 'jacket', { price: 1e303 }));
    await shop.receive(add({ received: 2 }, ann, 'boots', { price: 1e303, quantity: 3 }));
    await shop.receive(order({ received: 5 }, ann, ['jacket']), event('order_completed', { received: 6 }, ann, { properties: { order_id: 'o-big', total: 1e308 } }));
    const profile = (await shop.store.getProfile(personOf(shop)))!;
    assert.equal(profile.orders.count, 2);
    assert.ok(Number.isFinite(profile.orders.revenue));
    assert.ok(Number.isFinite(profile.cart?.value ?? 0));
    await shop.sweepAt(45);
    assert.equal(shop.sent.length, 0);
  });

  test('a stored profile with an unreadable field is repaired on the next fold, and an unsubscribe still takes effect', async () => {
    const shop = journey();
    const ann = { user_id: 'u-1' };
    await shop.receive(identify({ received: 0 }, ann), add({ received: 1 }, ann));
    const personId = personOf(shop);
    // What a JSON round trip of an Infinity used to leave behind.
    await shop.store.transact(async (tx) => {
      const stored = (await tx.getProfiles([personId])).get(personId) as Profile;
      tx.putProfile({ ...stored, orders: { ...stored.orders, revenue: null as unknown as number }, cart: { ...stored.cart!, value: null as unknown as number } });
    });
    await shop.receive(event('consent_updated', { received: 2 }, ann, { properties: { email_marketing: false, source: 'unsubscribe' } }));
    const profile = (await shop.store.getProfile(personId))!;
    assert.equal(profile.consent.email_marketing?.value, false);
    await shop.sweepAt(45);
    assert.equal(shop.sent.length, 0);
  });
});

describe('cart journey: hostile input', () => {
  test('links a browser sent with a product (off the shop\'s domains, or plain http) never reach the email', async () => {
    const shop = journey();
    const victim = { anonymous_id: 'att-1' };
    await shop.receive(
      identify({ received: 0 }, victim),
      add({ received: 1 }, victim, 'never-in-catalog', { url: 'http://evil.example/login', image_url: 'https://evil.example/pixel.png' }),
      add({ received: 1 }, victim, 'plain-http', { url: 'http://shop.example/p/plain', image_url: 'http://cdn.shop.example/plain.png' }),
      add({ received: 1 }, victim, 'own-page', { url: 'https://shop.example/p/own', image_url: 'https://cdn.shop.example/own.png' }),
    );
    await shop.sweepAt(33);
    const [data] = shop.rendered;
    const links = Object.fromEntries(data!.cart!.items.map((item) => [item.product_id, [item.url, item.image_url]]));
    assert.deepEqual(links, {
      'never-in-catalog': ['https://shop.example', null],
      'plain-http': ['https://shop.example', null],
      'own-page': ['https://shop.example/p/own', 'https://cdn.shop.example/own.png'],
    });
  });
});

function personOf(shop: ReturnType<typeof journey>): string {
  const [personId] = [...shop.store.snapshot().profiles.values()].filter((profile) => !profile.merged_into).map((profile) => profile.person_id);
  return personId!;
}

describe('cart journey: an address that bounced or complained, under another person', () => {
  // As the door normalizes it: the address in traits is also the event's email (an identity key).
  const identify = (when: When, ids: Ids) => event('identify', when, ids, { email: 'ann@example.com', traits: { email: 'ann@example.com', email_marketing_consent: true } });
  /** What the SendGrid webhook does for a spam report or hard bounce of Ann's email (suppress-person.ts). */
  const record = async (j: ReturnType<typeof journey>, kind: 'bounced' | 'complained', address: string) => {
    const personId = (await j.store.findPersonId(identityKey('user', 'ann')))!;
    const suppress = createSuppressPerson({ store: j.store, foldEvents: j.fold, acceptEvents: async () => {}, newEventId: () => `sg-${kind}` });
    j.clock.set(at(5));
    await suppress({ person_id: personId, kind, at: new Date(at(5)), address, email_event_id: `sendgrid:${kind}` });
  };

  for (const [kind, reason] of [['complained', 'suppressed_complained'], ['bounced', 'suppressed_bounced']] as const) {
    test(`a guest checkout (a new user id, the same address) after the address ${kind} gets no email`, async () => {
      const j = journey();
      await j.receive(identify({ received: 0 }, { user_id: 'ann', anonymous_id: 'laptop' }));
      await record(j, kind, 'ann@example.com');
      // Another user id on another device, the same address with consent, and a cart: its own person.
      await j.receive(identify({ received: 10 }, { user_id: 'guest-7', anonymous_id: 'phone' }), add({ received: 11 }, { user_id: 'guest-7', anonymous_id: 'phone' }));
      assert.notEqual(await j.store.findPersonId(identityKey('user', 'guest-7')), await j.store.findPersonId(identityKey('user', 'ann')), 'two persons');
      await j.sweepAt(60);
      assert.equal(j.sent.length, 0, 'no email to the address');
      const decisions = j.rows.filter((r) => r.table === 'decisions').map((r) => [r.row.outcome, r.row.reason]);
      assert.deepEqual(decisions, [['skip', reason]]);
    });
  }

  test('a bounce of another address of that person does not hold this one', async () => {
    const j = journey();
    await j.receive(identify({ received: 0 }, { user_id: 'ann', anonymous_id: 'laptop' }));
    await record(j, 'bounced', 'old@example.com');
    await j.receive(identify({ received: 10 }, { user_id: 'guest-7', anonymous_id: 'phone' }), add({ received: 11 }, { user_id: 'guest-7', anonymous_id: 'phone' }));
    await j.sweepAt(60);
    assert.equal(j.sent.length, 1);
  });
});
