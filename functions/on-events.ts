import { decodePushEnvelope } from './push-envelope.ts';
import type { HttpEntry, HttpRequest, HttpResponse } from './http.ts';
import type { DeadLetterStore } from '../pipelines/events/dead-letters.ts';
import { decodeEventMessage } from '../pipelines/events/encode-message.ts';
import type { NudgeEvent } from '../pipelines/events/nudge-event.ts';
import { createCoalescer, eventCoalesceKey } from '../pipelines/profiles/coalesce.ts';
import type { FoldResult } from '../pipelines/profiles/fold-events.ts';
import type { Clock } from '../pipelines/shared/clock.ts';

export type EventConsumerDeps = {
  foldEvents: (events: readonly NudgeEvent[]) => Promise<FoldResult>;
  deadLetters: DeadLetterStore;
  clock: Clock;
  newId: () => string;
  /** How long one person's events wait for company before one profile write (0 = write at once). */
  coalesceWindowMs: number;
  /** Flush earlier when this many events of one person are waiting (Firestore: ≤ 500 writes per tx). */
  coalesceMaxBatch: number;
  /** Stage name recorded on dead letters. */
  stage: string;
  log?: (entry: Record<string, unknown>) => void;
  /**
   * Told after each fold commits, with the lag of its oldest event (collector receipt → profile
   * committed). GCP logs it as `profile folded` for the log-based metric behind the lag alert
   * (terraform/monitoring.tf); embedded leaves it out (pipeline_latency and `nudge status` measure it).
   */
  reportFold?: (fold: ProfileFold) => void;
};

export type ProfileFold = { stage: string; events: number; profile_lag_ms: number };

/** The log message of a ProfileFold on GCP; terraform's log-based lag metric filters on it. */
export const profileFoldedMessage = 'profile folded';

export type EventConsumerEntry = HttpEntry & { flushAll: () => Promise<void> };

/**
 * A Pub/Sub push consumer of event topics (onPriorityEvent, onBrowseEvent): decode the envelope,
 * then fold the event into its person's profile together with that person's other events of the
 * last `coalesceWindowMs`. The push is acknowledged (204) only after the profile commit, so a crash
 * means redelivery, and the applied-events ledger makes redelivery harmless.
 *
 * A message that cannot be decoded is not retryable: it is dead-lettered for a human and acked.
 * A failing fold is transient: 500, and Pub/Sub retries with backoff, then dead-letters.
 */
export function createEventConsumerEntry(deps: EventConsumerDeps): EventConsumerEntry {
  const coalescer = createCoalescer<NudgeEvent>({
    windowMs: deps.coalesceWindowMs,
    maxBatch: deps.coalesceMaxBatch,
    keyOf: eventCoalesceKey,
    flush: async (events) => {
      await deps.foldEvents(events);
      if (deps.reportFold && events.length > 0) {
        const oldest = Math.min(...events.map((event) => Date.parse(event.received_at)));
        deps.reportFold({ stage: deps.stage, events: events.length, profile_lag_ms: deps.clock.now().getTime() - oldest });
      }
    },
  });

  const entry = async (request: HttpRequest): Promise<HttpResponse> => {
    if (request.method !== 'POST') return { status: 405, headers: { allow: 'POST' } };
    let event: NudgeEvent;
    try {
      event = decodeEventMessage(decodePushEnvelope(request.rawBody).data);
    } catch (error) {
      await deps.deadLetters.put([
        {
          dead_letter_id: deps.newId(),
          stage: deps.stage,
          reason: error instanceof Error ? error.message : String(error),
          errors: [{ path: 'message.data', message: error instanceof Error ? error.message : String(error) }],
          payload: request.rawBody.toString('utf8'),
          source_id: null,
          received_at: deps.clock.now().toISOString(),
        },
      ]);
      deps.log?.({ severity: 'WARNING', message: `${deps.stage}: undecodable message dead-lettered` });
      return { status: 204 };
    }
    try {
      await coalescer.add(event);
      return { status: 204 };
    } catch (error) {
      // No personal data in logs: the event id is enough to find the event in the warehouse.
      deps.log?.({ severity: 'ERROR', message: `${deps.stage}: fold failed`, event_id: event.event_id, error: String(error) });
      return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'profile update failed; retry\n' };
    }
  };
  return Object.assign(entry, { flushAll: () => coalescer.flushAll() });
}

/**
 * Windows per topic. Priority events must reach journeys fast, so they wait only long enough to
 * catch a burst (an add-to-cart usually comes with a cart view); browse events wait a second so a
 * profile document takes at most about one write per second (Firestore's sustained limit).
 */
export const consumerDefaults = {
  priority: { coalesceWindowMs: 20, coalesceMaxBatch: 100 },
  browse: { coalesceWindowMs: 1000, coalesceMaxBatch: 100 },
} as const;
