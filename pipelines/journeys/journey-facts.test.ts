import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planCartTimers } from './plan-cart-timers.ts';
import { createRunJourneyStep, journeyStepDefaults, type JourneyCampaign } from './run-journey-step.ts';
import { createSqliteSendLedger } from '../../functions/embedded/sqlite-send-ledger.ts';
import { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { createInMemoryCatalogStore } from '../catalog/in-memory-catalog-store.ts';
import { defaultDecisionPolicy } from '../decisions/policy.ts';
import { TransientMailerError, type Mailer, type OutgoingEmail } from '../delivery/mailer.ts';
import type { SendLedger } from '../delivery/send-ledger.ts';
import { makeEvent } from '../profiles/event-fixtures.ts';
import { createFoldEvents } from '../profiles/fold-events.ts';
import { createInMemoryProfileStore } from '../profiles/in-memory-profile-store.ts';
import { createManualClock } from '../shared/clock.ts';

// Issue 6: the facts the journey step leaves (decisions, email_sends) — one row per send whatever
// path it took (item 11) — and the frequency cap checked atomically with the claim, so two sweep
// instances cannot both pass it for one person (item 14).
const campaign = (id: string) =>
  CampaignDefinition.parse({
    id,
    name: id,
    trigger: { kind: 'cart_abandoned' },
    wait: '30m',
    exit_events: ['checkout_started', 'order_completed'],
    subjects: [{ id: 'a', subject: 'Your cart' }],
    sender: { name: 'Shop', email: 'shop@example.com' },
    postal_address: '1 Main St',
    steps: [],
  });

function setup(options: { definitions?: CampaignDefinition[]; frequencyCap?: number; mailer?: (sent: OutgoingEmail[]) => Mailer; ledger?: (ledger: SendLedger) => SendLedger } = {}) {
  const definitions = options.definitions ?? [campaign('cart-abandonment')];
  const clock = createManualClock('2026-03-01T12:00:00.000Z');
  const store = createInMemoryProfileStore();
  let ids = 0;
  const newId = () => `id-${String(++ids).padStart(6, '0')}`;
  const fold = createFoldEvents({ store, clock, newPersonId: newId, onPersonFolded: (change) => planCartTimers(definitions, change) });
  const baseLedger = createSqliteSendLedger({ database: ':memory:' });
  const ledger = options.ledger ? options.ledger(baseLedger) : baseLedger;
  const sent: OutgoingEmail[] = [];
  const rows: { table: string; row: Record<string, unknown> }[] = [];
  const render: JourneyCampaign['render'] = async () => ({ subject: 'Your cart', html: '<p>cart</p>', text: 'cart', variant_id: 'a' });
  /** One sweep instance (on GCP: one Cloud Function instance); several may share the stores. */
  const instance = () =>
    createRunJourneyStep({
      store,
      catalog: createInMemoryCatalogStore(),
      campaigns: new Map(definitions.map((d) => [d.id, { definition: d, render }])),
      ledger,
      mailer:
        options.mailer?.(sent) ??
        (async (message) => {
          sent.push(message);
          return { provider: 'outbox', provider_message_id: message.send_id };
        }),
      warehouse: { insertRows: async (table, inserted) => void rows.push(...inserted.map((row) => ({ table, row }))) },
      clock,
      newId,
      policy: { ...defaultDecisionPolicy, holdoutPercent: 0, quietHours: null, frequencyCapPerDay: options.frequencyCap ?? null },
      linkKeys: ['k'.repeat(32)],
      publicBaseUrl: 'https://nudge.shop.example',
      shop: { name: 'Shop', url: 'https://shop.example', cart_url: 'https://shop.example/cart', currency: 'EUR', postal_address: null, hosts: ['shop.example'] },
      settings: journeyStepDefaults,
    });
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
  return { clock, store, ledger, sent, rows, table, instance, abandonCart };
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
