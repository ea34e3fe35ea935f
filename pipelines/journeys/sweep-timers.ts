import type { JourneyTimer } from './journey-timer.ts';
import type { StepOutcome } from './run-journey-step.ts';
import type { ProfileStore } from '../profiles/profile-store.ts';
import type { Clock } from '../shared/clock.ts';

export type SweepResult = { due: number; outcomes: Partial<Record<StepOutcome | 'error', number>> };

/**
 * Fires due timers: each second embedded, each minute on GCP (Cloud Scheduler → sweepTimers).
 * A step that throws (store or warehouse unavailable) is logged and its timer comes due again after
 * its lease; it never stops the other steps. Steps run a few at a time: each waits on I/O.
 */
export function createSweepTimers(deps: {
  store: Pick<ProfileStore, 'findDueTimers'>;
  runStep: (timer: Pick<JourneyTimer, 'timer_id'>) => Promise<StepOutcome>;
  clock: Clock;
  batchSize?: number;
  concurrency?: number;
  log?: (entry: Record<string, unknown>) => void;
}): () => Promise<SweepResult> {
  const batchSize = deps.batchSize ?? 200;
  const concurrency = deps.concurrency ?? 8;
  return async () => {
    const due = await deps.store.findDueTimers(deps.clock.now(), batchSize);
    const outcomes: SweepResult['outcomes'] = {};
    // One person's timers run one after another (their second email must see the first in the
    // frequency cap); different people run in parallel.
    const byPerson = new Map<string, JourneyTimer[]>();
    for (const timer of due) byPerson.set(timer.person_id, [...(byPerson.get(timer.person_id) ?? []), timer]);
    const queue = [...byPerson.values()];
    const worker = async () => {
      for (let group = queue.shift(); group; group = queue.shift()) for (const timer of group) {
        let outcome: StepOutcome | 'error';
        try {
          outcome = await deps.runStep(timer);
        } catch (error) {
          outcome = 'error';
          deps.log?.({ severity: 'ERROR', message: 'journey step failed; retried after its lease', timer_id: timer.timer_id, error: String(error) });
        }
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    return { due: due.length, outcomes };
  };
}
