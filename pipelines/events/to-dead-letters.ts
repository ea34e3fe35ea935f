import type { DeadLetter } from './dead-letters.ts';
import type { RejectedEvent } from './validate-payload.ts';

export type DeadLetterOptions = {
  /** Which stage refused them: "collect" (HTTP), "publish" (publishEvent), … */
  stage: string;
  sourceId: string | null;
  receivedAt: Date;
  newId: () => string;
};

/** Dead-letter records for the events validatePayload refused, one per event. */
export function toDeadLetters(rejected: readonly RejectedEvent[], options: DeadLetterOptions): DeadLetter[] {
  const receivedAt = options.receivedAt.toISOString();
  return rejected.map((event) => ({
    dead_letter_id: options.newId(),
    stage: options.stage,
    reason: summarize(event),
    errors: event.errors,
    payload: event.payload,
    source_id: options.sourceId,
    received_at: receivedAt,
  }));
}

/** One line for listings (`nudge dead-letters`): the first error, and how many more. */
function summarize(event: RejectedEvent): string {
  const [first] = event.errors;
  if (first === undefined) return 'invalid event';
  const more = event.errors.length > 1 ? ` (+${event.errors.length - 1} more)` : '';
  return `${first.path === '' ? '' : `${first.path}: `}${first.message}${more}`;
}
