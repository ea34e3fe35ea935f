import { http } from '@google-cloud/functions-framework';
import type { PubSub } from '@google-cloud/pubsub';
import { monotonicFactory } from 'ulid';
import { createCollectEntry } from './collect.ts';
import { createWriteKeys } from './collect/write-keys.ts';
import { createBigQueryClient } from './gcp/bigquery-client.ts';
import { createBigQueryWarehouse } from './gcp/bigquery-warehouse.ts';
import { getFirestore, getPubSub } from './gcp/clients.ts';
import { parseGcpConfig } from './gcp/config.ts';
import { createFirestoreCatalogStore } from './gcp/firestore-catalog-store.ts';
import { createFirestoreInterestStore } from './gcp/firestore-interest-store.ts';
import { createFirestoreProfileStore } from './gcp/firestore-profile-store.ts';
import { toFrameworkHandler } from './gcp/framework-adapter.ts';
import { createPubSubBus } from './gcp/pubsub-bus.ts';
import { createPubSubDeadLetterStore } from './gcp/pubsub-dead-letters.ts';
import { createSweepTimersEntry, loadCampaignDefinitions, loadGcpCampaigns } from './gcp/journeys.ts';
import { createPubSubWarehouseRows } from './gcp/pubsub-warehouse-rows.ts';
import { parseJourneyConfig } from './journey-config.ts';
import { createOnBrowseEventEntry } from './on-browse-event.ts';
import { createOnCatalogUpdateEntry } from './on-catalog-update.ts';
import { createOnInterestEventEntry } from './on-interest-event.ts';
import { createOnJourneyFanOutEntry } from './on-journey-fanout.ts';
import { createOnPriorityEventEntry } from './on-priority-event.ts';
import { profileFoldedMessage, type ProfileFold } from './on-events.ts';
import { createReconcileEntry } from './reconcile.ts';
import { loadReconcileSql } from './reconcile/load-reconcile-sql.ts';
import { bigQueryDatasetOf } from './bigquery-sql/bigquery-dataset.ts';
import { ConfigError } from './config-error.ts';
import { createFirestoreSendLedger } from './gcp/firestore-send-ledger.ts';
import { createSendGridEventsEntry } from './sendgrid-events.ts';
import { parseWebhookConfig } from './sendgrid-events/webhook-config.ts';
import { createOfferCheckEntry } from './offers.ts';
import { createTrackEntry } from './track.ts';
import { createUnsubscribeEntry } from './unsubscribe.ts';
import { createSuppressPerson } from '../pipelines/engagement/suppress-person.ts';
import { createTakeSendGridEvents } from '../pipelines/engagement/take-sendgrid-events.ts';
import { createUnsubscribePerson } from '../pipelines/engagement/unsubscribe-person.ts';
import { createAcceptEvents } from '../pipelines/events/accept-events.ts';
import type { TopicName } from '../pipelines/events/topics.ts';
import { createFanOutCatalogTrigger, JOURNEY_FANOUT_TOPIC, type FanOutPage } from '../pipelines/journeys/fan-out-catalog-trigger.ts';
import { planJourneyTimers } from '../pipelines/journeys/plan-journey-timers.ts';
import { createFoldEvents, createPersonIdFactory } from '../pipelines/profiles/fold-events.ts';
import { recordingIdentityLinks } from '../pipelines/profiles/record-identity-links.ts';
import { systemClock } from '../pipelines/shared/clock.ts';
import { checkInterestRetentionCoversCampaigns } from './interest-retention-config.ts';

// The Cloud Functions (gen2) of the GCP deployment; terraform/functions.tf names these entry
// points. Each is a thin wrapper: build GCP adapters once, then run the same entry the embedded
// host mounts. Structured logs go to stdout as JSON (Cloud Logging parses them).
const clock = systemClock;
const log = (entry: Record<string, unknown>) => console.log(JSON.stringify(entry));
const nextId = monotonicFactory();
const newId = () => nextId(clock.now().getTime());
// Campaign definitions from templates/ in the zip (loaded once per instance, functions/gcp/journeys.ts).
const loadDefinitions = () => loadCampaignDefinitions({ templatesDir: process.env.NUDGE_TEMPLATES_DIR || undefined }, clock);

