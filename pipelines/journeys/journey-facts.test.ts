import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { journeyStepDefaults } from './run-journey-step.ts';
import { cartCampaign, createJourneyHarness, type JourneyHarnessOptions } from '../../test/support/journey-harness.ts';
import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { TransientMailerError } from '../delivery/mailer.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';

// Issue 6: the facts the journey step leaves (decisions, email_sends) — one row per send whatever
// path it took (item 11) — and the frequency cap checked atomically with the claim, so two sweep
// instances cannot both pass it for one person (item 14).
/** The harness's cart campaign with no follow-up step: each test looks at one send. */
const campaign = (id: string): CampaignDefinition => ({ ...cartCampaign, id, name: id, steps: [] });

/** The journey harness, a cart one person abandons, and the rows queued for one table. */
function setup(options: JourneyHarnessOptions = {}) {
  const harness = createJourneyHarness({ definitions: [campaign('cart-abandonment')], ...options });
  const { clock, store, fold, rows } = harness;
  const abandonCart = async () => {
    const ids = { user_id: 'u-1', anonymous_id: null };
    await fold([
      makeEvent('identify', { ...ids, traits: { email: 'ann@example.com', email_marketing_consent: true } }),
      makeEvent('product_added', { ...ids, properties: { cart_id: 'c-1', product_id: 'jacket', name: 'Jacket', price: 100, quantity: 1 } }),
    ]);
    clock.advance(31 * 60_000);
    return store.findDueTimers(clock.now(), 10);
  };
  const table = (name: string) => rows.filter((row) => row.table === name).map((row) => row.row);
  return { ...harness, table, abandonCart };
}

describe('journey facts', () => {
  test('a step run again after a retryable ESP failure records one send decision and one email_sends row', async () => {
    let failures = 1;
    const w = setup({
      mailer: (sent) => async (message) => {
        if (failures-- > 0) throw new TransientMailerError('SendGrid answered 429');
        sent.push(message);
        return { provider: 'sendgrid', provider_message_id: 'sg-1' };
      },
    });
    const runStep = w.instance();
    const [timer] = await w.abandonCart();
    assert.equal(await runStep(timer!), 'retry_later');
    w.clock.advance(journeyStepDefaults.retryAfterMs);
    assert.equal(await runStep(timer!), 'sent');
    assert.equal(w.sent.length, 1);

    const decisions = w.table('decisions');
    assert.equal(decisions.length, 2, 'the step decided twice…');
    assert.equal(new Set(decisions.map((row) => row.decision_id)).size, 1, '…and both rows carry one key, so the warehouse keeps one');
    assert.deepEqual(w.table('email_sends').map((row) => [row.status, row.provider, row.provider_message_id]), [['sent', 'sendgrid', 'sg-1']]);
  });

  test('the email_sends row is queued before the ledger says sent: a crash in between leaves the claim to the resolver, not a send without a row', async () => {
    const w = setup({
      ledger: (ledger) => ({
        ...ledger,
        markSent: async () => {
          throw new Error('crash');
        },
      }),
    });
    const [timer] = await w.abandonCart();
    await assert.rejects(w.instance()(timer!), /crash/);
    assert.equal(w.sent.length, 1);
    assert.deepEqual(w.table('email_sends').map((row) => row.status), ['sent']);
  });

  test('two sweep instances stepping one person at once: the daily cap holds (checked in the claim)', async () => {
    // Both instances read the day's count before either claims — the race of two Cloud Function instances.
    let waiting: (() => void)[] = [];
    const w = setup({
      definitions: [campaign('cart-abandonment'), campaign('cart-abandonment-2')],
      frequencyCap: 1,
      ledger: (ledger) => ({
        ...ledger,
        countSentSince: async (person_id, since) => {
          const count = await ledger.countSentSince(person_id, since);
          await new Promise<void>((resolve) => {
            waiting.push(resolve);
            if (waiting.length === 2) {
              for (const release of waiting) release();
              waiting = [];
            }
          });
          return count;
        },
      }),
    });
    const timers = await w.abandonCart();
    assert.equal(timers.length, 2, 'one timer per campaign for the same person');
    const outcomes = await Promise.all(timers.map((timer) => w.instance()(timer)));
    assert.deepEqual(outcomes.sort(), ['sent', 'skipped']);
    assert.equal(w.sent.length, 1, 'the cap of one email a day held');
    assert.deepEqual(w.table('decisions').map((row) => row.reason).sort(), ['eligible', 'frequency_capped']);
  });
});
