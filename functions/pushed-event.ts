import type { HttpRequest, HttpResponse } from './http.ts';
import { decodePushEnvelope, PushEnvelopeError } from './push-envelope.ts';
import type { DeadLetterStore, FieldError } from '../pipelines/events/dead-letters.ts';
import { decodeEventMessage, InvalidEventMessageError } from '../pipelines/events/encode-message.ts';
import type { NudgeEvent } from '../pipelines/events/nudge-event.ts';
import type { Clock } from '../pipelines/shared/clock.ts';

/**
 * What the one-event-per-push consumers (catalog updates, interest recording) share: reading the
 * event a Pub/Sub push carries, and dead-lettering what can never succeed.
 */

/** Why a pushed message can never be handled: kept with its payload for a human. */
export type Refusal = { reason: string; errors: readonly FieldError[]; payload: string; event?: NudgeEvent };

/** The event a push carries (and its JSON text), or why it is not one. Other errors are bugs and throw. */
export function decodePushedEvent(request: HttpRequest): { event: NudgeEvent; payload: string } | { refusal: Refusal } {
  let data: Buffer;
  try {
    data = decodePushEnvelope(request.rawBody).data;
  } catch (error) {
    if (!(error instanceof PushEnvelopeError)) throw error;
    const errors = error.issues.map((issue) => ({ path: issue.path || '(body)', message: issue.message }));
    return { refusal: { reason: error.message, errors, payload: request.rawBody.toString('utf8') } };
  }
  const payload = data.toString('utf8');
  try {
    return { event: decodeEventMessage(data), payload };
  } catch (error) {
    if (!(error instanceof InvalidEventMessageError)) throw error;
    return { refusal: { reason: error.message, errors: [{ path: 'message.data', message: error.message }], payload } };
  }
}

/** Stores the refusal as a dead letter of `stage`, logs it without personal data, and acknowledges the push (204). */
export async function deadLetterRefusal(
  deps: { deadLetters: DeadLetterStore; clock: Clock; newId: () => string; log?: (entry: Record<string, unknown>) => void },
  stage: string,
  refusal: Refusal,
): Promise<HttpResponse> {
  await deps.deadLetters.put([
    {
      dead_letter_id: deps.newId(),
      stage,
      reason: refusal.reason,
      errors: [...refusal.errors],
      payload: refusal.payload,
      source_id: refusal.event?.source_id ?? null,
      received_at: deps.clock.now().toISOString(),
    },
  ]);
  deps.log?.({ severity: 'WARNING', message: `${stage}: message dead-lettered`, reason: refusal.reason, event_id: refusal.event?.event_id });
  return { status: 204 };
}
