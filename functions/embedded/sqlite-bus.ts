import type Database from 'better-sqlite3';
import type { BusMessage, EventBus, PublishMessages } from '../../pipelines/events/bus.ts';
import { allTopicNames } from '../../pipelines/events/topics.ts';
import { systemClock, type Clock } from '../../pipelines/shared/clock.ts';
import { createDispatcher, systemTimers, type BatchHandler, type DispatchedSubscription, type PushHandler, type Timers } from './sqlite-bus-dispatcher.ts';
import { createBusStore, type DeadLetteredMessage, type DeliveryPolicy, type ReplayedDeadLetter } from './sqlite-bus-store.ts';

/**
 * The embedded bus: Pub/Sub semantics on one SQLite file (DESIGN.md §5).
 * - publish resolves after its commit; calls of one event-loop turn share that commit.
 * - each subscription of the topic gets its own delivery; at-least-once, roughly FIFO.
 * - a failed attempt (handler throws/nacks, or its ack deadline passes) is retried after
 *   exponential backoff; after maxDeliveryAttempts it moves to the subscription's dead letters.
 * - restart: what was committed is delivered; deliveries leased by a process that died are
 *   redelivered immediately at start(), not after their ack deadline, and that attempt does not
 *   count (a crash or a deploy is not the message's fault); they are counted as interruptions,
 *   bounded apart (maxInterruptions) against a message that itself crashes the process.
 *   Hence one dispatching process per database file.
 */
export type { BatchHandler, PushHandler, Timers } from './sqlite-bus-dispatcher.ts';
export { systemTimers } from './sqlite-bus-dispatcher.ts';
export type { DeadLetteredMessage, ReplayedDeadLetter } from './sqlite-bus-store.ts';

/** Every tunable of a subscription, with the embedded defaults (Pub/Sub's names and meaning). */
export const subscriptionDefaults = {
  /**
   * How long a handler may take before its delivery counts as failed and is redelivered. The
   * late handler is not interrupted (its outcome is then ignored) and keeps its maxOutstanding slot until it settles.
   */
  ackDeadlineMs: 60_000,
  /** Retry backoff after a failed attempt n: min(maxBackoffMs, minBackoffMs * 2^(n-1)). */
  minBackoffMs: 1_000,
  maxBackoffMs: 60_000,
  /** Deliveries before the message moves to the subscription's dead letters (Pub/Sub's minimum is 5). */
  maxDeliveryAttempts: 5,
  /**
   * Process crashes (kill, out of memory) while this delivery was the only one in flight, before
   * it is dead-lettered as "interrupted N times". Interruptions are not failed attempts; this
   * bound only stops a message that crashes the process every time from doing so forever.
   * Interrupted deliveries are redelivered in ever smaller groups until such a message runs
   * alone, so the others interrupted with it are delivered, not dead-lettered with it.
   */
  maxInterruptions: 3,
  /** Messages handed out and not yet answered, per subscription (Pub/Sub flow control). */
  maxOutstanding: 64,
  /** Messages per call of a batch handler. */
  maxBatch: 100,
};

export type SqliteBusSubscription = {
  name: string;
  topic: string;
  ackDeadlineMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  maxDeliveryAttempts?: number;
  maxInterruptions?: number;
  maxOutstanding?: number;
} & ({ onMessage: PushHandler } | { onBatch: BatchHandler; maxBatch?: number });

export type SqliteBusDeps = {
  /** May be shared with other embedded stores; the bus only touches tables named bus_*. */
  db: Database.Database;
  clock?: Clock;
  /** Only delayed wake-ups (backoff, lease expiry, slow poll) use these. */
  timers?: Timers;
  /**
   * The authoritative subscription set: stored in the file, so a process that only publishes
   * (omit this) fans out to the same subscriptions. A stored subscription missing from this
   * list is deleted with its backlog, as removing it from terraform would.
   */
  subscriptions?: readonly SqliteBusSubscription[];
  /** Publishing to any other topic rejects. Default: the event topics of pipelines/events/topics.ts. */
  topics?: readonly string[];
  /** Idle re-check period; only rows written by another process need it. Default 1000 ms. */
  slowPollMs?: number;
  /** Handler failures (they are nacked) and storage failures. Default: console.error. */
  onError?: (error: unknown, context: { subscription: string; messageIds: string[] }) => void;
};

