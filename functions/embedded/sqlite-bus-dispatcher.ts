import type { ReceivedMessage } from '../../pipelines/events/bus.ts';
import type { Clock } from '../../pipelines/shared/clock.ts';
import type { BusStore, DeliveryOutcome, DeliveryPolicy, LeasedDelivery } from './sqlite-bus-store.ts';

/** Resolve = ack, throw = nack (the error text becomes the delivery's last error). */
export type PushHandler = (message: ReceivedMessage) => Promise<void>;
/** One answer per message, same order. Throwing, or answering a different count, nacks them all. */
export type BatchHandler = (messages: ReceivedMessage[]) => Promise<Array<'ack' | 'nack'>>;

/** Delayed wake-ups only (backoff, slow poll), so tests can drive them with a manual clock. */
export type Timers = {
  setTimeout: (callback: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
};

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type DispatchedSubscription = {
  policy: DeliveryPolicy;
  topic: string;
  maxOutstanding: number;
  handler: { kind: 'push'; handle: PushHandler } | { kind: 'batch'; handle: BatchHandler; maxBatch: number };
};

export type DispatcherDeps = {
  store: BusStore;
  clock: Clock;
  timers: Timers;
  subscriptions: readonly DispatchedSubscription[];
  /** Longest sleep of an idle subscription: it only matters for rows written by another process. */
  slowPollMs: number;
  onError: (error: unknown, context: { subscription: string; messageIds: string[] }) => void;
  hasPendingPublishes: () => boolean;
};

type Running = DispatchedSubscription & { inFlight: number; timer: unknown; timerAt: number | null };

/** Leased per push-handler pass; big enough to amortise the lease transaction, small enough to stay fair. */
const pushLeaseChunk = 256;

/**
 * Leases due deliveries and hands them to handlers. Everything happens in one "tick" on
 * setImmediate: settle finished deliveries (one transaction for all acks/nacks gathered since
 * the last tick, as Pub/Sub clients batch acks), then lease for every subscription that was
 * poked (a publish to its topic, a finished handler, a timer). So a published message is
 * handed over one event-loop turn after its commit, and an idle bus costs one indexed MIN()
 * per subscription per `slowPollMs`.
 *
 * After a start, deliveries interrupted by a crash are redelivered first, one group at a time
 * across all subscriptions, with nothing else in flight ("isolation"): if one of them is what
 * crashes the process, the next crash interrupts only its group, and each interruption makes
 * the groups smaller (sqlite-bus-store.ts leaseInterrupted) until it runs alone, which is the
 * only kind of interruption its bound counts. Innocent messages interrupted beside it are
 * delivered on the way. Isolation ends when no interrupted delivery is due; a group whose
 * handler hangs holds it only until its ack deadline.
 */
export function createDispatcher(deps: DispatcherDeps) {
  const subs: Running[] = deps.subscriptions.map((s) => ({ ...s, inFlight: 0, timer: null, timerAt: null }));
  const byName = new Map(subs.map((s) => [s.policy.name, s]));
  let running = false;
  let tickScheduled = false;
  let results: Array<{ policy: DeliveryPolicy; outcome: DeliveryOutcome }> = [];
  const dirty = new Set<Running>();
  const inFlight = new Set<Promise<void>>();
  let idleWaiters: Array<() => void> = [];
  let isolating = false;
  /** The group of interrupted deliveries under way while isolating, and the timer that gives up waiting on it. */
  let isolated: { done: Promise<unknown>; timer: unknown } | null = null;

  const now = () => deps.clock.now().getTime();
  // A throwing error hook must not wedge the bookkeeping below it.
  const report = (error: unknown, context: { subscription: string; messageIds: string[] }) => {
    try {
      deps.onError(error, context);
    } catch {
      /* the hook's own failure has nowhere better to go */
    }
  };

  function scheduleTick(): void {
    if (tickScheduled) return;
    tickScheduled = true;
    setImmediate(runTick);
  }

  function runTick(): void {
    tickScheduled = false;
    settleResults();
    if (running && isolating) leaseNextInterrupted();
    if (running && !isolating) {
      for (const sub of dirty) pump(sub);
      dirty.clear();
    }
    checkIdle();
  }

  function leaseNextInterrupted(): void {
    if (isolated !== null) return; // its end (or its ack deadline) pokes
    for (const sub of subs) {
      const free = sub.maxOutstanding - sub.inFlight;
      if (free <= 0) continue;
      let leased: LeasedDelivery[];
      try {
        leased = deps.store.leaseInterrupted(sub.policy, now(), Math.min(free, sub.handler.kind === 'batch' ? sub.handler.maxBatch : pushLeaseChunk));
      } catch (error) {
        report(error, { subscription: sub.policy.name, messageIds: [] });
        arm(sub, deps.slowPollMs);
        return;
      }
      if (leased.length === 0) continue;
      const done = Promise.all(hand(sub, leased));
      const release = () => {
        if (isolated?.done !== done) return;
        deps.timers.clearTimeout(isolated.timer);
        isolated = null;
        scheduleTick();
      };
      isolated = { done, timer: deps.timers.setTimeout(release, sub.policy.ackDeadlineMs) };
      void done.then(release);
      return;
    }
    isolating = false;
    for (const sub of subs) dirty.add(sub);
  }

  function settleResults(): void {
    if (results.length === 0) return;
    const batch = results;
    results = [];
    try {
      deps.store.settle(batch, now());
    } catch (error) {
      // Nothing was written (one transaction): keep them and try again on the next wake-up.
      results = batch.concat(results);
      report(error, { subscription: '(settle)', messageIds: batch.map((r) => String(r.outcome.seq)) });
      // Stopped: leave them; the leases they would have settled are redelivered on next start.
      if (running) for (const sub of subs) arm(sub, deps.slowPollMs);
    }
  }

  function pump(sub: Running): void {
    for (;;) {
      const free = sub.maxOutstanding - sub.inFlight;
      if (free <= 0) return; // a finishing handler pokes the subscription again
      const limit = Math.min(free, sub.handler.kind === 'batch' ? sub.handler.maxBatch : pushLeaseChunk);
      let leased: { examined: number; delivered: LeasedDelivery[] };
      try {
        leased = deps.store.lease(sub.policy, now(), limit);
      } catch (error) {
        report(error, { subscription: sub.policy.name, messageIds: [] });
        arm(sub, deps.slowPollMs);
        return;
      }
      if (leased.delivered.length > 0) hand(sub, leased.delivered);
      if (leased.examined < limit) break;
    }
    const next = deps.store.nextDueAt(sub.policy.name);
    arm(sub, next === null ? deps.slowPollMs : Math.min(deps.slowPollMs, Math.max(1, next - now())));
  }

  function arm(sub: Running, delayMs: number): void {
    const at = now() + delayMs;
    if (sub.timer !== null && sub.timerAt === at) return;
    if (sub.timer !== null) deps.timers.clearTimeout(sub.timer);
    sub.timerAt = at;
    sub.timer = deps.timers.setTimeout(() => {
      sub.timer = null;
      sub.timerAt = null;
      poke(sub);
    }, delayMs);
  }

  function hand(sub: Running, delivered: LeasedDelivery[]): Promise<void>[] {
    const { handler } = sub;
    if (handler.kind === 'batch') return [track(sub, delivered, () => handler.handle(delivered.map((d) => d.message)))];
    return delivered.map((one) => track(sub, [one], () => handler.handle(one.message).then(() => ['ack' as const])));
  }

  function track(sub: Running, delivered: LeasedDelivery[], call: () => Promise<Array<'ack' | 'nack'>>): Promise<void> {
    sub.inFlight += delivered.length;
    const messageIds = () => delivered.map((d) => d.message.messageId);
    const done: Promise<void> = Promise.resolve()
      .then(call)
      .then(
        (answers) => {
          if (!Array.isArray(answers) || answers.length !== delivered.length) {
            // Answers can no longer be matched to messages: acking any of them could lose one.
            const error = new Error(`handler answered ${Array.isArray(answers) ? answers.length : typeof answers} results for ${delivered.length} messages`);
            report(error, { subscription: sub.policy.name, messageIds: messageIds() });
            return delivered.map((d) => outcomeOf(d, 'nack', error.message));
          }
          return delivered.map((d, i) => outcomeOf(d, answers[i] === 'ack' ? 'ack' : 'nack', 'nacked by handler'));
        },
        (error: unknown) => {
          report(error, { subscription: sub.policy.name, messageIds: messageIds() });
          return delivered.map((d) => outcomeOf(d, 'nack', describe(error)));
        },
      )
      .then((outcomes) => {
        for (const outcome of outcomes) results.push({ policy: sub.policy, outcome });
        sub.inFlight -= delivered.length;
        inFlight.delete(done);
        poke(sub);
      });
    inFlight.add(done);
    return done;
  }

  function poke(sub: Running): void {
    dirty.add(sub);
    scheduleTick();
  }

  function checkIdle(): void {
    if (idleWaiters.length === 0 || tickScheduled || results.length > 0 || inFlight.size > 0 || deps.hasPendingPublishes()) return;
    const at = now();
    if (running && subs.some((sub) => deps.store.hasDue(sub.policy.name, at))) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  return {
    /**
     * Starts leasing. Leases still held in the file belong to a process that died (one
     * dispatcher per database file), so they are made due at once rather than after their
     * ack deadline. Such an interrupted attempt is not a failure and is not counted (only a
     * handler that throws, nacks or outlives its deadline in a live process is); interrupted
     * deliveries are redelivered first, one at a time (see above).
     */
    start(): void {
      if (running) return;
      running = true;
      const at = now();
      for (const sub of subs) {
        deps.store.recoverInterrupted(sub.policy, at);
        dirty.add(sub);
      }
      isolating = true;
      scheduleTick();
    },
    /**
     * Stops leasing, waits (up to `graceMs`, real time) for the handlers under way and records
     * their acks/nacks. A handler still running after that keeps its lease in the file; the
     * next start() redelivers it.
     */
    async stop(options: { graceMs?: number } = {}): Promise<void> {
      running = false;
      isolating = false;
      if (isolated !== null) deps.timers.clearTimeout(isolated.timer);
      isolated = null;
      for (const sub of subs) {
        if (sub.timer !== null) deps.timers.clearTimeout(sub.timer);
        sub.timer = null;
        sub.timerAt = null;
      }
      let graceOver = false;
      let grace: ReturnType<typeof setTimeout> | undefined;
      const over = new Promise<void>((resolve) => {
        grace = setTimeout(resolve, options.graceMs ?? 10_000).unref();
      }).then(() => {
        graceOver = true;
      });
      while (inFlight.size > 0 && !graceOver) await Promise.race([Promise.all(inFlight), over]);
      clearTimeout(grace);
      settleResults();
      checkIdle();
    },
    isRunning: () => running,
    notifyTopics(topics: Iterable<string>): void {
      const set = new Set(topics);
      for (const sub of subs) if (set.has(sub.topic)) dirty.add(sub);
      scheduleTick();
    },
    notifySubscription(name: string): void {
      const sub = byName.get(name);
      if (sub !== undefined) dirty.add(sub);
      scheduleTick();
    },
    /** Re-evaluates idleness (e.g. after a failed publish that notified nobody). */
    poke: () => scheduleTick(),
    /**
     * Resolves once nothing is pending: no publish waiting for its commit, no handler running,
     * no ack unrecorded, and (while started) no delivery due at the clock's current time.
     */
    whenIdle(): Promise<void> {
      return new Promise((resolve) => {
        idleWaiters.push(resolve);
        scheduleTick();
      });
    },
    inFlightOf: (name: string): number => byName.get(name)?.inFlight ?? 0,
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;

function outcomeOf(delivery: LeasedDelivery, outcome: 'ack' | 'nack', error: string): DeliveryOutcome {
  const base = { seq: delivery.seq, dueAt: delivery.dueAt, attempt: delivery.message.deliveryAttempt };
  return outcome === 'ack' ? { ...base, outcome } : { ...base, outcome, error };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
