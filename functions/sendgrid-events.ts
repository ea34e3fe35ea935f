import type { KeyObject } from 'node:crypto';
import { jsonResponse, type HttpAdmission, type HttpEntry, type HttpRequestHead } from './http.ts';
import { checkWebhookSignature } from './sendgrid-events/verify-signature.ts';
import type { DeadLetterStore } from '../pipelines/events/dead-letters.ts';
import type { TakeSendGridEventsResult } from '../pipelines/engagement/take-sendgrid-events.ts';
import type { Clock } from '../pipelines/shared/clock.ts';

/** Every tunable of the webhook entry, with why. */
export const sendGridEventsDefaults = {
  /**
   * SendGrid posts a batch every 30 s or once it reaches 768 KB; 4 MB leaves room for long click
   * URLs and bounds what a stranger, who is only refused once the whole body is in, can make us buffer.
   */
  maxBodyBytes: 4 * 1024 * 1024,
  /** Batches read at once (embedded host): SendGrid posts a few at a time; a stranger holding uploads open gets no more. */
  maxConcurrentBodies: 8,
} as const;

export type SendGridEventsDeps = {
  /** SendGrid's verification key; null only when NUDGE_WEBHOOK_VERIFY=off (local tests). */
  publicKey: KeyObject | null;
  take: (events: readonly unknown[], receivedAt: Date) => Promise<TakeSendGridEventsResult>;
  deadLetters: DeadLetterStore;
  clock: Clock;
  newId: () => string;
  log?: (entry: Record<string, unknown>) => void;
};

/**
 * The SendGrid Event Webhook (`POST /webhooks/sendgrid` embedded; the `sendgridEvents` function on GCP).
 *
 *   401  no signature headers; 403 a signature that does not verify, or a timestamp more than five
 *        minutes away (a replay). Nothing is read or stored.
 *   400  signed, but not a JSON array of events: dead-lettered whole, so it can be looked at.
 *   200  the batch is taken: rows queued, suppressions folded, bad events dead-lettered.
 *   503  something failed on our side; SendGrid retries the batch, and every step is idempotent.
 *
 * The body is verified as the exact bytes received (a re-serialised body would not verify), and
 * nothing about the events or the recipients is logged.
 */
export function createSendGridEventsEntry(deps: SendGridEventsDeps): HttpEntry {
  const refuseMethod = jsonResponse(405, { error: 'POST only' }, { allow: 'POST' });
  const tooLarge = jsonResponse(413, { error: `body larger than ${sendGridEventsDefaults.maxBodyBytes} bytes` });
  const missingSignature = jsonResponse(401, { error: 'signature headers missing' });
  const admit = (head: HttpRequestHead): HttpAdmission => {
    if (head.method.toUpperCase() !== 'POST') return { refuse: refuseMethod };
    const declared = Number(head.headers['content-length']);
    if (Number.isFinite(declared) && declared > sendGridEventsDefaults.maxBodyBytes) return { refuse: tooLarge };
    // No signature headers: refused before a byte is read (a valid post always has both).
    if (deps.publicKey && (!head.headers['x-twilio-email-event-webhook-signature'] || !head.headers['x-twilio-email-event-webhook-timestamp'])) return { refuse: missingSignature };
    return { maxBodyBytes: sendGridEventsDefaults.maxBodyBytes, tooLarge, maxConcurrentBodies: sendGridEventsDefaults.maxConcurrentBodies };
  };

  const entry: HttpEntry = async (request) => {
    const admission = admit(request);
    if ('refuse' in admission) return admission.refuse;
    if (request.rawBody.length > admission.maxBodyBytes) return admission.tooLarge;
    const receivedAt = deps.clock.now();

    if (deps.publicKey) {
      const check = checkWebhookSignature({
        key: deps.publicKey,
        signature: request.headers['x-twilio-email-event-webhook-signature'],
        timestamp: request.headers['x-twilio-email-event-webhook-timestamp'],
        rawBody: request.rawBody,
        now: receivedAt,
      });
      if (check !== 'valid') {
        deps.log?.({ severity: 'WARNING', message: `sendgrid webhook refused: signature ${check}` });
        if (check === 'missing') return jsonResponse(401, { error: 'signature headers missing' });
        const why = { stale: 'timestamp too old or too far ahead', not_seconds: 'timestamp must be whole seconds since the epoch, not milliseconds', invalid: 'signature does not verify' }[check];
        return jsonResponse(403, { error: why });
      }
    }

    const text = request.rawBody.toString('utf8');
    let events: unknown;
    try {
      events = JSON.parse(text);
    } catch {
      events = undefined;
    }
    if (!Array.isArray(events)) {
      const message = events === undefined ? 'body is not JSON' : 'body is not a JSON array of events';
      try {
        await deps.deadLetters.put([{ dead_letter_id: deps.newId(), stage: 'sendgrid-webhook', reason: 'invalid_body', errors: [{ path: '', message }], payload: text, source_id: null, received_at: receivedAt.toISOString() }]);
      } catch (error) {
        deps.log?.({ severity: 'ERROR', message: 'sendgrid webhook: dead letter not stored', error: String(error) });
        return jsonResponse(503, { error: 'try again' }, { 'retry-after': '30' });
      }
      return jsonResponse(400, { error: message });
    }

    try {
      const result = await deps.take(events, receivedAt);
      return jsonResponse(200, { received: events.length, ...result });
    } catch (error) {
      deps.log?.({ severity: 'ERROR', message: 'sendgrid webhook: batch not taken; SendGrid will retry', events: events.length, error: String(error) });
      return jsonResponse(503, { error: 'try again' }, { 'retry-after': '30' });
    }
  };
  entry.admit = admit;
  return entry;
}
