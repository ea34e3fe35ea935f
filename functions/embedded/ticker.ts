/**
 * Runs `work` every `everyMs`, never two at once (a slow sweep delays the next one instead of
 * piling up), and lets stop() wait for the run in progress — the embedded stand-in for Cloud
 * Scheduler.
 */
export function startTicker(work: () => Promise<unknown>, everyMs: number, onError: (error: unknown) => void): { stop: () => Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    running = work()
      .then(
        () => undefined,
        (error: unknown) => onError(error),
      )
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, everyMs);
      });
  };
  timer = setTimeout(tick, everyMs);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
