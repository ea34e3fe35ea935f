import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createJourneyHarness, cartCampaign as definition, type JourneyHarnessOptions } from '../../test/support/journey-harness.ts';
import { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { signOfferCode, verifyOfferCode } from '../content/offer-code.ts';
import { verifyToken } from '../delivery/signed-links.ts';
import type { NudgeEvent } from '../events/nudge-event.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';

// The journey step against in-memory stores, a real (in-memory SQLite) send ledger and a
// recording mailer: the exactly-once and "never after an order" promises, one case each.
const setup = (options: JourneyHarnessOptions = {}) => createJourneyHarness(options);

const at = (minute: number) => `2026-03-01T12:${String(minute).padStart(2, '0')}:00.000Z`;
const identify = (minute: number, ids: Partial<NudgeEvent>, traits: Record<string, unknown> = {}) =>
  makeEvent('identify', { occurred_at: at(minute), ...ids, traits: { email: 'ann@example.com', email_marketing_consent: true, ...traits } });
const added = (minute: number, ids: Partial<NudgeEvent>) =>
  makeEvent('product_added', { occurred_at: at(minute), ...ids, properties: { cart_id: 'c-1', product_id: 'jacket', name: 'Jacket', price: 100, quantity: 1 } });

describe('journey step', () => {
  test('a cart armed on a second device and then merged into the known person is emailed once', async () => {
    const { clock, fold, sweep, sent, store } = setup();
    await fold([identify(0, { user_id: 'u-1', anonymous_id: 'device-1' })]);
    await fold([added(1, { user_id: null, anonymous_id: 'device-2' })]);
    await fold([identify(2, { user_id: 'u-1', anonymous_id: 'device-2' })]);
    const due = await store.findDueTimers(new Date('2026-03-01T13:00:00.000Z'), 10);
    assert.equal(due.length, 1, 'the merge arms no second timer: the cart keeps the one device-2 armed');
    clock.set('2026-03-01T12:45:00.000Z');
    await sweep();
    await sweep();
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.to.email, 'ann@example.com');
  });

  test('when recording the send fails after the ESP took it, the email is not sent again', async () => {
    let failures = 1;
    const { clock, fold, sweep, sent } = setup({
      ledger: (ledger) => ({
        ...ledger,
        markSent: async (...args) => {
          if (failures-- > 0) throw new Error('ledger write timed out');
          return ledger.markSent(...args);
        },
      }),
    });
    await fold([identify(0, { user_id: 'u-1' }), added(1, { user_id: 'u-1' })]);
    clock.set('2026-03-01T12:45:00.000Z');
    const first = await sweep();
    assert.equal(first.outcomes.error, 1);
    // Well past every lease: the timer fires again, and the claim is in doubt, not re-granted.
    clock.advance(60 * 60_000);
    await sweep();
    assert.equal(sent.length, 1);
  });

  test('an order folded while the email is being prepared stops it', async () => {
    const late: { fold?: ReturnType<typeof setup>['fold'] } = {};
    let ordered = false;
    const harness = setup({
      duringRender: async () => {
        if (ordered) return;
        ordered = true;
        await late.fold!([makeEvent('order_completed', { occurred_at: at(40), user_id: 'u-1', properties: { order_id: 'o-1', total: 100, products: [] } })]);
      },
    });
    late.fold = harness.fold;
    await harness.fold([identify(0, { user_id: 'u-1' }), added(1, { user_id: 'u-1' })]);
    harness.clock.set('2026-03-01T12:45:00.000Z');
    const result = await harness.sweep();
    assert.deepEqual(result.outcomes, { superseded: 1 });
    assert.equal(harness.sent.length, 0);
  });

  test('the follow-up is armed after the first email and sent a day later; none after the last step', async () => {
    const { clock, fold, sweep, sent, store } = setup();
    await fold([identify(0, { user_id: 'u-1' }), added(1, { user_id: 'u-1' })]);
    clock.set('2026-03-01T12:45:00.000Z');
    await sweep();
    assert.equal(sent.length, 1);
    const [followUp] = await store.findDueTimers(new Date('2026-03-03T00:00:00.000Z'), 10);
    assert.deepEqual([followUp?.step, followUp?.due_at], [1, '2026-03-02T12:45:00.000Z']);
    clock.set('2026-03-02T12:46:00.000Z');
    await sweep();
    assert.equal(sent.length, 2);
    assert.notEqual(sent[1]!.send_id, sent[0]!.send_id);
    assert.deepEqual(sent[1]!.categories, ['nudge', 'cart-abandonment', 'step-1']);
    assert.deepEqual(await store.findDueTimers(new Date('2026-03-09T00:00:00.000Z'), 10), [], 'no step after the last one');
  });

  test("one person's due emails are decided one after another, so the daily cap holds", async () => {
    const other = CampaignDefinition.parse({ ...definition, id: 'cart-abandonment-b' });
    const { clock, fold, sweep, sent, rows } = setup({ definitions: [definition, other], frequencyCap: 1 });
    await fold([identify(0, { user_id: 'u-1' }), added(1, { user_id: 'u-1' })]);
    clock.set('2026-03-01T12:45:00.000Z');
    await sweep();
    assert.equal(sent.length, 1);
    const reasons = rows.filter(({ table }) => table === 'decisions').map(({ row }) => row.reason).sort();
    assert.deepEqual(reasons, ['eligible', 'frequency_capped']);
  });

  test('the campaign chooses who tracks: first_party signs redirects for this send, sendgrid asks the ESP, off neither', async () => {
    const cases = [
      { tracking: 'first_party', esp: undefined, firstParty: true },
      { tracking: 'sendgrid', esp: true, firstParty: false },
      { tracking: 'off', esp: undefined, firstParty: false },
    ] as const;
    for (const { tracking, esp, firstParty } of cases) {
      const { clock, fold, sweep, sent, renderOptions } = setup({ definitions: [CampaignDefinition.parse({ ...definition, tracking })], trackBaseUrl: 'https://track.example' });
      await fold([identify(0, { user_id: 'u-1' }), added(1, { user_id: 'u-1' })]);
      clock.set('2026-03-01T12:45:00.000Z');
      await sweep();
      assert.equal(sent.length, 1, tracking);
      assert.equal(sent[0]!.esp_tracking, esp, tracking);
      const links = renderOptions[0]!.tracking;
      assert.equal(links !== undefined, firstParty, tracking);
      if (!links) continue;
      const token = /^https:\/\/track\.example\/c\/([^/]+)$/.exec(links.clickUrl('https://shop.example/cart', 0))![1]!;
      const payload = verifyToken(token, ['k'.repeat(32)], new Date('2026-03-01T12:45:00.000Z'));
      assert.deepEqual(
        { ...payload },
        { kind: 'click', send_id: sent[0]!.send_id, person_id: payload?.person_id, campaign_id: 'cart-abandonment', url: 'https://shop.example/cart', link_index: 0, iat: Date.parse('2026-03-01T12:45:00.000Z') / 1000, exp: Date.parse('2026-03-01T12:45:00.000Z') / 1000 + 365 * 86_400 },
      );
      assert.match(links.openPixelUrl, /^https:\/\/track\.example\/o\/[^/]+\.gif$/);
    }
  });

  test('a unique offer: each email its own code, signed for its send with the first link key, refused after expiry', async () => {
    const withOffer = CampaignDefinition.parse({ ...definition, offers: [{ offer: { kind: 'percent', value: 10, code: 'CART10', expires_in: '24h', unique: true } }] });
    const { clock, fold, sweep, sent, rendered } = setup({ definitions: [withOffer] });
    await fold([identify(0, { user_id: 'u-1' }), added(1, { user_id: 'u-1' })]);
    await fold([identify(0, { user_id: 'u-2' }, { email: 'bo@example.com' }), added(1, { user_id: 'u-2' })]);
    clock.set('2026-03-01T12:45:30.000Z');
    await sweep();
    assert.equal(sent.length, 2);
    const codes = rendered.map((data) => data.offer!.code);
    assert.notEqual(codes[0], codes[1], 'one code per email');
    for (const data of rendered) {
      assert.match(data.offer!.code, /^CART10-[2-9A-HJ-NP-Z]{16}$/);
      assert.equal(data.offer!.expires_at, '2026-03-02T12:45:00.000Z', 'to the minute, as the code carries it');
      assert.deepEqual(verifyOfferCode(data.offer!.code, ['k'.repeat(32)], new Date('2026-03-02T12:44:59.999Z')), { valid: true, code_prefix: 'CART10', expires_at: '2026-03-02T12:45:00.000Z' });
      assert.deepEqual(verifyOfferCode(data.offer!.code, ['k'.repeat(32)], new Date('2026-03-02T12:45:00.000Z')), { valid: false, reason: 'expired' });
    }
    // Bound to the send: the same code is what signing for that send id gives, and no other's.
    const bySend = sent.map((email) => signOfferCode({ prefix: 'CART10', expiresAt: new Date('2026-03-02T12:45:00.000Z'), sendId: email.send_id }, 'k'.repeat(32)));
    assert.deepEqual(new Set(bySend), new Set(codes));
  });

  test('without a track base URL, click and open links go to the public base URL (one host serves both)', async () => {
    const { clock, fold, sweep, renderOptions } = setup();
    await fold([identify(0, { user_id: 'u-1' }), added(1, { user_id: 'u-1' })]);
    clock.set('2026-03-01T12:45:00.000Z');
    await sweep();
    assert.match(renderOptions[0]!.tracking!.openPixelUrl, /^https:\/\/nudge\.shop\.example\/o\/[^/]+\.gif$/);
    assert.match(renderOptions[0]!.tracking!.clickUrl('https://shop.example/', 0), /^https:\/\/nudge\.shop\.example\/c\/[^/]+$/);
  });
});
