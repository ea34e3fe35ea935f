/**
 * Time is injected so pipelines stay deterministic under test and replay (DESIGN.md §4):
 * nothing in pipelines/ calls Date.now() directly.
 */
export type Clock = { now: () => Date };

export const systemClock: Clock = { now: () => new Date() };

/** A clock a test can move by hand. */
export function createManualClock(start: Date | string = '2026-01-01T00:00:00.000Z'): Clock & {
  set: (at: Date | string) => void;
  advance: (ms: number) => void;
} {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (at) => {
      current = new Date(at).getTime();
    },
    advance: (ms) => {
      current += ms;
    },
  };
}
