import { z } from 'zod';
import type { LiveItem } from '../../pipelines/content/live-data.ts';

/**
 * The shop API's answer (docs/live-data.md): `{"products":[{ "id": …, … }]}`. The envelope must be
 * right or the whole answer is `invalid_response`; each product is then checked on its own, so one
 * bad row costs that product only (it falls back), not the whole email.
 */
export const ShopProductsAnswer = z.object({
  products: z.array(z.looseObject({ id: z.string().min(1) })),
});
export type ShopProductsAnswer = z.infer<typeof ShopProductsAnswer>;

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
