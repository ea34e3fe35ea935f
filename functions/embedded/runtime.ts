import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { monotonicFactory } from 'ulid';
import { createAdminQueryEntry } from './admin-query-entry.ts';
import { ConfigError, type EmbeddedConfig } from './config.ts';
import { openDuckDbWarehouse } from './warehouse/duckdb-warehouse.ts';
import { newAdminToken, removeHostFile, writeHostFile } from './host-file.ts';
import { createHttpHost } from './http-host.ts';
import { isLoopbackName } from './http-host-loopback.ts';
import { loadEmbeddedJourneys, type EmbeddedJourneys } from './journeys.ts';
import { createOutboxPageEntry } from './outbox-page.ts';
import { createAdminReconcileEntry } from './reconcile/admin-reconcile-entry.ts';
import { createEmbeddedReconcile, type EmbeddedReconcile } from './reconcile/embedded-reconcile.ts';
import { createPushDelivery } from './push-delivery.ts';
import { createSqliteCatalogStore, type SqliteCatalogStore } from './sqlite-catalog-store.ts';
import { createSqliteBus, type SqliteBus, type SqliteBusSubscription } from './sqlite-bus.ts';
import { openSqliteDatabase } from './sqlite-database.ts';
import { createSqliteDeadLetterStore, type SqliteDeadLetterStore } from './sqlite-dead-letters.ts';
import { createSqliteInterestStore, type SqliteInterestStore } from './sqlite-interest-store.ts';
import { startInterestPruning } from './interest-pruning.ts';
import { createSqliteProfileStore, type SqliteProfileStore } from './sqlite-profile-store.ts';
import { createBusWarehouseRows, factTopicNames } from './bus-warehouse-rows.ts';
import { createWarehouseWriter, eventWarehouseSubscriptions, warehouseRowSubscriptions, warehouseWriterDefaults } from './warehouse-writer.ts';
import { createCollectEntry } from '../collect.ts';
import { createWriteKeys } from '../collect/write-keys.ts';
import { jsonResponse } from '../http.ts';
import { createOnBrowseEventEntry } from '../on-browse-event.ts';
import { createOnCatalogUpdateEntry } from '../on-catalog-update.ts';
import { createOnInterestEventEntry } from '../on-interest-event.ts';
import { checkInterestRetentionCoversCampaigns } from '../interest-retention-config.ts';
import { createOnPriorityEventEntry } from '../on-priority-event.ts';
import { createOnJourneyFanOutEntry } from '../on-journey-fanout.ts';
import { createFanOutCatalogTrigger, JOURNEY_FANOUT_TOPIC, type FanOutPage } from '../../pipelines/journeys/fan-out-catalog-trigger.ts';
import { createOfferCheckEntry } from '../offers.ts';
import { createTrackEntry } from '../track.ts';
import { createUnsubscribeEntry } from '../unsubscribe.ts';
import { createEmbeddedSendGridEvents } from './sendgrid-events-entry.ts';
import { createUnsubscribePerson } from '../../pipelines/engagement/unsubscribe-person.ts';
import { buildUnsubscribeUrl, listUnsubscribeHeaders } from '../../pipelines/delivery/signed-links.ts';
import { createAcceptEvents } from '../../pipelines/events/accept-events.ts';
import { planJourneyTimers } from '../../pipelines/journeys/plan-journey-timers.ts';
import type { StepOutcome } from '../../pipelines/journeys/run-journey-step.ts';
import { allTopicNames, topicNames, type TopicName } from '../../pipelines/events/topics.ts';
import { createFoldEvents, createPersonIdFactory } from '../../pipelines/profiles/fold-events.ts';
import { recordingIdentityLinks } from '../../pipelines/profiles/record-identity-links.ts';
import { systemClock, type Clock } from '../../pipelines/shared/clock.ts';
import { DEFAULT_INTEREST_RETENTION_MS } from '../../pipelines/product-interest/interest-retention.ts';
import type { Warehouse } from '../../pipelines/warehouse/warehouse.ts';

/** Polls `done` until it holds (true) or the timeout passes (false). */
async function waitUntil(done: () => boolean, options: { timeoutMs: number; everyMs: number }): Promise<boolean> {
  const until = Date.now() + options.timeoutMs;
  while (!done()) {
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, options.everyMs));
  }
  return true;
}

/** https, or http on a loopback host (the local outbox): what listUnsubscribeHeaders accepts. */
function isMailReachable(baseUrl: string): boolean {
  try {
    listUnsubscribeHeaders(buildUnsubscribeUrl(baseUrl, 'probe'));
    return true;
  } catch {
    return false;
  }
}

