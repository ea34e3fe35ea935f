import type { BusMessage } from './bus.ts';
import { NudgeEvent } from './nudge-event.ts';

/**
 * Bus messages for event topics: data is the NudgeEvent as JSON (what the BigQuery
 * subscription writes as a row); attributes carry only what a console or a subscription filter
 * needs, never personal data.
 */
export function encodeEventMessage(event: NudgeEvent): BusMessage {
  return {
    data: Buffer.from(JSON.stringify(event)),
    attributes: {
      event_id: event.event_id,
      kind: event.kind,
      type: event.type,
      schema_version: String(event.schema_version),
    },
  };
}

/** The message data is not a NudgeEvent: a bug or a foreign publisher, never worth a retry. */
export class InvalidEventMessageError extends Error {
  override readonly name = 'InvalidEventMessageError';
}

/** Parses and checks message data; throws InvalidEventMessageError saying what is wrong. */
export function decodeEventMessage(data: Buffer): NudgeEvent {
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch (error) {
    throw new InvalidEventMessageError(`Event message is not JSON (${(error as Error).message})`);
  }
  const parsed = NudgeEvent.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new InvalidEventMessageError(`Event message is not a NudgeEvent: ${problems.join('; ')}`);
  }
  return parsed.data;
}
