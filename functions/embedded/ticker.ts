import { AsyncResource } from 'node:async_hooks';

/**
 * Runs `work` every `everyMs`, never two at once (a slow sweep delays the next one instead of
 * piling up), lets stop() wait for the run in progress — the embedded stand-in for Cloud
 * Scheduler — and can be woken for a given instant (`wakeAt`), so a timer armed for "in 1 s"
 * fires then rather than at the next tick.
 */
export type Ticker = {
  stop: () => Promise<void>;
  wakeAt: (atMs: number) => void;
  /** Resolves when the run in progress (if any) has finished. */
  idle: () => Promise<void>;
};

export function startTicker(work: () => Promise<unknown>, everyMs: number, onError: (error: unknown) => void): Ticker {
  let timer: NodeJS.Timeout | undefined;
  let nextAt = Number.POSITIVE_INFINITY;
  let running: Promise<void> | undefined;
  let runAgain = false;
  let stopped = false;

  const schedule = (atMs: number) => {
    if (stopped || atMs >= nextAt) return;
    clearTimeout(timer);
    nextAt = atMs;
    timer = setTimeout(tick, Math.max(0, atMs - Date.now()));
  };
  const tick = () => {
    timer = undefined;
    nextAt = Number.POSITIVE_INFINITY;
    if (running) {
      runAgain = true;
      return;
    }
    running = work()
      .then(
        () => undefined,
        (error: unknown) => onError(error),
      )
      .finally(() => {
        running = undefined;
        if (runAgain) {
          runAgain = false;
          schedule(Date.now());
        } else schedule(Date.now() + everyMs);
      });
  };
  schedule(Date.now() + everyMs);
  return {
    // Bound to the ticker's own async context: a wake-up requested from inside a store
    // transaction (the fold arming a timer) must not make the sweep look nested in it.
    wakeAt: AsyncResource.bind((atMs: number) => schedule(atMs)),
    idle: async () => {
      while (running) await running;
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
