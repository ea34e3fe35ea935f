import type { HttpEntry, HttpResponse } from './http.ts';
import { decodePushEnvelope, PushEnvelopeError } from './push-envelope.ts';
import type { DeadLetterStore } from '../pipelines/events/dead-letters.ts';
import { FanOutPage, type FanOutResult } from '../pipelines/journeys/fan-out-catalog-trigger.ts';
import type { Clock } from '../pipelines/shared/clock.ts';

/** Stage name on dead letters (`nudge dead-letters --stage journey-fanout`). */
export const FANOUT_STAGE = 'journey-fanout';

/**
 * The push consumer of the journey-fanout topic: one page of a restock's or a price drop's
 * audience per push. Arms that page's timers, publishes the next page, and only then answers 204;
 * a failure answers 500 and the page comes again (arming is idempotent). A message that is not a
 * page can never succeed: dead-lettered for a human and acknowledged.
 */
export function createOnJourneyFanOutEntry(deps: {
  fanOut: (page: FanOutPage) => Promise<FanOutResult>;
  publishNext: (page: FanOutPage) => Promise<void>;
  deadLetters: DeadLetterStore;
  clock: Clock;
  newId: () => string;
  log?: (entry: Record<string, unknown>) => void;
  /**
   * Resolves once the interest recorder has taken in every event received before this instant
   * (or gives up after a bound): the first page of a restock reads the interested people, and a
   * view still queued behind the recorder would be left out of it. Absent: read at once (GCP,
   * where the recorder's push lag is normally well under a second).
   */
  interestsCaughtUp?: (receivedBefore: Date) => Promise<void>;
}): HttpEntry {
  return async (request): Promise<HttpResponse> => {
    if (request.method !== 'POST') return { status: 405, headers: { allow: 'POST' } };
    let page: FanOutPage;
    let payload = request.rawBody.toString('utf8');
    try {
      const data = decodePushEnvelope(request.rawBody).data;
      payload = data.toString('utf8');
      const parsed = FanOutPage.safeParse(JSON.parse(payload));
      if (!parsed.success) throw new InvalidPage(parsed.error.issues.map((issue) => ({ path: issue.path.join('.') || '(message)', message: issue.message })));
      page = parsed.data;
    } catch (error) {
      if (!(error instanceof PushEnvelopeError || error instanceof SyntaxError || error instanceof InvalidPage)) throw error;
      const errors = error instanceof InvalidPage ? error.errors : error instanceof PushEnvelopeError ? error.issues.map((issue) => ({ path: issue.path || '(body)', message: issue.message })) : [{ path: 'message.data', message: 'not JSON' }];
      await deps.deadLetters.put([{ dead_letter_id: deps.newId(), stage: FANOUT_STAGE, reason: `not a fan-out page: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors, payload, source_id: null, received_at: deps.clock.now().toISOString() }]);
      return { status: 204 };
    }
    try {
      if (page.cursor === null) await deps.interestsCaughtUp?.(new Date(page.fired_at));
      const result = await deps.fanOut(page);
      if (result.next) await deps.publishNext(result.next);
      deps.log?.({ severity: 'INFO', message: 'journey fan-out page', campaign_id: page.trigger.campaign_id, product_id: page.trigger.product_id, armed: result.armed, skipped_bought: result.skipped_bought, unknown_identities: result.unknown_identities, more: result.next !== null, ...(result.reason ? { reason: result.reason } : {}) });
      return { status: 204 };
    } catch (error) {
      deps.log?.({ severity: 'ERROR', message: 'journey fan-out failed; retried', campaign_id: page.trigger.campaign_id, product_id: page.trigger.product_id, error: String(error) });
      return { status: 500, headers: { 'content-type': 'text/plain' }, body: 'fan-out failed; retry\n' };
    }
  };
}

class InvalidPage extends Error {
  constructor(readonly errors: { path: string; message: string }[]) {
    super('invalid fan-out page');
  }
}
