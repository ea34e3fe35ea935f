import { z } from 'zod';

/**
 * What a campaign email is rendered from. Templates see exactly these names (strict variables:
 * a template that reads a name not here fails at start-up against the sample, not at send time).
 * Optional fields reach templates as null so `{% if item.stock %}` works under strict variables.
 */
export const CartItemData = z.strictObject({
  product_id: z.string().min(1),
  name: z.string(),
  /** Unit price in the cart's currency, live from the catalog at send time. */
  price: z.number().nonnegative(),
  quantity: z.number().int().positive(),
  image_url: z.url().nullish(),
  url: z.url(),
  /** Live stock when the catalog knows it; "only N left" shows at ≤ 5. */
  stock: z.number().int().nonnegative().nullish(),
});
export type CartItemData = z.infer<typeof CartItemData>;

export const Offer = z.strictObject({
  kind: z.enum(['percent', 'amount', 'free_shipping']),
  value: z.number().nullable(),
  code: z.string(),
  /** ISO-8601 UTC instant. */
  expires_at: z.string(),
  /** Ready to print, e.g. "10% off", "€5.00 off", "Free shipping". */
  label: z.string(),
});
export type Offer = z.infer<typeof Offer>;

export const EmailData = z.strictObject({
  person: z.strictObject({
    /** The profile's person id: picks the subject variant, never printed. */
    id: z.string().min(1),
    email: z.email(),
    first_name: z.string().nullish(),
  }),
  cart: z.strictObject({
    id: z.string().nullish(),
    items: z.array(CartItemData).min(1),
    value: z.number().nonnegative(),
    /** ISO 4217, e.g. "EUR". */
    currency: z.string().length(3),
    url: z.url(),
  }),
  offer: Offer.nullable(),
  /** https link carrying a signed token; left without tracking parameters. */
  unsubscribe_url: z.url(),
  shop: z.strictObject({ name: z.string().min(1), url: z.url() }),
  /** Overrides the definition's postal_address (sender configuration). */
  postal_address: z.string().min(1).nullish(),
});
export type EmailData = z.infer<typeof EmailData>;

/**
 * templates/<campaign>/sample.json: EmailData for previews, except that the offer is usually
 * left out and chosen from the campaign's rules (with `has_ordered_before` as the rule input).
 */
export const EmailSample = EmailData.extend({
  offer: Offer.nullable().optional(),
  has_ordered_before: z.boolean().default(false),
});
export type EmailSample = z.infer<typeof EmailSample>;
