import { z } from 'zod';
import type { EventKind } from './nudge-event.ts';
import { Currency, Flag, Money, Quantity, SegmentId, Stock, Text } from './fields.ts';

/**
 * Properties of the track events nudge understands: Segment E-commerce v2
 * (https://segment.com/docs/connections/spec/ecommerce/v2/) under their exact names, plus two
 * events of nudge's own (`Catalog Updated`, `Consent Updated`). Objects are loose: properties
 * not listed here are kept untouched. Optional fields accept null (= unknown), as several
 * SDKs and tag managers send it.
 */

type ProductLike = { product_id?: string | null | undefined; sku?: string | null | undefined };

/**
 * A product must be identifiable: product_id, or sku when the shop has no other id. When only
 * sku is sent it is copied into product_id, so everything downstream reads one field.
 */
function requireProductId<T extends ProductLike>(product: T, ctx: z.RefinementCtx<T>): T {
  if (product.product_id == null) {
    if (product.sku == null) {
      ctx.issues.push({ code: 'custom', message: 'Required: product_id (or sku)', path: ['product_id'], input: product });
      return z.NEVER;
    }
    product.product_id = product.sku;
  }
  return product;
}

const productFields = {
  product_id: SegmentId.nullish(),
  sku: SegmentId.nullish(),
  name: Text.nullish(),
  price: Money.nullish(),
  quantity: Quantity.nullish(),
  category: Text.nullish(),
  brand: Text.nullish(),
  variant: Text.nullish(),
  coupon: Text.nullish(),
  url: Text.nullish(),
  image_url: Text.nullish(),
  currency: Currency.nullish(),
};

/** One product, alone (Product Viewed) or inside `products` (lists, carts, orders). */
export const Product = z.looseObject(productFields).transform(requireProductId);
export type Product = z.infer<typeof Product>;

const products = z.array(Product, { error: 'Expected an array of products' }).nullish();

const orderFields = {
  order_id: SegmentId.nullish(),
  checkout_id: SegmentId.nullish(),
  cart_id: SegmentId.nullish(),
  affiliation: Text.nullish(),
  value: Money.nullish(),
  subtotal: Money.nullish(),
  total: Money.nullish(),
  revenue: Money.nullish(),
  shipping: Money.nullish(),
  tax: Money.nullish(),
  discount: Money.nullish(),
  coupon: Text.nullish(),
  currency: Currency.nullish(),
  products,
};

export const ProductViewedProperties = z.looseObject(productFields).transform(requireProductId);
export type ProductViewedProperties = z.infer<typeof ProductViewedProperties>;

export const ProductsSearchedProperties = z.looseObject({ query: Text });
export type ProductsSearchedProperties = z.infer<typeof ProductsSearchedProperties>;

export const ProductListViewedProperties = z.looseObject({
  list_id: SegmentId.nullish(),
  category: Text.nullish(),
  products,
});
export type ProductListViewedProperties = z.infer<typeof ProductListViewedProperties>;

/** Product Added and Product Removed share one shape. */
export const CartProductProperties = z
  .looseObject({ ...productFields, cart_id: SegmentId.nullish() })
  .transform(requireProductId);
export type CartProductProperties = z.infer<typeof CartProductProperties>;

export const CartViewedProperties = z.looseObject({ cart_id: SegmentId.nullish(), products });
export type CartViewedProperties = z.infer<typeof CartViewedProperties>;

export const CheckoutStartedProperties = z.looseObject(orderFields);
export type CheckoutStartedProperties = z.infer<typeof CheckoutStartedProperties>;

export const OrderCompletedProperties = z.looseObject({ ...orderFields, order_id: SegmentId });
export type OrderCompletedProperties = z.infer<typeof OrderCompletedProperties>;

/**
 * `Catalog Updated` (nudge's own event): how a shop backend tells nudge that an item's stock
 * and/or price changed, so emails never show a sold-out item or a stale price. Send it as a
 * track call (any userId/anonymousId identifying the backend, e.g. "catalog-sync"), over HTTP
 * or with publishEvent:
 *   { type: 'track', event: 'Catalog Updated', userId: 'catalog-sync',
 *     properties: { product_id: 'sku-1', stock: 0, price: 24.5, currency: 'EUR' } }
 */