export type SqliteBusStats = {
  /** Messages committed by this process since creation. */
  published: number;
  /** Publish transactions; fewer than publish calls when calls were group-committed. */
  publishCommits: number;
  subscriptions: Array<{
    name: string;
    topic: string;
    /** Deliveries not yet acked, leased ones included. */
    backlog: number;
    /** Deliveries whose lease is currently running. */
    leased: number;
    inFlight: number;
    deadLettered: number;
  }>;
};

export type SqliteBus = EventBus & {
  /** Starts the dispatcher (see sqlite-bus-dispatcher.ts for what happens to leases left by a crash). */
  start: () => void;
  stop: (options?: { graceMs?: number }) => Promise<void>;
  /** Resolves when nothing is pending or due (a handler that never settles keeps it waiting). */
  whenIdle: () => Promise<void>;
  stats: () => SqliteBusStats;
  /** Messages of these subscriptions not yet acked (leased, retrying or waiting) that were published at or before `at`. */
  backlogPublishedBefore: (subscriptions: readonly string[], at: Date) => number;
  /** Oldest first. */
  listDeadLettered: (subscription: string, options?: { limit?: number }) => DeadLetteredMessage[];
  /** Every subscription's dead letters (or one's), newest first: what `nudge dead-letters` lists. */
  listNewestDeadLettered: (options?: { limit?: number; subscription?: string }) => DeadLetteredMessage[];
  /** Puts dead letters back as new messages (new id, attempt 1) for that subscription only; returns how many. */
  replayDeadLettered: (subscription: string, options?: { limit?: number }) => number;
  /** Puts one dead letter (by its id) back on its subscription as a new message; null when there is no such id. */
  replayDeadLetter: (id: number) => ReplayedDeadLetter | null;
};

export function createSqliteBus(deps: SqliteBusDeps): SqliteBus {
  const clock = deps.clock ?? systemClock;
  const topics = new Set<string>(deps.topics ?? allTopicNames);
  const store = createBusStore(deps.db);
  const declared = deps.subscriptions?.map((s) => resolveSubscription(s, topics));
  if (declared !== undefined) assertUniqueNames(declared);
  if (declared !== undefined) store.syncSubscriptions(declared.map((s) => ({ name: s.policy.name, topic: s.topic })));
  const registry = declared?.map((s) => ({ name: s.policy.name, topic: s.topic })) ?? store.listSubscriptions();
  const subscriptionsByTopic = new Map<string, string[]>();
  for (const { name, topic } of registry) subscriptionsByTopic.set(topic, [...(subscriptionsByTopic.get(topic) ?? []), name]);

  let queue: Array<{ topic: string; subscriptions: readonly string[]; messages: readonly BusMessage[]; resolve: () => void; reject: (error: unknown) => void }> = [];
  let flushScheduled = false;
  let published = 0;
  let publishCommits = 0;

  const dispatcher = createDispatcher({
    store,
    clock,
    timers: deps.timers ?? systemTimers,
    subscriptions: declared ?? [],
    slowPollMs: deps.slowPollMs ?? 1_000,
    onError: deps.onError ?? ((error, context) => console.error(`[bus] ${context.subscription}:`, error)),
    hasPendingPublishes: () => queue.length > 0,
  });

  // Every publish call of one event-loop turn shares one transaction: concurrent requests of
  // the collector then cost one commit, not one each, and all resolve after that commit.
  function flush(): void {
    flushScheduled = false;
    const batch = queue;
    queue = [];
    try {
      store.insert(batch, clock.now().getTime());
    } catch (error) {
      for (const call of batch) call.reject(error);
      dispatcher.poke();
      return;
    }
    publishCommits += 1;
    for (const call of batch) {
      published += call.messages.length;
      call.resolve();
    }
    dispatcher.notifyTopics(batch.map((call) => call.topic));
  }

  const publish: PublishMessages = (topic, messages) => {
    if (!topics.has(topic)) return Promise.reject(new Error(`Unknown topic "${topic}" (known: ${[...topics].join(', ')})`));
    const problem = findInvalidMessage(messages);
    if (problem !== undefined) return Promise.reject(new TypeError(`Cannot publish to ${topic}: ${problem}`));
    const subscriptions = subscriptionsByTopic.get(topic) ?? [];
    // Like Pub/Sub, a topic without subscriptions keeps nothing.
    if (messages.length === 0 || subscriptions.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      queue.push({ topic, subscriptions, messages: messages.slice(), resolve, reject });
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    });
  };

  return {
    publish,
    start: () => {
      if (declared === undefined) throw new Error('This bus was created without subscriptions (publish-only): nothing to dispatch');
      dispatcher.start();
    },
    stop: (options) => dispatcher.stop(options),
    whenIdle: () => dispatcher.whenIdle(),
    stats: () => {
      const backlog = new Map(store.backlog(clock.now().getTime()).map((row) => [row.subscription, row]));
      const dead = store.deadLetterCounts();
      return {
        published,
        publishCommits,
        subscriptions: store.listSubscriptions().map(({ name, topic }) => ({
          name,
          topic,
          backlog: backlog.get(name)?.backlog ?? 0,
          leased: backlog.get(name)?.leased ?? 0,
          inFlight: dispatcher.inFlightOf(name),
          deadLettered: dead.get(name) ?? 0,
        })),
      };
    },
    backlogPublishedBefore: (names, at) => names.reduce((sum, name) => sum + store.backlogPublishedBefore(name, at.getTime()), 0),
    listDeadLettered: (subscription, options = {}) => store.listDeadLettered(subscription, options.limit ?? 100),
    listNewestDeadLettered: (options = {}) => store.listNewestDeadLettered(options.limit ?? 100, options.subscription),
    replayDeadLettered: (subscription, options = {}) => {
      // Replaying into a subscription that no longer exists would strand the messages.
      if (!store.listSubscriptions().some((s) => s.name === subscription)) throw new Error(`Unknown subscription "${subscription}": cannot replay into it`);
      const count = store.replayDeadLettered(subscription, clock.now().getTime(), options.limit ?? Number.MAX_SAFE_INTEGER);
      dispatcher.notifySubscription(subscription);
      return count;
    },
    replayDeadLetter: (id) => {
      const replayed = store.replayDeadLetter(id, clock.now().getTime());
      if (replayed !== null) dispatcher.notifySubscription(replayed.subscription);
      return replayed;
    },
  };
}

