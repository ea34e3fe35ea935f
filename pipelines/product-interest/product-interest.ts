import { z } from 'zod';

/**
 * What one shopper has shown about one product: viewed it (how often, lately), put it in a cart,
 * asked to hear when it is back, bought it. The back-in-stock and price-drop journeys ask "who
 * cares about this product?", browse follow-up asks "what did this person look at most?", and
 * recommendations leave out what a person bought. Kept outside the profile document, which holds
 * one person's recent views only and is written at most about once a second.
 *
 * Keyed by the identity the events came with, not by person id: the recorder runs beside the
 * profile fold, not inside it, and a person id can change when two people are merged. A journey
 * resolves the identity to the surviving person when it fans out (profile store findPersonId).
 */
export const Instant = z.iso.datetime({ offset: false });

export const ProductInterest = z.object({
  product_id: z.string().min(1),
  /** `user:<id>` when the event had a user id, else `anon:<id>` (profiles/identity-key.ts). */
  identity: z.string().min(1),
  /** Views counted once per event id (bounded memory of ids; see apply-interest-signal.ts). */
  view_count: z.number().int().nonnegative(),
  last_viewed_at: Instant.nullable(),
  last_carted_at: Instant.nullable(),
  /** Latest `Back In Stock Requested`. */
  requested_at: Instant.nullable(),
  /** Latest `Order Completed` that held this product. */
  bought_at: Instant.nullable(),
  /** Latest view, add or request while the catalog said this product had stock 0. */
  out_of_stock_interest_at: Instant.nullable(),
  /**
   * Earliest view, add or request: "first come" when a restock has fewer units than people. A
   * record that only holds a purchase (no view, add or request yet) gives its bought_at here.
   */
  first_interest_at: Instant,
});
export type ProductInterest = z.infer<typeof ProductInterest>;

/** A product seen together with another by the same shopper, and how often. */
export type CoView = { product_id: string; count: number };