export const CatalogUpdatedProperties = z
  .looseObject({
    product_id: SegmentId,
    stock: Stock.nullish(),
    price: Money.nullish(),
    name: Text.nullish(),
    url: Text.nullish(),
    image_url: Text.nullish(),
    category: Text.nullish(),
    currency: Currency.nullish(),
    brand: Text.nullish(),
    /** Free-form labels (style, material, collection) that recommendations match on; at most 32. */
    tags: z.array(Text, { error: 'Expected an array of strings' }).max(32, { error: 'At most 32 tags' }).nullish(),
  })
  .superRefine((properties, ctx) => {
    if (properties.stock == null && properties.price == null) {
      ctx.addIssue({ code: 'custom', message: 'Catalog Updated needs stock and/or price', path: [] });
    }
  });
export type CatalogUpdatedProperties = z.infer<typeof CatalogUpdatedProperties>;

/**
 * `Back In Stock Requested` (nudge's own event): the shopper asked to be told when this product
 * is available again ("notify me" on an out-of-stock page). Read by the back-in-stock journey.
 */
export const BackInStockRequestedProperties = z.looseObject({ product_id: SegmentId });
export type BackInStockRequestedProperties = z.infer<typeof BackInStockRequestedProperties>;

/**
 * `Consent Updated` (nudge's own event): the person gave or withdrew consent to marketing
 * email, e.g. { email_marketing: true, source: 'checkout-checkbox' }. An identify call can carry
 * the same fact as the trait `email_marketing_consent: true|false`.
 */
export const ConsentUpdatedProperties = z.looseObject({ email_marketing: Flag, source: Text.nullish() });
export type ConsentUpdatedProperties = z.infer<typeof ConsentUpdatedProperties>;

/** Event name (exactly as Segment spells it) → properties schema. */
export const trackPropertySchemas = {
  'Product Viewed': ProductViewedProperties,
  'Products Searched': ProductsSearchedProperties,
  'Product List Viewed': ProductListViewedProperties,
  'Product Added': CartProductProperties,
  'Product Removed': CartProductProperties,
  'Cart Viewed': CartViewedProperties,
  'Checkout Started': CheckoutStartedProperties,
  'Order Completed': OrderCompletedProperties,
  'Catalog Updated': CatalogUpdatedProperties,
  'Consent Updated': ConsentUpdatedProperties,
  'Back In Stock Requested': BackInStockRequestedProperties,
} as const;

export type KnownTrackEventName = keyof typeof trackPropertySchemas;

export const trackEventKinds = {
  'Product Viewed': 'product_viewed',
  'Products Searched': 'products_searched',
  'Product List Viewed': 'product_list_viewed',
  'Product Added': 'product_added',
  'Product Removed': 'product_removed',
  'Cart Viewed': 'cart_viewed',
  'Checkout Started': 'checkout_started',
  'Order Completed': 'order_completed',
  'Catalog Updated': 'catalog_updated',
  'Consent Updated': 'consent_updated',
  'Back In Stock Requested': 'back_in_stock_requested',
} as const satisfies Record<KnownTrackEventName, EventKind>;

/**
 * Events that speak for the shop rather than the shopper: they change what every email shows
 * (names, prices, links, images), so only a server write key (or publishEvent, which runs in the
 * shop's own backend) may send them. A browser write key is public by design.
 */
export const shopEventNames: ReadonlySet<string> = new Set<KnownTrackEventName>(['Catalog Updated']);

// Maps, not object lookups: an event named "constructor" or "__proto__" must be just 'other'.
const schemaByName = new Map<string, z.ZodType<Record<string, unknown>, Record<string, unknown>>>(
  Object.entries(trackPropertySchemas) as [string, z.ZodType<Record<string, unknown>, Record<string, unknown>>][],
);
const kindByName = new Map<string, EventKind>(Object.entries(trackEventKinds));

/** The properties schema for a known track event name; undefined for any other name. */
export function findTrackPropertySchema(event: string): z.ZodType<Record<string, unknown>, Record<string, unknown>> | undefined {
  return schemaByName.get(event);
}

/** nudge's kind for a track event name; unknown names are 'other' (kept in history only). */
export function classifyTrackEvent(event: string): EventKind {
  return kindByName.get(event) ?? 'other';
}
