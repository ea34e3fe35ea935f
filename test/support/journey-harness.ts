import { planJourneyTimers } from '../../pipelines/journeys/plan-journey-timers.ts';
import type { Recommend } from '../../pipelines/journeys/journey-trigger.ts';
import { createInMemoryInterestStore } from '../../pipelines/product-interest/in-memory-interest-store.ts';
import { createCatalogLiveData } from '../../functions/live-data/catalog-live-data.ts';
import { createRunJourneyStep, journeyStepDefaults, type JourneyCampaign } from '../../pipelines/journeys/run-journey-step.ts';
import { createSweepTimers } from '../../pipelines/journeys/sweep-timers.ts';
import { createSqliteSendLedger } from '../../functions/embedded/sqlite-send-ledger.ts';
import { CampaignDefinition } from '../../pipelines/campaigns/campaign-definition.ts';
import { createInMemoryCatalogStore } from '../../pipelines/catalog/in-memory-catalog-store.ts';
import { defaultDecisionPolicy } from '../../pipelines/decisions/policy.ts';
import type { Mailer, OutgoingEmail } from '../../pipelines/delivery/mailer.ts';
import type { EmailData } from '../../pipelines/content/email-data.ts';
import type { RenderEmailOptions } from '../../pipelines/content/render-email.ts';
import type { SendLedger } from '../../pipelines/delivery/send-ledger.ts';
import { createFoldEvents } from '../../pipelines/profiles/fold-events.ts';
import { createInMemoryProfileStore } from '../../pipelines/profiles/in-memory-profile-store.ts';
import { createManualClock } from '../../pipelines/shared/clock.ts';

/**
 * The cart journey wired for tests: in-memory profile store, a real (in-memory SQLite) send
 * ledger, a recording mailer and warehouse, a manual clock. Fold events, move the clock, sweep,
 * and look at what was sent. `instance()` makes another journey step over the same stores, as a
 * second Cloud Function instance would run.
 */
export const cartCampaign = CampaignDefinition.parse({
  id: 'cart-abandonment',
  name: 'Cart abandonment',
  trigger: { kind: 'cart_abandoned' },
  wait: '30m',
  exit_events: ['checkout_started', 'order_completed'],
  subjects: [{ id: 'a', subject: 'Your cart' }],
  sender: { name: 'Shop', email: 'shop@example.com' },
  postal_address: '1 Main St',
  steps: [{ wait: '24h' }],
});

export type JourneyHarnessOptions = {
  ledger?: (ledger: SendLedger) => SendLedger;
  /** In place of the recording mailer; push to `sent` what it accepts. */
  mailer?: (sent: OutgoingEmail[]) => Mailer;
  duringRender?: () => Promise<void>;
  definitions?: CampaignDefinition[];
  frequencyCap?: number;
  start?: string;
  trackBaseUrl?: string;
  journeyWindowMs?: number;
  recommend?: Recommend;
};

export function createJourneyHarness(options: JourneyHarnessOptions = {}) {
  const definitions = options.definitions ?? [cartCampaign];
  const clock = createManualClock(options.start ?? '2026-03-01T12:00:00.000Z');
  const store = createInMemoryProfileStore();
  let ids = 0;
  const newId = () => `id-${String(++ids).padStart(6, '0')}`;
  const fold = createFoldEvents({ store, clock, newPersonId: newId, onPersonFolded: (change) => planJourneyTimers(definitions, change) });
  const catalog = createInMemoryCatalogStore();
  const interests = createInMemoryInterestStore({ clock });
  const baseLedger = createSqliteSendLedger({ database: ':memory:' });
  const ledger = options.ledger ? options.ledger(baseLedger) : baseLedger;
  const sent: OutgoingEmail[] = [];
  /** What each email was rendered from (links, names, prices), in send order. */
  const rendered: EmailData[] = [];
  /** The render options of each email (step, first-party link tracking), in send order. */
  const renderOptions: RenderEmailOptions[] = [];
  const rows: { table: string; row: Record<string, unknown> }[] = [];
  const campaign = (definition: CampaignDefinition): JourneyCampaign => ({
    definition,
    render: async (data, renderOptionsOfEmail = {}) => {
      await options.duringRender?.();
      rendered.push(data);
      renderOptions.push(renderOptionsOfEmail);
      return { subject: 'Your cart', html: `<p>${(data.cart?.items ?? data.items ?? (data.item ? [data.item] : [])).map((item) => item.name).join(', ')}</p>`, text: 'cart', variant_id: 'a' };
    },
  });
  const mailer: Mailer =
    options.mailer?.(sent) ??
    (async (message) => {
      sent.push(message);
      return { provider: 'outbox', provider_message_id: message.send_id };
    });
  const instance = () =>
    createRunJourneyStep({
      store,
      liveData: createCatalogLiveData({ catalog, clock }),
      interests,
      ...(options.recommend ? { recommend: options.recommend } : {}),
      campaigns: new Map(definitions.map((d) => [d.id, campaign(d)])),
      ledger,
      mailer,
      warehouse: { insertRows: async (table, inserted) => void rows.push(...inserted.map((row) => ({ table, row }))) },
      clock,
      newId,
      policy: { ...defaultDecisionPolicy, holdoutPercent: 0, quietHours: null, frequencyCapPerDay: options.frequencyCap ?? null, journeyWindowMs: options.journeyWindowMs ?? null },
      linkKeys: ['k'.repeat(32)],
      publicBaseUrl: 'https://nudge.shop.example',
      ...(options.trackBaseUrl ? { trackBaseUrl: options.trackBaseUrl } : {}),
      shop: { name: 'Shop', url: 'https://shop.example', cart_url: 'https://shop.example/cart', currency: 'EUR', postal_address: null, hosts: ['shop.example'] },
      settings: journeyStepDefaults,
    });
  const sweep = createSweepTimers({ store, runStep: instance(), clock });
  return { clock, store, catalog, interests, fold, sweep, instance, sent, rendered, renderOptions, rows, ledger };
}
