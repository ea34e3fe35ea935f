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
import { createOnBrowseEventEntry } from './on-browse-event.ts';
import { createOnCatalogUpdateEntry } from './on-catalog-update.ts';
import { createOnPriorityEventEntry } from './on-priority-event.ts';
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
      writeKeys: createWriteKeys(config.writeKeys),
      bus: createPubSubBus({ pubsub }),
      deadLetters: createPubSubDeadLetterStore({ pubsub }),
      clock,
      newEventId: newId,
      log,
    });
  }),
);

function consumerDeps() {
  const config = parseGcpConfig(process.env, { writeKeys: false });
  const store = createFirestoreProfileStore({ firestore: getFirestore(config) });
  return {
    foldEvents: createFoldEvents({ store, clock, newPersonId: createPersonIdFactory(clock) }),
    deadLetters: createPubSubDeadLetterStore({ pubsub: getPubSub(config) }),
    clock,
    newId,
    log,
  };
}

http('onPriorityEvent', toFrameworkHandler(async () => createOnPriorityEventEntry(consumerDeps())));
http('onBrowseEvent', toFrameworkHandler(async () => createOnBrowseEventEntry(consumerDeps())));

http(
  'onCatalogUpdate',
  toFrameworkHandler(async () => {
    const config = parseGcpConfig(process.env, { writeKeys: false });
    return createOnCatalogUpdateEntry({
      catalog: createFirestoreCatalogStore({ firestore: getFirestore(config) }),
      deadLetters: createPubSubDeadLetterStore({ pubsub: getPubSub(config) }),
      clock,
      newId,
      log,
    });
  }),
);
