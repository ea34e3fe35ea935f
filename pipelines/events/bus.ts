import type { TopicName } from './topics.ts';

/**
 * The bus port. Pub/Sub on GCP (functions/gcp/pubsub-bus.ts), a durable SQLite bus embedded
 * (functions/embedded/sqlite-bus.ts). Delivery to consumers is the platform's job (push
 * subscriptions on GCP, the embedded dispatcher), so the pipelines only ever publish.
 */
export type BusMessage = {
  /** JSON bytes of the payload (for event topics: one NudgeEvent). */
  data: Buffer;
  /** Small string metadata; never personal data (it shows up in consoles and logs). */
  attributes: Record<string, string>;
};

/**
 * Resolves only once every message is durably accepted by the bus (embedded: committed to
 * SQLite; GCP: Pub/Sub publish resolved). Rejects if any message could not be published; the
 * caller then answers with an error so the sender retries (event ids make that safe).
 */
export type PublishMessages = (topic: TopicName, messages: readonly BusMessage[]) => Promise<void>;

export type EventBus = { publish: PublishMessages };

/** A message as a consumer receives it (decoded from a Pub/Sub push envelope). */
export type ReceivedMessage = BusMessage & {
  messageId: string;
  publishTime: string;
  /** 1 on first delivery; Pub/Sub only fills it when a dead-letter policy is set. */
  deliveryAttempt: number;
};
