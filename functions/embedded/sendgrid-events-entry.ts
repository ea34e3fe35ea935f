import { createBusWarehouseRows } from './bus-warehouse-rows.ts';
import type { SqliteBus } from './sqlite-bus.ts';
import { jsonResponse, type HttpEntry } from '../http.ts';
import { createSendGridEventsEntry } from '../sendgrid-events.ts';
import type { WebhookConfig } from '../sendgrid-events/webhook-config.ts';
import { createSuppressPerson } from '../../pipelines/engagement/suppress-person.ts';
import { createTakeSendGridEvents } from '../../pipelines/engagement/take-sendgrid-events.ts';
import { createAcceptEvents } from '../../pipelines/events/accept-events.ts';
import type { DeadLetterStore } from '../../pipelines/events/dead-letters.ts';
import type { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import type { SendLedger } from '../../pipelines/delivery/send-ledger.ts';
import type { ProfileStore } from '../../pipelines/profiles/profile-store.ts';
import type { Clock } from '../../pipelines/shared/clock.ts';

/**
 * `POST /webhooks/sendgrid` on the embedded host: the same entry and pipeline as the GCP
 * `sendgridEvents` function, over the SQLite bus (rows to warehouse-email_events, suppression
 * events to the event topics), the SQLite profiles and send ledger. Unconfigured (no key and no
 * explicit NUDGE_WEBHOOK_VERIFY=off) it answers 503 naming the variable.
 */
export function createEmbeddedSendGridEvents(deps: {
  config: WebhookConfig;
  bus: Pick<SqliteBus, 'publish'>;
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
  const acceptEvents = createAcceptEvents({ bus: deps.bus, deadLetters: deps.deadLetters, newId: deps.newId });
  const take = createTakeSendGridEvents({
    ledger: deps.ledger,
    facts: createBusWarehouseRows({ publish: deps.bus.publish }),
    deadLetters: deps.deadLetters,
    suppress: createSuppressPerson({ store: deps.profiles, foldEvents: deps.foldEvents, acceptEvents, newEventId: deps.newId }),
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
