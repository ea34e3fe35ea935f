import { consumerDefaults, createEventConsumerEntry, type EventConsumerDeps, type EventConsumerEntry } from './on-events.ts';

/** The onPriorityEvent Cloud Function: cart, checkout, order, identity and consent events → profiles. */
export function createOnPriorityEventEntry(deps: Omit<EventConsumerDeps, 'stage' | 'coalesceWindowMs' | 'coalesceMaxBatch'> & Partial<Pick<EventConsumerDeps, 'coalesceWindowMs' | 'coalesceMaxBatch'>>): EventConsumerEntry {
  return createEventConsumerEntry({ ...consumerDefaults.priority, ...deps, stage: 'on-priority-event' });
}