export type EmbeddedRuntime = {
  url: string;
  port: number;
  bus: SqliteBus;
  profiles: SqliteProfileStore;
  catalog: SqliteCatalogStore;
  /** Product interest (interests.db): who viewed, carted, asked for, bought what; co-views; best sellers. */
  interests: SqliteInterestStore;
  deadLetters: SqliteDeadLetterStore;
  warehouse: Warehouse;
  journeys: EmbeddedJourneys;
  /** Runs one journey step now (tests; the sweep does it every second). */
  runJourneyStep: (timer: { timer_id: string }) => Promise<StepOutcome>;
  /** Fires every due timer now (tests; normally each second). */
  sweepTimers: () => Promise<unknown>;
  /** Reconciles profiles with the history now (`nudge reconcile` through the host; nightly at config.reconcileAt). */
  reconcile: EmbeddedReconcile['run'];
  /** Stops taking requests, lets in-flight deliveries finish, closes every store. */
  stop: () => Promise<void>;
};

/**
 * A push consumer holds each delivery until its person's coalescing window closes, so its
 * throughput is about maxOutstanding / window. Pub/Sub scales push concurrency on GCP; here it is
 * set so thousands of shoppers browsing at once do not queue behind each other. SQLite has no
 * per-document write limit, so the embedded browse window is shorter than Firestore's 1 s.
 */
export const embeddedConsumerDefaults = {
  browseCoalesceWindowMs: 100,
  browseMaxOutstanding: 2000,
  priorityMaxOutstanding: 500,
} as const;

export type EmbeddedRuntimeOptions = {
  clock?: Clock;
  log?: (entry: Record<string, unknown>) => void;
  /** Override coalescing windows (tests use short ones). */
  browseCoalesceWindowMs?: number;
  /** Wraps the opened warehouse (tests: one whose writes are held). */
  wrapWarehouse?: (warehouse: Warehouse) => Warehouse;
};

/**
 * The embedded runtime: every Cloud Function of the GCP deployment, mounted in one process over
 * SQLite (bus, profiles, dead letters) and DuckDB (warehouse). The wiring mirrors terraform/:
 * one subscription per push subscription there, and one warehouse writer per BigQuery subscription.
 */