function resolveSubscription(config: SqliteBusSubscription, topics: ReadonlySet<string>): DispatchedSubscription {
  if (!topics.has(config.topic)) throw new Error(`Subscription "${config.name}" names unknown topic "${config.topic}"`);
  const d = subscriptionDefaults;
  const policy: DeliveryPolicy = {
    name: config.name,
    ackDeadlineMs: positive(config, 'ackDeadlineMs', config.ackDeadlineMs ?? d.ackDeadlineMs),
    minBackoffMs: positive(config, 'minBackoffMs', config.minBackoffMs ?? d.minBackoffMs),
    maxBackoffMs: positive(config, 'maxBackoffMs', config.maxBackoffMs ?? d.maxBackoffMs),
    maxDeliveryAttempts: positive(config, 'maxDeliveryAttempts', config.maxDeliveryAttempts ?? d.maxDeliveryAttempts),
    maxInterruptions: positive(config, 'maxInterruptions', config.maxInterruptions ?? d.maxInterruptions),
  };
  const maxOutstanding = positive(config, 'maxOutstanding', config.maxOutstanding ?? d.maxOutstanding);
  const handler: DispatchedSubscription['handler'] =
    'onBatch' in config
      ? { kind: 'batch', handle: config.onBatch, maxBatch: positive(config, 'maxBatch', config.maxBatch ?? d.maxBatch) }
      : { kind: 'push', handle: config.onMessage };
  return { policy, topic: config.topic, maxOutstanding, handler };
}

function positive(config: SqliteBusSubscription, field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`Subscription "${config.name}": ${field} must be a positive integer, got ${value}`);
  return value;
}

function assertUniqueNames(subscriptions: readonly DispatchedSubscription[]): void {
  const seen = new Set<string>();
  for (const { policy } of subscriptions) {
    if (seen.has(policy.name)) throw new Error(`Subscription "${policy.name}" is declared twice`);
    seen.add(policy.name);
  }
}

function findInvalidMessage(messages: readonly BusMessage[]): string | undefined {
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (message === undefined || !Buffer.isBuffer(message.data)) return `message ${i}: data must be a Buffer`;
    if (typeof message.attributes !== 'object' || message.attributes === null) return `message ${i}: attributes must be an object`;
    for (const key in message.attributes) {
      if (typeof message.attributes[key] !== 'string') return `message ${i}: attribute "${key}" must be a string`;
    }
  }
  return undefined;
}
