import { jsonResponse, type HttpEntry } from '../http.ts';
import { createSendGridEventsEntry } from '../sendgrid-events.ts';
import type { WebhookConfig } from '../sendgrid-events/webhook-config.ts';
import { createSuppressPerson } from '../../pipelines/engagement/suppress-person.ts';
import { createTakeSendGridEvents } from '../../pipelines/engagement/take-sendgrid-events.ts';
import type { AcceptEventsInput } from '../../pipelines/events/accept-events.ts';
import type { DeadLetterStore } from '../../pipelines/events/dead-letters.ts';
import type { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import type { SendLedger } from '../../pipelines/delivery/send-ledger.ts';
import type { ProfileStore } from '../../pipelines/profiles/profile-store.ts';
import type { Clock } from '../../pipelines/shared/clock.ts';
import type { FactQueue } from '../../pipelines/warehouse/fact-rows.ts';

/**
 * `POST /webhooks/sendgrid` on the embedded host: the same entry and pipeline as the GCP
 * `sendgridEvents` function, over the runtime's fact queue and event intake (both the SQLite bus),
 * the SQLite profiles and send ledger. Unconfigured (no key and no
 * explicit NUDGE_WEBHOOK_VERIFY=off) it answers 503 naming the variable.
 */
export function createEmbeddedSendGridEvents(deps: {
  config: WebhookConfig;
  /** The runtime's fact queue (rows to warehouse-email_events) and event intake (suppressions to the event topics). */
  facts: FactQueue;
  acceptEvents: (input: AcceptEventsInput) => Promise<void>;
  deadLetters: DeadLetterStore;
  profiles: Pick<ProfileStore, 'getProfile' | 'transact'>;
  foldEvents: (events: readonly NudgeEvent[]) => Promise<unknown>;
  unsubscribe: (request: { person_id: string; send_id: string; at: Date }) => Promise<void>;
  ledger: Pick<SendLedger, 'get'>;
  clock: Clock;
  newId: () => string;
  log: (entry: Record<string, unknown>) => void;
}): HttpEntry {
  if (deps.config.verify === 'unconfigured') {
    return async () => jsonResponse(503, { error: 'the SendGrid webhook is not configured: set SENDGRID_WEBHOOK_PUBLIC_KEY (SendGrid → Mail Settings → Signed Event Webhook)' });
  }
  const take = createTakeSendGridEvents({
    ledger: deps.ledger,
    facts: deps.facts,
    deadLetters: deps.deadLetters,
    suppress: createSuppressPerson({ store: deps.profiles, foldEvents: deps.foldEvents, acceptEvents: deps.acceptEvents, newEventId: deps.newId }),
    unsubscribe: deps.unsubscribe,
    newId: deps.newId,
    log: deps.log,
  });
  return createSendGridEventsEntry({
    publicKey: deps.config.verify === 'signed' ? deps.config.publicKey : null,
    take,
    deadLetters: deps.deadLetters,
    clock: deps.clock,
    newId: deps.newId,
    log: deps.log,
  });
}