export async function startEmbeddedRuntime(config: EmbeddedConfig, options: EmbeddedRuntimeOptions = {}): Promise<EmbeddedRuntime> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? ((entry) => console.error(JSON.stringify(entry)));
  const newId = monotonicFactory();
  const newEventId = () => newId(clock.now().getTime());
  // Profiles, the warehouse and the outbox hold personal data: the data dir is the owner's alone.
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  // Campaigns first: a definition or template error must stop start-up before anything listens.
  const journeys = await loadEmbeddedJourneys({ config: config.journeys, dataDir: config.dataDir, clock, newId: newEventId, log, sweeping: config.consumers });
  const interestRetentionMs = config.interestRetentionMs ?? DEFAULT_INTEREST_RETENTION_MS;
  // Back-in-stock and price-drop audiences are read `lookback` back: interests kept for less would quietly shrink them.
  checkInterestRetentionCoversCampaigns(interestRetentionMs, journeys.definitions);

  const busDb = openSqliteDatabase(join(config.dataDir, 'bus.db'));
  const sqliteDeadLetters = createSqliteDeadLetterStore({ db: busDb });
  const profiles = createSqliteProfileStore({ database: join(config.dataDir, 'profiles.db') });
  const catalog = createSqliteCatalogStore({ database: join(config.dataDir, 'catalog.db') });
  const interests = createSqliteInterestStore({ database: join(config.dataDir, 'interests.db'), clock, retentionMs: interestRetentionMs });
  const opened = await openDuckDbWarehouse({ dataDir: config.dataDir, datasets: config.warehouseDatasets });
  const warehouse = options.wrapWarehouse ? options.wrapWarehouse(opened) : opened;

  // Dead letters are durable once in SQLite (what the 2xx waits for); the warehouse copy mirrors
  // the BigQuery `dead_letters` table analysts query on GCP and may lag.
  const deadLetters: SqliteDeadLetterStore = {
    ...sqliteDeadLetters,
    put: async (records) => {
      await sqliteDeadLetters.put(records);
      warehouse.insertDeadLetters(records).catch((error: unknown) => log({ severity: 'WARNING', message: 'dead letters not copied to the warehouse', error: String(error) }));
    },
  };

  // Who is who goes to the warehouse after each fold (person_identities), through the bus below.
  const foldWithoutIdentityRows = createFoldEvents({
    store: profiles,
    clock,
    newPersonId: createPersonIdFactory(clock),
    log,
    onPersonFolded: (change) => {
      const plan = planJourneyTimers(journeys.definitions, change);
      // Wake the sweep when the timer comes due instead of up to a second later. A wake-up for
      // a transaction that is then retried or fails only costs an empty sweep.
      for (const timer of plan.put) journeys.wakeAt(new Date(timer.due_at));
      return plan;
    },
  });
  // The bus (and so `facts`, below) exists once its subscriptions, which need this fold, are made.
  const foldEvents = recordingIdentityLinks(foldWithoutIdentityRows, { clock, facts: { insertRows: (table, rows) => facts.insertRows(table, rows) } });
  const onPriorityEvent = createOnPriorityEventEntry({ foldEvents, deadLetters: deadLetters, clock, newId: newEventId, log });
  const onBrowseEvent = createOnBrowseEventEntry({
    foldEvents,
    deadLetters: deadLetters,
    clock,
    newId: newEventId,
    log,
    coalesceWindowMs: options.browseCoalesceWindowMs ?? embeddedConsumerDefaults.browseCoalesceWindowMs,
  });
  // Restocks and price drops fan out to the people interested a page at a time, through the bus.
  const publishFanOut = (pages: readonly FanOutPage[]) => bus.publish(JOURNEY_FANOUT_TOPIC as TopicName, pages.map((page) => ({ data: Buffer.from(JSON.stringify(page)), attributes: { campaign_id: page.trigger.campaign_id } })));
  const onCatalogUpdate = createOnCatalogUpdateEntry({
    catalog,
    deadLetters: deadLetters,
    clock,
    newId: newEventId,
    shopHosts: config.shopHosts,
    log,
    triggers: { campaigns: journeys.definitions, publishFanOut },
  });
  const onJourneyFanOut = createOnJourneyFanOutEntry({
    fanOut: createFanOutCatalogTrigger({ interests, store: profiles, campaigns: new Map(journeys.definitions.map((definition) => [definition.id, definition])), onArmed: (dueAt) => journeys.wakeAt(dueAt) }),
    publishNext: (page) => publishFanOut([page]),
    // The recorder's two subscriptions may lag under load (a restock read before them would miss
    // the latest waiters); wait for what was received before the restock, at most 20 s (the ack deadline is 60 s).
    interestsCaughtUp: (receivedBefore) =>
      waitUntil(() => bus.backlogPublishedBefore(['record-interest-priority', 'record-interest-browse'], receivedBefore) === 0, { timeoutMs: 20_000, everyMs: 100 }).then((caughtUp) => {
        if (!caughtUp) log({ severity: 'WARNING', message: 'journey fan-out: the interest recorder is still behind; reading the audience anyway' });
      }),
    deadLetters,
    clock,
    newId: newEventId,
    log,
  });
  const onInterestEvent = createOnInterestEventEntry({ interests, catalog, deadLetters, clock, newId: newEventId, log });
  const writeToWarehouse = createWarehouseWriter({ warehouse });

  const subscriptions: SqliteBusSubscription[] = [
    {
      name: 'on-priority-event',
      topic: topicNames.priority,
      onMessage: createPushDelivery(onPriorityEvent, { subscription: 'on-priority-event' }),
      maxOutstanding: embeddedConsumerDefaults.priorityMaxOutstanding,
    },
    {
      name: 'on-browse-event',
      topic: topicNames.browse,
      onMessage: createPushDelivery(onBrowseEvent, { subscription: 'on-browse-event' }),
      maxOutstanding: embeddedConsumerDefaults.browseMaxOutstanding,
    },
    { name: 'on-catalog-update', topic: topicNames.catalog, onMessage: createPushDelivery(onCatalogUpdate, { subscription: 'on-catalog-update' }) },
    { name: 'fan-out-journeys', topic: JOURNEY_FANOUT_TOPIC as TopicName, onMessage: createPushDelivery(onJourneyFanOut, { subscription: 'fan-out-journeys' }) },
    // Product interest, beside the profile fold (terraform: the recordInterest push subscriptions).
    { name: 'record-interest-priority', topic: topicNames.priority, onMessage: createPushDelivery(onInterestEvent, { subscription: 'record-interest-priority' }) },
    { name: 'record-interest-browse', topic: topicNames.browse, onMessage: createPushDelivery(onInterestEvent, { subscription: 'record-interest-browse' }) },
    ...allTopicNames.map((topic, index): SqliteBusSubscription => ({ name: eventWarehouseSubscriptions[index]!, topic, onBatch: writeToWarehouse, maxBatch: 1000, maxOutstanding: warehouseWriterDefaults.maxOutstanding })),
    // Decisions and sends reach DuckDB through the bus too, never on the path to the mailer.
    ...warehouseRowSubscriptions({ warehouse }),
  ];
  const bus = createSqliteBus({
    db: busDb,
    clock,
    subscriptions,
    topics: [...allTopicNames, ...factTopicNames, JOURNEY_FANOUT_TOPIC],
    onError: (error, context) => log({ severity: 'WARNING', message: 'delivery failed; will retry', subscription: context.subscription, error: String(error) }),
  });

  // Decision, send, email-event and identity rows: one durable queue (the bus), drained into DuckDB.
  const facts = createBusWarehouseRows({ publish: bus.publish });
  const writeKeys = createWriteKeys(config.writeKeys, config.serverWriteKeys);
  const collect = createCollectEntry({ writeKeys, bus, deadLetters, clock, newEventId, shopHosts: config.shopHosts, log });
  // nudge's own events (consent withdrawn, suppression recorded) enter the bus as collect's do.
  const acceptEvents = createAcceptEvents({ bus, deadLetters, newId: newEventId });
  const unsubscribePerson = createUnsubscribePerson({ store: profiles, foldEvents, acceptEvents, newEventId });
  const sendGridEvents = createEmbeddedSendGridEvents({ config: config.webhook, facts, acceptEvents, deadLetters, profiles, foldEvents, unsubscribe: unsubscribePerson, ledger: journeys.ledger, clock, newId: newEventId, log });
  const track = createTrackEntry({ linkKeys: config.journeys.linkKeys, facts, clock, log });
  const outboxPage = createOutboxPageEntry({ dataDir: config.dataDir });
  // A run that fixes waits while the warehouse writer still holds events received before its as_of.
  const reconciliation = createEmbeddedReconcile({ store: profiles, warehouse, clock, log, warehouseBacklog: (receivedBy) => bus.backlogPublishedBefore(eventWarehouseSubscriptions, receivedBy) });
  const adminToken = newAdminToken();
  const host = createHttpHost({
    routes: [
      // Before /v1/: the shop's checkout checks a unique offer code (functions/offers.ts), server keys only.
      { path: '/v1/offers/check', entry: createOfferCheckEntry({ writeKeys, linkKeys: config.journeys.linkKeys, clock, log }) },
      { path: '/v1/', entry: collect },
      { path: '/healthz', entry: async () => jsonResponse(200, { ok: true }) },
      { path: '/unsubscribe', entry: createUnsubscribeEntry({ linkKeys: config.journeys.linkKeys, unsubscribe: unsubscribePerson, clock, log, facts }) },
      { path: '/webhooks/sendgrid', entry: sendGridEvents },
      // First-party open pixel and click redirect (functions/track.ts), public like unsubscribe.
      { path: '/o/', entry: track },
      { path: '/c/', entry: track },
      // The admin query (the warehouse) and the outbox (recipients and their carts) are local
      // tools: served only when the host listens on loopback, and then only under a loopback Host.
      ...(isLoopbackName(config.host)
        ? [
            { path: '/_nudge/query', entry: createAdminQueryEntry({ warehouse, adminToken }) },
            { path: '/_nudge/reconcile', entry: createAdminReconcileEntry({ reconcile: reconciliation, adminToken }) },
            { path: '/outbox', entry: outboxPage },
            { path: '/outbox/', entry: outboxPage },
          ]
        : []),
    ],
    onError: (error) => log({ severity: 'ERROR', message: 'request failed', error: String(error) }),
  });
  if (config.consumers) bus.start();
  const { port, url } = await host.listen(config.port, config.host);
  writeHostFile(config.dataDir, { pid: process.pid, url, adminToken });
  const publicBaseUrl = config.journeys.publicUrl ?? url;
  // Fail at start, not at the first send: mail clients only follow https unsubscribe links.
  if (!isMailReachable(publicBaseUrl)) {
    await host.close();
    throw new ConfigError(`NUDGE_PUBLIC_URL must be an https URL reachable by mail clients (got ${publicBaseUrl}); plain http is only allowed on localhost`);
  }
  // NUDGE_TRACK_URL, when set, was checked like this by parseJourneyConfig.
  const trackBaseUrl = config.journeys.trackUrl ?? publicBaseUrl;
  const { runStep, sweep } = journeys.start({ store: profiles, catalog, interests, facts, publicBaseUrl, trackBaseUrl });
  // Fixes go through the profile store like any fold, so the ingest-only host reconciles too.
  const nightly = reconciliation.startNightly(config.reconcileAt ?? null);
  // Expired interests out of interests.db once a day (on GCP Firestore's TTL policy does it).
  const interestPruning = startInterestPruning({ interests, log });

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await host.close();
      await nightly?.stop();
      await interestPruning.stop();
      await Promise.all([onPriorityEvent.flushAll(), onBrowseEvent.flushAll()]);
      await bus.stop();
      await journeys.stop();
      removeHostFile(config.dataDir, process.pid);
      await profiles.close();
      await catalog.close();
      await interests.close();
      await warehouse.close();
      busDb.close();
    })());

  return { url, port, bus, profiles, catalog, interests, deadLetters, warehouse, journeys, runJourneyStep: runStep, sweepTimers: sweep, reconcile: reconciliation.run, stop };
}
