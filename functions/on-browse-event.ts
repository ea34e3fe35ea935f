import { consumerDefaults, createEventConsumerEntry, type EventConsumerDeps, type EventConsumerEntry } from './on-events.ts';

/** The onBrowseEvent Cloud Function: views, searches and pages → profiles, coalesced per person. */
export function createOnBrowseEventEntry(deps: Omit<EventConsumerDeps, 'stage' | 'coalesceWindowMs' | 'coalesceMaxBatch'> & Partial<Pick<EventConsumerDeps, 'coalesceWindowMs' | 'coalesceMaxBatch'>>): EventConsumerEntry {
  return createEventConsumerEntry({ ...consumerDefaults.browse, ...deps, stage: 'on-browse-event' });
}
