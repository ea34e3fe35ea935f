import type { CampaignDefinition } from '../campaigns/campaign-definition.ts';
import { isShopLink } from '../catalog/check-catalog-links.ts';
import type { CatalogItem } from '../catalog/catalog-item.ts';
import { chooseOffer, type OfferCodeFor } from '../content/choose-offer.ts';
import type { EmailData } from '../content/email-data.ts';
import type { Cart, Profile } from '../profiles/profile.ts';

export type ShopSettings = {
  name: string;
  /** Home page; also the fallback link of an item without its own url. */
  url: string;
  /** Where "back to your cart" goes; `{cart_id}` is replaced by the cart's id (cartRestoreUrl). */
  cart_url: string;
  /** Used when neither the cart nor the catalog knows the currency. */
  currency: string;
  /** Overrides the campaigns' postal_address when set. */
  postal_address: string | null;
  /** The shop's domains (NUDGE_SHOP_DOMAINS): the only hosts an item's link or image may be on. */
  hosts: readonly string[];
};

/**
 * Everything a cart email shows, read at send time: the cart from the profile, price, stock,
 * name and image live from the catalog (the catalog wins: it is what the shop sells now).
 * Item links and images come from events too, which any browser holding the public write key
 * can send for any address: only https links on the shop's domains are kept (the rest fall back
 * to the shop's home page, or no image), so nobody can make the shop mail a link elsewhere.
 */
export function buildCartEmailData(input: {
  definition: CampaignDefinition;
  profile: Profile;
  email: string;
  cart: Cart;
  /** Live from the catalog or the shop's API (LiveData); a product absent here shows what the cart event said. */
  catalog: ReadonlyMap<string, Pick<CatalogItem, 'name' | 'price' | 'currency' | 'stock' | 'url' | 'image_url'>>;
  shop: ShopSettings;
  unsubscribeUrl: string;
  now: Date;
  /** Signs a unique offer's code for this send; needed only when the campaign has one. */
  codeFor?: OfferCodeFor;
}): EmailData {
  const { cart, catalog, shop, profile } = input;
  const items = cart.items.map((item) => {
    const live = catalog.get(item.product_id);
    return {
      product_id: item.product_id,
      name: live?.name ?? item.name ?? item.product_id,
      price: live?.price ?? item.price ?? 0,
      quantity: item.quantity,
      image_url: shopLinkOrNull(live?.image_url ?? item.image_url, shop.hosts),
      url: shopLinkOrNull(live?.url ?? item.url, shop.hosts) ?? shop.url,
      stock: live?.stock ?? null,
    };
  });
  const value = Math.round(items.reduce((sum, item) => sum + item.price * item.quantity, 0) * 100) / 100;
  const firstLive = cart.items.map((item) => catalog.get(item.product_id)?.currency).find(Boolean);
  const currency = (cart.currency ?? firstLive ?? shop.currency).toUpperCase();
  const firstName = profile.traits.first_name;
  return {
    person: { id: profile.person_id, email: input.email, first_name: typeof firstName === 'string' ? firstName : null },
    cart: { id: cart.cart_id, items, value, currency, url: cartRestoreUrl(shop.cart_url, cart.cart_id) },
    offer: chooseOffer(input.definition.offers, { cart_value: value, currency, has_ordered_before: profile.orders.count > 0, ...(input.codeFor ? { codeFor: input.codeFor } : {}) }, input.now),
    unsubscribe_url: input.unsubscribeUrl,
    shop: { name: shop.name, url: shop.url },
    postal_address: shop.postal_address,
  };
}

/**
 * The link that brings the shopper back to this cart on any device: NUDGE_SHOP_CART_URL with
 * `{cart_id}` (or `{{ cart.id }}`) replaced by the cart id, URL-encoded. Without a placeholder the
 * URL is used as it is (a shop whose cart lives in a login session needs no id).
 */
export function cartRestoreUrl(template: string, cartId: string): string {
  return template.replace(/\{cart_id\}|\{\{\s*cart\.id\s*\}\}/g, () => encodeURIComponent(cartId));
}

function shopLinkOrNull(url: string | null | undefined, hosts: readonly string[]): string | null {
  return isShopLink(url, hosts) ? url : null;
}
