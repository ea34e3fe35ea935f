import { createHash } from 'node:crypto';
import { firstPartyEvent, type EmailEvent } from './email-event.ts';

/**
 * The `email_events` row of an unsubscribe through nudge's own link (the List-Unsubscribe one-click
 * POST or the page's button): the unsubscribe KPI counts these beside SendGrid's. One row per send,
 * however often the link is used (the id is derived from the send alone).
 */
export function unsubscribeEventRow(link: { send_id: string; person_id: string; campaign_id: string }, at: Date): EmailEvent {
  const key = createHash('sha256').update(JSON.stringify(['unsubscribe', link.send_id])).digest('hex').slice(0, 32);
  return firstPartyEvent({ ...link, email_event_id: `first_party:${key}`, event_type: 'unsubscribe' }, at);
}
