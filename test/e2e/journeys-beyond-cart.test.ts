import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EmbeddedRuntime } from '../../functions/embedded/runtime.ts';
import { startTestHost } from '../support/embedded-host.ts';

// Issue 9's "done when", end to end over real HTTP on the embedded runtime: the browse follow-up
// (views → email with the viewed item, similar items and an expiring offer; an add to cart hands
// over to the cart journey; an order cancels both), back in stock and price drop (once per restock
// or drop, never to a buyer). Waits are cut to two seconds in a copied templates folder.
const waitMs = 2000;
const wait = `${waitMs / 1000}s`;

describe('journeys beyond the cart on the embedded runtime', () => {
  let host: Awaited<ReturnType<typeof startTestHost>>;
  let runtime: EmbeddedRuntime;
  const errors: Record<string, unknown>[] = [];

  before(async () => {
    host = await startTestHost({
      prefix: 'journeys',
      waits: { 'cart-abandonment': wait, 'browse-abandonment': wait, 'back-in-stock': wait, 'price-drop': wait },
      options: { log: (entry) => void (entry.severity === 'ERROR' && errors.push(entry)) },
    });
    runtime = host.runtime;
  });

  after(() => host.stop());

  const send = (batch: Record<string, unknown>[]) => host.send(batch);
  const emailsTo = (address: string, campaign?: string) => host.emailsTo(address, campaign);
  const shopper = (userId: string) => ({ type: 'identify', userId, traits: { email: `${userId}@example.com`, first_name: 'Sam', email_marketing_consent: true } });
  const view = (userId: string, productId: string) => ({ type: 'track', event: 'Product Viewed', userId, properties: { product_id: productId } });
  const catalog = (productId: string, properties: Record<string, unknown>, messageId?: string) => ({
    type: 'track',
    event: 'Catalog Updated',
    userId: 'shop-backend',
    ...(messageId ? { messageId } : {}),
    properties: { product_id: productId, ...properties },
  });
  const product = (id: string, name: string, price: number, stock: number, category = 'Jackets', tags = ['outdoor']) =>
    catalog(id, { name, price, currency: 'EUR', stock, category, tags, url: `https://shop.example/p/${id}`, image_url: `https://shop.example/img/${id}.jpg` });
  const settle = async () => {
    await runtime.bus.whenIdle();
    await new Promise((resolve) => setTimeout(resolve, waitMs + 400));
    await runtime.bus.whenIdle();
    await runtime.sweepTimers();
    await runtime.bus.whenIdle();
  };
  const reasons = async (campaign: string) =>
    (await runtime.warehouse.query(`SELECT person_id, outcome, reason FROM nudge.decisions WHERE campaign_id = '${campaign}' ORDER BY decided_at`)) as { person_id: string; outcome: string; reason: string }[];

  test('browse follow-up: the viewed item, similar items and an expiring offer; a cart or an order takes it away', async () => {
    await send([
      product('jacket-1', 'Storm Rain Jacket', 129, 5),
      product('jacket-2', 'Trail Shell Jacket', 139, 8),
      product('jacket-3', 'Light Down Jacket', 119, 3),
      product('boots-1', 'Hiking Boots', 99, 4, 'Shoes', ['trail']),
    ]);
    await runtime.bus.whenIdle();
    await send([
      shopper('browser'),
      view('browser', 'jacket-1'),
      view('browser', 'jacket-1'),
      view('browser', 'boots-1'),
      shopper('carter'),
      view('carter', 'jacket-1'),
      shopper('orderer'),
      view('orderer', 'jacket-2'),
      // Both journeys armed: a cart first, then views of something else.
      shopper('both'),
      { type: 'track', event: 'Product Added', userId: 'both', properties: { cart_id: 'c-2', product_id: 'boots-1', name: 'Hiking Boots', price: 99, quantity: 1 } },
    ]);
    await runtime.bus.whenIdle();
    await send([view('both', 'jacket-3')]);
    await runtime.bus.whenIdle();
    const armed = await runtime.profiles.listTimers((await runtime.profiles.findPersonId('user:both'))!);
    assert.deepEqual(armed.map((timer) => timer.campaign_id).sort(), ['browse-abandonment', 'cart-abandonment'], 'a cart and a browse session at once');
    await runtime.bus.whenIdle();
    // Before the wait ends: the carter adds to a cart (the cart journey takes over), the orderer buys.
    await send([
      { type: 'track', event: 'Product Added', userId: 'carter', properties: { cart_id: 'c-1', product_id: 'jacket-1', name: 'Storm Rain Jacket', price: 129, quantity: 1 } },
      { type: 'track', event: 'Order Completed', userId: 'orderer', properties: { order_id: 'o-1', total: 139, products: [{ product_id: 'jacket-2', price: 139, quantity: 1 }] } },
      { type: 'track', event: 'Order Completed', userId: 'both', properties: { order_id: 'o-4', total: 99, products: [{ product_id: 'boots-1', price: 99, quantity: 1 }] } },
    ]);
    await settle();

    const [email, ...more] = await emailsTo('browser@example.com');
    assert.equal(more.length, 0, 'one browse email');
    assert.ok(email?.html);
    assert.match(email.subject ?? '', /Storm Rain Jacket/, 'the most-viewed item leads');
    assert.match(email.text ?? '', /Storm Rain Jacket: €129\.00/);
    assert.match(email.text ?? '', /You might also like[\s\S]*(Trail Shell Jacket|Light Down Jacket)/, 'similar jackets recommended');
    assert.doesNotMatch(email.text ?? '', /You might also like[\s\S]*Storm Rain Jacket/, 'never the viewed item again');
    const offer = /use code (LOOK10-[2-9A-HJ-NP-Z]{16}) at checkout\. Ends \w{3} \d{1,2} \w{3}, \d{2}:\d{2} UTC/.exec(email.text ?? '');
    assert.ok(offer, 'an offer whose expiry shows, with a code of its own');
    assert.ok(email.html.includes(offer[1]!), 'the same code in the HTML part');
    // The shop's checkout checks it through nudge with its server key (a browser key could not).
    const check = await fetch(`${runtime.url}/v1/offers/check`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${host.writeKey}:`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code: offer[1] }),
    });
    assert.equal(check.status, 200);
    const checked = (await check.json()) as { valid: boolean; code_prefix: string; expires_at: string };
    assert.equal(checked.valid, true);
    assert.equal(checked.code_prefix, 'LOOK10');
    assert.ok(Date.parse(checked.expires_at) > Date.now() + 23 * 3_600_000, 'valid for the offer\'s 24 hours');

    const carter = await emailsTo('carter@example.com');
    assert.deepEqual(carter.map((sent) => sent?.subject?.includes('cart')), [true], 'the carter gets the cart email, not the browse one');
    assert.equal((await emailsTo('orderer@example.com')).length, 0, 'the orderer gets nothing');
    assert.equal((await emailsTo('both@example.com')).length, 0, 'an order cancels both journeys');
    assert.deepEqual(await runtime.profiles.listTimers((await runtime.profiles.findPersonId('user:both'))!), []);
    assert.deepEqual(errors, []);
  });

  test('back in stock: viewers while sold out hear once per restock, never a buyer, at most stock × factor', async () => {
    await send([product('tent-1', 'Two-person Tent', 249, 0, 'Camping', ['tent'])]);
    await runtime.bus.whenIdle();
    await send([
      shopper('waiter-1'),
      view('waiter-1', 'tent-1'),
      shopper('waiter-2'),
      { type: 'track', event: 'Back In Stock Requested', userId: 'waiter-2', properties: { product_id: 'tent-1' } },
      shopper('buyer'),
      view('buyer', 'tent-1'),
    ]);
    await runtime.bus.whenIdle();
    await send([{ type: 'track', event: 'Order Completed', userId: 'buyer', properties: { order_id: 'o-2', total: 249, products: [{ product_id: 'tent-1', price: 249, quantity: 1 }] } }]);
    await runtime.bus.whenIdle();
    const restock = catalog('tent-1', { stock: 2 }, 'restock-tent-1');
    await send([restock]);
    await settle();

    for (const waiter of ['waiter-1', 'waiter-2']) {
      const emails = await emailsTo(`${waiter}@example.com`, 'back-in-stock');
      assert.equal(emails.length, 1, `${waiter} hears once`);
      assert.match(emails[0]?.subject ?? '', /Two-person Tent/);
    }
    assert.equal((await emailsTo('buyer@example.com', 'back-in-stock')).length, 0, 'never someone who bought it since');

    // The same restock delivered again (the shop's retry) emails nobody twice.
    await send([restock]);
    await settle();
    assert.equal((await emailsTo('waiter-1@example.com', 'back-in-stock')).length, 1);
    assert.equal((await emailsTo('waiter-2@example.com', 'back-in-stock')).length, 1);
  });

  test('price drop: recent viewers who did not buy hear once per drop; a small cut is no drop', async () => {
    await send([product('pack-1', 'Day Pack 20L', 100, 10, 'Bags', ['pack'])]);
    await runtime.bus.whenIdle();
    await send([shopper('looker'), view('looker', 'pack-1'), shopper('owner'), view('owner', 'pack-1')]);
    await runtime.bus.whenIdle();
    await send([{ type: 'track', event: 'Order Completed', userId: 'owner', properties: { order_id: 'o-3', total: 100, products: [{ product_id: 'pack-1', price: 100, quantity: 1 }] } }]);
    await runtime.bus.whenIdle();
    await send([catalog('pack-1', { price: 95 })]); // 5 %: below the campaign's 10 %
    await settle();
    assert.equal((await emailsTo('looker@example.com', 'price-drop')).length, 0, 'a 5 % cut is not a drop');

    const drop = catalog('pack-1', { price: 79 }, 'drop-pack-1');
    await send([drop]);
    await settle();
    await send([drop]);
    await settle();
    const emails = await emailsTo('looker@example.com', 'price-drop');
    assert.equal(emails.length, 1, 'one email per drop');
    assert.match(emails[0]?.text ?? '', /was €95\.00, now €79\.00/);
    assert.equal((await emailsTo('owner@example.com', 'price-drop')).length, 0, 'never a buyer');
    assert.ok((await reasons('price-drop')).every((row) => row.outcome === 'send'));
  });
});
