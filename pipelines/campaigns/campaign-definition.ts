import { z } from 'zod';
import { EventKind } from '../events/nudge-event.ts';
import { tryParseDuration } from './duration.ts';

/**
 * A campaign as a marketer writes it: templates/<campaign>/campaign.yaml. Objects are strict so a
 * misspelt key ("wiat:") stops start-up with its line instead of being ignored.
 */

/** "30m", "4h", "10s", "1d", "1h30m" — kept as written; use parseDuration() for milliseconds. */
export const Duration = z.string({ error: 'expected a duration like "30m" (in quotes or not, with a unit: s, m, h, d)' }).refine((text) => tryParseDuration(text) !== undefined, {
  error: (issue) => `expected a duration like "30m"${typeof issue.input === 'string' ? ` (got ${JSON.stringify(issue.input)})` : ''}`,
});
export type Duration = z.infer<typeof Duration>;

const Slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected lower-case letters, digits and dashes, e.g. "cart-abandonment"' });
/** A template name inside the campaign folder: <name>.mjml.liquid and <name>.txt.liquid. */
const TemplateName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, { error: 'expected a template name like "email" (files email.mjml.liquid and email.txt.liquid)' });

export const CampaignTrigger = z.strictObject({
  /** cart_abandoned: a cart with items has seen no change for `wait`. */
  kind: z.enum(['cart_abandoned']),
});
export type CampaignTrigger = z.infer<typeof CampaignTrigger>;

/** Subject lines are Liquid (rendered without HTML escaping: a subject is a header, not HTML). */
export const SubjectVariant = z.strictObject({
  id: Slug,
  subject: z.string().min(1),
});
export type SubjectVariant = z.infer<typeof SubjectVariant>;

const SubjectVariants = z
  .array(SubjectVariant)
  .min(1)
  .superRefine((variants, ctx) => {
    const seen = new Set<string>();
    variants.forEach((variant, index) => {
      if (seen.has(variant.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate variant id "${variant.id}"` });
      seen.add(variant.id);
    });
  });

export const OfferSpec = z
  .strictObject({
    kind: z.enum(['percent', 'amount', 'free_shipping']),
    /** percent: 1–100; amount: in the cart's currency; free_shipping: none. */
    value: z.number().positive().optional(),
    code: z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'expected a discount code of letters, digits, "-" or "_"' }),
    expires_in: Duration,
  })
  .superRefine((offer, ctx) => {
    if (offer.kind === 'free_shipping' && offer.value !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'free_shipping takes no value' });
    }
    if (offer.kind !== 'free_shipping' && offer.value === undefined) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `required for a ${offer.kind} offer` });
    }
    if (offer.kind === 'percent' && offer.value !== undefined && offer.value > 100) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'a percent offer is at most 100' });
    }
  });
export type OfferSpec = z.infer<typeof OfferSpec>;

/** Rules are tried in order; the first whose `when` matches gives the offer (no match: no offer). */
export const OfferRule = z.strictObject({
  when: z
    .strictObject({
      /** cart value ≥ this, in the cart's currency. */
      min_cart_value: z.number().nonnegative().optional(),
      has_ordered_before: z.boolean().optional(),
    })
    .default({}),
  offer: OfferSpec,
});
export type OfferRule = z.infer<typeof OfferRule>;

export const Sender = z.strictObject({
  name: z.string().min(1),
  email: z.email(),
  reply_to: z.email().optional(),
});
export type Sender = z.infer<typeof Sender>;

/** A follow-up email; its wait counts from the previous email of the same campaign run. */
export const CampaignStep = z.strictObject({
  wait: Duration,
  template: TemplateName.optional(),
  /** Overrides the campaign's subject variants for this step. */
  subjects: SubjectVariants.optional(),
});
export type CampaignStep = z.infer<typeof CampaignStep>;

export const CampaignDefinition = z.strictObject({
  /** Must equal the folder name; part of send ids and of utm_campaign. */
  id: Slug,
  name: z.string().min(1),
  trigger: CampaignTrigger,
  /** Quiet time before the first email (step 0). */
  wait: Duration,
  /** Any of these events for the same person and cart ends the campaign run (no further email). */
  exit_events: z.array(EventKind).min(1),
  /** Template of the first email; default "email". */
  template: TemplateName.default('email'),
  /** Follow-ups after the first email: step 1, 2, … */
  steps: z.array(CampaignStep).default([]),
  offers: z.array(OfferRule).default([]),
  subjects: SubjectVariants,
  sender: Sender,
  /** Physical address shown in every footer (CAN-SPAM); the send configuration may override it. */
  postal_address: z.string().min(1),
  /** Layout in templates/_layouts/<layout>.mjml; default "base". */
  layout: TemplateName.default('base'),
  /**
   * Who tracks opens and clicks. first_party: nudge rewrites each link to its signed click redirect
   * and adds an open pixel (functions/track.ts; works with the outbox too). sendgrid: SendGrid's own
   * tracking, nudge rewrites nothing. off: neither. Either way only one party wraps the links.
   */
  tracking: z.enum(['first_party', 'sendgrid', 'off']).default('first_party'),
  /** Sample data for previews and the start-up render check; default sample.json beside campaign.yaml. */
  sample: z.string().default('sample.json'),
});
export type CampaignDefinition = z.infer<typeof CampaignDefinition>;
