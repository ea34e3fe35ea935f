import type { ShopSettings } from './build-email-data.ts';
import { isShopLink } from '../catalog/check-catalog-links.ts';
import type { ProductData } from '../content/email-data.ts';
import type { LiveItem } from '../content/live-data.ts';

/** What an event said about a product when the shopper saw it (a recent view): names and links, never a price to show. */
export type SeenProduct = { name: string | null; url: string | null; image_url: string | null };

/**
 * A product as an email shows it. Live data wins (it is what the shop sells now); without it the
 * name and links the shopper's own view carried may stand in, but never its price: a price shown
 * is the current one or none. Links only on the shop's domains (the item link falls back to the
 * shop's home page, the image to none), as for cart items (build-email-data.ts). Null when there
 * is no name to show.
 */
export function toProductData(productId: string, live: LiveItem | null, seen: SeenProduct | null, shop: ShopSettings): ProductData | null {
  const name = live?.name ?? seen?.name ?? null;
  if (!name) return null;
  const stock = live?.stock ?? null;
  return {
    product_id: productId,
    name,
    price: live?.price ?? null,
    currency: (live?.currency ?? shop.currency).toUpperCase(),
    image_url: shopLinkOrNull(live?.image_url ?? seen?.image_url ?? null, shop.hosts),
    url: shopLinkOrNull(live?.url ?? seen?.url ?? null, shop.hosts) ?? shop.url,
    stock,
    available: stock === null || stock > 0,
  };
}

function shopLinkOrNull(url: string | null, hosts: readonly string[]): string | null {
  return isShopLink(url, hosts) ? url : null;
}
