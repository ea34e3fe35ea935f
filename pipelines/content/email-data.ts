import { z } from 'zod';
import type { CampaignTrigger } from '../campaigns/campaign-definition.ts';

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

/**
 * A product as an email shows it outside a cart (a viewed item, a restocked or cheaper item, a
 * recommendation): live from the catalog or the shop's API at send time.
 */
export const ProductData = z.strictObject({
  product_id: z.string().min(1),
  name: z.string(),
  /** Current unit price; null when nothing knows it (the email shows no price). */
  price: z.number().nonnegative().nullable(),
  /** ISO 4217, e.g. "EUR". */
  currency: z.string().length(3),
  image_url: z.url().nullish(),
  url: z.url(),
  stock: z.number().int().nonnegative().nullish(),
  /** false when the shop has none left now: shown as sold out, never with a buy button. */
  available: z.boolean(),
  /** Price drop: what it cost before the drop, and the cut in whole percent. */
  previous_price: z.number().positive().nullish(),
  drop_percent: z.number().int().positive().nullish(),
});
export type ProductData = z.infer<typeof ProductData>;

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
  /** Cart abandonment: the cart. Absent for other triggers (a template reading it fails at start-up). */
  cart: z
    .strictObject({
      id: z.string().nullish(),
      items: z.array(CartItemData).min(1),
      value: z.number().nonnegative(),
      /** ISO 4217, e.g. "EUR". */
      currency: z.string().length(3),
      /** Restores this cart on any device (NUDGE_SHOP_CART_URL with the cart id filled in). */
      url: z.url(),
    })
    .optional(),
  /** Browse follow-up: the session's most-viewed items, most viewed first. */
  items: z.array(ProductData).min(1).optional(),
  /** Back in stock, price drop: the product the email is about. */
  item: ProductData.optional(),
  /** Similar, viewed-together or best-selling items (may be empty: templates check its size). */
  recommendations: z.array(ProductData).optional(),
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
/** Which blocks each trigger provides; the others are absent, so a template cannot read them. */
export const dataBlocksByTrigger = {
  cart_abandoned: ['cart'],
  browse_abandoned: ['items', 'recommendations'],
  back_in_stock: ['item', 'recommendations'],
  price_drop: ['item', 'recommendations'],
} as const satisfies Record<CampaignTrigger['kind'], readonly (keyof EmailData)[]>;
export const dataBlocks = ['cart', 'items', 'item', 'recommendations'] as const;

export const EmailSample = EmailData.extend({
  offer: Offer.nullable().optional(),
  has_ordered_before: z.boolean().default(false),
});
export type EmailSample = z.infer<typeof EmailSample>;