http(
  'collect',
  toFrameworkHandler(async () => {
    const config = parseGcpConfig(process.env, { writeKeys: true });
    const pubsub = getPubSub(config);
    return createCollectEntry({
      writeKeys: createWriteKeys(config.writeKeys, config.serverWriteKeys),
      shopHosts: config.shopHosts,
      bus: createPubSubBus({ pubsub }),
      deadLetters: createPubSubDeadLetterStore({ pubsub }),
      clock,
      newEventId: newId,
      log,
    });
  }),
);

/**
 * The profile consumers fold with the journeys' timer plan, like the embedded runtime: a cart
 * change arms (or cancels) its reminder in the same Firestore transaction as the profile write.
 * Campaigns are read from templates/ (in the zip) once per instance.
 */
async function consumerDeps() {
  const config = parseGcpConfig(process.env, { writeKeys: false });
  // Only the templates folder: the consumers hold no signing key or SendGrid secret.
  const definitions = await loadDefinitions();
  const store = createFirestoreProfileStore({ firestore: getFirestore(config) });
  const fold = createFoldEvents({ store, clock, newPersonId: createPersonIdFactory(clock), log, onPersonFolded: (change) => planJourneyTimers(definitions, change) });
  return {
    // Identity links and merges go to warehouse-person_identities once the fold has committed.
    foldEvents: recordingIdentityLinks(fold, { clock, facts: createPubSubWarehouseRows({ pubsub: getPubSub(config), tables: ['person_identities'] }) }),
    deadLetters: createPubSubDeadLetterStore({ pubsub: getPubSub(config) }),
    clock,
    newId,
    log,
    // One INFO line per fold (not per event): the source of the log-based lag metric (monitoring.tf).
    reportFold: (fold: ProfileFold) => log({ severity: 'INFO', message: profileFoldedMessage, ...fold }),
  };
}

http('onPriorityEvent', toFrameworkHandler(async () => createOnPriorityEventEntry(await consumerDeps())));
http('onBrowseEvent', toFrameworkHandler(async () => createOnBrowseEventEntry(await consumerDeps())));

// Cloud Scheduler (OIDC, each minute) → fire due journey timers, send, settle claims in doubt.
http(
  'sweepTimers',
  toFrameworkHandler(async () => {
    const config = parseGcpConfig(process.env, { writeKeys: false });
    const journeys = parseJourneyConfig(process.env, null);
    const firestore = getFirestore(config);
    return createSweepTimersEntry({
      config: journeys,
      campaigns: await loadGcpCampaigns(journeys, clock),
      store: createFirestoreProfileStore({ firestore }),
      firestore,
      interestRetentionMs: config.interestRetentionMs,
      pubsub: getPubSub(config),
      clock,
      newId,
      log,
    });
  }),
);

// The List-Unsubscribe target (public: mail clients post to it). NUDGE_PUBLIC_URL of sweepTimers
// is this function's URL. The consent change is folded at once and published like any event.
// No timer plan here: a consent event does not touch the cart, and the step checks consent again.
http(
  'unsubscribe',
  toFrameworkHandler(async () => {
    const config = parseGcpConfig(process.env, { writeKeys: false });
    const journeys = parseJourneyConfig(process.env, null);
    const store = createFirestoreProfileStore({ firestore: getFirestore(config) });
    const pubsub = getPubSub(config);
    const unsubscribe = createUnsubscribePerson({
      store,
      foldEvents: createFoldEvents({ store, clock, newPersonId: createPersonIdFactory(clock), log }),
      acceptEvents: createAcceptEvents({ bus: createPubSubBus({ pubsub }), deadLetters: createPubSubDeadLetterStore({ pubsub }), newId }),
      newEventId: newId,
    });
    return createUnsubscribeEntry({ linkKeys: journeys.linkKeys, unsubscribe, clock, log, facts: createPubSubWarehouseRows({ pubsub, tables: ['email_events'] }) });
  }),
);

