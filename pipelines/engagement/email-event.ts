import { z } from 'zod';

/**
 * One thing that happened to a sent email: the row of the warehouse table `email_events`
 * (sql/tables/email_events.sql), column for column. Two sources write it:
 *
 *   sendgrid      SendGrid's Event Webhook (functions/sendgrid-events.ts): delivery, bounces,
 *                 drops, spam reports and unsubscribes, and SendGrid's own open/click tracking.
 *   first_party   nudge's own open pixel and click redirect (functions/track.ts), for the outbox
 *                 and for campaigns that choose first-party tracking.
 *
 * Machine opens (mail privacy proxies, image prefetchers) and bot clicks (link scanners) are kept
 * with is_machine = true, so the KPI views can count human engagement apart and still show them.
 * No address, name or IP: person_id is the only person reference.
 */

export const EmailEventType = z.enum([
  'processed',
  'delivered',
  'deferred',
  'bounce',
  'dropped',
  'open',
  'click',
  'spamreport',
  'unsubscribe',
  'group_unsubscribe',
  'group_resubscribe',
]);
export type EmailEventType = z.infer<typeof EmailEventType>;

export const EmailEventSource = z.enum(['sendgrid', 'first_party']);
export type EmailEventSource = z.infer<typeof EmailEventSource>;

const Instant = z.iso.datetime({ offset: false });

export const EmailEvent = z.object({
  /** `sendgrid:<sg_event_id>` or `first_party:<hash>`: the same happening written twice is one row. */
  email_event_id: z.string().min(1),
  /** The send it belongs to (SendGrid custom arg / signed token); joins to email_sends. */
  send_id: z.string().min(1),
  campaign_id: z.string().min(1),
  /** The recipient as the send ledger recorded it (may since have been merged: see person_surviving). */
  person_id: z.string().min(1),
  event_type: EmailEventType,
  source: EmailEventSource,
  /** When it happened (SendGrid's timestamp; the request time for first-party tracking). */
  occurred_at: Instant,
  /** When nudge received it. */
  received_at: Instant,
  /** An open by a privacy proxy or prefetcher, a click by a link scanner: kept, not counted as human. */
  is_machine: z.boolean(),
  /** Why is_machine: sendgrid_machine_open, user_agent, head_request, too_soon_after_delivery. */
  machine_reason: z.string().nullable(),
  /** bounce: hard (the address does not exist; suppresses) or soft (mailbox full, greylisted). */
  bounce_type: z.enum(['hard', 'soft']).nullable(),
  /** SMTP enhanced status (5.1.1) or SendGrid's drop/bounce classification; never the free-text reason, which can quote the address. */
  status_code: z.string().nullable(),
  /** click: the destination URL. */
  url: z.string().nullable(),
  /** click: position of the link in the email (0 = first), when known. */
  link_index: z.number().int().nonnegative().nullable(),
  /** SendGrid's sg_message_id; null for first-party events. */
  provider_message_id: z.string().nullable(),
});
export type EmailEvent = z.infer<typeof EmailEvent>;

/** Types that suppress the person: the address is dead, or the person said no. */
export function suppressionOfEmailEvent(event: Pick<EmailEvent, 'event_type' | 'bounce_type' | 'status_code'>): 'bounced' | 'complained' | 'unsubscribed' | null {
  switch (event.event_type) {
    case 'bounce':
      return event.bounce_type === 'hard' ? 'bounced' : null;
    case 'dropped':
      // SendGrid drops a message to an address it already knows is bad ("Bounced Address",
      // "Invalid", "Spam Reporting Address", "Unsubscribed Address"): the address is suppressed there.
      return event.status_code === 'bounced_address' || event.status_code === 'invalid'
        ? 'bounced'
        : event.status_code === 'spam_reporting_address'
          ? 'complained'
          : event.status_code === 'unsubscribed_address'
            ? 'unsubscribed'
            : null;
    case 'spamreport':
      return 'complained';
    case 'unsubscribe':
    case 'group_unsubscribe':
      return 'unsubscribed';
    default:
      return null;
  }
}

/**
 * A row nudge itself saw (its open pixel, click redirect or unsubscribe link): the fields a
 * first-party hit never has — bounce, status, SendGrid's message id — left empty, received when it
 * happened.
 */
export function firstPartyEvent(
  fields: Pick<EmailEvent, 'email_event_id' | 'send_id' | 'campaign_id' | 'person_id' | 'event_type'> & Partial<Pick<EmailEvent, 'is_machine' | 'machine_reason' | 'url' | 'link_index'>>,
  at: Date,
): EmailEvent {
  const instant = at.toISOString();
  return {
    is_machine: false,
    machine_reason: null,
    url: null,
    link_index: null,
    ...fields,
    source: 'first_party',
    occurred_at: instant,
    received_at: instant,
    bounce_type: null,
    status_code: null,
    provider_message_id: null,
  };
}
