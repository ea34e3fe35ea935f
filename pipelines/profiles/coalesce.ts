import type { NudgeEvent } from '../events/nudge-event.ts';

/**
 * Groups items by key for a short window before handing them over together. Browse events of one
 * person become one profile write per window: Firestore sustains about one write per second per
 * document (DESIGN.md §4), and a burst of page views must not queue behind itself.
 *
 * Per key: the first item opens a batch; the batch is flushed `windowMs` later, or at once when
 * it reaches `maxBatch`. Flushes of one key run one after another (never two transactions on the
 * same person at once); different keys flush independently. `add` settles with the flush of the
 * item's batch, so a push handler acknowledges a message only once its event is folded.
 */
export type CoalescerTimers = {
  setTimeout(callback: () => void, ms: number): unknown;
  // A method signature, so Node's and fake timers' handle types both fit.
  clearTimeout(handle: never): void;
};

export type CoalescerOptions<T> = {
  windowMs: number;
  maxBatch: number;
  keyOf: (item: T) => string;
  flush: (items: T[]) => Promise<void>;
  /** Defaults to the global timers; tests pass fake ones. */
  timers?: CoalescerTimers;
};

export type Coalescer<T> = {
  /** Resolves when the batch holding `item` has been flushed; rejects with the flush's error. */
  add: (item: T) => Promise<void>;
  /** Flushes every open batch now and waits for all flushes in progress (shutdown). */
  flushAll: () => Promise<void>;
  /** Items waiting in open batches. */
  pending: () => number;
};

type Batch<T> = {
  items: T[];
  waiters: { resolve: () => void; reject: (error: unknown) => void }[];
  timer: unknown;
};

export function createCoalescer<T>(options: CoalescerOptions<T>): Coalescer<T> {
  if (!(options.maxBatch >= 1)) throw new Error('createCoalescer: maxBatch must be at least 1');
  if (!(options.windowMs >= 0)) throw new Error('createCoalescer: windowMs must be 0 or more');
  const timers: CoalescerTimers = options.timers ?? { setTimeout: (callback, ms) => setTimeout(callback, ms), clearTimeout: (handle) => clearTimeout(handle) };
  const open = new Map<string, Batch<T>>();
  const running = new Map<string, Promise<void>>();

  const close = (key: string, batch: Batch<T>): void => {
    if (open.get(key) !== batch) return;
    open.delete(key);
    timers.clearTimeout(batch.timer as never);
    const run = (running.get(key) ?? Promise.resolve())
      .then(() => options.flush(batch.items))
      .then(
        () => batch.waiters.forEach((waiter) => waiter.resolve()),
        (error: unknown) => batch.waiters.forEach((waiter) => waiter.reject(error)),
      );
    running.set(key, run);
    void run.then(() => {
      if (running.get(key) === run) running.delete(key);
    });
  };

  return {
    add: (item) => {
      const key = options.keyOf(item);
      let batch = open.get(key);
      if (!batch) {
        const fresh: Batch<T> = { items: [], waiters: [], timer: null };
        fresh.timer = timers.setTimeout(() => close(key, fresh), options.windowMs);
        open.set(key, fresh);
        batch = fresh;
      }
      const settled = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
      batch.items.push(item);
      if (batch.items.length >= options.maxBatch) close(key, batch);
      return settled;
    },
    flushAll: async () => {
      for (const [key, batch] of [...open]) close(key, batch);
      await Promise.all([...running.values()]);
    },
    pending: () => [...open.values()].reduce((sum, batch) => sum + batch.items.length, 0),
  };
}

/** The coalescing key of an event: its person as far as the event alone can tell. */
export function eventCoalesceKey(event: Pick<NudgeEvent, 'user_id' | 'anonymous_id' | 'email' | 'event_id'>): string {
  if (event.user_id) return `user:${event.user_id}`;
  if (event.anonymous_id) return `anon:${event.anonymous_id}`;
  if (event.email) return `email:${event.email}`;
  return `event:${event.event_id}`;
}