// SendGrid's Event Webhook (public: SendGrid posts without Google credentials; the ECDSA signature
// on the raw body is the authority). Refuses to start without SENDGRID_WEBHOOK_PUBLIC_KEY unless
// NUDGE_WEBHOOK_VERIFY=off says so explicitly (local tests only).
http(
  'sendgridEvents',
  toFrameworkHandler(async () => {
    const config = parseGcpConfig(process.env, { writeKeys: false });
    const webhook = parseWebhookConfig(process.env);
    // Off is for local tests: a deployed function (Cloud Run sets K_SERVICE) never takes unsigned events.
    if (webhook.verify === 'off' && process.env.K_SERVICE) throw new ConfigError('NUDGE_WEBHOOK_VERIFY=off is for local tests only; the deployed sendgridEvents function needs SENDGRID_WEBHOOK_PUBLIC_KEY');
    if (webhook.verify === 'unconfigured') throw new ConfigError('SENDGRID_WEBHOOK_PUBLIC_KEY is not set: the SendGrid webhook will not take unsigned events (NUDGE_WEBHOOK_VERIFY=off only for local tests)');
    const firestore = getFirestore(config);
    const pubsub = getPubSub(config);
    const store = createFirestoreProfileStore({ firestore });
    const deadLetters = createPubSubDeadLetterStore({ pubsub });
    const acceptEvents = createAcceptEvents({ bus: createPubSubBus({ pubsub }), deadLetters, newId });
    const foldEvents = createFoldEvents({ store, clock, newPersonId: createPersonIdFactory(clock), log });
    const take = createTakeSendGridEvents({
      // Only read (who was sent what): the lease, which governs claims, plays no part here.
      ledger: createFirestoreSendLedger({ firestore, leaseMs: 5 * 60_000 }),
      facts: createPubSubWarehouseRows({ pubsub, tables: ['email_events'] }),
      deadLetters,
      suppress: createSuppressPerson({ store, foldEvents, acceptEvents, newEventId: newId }),
      unsubscribe: createUnsubscribePerson({ store, foldEvents, acceptEvents, newEventId: newId }),
      newId,
      log,
    });
    return createSendGridEventsEntry({ publicKey: webhook.verify === 'signed' ? webhook.publicKey : null, take, deadLetters, clock, newId, log });
  }),
);

// The first-party open pixel and click redirect (public: mail clients and browsers fetch them).
// NUDGE_TRACK_URL of sweepTimers is this function's URL. Each hit is one email_events row,
// published to warehouse-email_events (the only topic this function may publish to).
http(
  'track',
  toFrameworkHandler(async () => {
    const config = parseGcpConfig(process.env, { writeKeys: false });
    const journeys = parseJourneyConfig(process.env, null);
    return createTrackEntry({ linkKeys: journeys.linkKeys, facts: createPubSubWarehouseRows({ pubsub: getPubSub(config), tables: ['email_events'] }), clock, log });
  }),
);

// The shop's checkout checks a unique offer's code (POST /v1/offers/check, functions/offers.ts).
// Its own function rather than a route of track or collect: it alone holds both the link keys and
// the server write keys, and needs no Pub/Sub or Firestore at all, so neither secret spreads to a
// public function that does not need it. Public ingress: the server write key authorises.
http(
  'offers',
  toFrameworkHandler(async () => {
    const config = parseGcpConfig(process.env, { writeKeys: false });
    if (config.serverWriteKeys.length === 0) throw new ConfigError('NUDGE_SERVER_WRITE_KEYS is empty: the offer check answers server write keys only (see docs/deploy.md)');
    const journeys = parseJourneyConfig(process.env, null);
    return createOfferCheckEntry({ writeKeys: createWriteKeys([], config.serverWriteKeys), linkKeys: journeys.linkKeys, clock, log });
  }),
);

/**
 * Fan-out pages of restocks and price drops go to the journey-fanout topic (pubsub.tf), one JSON
 * page per message, through the same batching publisher as events. The bus is typed for the event
 * topics; journey-fanout is the journeys' own, named in pipelines/ like them (hence the cast).
 */
