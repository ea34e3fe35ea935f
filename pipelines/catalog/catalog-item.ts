import { z } from 'zod';

/**
 * What nudge knows about one product, fed by `Catalog Updated` events and read by journeys at
 * send time (live stock and price in an email). One document per product: `catalog_items` in
 * Firestore, the `catalog_items` table embedded.
 *
 * Each field carries the clock of the update that set it, because Pub/Sub delivers at least once
 * and in any order: an update wins a field only if it happened later (occurred_at, tie: event_id),
 * so replays and late arrivals converge on the same item (DESIGN.md §4).
 */

/** The fields an update may set; product_id is the key and never changes. */
export const catalogFields = ['name', 'price', 'currency', 'stock', 'url', 'image_url', 'category', 'brand', 'tags'] as const;
export const CatalogField = z.enum(catalogFields);
export type CatalogField = z.infer<typeof CatalogField>;

/** ISO-8601 instant in `toISOString()` form (UTC, milliseconds), so string order is time order. */
const Instant = z.iso.datetime({ offset: false, precision: 3 });

/** Which update set a field: its occurred_at and event_id. */
export const FieldClock = z.object({ at: Instant, event_id: z.string().min(1) });
export type FieldClock = z.infer<typeof FieldClock>;

export const CatalogItem = z.object({
  product_id: z.string().min(1),
  /** null = never sent (a shop may send stock only). */
  name: z.string().nullable(),
  price: z.number().nonnegative().nullable(),
  /** ISO 4217, upper case. */
  currency: z.string().regex(/^[A-Z]{3}$/).nullable(),
  stock: z.number().int().nonnegative().nullable(),
  url: z.string().nullable(),
  image_url: z.string().nullable(),
  category: z.string().nullable(),
  brand: z.string().nullable().default(null),
  /** Labels recommendations match on (style, material, collection); replaced whole by an update. */
  tags: z.array(z.string()).nullable().default(null),
  /** Field → clock of the update that set it; null while the field is unset. */
  clocks: z.object({
    name: FieldClock.nullable(),
    price: FieldClock.nullable(),
    currency: FieldClock.nullable(),
    stock: FieldClock.nullable(),
    url: FieldClock.nullable(),
    image_url: FieldClock.nullable(),
    category: FieldClock.nullable(),
    // Items stored before these fields existed have no clock for them.
    brand: FieldClock.nullable().default(null),
    tags: FieldClock.nullable().default(null),
  }),
  /**
   * occurred_at of the latest update applied. Event time, not write time, so the item depends
   * only on which updates it has seen, never on when or in what order they arrived.
   */
  updated_at: Instant,
});
export type CatalogItem = z.infer<typeof CatalogItem>;

/** The value types of the updatable fields. */
export type CatalogValues = { [F in CatalogField]: CatalogItem[F] };

/** A product nothing has been said about yet: every field unset. */
export function emptyCatalogItem(productId: string, updatedAt: string): CatalogItem {
  return {
    product_id: productId,
    name: null,
    price: null,
    currency: null,
    stock: null,
    url: null,
    image_url: null,
    category: null,
    brand: null,
    tags: null,
    clocks: { name: null, price: null, currency: null, stock: null, url: null, image_url: null, category: null, brand: null, tags: null },
    updated_at: updatedAt,
  };
}
