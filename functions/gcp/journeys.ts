import type { Firestore } from '@google-cloud/firestore';
import type { PubSub } from '@google-cloud/pubsub';
import { createGatherRecommendations } from '../../pipelines/recommendations/gather-recommendations.ts';
import { createLiveData } from '../live-data/live-data-config.ts';
import { createFirestoreInterestStore } from './firestore-interest-store.ts';
import { createFirestoreCatalogStore } from './firestore-catalog-store.ts';
import { createFirestoreSendLedger } from './firestore-send-ledger.ts';
import { createPubSubWarehouseRows } from './pubsub-warehouse-rows.ts';
import { sendGridEvidence } from './sendgrid-evidence.ts';
import { createSendGridMailer } from './sendgrid-mailer.ts';
import { loadCampaigns } from '../campaigns/load-campaigns.ts';
import { ConfigError } from '../embedded/config.ts';
import { jsonResponse, type HttpEntry } from '../http.ts';
import type { JourneyConfig } from '../journey-config.ts';
import type { CampaignDefinition } from '../../pipelines/campaigns/campaign-definition.ts';
import { createRenderer } from '../../pipelines/content/render-email.ts';
import type { LoadedCampaign } from '../../pipelines/content/loaded-campaign.ts';
import { createResolveInDoubt } from '../../pipelines/delivery/resolve-in-doubt.ts';
import { createRunJourneyStep, journeyStepDefaults, type JourneyCampaign } from '../../pipelines/journeys/run-journey-step.ts';
import { createSweepTimers } from '../../pipelines/journeys/sweep-timers.ts';
import type { ProfileStore } from '../../pipelines/profiles/profile-store.ts';
import type { Clock } from '../../pipelines/shared/clock.ts';

/**
 * Journeys on GCP: the same pipelines the embedded runtime runs (functions/embedded/journeys.ts),
 * over Firestore, Pub/Sub → BigQuery and SendGrid. Cloud Scheduler calls sweepTimers once a
 * minute; each call fires the due timers, then settles claims a crash left in doubt.
 */

let campaigns: Promise<Map<string, LoadedCampaign>> | undefined;

/**
 * The campaigns of templates/ (shipped in the function zip), compiled once per instance. A
 * definition or template error fails the first request of the instance, naming file, line and
 * field in the log; the next request tries again.
 */
export function loadGcpCampaigns(config: Pick<JourneyConfig, 'templatesDir'>, clock: Clock): Promise<Map<string, LoadedCampaign>> {
  campaigns ??= loadCampaigns({ ...(config.templatesDir ? { templatesDir: config.templatesDir } : {}), now: () => clock.now() }).catch((error: unknown) => {
    campaigns = undefined;
    throw error;
  });
  return campaigns;
}

export async function loadCampaignDefinitions(config: Pick<JourneyConfig, 'templatesDir'>, clock: Clock): Promise<CampaignDefinition[]> {
  return [...(await loadGcpCampaigns(config, clock)).values()].map((campaign) => campaign.definition);
}

export type SweepTimersEntryDeps = {
  config: JourneyConfig;
  campaigns: ReadonlyMap<string, LoadedCampaign>;
  store: ProfileStore;
  firestore: Firestore;
  pubsub: PubSub;
  clock: Clock;
  /** NUDGE_INTEREST_RETENTION (GcpConfig): judges interest documents written before they carried expire_at. Default 90 days. */
  interestRetentionMs?: number;
  newId: () => string;
  log: (entry: Record<string, unknown>) => void;
};

/**
 * The sweepTimers Cloud Function: POST (Cloud Scheduler, OIDC) runs one sweep and one in-doubt
 * pass and answers 200 with their counts. A failure answers 500, which Cloud Scheduler logs;
 * nothing is lost, the next minute's sweep finds the same timers.
 */
/** Timers taken per sweep round, and how long one Scheduler call keeps sweeping a backlog. */
const sweepBatchSize = 200;
const sweepBudgetMs = 40_000;

