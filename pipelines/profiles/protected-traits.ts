/**
 * Traits only nudge itself writes: the suppression the unsubscribe endpoint and the SendGrid
 * webhook record (pipelines/engagement/suppression.ts reads them). Events from the public door
 * (collect, publishEvent) may neither set nor clear them — profileFromEvent drops them, with a
 * logged reason — or anyone holding the shop's public write key could lift a person's unsubscribe,
 * bounce or spam complaint by sending an identify in their name.
 */
export const protectedTraits: ReadonlySet<string> = new Set(['email_unsubscribed_at', 'email_bounced_at', 'email_bounced_address', 'email_complained_at', 'email_complained_address']);

/** NudgeEvent.source of the events nudge's own endpoints publish: the only ones that may write protectedTraits. */
export const trustedTraitSources: ReadonlySet<string> = new Set(['unsubscribe', 'sendgrid-webhook']);
