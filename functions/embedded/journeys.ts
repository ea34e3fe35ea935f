import { join } from 'node:path';
import { outboxEvidence } from './outbox-evidence.ts';
import { createOutboxMailer } from './outbox-mailer.ts';
import { createSqliteSendLedger, type SqliteSendLedger } from './sqlite-send-ledger.ts';
import { startTicker, type Ticker } from './ticker.ts';
import { loadCampaigns } from '../campaigns/load-campaigns.ts';
import { sendGridEvidence } from '../gcp/sendgrid-evidence.ts';
import { createSendGridMailer } from '../gcp/sendgrid-mailer.ts';
import type { JourneyConfig } from '../journey-config.ts';
import type { CatalogStore } from '../../pipelines/catalog/catalog-store.ts';
import type { InterestStore } from '../../pipelines/product-interest/interest-store.ts';
import { createGatherRecommendations } from '../../pipelines/recommendations/gather-recommendations.ts';
import { createLiveData } from '../live-data/live-data-config.ts';
import type { CampaignDefinition } from '../../pipelines/campaigns/campaign-definition.ts';
import { createRenderer } from '../../pipelines/content/render-email.ts';
import type { LoadedCampaign } from '../../pipelines/content/loaded-campaign.ts';
import type { Mailer } from '../../pipelines/delivery/mailer.ts';
import { createResolveInDoubt } from '../../pipelines/delivery/resolve-in-doubt.ts';
import { createRunJourneyStep, journeyStepDefaults, type JourneyCampaign, type StepOutcome } from '../../pipelines/journeys/run-journey-step.ts';
import { createSweepTimers } from '../../pipelines/journeys/sweep-timers.ts';
import type { ProfileStore } from '../../pipelines/profiles/profile-store.ts';
import type { Clock } from '../../pipelines/shared/clock.ts';
import type { FactQueue } from '../../pipelines/warehouse/fact-rows.ts';

/** Every tunable of the embedded journeys, in one place. */
export const embeddedJourneyDefaults = {
  /** DESIGN.md §7: timers fire at most about a second late embedded. */
  sweepEveryMs: 1000,
  /** Claims left in doubt by a crash are looked at once a minute (or each lease, if shorter). */
  resolveInDoubtEveryMs: 60_000,
} as const;

export type EmbeddedJourneys = {
  campaigns: ReadonlyMap<string, LoadedCampaign>;
  definitions: readonly CampaignDefinition[];
  ledger: SqliteSendLedger;
  mailer: Mailer;
  /** Starts the sweep (and the in-doubt resolver) once the host knows its public URL. */
  /** `facts`: where decision and send rows go — a durable queue, never the warehouse itself (fact-rows.ts). */
  start: (deps: { store: ProfileStore; catalog: Pick<CatalogStore, 'getItems' | 'findItems'>; interests: InterestStore; facts: FactQueue; publicBaseUrl: string; trackBaseUrl?: string }) => {
    runStep: (timer: { timer_id: string }) => Promise<StepOutcome>;
    sweep: () => Promise<unknown>;
  };
  /** Wakes the sweep at this instant (a timer just armed for then). */
  wakeAt: (at: Date) => void;
  stop: () => Promise<void>;
};

/**
 * Loads every campaign (a definition or template error stops start-up, naming file, line and
 * field), opens the send ledger and picks the mailer: SendGrid when SENDGRID_API_KEY is set, the
 * .eml outbox otherwise.
 */
export async function loadEmbeddedJourneys(deps: {
  config: JourneyConfig;
  dataDir: string;
  clock: Clock;
  newId: () => string;
  log: (entry: Record<string, unknown>) => void;
  sweeping: boolean;
}): Promise<EmbeddedJourneys> {
  const { config, clock, log } = deps;
  const campaigns = await loadCampaigns({ ...(config.templatesDir ? { templatesDir: config.templatesDir } : {}), now: () => clock.now() });
  const ledger = createSqliteSendLedger({ database: join(deps.dataDir, 'ledger.db'), leaseMs: config.sendLeaseMs });
  const mailer = config.sendgrid
    ? createSendGridMailer({ apiKey: config.sendgrid.apiKey, ...(config.sendgrid.apiBase ? { apiBase: config.sendgrid.apiBase } : {}) })
    : createOutboxMailer({ dataDir: deps.dataDir, clock });
  const tickers: { stop: () => Promise<void> }[] = [];
  let sweepTicker: Ticker | undefined;

  return {
    campaigns,
    definitions: [...campaigns.values()].map((campaign) => campaign.definition),
    ledger,
    mailer,
    start: ({ store, catalog, interests, facts, publicBaseUrl, trackBaseUrl }) => {
      const journeyCampaigns = new Map<string, JourneyCampaign>([...campaigns].map(([id, campaign]) => [id, { definition: campaign.definition, render: createRenderer(campaign) }]));
      const runStep = createRunJourneyStep({
        store,
        // One per host: the shop API's cache and shared requests live inside it.
        liveData: createLiveData(config.liveData, { catalog, clock, log }),
        interests,
        recommend: createGatherRecommendations({ catalog, interests }),
        campaigns: journeyCampaigns,
        ledger,
        mailer,
        warehouse: facts,
        clock,
        newId: deps.newId,
        policy: config.policy,
        linkKeys: config.linkKeys,
        publicBaseUrl,
        ...(trackBaseUrl ? { trackBaseUrl } : {}),
        shop: config.shop,
        settings: { ...journeyStepDefaults, timerLeaseMs: config.sendLeaseMs, liveDataBudgetMs: config.liveData.budgetMs },
        log,
      });
      const sweep = createSweepTimers({ store, runStep, clock, log });
      if (deps.sweeping) {
        const onError = (error: unknown) => log({ severity: 'ERROR', message: 'journey sweep failed', error: String(error) });
        sweepTicker = startTicker(sweep, embeddedJourneyDefaults.sweepEveryMs, onError);
        tickers.push(sweepTicker);
        // A claim left in doubt by a crash is settled from the ESP's own record: the .eml file, or
        // SendGrid's activity feed searched by the send_id custom arg.
        const evidence = config.sendgrid
          ? {
              provider: 'sendgrid' as const,
              findEvidence: sendGridEvidence({ apiKey: config.sendgrid.apiKey, ...(config.sendgrid.apiBase ? { apiBase: config.sendgrid.apiBase } : {}) }),
              evidenceLagMs: config.sendgrid.activityLagMs,
            }
          : { provider: 'outbox' as const, findEvidence: outboxEvidence(deps.dataDir), evidenceLagMs: 0 };
        const resolve = createResolveInDoubt({ ledger, ...evidence, facts, clock, olderThanMs: config.sendLeaseMs, log });
        tickers.push(startTicker(resolve, Math.min(embeddedJourneyDefaults.resolveInDoubtEveryMs, config.sendLeaseMs), onError));
      }
      // A sweep on demand first lets the ticker's run in progress finish: a timer it holds would
      // otherwise look not yet due to this one, and the caller would see its email only later.
      const sweepNow = async () => {
        await sweepTicker?.idle();
        return sweep();
      };
      return { runStep, sweep: sweepNow };
    },
    wakeAt: (at) => sweepTicker?.wakeAt(at.getTime()),
    stop: async () => {
      await Promise.all(tickers.map((ticker) => ticker.stop()));
      await ledger.close();
    },
  };
}
