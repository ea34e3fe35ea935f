import { z } from 'zod';
import { EventKind } from '../events/nudge-event.ts';
import { tryParseDuration } from './duration.ts';
import { maxUniqueOfferDays, OFFER_CODE_PREFIX } from '../content/offer-code.ts';

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

/**
 * What starts a journey, and its own settings. Fold-driven triggers (cart, browse) arm a timer in
 * the transaction that folds the shopper's event; catalog-driven ones (back in stock, price drop)
 * arm timers for the people interested in a product when a Catalog Updated changes it, fanned out
 * through the bus a page at a time (pipelines/journeys/fan-out-catalog-trigger.ts).
 */
/** How far back interest counts; at most a year (the interest store keeps far less by default). */
const Lookback = Duration.refine((text) => (tryParseDuration(text) ?? 0) <= 365 * 86_400_000, { error: 'a lookback is at most 365d' });
const PercentOf100 = z.number().gt(0, { error: 'expected a percentage above 0' }).lt(100, { error: 'expected a percentage below 100' });
export const CampaignTrigger = z.discriminatedUnion(
  'kind',
  [
    /** cart_abandoned: a cart with items has seen no change for `wait`. */
    z.strictObject({ kind: z.literal('cart_abandoned') }),
    /**
     * browse_abandoned: product views, no add to cart and no order since, quiet for `wait`. The
     * email shows the session's most-viewed items: views within `session` before the last one.
     */
    z.strictObject({
      kind: z.literal('browse_abandoned'),
      session: Duration.default('1h'),
      /** How many of the session's items the email shows (most viewed first). */
      items: z.number().int().min(1).max(6).default(2),
    }),
    /**
     * back_in_stock: a product's stock went from 0 to more. Notifies who viewed or carted it while
     * it was out of stock (or asked: Back In Stock Requested) within `lookback`, first come, at most
     * stock × `stock_factor` people, never someone who bought it since.
     */
    z.strictObject({
      kind: z.literal('back_in_stock'),
      lookback: Lookback.default('30d'),
      stock_factor: z.number().positive().max(1000).default(3),
    }),
    /** price_drop: a product's price fell by at least `min_drop_percent`; notifies recent viewers and carters who have not bought it. */
    z.strictObject({
      kind: z.literal('price_drop'),
      min_drop_percent: PercentOf100.default(10),
      lookback: Lookback.default('14d'),
    }),
  ],
  { error: 'expected a trigger kind: cart_abandoned, browse_abandoned, back_in_stock or price_drop' },
);
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
    /**
     * true: each email gets its own code, `code` plus a signed suffix carrying the expiry
     * (pipelines/content/offer-code.ts), which the shop's checkout can check through nudge
     * (POST /v1/offers/check) and which is refused once expired. false: every email shows `code`.
     */
    unique: z.boolean().optional(),
  })
  .superRefine((offer, ctx) => {
    if (offer.unique === true && !OFFER_CODE_PREFIX.test(offer.code)) {
      ctx.addIssue({ code: 'custom', path: ['code'], message: 'a unique offer\'s code prefixes each email\'s code: 1–7 upper-case letters or digits (e.g. LOOK10)' });
    }
    const lifetime = tryParseDuration(offer.expires_in);
    if (offer.unique === true && lifetime !== undefined && lifetime > maxUniqueOfferDays * 86_400_000) {
      ctx.addIssue({ code: 'custom', path: ['expires_in'], message: `a unique offer runs at most ${maxUniqueOfferDays}d (its code carries the expiry)` });
    }
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

/**
 * The longest first wait each trigger allows. A browse follow-up a day later is no longer about
 * that visit, and a restock alert that waits a day tells of stock that may be gone; a cart may
 * wait a week. Follow-up steps may wait up to 30 days.
 */
export const maxWaitByTrigger = { cart_abandoned: '7d', browse_abandoned: '24h', back_in_stock: '24h', price_drop: '24h' } as const satisfies Record<CampaignTrigger['kind'], string>;
export const maxStepWait = '30d';
/** The exit events a back-in-stock or price-drop campaign may declare (seen in the profile at send time). */
const catalogExitKinds: readonly string[] = ['order_completed', 'checkout_started', 'product_added', 'product_removed', 'cart_viewed'];

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
  /** How many recommended items the email shows (similar, viewed together, best sellers); 0 = none. */
  recommendations: z.number().int().min(0).max(12).default(0),
  /**
   * A person gets this campaign's first email at most once per this span, whatever starts it
   * (browse follow-up: a shopper who browses again an hour after the email is not emailed again).
   * Absent: every new trigger (cart filling, restock, drop) may send.
   */
  resend_after: Duration.optional(),
}).superRefine((definition, ctx) => {
  const tooLong = (wait: string, max: string) => (tryParseDuration(wait) ?? 0) > (tryParseDuration(max) ?? 0);
  const max = maxWaitByTrigger[definition.trigger.kind];
  if (tooLong(definition.wait, max)) ctx.addIssue({ code: 'custom', path: ['wait'], message: `a ${definition.trigger.kind} campaign waits at most ${max} before its first email (got ${definition.wait})` });
  if (definition.trigger.kind === 'back_in_stock' || definition.trigger.kind === 'price_drop') {
    // Catalog journeys are armed by the fan-out, so their exits are read from the profile at send
    // time (journeys/catalog-trigger.ts exitEventSince), which knows orders, checkouts and cart activity.
    definition.exit_events.forEach((kind, index) => {
      if (!catalogExitKinds.includes(kind)) ctx.addIssue({ code: 'custom', path: ['exit_events', index], message: `a ${definition.trigger.kind} campaign can end on ${catalogExitKinds.join(', ')} (got ${kind})` });
    });
  }
  definition.steps.forEach((step, index) => {
    if (tooLong(step.wait, maxStepWait)) ctx.addIssue({ code: 'custom', path: ['steps', index, 'wait'], message: `a follow-up waits at most ${maxStepWait} (got ${step.wait})` });
  });
});
export type CampaignDefinition = z.infer<typeof CampaignDefinition>;
