import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { catalogTriggerKey } from './catalog-trigger-key.ts';
import { createFanOutCatalogTrigger, FanOutPage, firstFanOutPage, type FanOutResult } from './fan-out-catalog-trigger.ts';
import { backInStockCampaign, browseCampaign, priceDropCampaign } from './journey-fixtures.ts';
import { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { createFoldEvents } from '../profiles/fold-events.ts';
import { createInMemoryProfileStore } from '../profiles/in-memory-profile-store.ts';
import { createInMemoryInterestStore } from '../product-interest/in-memory-interest-store.ts';
import { ordered, T, viewed, requested, added } from '../product-interest/interest-fixtures.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { createManualClock } from '../shared/clock.ts';

// The fan-out of a restock or a price drop over the in-memory interest and profile stores: who
// is armed, in what order, how many, and what a redelivered page does.
const FIRED = T(60);
const restock = (stock: number, eventId = 'restock-1') => firstFanOutPage({ kind: 'back_in_stock', campaign_id: 'back-in-stock', product_id: 'tent', event_id: eventId, stock }, FIRED);
const drop = (previous = 100) => firstFanOutPage({ kind: 'price_drop', campaign_id: 'price-drop', product_id: 'tent', event_id: 'drop-1', previous_price: previous, stock: null }, FIRED);
const soldOut = new Map([['tent', 0]]);
const inStock = new Map([['tent', 5]]);

async function setup(options: { definitions?: CampaignDefinition[]; pageSize?: number; armPerTransaction?: number } = {}) {
  const store = createInMemoryProfileStore();
  const interests = createInMemoryInterestStore({ clock: createManualClock(FIRED) });
  let ids = 0;
  const fold = createFoldEvents({ store, clock: createManualClock(T(0)), newPersonId: () => `p-${String(++ids).padStart(2, '0')}` });
  const armedAt: Date[] = [];
  const fanOut = createFanOutCatalogTrigger({
    interests,
    store,
    campaigns: new Map((options.definitions ?? [backInStockCampaign, priceDropCampaign]).map((d) => [d.id, d])),
    settings: { pageSize: options.pageSize ?? 200, armPerTransaction: options.armPerTransaction ?? 100 },
    onArmed: (at) => armedAt.push(at),
  });
  /** A known shopper: a profile for user:<name> (and their anonymous id). */
  const person = async (name: string, anon?: string) => {
    await fold([makeEvent('identify', { user_id: name, anonymous_id: anon ?? null, occurred_at: T(0), received_at: T(0), traits: { email: `${name}@example.com` } })]);
    return (await store.findPersonId(`user:${name}`))!;
  };
  const record = (events: NudgeEvent[], stock = soldOut) => interests.record(events, stock);
  const timers = async () => (await store.findDueTimers(new Date('2027-01-01T00:00:00.000Z'), 1000)).sort((a, b) => (a.person_id < b.person_id ? -1 : 1));
  /** Runs a page and every page it chains to, as the bus would; returns each page's result. */
  const chain = async (page: FanOutPage) => {
    const results: FanOutResult[] = [];
    let next: FanOutPage | null = page;
    while (next) {
      // Each page goes through the bus as JSON.
      const result = await fanOut(FanOutPage.parse(JSON.parse(JSON.stringify(next))));
      results.push(result);
      next = result.next;
    }
    return results;
  };
  return { store, interests, fanOut, person, record, timers, chain, armedAt };
}

describe('createFanOutCatalogTrigger: back in stock', () => {
  test('arms everyone who viewed it while sold out, due at fired_at + wait, keyed by the restock', async () => {
    const h = await setup();
    const ann = await h.person('ann');
    const bob = await h.person('bob');
    await h.record([viewed('tent', { user: 'ann', at: T(1) }), requested('tent', { user: 'bob', at: T(2) })]);
    const [result] = await h.chain(restock(10));
    assert.deepEqual(result, { armed: 2, skipped_bought: 0, unknown_identities: 0, next: null });
    const key = catalogTriggerKey({ kind: 'back_in_stock', product_id: 'tent', event_id: 'restock-1' });
    assert.deepEqual(await h.timers(), [ann, bob].sort().map((person_id) => ({
      timer_id: `back-in-stock:${person_id}:${JSON.stringify(['back_in_stock', 'tent'])}`,
      campaign_id: 'back-in-stock',
      person_id,
      trigger_key: key,
      step: 0,
      due_at: T(62),
      armed_at: FIRED,
      armed_by_event_id: 'restock-1',
    })));
    assert.deepEqual(h.armedAt, [new Date(T(62))]);
  });

  test('a view while it was in stock is not interest in a restock; a view before the lookback is too old', async () => {
    const h = await setup();
    await h.person('ann');
    await h.person('old');
    await h.record([viewed('tent', { user: 'ann', at: T(1) })], inStock);
    await h.record([viewed('tent', { user: 'old', at: new Date(Date.parse(FIRED) - 31 * 86_400_000).toISOString() })]);
    const [result] = await h.chain(restock(10));
    assert.equal(result!.armed, 0);
    assert.deepEqual(await h.timers(), []);
  });

  const caps = [
    { stock: 1, factor: 3, interested: 5, armed: 3 },
    { stock: 2, factor: 1.5, interested: 5, armed: 3 },
    { stock: 1, factor: 0.5, interested: 5, armed: 1 }, // ceil(0.5) = 1: a unit is never left unannounced
    { stock: 3, factor: 1.1, interested: 5, armed: 4 }, // ceil(3.3)
    { stock: 10, factor: 3, interested: 5, armed: 5 },
  ];
  for (const { stock, factor, interested, armed } of caps) {
    test(`cap: stock ${stock} × factor ${factor} → the first ${armed} of ${interested}, first come`, async () => {
      const campaign = CampaignDefinition.parse({ ...backInStockCampaign, trigger: { kind: 'back_in_stock', stock_factor: factor } });
      const h = await setup({ definitions: [campaign], pageSize: 2 });
      const people: string[] = [];
      // Later names showed interest earlier: first come is by time, not by name or id.
      for (let i = 0; i < interested; i++) {
        people.push(await h.person(`shopper-${i}`));
        await h.record([viewed('tent', { user: `shopper-${i}`, at: T(50 - i) })]);
      }
      const results = await h.chain(restock(stock));
      const expected = people.slice(interested - armed).sort();
      assert.deepEqual((await h.timers()).map((timer) => timer.person_id), expected);
      assert.equal(results.reduce((sum, r) => sum + r.armed, 0), armed);
      assert.equal(results.at(-1)!.next, null);
    });
  }

  test('pages chain via next and together arm each interested person once', async () => {
    const h = await setup({ pageSize: 2, armPerTransaction: 1 });
    for (let i = 0; i < 7; i++) {
      await h.person(`s${i}`);
      await h.record([viewed('tent', { user: `s${i}`, at: T(i) })]);
    }
    const results = await h.chain(restock(100));
    assert.deepEqual(results.map((r) => r.armed), [2, 2, 2, 1]);
    assert.deepEqual(results.map((r) => r.next?.armed ?? null), [2, 4, 6, null]);
    assert.equal((await h.timers()).length, 7);
  });

  test('buyers are left out and counted; a buyer who looked again after buying is interested again', async () => {
    const h = await setup();
    const ann = await h.person('ann');
    await h.person('bob');
    const cat = await h.person('cat');
    await h.record([viewed('tent', { user: 'ann', at: T(1) }), viewed('tent', { user: 'bob', at: T(2) }), viewed('tent', { user: 'cat', at: T(3) })]);
    await h.record([ordered([{ product_id: 'tent' }], { user: 'bob', at: T(10), id: 'o-bob' }), ordered([{ product_id: 'tent' }], { user: 'cat', at: T(11), id: 'o-cat' })], inStock);
    await h.record([viewed('tent', { user: 'cat', at: T(20) })]);
    const [result] = await h.chain(restock(10));
    assert.deepEqual([result!.armed, result!.skipped_bought], [2, 1]);
    assert.deepEqual((await h.timers()).map((t) => t.person_id), [ann, cat].sort());
  });

  test('identities nudge has no profile for are counted, not armed, and do not stop the others', async () => {
    const h = await setup();
    const ann = await h.person('ann');
    await h.record([viewed('tent', { anon: 'ghost-1', at: T(1) }), viewed('tent', { user: 'ann', at: T(2) }), viewed('tent', { anon: 'ghost-2', at: T(3) })]);
    const [result] = await h.chain(restock(10));
    assert.deepEqual([result!.armed, result!.unknown_identities], [1, 2]);
    assert.deepEqual((await h.timers()).map((t) => t.person_id), [ann]);
  });

  test('a redelivered page arms nobody twice and leaves the armed timers as they were', async () => {
    const h = await setup();
    await h.person('ann');
    await h.person('bob');
    await h.record([viewed('tent', { user: 'ann', at: T(1) }), viewed('tent', { user: 'bob', at: T(2) })]);
    const page = restock(10);
    const first = await h.fanOut(page);
    const before = await h.timers();
    const again = await h.fanOut(page);
    assert.equal(first.armed, 2);
    assert.equal(again.armed, 0);
    assert.deepEqual(await h.timers(), before);
    assert.deepEqual(h.armedAt.length, 1, 'nothing new to wake the sweep for');
  });

  test('two identities of one person (phone and login) are armed once', async () => {
    const h = await setup({ pageSize: 1 });
    const ann = await h.person('ann', 'phone');
    await h.record([viewed('tent', { anon: 'phone', at: T(1) }), added('tent', { user: 'ann', anon: null, at: T(2) }), requested('tent', { user: 'ann', anon: null, at: T(3) })]);
    const results = await h.chain(restock(10));
    assert.equal(results.reduce((sum, r) => sum + r.armed, 0), 1);
    assert.deepEqual((await h.timers()).map((t) => t.person_id), [ann]);
  });

  test('two identities of one person on the same page are armed once and counted once', async () => {
    const h = await setup();
    await h.person('ann', 'phone');
    await h.record([viewed('tent', { anon: 'phone', at: T(1) }), viewed('tent', { user: 'ann', anon: null, at: T(2) })]);
    const [result] = await h.chain(restock(10));
    assert.equal(result!.armed, 1);
    assert.equal((await h.timers()).length, 1);
  });

  test('the chain stops on the page that reaches the cap, without a page more', async () => {
    const campaign = CampaignDefinition.parse({ ...backInStockCampaign, trigger: { kind: 'back_in_stock', stock_factor: 1 } });
    const capped = await setup({ definitions: [campaign], pageSize: 2 });
    for (let i = 0; i < 6; i++) {
      await capped.person(`s${i}`);
      await capped.record([viewed('tent', { user: `s${i}`, at: T(i) })]);
    }
    const results = await capped.chain(restock(4));
    assert.deepEqual(results.map((r) => r.armed), [2, 2]);
    assert.equal(results.length, 2);
  });

  test('a page that arrives with the cap already reached arms nothing and ends the chain', async () => {
    const h = await setup();
    await h.person('ann');
    await h.record([viewed('tent', { user: 'ann', at: T(1) })]);
    const result = await h.fanOut({ ...restock(1), armed: 3 });
    assert.deepEqual(result, { armed: 0, skipped_bought: 0, unknown_identities: 0, next: null, reason: 'cap_reached' });
    assert.deepEqual(await h.timers(), []);
  });

  test('a second restock while the first one\'s timer is still armed (stock flapping) adds no timer: one email', async () => {
    const h = await setup();
    await h.person('ann');
    await h.record([viewed('tent', { user: 'ann', at: T(1) })]);
    await h.chain(restock(10, 'restock-1'));
    await h.chain(restock(10, 'restock-2'));
    assert.deepEqual((await h.timers()).map((t) => t.armed_by_event_id), ['restock-1']);
  });
});

describe('createFanOutCatalogTrigger: price drop and misrouted pages', () => {
  test('a price drop arms recent viewers and carters (in stock or not), without a cap, within the lookback', async () => {
    const h = await setup({ pageSize: 1 });
    const people: string[] = [];
    for (let i = 0; i < 4; i++) {
      people.push(await h.person(`s${i}`));
      await h.record([(i % 2 ? viewed : added)('tent', { user: `s${i}`, at: T(i) })], inStock);
    }
    await h.person('stale');
    await h.record([viewed('tent', { user: 'stale', at: new Date(Date.parse(FIRED) - 15 * 86_400_000).toISOString() })], inStock);
    const results = await h.chain(drop());
    assert.equal(results.reduce((sum, r) => sum + r.armed, 0), 4);
    const timers = await h.timers();
    assert.deepEqual(timers.map((t) => t.person_id), people.sort());
    assert.equal(timers[0]!.trigger_key, catalogTriggerKey({ kind: 'price_drop', product_id: 'tent', event_id: 'drop-1', previous_price: 100 }));
  });

  test('a page for a campaign not loaded, or loaded with another trigger, arms nothing', async () => {
    const h = await setup({ definitions: [browseCampaign, CampaignDefinition.parse({ ...priceDropCampaign, id: 'back-in-stock' })] });
    await h.person('ann');
    await h.record([viewed('tent', { user: 'ann', at: T(1) })]);
    assert.equal((await h.fanOut(restock(5))).reason, 'campaign_not_loaded', 'back-in-stock is a price drop campaign here');
    assert.equal((await h.fanOut(drop())).reason, 'campaign_not_loaded');
    assert.deepEqual(await h.timers(), []);
  });

  test('firstFanOutPage: the trigger as a page, starting at no cursor and nobody armed', () => {
    assert.deepEqual(restock(4), { trigger: { kind: 'back_in_stock', campaign_id: 'back-in-stock', product_id: 'tent', event_id: 'restock-1', stock: 4 }, fired_at: FIRED, cursor: null, armed: 0 });
    assert.deepEqual(drop(19.9), { trigger: { kind: 'price_drop', campaign_id: 'price-drop', product_id: 'tent', event_id: 'drop-1', previous_price: 19.9, stock: null }, fired_at: FIRED, cursor: null, armed: 0 });
    assert.ok(FanOutPage.safeParse(restock(4)).success);
  });
});