function fanOutPublisher(pubsub: PubSub): (pages: readonly FanOutPage[]) => Promise<void> {
  const bus = createPubSubBus({ pubsub });
  return (pages) => bus.publish(JOURNEY_FANOUT_TOPIC as TopicName, pages.map((page) => ({ data: Buffer.from(JSON.stringify(page)), attributes: { campaign_id: page.trigger.campaign_id } })));
}

// Pushed from events-catalog: keeps the catalog, and publishes the first fan-out page of a restock
// or price drop a campaign waits for BEFORE applying the update (functions/on-catalog-update.ts).
http(
  'onCatalogUpdate',
  toFrameworkHandler(async () => {
    const config = parseGcpConfig(process.env, { writeKeys: false });
    const pubsub = getPubSub(config);
    return createOnCatalogUpdateEntry({
      catalog: createFirestoreCatalogStore({ firestore: getFirestore(config) }),
      shopHosts: config.shopHosts,
      deadLetters: createPubSubDeadLetterStore({ pubsub }),
      clock,
      newId,
      log,
      triggers: { campaigns: await loadDefinitions(), publishFanOut: fanOutPublisher(pubsub) },
    });
  }),
);

// Pushed from journey-fanout: arms the journey timers of one page of interested people (Firestore,
// small transactions) and publishes the next page to the same topic; sweepTimers sends them.
http(
  'fanOutJourney',
  toFrameworkHandler(async () => {
    const config = parseGcpConfig(process.env, { writeKeys: false });
    const firestore = getFirestore(config);
    const pubsub = getPubSub(config);
    const definitions = await loadDefinitions();
    // The audience is read back `lookback`: interests kept for less would quietly shrink it.
    checkInterestRetentionCoversCampaigns(config.interestRetentionMs, definitions);
    const publishFanOut = fanOutPublisher(pubsub);
    return createOnJourneyFanOutEntry({
      fanOut: createFanOutCatalogTrigger({
        interests: createFirestoreInterestStore({ firestore, clock, retentionMs: config.interestRetentionMs }),
        store: createFirestoreProfileStore({ firestore }),
        campaigns: new Map(definitions.map((definition) => [definition.id, definition])),
      }),
      publishNext: (page) => publishFanOut([page]),
      deadLetters: createPubSubDeadLetterStore({ pubsub }),
      clock,
      newId,
      log,
    });
  }),
);

// Pushed from events-priority and events-browse (two subscriptions, pubsub.tf): views, adds, back-in-stock
// requests and orders → the product-interest store (Firestore), with the catalog's stock at the time.
http(
  'recordInterest',
  toFrameworkHandler(async () => {
    const config = parseGcpConfig(process.env, { writeKeys: false });
    const firestore = getFirestore(config);
    return createOnInterestEventEntry({
      interests: createFirestoreInterestStore({ firestore, clock, retentionMs: config.interestRetentionMs }),
      catalog: createFirestoreCatalogStore({ firestore }),
      deadLetters: createPubSubDeadLetterStore({ pubsub: getPubSub(config) }),
      clock,
      newId,
      log,
    });
  }),
);

// Cloud Scheduler (OIDC, nightly) → compare every profile with the BigQuery history, record diffs,
// fix Firestore version-guarded, write the day's profile_snapshots (functions/reconcile.ts).
http(
  'reconcile',
  toFrameworkHandler(async () => {
    const config = parseGcpConfig(process.env, { writeKeys: false });
    const location = process.env.NUDGE_BIGQUERY_LOCATION || undefined;
    const bigquery = createBigQueryClient({ projectId: config.projectId, env: process.env, ...(location ? { location } : {}) });
    return createReconcileEntry({
      store: createFirestoreProfileStore({ firestore: getFirestore(config) }),
      warehouse: createBigQueryWarehouse({ bigquery, projectId: config.projectId, dataset: bigQueryDatasetOf(process.env), ...(location ? { location } : {}) }),
      clock,
      newRunId: newId,
      sql: loadReconcileSql(),
      log,
    });
  }),
);