export function createSweepTimersEntry(deps: SweepTimersEntryDeps): HttpEntry {
  const { config, clock, log } = deps;
  if (!config.sendgrid) throw new ConfigError('SENDGRID_API_KEY is empty: add a version to the SendGrid secret (see docs/deploy.md)');
  if (!config.publicUrl) throw new ConfigError('NUDGE_PUBLIC_URL must be the URL of the unsubscribe function (terraform sets it)');
  // On GCP the click and open endpoints are their own function: links to the unsubscribe URL would
  // all answer 400, so a first-party campaign without NUDGE_TRACK_URL must not send.
  const firstParty = [...deps.campaigns.values()].filter((campaign) => campaign.definition.tracking === 'first_party').map((campaign) => campaign.id);
  if (firstParty.length > 0 && !config.trackUrl) {
    throw new ConfigError(`NUDGE_TRACK_URL must be the URL of the track function (terraform sets it): campaigns ${firstParty.join(', ')} use first-party tracking`);
  }
  const sendgrid = { apiKey: config.sendgrid.apiKey, ...(config.sendgrid.apiBase ? { apiBase: config.sendgrid.apiBase } : {}) };
  const ledger = createFirestoreSendLedger({ firestore: deps.firestore, leaseMs: config.sendLeaseMs });
  // Decision and send rows go to Pub/Sub (BigQuery subscriptions), never straight to BigQuery.
  const facts = createPubSubWarehouseRows({ pubsub: deps.pubsub });
  const catalog = createFirestoreCatalogStore({ firestore: deps.firestore });
  const interests = createFirestoreInterestStore({ firestore: deps.firestore, clock, retentionMs: deps.interestRetentionMs });
  const journeyCampaigns = new Map<string, JourneyCampaign>([...deps.campaigns].map(([id, campaign]) => [id, { definition: campaign.definition, render: createRenderer(campaign) }]));
  const runStep = createRunJourneyStep({
    store: deps.store,
    liveData: createLiveData(config.liveData, { catalog, clock, log }),
    interests,
    recommend: createGatherRecommendations({ catalog, interests }),
    campaigns: journeyCampaigns,
    ledger,
    mailer: createSendGridMailer(sendgrid),
    warehouse: facts,
    clock,
    newId: deps.newId,
    policy: config.policy,
    linkKeys: config.linkKeys,
    publicBaseUrl: config.publicUrl,
    ...(config.trackUrl ? { trackBaseUrl: config.trackUrl } : {}),
    shop: config.shop,
    settings: { ...journeyStepDefaults, timerLeaseMs: config.sendLeaseMs, liveDataBudgetMs: config.liveData.budgetMs },
    log,
  });
  const sweep = createSweepTimers({ store: deps.store, runStep, clock, log, batchSize: sweepBatchSize });
  // SendGrid's activity feed settles claims a crash left in doubt (searched by the send_id custom arg).
  // A send it settles as sent gets its email_sends row too; "not in the feed" counts only once the
  // claim is older than the feed's lag (parseJourneyConfig keeps the lease at least that long).
  const resolveInDoubt = createResolveInDoubt({
    ledger,
    findEvidence: sendGridEvidence(sendgrid),
    provider: 'sendgrid',
    evidenceLagMs: config.sendgrid.activityLagMs,
    facts,
    clock,
    olderThanMs: config.sendLeaseMs,
    log,
  });

  return async (request) => {
    if (request.method.toUpperCase() !== 'POST') return jsonResponse(405, { error: 'POST only (Cloud Scheduler)' }, { allow: 'POST' });
    // One Scheduler call a minute: keep sweeping while full batches come back (a backlog), within
    // a budget that leaves the function time to answer. In-doubt resolution runs even if a sweep failed.
    const started = clock.now().getTime();
    const swept = { due: 0, batches: 0, outcomes: {} as Record<string, number> };
    let sweepError: unknown;
    try {
      for (;;) {
        const batch = await sweep();
        swept.due += batch.due;
        swept.batches += 1;
        for (const [outcome, n] of Object.entries(batch.outcomes)) swept.outcomes[outcome] = (swept.outcomes[outcome] ?? 0) + (n ?? 0);
        if (batch.due < sweepBatchSize || clock.now().getTime() - started > sweepBudgetMs) break;
      }
    } catch (error) {
      sweepError = error;
    }
    const inDoubt = await resolveInDoubt();
    if (sweepError) throw sweepError;
    const result = { ...swept, in_doubt: inDoubt };
    log({ severity: 'INFO', message: 'journey sweep', ...result });
    return jsonResponse(200, result);
  };
}
