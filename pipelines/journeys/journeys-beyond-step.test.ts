import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createFanOutCatalogTrigger, firstFanOutPage, type FanOutPage } from './fan-out-catalog-trigger.ts';
import type { Recommend } from './journey-trigger.ts';
import { backInStockCampaign, browseCampaign, priceDropCampaign } from './journey-fixtures.ts';
import { cartCampaign, createJourneyHarness, type JourneyHarnessOptions } from '../../test/support/journey-harness.ts';
import { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { catalogEvent } from '../catalog/catalog-fixtures.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';

// The journeys beyond the cart through the whole step (take the timer, judge, read live data and
// interests, build, claim, send, record), over the journey harness: in-memory profiles, catalog
// and interests, a real SQLite ledger. Views, carts and orders go through the real fold; catalog
// triggers through the real fan-out.
const at = (minute: number, hour = 12) => new Date(Date.UTC(2026, 2, 1, hour, minute)).toISOString();
type Ids = { user_id?: string | null; anonymous_id?: string | null };
const ids = (who: Ids) => ({ anonymous_id: who.anonymous_id ?? null, user_id: who.user_id === undefined ? 'u-1' : who.user_id });
const identify = (minute: number, who: Ids = {}, email = 'ann@example.com') =>
  makeEvent('identify', { ...ids(who), occurred_at: at(minute), received_at: at(minute), traits: { email, email_marketing_consent: true, first_name: 'Ann' } });
const view = (productId: string, minute: number, who: Ids = {}, hour = 12) =>
  makeEvent('product_viewed', { ...ids(who), occurred_at: at(minute, hour), received_at: at(minute, hour), properties: { product_id: productId, name: `${productId} (viewed)`, url: `https://shop.example/p/${productId}` } });
const add = (productId: string, minute: number, who: Ids = {}, hour = 12) =>
  makeEvent('product_added', { ...ids(who), occurred_at: at(minute, hour), received_at: at(minute, hour), properties: { cart_id: 'c-1', product_id: productId, name: productId, price: 10, quantity: 1 } });
const order = (productIds: string[], minute: number, who: Ids = {}, hour = 12) =>
  makeEvent('order_completed', { ...ids(who), occurred_at: at(minute, hour), received_at: at(minute, hour), properties: { order_id: `o-${minute}`, total: 10, products: productIds.map((product_id) => ({ product_id, price: 10, quantity: 1 })) } });
const product = (productId: string, values: Record<string, unknown>, eventId?: string, minute = 0, hour = 11) =>
  catalogEvent({ product_id: productId, name: productId.toUpperCase(), currency: 'EUR', url: `https://shop.example/p/${productId}`, ...values }, { occurred_at: at(minute, hour), ...(eventId ? { event_id: eventId } : {}) });

function setup(options: JourneyHarnessOptions = {}) {
  const harness = createJourneyHarness({ definitions: [cartCampaign, browseCampaign, backInStockCampaign, priceDropCampaign], ...options });
  /** Fold events into profiles and record them as interests (as on-priority / on-browse and on-interest do). */
  const happen = async (events: NudgeEvent[], stock: ReadonlyMap<string, number | null> = new Map()) => {
    await harness.fold(events);
    await harness.interests.record(events, stock);
  };
  const decisions = () => harness.rows.filter((row) => row.table === 'decisions').map((row) => row.row);
  const reasons = () => decisions().map((row) => `${String(row.campaign_id)}:${String(row.reason)}`);
  const fanOut = createFanOutCatalogTrigger({ interests: harness.interests, store: harness.store, campaigns: new Map(options.definitions?.map((d) => [d.id, d]) ?? [[backInStockCampaign.id, backInStockCampaign], [priceDropCampaign.id, priceDropCampaign]]) });
  /** A catalog update applied, and the trigger it fires fanned out (every page). */
  const restock = async (productId: string, stock: number, eventId: string, firedAt: string) => {
    await harness.catalog.applyUpdates([product(productId, { stock }, eventId, 0, 12)]);
    let page: FanOutPage | null = firstFanOutPage({ kind: 'back_in_stock', campaign_id: backInStockCampaign.id, product_id: productId, event_id: eventId, stock }, firedAt);
    while (page) page = (await fanOut(page)).next;
  };
  return { ...harness, happen, decisions, reasons, fanOut, restock };
}

describe('browse follow-up through the step', () => {
  test('the session’s most-viewed items, most viewed first; cart, recommendations and offer as the campaign says', async () => {
    const seeds: Parameters<Recommend>[0][] = [];
    const recommend: Recommend = async (request) => {
      seeds.push(request);
      return [{ item: { product_id: 'vest' } as never }, { item: { product_id: 'gone' } as never }, { item: { product_id: 'sold-out-rec' } as never }];
    };
    const campaign = CampaignDefinition.parse({ ...browseCampaign, recommendations: 3, offers: [{ offer: { kind: 'percent', value: 10, code: 'LOOK10', expires_in: '24h' } }] });
    const h = setup({ definitions: [campaign], recommend });
    await h.catalog.applyUpdates(['jacket', 'boots', 'hat', 'vest'].map((id) => product(id, { price: 50, stock: 5 })));
    await h.catalog.applyUpdates([product('sold-out-rec', { price: 5, stock: 0 })]);
    await h.happen([identify(0), view('boots', 1), view('jacket', 2), view('hat', 3), view('jacket', 4), view('jacket', 5), view('hat', 6)]);
    h.clock.set(at(17));
    await h.sweep();
    assert.equal(h.sent.length, 1);
    const data = h.rendered[0]!;
    assert.deepEqual(data.items?.map((item) => [item.product_id, item.name, item.price]), [['jacket', 'JACKET', 50], ['hat', 'HAT', 50]], 'jacket ×3, hat ×2: two items (the default)');
    assert.deepEqual(seeds.map((s) => [s.seedIds, [...s.exclude].sort(), s.limit]), [[['jacket', 'hat'], ['boots', 'hat', 'jacket'], 3]]);
    assert.deepEqual(data.recommendations?.map((item) => item.product_id), ['vest'], 'unknown and sold-out recommendations are left out');
    assert.equal(data.offer?.code, 'LOOK10');
    assert.equal(h.sent[0]!.to.email, 'ann@example.com');
    assert.deepEqual(h.reasons(), ['browse-abandonment:eligible']);
  });

  test('views older than the session before the latest view do not count', async () => {
    const h = setup({ definitions: [browseCampaign] });
    await h.catalog.applyUpdates(['old', 'new'].map((id) => product(id, { price: 5, stock: 5 })));
    await h.happen([identify(0, {}), view('old', 0, {}, 10), view('old', 1, {}, 10), view('old', 2, {}, 10), view('new', 0)]);
    h.clock.set(at(11));
    await h.sweep();
    assert.deepEqual(h.rendered[0]?.items?.map((item) => item.product_id), ['new']);
  });

  test('items in the open cart are left out; when only those remain, the skip says in_cart_journey', async () => {
    const h = setup({ definitions: [browseCampaign] });
    await h.catalog.applyUpdates(['jacket', 'boots'].map((id) => product(id, { price: 5, stock: 5 })));
    await h.happen([identify(0), add('jacket', 0, {}, 11)]);
    await h.happen([view('jacket', 1), view('jacket', 2), view('boots', 3)]);
    h.clock.set(at(14));
    await h.sweep();
    assert.deepEqual(h.rendered[0]?.items?.map((item) => item.product_id), ['boots']);

    const only = setup({ definitions: [browseCampaign] });
    await only.catalog.applyUpdates([product('jacket', { price: 5, stock: 5 })]);
    await only.happen([identify(0), add('jacket', 0, {}, 11)]);
    await only.happen([view('jacket', 1)]);
    only.clock.set(at(12));
    await only.sweep();
    assert.equal(only.sent.length, 0);
    assert.deepEqual(only.reasons(), ['browse-abandonment:in_cart_journey']);
  });

  test('an item bought after viewing it is left out', async () => {
    const h = setup({ definitions: [browseCampaign] });
    await h.catalog.applyUpdates(['jacket', 'boots'].map((id) => product(id, { price: 5, stock: 5 })));
    await h.happen([identify(0), view('jacket', 20, {}, 11), view('jacket', 21, {}, 11)]);
    await h.happen([order(['jacket'], 30, {}, 11)]);
    await h.happen([view('boots', 0)]);
    h.clock.set(at(11));
    await h.sweep();
    assert.deepEqual(h.rendered[0]?.items?.map((item) => item.product_id), ['boots']);
  });

  test('sold-out items are left out and the next most viewed shown; all sold out: sold_out_again', async () => {
    const h = setup({ definitions: [browseCampaign] });
    await h.catalog.applyUpdates([product('jacket', { price: 5, stock: 0 }), product('boots', { price: 5, stock: 2 }), product('hat', { price: 5, stock: 2 })]);
    await h.happen([identify(0), view('jacket', 1), view('jacket', 2), view('jacket', 3), view('boots', 4), view('boots', 5), view('hat', 6)]);
    h.clock.set(at(17));
    await h.sweep();
    assert.deepEqual(h.rendered[0]?.items?.map((item) => item.product_id), ['boots', 'hat'], 'two items asked for, two available were viewed');

    const all = setup({ definitions: [browseCampaign] });
    await all.catalog.applyUpdates([product('jacket', { price: 5, stock: 0 })]);
    await all.happen([identify(0), view('jacket', 1)]);
    all.clock.set(at(12));
    await all.sweep();
    assert.equal(all.sent.length, 0);
    assert.deepEqual(all.reasons(), ['browse-abandonment:sold_out_again']);
  });

  test('an item the catalog does not know shows with the viewed name and link, no price; the fallback is on the decision row', async () => {
    const h = setup({ definitions: [browseCampaign] });
    await h.happen([identify(0), view('mystery', 1)]);
    h.clock.set(at(12));
    await h.sweep();
    assert.deepEqual(h.rendered[0]?.items?.map((item) => [item.name, item.price, item.url]), [['mystery (viewed)', null, 'https://shop.example/p/mystery']]);
    const [decision] = h.decisions();
    assert.deepEqual(JSON.parse(String(decision!.live_data_fallbacks)), [{ product_id: 'mystery', used: 'dropped', reason: 'not_in_catalog' }]);
  });

  test('a view without a name, of a product nobody knows: nothing_to_show', async () => {
    const h = setup({ definitions: [browseCampaign] });
    await h.happen([identify(0), makeEvent('product_viewed', { user_id: 'u-1', anonymous_id: null, occurred_at: at(1), received_at: at(1), properties: { product_id: 'nameless' } })]);
    h.clock.set(at(12));
    await h.sweep();
    assert.equal(h.sent.length, 0);
    assert.deepEqual(h.reasons(), ['browse-abandonment:nothing_to_show']);
  });

  test('the decision and send rows name the view that armed the browse follow-up, not just "browse"', async () => {
    const h = setup({ definitions: [browseCampaign] });
    await h.catalog.applyUpdates([product('jacket', { price: 50, stock: 5 })]);
    const last = view('jacket', 2);
    await h.happen([identify(0), view('jacket', 1), last]);
    h.clock.set(at(15));
    await h.sweep();
    const key = JSON.stringify(['browse', last.event_id]);
    assert.deepEqual(h.rows.filter((row) => row.table === 'decisions' || row.table === 'email_sends').map((row) => [row.table, row.row.trigger_key]), [['decisions', key], ['email_sends', key]]);
  });

  test('the timer fired twice (a crash after the send) sends once; browsing again later is a new email unless resend_after says no', async () => {
    const h = setup({ definitions: [CampaignDefinition.parse({ ...browseCampaign, resend_after: '24h' })] });
    await h.catalog.applyUpdates([product('jacket', { price: 5, stock: 5 })]);
    await h.happen([identify(0), view('jacket', 1)]);
    h.clock.set(at(12));
    await h.sweep();
    await h.happen([view('jacket', 20)]);
    h.clock.set(at(31));
    await h.sweep();
    assert.equal(h.sent.length, 1);
    assert.deepEqual(h.reasons(), ['browse-abandonment:eligible', 'browse-abandonment:campaign_repeat']);
  });

  test('a cart email within the journey window holds the browse email back; never the other way round', async () => {
    const h = setup({ definitions: [cartCampaign, browseCampaign], journeyWindowMs: 6 * 3_600_000 });
    await h.catalog.applyUpdates(['socks', 'jacket'].map((id) => product(id, { price: 5, stock: 5 })));
    await h.happen([identify(0), add('socks', 0, {}, 11)]);
    h.clock.set(at(31, 11));
    await h.sweep();
    await h.happen([view('jacket', 0)]);
    h.clock.set(at(11));
    await h.sweep();
    assert.deepEqual(h.reasons(), ['cart-abandonment:eligible', 'browse-abandonment:journey_window']);

    const other = setup({ definitions: [cartCampaign, browseCampaign], journeyWindowMs: 6 * 3_600_000 });
    await other.catalog.applyUpdates(['socks', 'jacket'].map((id) => product(id, { price: 5, stock: 5 })));
    await other.happen([identify(0), view('jacket', 0, {}, 11)]);
    other.clock.set(at(11, 11));
    await other.sweep();
    await other.happen([add('socks', 0)]);
    other.clock.set(at(31));
    await other.sweep();
    assert.deepEqual(other.reasons(), ['browse-abandonment:eligible', 'cart-abandonment:eligible']);
    assert.equal(other.sent.length, 2);
  });
});

/** Only the catalog journeys: the views below would otherwise arm browse follow-ups too. */
const catalogOnly = () => setup({ definitions: [backInStockCampaign, priceDropCampaign] });

describe('back in stock through the step', () => {
  const soldOut = (id: string) => new Map([[id, 0]]);

  test('a viewer while sold out gets one email about the item as it is now', async () => {
    const h = catalogOnly();
    await h.catalog.applyUpdates([product('tent', { price: 249, stock: 0 })]);
    await h.happen([identify(0), view('tent', 1)], soldOut('tent'));
    await h.restock('tent', 3, 'restock-1', at(30));
    h.clock.set(at(33));
    await h.sweep();
    assert.equal(h.sent.length, 1);
    assert.deepEqual([h.rendered[0]!.item?.product_id, h.rendered[0]!.item?.stock, h.rendered[0]!.item?.available, h.rendered[0]!.item?.price], ['tent', 3, true, 249]);
    assert.equal(h.rendered[0]!.items, undefined, 'a catalog email has no browse block');
  });

  test('two devices of one person, merged before the email: one email', async () => {
    const h = catalogOnly();
    await h.catalog.applyUpdates([product('tent', { price: 249, stock: 0 })]);
    await h.happen([view('tent', 1, { user_id: null, anonymous_id: 'phone' })], soldOut('tent'));
    await h.happen([identify(2, { user_id: 'u-1', anonymous_id: 'laptop' }), view('tent', 3, { user_id: 'u-1', anonymous_id: 'laptop' })], soldOut('tent'));
    await h.restock('tent', 5, 'restock-1', at(30));
    assert.equal((await h.store.findDueTimers(new Date(at(59)), 10)).length, 2, 'two people when the restock came');
    await h.happen([identify(31, { user_id: 'u-1', anonymous_id: 'phone' })]);
    h.clock.set(at(33));
    await h.sweep();
    await h.sweep();
    assert.equal(h.sent.length, 1);
    assert.equal(h.sent[0]!.to.email, 'ann@example.com');
  });

  test('a page redelivered after the email went out arms the timer again, and the ledger sends nothing twice', async () => {
    const h = catalogOnly();
    await h.catalog.applyUpdates([product('tent', { price: 249, stock: 0 })]);
    await h.happen([identify(0), view('tent', 1)], soldOut('tent'));
    await h.restock('tent', 3, 'restock-1', at(30));
    h.clock.set(at(33));
    await h.sweep();
    await h.fanOut(firstFanOutPage({ kind: 'back_in_stock', campaign_id: backInStockCampaign.id, product_id: 'tent', event_id: 'restock-1', stock: 3 }, at(30)));
    h.clock.set(at(40));
    const again = await h.sweep();
    assert.equal(h.sent.length, 1);
    assert.deepEqual(again.outcomes, { already_sent: 1 });
  });

  test('someone who bought it after the fan-out armed them is skipped: already_bought', async () => {
    const h = catalogOnly();
    await h.catalog.applyUpdates([product('tent', { price: 249, stock: 0 })]);
    await h.happen([identify(0), view('tent', 1)], soldOut('tent'));
    await h.restock('tent', 3, 'restock-1', at(30));
    await h.happen([order(['tent'], 31)], new Map([['tent', 3]]));
    h.clock.set(at(33));
    await h.sweep();
    assert.equal(h.sent.length, 0);
    assert.deepEqual(h.reasons(), ['back-in-stock:already_bought']);
  });

  test('sold out again before the email: sold_out_again', async () => {
    const h = catalogOnly();
    await h.catalog.applyUpdates([product('tent', { price: 249, stock: 0 })]);
    await h.happen([identify(0), view('tent', 1)], soldOut('tent'));
    await h.restock('tent', 1, 'restock-1', at(30));
    await h.catalog.applyUpdates([product('tent', { stock: 0 }, 'sold-again', 31, 12)]);
    h.clock.set(at(33));
    await h.sweep();
    assert.equal(h.sent.length, 0);
    assert.deepEqual(h.reasons(), ['back-in-stock:sold_out_again']);
  });
});

describe('price drop through the step', () => {
  test('the email shows the old price and the cut; 19.90 → 17.91 is a 10% cut', async () => {
    const h = catalogOnly();
    await h.catalog.applyUpdates([product('pack', { price: 19.9, stock: 5 })]);
    await h.happen([identify(0), view('pack', 1)]);
    await h.catalog.applyUpdates([product('pack', { price: 17.91 }, 'drop-1', 30, 12)]);
    await h.fanOut(firstFanOutPage({ kind: 'price_drop', campaign_id: priceDropCampaign.id, product_id: 'pack', event_id: 'drop-1', previous_price: 19.9, stock: null }, at(30)));
    h.clock.set(at(33));
    await h.sweep();
    assert.equal(h.sent.length, 1);
    const item = h.rendered[0]!.item!;
    assert.deepEqual([item.price, item.previous_price, item.drop_percent], [17.91, 19.9, 10]);
  });

  test('the price went back up before the email: price_back_up; still down by the minimum: sent', async () => {
    for (const { now, reason } of [
      { now: 18, reason: 'price-drop:price_back_up' },
      { now: 17.91, reason: 'price-drop:eligible' },
    ]) {
      const h = catalogOnly();
      await h.catalog.applyUpdates([product('pack', { price: 19.9, stock: 5 })]);
      await h.happen([identify(0), view('pack', 1)]);
      await h.catalog.applyUpdates([product('pack', { price: 17.91 }, 'drop-1', 30, 12)]);
      await h.fanOut(firstFanOutPage({ kind: 'price_drop', campaign_id: priceDropCampaign.id, product_id: 'pack', event_id: 'drop-1', previous_price: 19.9, stock: null }, at(30)));
      await h.catalog.applyUpdates([product('pack', { price: now }, 'later', 31, 12)]);
      h.clock.set(at(33));
      await h.sweep();
      assert.deepEqual(h.reasons(), [reason], String(now));
    }
  });
});
