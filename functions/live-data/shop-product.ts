import { z } from 'zod';
import type { LiveItem } from '../../pipelines/content/live-data.ts';

/**
 * The shop API's answer (docs/live-data.md): `{"products":[…]}`. Only the envelope must be right,
 * or the whole answer is `invalid_response`. Each entry is then looked at on its own
 * (`shopProductIdOf`, `ShopProduct`), so one bad entry costs that product only, never the others:
 * shops return their own product objects, and one odd row among them must not cost the email.
 */
export const ShopProductsAnswer = z.object({
  products: z.array(z.unknown()),
});
export type ShopProductsAnswer = z.infer<typeof ShopProductsAnswer>;

/**
 * Which requested id an entry of the answer speaks for, or null when it speaks for none (not an
 * object, no id, an empty id, an id of another type) and is ignored like a product nobody asked
 * for (`requestShopProducts` still counts it: it may be a requested product, mangled). A
 * numeric id is read as its decimal text: `{"id": 12345}` is the shop answering for "12345",
 * wrongly typed, so that product falls back (`invalid`) rather than counting as unknown to the shop.
 */
export function shopProductIdOf(entry: unknown): string | null {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return null;
  const id = (entry as { id?: unknown }).id;
  if (typeof id === 'string') return id === '' ? null : id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return null;
}

const httpUrl = z.url({ protocol: /^https?$/ });

/** Every field but id is optional; null and absent both mean "not known", never "zero". */
export const ShopProduct = z.object({
  id: z.string().min(1),
  name: z.string().nullish(),
  price: z.number().nonnegative().nullish(),
  currency: z.string().regex(/^[A-Za-z]{3}$/).nullish(),
  // Oversold shops report negative stock; it means the same as 0 for an email: not buyable.
  stock: z.number().int().nullish(),
  available: z.boolean().nullish(),
  url: httpUrl.nullish(),
  image_url: httpUrl.nullish(),
  category: z.string().nullish(),
});
export type ShopProduct = z.infer<typeof ShopProduct>;

/**
 * A shop product as an email sees it. `available: false` is sold out whatever the stock says
 * (a shop may keep stock for orders already placed); `available: true` with no stock is "buyable,
 * count unknown" (null).
 */
export function shopProductToLiveItem(product: ShopProduct): LiveItem {
  const stock = product.available === false ? 0 : product.stock == null ? null : Math.max(0, product.stock);
  return {
    product_id: product.id,
    name: product.name ?? null,
    price: product.price ?? null,
    currency: product.currency ? product.currency.toUpperCase() : null,
    stock,
    url: product.url ?? null,
    image_url: product.image_url ?? null,
    category: product.category ?? null,
  };
}

/** The fields a shop may leave out that the catalog can fill in; price and stock are the shop's alone. */
const descriptiveFields = ['name', 'currency', 'url', 'image_url', 'category'] as const;

/** True when the shop's answer left out (absent or null) a field the catalog might know. */
export function hasUnknownDescriptiveFields(item: LiveItem): boolean {
  return descriptiveFields.some((field) => item[field] === null);
}

/**
 * The shop's item, with the fields it left out taken from the catalog's item for the same id. A
 * shop API may answer only what changes (price, stock) — the contract makes every field but id
 * optional — while the catalog still knows the name and the link. Price and stock are never
 * taken from the catalog: they are why the shop was asked, and "unknown" there stays unknown
 * rather than becoming an older number. Currency is filled: a price the shop gives without one is
 * in the shop's currency, which the catalog's item states.
 */
export function fillFromCatalog<T extends LiveItem>(shop: T, catalog: LiveItem): T {
  const filled: T = { ...shop };
  for (const field of descriptiveFields) filled[field] ??= catalog[field];
  return filled;
}
