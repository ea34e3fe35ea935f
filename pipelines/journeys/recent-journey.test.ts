import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { journeyRank, recentJourneyOf } from './recent-journey.ts';
import { backInStockCampaign as backInStock, browseCampaign, priceDropCampaign as priceDrop } from './journey-fixtures.ts';
import { cartCampaign } from '../../test/support/journey-harness.ts';
import { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import type { SentEntry } from '../delivery/send-ledger.ts';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const browseResend = CampaignDefinition.parse({ ...browseCampaign, resend_after: '24h' });
const definitions = [cartCampaign, backInStock, priceDrop, browseCampaign];
const campaignsOf = (list: CampaignDefinition[]) => new Map(list.map((definition) => [definition.id, { definition }]));

/** A ledger that answers listSentSince like the real ones: this person's sends at or after `since`. */
function ledgerOf(entries: (SentEntry & { person_id?: string })[]) {
  const asked: { person_id: string; since: string }[] = [];
  return {
    asked,
    ledger: {
      listSentSince: async (person_id: string, since: Date) => {
        asked.push({ person_id, since: since.toISOString() });
        return entries.filter((entry) => (entry.person_id ?? 'p-1') === person_id && entry.sent_at >= since.toISOString()).map(({ person_id: _, ...entry }) => entry);
      },
    },
  };
}
const sent = (campaign_id: string, msAgo: number, step = 0, person_id = 'p-1') => ({ send_id: `s-${campaign_id}-${msAgo}-${step}`, campaign_id, step, sent_at: ago(msAgo), person_id });

async function judge(definition: CampaignDefinition, entries: ReturnType<typeof sent>[], options: { windowMs?: number | null; step?: number; campaigns?: CampaignDefinition[] } = {}) {
  const { ledger } = ledgerOf(entries);
  return recentJourneyOf(
    { ledger, campaigns: campaignsOf(options.campaigns ?? [...definitions, browseResend].filter((d, i, all) => all.findIndex((x) => x.id === d.id) === i)), policy: { journeyWindowMs: options.windowMs === undefined ? 6 * HOUR : options.windowMs } },
    { person_id: 'p-1', definition, step: options.step ?? 0, now: NOW },
  );
}

describe('recentJourneyOf: the journey window by rank', () => {
  test('the ranks: cart, back in stock, price drop, browse', () => {
    assert.deepEqual(journeyRank, { cart_abandoned: 0, back_in_stock: 1, price_drop: 2, browse_abandoned: 3 });
  });

  const cases: { name: string; definition: CampaignDefinition; other: CampaignDefinition; blocked: boolean }[] = [
    { name: 'a browse email after a cart email', definition: browseCampaign, other: cartCampaign, blocked: true },
    { name: 'a cart email after a browse email', definition: cartCampaign, other: browseCampaign, blocked: false },
    { name: 'a cart email after a back-in-stock email', definition: cartCampaign, other: backInStock, blocked: false },
    { name: 'a back-in-stock email after a cart email', definition: backInStock, other: cartCampaign, blocked: true },
    { name: 'a price drop after a back-in-stock email', definition: priceDrop, other: backInStock, blocked: true },
    { name: 'a back-in-stock email after a price drop', definition: backInStock, other: priceDrop, blocked: false },
    { name: 'a browse email after a price drop', definition: browseCampaign, other: priceDrop, blocked: true },
    { name: 'a price drop after a browse email', definition: priceDrop, other: browseCampaign, blocked: false },
    { name: 'a cart email after another cart campaign (same rank)', definition: cartCampaign, other: CampaignDefinition.parse({ ...cartCampaign, id: 'cart-two' }), blocked: true },
    { name: 'a browse email after another browse campaign (same rank)', definition: browseCampaign, other: CampaignDefinition.parse({ ...browseCampaign, id: 'browse-two' }), blocked: true },
  ];
  for (const { name, definition, other, blocked } of cases) {
    test(`${name}: ${blocked ? 'journey_window' : 'sent'}`, async () => {
      const result = await judge(definition, [sent(other.id, HOUR)], { campaigns: [...definitions, other] });
      assert.equal(result, blocked ? 'journey_window' : null);
    });
  }

  test('the window edge: a send exactly window-ago still blocks, a millisecond earlier does not', async () => {
    assert.equal(await judge(browseCampaign, [sent(cartCampaign.id, 6 * HOUR)]), 'journey_window');
    assert.equal(await judge(browseCampaign, [sent(cartCampaign.id, 6 * HOUR + 1)]), null);
  });

  test('a follow-up (step 1) of another journey counts as its email too', async () => {
    assert.equal(await judge(browseCampaign, [sent(cartCampaign.id, HOUR, 1)]), 'journey_window');
  });

  test('a send of a campaign no longer loaded ranks first: it blocks even a cart email', async () => {
    assert.equal(await judge(cartCampaign, [sent('retired-campaign', HOUR)]), 'journey_window');
  });

  test('the same campaign’s own earlier email is never "another journey"', async () => {
    assert.equal(await judge(browseCampaign, [sent(browseCampaign.id, HOUR)]), null);
  });

  test('another person’s sends do not count', async () => {
    assert.equal(await judge(browseCampaign, [sent(cartCampaign.id, HOUR, 0, 'p-2')]), null);
  });

  test('no window configured (null or 0) and no resend_after: nothing is judged, the ledger is not even asked', async () => {
    for (const windowMs of [null, 0]) {
      const { ledger, asked } = ledgerOf([sent(cartCampaign.id, HOUR)]);
      const result = await recentJourneyOf({ ledger, campaigns: campaignsOf(definitions), policy: { journeyWindowMs: windowMs } }, { person_id: 'p-1', definition: browseCampaign, step: 0, now: NOW });
      assert.equal(result, null);
      assert.deepEqual(asked, []);
    }
  });

  test('follow-up steps are never judged (their run already passed)', async () => {
    for (const step of [1, 2]) assert.equal(await judge(browseResend, [sent(cartCampaign.id, HOUR), sent(browseResend.id, HOUR)], { step }), null);
  });
});

describe('recentJourneyOf: resend_after', () => {
  test('this campaign’s first email within resend_after: campaign_repeat; after it: free', async () => {
    assert.equal(await judge(browseResend, [sent(browseResend.id, 23 * HOUR)], { windowMs: null }), 'campaign_repeat');
    assert.equal(await judge(browseResend, [sent(browseResend.id, 24 * HOUR)], { windowMs: null }), 'campaign_repeat', 'the edge counts');
    assert.equal(await judge(browseResend, [sent(browseResend.id, 24 * HOUR + 1)], { windowMs: null }), null);
  });

  test('only the campaign’s first emails count: its own follow-up does not start the span', async () => {
    assert.equal(await judge(browseResend, [sent(browseResend.id, HOUR, 1)], { windowMs: null }), null);
  });

  test('resend_after longer than the window: the ledger is read over the longer span, the window still judged over its own', async () => {
    const { ledger, asked } = ledgerOf([sent(cartCampaign.id, 10 * HOUR), sent(browseResend.id, 20 * HOUR)]);
    const result = await recentJourneyOf({ ledger, campaigns: campaignsOf([...definitions, browseResend]), policy: { journeyWindowMs: 6 * HOUR } }, { person_id: 'p-1', definition: browseResend, step: 0, now: NOW });
    assert.deepEqual(asked, [{ person_id: 'p-1', since: ago(24 * HOUR) }]);
    assert.equal(result, 'campaign_repeat', 'the cart email 10 h ago is outside the 6 h window; the own email 20 h ago is within 24 h');
  });

  test('both apply: the journey window is reported first', async () => {
    assert.equal(await judge(browseResend, [sent(cartCampaign.id, HOUR), sent(browseResend.id, 2 * HOUR)]), 'journey_window');
  });

  test('without resend_after, the campaign’s own recent email does not stop a new trigger', async () => {
    assert.equal(await judge(backInStock, [sent(backInStock.id, 10 * 60_000)], { windowMs: null }), null);
  });
});

describe('recentJourneyOf against a reference', () => {
  // The rule restated from the issue: another campaign's email (any step) within the window blocks
  // when its journey ranks the same or higher (unknown campaigns rank highest); this campaign's
  // own first email within resend_after repeats. Only step 0 is judged.
  const all = [...definitions, browseResend, CampaignDefinition.parse({ ...priceDrop, id: 'drop-two', resend_after: '3h' })];
  const rank = { cart_abandoned: 0, back_in_stock: 1, price_drop: 2, browse_abandoned: 3 } as const;
  function reference(definition: CampaignDefinition, entries: ReturnType<typeof sent>[], windowMs: number, step: number) {
    if (step > 0) return null;
    const now = NOW.getTime();
    const resend = definition.resend_after ? { '24h': 24 * HOUR, '3h': 3 * HOUR }[definition.resend_after]! : 0;
    for (const entry of entries) {
      if (entry.campaign_id === definition.id || windowMs <= 0) continue;
      const age = now - Date.parse(entry.sent_at);
      const other = all.find((d) => d.id === entry.campaign_id);
      if (age <= windowMs && (!other || rank[other.trigger.kind] <= rank[definition.trigger.kind])) return 'journey_window';
    }
    const repeat = entries.some((entry) => entry.campaign_id === definition.id && entry.step === 0 && now - Date.parse(entry.sent_at) <= resend);
    return resend > 0 && repeat ? 'campaign_repeat' : null;
  }
  test('agrees for any history', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...all),
        fc.array(fc.record({ campaign: fc.constantFrom(...all.map((d) => d.id), 'gone'), ageMin: fc.integer({ min: 0, max: 30 * 60 }), step: fc.integer({ min: 0, max: 2 }) }), { maxLength: 6 }),
        fc.constantFrom(0, HOUR, 6 * HOUR),
        fc.constantFrom(0, 0, 1),
        async (definition, history, windowMs, step) => {
          const entries = history.map((h) => sent(h.campaign, h.ageMin * 60_000, h.step));
          const { ledger } = ledgerOf(entries);
          const actual = await recentJourneyOf({ ledger, campaigns: campaignsOf(all), policy: { journeyWindowMs: windowMs } }, { person_id: 'p-1', definition, step, now: NOW });
          assert.equal(actual, reference(definition, entries, windowMs, step));
        },
      ),
      { numRuns: 500 },
    );
  });
});
