import { http } from '@google-cloud/functions-framework';
import { monotonicFactory } from 'ulid';
import { createCollectEntry } from './collect.ts';
import { createWriteKeys } from './collect/write-keys.ts';
import { getFirestore, getPubSub } from './gcp/clients.ts';
import { parseGcpConfig } from './gcp/config.ts';
import { createFirestoreCatalogStore } from './gcp/firestore-catalog-store.ts';
import { createFirestoreProfileStore } from './gcp/firestore-profile-store.ts';
import { toFrameworkHandler } from './gcp/framework-adapter.ts';
import { createPubSubBus } from './gcp/pubsub-bus.ts';
import { createPubSubDeadLetterStore } from './gcp/pubsub-dead-letters.ts';
import { createSweepTimersEntry, loadCampaignDefinitions, loadGcpCampaigns } from './gcp/journeys.ts';
import { createPubSubWarehouseRows } from './gcp/pubsub-warehouse-rows.ts';
import { parseJourneyConfig } from './journey-config.ts';
import { createOnBrowseEventEntry } from './on-browse-event.ts';
import { createOnCatalogUpdateEntry } from './on-catalog-update.ts';
import { createOnPriorityEventEntry } from './on-priority-event.ts';
import { createTrackEntry } from './track.ts';
import { createUnsubscribeEntry } from './unsubscribe.ts';
import { createUnsubscribePerson } from '../pipelines/engagement/unsubscribe-person.ts';
import { createAcceptEvents } from '../pipelines/events/accept-events.ts';
import { planCartTimers } from '../pipelines/journeys/plan-cart-timers.ts';
import { createFoldEvents, createPersonIdFactory } from '../pipelines/profiles/fold-events.ts';
import { systemClock } from '../pipelines/shared/clock.ts';

// The Cloud Functions (gen2) of the GCP deployment; terraform/functions.tf names these entry
// points. Each is a thin wrapper: build GCP adapters once, then run the same entry the embedded
// host mounts. Structured logs go to stdout as JSON (Cloud Logging parses them).
const clock = systemClock;
const log = (entry: Record<string, unknown>) => console.log(JSON.stringify(entry));
const nextId = monotonicFactory();
const newId = () => nextId(clock.now().getTime());

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
  const definitions = await loadCampaignDefinitions({ templatesDir: process.env.NUDGE_TEMPLATES_DIR || undefined }, clock);
  const store = createFirestoreProfileStore({ firestore: getFirestore(config) });
  return {
    foldEvents: createFoldEvents({ store, clock, newPersonId: createPersonIdFactory(clock), log, onPersonFolded: (change) => planCartTimers(definitions, change) }),
    deadLetters: createPubSubDeadLetterStore({ pubsub: getPubSub(config) }),
    clock,
    newId,
    log,
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
    return createUnsubscribeEntry({ linkKeys: journeys.linkKeys, unsubscribe, clock, log });
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

http(
  'onCatalogUpdate',
  toFrameworkHandler(async () => {
    const config = parseGcpConfig(process.env, { writeKeys: false });
    return createOnCatalogUpdateEntry({
      catalog: createFirestoreCatalogStore({ firestore: getFirestore(config) }),
      shopHosts: config.shopHosts,
      deadLetters: createPubSubDeadLetterStore({ pubsub: getPubSub(config) }),
      clock,
      newId,
      log,
    });
  }),
);
