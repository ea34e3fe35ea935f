import { z } from 'zod';

/**
 * What a catalog-driven journey is about: one restock or one price drop of one product, named by
 * the Catalog Updated event that caused it. It is the timer's trigger key and part of every send
 * id, so each restock or drop emails a person at most once, and a second restock is a new one.
 * A price drop carries the price before the drop: the step checks that the price is still down.
 */
export const CatalogTriggerKey = z.union([
  z.tuple([z.literal('back_in_stock'), z.string().min(1), z.string().min(1)]),
  z.tuple([z.literal('price_drop'), z.string().min(1), z.string().min(1), z.number().positive()]),
]);
export type CatalogTriggerKey = z.infer<typeof CatalogTriggerKey>;

export type CatalogTrigger =
  | { kind: 'back_in_stock'; product_id: string; event_id: string }
  | { kind: 'price_drop'; product_id: string; event_id: string; previous_price: number };

export function catalogTriggerKey(trigger: CatalogTrigger): string {
  return JSON.stringify(trigger.kind === 'back_in_stock' ? [trigger.kind, trigger.product_id, trigger.event_id] : [trigger.kind, trigger.product_id, trigger.event_id, trigger.previous_price]);
}

/** The trigger a key names, or null when it is not a catalog trigger key (e.g. a cart's). */
export function readCatalogTriggerKey(key: string): CatalogTrigger | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(key);
  } catch {
    return null;
  }
  const result = CatalogTriggerKey.safeParse(parsed);
  if (!result.success) return null;
  const value = result.data;
  return value[0] === 'back_in_stock'
    ? { kind: 'back_in_stock', product_id: value[1], event_id: value[2] }
    : { kind: 'price_drop', product_id: value[1], event_id: value[2], previous_price: value[3] };
}
