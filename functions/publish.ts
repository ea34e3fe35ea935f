import { join } from 'node:path';
import type { PubSub } from '@google-cloud/pubsub';
import { monotonicFactory } from 'ulid';
import { createPubSubBus } from './gcp/pubsub-bus.ts';
import { createPubSubDeadLetterStore } from './gcp/pubsub-dead-letters.ts';
import { createSqliteBus } from './embedded/sqlite-bus.ts';
import { openSqliteDatabase } from './embedded/sqlite-database.ts';
import { createSqliteDeadLetterStore } from './embedded/sqlite-dead-letters.ts';
import { createPublishEvent, type PublishEvent } from '../pipelines/events/publish-event.ts';
import { systemClock } from '../pipelines/shared/clock.ts';

export type { PublishEvent, PublishEventResult } from '../pipelines/events/publish-event.ts';
export type { SegmentEventInput, TrackEventName } from '../pipelines/events/segment-schemas.ts';

/**
 * For server-side apps that publish straight to nudge instead of posting over HTTP: the same
 * validation and routing as the collector, typed for autocompletion. Give every event a
 * `messageId` so a retry after a failure cannot duplicate it.
 *
 *   const publishEvent = createPubSubPublishEvent({ pubsub: new PubSub({ projectId }), appName: 'checkout-service' });
 *   await publishEvent({ type: 'track', event: 'Order Completed', userId: 'u-1', messageId: orderId, properties: { order_id: orderId, total: 99 } });
 */
export function createPubSubPublishEvent(options: { pubsub: PubSub; appName?: string }): PublishEvent {
  return createPublishEvent({
    bus: createPubSubBus({ pubsub: options.pubsub }),
    deadLetters: createPubSubDeadLetterStore({ pubsub: options.pubsub }),
    clock: systemClock,
    newEventId: newIdFactory(),
    source: 'publish',
    ...(options.appName ? { sourceId: options.appName } : {}),
  });
}

/**
 * The embedded equivalent: publishes into the SQLite bus of a data dir (the running runtime's
 * subscriptions are stored in the file, so its consumers pick the events up).
 */
export function createEmbeddedPublishEvent(options: { dataDir: string; appName?: string }): PublishEvent & { close: () => void } {
  const db = openSqliteDatabase(join(options.dataDir, 'bus.db'));
  const publishEvent = createPublishEvent({
    bus: createSqliteBus({ db }),
    deadLetters: createSqliteDeadLetterStore({ db }),
    clock: systemClock,
    newEventId: newIdFactory(),
    source: 'publish',
    ...(options.appName ? { sourceId: options.appName } : {}),
  });
  return Object.assign(publishEvent, { close: () => db.close() });
}

function newIdFactory(): () => string {
  const next = monotonicFactory();
  return () => next(systemClock.now().getTime());
}
