import type { BusMessage, EventBus } from './bus.ts';
import { serialiseForDeadLetter } from './dead-letter-payload.ts';
import type { DeadLetterStore } from './dead-letters.ts';
import { encodeEventMessage } from './encode-message.ts';
import type { NudgeEvent } from './nudge-event.ts';
import { route } from './route.ts';
import { toDeadLetters } from './to-dead-letters.ts';
import type { TopicName } from './topics.ts';
import type { RejectedEvent } from './validate-payload.ts';

export type AcceptEventsDeps = { bus: EventBus; deadLetters: DeadLetterStore; newId: () => string };

export type AcceptEventsInput = {
  events: readonly NudgeEvent[];
  rejected: readonly RejectedEvent[];
  /** Which door refused the rejected ones: "collect" (HTTP) or "publish" (publishEvent). */
  stage: string;
  sourceId: string | null;
  receivedAt: Date;
};

/**
 * The one place validated input becomes durable: valid events are routed and published (one bus
 * call per topic), refused ones are written to the dead-letter store. Resolves only when both are
 * durable, so a 2xx (or a resolved publishEvent) promises nothing is lost.
 */
export function createAcceptEvents(deps: AcceptEventsDeps): (input: AcceptEventsInput) => Promise<void> {
  return async ({ events, rejected, stage, sourceId, receivedAt }) => {
    const byTopic = new Map<TopicName, BusMessage[]>();
    const refused = [...rejected];
    for (const event of events) {
      const topic = route(event);
      let message: BusMessage;
      try {
        message = encodeEventMessage(event);
      } catch (error) {
        // The door refuses what cannot be encoded (depth, cycles); should anything slip through,
        // it is bad input for a human, never a retryable failure that blocks the whole batch.
        const reason = `Event could not be encoded as JSON (${(error as Error).message})`;
        refused.push({ payload: serialiseForDeadLetter(event), errors: [{ path: '', message: reason }] });
        continue;
      }
      const messages = byTopic.get(topic);
      if (messages) messages.push(message);
      else byTopic.set(topic, [message]);
    }
    const writes: Promise<void>[] = [...byTopic].map(([topic, messages]) => deps.bus.publish(topic, messages));
    if (refused.length > 0) {
      writes.push(deps.deadLetters.put(toDeadLetters(refused, { stage, sourceId, receivedAt, newId: deps.newId })));
    }
    await Promise.all(writes);
  };
}
